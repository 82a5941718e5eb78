"""Background rows the model cannot predict (session 36): the interventional game refuses them at
fit; the path-dependent game, whose explanations never read them, keeps them, and its metrics
refuse them by name (``score(X)`` on clean rows failed inside the model on the background's NaN,
with nothing to say where it came from)."""

import numpy as np
import pytest
from sklearn.ensemble import GradientBoostingRegressor, HistGradientBoostingRegressor

from skxai.shapley import TreeShapExplainer


@pytest.mark.parametrize("game", ["tree_path_dependent", "interventional"])
def test_background_rows_the_model_refuses_are_said_before_the_model_sees_them(game):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 4))
    y = X[:, 0] + X[:, 1]
    with_nan = X.copy()
    with_nan[::2, 1] = np.nan
    model = GradientBoostingRegressor(n_estimators=10, random_state=0).fit(X, y)
    said = "The background.* contains NaN and GradientBoostingRegressor"
    if game == "interventional":
        with pytest.raises(ValueError, match=said):
            TreeShapExplainer(model, feature_perturbation=game).fit(with_nan[:100])
    else:
        ex = TreeShapExplainer(model, feature_perturbation=game).fit(with_nan[:100])
        exp = ex.explain(X[100:103])  # the explanations do not need the background
        np.testing.assert_allclose(exp.values.sum(axis=1)[:, 0] + exp.base_values[:, 0], model.predict(X[100:103]))
        with pytest.raises(ValueError, match=said + r".*\n?.*|" + said):
            ex.score(X[100:120])
    ex = TreeShapExplainer(model, feature_perturbation=game).fit(X[:100])
    assert np.isfinite(ex.score(X[100:120]))
    # a model that takes NaN keeps them, in both games
    hgb = HistGradientBoostingRegressor(max_iter=10, random_state=0).fit(with_nan, y)
    ex = TreeShapExplainer(hgb, feature_perturbation=game).fit(with_nan[:100])
    assert np.isfinite(ex.score(with_nan[100:120]))
