"""``skxai explain`` on inputs the earlier audits did not try: a pickled explainer read in a fresh
process, rows ending in a separator, a write that fails part-way."""

import errno
import io
import os
import subprocess
import sys

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import Ridge

from skxai._cli import main

skops_io = pytest.importorskip("skops.io")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("audit_cli_unseen")
    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.normal(size=(12, 3)), columns=["a", "b", "c"])
    X.to_csv(d / "data.csv", index=False)
    model = Ridge().fit(X, X.a + 2 * X.b)
    skops_io.dump(model, d / "ridge.skops")
    return d, X, model


def _run(argv, capsys):
    code = main([str(a) for a in argv] + ["--quiet"])
    return code, capsys.readouterr().err


def test_a_pickled_explainer_fitted_on_a_frame_loads_in_a_fresh_process(files, tmp_path):
    """The command line imported pandas with pyarrow hidden (to save memory), so a pickle holding
    pandas text stored by pyarrow (the column names of a background DataFrame, with pandas >= 3)
    could not be loaded: 'cannot read model file ...: ImportError: pyarrow>=16.0.0 is required',
    exit 2, although pyarrow was installed. Only in a fresh process: in-process tests had
    imported pandas already."""
    from skxai import KernelShapExplainer

    d, X, model = files
    explainer = KernelShapExplainer(model, n_samples=20, random_state=0).fit(X.iloc[:5])
    joblib.dump(explainer, tmp_path / "explainer.joblib")
    env = dict(os.environ, PYTHONPATH=ROOT, OMP_NUM_THREADS="1")
    proc = subprocess.run([sys.executable, "-m", "skxai", "explain", str(tmp_path / "explainer.joblib"),
                           str(d / "data.csv"), "--trust-pickle", "--out", str(tmp_path / "o.csv"), "--quiet"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    res = pd.read_csv(tmp_path / "o.csv")
    np.testing.assert_allclose(res[["a", "b", "c"]].to_numpy(), explainer.transform(X), atol=1e-10)


def test_rows_ending_in_a_separator_are_read_as_the_header_says(files, tmp_path, capsys):
    """Rows ending in a comma (``1,2,3,`` under ``a,b,c``, as some spreadsheets export them) hold
    one field more than the header, and pandas then takes the first field for the row index:
    column a was read from b's field, b from c's, c was empty. The reservoir sample crashed
    (exit 1, 'zip() argument 2 is shorter than argument 1'); with --background-data the rows
    were refused for NaN cells the file does not have, and a model that imputes would have
    explained shifted rows. They are now read as the header says."""
    d, X, _ = files
    lines = (d / "data.csv").read_text().splitlines()
    (tmp_path / "trailing.csv").write_text("\n".join([lines[0]] + [line + "," for line in lines[1:]]) + "\n")
    common = ["--method", "exact-shap", "--background", 5]
    code, err = _run(["explain", d / "ridge.skops", d / "data.csv", "--out", tmp_path / "plain.csv"] + common, capsys)
    assert code == 0, err
    code, err = _run(["explain", d / "ridge.skops", tmp_path / "trailing.csv", "--out", tmp_path / "t.csv"] + common,
                     capsys)
    assert code == 0, err
    assert (tmp_path / "t.csv").read_bytes() == (tmp_path / "plain.csv").read_bytes()
    code, err = _run(["explain", d / "ridge.skops", tmp_path / "trailing.csv", "--out", tmp_path / "t2.csv",
                      "--background-data", tmp_path / "trailing.csv", "--method", "exact-shap"], capsys)
    assert code == 0, err
    res = pd.read_csv(tmp_path / "t2.csv")
    np.testing.assert_allclose(res.prediction, files[2].predict(X), atol=1e-12)


def test_rows_with_more_fields_than_the_header_are_refused(files, tmp_path, capsys):
    """A file whose rows hold one non-empty field more than its header (an index column without
    a name) crashed with exit 1 and pandas' 'zip() argument 2 is shorter than argument 1'; with
    --background-data, the first field silently became the row index. Which field is extra
    cannot be known: the file is refused (exit 2), saying why, and nothing is written."""
    d, X, _ = files
    X.to_csv(tmp_path / "indexed.csv", header=["a", "b", "c"], index=True, index_label=None)
    text = (tmp_path / "indexed.csv").read_text().splitlines()
    (tmp_path / "indexed.csv").write_text("\n".join(["a,b,c"] + text[1:]) + "\n")
    for extra in ([], ["--background-data", d / "data.csv"]):
        out = tmp_path / "o.csv"
        code, err = _run(["explain", d / "ridge.skops", tmp_path / "indexed.csv", "--out", out,
                          "--method", "exact-shap", "--background", 5] + extra, capsys)
        assert code == 2, err
        assert "more fields than" in err and "indexed.csv" in err, err
        assert not out.exists()


def test_a_write_that_fails_part_way_leaves_only_the_rows_the_message_counts(files, tmp_path, capsys, monkeypatch):
    """A chunk written only in part (the disk filled up: the bytes that fit are written, then
    ENOSPC) stayed in the output: the message said rows 0-3 were there, while the file held
    them plus a torn piece of the next chunk, read back as more rows (the last one cut in the
    middle of a number). The output is now cut back to the chunks written whole."""
    from skxai import _stream

    d, X, _ = files
    calls = []

    class Full(io.FileIO):
        def write(self, b):
            calls.append(len(b))
            if len(calls) == 2:  # the second chunk: half of it fits
                super().write(bytes(b)[: len(b) // 2])
                raise OSError(errno.ENOSPC, "No space left on device")
            return super().write(b)

    def full_open(path, mode="r"):
        return io.BufferedWriter(Full(path, mode.replace("b", ""))) if "w" in mode else open(path, mode)

    monkeypatch.setattr(_stream, "open", full_open, raising=False)
    out = tmp_path / "o.csv"
    code, err = _run(["explain", d / "ridge.skops", d / "data.csv", "--out", out, "--method", "exact-shap",
                      "--background", 5, "--chunk-size", 4], capsys)
    assert code != 0 and "rows 0\u20133 are in" in err and "No space left" in err, err
    assert "internal error" not in err and "explain: error:" in err, err  # the machine's, not ours
    back = pd.read_csv(out)
    assert len(back) == 4
    assert out.read_bytes().endswith(b"\n")


def test_a_column_named_twice_is_named_in_the_refusal(files, tmp_path, capsys):
    """A header naming a column twice (``a,b,c,c``) was refused for a column ``'c.1'`` that the
    file does not have (pandas' renaming of the second ``c``), in DATA and in --background-data
    alike. The refusal now says which name the header repeats."""
    d, X, _ = files
    X.assign(c2=X.c).to_csv(tmp_path / "twice.csv", index=False, header=["a", "b", "c", "c"])
    for argv in ([tmp_path / "twice.csv"], [d / "data.csv", "--background-data", tmp_path / "twice.csv"]):
        code, err = _run(["explain", d / "ridge.skops", *argv, "--out", tmp_path / "o.csv", "--method", "exact-shap"],
                         capsys)
        assert code == 2, err
        assert "twice.csv" in err and "['c']" in err and "c.1" not in err, err
