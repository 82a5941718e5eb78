"""TreeSHAP against references built from scikit-learn's public tree arrays (issue 17).

The references (``tests/shapley/_tree_reference.py``) never read skxai's parsed trees
(``ensemble_``): a bug in how skxai reads a model (cover, thresholds, values, learning rate,
column order) makes these tests fail. Both games, every coalition enumerated, to 1e-10.
"""

import numpy as np
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.datasets import load_diabetes, load_iris
from sklearn.ensemble import (
    ExtraTreesRegressor,
    GradientBoostingClassifier,
    GradientBoostingRegressor,
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from skxai import TreeShapExplainer
from tests.shapley._tree_reference import (
    boosting_offset,
    n_outputs,
    raw_output,
    reference_interventional,
    reference_path_dependent,
)

ATOL = 1e-10


def _data(kind):
    if kind == "reg":
        X, y = load_diabetes(return_X_y=True)
        return X[:250, :5], y[:250]
    X, y = load_iris(return_X_y=True)
    return X, (y if kind == "clf3" else (y == 1).astype(int))


MODELS = {
    "tree_reg": (DecisionTreeRegressor(max_depth=5, random_state=0), "reg"),
    "tree_clf": (DecisionTreeClassifier(max_depth=4, random_state=0), "clf3"),
    "forest_reg": (RandomForestRegressor(n_estimators=5, max_depth=5, random_state=0), "reg"),
    "forest_clf": (RandomForestClassifier(n_estimators=4, max_depth=4, random_state=0), "clf3"),
    "extra_reg": (ExtraTreesRegressor(n_estimators=3, max_depth=4, random_state=0), "reg"),
    "gb_reg": (GradientBoostingRegressor(n_estimators=10, max_depth=3, learning_rate=0.3,
                                         subsample=0.8, random_state=0), "reg"),
    "gb_bin": (GradientBoostingClassifier(n_estimators=6, max_depth=2, random_state=0), "clf2"),
    "gb_multi": (GradientBoostingClassifier(n_estimators=4, max_depth=2, random_state=0), "clf3"),
}


def _fitted(name):
    model, kind = MODELS[name]
    X, y = _data(kind)
    return model.fit(X, y), X


def _offset(model, X):
    if type(model).__name__.startswith("GradientBoosting"):
        return boosting_offset(model, X)
    return np.zeros(n_outputs(model))


@pytest.mark.parametrize("name", list(MODELS))
def test_path_dependent_equals_public_tree_recursion(name):
    model, X = _fitted(name)
    ex = TreeShapExplainer(model, response_method="decision_function").fit(X)
    rows = X[[3, 77, 140]]
    groups = [[j] for j in range(X.shape[1])]
    ref = reference_path_dependent(model, rows, groups, _offset(model, X))
    exp = ex.explain(rows)
    np.testing.assert_allclose(exp.values, ref, rtol=0, atol=ATOL)


@pytest.mark.parametrize("name", list(MODELS))
def test_interventional_equals_public_tree_game(name):
    model, X = _fitted(name)
    ex = TreeShapExplainer(model, feature_perturbation="interventional",
                           response_method="decision_function", max_background=15,
                           random_state=0).fit(X)
    rows = X[[5, 90]]
    offset = _offset(model, X)

    def f(R):
        return np.array([raw_output(model, r, offset) for r in R])

    groups = [[j] for j in range(X.shape[1])]
    ref = reference_interventional(f, rows, ex.background_, groups)
    exp = ex.explain(rows)
    np.testing.assert_allclose(exp.values, ref, rtol=0, atol=ATOL)
    np.testing.assert_allclose(exp.base_values[0], f(ex.background_).mean(axis=0), atol=ATOL)


@pytest.mark.parametrize("name", ["gb_bin", "gb_multi"])
def test_interventional_probabilities_equal_public_game(name):
    """'auto' explains a boosted classifier's probabilities: the game of predict_proba."""
    model, X = _fitted(name)
    ex = TreeShapExplainer(model, feature_perturbation="interventional", max_background=12,
                           random_state=0).fit(X)
    assert ex.quantity_ == "probability"
    rows = X[[10, 60, 120]]
    groups = [[j] for j in range(X.shape[1])]
    ref = reference_interventional(model.predict_proba, rows, ex.background_, groups)
    np.testing.assert_allclose(ex.explain(rows).values, ref, rtol=0, atol=ATOL)


@pytest.mark.parametrize("response", ["decision_function", "auto"])
def test_hgb_interventional_equals_its_predictions(response):
    """HistGradientBoosting's nodes are not public: the reference game calls the model."""
    X, y = _data("clf3")
    model = HistGradientBoostingClassifier(max_iter=8, max_depth=3, random_state=0).fit(X, y)
    ex = TreeShapExplainer(model, feature_perturbation="interventional", max_background=12,
                           response_method=response, random_state=0).fit(X)
    f = model.decision_function if response == "decision_function" else model.predict_proba
    rows = X[[0, 55, 149]]
    ref = reference_interventional(f, rows, ex.background_, [[j] for j in range(4)])
    np.testing.assert_allclose(ex.explain(rows).values, ref, rtol=0, atol=ATOL)
    Xr, yr = _data("reg")
    reg = HistGradientBoostingRegressor(loss="poisson", max_iter=8, random_state=0).fit(Xr, yr)
    ex = TreeShapExplainer(reg, feature_perturbation="interventional", max_background=10,
                           response_method=response, random_state=0).fit(Xr)
    assert ex.quantity_ == ("prediction" if response == "auto" else "decision function")
    ref = reference_interventional(reg.predict, Xr[:2], ex.background_, [[j] for j in range(5)])
    if response == "auto":
        np.testing.assert_allclose(ex.explain(Xr[:2]).values, ref, rtol=0, atol=ATOL)


# ------------------------------------------------------------------ players = input columns
def _one_hot_pipeline(model):
    pd = pytest.importorskip("pandas")
    rng = np.random.RandomState(0)
    n = 300
    df = pd.DataFrame({"age": rng.normal(40, 10, n), "city": rng.choice(["a", "b", "c"], n),
                       "income": rng.lognormal(3, 1, n), "job": rng.choice(list("vwxyz"), n)})
    y = 0.05 * df["age"] + 2.0 * (df["city"] == "b") - 1.5 * (df["job"] == "x") \
        + 0.01 * df["income"] + rng.normal(scale=0.2, size=n)
    if type(model).__name__.endswith("Classifier"):
        y = (y > np.median(y)).astype(int)
    pre = ColumnTransformer([("cat", OneHotEncoder(), ["city", "job"])], remainder="passthrough",
                            verbose_feature_names_out=False)
    return make_pipeline(pre, model).fit(df, y), df


def _groups_of_inputs(pipe, df):
    """Columns the trees see for each input column, from the encoder's public categories_."""
    enc = pipe[0].named_transformers_["cat"]
    names = list(pipe[0].get_feature_names_out())
    groups = {}
    for col, cats in zip(["city", "job"], enc.categories_, strict=True):
        groups[col] = [names.index(f"{col}_{c}") for c in cats]
    groups["age"] = [names.index("age")]
    groups["income"] = [names.index("income")]
    return [groups[c] for c in df.columns]


@pytest.mark.parametrize("game", ["tree_path_dependent", "interventional"])
def test_pipeline_players_are_input_columns(game):
    """One-hot columns of one input column form one player, exactly, in both games."""
    pipe, df = _one_hot_pipeline(RandomForestRegressor(n_estimators=4, max_depth=6,
                                                       random_state=0))
    ex = TreeShapExplainer(pipe, feature_perturbation=game, max_background=12,
                           random_state=0).fit(df)
    assert list(ex.get_feature_names_out()) == list(df.columns)
    rows = df.iloc[[1, 50, 200]]
    Z = pipe[0].transform(rows)
    groups = _groups_of_inputs(pipe, df)
    model = pipe[-1]
    offset = np.zeros(1)
    if game == "tree_path_dependent":
        ref = reference_path_dependent(model, Z, groups, offset)
    else:
        import pandas as pd

        frame = pd.DataFrame(ex.background_, columns=df.columns).astype(df.dtypes.to_dict())
        bg = pipe[0].transform(frame)

        def f(R):
            return np.array([raw_output(model, r, offset) for r in R])

        ref = reference_interventional(f, Z, bg, groups)
    exp = ex.explain(rows)
    assert exp.values.shape == (3, 4, 1)
    np.testing.assert_allclose(exp.values, ref, rtol=0, atol=ATOL)



def test_grouped_interaction_values_equal_public_enumeration():
    """Interaction values of input-column players through one-hot encoding (path-dependent)."""
    from itertools import combinations
    from math import factorial

    from tests.shapley._tree_reference import path_dependent_value

    pipe, df = _one_hot_pipeline(RandomForestRegressor(n_estimators=3, max_depth=5,
                                                       random_state=0))
    ex = TreeShapExplainer(pipe).fit(df)
    rows = df.iloc[[7, 99]]
    inter = ex.interaction_values(rows)[..., 0]
    groups = _groups_of_inputs(pipe, df)
    p = len(groups)
    for r, z in enumerate(pipe[0].transform(rows)):
        def v(S, z=z):
            known = np.zeros(len(z), dtype=bool)
            for g in S:
                known[groups[g]] = True
            return path_dependent_value(pipe[-1], z, known, np.zeros(1))[0]

        for i, j in combinations(range(p), 2):
            others = [k for k in range(p) if k not in (i, j)]
            total = 0.0
            for size in range(p - 1):
                w = factorial(size) * factorial(p - size - 2) / factorial(p - 1) / 2
                for S in combinations(others, size):
                    S = set(S)
                    total += w * (v(S | {i, j}) - v(S | {i}) - v(S | {j}) + v(S))
            np.testing.assert_allclose(inter[r, i, j], total, rtol=0, atol=ATOL)
    np.testing.assert_allclose(inter.sum(axis=2)[..., None], ex.explain(rows).values, atol=ATOL)
