"""Faults a review of this session's fixes found in them: the TreeSHAP missing-value check
after a refit, on frames with text, and its cost per call; sparse rows in ``Explanation.data``;
the command line's one-row refusal and chunked ``tol``; pandas' NA in the dependence scatter;
a perturbation's list of numbers."""

import warnings

import joblib
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.compose import make_column_transformer
from sklearn.ensemble import HistGradientBoostingRegressor, RandomForestRegressor
from sklearn.impute import KNNImputer, SimpleImputer
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OrdinalEncoder

from skxai import KernelShapExplainer, TreeShapExplainer
from skxai._cli import main


def _knn_pipeline():
    rng = np.random.RandomState(0)
    X = rng.randn(200, 4)
    y = X[:, 0] + X[:, 1] * X[:, 2]
    return X, make_pipeline(KNNImputer(), HistGradientBoostingRegressor(max_iter=20)).fit(X, y)


def test_a_refit_forgets_the_traced_rows_of_the_fit_before():
    X, pipe = _knn_pipeline()
    missing = X[:5].copy()
    missing[0, 0] = np.nan
    ex = TreeShapExplainer(pipe).fit(X)
    with pytest.raises(ValueError, match="KNNImputer"):
        ex.transform(missing)
    # the message's own remedy, by set_params and a refit
    assert ex.set_params(feature_space="model").fit(X).transform(missing).shape == (5, 4)
    other = np.random.RandomState(1).randn(200, 6)
    model = HistGradientBoostingRegressor(max_iter=20).fit(other, other[:, 0])
    rows = other[:3].copy()
    rows[1, 2] = np.nan
    ex = TreeShapExplainer(pipe).fit(X).set_params(estimator=model).fit(other)
    assert ex.transform(rows).shape == (3, 6)


def test_a_frame_with_a_text_column_is_checked_for_new_missing_values_too():
    rng = np.random.RandomState(0)
    df = pd.DataFrame(rng.randn(200, 3), columns=["a", "b", "c"])
    df["colour"] = rng.choice(["red", "blue"], 200)
    pre = make_column_transformer((KNNImputer(), ["a", "b", "c"]), (OrdinalEncoder(), ["colour"]))
    pipe = make_pipeline(pre, HistGradientBoostingRegressor(max_iter=20)).fit(df, df.a + df.b * df.c)
    rows = df.iloc[:5].copy()
    rows.loc[0, "a"] = np.nan
    with pytest.raises(ValueError, match=r"missing values in \['a'\]"):
        TreeShapExplainer(pipe).fit(df).transform(rows)


def test_each_newly_missing_player_is_probed_once_per_fit(monkeypatch):
    rng = np.random.RandomState(0)
    X = rng.randn(200, 5)
    pipe = make_pipeline(SimpleImputer(), RandomForestRegressor(5, max_depth=3, random_state=0)).fit(X, X[:, 0])
    ex = TreeShapExplainer(pipe).fit(X)
    probed = []
    original = TreeShapExplainer._probe_missing_player
    monkeypatch.setattr(
        TreeShapExplainer, "_probe_missing_player", lambda self, p: probed.append(p) or original(self, p)
    )
    rows = X[:20].copy()
    rows[::3, 1] = np.nan
    first = ex.transform(rows)
    for _ in range(3):
        np.testing.assert_array_equal(ex.transform(rows), first)
    assert probed == [1]  # SimpleImputer does not mix: probed once, then looked up
    ex.fit(X)
    ex.transform(rows)
    assert probed == [1, 1]  # a refit probes again


def test_sparse_rows_are_dense_in_the_explanation():
    X = sp.random(60, 5, density=0.5, format="csr", random_state=0)
    model = LogisticRegression().fit(X, (X.sum(axis=1).A1 > 0.6).astype(int))
    exp = KernelShapExplainer(model, n_samples=32, random_state=0).fit(X).explain(X[:10])
    assert isinstance(exp.data, np.ndarray)
    np.testing.assert_array_equal(exp.data, X[:10].toarray())


def _run(argv, capsys):
    code = main([str(a) for a in argv])
    return code, capsys.readouterr().err


def test_a_one_row_file_is_explained_by_the_path_dependent_trees(tmp_path, capsys):
    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.normal(size=(50, 3)), columns=["a", "b", "c"])
    joblib.dump(RandomForestRegressor(5, random_state=0).fit(X, X.a - X.b), tmp_path / "m.joblib")
    X.iloc[:1].to_csv(tmp_path / "one.csv", index=False)
    code, err = _run(["explain", tmp_path / "m.joblib", tmp_path / "one.csv", "--out", tmp_path / "o.csv",
                      "--method", "tree-shap", "--trust-pickle", "--quiet"], capsys)  # fmt: skip
    assert code == 0, err
    assert np.abs(pd.read_csv(tmp_path / "o.csv")[["a", "b", "c"]].to_numpy()).sum() > 0


def test_the_command_line_warns_that_a_saved_tol_depends_on_the_chunks(tmp_path, capsys):
    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.normal(size=(40, 4)), columns=list("abcd"))
    saved = KernelShapExplainer(LinearRegression().fit(X, X.a), n_samples=64, tol=0.5, random_state=0).fit(X)
    joblib.dump(saved, tmp_path / "e.joblib")
    X.to_csv(tmp_path / "d.csv", index=False)
    with warnings.catch_warnings():
        warnings.simplefilter("default")
        code, err = _run(["explain", tmp_path / "e.joblib", tmp_path / "d.csv", "--out", tmp_path / "o.csv",
                          "--trust-pickle", "--quiet", "--chunk-size", 8], capsys)  # fmt: skip
    assert code == 0, err
    assert "skxai explain: warning: the saved explainer has tol=0.5" in err and "--chunk-size" in err


def test_pandas_nullable_integers_are_numbers_in_the_dependence_scatter():
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    from skxai import Explanation
    from skxai.plot import DependenceDisplay

    age = pd.array([5, 10, None, 7], dtype="Int64")
    data = pd.DataFrame({"age": age, "w": [0.1, 0.2, 0.3, 0.4]})
    exp = Explanation(np.ones((4, 2)), base_values=np.zeros(4), data=data, feature_names=["age", "w"])
    disp = DependenceDisplay.from_explanation(exp, "age", color=None)
    assert disp.categories is None  # '10' sorted before '5' as categories, '<NA>' one of them
    np.testing.assert_array_equal(disp.feature_values, [5.0, 10.0, np.nan, 7.0])
    disp.figure_.canvas.draw()
    assert "missing" in [t.get_text() for t in disp.ax_.get_xticklabels()]


def test_a_perturbations_list_of_numbers_is_refused_not_read_as_words():
    from sklearn.feature_extraction.text import TfidfVectorizer

    from skxai.anchors import AnchorTextExplainer

    docs = ["a witty warm film", "dull flat plot", "great fun", "boring dull film"] * 4
    model = make_pipeline(TfidfVectorizer(), LogisticRegression()).fit(docs, [1, 0, 1, 0] * 4)

    def listed(tokens, keep, rng):
        return [[t if k else 0 for t, k in zip(tokens, row, strict=True)] for row in keep]

    with pytest.raises(ValueError, match="returned int 0 as a replacement"):
        AnchorTextExplainer(model, random_state=0, perturbation=listed).fit(docs).explain(["a witty film"])
