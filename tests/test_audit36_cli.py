"""Session 36's outside audit of the command line (each test fails on the code before the fix).

- ``--report`` naming a file that is not an HTML page was refused after every row had been
  explained, as an internal error (exit 1);
- a saved model that was never fitted failed as an internal error (NotFittedError is an
  AttributeError), where a saved dict got the usage error;
- a model fitted on an array took the file's columns by position without a word: a reversed
  header changed every prediction and named each value after another column.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_diabetes
from sklearn.linear_model import Ridge

from skxai._cli import main
from tests.test_predicted_target import FixedThresholdLikeScaler as _NamelessSelector  # records nothing

sio = pytest.importorskip("skops.io")


@pytest.fixture
def files(tmp_path):
    X, y = load_diabetes(return_X_y=True, as_frame=True)
    X = X.iloc[:40, :4]
    X.to_csv(tmp_path / "data.csv", index=False)
    sio.dump(Ridge().fit(X, y[:40]), tmp_path / "named.skops")
    sio.dump(Ridge().fit(X.to_numpy(), y[:40]), tmp_path / "array.skops")
    sio.dump(Ridge(), tmp_path / "unfitted.skops")
    return tmp_path


def _run(files, model, *extra):
    argv = ["explain", files / model, files / "data.csv", "--out", files / "out.csv", "--quiet", *extra]
    return main([str(a) for a in argv])


def test_a_report_path_that_is_not_a_page_is_refused_before_any_row(files, capsys):
    (files / "notes.txt").write_text("my notes\n")
    assert _run(files, "named.skops", "--report", files / "notes.txt") == 2
    err = capsys.readouterr().err
    assert "--report" in err and "not an HTML page" in err and "internal error" not in err
    assert not (files / "out.csv").exists()  # refused before the first chunk
    assert (files / "notes.txt").read_text() == "my notes\n"


def test_an_unfitted_saved_model_is_a_usage_error(files, capsys):
    assert _run(files, "unfitted.skops") == 2
    err = capsys.readouterr().err
    assert "was not fitted" in err and "internal error" not in err


def test_a_model_fitted_on_an_array_warns_that_columns_are_taken_by_position(files, capsys):
    assert _run(files, "array.skops") == 0
    assert "taken by position" in capsys.readouterr().err
    assert _run(files, "named.skops") == 0
    assert "taken by position" not in capsys.readouterr().err
    out = pd.read_csv(files / "out.csv")
    assert list(out.columns[:4]) == list(pd.read_csv(files / "data.csv").columns)


def test_resuming_a_torn_compressed_output_gives_advice_that_fits_it(files, capsys):
    assert _run(files, "named.skops") == 0
    import gzip

    whole = gzip.compress((files / "out.csv").read_bytes())
    (files / "out.csv.gz").write_bytes(whole[: len(whole) - 20])  # cut inside the stream
    argv = ["explain", files / "named.skops", files / "data.csv", "--out", files / "out.csv.gz", "--quiet", "--resume"]
    assert main([str(a) for a in argv]) == 2
    err = capsys.readouterr().err
    assert "decompress it, remove its last line and compress it again" in err  # not "remove its last line"


def test_a_pipeline_starting_with_passthrough_matches_columns_by_name(files, capsys):
    from sklearn.pipeline import Pipeline

    X = pd.read_csv(files / "data.csv")
    pipe = Pipeline([("p", "passthrough"), ("m", Ridge())]).fit(X, X.sum(axis=1))
    sio.dump(pipe, files / "pass.skops")
    X[X.columns[::-1]].to_csv(files / "reversed.csv", index=False)
    argv = ["explain", files / "pass.skops", files / "reversed.csv", "--out", files / "out.csv", "--quiet"]
    trusted = [a for t in sio.get_untrusted_types(file=str(files / "pass.skops")) for a in ("--trusted-type", t)]
    assert main([str(a) for a in [*argv, *trusted]]) == 0
    assert "taken by position" not in capsys.readouterr().err  # its Ridge was fitted on a frame
    out = pd.read_csv(files / "out.csv")
    np.testing.assert_allclose(out["prediction"], pipe.predict(X), atol=1e-9)  # matched by name


def test_no_positional_warning_without_evidence_of_an_array_fit(files, capsys):
    import joblib
    from sklearn.pipeline import Pipeline

    X = pd.read_csv(files / "data.csv")
    pipe = Pipeline([("sel", _NamelessSelector()), ("m", Ridge())]).fit(X, X.sum(axis=1))
    joblib.dump(pipe, files / "sel.joblib")
    argv = ["explain", files / "sel.joblib", files / "data.csv", "--out", files / "o.csv", "--quiet", "--trust-pickle"]
    assert main([str(a) for a in argv]) == 0
    assert "taken by position" not in capsys.readouterr().err  # the Ridge after it was fitted on a frame


def test_a_pipeline_fitted_on_an_array_behind_a_nameless_step_is_warned_about(files, capsys):
    import joblib
    from sklearn.pipeline import Pipeline

    X = pd.read_csv(files / "data.csv")
    pipe = Pipeline([("sel", _NamelessSelector()), ("m", Ridge())]).fit(X.to_numpy(), X.sum(axis=1))
    joblib.dump(pipe, files / "arr.joblib")
    argv = ["explain", files / "arr.joblib", files / "data.csv", "--out", files / "o.csv", "--quiet", "--trust-pickle"]
    assert main([str(a) for a in argv]) == 0
    assert "taken by position" in capsys.readouterr().err  # the Ridge after it counts features, no names
