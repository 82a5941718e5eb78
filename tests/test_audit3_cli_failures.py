"""``skxai explain`` when things go wrong: outputs that are not regular files, signals and
errors after the rows are written, and what the message then says."""

# ruff: noqa: F811 (the tests take the imported ``files`` fixture as an argument)

import os
import signal

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import Ridge

pytest.importorskip("skops.io")


# the saved Ridge on a 12 x 3 frame, and the runner, of the earlier command-line audit
from tests.test_audit_cli_unseen import _run, files  # noqa: E402, F401


def _explain_with_report(files, out, report, capsys, *extra):
    """``skxai explain ridge.skops data.csv --out OUT --report REPORT --n-samples 16 EXTRA``."""
    d = files[0]
    return _run(["explain", d / "ridge.skops", d / "data.csv", "--out", out, "--report", report,
                 "--n-samples", 16, *extra], capsys)


def test_out_dev_null_is_written(files, capsys):
    """``--out /dev/null`` (only the --report wanted, or a timing run) is accepted by the path
    checks, but every run failed on its first chunk: "OSError: [Errno 22] Invalid argument"
    (exit 1), from the fsync that a device cannot do."""
    d, _, _ = files
    code, err = _run(
        ["explain", d / "ridge.skops", d / "data.csv", "--out", os.devnull, "--n-samples", 16, "--chunk-size", 5],
        capsys,
    )
    assert code == 0, err
    assert err == ""


@pytest.mark.parametrize(("signame", "code", "word"), [("SIGTERM", 143, "terminated"), ("SIGINT", 130, "interrupted")])
def test_a_signal_during_the_report_says_the_rows_are_written(
    files, tmp_path, capsys, monkeypatch, signame, code, word
):
    """SIGTERM while the --report was made, after every row was in --out, was reported as
    "terminated (SIGTERM) before any row was written" (and Ctrl-C as a bare "skxai:
    interrupted"): a user deleting the output on that word lost a complete file."""
    import skxai.report

    d, X, model = files

    def make_report(*args, **kwargs):
        os.kill(os.getpid(), getattr(signal, signame))
        raise AssertionError("the signal was not turned into an exception")

    monkeypatch.setattr(skxai.report, "make_report", make_report)
    out = tmp_path / "out.csv"
    got, err = _explain_with_report(files, out, tmp_path / "r.html", capsys, "--chunk-size", 5)
    assert got == code
    res = pd.read_csv(out)
    assert len(res) == len(X)
    np.testing.assert_allclose(res["prediction"], model.predict(X))
    assert "before any row" not in err
    assert f"all 12 rows are in {str(out)!r}" in err
    assert word in err and "report" in err


def test_a_failing_report_says_the_rows_are_written(files, tmp_path, capsys, monkeypatch):
    """An error while the --report was made, after every row was in --out, said only
    "internal error: ...": nothing said that the output was complete."""
    import skxai.report

    d, X, _ = files

    def make_report(*args, **kwargs):
        raise RuntimeError("no room for the figures")

    monkeypatch.setattr(skxai.report, "make_report", make_report)
    out = tmp_path / "out.csv"
    code, err = _explain_with_report(files, out, tmp_path / "r.html", capsys)
    assert code == 1
    assert len(pd.read_csv(out)) == len(X)
    assert f"all 12 rows are in {str(out)!r}" in err
    assert "RuntimeError: no room for the figures" in err


def test_a_saved_explainer_fitted_on_an_array_writes_the_files_column_names(files, tmp_path, capsys):
    """A saved explainer fitted on an array wrote its attributions under x0, x1, x2, not under
    DATA's header names (a model fitted on an array already wrote the file's names)."""
    import joblib
    from sklearn.frozen import FrozenEstimator

    from skxai import KernelShapExplainer

    d, X, _ = files
    model = Ridge().fit(X.to_numpy(), X.a + 2 * X.b)
    explainer = KernelShapExplainer(FrozenEstimator(model), n_samples=16, random_state=0).fit(X.to_numpy())
    joblib.dump(explainer, tmp_path / "explainer.joblib")
    out = tmp_path / "out.csv"
    code, err = _run(["explain", tmp_path / "explainer.joblib", d / "data.csv", "--out", out, "--trust-pickle"], capsys)
    assert code == 0, err
    res = pd.read_csv(out)
    assert list(res.columns) == ["a", "b", "c", "base_value", "prediction"]
    np.testing.assert_array_equal(res[["a", "b", "c"]].to_numpy(), explainer.transform(X.to_numpy()))


@pytest.mark.parametrize("bad", ["text", "missing"])
def test_a_bad_cell_in_a_middle_chunk_is_located_by_its_line(files, tmp_path, capsys, bad):
    """A word or an empty field in a number column of the middle chunk: the message said
    "row 7" (rows counted from 0 under the header) but not the line of the file an editor
    shows, which blank lines and quoted line breaks move further (line 11 here)."""
    d, X, _ = files
    lines = X.to_csv(index=False).splitlines()
    lines.insert(3, "")  # a blank line: not a row
    cells = lines[9].split(",")  # row 7
    cells[1] = "abc" if bad == "text" else ""
    lines[9] = ",".join(cells)
    lines.insert(5, "")
    (tmp_path / "bad.csv").write_text("\n".join(lines) + "\n")
    out = tmp_path / "out.csv"
    code, err = _run(
        ["explain", d / "ridge.skops", tmp_path / "bad.csv", "--out", out, "--background-data", d / "data.csv"]
        + ["--n-samples", 16, "--chunk-size", 5],
        capsys,
    )
    assert code == 2
    assert len(pd.read_csv(out)) == 5  # the first chunk, whole
    where = "(row 7, column 'b' holds 'abc', not a number)" if bad == "text" else "row 7 of column 'b')"
    assert f"{where}, line 11 of {str(tmp_path / 'bad.csv')!r}" in err, err
