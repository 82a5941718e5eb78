"""Findings of a command-line audit: labels, the report's values, a one-row file, warnings."""

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_iris, load_wine
from sklearn.ensemble import GradientBoostingClassifier, HistGradientBoostingClassifier
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from skxai import KernelShapExplainer, TreeShapExplainer
from skxai._cli import _as_options, main


def _run(argv, capsys):
    try:
        code = main([str(a) for a in argv])
    except SystemExit as exc:
        code = exc.code
    cap = capsys.readouterr()
    return code, cap.out, cap.err


@pytest.mark.parametrize(
    "model", [GradientBoostingClassifier(n_estimators=5), HistGradientBoostingClassifier(max_iter=5)]
)
def test_the_raw_scores_of_a_multi_class_boosted_model_are_logits_not_log_odds(model):
    # log-odds are log(p / (1 - p)) of a binary model; beyond two classes each raw score is a
    # softmax input (row 0: raw -1.40, log-odds -3.14)
    X, y = load_wine(return_X_y=True)
    X = X[:, :5]
    assert TreeShapExplainer(model.fit(X, y)).fit(X).quantity_ == "logit"
    binary = y == 0
    assert TreeShapExplainer(model.fit(X, binary)).fit(X).quantity_ == "log-odds"


def test_the_command_line_names_a_multi_class_boosted_models_logits(tmp_path, capsys):
    X, y = load_wine(return_X_y=True, as_frame=True)
    X = X.iloc[:, :4]
    joblib.dump(GradientBoostingClassifier(n_estimators=5, random_state=0).fit(X, y), tmp_path / "gb.joblib")
    X.iloc[:20].to_csv(tmp_path / "d.csv", index=False)
    code, _, err = _run(["explain", tmp_path / "gb.joblib", tmp_path / "d.csv", "--out", tmp_path / "o.csv",
                         "--method", "tree-shap", "--trust-pickle", "--quiet"], capsys)  # fmt: skip
    assert code == 0, err
    assert "prediction_logit" in pd.read_csv(tmp_path / "o.csv").columns


def test_the_report_of_a_saved_scaling_pipeline_shows_the_files_values(tmp_path, capsys, monkeypatch):
    pytest.importorskip("matplotlib")
    iris = load_iris(as_frame=True)
    X, y = iris.data, iris.target_names[iris.target]
    saved = Pipeline(
        [("scale", StandardScaler()), ("explain", KernelShapExplainer(LogisticRegression(), random_state=0))]
    )
    joblib.dump(saved.fit(X, y), tmp_path / "p.joblib")
    rows = X.sample(12, random_state=1)
    rows.to_csv(tmp_path / "d.csv", index=False)
    import skxai.report

    seen = {}
    monkeypatch.setattr(skxai.report, "make_report", lambda *a, **k: seen.update(k))
    code, _, err = _run(["explain", tmp_path / "p.joblib", tmp_path / "d.csv", "--out", tmp_path / "o.csv",
                         "--report", tmp_path / "r.html", "--trust-pickle", "--quiet"], capsys)  # fmt: skip
    assert code == 0, err
    (exp,) = seen["explanations"].values()
    # the explainer saw z-scores; beside the file's names the pictures show the file's values
    np.testing.assert_array_equal(exp.feature_names, X.columns)
    np.testing.assert_array_equal(np.asarray(exp.data, dtype=float), rows.to_numpy())


def test_a_one_row_file_is_not_its_own_background(tmp_path, capsys):
    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.normal(size=(30, 3)), columns=["a", "b", "c"])
    joblib.dump(LinearRegression().fit(X, X.a - X.b), tmp_path / "m.joblib")
    X.iloc[:1].to_csv(tmp_path / "one.csv", index=False)
    pd.concat([X.iloc[:1]] * 3).to_csv(tmp_path / "same.csv", index=False)
    X.to_csv(tmp_path / "bg.csv", index=False)
    base = ["--trust-pickle", "--quiet", "--method", "exact-shap"]
    for data, held in (("one.csv", "holds one row"), ("same.csv", "holds 3 rows, all the same")):
        code, _, err = _run(["explain", tmp_path / "m.joblib", tmp_path / data, "--out", tmp_path / "o.csv", *base],
                            capsys)  # fmt: skip
        assert code == 2 and held in err and "every attribution would be 0" in err and "--background-data" in err
    code, _, err = _run(["explain", tmp_path / "m.joblib", tmp_path / "one.csv", "--out", tmp_path / "o.csv", *base,
                         "--background-data", tmp_path / "bg.csv"], capsys)  # fmt: skip
    assert code == 0, err
    out = pd.read_csv(tmp_path / "o.csv")
    np.testing.assert_allclose(out[["a", "b"]].to_numpy()[0], [X.a[0] - X.a.mean(), -(X.b[0] - X.b.mean())], atol=1e-9)
    # one background row chosen from a file of several rows stays the user's choice
    code, _, err = _run(["explain", tmp_path / "m.joblib", tmp_path / "bg.csv", "--out", tmp_path / "o2.csv", *base,
                         "--background", 1], capsys)  # fmt: skip
    assert code == 0, err


def test_library_warnings_are_printed_in_the_options_words(tmp_path, capsys):
    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.normal(size=(12, 30)), columns=[f"f{i}" for i in range(30)])
    joblib.dump(Ridge().fit(X, X.f0), tmp_path / "r.joblib")
    X.to_csv(tmp_path / "d.csv", index=False)
    code, _, err = _run(["explain", tmp_path / "r.joblib", tmp_path / "d.csv", "--out", tmp_path / "o.csv",
                         "--n-samples", 70, "--trust-pickle", "--quiet"], capsys)  # fmt: skip
    assert code == 0, err
    assert "skxai explain: warning: --n-samples 70 samples the one-player coalitions" in err
    assert "UserWarning" not in err and "n_samples" not in err


def test_library_messages_name_the_methods_and_the_target_option():
    text = (
        "ExactShapleyExplainer enumerates 2**n_players coalitions; 30 players exceed max_features=20. Use "
        "KernelShapExplainer, ShapleySamplingExplainer, feature_groups, or raise max_features."
    )
    got = _as_options(text, "exact-shap")
    assert got.startswith("--method exact-shap enumerates")
    assert "Use --method kernel-shap, --method sampling-shap, feature_groups" in got
    assert got.endswith("(feature_groups, max_features: no option here; set them on an explainer, fit it and "
                        "save it (skops), and give it as MODEL)")  # fmt: skip
    assert _as_options("target=1 is not a valid output index", "lime") == "--target 1 is not a valid output index"
    assert _as_options("target='big' is not a class", "lime") == "--target big is not a class"
    # a call in the text keeps the library's name (KernelShapExplainer(...) is code, not an option)
    assert "KernelShapExplainer(" in _as_options("save KernelShapExplainer(model) with skops", "lime")
