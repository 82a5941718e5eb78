"""``skxai explain --resume``: a stopped run goes on from the row after the last one written.

A stop kept the rows written and said how far it got, but nothing continued from there: run on
the remaining rows, the background was drawn from those rows only and the numbers differed
(up to 0.12 on a boosted model). ``--resume`` keeps the rows in ``--out``, draws the background
from DATA as before, explains the last row written again to check that it is the same
explanation, and appends the rest: the file of one uninterrupted run.
"""

import gzip

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import RandomForestClassifier

from skxai._cli import main

skops_io = pytest.importorskip("skops.io")
TRUST = ["--trusted-type", "sklearn.tree._tree.Tree"]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("resume")
    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.normal(size=(90, 4)), columns=["a", "b", "c", "d"])
    X.to_csv(d / "data.csv", index=False)
    clf = RandomForestClassifier(10, random_state=0).fit(X, np.where(X.a + X.b > 0, "yes", "no"))
    skops_io.dump(clf, d / "forest.skops")
    return d


def _run(d, out, *extra):
    argv = ["explain", d / "forest.skops", d / "data.csv", "--out", out, "--method", "kernel-shap",
            "--n-samples", 32, "--background", 20, "--chunk-size", 25, *TRUST, "--quiet", *extra]  # fmt: skip
    return main([str(a) for a in argv])


def _full(d, name="full.csv"):
    out = d / name
    if not out.exists():
        assert _run(d, out) == 0
    return out


@pytest.mark.parametrize("kept", [1, 25, 37, 89])
def test_a_resumed_file_is_the_file_of_one_run(files, kept):
    full = _full(files).read_bytes()
    lines = full.splitlines(keepends=True)
    part = files / f"part_{kept}.csv"
    part.write_bytes(b"".join(lines[: kept + 1]))  # the header and the first rows
    assert _run(files, part, "--resume") == 0
    assert part.read_bytes() == full


def test_a_compressed_output_is_resumed(files):
    full = _full(files)
    out = files / "part.csv.gz"
    assert _run(files, out) == 0
    rows = gzip.decompress(out.read_bytes()).splitlines(keepends=True)
    out.write_bytes(gzip.compress(b"".join(rows[:31])))
    assert _run(files, out, "--resume") == 0
    assert gzip.decompress(out.read_bytes()) == full.read_bytes()


def test_resume_without_an_output_is_a_fresh_run_and_a_complete_one_adds_nothing(files, capsys):
    out = files / "fresh.csv"
    assert _run(files, out, "--resume") == 0
    assert out.read_bytes() == _full(files).read_bytes()
    capsys.readouterr()
    argv = ["explain", files / "forest.skops", files / "data.csv", "--out", out, "--method", "kernel-shap",
            "--n-samples", 32, "--background", 20, *TRUST, "--resume"]  # fmt: skip
    assert main([str(a) for a in argv]) == 0
    assert "wrote no rows: all 90 rows were there" in capsys.readouterr().err
    assert out.read_bytes() == _full(files).read_bytes()


def test_other_options_are_refused_and_the_file_is_left_alone(files, capsys):
    full = _full(files).read_bytes()
    kept = b"".join(full.splitlines(keepends=True)[:41])
    out = files / "other.csv"
    out.write_bytes(kept)
    capsys.readouterr()
    assert _run(files, out, "--resume", "--background", 30) == 2  # the last option wins: 30 rows
    err = capsys.readouterr().err
    assert "--resume: row 39 of" in err and "is not what this run gives it" in err
    # no advice to run the same command with --resume: it would be refused again
    assert "goes on from row" not in err
    assert out.read_bytes() == kept


def test_a_torn_last_row_and_a_longer_file_are_refused(files, capsys):
    full = _full(files).read_bytes()
    torn = files / "torn.csv"
    torn.write_bytes(full[:-7])
    capsys.readouterr()
    assert _run(files, torn, "--resume") == 2
    assert "its last row is cut off" in capsys.readouterr().err
    longer = files / "longer.csv"
    longer.write_bytes(full + full.splitlines(keepends=True)[1])
    assert _run(files, longer, "--resume") == 2
    assert "holds 91 rows" in capsys.readouterr().err
    assert _run(files, files / "r.csv", "--resume", "--report", files / "r.html") == 2
    assert "--report cannot be combined with --resume" in capsys.readouterr().err


def test_a_stop_says_how_to_go_on(files, capsys):
    d = files
    bad = pd.read_csv(d / "data.csv")
    bad.loc[60, "c"] = np.inf
    bad.to_csv(d / "bad.csv", index=False)
    out = d / "stopped.csv"
    argv = ["explain", d / "forest.skops", d / "bad.csv", "--out", out, "--method", "kernel-shap",
            "--n-samples", 32, "--background", 20, "--chunk-size", 25, *TRUST, "--quiet"]  # fmt: skip
    capsys.readouterr()
    assert main([str(a) for a in argv]) == 2
    err = capsys.readouterr().err
    assert "rows 0\u201349 are in" in err and "(the same command with --resume goes on from row 50)" in err
