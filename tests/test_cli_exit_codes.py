"""Every exit code of the ``skxai`` command and the one line it prints (issue 17).

0 done, 2 bad input (argparse's code too), 1 an unexpected internal error, 130 interrupted;
a failure part-way through the rows says how far the run got, with the code of its cause.
"""

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LinearRegression

from skxai._cli import main


@pytest.fixture(scope="module")
def lin(tmp_path_factory):
    """f(x) = x0 - 2 x1 + 3 x2 (a pickle we made, read with --trust-pickle) and 6 rows to explain."""
    d = tmp_path_factory.mktemp("exitcodes")
    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.normal(size=(6, 3)), columns=["a", "b", "c"])
    model = LinearRegression().fit(X, X @ np.array([1.0, -2.0, 3.0]))
    joblib.dump(model, d / "lin.joblib")
    X.to_csv(d / "data.csv", index=False)
    return d, model, X


def _run(argv, capsys):
    try:
        code = main([str(a) for a in argv])
    except SystemExit as exc:  # argparse
        code = exc.code
    cap = capsys.readouterr()
    return code, cap.out, cap.err


def _explain(d, out, *extra):
    return ["explain", d / "lin.joblib", d / "data.csv", "--out", out, "--method", "exact-shap", "--quiet",
            "--trust-pickle", *extra]


def test_success_is_0_and_the_smallest_positive_numbers_are_accepted(lin, capsys):
    d, model, X = lin
    code, out, err = _run(_explain(d, d / "ok.csv", "--chunk-size", 1, "--background", 1, "--n-jobs", -1), capsys)
    assert code == 0 and out == "" and err == ""
    res = pd.read_csv(d / "ok.csv")
    assert len(res) == 6
    # efficiency on each row: the attributions and the base value add up to the prediction
    np.testing.assert_allclose(res[["a", "b", "c"]].sum(axis=1) + res["base_value"], X @ model.coef_
                               + model.intercept_, atol=1e-9)


@pytest.mark.parametrize("option", ["--chunk-size", "--background", "--n-samples"])
def test_zero_and_negative_numbers_exit_2(lin, capsys, option):
    d, _, _ = lin
    for value in (0, -3):
        code, out, err = _run(_explain(d, d / "never.csv", option, value), capsys)
        assert code == 2 and out == ""
        assert err == f"skxai explain: error: {option} must be a positive integer; got {value}\n"
    assert not (d / "never.csv").exists()


def test_usage_error_line_is_exact(lin, capsys):
    d, _, _ = lin
    code, _, err = _run(_explain(d, d / "never.csv", "--n-jobs", 0), capsys)
    assert code == 2
    assert err == "skxai explain: error: --n-jobs must not be 0; give a number of workers, or -1 for all cores\n"


def test_argparse_errors_exit_2_with_a_pointer_to_help(capsys):
    code, _, err = _run(["explain", "only-one-argument"], capsys)
    assert code == 2
    assert err.startswith("skxai explain: error: ") and err.endswith(" (see skxai explain --help)\n")
    assert len(err.splitlines()) == 1


def test_interrupt_before_any_row_exits_130(lin, capsys, monkeypatch):
    import skxai._cli as cli

    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "run_explain", interrupted)
    d, _, _ = lin
    code, out, err = _run(_explain(d, d / "never.csv"), capsys)
    assert code == 130 and out == "" and err == "skxai: interrupted\n"


def _fail_after(monkeypatch, n_rows, exc):
    import skxai._stream as stream

    real = stream.AppendingCsv.append

    def append(self, frame):
        if self.rows >= n_rows:
            raise exc
        real(self, frame)

    monkeypatch.setattr(stream.AppendingCsv, "append", append)


@pytest.mark.parametrize("exc, code, kind, cause", [
    (KeyboardInterrupt(), 130, "stopped", "interrupted"),
    (RuntimeError("disk\n on  fire"), 1, "internal error", "RuntimeError: disk on fire"),
])
def test_a_stop_part_way_keeps_its_code_and_says_how_far(lin, capsys, monkeypatch, exc, code, kind, cause):
    d, _, _ = lin
    _fail_after(monkeypatch, 4, exc)
    out = d / f"part{code}.csv"
    got, _, err = _run(_explain(d, out, "--chunk-size", 2), capsys)
    assert got == code
    assert err == (
        f"skxai explain: {kind}: rows 0\u20133 are in {str(out)!r}; stopped at row 4: {cause} "
        "(the same command with --resume goes on from row 4)\n"
    )
    assert len(pd.read_csv(out)) == 4


def test_a_stop_in_the_first_chunk_says_no_row_was_written(lin, capsys, monkeypatch):
    import skxai._cli as cli
    from skxai._cli import UsageError

    def bad_chunk(chunk, start, *args):
        raise UsageError(f"bad rows from {start}")

    monkeypatch.setattr(cli, "_explain_chunk", bad_chunk)
    d, _, _ = lin
    out = d / "first.csv"
    code, _, err = _run(_explain(d, out, "--chunk-size", 2), capsys)
    assert code == 2
    assert err == f"skxai explain: error: no rows were written to {str(out)!r}; stopped at row 0: bad rows from 0\n"
    # an earlier run's file there is said to be one, not mistaken for this run's output
    out.write_text("x0,x1\n1,2\n")
    code, _, err = _run(_explain(d, out, "--chunk-size", 2), capsys)
    assert code == 2
    assert err == (
        f"skxai explain: error: no rows were written to {str(out)!r} (the {str(out)!r} there is from "
        "before this run, unchanged); stopped at row 0: bad rows from 0\n"
    )
    assert out.read_text() == "x0,x1\n1,2\n"


def test_demo_exit_codes(tmp_path, capsys, monkeypatch):
    import skxai._demo as demo

    calls = []
    monkeypatch.setattr(demo, "run_demo", lambda out, **kw: calls.append((out, kw)))
    # an existing folder is fine; empty parts and spaces of --families are dropped
    code, out, err = _run(["demo", "--out", tmp_path, "--families", " tabular, ,text ", "--quick", "--quiet"],
                          capsys)
    assert code == 0 and err == ""
    assert calls == [(str(tmp_path), dict(quick=True, families=["tabular", "text"], check_browser=False,
                                          verbose=False))]
    code, _, _ = _run(["demo", "--out", tmp_path / "new"], capsys)
    assert code == 0 and calls[-1][1]["families"] == ["tabular", "image", "text"] and calls[-1][1]["verbose"]
    code, _, err = _run(["demo", "--out", tmp_path, "--families", "video,tabular,audio"], capsys)
    assert code == 2 and len(calls) == 2
    assert err == "skxai demo: error: unknown families ['audio', 'video']; choose among tabular, image, text\n"
    (tmp_path / "f.txt").write_text("x")
    code, _, err = _run(["demo", "--out", tmp_path / "f.txt"], capsys)
    assert code == 2 and len(calls) == 2
    path = str(tmp_path / "f.txt")
    assert err == f"skxai demo: error: --out {path!r} is an existing file; the demo writes a folder\n"


def test_an_error_inside_the_demo_exits_1(tmp_path, capsys, monkeypatch):
    import skxai._demo as demo

    def broken(out, **kw):
        raise ValueError("no\tmodel")

    monkeypatch.setattr(demo, "run_demo", broken)
    code, out, err = _run(["demo", "--out", tmp_path], capsys)
    assert code == 1 and out == ""
    assert err == "skxai demo: internal error: ValueError: no model\n"


def test_main_reads_sys_argv_when_called_without_arguments(tmp_path, capsys, monkeypatch):
    import sys

    import skxai._demo as demo

    calls = []
    monkeypatch.setattr(demo, "run_demo", lambda out, **kw: calls.append(out))
    monkeypatch.setattr(sys, "argv", ["skxai", "demo", "--out", str(tmp_path), "--quiet"])
    assert main() == 0 and calls == [str(tmp_path)]


@pytest.mark.parametrize("address", ["", "  "])
def test_an_empty_scheduler_address_exits_2(lin, capsys, address):
    # an unset shell variable (--scheduler "$ADDR") ran everything in this process, silently
    d, _, _ = lin
    code, out, err = _run(_explain(d, d / "never.csv", "--scheduler", address), capsys)
    assert code == 2 and out == ""
    assert "--scheduler needs a Dask scheduler address" in err
    assert not (d / "never.csv").exists()


def test_sigterm_before_any_row_exits_143_with_a_message(lin, capsys, monkeypatch):
    # a SIGTERM while the model loaded or the file was scanned ended the process without a word
    import os
    import signal

    import skxai._cli as cli

    def terminated_while_loading(args):
        os.kill(os.getpid(), signal.SIGTERM)
        raise AssertionError("SIGTERM was not turned into an exception")

    monkeypatch.setattr(cli, "run_explain", terminated_while_loading)
    before = signal.getsignal(signal.SIGTERM)
    d, _, _ = lin
    code, out, err = _run(_explain(d, d / "never.csv"), capsys)
    assert code == 143 and out == ""
    assert err == "skxai explain: terminated (SIGTERM) before any row was written\n"
    assert signal.getsignal(signal.SIGTERM) is before  # the handler is restored


def test_library_messages_name_the_options_that_set_the_parameters():
    # an outside audit (session 23): --method sampling-shap --n-samples 10**9 was told to
    # "lower n_permutations", a name the command line has no flag for
    from skxai._cli import _as_options

    text = "about 430.3 GiB: lower n_permutations, or the number of players"
    assert _as_options(text, "sampling-shap") == "about 430.3 GiB: lower --n-samples, or the number of players"
    assert _as_options("n_samples=10 is too small", "kernel-shap") == "--n-samples 10 is too small"
    got = _as_options("n_jobs=3; max_background=5; n_samples_total", "lime")
    assert got == "--n-jobs 3; --background 5; n_samples_total"
    assert _as_options("lower n_permutations", "tree-shap") == "lower n_permutations"  # no budget there
