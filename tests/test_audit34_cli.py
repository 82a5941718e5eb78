"""``skxai explain --method lime``: the CSV names the surrogate's numbers as the surrogate's
(audit34e). Its per-row intercept was written as ``base_value`` beside the model's prediction,
and ``base_value + sum(features)`` missed the prediction by up to 0.21: the additive rule the
help states did not hold, and nothing in the file said why."""

import numpy as np
import pandas as pd
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skxai._cli import main


def test_lime_writes_the_surrogate_intercept_and_prediction(tmp_path, capsys):
    import skops.io as sio

    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    X = X.iloc[:, :6]
    pipe = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)).fit(X, y)
    sio.dump(pipe, tmp_path / "pipe.skops")
    X.iloc[:30].to_csv(tmp_path / "data.csv", index=False)
    argv = ["explain", tmp_path / "pipe.skops", tmp_path / "data.csv", "--background", 10, "--chunk-size", 11]
    assert main([str(a) for a in [*argv, "--method", "lime", "--n-samples", 64, "--out", tmp_path / "l.csv"]]) == 0
    lime = pd.read_csv(tmp_path / "l.csv")
    features = list(X.columns)
    assert list(lime.columns) == [*features, "surrogate_intercept", "surrogate_prediction", "prediction_probability",
                                  "target"]
    np.testing.assert_allclose(lime[features].sum(axis=1) + lime.surrogate_intercept, lime.surrogate_prediction,
                               atol=1e-12)
    np.testing.assert_allclose(lime.prediction_probability, pipe.predict_proba(X.iloc[:30])[:, 1], atol=1e-12)
    # the additive methods keep base_value, and their rows sum to the model's prediction
    assert main([str(a) for a in [*argv, "--method", "exact-shap", "--out", tmp_path / "e.csv"]]) == 0
    exact = pd.read_csv(tmp_path / "e.csv")
    assert "base_value" in exact.columns and "surrogate_intercept" not in exact.columns
    np.testing.assert_allclose(exact[features].sum(axis=1) + exact.base_value, exact.prediction_probability,
                               atol=1e-9)
    capsys.readouterr()


def _wine_files(tmp_path):
    import skops.io as sio
    from sklearn.datasets import load_wine

    X, y = load_wine(return_X_y=True, as_frame=True)
    X = X.iloc[:, :5]
    pipe = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)).fit(X, y)
    sio.dump(pipe, tmp_path / "pipe.skops")
    X.iloc[:20].to_csv(tmp_path / "data.csv", index=False)
    X.iloc[20:60].assign(label=y[20:60]).to_csv(tmp_path / "train.csv", index=False)
    return X


def test_drop_a_column_of_the_background_file_only(tmp_path, capsys):
    """The column check advised --drop for the training file's label, and --drop then refused
    it because DATA (unlabelled) has no such column: no option got past it."""
    _wine_files(tmp_path)
    argv = ["explain", tmp_path / "pipe.skops", tmp_path / "data.csv", "--background-data", tmp_path / "train.csv",
            "--method", "exact-shap", "--out", tmp_path / "o.csv"]
    assert main([str(a) for a in argv]) == 2
    assert "drop them with --drop" in capsys.readouterr().err
    assert main([str(a) for a in [*argv, "--drop", "label"]]) == 0
    assert len(pd.read_csv(tmp_path / "o.csv")) == 20
    # a column in neither file is still refused, naming both
    assert main([str(a) for a in [*argv, "--drop", "nope", "--out", tmp_path / "p.csv"]]) == 2
    err = capsys.readouterr().err
    assert "--drop 'nope': no such column in" in err and "train.csv" in err


def test_an_infinite_background_cell_is_named_by_one_row(tmp_path, capsys):
    """The error gave the cell's row in the background sample ("First at row 2") and then its
    row in the file ("row 3 ... line 5"): two numbers for one cell."""
    X = _wine_files(tmp_path)
    bad = X.iloc[:20].copy()
    bad.iloc[3, 0] = np.inf
    bad.to_csv(tmp_path / "bad.csv", index=False)
    assert main([str(a) for a in ["explain", tmp_path / "pipe.skops", tmp_path / "bad.csv", "--method",
                                  "exact-shap", "--out", tmp_path / "o.csv"]]) == 2
    err = capsys.readouterr().err
    assert "row 3 of column 'alcohol'" in err and "line 5" in err
    assert "First at row" not in err


def test_a_missing_background_file_is_said_before_a_dropped_column(tmp_path, capsys):
    _wine_files(tmp_path)
    argv = ["explain", tmp_path / "pipe.skops", tmp_path / "data.csv", "--background-data", tmp_path / "nope.csv",
            "--drop", "label", "--out", tmp_path / "o.csv"]
    assert main([str(a) for a in argv]) == 2
    err = capsys.readouterr().err
    assert "cannot read background file" in err and "--drop" not in err
