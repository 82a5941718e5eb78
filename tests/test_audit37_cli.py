"""Audit 37 of ``skxai explain``.

``--resume`` explained the last row written again and compared it with the file, and nothing
else: a resumed run with ``--target <class>`` after a run that explained each row's predicted
class went on whenever that row's predicted class was the class named, and the file then held
rows of two targets under one header (exit 0); so did any option the last row does not show
(``--background`` under tree-shap's path-dependent game). The options that decide the rows are
now recorded beside ``--out`` (``<out>.skxai-run.json``) and a resume with others is refused.

Also: a multi-output regressor's file did not say which output it held (no ``target`` column),
and three mistakes gave unclear messages (an empty ``--out``, a pickle named ``.skops``, a
damaged pickle with ``--trust-pickle``).
"""

import bz2
import gzip
import json
import lzma
import os
import shutil

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import GradientBoostingClassifier, RandomForestRegressor
from sklearn.linear_model import LinearRegression

from skxai._cli import RUN_RECORD_SUFFIX, main

skops_io = pytest.importorskip("skops.io")
TRUST = ["--trusted-type", "sklearn.tree._tree.Tree"]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("audit37")
    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.normal(size=(60, 4)), columns=["a", "b", "c", "d"])
    X.to_csv(d / "data.csv", index=False)
    y = np.array(["red", "green", "blue"])[np.digitize(X.a + 0.5 * X.b, [-0.5, 0.5])]
    clf = GradientBoostingClassifier(n_estimators=5, max_depth=2, random_state=0).fit(X, y)
    skops_io.dump(clf, d / "gb.skops")
    other = GradientBoostingClassifier(n_estimators=6, max_depth=2, random_state=0).fit(X, y)
    skops_io.dump(other, d / "gb_other.skops")
    Y = np.c_[X.a + X.b, X.c - X.a]
    skops_io.dump(LinearRegression().fit(X, Y), d / "linear2.skops")
    skops_io.dump(RandomForestRegressor(3, max_depth=2, random_state=0).fit(X, Y), d / "forest2.skops")
    skops_io.dump(LinearRegression().fit(X, Y[:, 0]), d / "linear1.skops")
    return d


def _run(d, out, *extra, model="gb.skops"):
    argv = ["explain", d / model, d / "data.csv", "--out", out, "--method", "tree-shap",
            "--chunk-size", 20, *TRUST, "--quiet", *extra]  # fmt: skip
    return main([str(a) for a in argv])


def _full(d):
    out = d / "full.csv"
    if not out.exists():
        assert _run(d, out) == 0
    return out


def _stopped_at(d, name, kept, full=None):
    """``--out`` as a run stopped after ``kept`` rows leaves it: its first rows and its record."""
    full = full or _full(d)
    lines = full.read_bytes().splitlines(keepends=True)
    out = d / name
    out.write_bytes(b"".join(lines[: kept + 1]))
    record = f"{full}{RUN_RECORD_SUFFIX}"
    if os.path.exists(record):  # (an older skxai wrote none)
        shutil.copyfile(record, f"{out}{RUN_RECORD_SUFFIX}")
    return out


def test_a_resume_with_a_target_the_last_row_hides_is_refused(files, capsys):
    full = pd.read_csv(_full(files))
    # the last row kept explains its predicted class: --target <that class> explains it the same
    kept = 41
    cls = full.target[kept - 1]
    assert full.target.nunique() > 1  # the rows after it explain other classes
    out = _stopped_at(files, "target.csv", kept)
    before = out.read_bytes()
    capsys.readouterr()
    assert _run(files, out, "--resume", "--target", cls) == 2
    err = capsys.readouterr().err
    assert f"was made with other options (--target {cls!r} now, not given then" in err, err
    assert "resume with the MODEL and options of the run that wrote it" in err
    assert err.count("\n") == 1 and "goes on from row" not in err
    assert out.read_bytes() == before


def test_a_resume_with_another_background_under_the_path_dependent_game_is_refused(files, capsys):
    out = _stopped_at(files, "background.csv", 30)
    before = out.read_bytes()
    capsys.readouterr()
    assert _run(files, out, "--resume", "--background", 30) == 2
    assert "(--background 30 now, 100 then;" in capsys.readouterr().err
    assert _run(files, out, "--resume", "--random-state", 5, "--drop", "d") == 2
    err = capsys.readouterr().err
    assert "--random-state 5 now, 0 then" in err and "--drop ['d'] now, [] then" in err, err
    assert out.read_bytes() == before


def test_a_resume_with_another_model_file_is_refused_and_a_copied_one_is_not(files, tmp_path, capsys):
    out = _stopped_at(files, "model.csv", 30)
    before = out.read_bytes()
    capsys.readouterr()
    assert _run(files, out, "--resume", model="gb_other.skops") == 2
    err = capsys.readouterr().err
    assert "(MODEL '" in err and "gb_other.skops' is not the file of that run (its content differs)" in err, err
    assert out.read_bytes() == before
    # the model's content is what counts, not its name or where it lies
    shutil.copyfile(files / "gb.skops", files / "gb_copy.skops")
    assert _run(files, out, "--resume", "--n-jobs", 2, "--chunk-size", 7, model="gb_copy.skops") == 0
    assert "warning" not in capsys.readouterr().err
    assert out.read_bytes() == _full(files).read_bytes()


def test_a_resume_with_the_same_options_gives_the_file_of_one_run(files, capsys):
    out = _stopped_at(files, "same.csv", 33)
    record = (files / ("same.csv" + RUN_RECORD_SUFFIX)).read_bytes()
    capsys.readouterr()
    # the options that do not decide the rows may change
    assert _run(files, out, "--resume", "--chunk-size", 9, "--n-jobs", 2, "--method", "tree-shap") == 0
    assert capsys.readouterr().err == ""
    assert out.read_bytes() == _full(files).read_bytes()
    assert (files / ("same.csv" + RUN_RECORD_SUFFIX)).read_bytes() == record  # kept: it says how the file was made
    # complete: nothing to add, and still nothing with other options
    assert _run(files, out, "--resume") == 0
    assert _run(files, out, "--resume", "--target", "red") == 2
    assert out.read_bytes() == _full(files).read_bytes()


def test_the_record_says_what_made_the_rows(files):
    _full(files)
    record = json.loads((files / ("full.csv" + RUN_RECORD_SUFFIX)).read_text())
    options = record["options"]
    assert options["method"] == "tree-shap" and options["target"] is None and options["background"] == 100
    assert options["random_state"] == 0 and options["drop"] == [] and options["n_samples"] is None
    assert options["model"]["path"].endswith("gb.skops") and len(options["model"]["sha256"]) == 64
    assert record["out"] == "full.csv" and "chunk_size" not in options and "n_jobs" not in options


@pytest.mark.parametrize("ext, codec", [(".gz", gzip), (".bz2", bz2), (".xz", lzma)])
def test_a_compressed_output_is_resumed_with_its_record(files, capsys, ext, codec):
    out = files / f"c.csv{ext}"
    assert _run(files, out) == 0
    assert (files / f"c.csv{ext}{RUN_RECORD_SUFFIX}").is_file()
    rows = codec.decompress(out.read_bytes()).splitlines(keepends=True)
    out.write_bytes(codec.compress(b"".join(rows[:26])))
    capsys.readouterr()
    assert _run(files, out, "--resume", "--target", "blue") == 2
    assert "--target 'blue' now, not given then" in capsys.readouterr().err
    assert _run(files, out, "--resume") == 0
    assert codec.decompress(out.read_bytes()) == _full(files).read_bytes()


def test_an_output_without_a_record_is_resumed_with_a_warning(files, capsys):
    lines = _full(files).read_bytes().splitlines(keepends=True)
    out = files / "old.csv"
    out.write_bytes(b"".join(lines[:31]))
    capsys.readouterr()
    assert _run(files, out, "--resume") == 0
    err = capsys.readouterr().err
    assert "warning: --resume: " in err and "has no run record" in err and "only its last row" in err, err
    assert out.read_bytes() == _full(files).read_bytes()
    # the options stay unknown: no record is made up for rows this run did not all write
    assert not (files / ("old.csv" + RUN_RECORD_SUFFIX)).exists()


def test_a_header_only_output_is_written_afresh_with_a_new_record(files, capsys):
    out = _stopped_at(files, "header.csv", 0)
    capsys.readouterr()
    assert _run(files, out, "--resume", "--target", "red") == 0  # no rows to mix with
    frame = pd.read_csv(out)
    assert len(frame) == 60 and set(frame.target) == {"red"}
    assert json.loads((files / ("header.csv" + RUN_RECORD_SUFFIX)).read_text())["options"]["target"] == "red"


def test_a_run_that_fails_before_its_first_row_leaves_the_output_and_its_record(files, capsys):
    out = _stopped_at(files, "kept.csv", 30)
    record = files / ("kept.csv" + RUN_RECORD_SUFFIX)
    before, before_record = out.read_bytes(), record.read_bytes()
    bad = pd.read_csv(files / "data.csv")
    bad.loc[3, "c"] = np.inf
    bad.to_csv(files / "bad.csv", index=False)
    argv = ["explain", files / "gb.skops", files / "bad.csv", "--out", out, "--method", "tree-shap",
            "--chunk-size", 20, *TRUST, "--quiet", "--target", "red"]  # fmt: skip
    assert main([str(a) for a in argv]) == 2
    assert out.read_bytes() == before and record.read_bytes() == before_record


def test_an_unreadable_record_is_refused(files, capsys):
    out = _stopped_at(files, "torn_record.csv", 30)
    (files / ("torn_record.csv" + RUN_RECORD_SUFFIX)).write_text('{"options": {"method"')
    capsys.readouterr()
    assert _run(files, out, "--resume") == 2
    assert "--resume: the run record" in capsys.readouterr().err


def test_the_record_never_overwrites_an_input_nor_sits_beside_a_device(files, capsys):
    shutil.copyfile(files / "data.csv", files / ("in.csv" + RUN_RECORD_SUFFIX))
    argv = ["explain", files / "gb.skops", files / ("in.csv" + RUN_RECORD_SUFFIX), "--out", files / "in.csv",
            "--method", "tree-shap", *TRUST, "--quiet"]  # fmt: skip
    capsys.readouterr()
    assert main([str(a) for a in argv]) == 2
    err = capsys.readouterr().err
    assert "the run record of --out" in err and "is the data file: it would be overwritten" in err, err
    assert not (files / "in.csv").exists()
    assert (files / ("in.csv" + RUN_RECORD_SUFFIX)).read_bytes() == (files / "data.csv").read_bytes()
    assert _run(files, os.devnull) == 0
    assert not os.path.exists(os.devnull + RUN_RECORD_SUFFIX)


@pytest.mark.parametrize(
    "model, method", [("linear2.skops", ["--method", "exact-shap"]), ("forest2.skops", ["--method", "tree-shap"])]
)
def test_a_multi_output_regressor_says_which_output_it_explains(files, model, method):
    out = files / "multi.csv"
    argv = ["explain", files / model, files / "data.csv", "--out", out, *method, "--target", 1,
            "--background", 10, *TRUST, "--quiet"]  # fmt: skip
    assert main([str(a) for a in argv]) == 0
    frame = pd.read_csv(out)
    assert list(frame.columns[-3:]) == ["base_value", "prediction", "target"]
    assert set(frame.target) == {1}


def test_a_single_output_regressor_has_no_target_column(files):
    out = files / "single.csv"
    argv = ["explain", files / "linear1.skops", files / "data.csv", "--out", out, "--method", "exact-shap",
            "--background", 10, "--quiet"]  # fmt: skip
    assert main([str(a) for a in argv]) == 0
    assert list(pd.read_csv(out).columns[-2:]) == ["base_value", "prediction"]


def test_an_empty_out_or_report_name_is_said_to_be_empty(files, capsys):
    assert _run(files, "") == 2
    assert "--out '' is an empty name; give a file name" in capsys.readouterr().err
    assert _run(files, files / "r.csv", "--report", "") == 2
    assert "--report '' is an empty name; give a file name" in capsys.readouterr().err


def test_a_pickle_named_skops_is_said_not_to_be_a_skops_file(files, capsys):
    joblib.dump(LinearRegression().fit([[0.0], [1.0]], [0.0, 1.0]), files / "pickled.skops")
    argv = ["explain", files / "pickled.skops", files / "data.csv", "--out", files / "p.csv", "--quiet"]
    assert main([str(a) for a in argv]) == 2
    err = capsys.readouterr().err
    assert "is not a skops file" in err and "a pickle saved under a .skops name" in err, err
    assert "BadZipFile" not in err and err.count("\n") == 1


def test_a_damaged_pickle_is_said_not_to_be_a_valid_pickle(files, capsys):
    (files / "garbage.joblib").write_bytes(b"no pickle here\n" * 10)
    argv = ["explain", files / "garbage.joblib", files / "data.csv", "--out", files / "p.csv", "--quiet",
            "--trust-pickle"]  # fmt: skip
    assert main([str(a) for a in argv]) == 2
    err = capsys.readouterr().err
    assert "it is not a valid pickle or joblib file, or it is damaged (" in err, err
    assert err.count("\n") == 1
