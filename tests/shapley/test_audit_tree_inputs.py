"""Audit of TreeShapExplainer on inputs and models its first tests did not try: ±inf,
scipy.sparse input, multi-output models."""

import numpy as np
import pytest
from sklearn.ensemble import (
    GradientBoostingRegressor,
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    IsolationForest,
    RandomForestClassifier,
)
from sklearn.tree import DecisionTreeRegressor

from skxai import TreeShapExplainer, shapley_values

GAMES = ["tree_path_dependent", "interventional"]


def _data(n=300, p=4, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, p)
    y = X[:, 0] + X[:, 1] * X[:, 2] + 0.1 * rng.randn(n)
    return X, y


def _path_dependent_values(ens, x, masks):
    """v(S) of skxai's parsed trees: features outside S follow the training cover."""
    xp = ens.prepare(x[None, :])
    goes_left = ens.decisions(np.ascontiguousarray(xp.T), np.arange(len(ens.left)))[:, 0]

    def rec(u, S):
        if ens.left[u] < 0:
            return ens.value[u]
        lft, rgt = ens.left[u], ens.right[u]
        if S[ens.feature[u]]:
            return rec(lft if goes_left[u] else rgt, S)
        c = ens.cover[u]
        return ens.cover[lft] / c * rec(lft, S) + ens.cover[rgt] / c * rec(rgt, S)

    return np.array([ens.offset + sum(rec(r, S) for r in ens.roots) for S in masks])


def _brute_path_dependent(explainer, X):
    ens = explainer.ensemble_
    return np.array([shapley_values(lambda m, x=x: _path_dependent_values(ens, x, m),
                                    ens.n_features) for x in X])


def _brute_interventional(f, X, background):
    """Enumeration of v(S) = mean_b f(x_S, b_rest) with the model's own response ``f``."""
    p = X.shape[1]
    out = []
    for x in X:
        def v(masks, x=x):
            rows = np.where(masks[:, None, :], x[None, None, :], background[None, :, :])
            with np.errstate(over="ignore"):
                pred = np.asarray(f(rows.reshape(-1, p)), dtype=np.float64)
            return pred.reshape(len(masks), len(background), -1).mean(axis=1)

        out.append(shapley_values(v, p))
    return np.array(out)


# ----------------------------------------------------------------------------- ±inf
def _inf_rows(X):
    Z = X[:5].copy()
    Z[0, 0] = np.inf
    Z[1, 1] = -np.inf
    Z[2, [0, 2]] = [np.inf, -np.inf]
    return Z


def _models_accepting_inf(X, y):
    return [
        HistGradientBoostingRegressor(max_iter=10, max_depth=3, random_state=0).fit(X, y),
        HistGradientBoostingClassifier(max_iter=5, max_depth=3, random_state=0).fit(X, y > 0),
        IsolationForest(n_estimators=5, max_samples=64, random_state=0).fit(X),
    ]


@pytest.mark.parametrize("i", range(3))
@pytest.mark.parametrize("game", GAMES)
def test_inf_explained_exactly_where_the_model_accepts_it(i, game):
    # HistGradientBoosting and IsolationForest predict rows holding ±inf; the explainer
    # refused them ("Input contains infinity") although the model gives them an output.
    X, y = _data()
    model = _models_accepting_inf(X, y)[i]
    Z = _inf_rows(X)
    bg = X[:15].copy()
    bg[3, 1] = np.inf  # the model takes them in the background too
    ex = TreeShapExplainer(model, feature_perturbation=game, max_background=15,
                           response_method="decision_function").fit(bg)
    exp = ex.explain(Z)
    own = ex.model_output(Z)
    np.testing.assert_allclose(exp.outputs, own, rtol=0, atol=1e-12)
    if game == "interventional":
        brute = _brute_interventional(ex.model_output, Z, ex.background_)
    else:
        brute = _brute_path_dependent(ex, Z)
    np.testing.assert_allclose(exp.values, brute, rtol=0, atol=1e-12)


def test_isolation_forest_value_beyond_float32_is_its_inf():
    # IsolationForest casts its input to float32 unchecked: 1e39 becomes inf there, and its
    # score is inf's. Its explanation is the same as inf's, not a refusal.
    X, _ = _data()
    model = IsolationForest(n_estimators=5, random_state=0).fit(X)
    ex = TreeShapExplainer(model).fit(X)
    big, inf = X[:2].copy(), X[:2].copy()
    big[0, 0], inf[0, 0] = 1e39, np.inf
    with np.errstate(over="ignore"):
        np.testing.assert_array_equal(model.score_samples(big), model.score_samples(inf))
        np.testing.assert_array_equal(ex.explain(big).values, ex.explain(inf).values)


def _models_refusing_inf(X, y):
    Xc = X.copy()
    Xc[:, 3] = np.arange(len(X)) % 4
    return [
        (DecisionTreeRegressor(max_depth=3, random_state=0).fit(X, y), X, 0),
        (RandomForestClassifier(3, max_depth=3, random_state=0).fit(X, y > 0), X, 0),
        (GradientBoostingRegressor(n_estimators=3, random_state=0).fit(X, y), X, 0),
        # HistGradientBoosting refuses ±inf in a categorical feature
        (HistGradientBoostingRegressor(max_iter=3, categorical_features=[3]).fit(Xc, y), Xc, 3),
    ]


@pytest.mark.parametrize("i", range(4))
@pytest.mark.parametrize("game", GAMES)
def test_inf_refused_where_the_model_refuses_it(i, game):
    X, y = _data()
    model, data, column = _models_refusing_inf(X, y)[i]
    Z = data[:3].copy()
    Z[1, column] = -np.inf
    with pytest.raises(ValueError, match="infinity"):
        model.predict(Z)
    ex = TreeShapExplainer(model, feature_perturbation=game, max_background=20).fit(data)
    name = type(model).__name__
    with pytest.raises(ValueError, match="infinity") as info:
        ex.transform(Z)
    assert name in str(info.value)
    if game == "interventional":
        with pytest.raises(ValueError, match="infinity") as info:
            TreeShapExplainer(model, feature_perturbation=game).fit(Z)
        assert name in str(info.value)
