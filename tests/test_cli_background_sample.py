"""``skxai explain --background-data``: a one-pass sample of ``--background`` rows, as from DATA
(the whole file was read first), and a ``--background`` too large for memory is refused before
any row is read."""

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import Ridge

from skxai._cli import main
from skxai._stream import reservoir_rows

skops_io = pytest.importorskip("skops.io")


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("cli_bg")
    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.normal(size=(40, 3)), columns=["a", "b", "c"])
    X.iloc[:5].to_csv(d / "data.csv", index=False)
    big = pd.DataFrame(rng.normal(size=(3000, 3)) + 5.0, columns=["a", "b", "c"])
    big.to_csv(d / "background.csv", index=False)
    model = Ridge().fit(X, X.a + 2 * X.b - X.c)
    skops_io.dump(model, d / "ridge.skops")
    return d, model


def test_background_data_is_sampled_in_one_pass(files, monkeypatch):
    d, model = files
    seen = []
    import pandas

    real = pandas.read_csv

    def spy(path, *args, **kwargs):
        if str(path).endswith("background.csv"):
            seen.append(kwargs)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(pandas, "read_csv", spy)
    out = d / "out.csv"
    code = main(["explain", str(d / "ridge.skops"), str(d / "data.csv"), "--background-data", str(d / "background.csv"),
                 "--background", "7", "--random-state", "3", "--out", str(out), "--quiet"])  # fmt: skip
    assert code == 0
    # the background file is never parsed whole: its first column, then the sampled rows only
    whole = [k for k in seen if not ({"usecols", "skiprows", "nrows", "chunksize"} & set(k))]
    assert whole == [], whole
    monkeypatch.undo()
    sample = reservoir_rows(d / "background.csv", 7, 3)
    result = pd.read_csv(out)
    np.testing.assert_allclose(result["base_value"], model.predict(sample).mean(), rtol=1e-12)


def test_a_background_beyond_memory_is_refused_before_reading(files, capsys):
    d, _ = files
    code = main(["explain", str(d / "ridge.skops"), str(d / "data.csv"), "--background", str(10**12),
                 "--out", str(d / "never.csv"), "--quiet"])  # fmt: skip
    assert code == 2
    assert "--background 1000000000000 is too large for 3 columns" in capsys.readouterr().err
    assert not (d / "never.csv").exists()
