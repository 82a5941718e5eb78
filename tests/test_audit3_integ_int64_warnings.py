"""The warning about integer columns beyond 2**53 (9a92b4f) meets the chunked paths (audit 3,
where the merges meet): once per column and fitted explainer, not once per chunk.

``skxai explain`` on a 3000-row file with an int64 nanosecond column printed the same warning
19 times for 6 chunks of 500 rows (each chunk's first large value made a new message, and the
command's own ``warnings.catch_warnings`` reset Python's once-per-location memory), so a
million-row file buried its output under thousands of copies. A loop of ``transform`` calls
over chunks did the same. Each fitted explainer now names a column once; a loaded explainer
(a new process) names it again.
"""

import pickle
import warnings

import numpy as np
import pytest
from sklearn.linear_model import Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skxai import KernelShapExplainer
from skxai._cli import main

pd = pytest.importorskip("pandas")

T0 = 1_733_400_000_000_000_000  # nanoseconds, beyond 2**53


def _data(n=120):
    rng = np.random.RandomState(0)
    X = pd.DataFrame({"t": T0 + rng.randint(0, 10**12, n).astype(np.int64), "a": rng.randn(n)})
    model = make_pipeline(StandardScaler(), Ridge()).fit(X, X.a + (X.t - T0) / 1e12)
    return X, model


def _named(record):
    return [w for w in record if "beyond 2**53" in str(w.message)]


def test_a_column_is_named_once_per_fitted_explainer():
    X, model = _data()
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        explainer = KernelShapExplainer(model, n_samples=16, random_state=0).fit(X)
        for start in range(0, 60, 20):  # a loop over chunks, each with other values
            explainer.transform(X.iloc[start : start + 20])
        assert len(_named(record)) == 1
        # a fitted explainer whose fit data held no large values names it on the first transform
        small = X.assign(t=X.t - T0)
        fitted = KernelShapExplainer(model, n_samples=16, random_state=0).fit(small)
        assert len(_named(record)) == 1
        fitted.transform(X.iloc[:5])
        fitted.transform(X.iloc[5:10])
        assert len(_named(record)) == 2
        # an unpickled explainer (another session, the command line) names it again
        pickle.loads(pickle.dumps(explainer)).transform(X.iloc[:5])
        assert len(_named(record)) == 3


def test_the_command_line_names_the_column_once(tmp_path, capsys):
    skops_io = pytest.importorskip("skops.io")
    X, model = _data(150)
    skops_io.dump(model, tmp_path / "m.skops")
    X.to_csv(tmp_path / "x.csv", index=False)
    trusted = [a for t in skops_io.get_untrusted_types(file=tmp_path / "m.skops") for a in ("--trusted-type", t)]
    argv = ["explain", tmp_path / "m.skops", tmp_path / "x.csv", "--out", tmp_path / "o.csv"]
    argv += ["--n-samples", 16, "--chunk-size", 30, "--background", 10, "--quiet", *trusted]
    with warnings.catch_warnings():
        warnings.simplefilter("default")
        code = main([str(a) for a in argv])
    assert code == 0
    assert len(pd.read_csv(tmp_path / "o.csv")) == 150
    # the command line prints the library's warnings as its own lines
    lines = [line for line in capsys.readouterr().err.splitlines() if "beyond 2**53" in line]
    assert len(lines) == 1 and lines[0].startswith("skxai explain: warning: "), lines
