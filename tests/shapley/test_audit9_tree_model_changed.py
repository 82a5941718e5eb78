"""TreeSHAP refuses a model refitted or edited in place since ``fit`` (an outside audit, session 23).

The explainer holds the user's model and reads its trees at ``fit``: after ``model.fit(...)`` on
the same object, ``transform`` kept returning the old model's values while ``predict`` gave the
new model's (0.29 apart), with no message. The model-agnostic explainers call the live model
and stay consistent; TreeSHAP now names the change and asks for a refit.
"""

import numpy as np
import pytest
from sklearn.ensemble import (
    GradientBoostingClassifier,
    HistGradientBoostingRegressor,
    IsolationForest,
    RandomForestRegressor,
)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skxai import TreeShapExplainer

rng = np.random.RandomState(0)
X = rng.normal(size=(200, 4))
y = X[:, 0] * X[:, 1] + X[:, 2]

MODELS = {
    "forest": (lambda: RandomForestRegressor(n_estimators=3, max_depth=4, random_state=0), y, "max_depth", 2),
    "boosting": (lambda: GradientBoostingClassifier(n_estimators=5, random_state=0), y > 0, "max_depth", 1),
    "hgb": (lambda: HistGradientBoostingRegressor(max_iter=5), y, "max_depth", 2),
    "iforest": (lambda: IsolationForest(n_estimators=5, random_state=0), None, "random_state", 1),
}


@pytest.mark.parametrize("name", list(MODELS))
@pytest.mark.parametrize("game", ["tree_path_dependent", "interventional"])
def test_a_model_refitted_in_place_is_refused_until_the_explainer_is_refitted(name, game):
    make, target, param, value = MODELS[name]
    if name == "iforest" and game == "tree_path_dependent":
        pytest.skip("IsolationForest takes the path-dependent game as well; one game is enough here")
    model = make().fit(X, target)
    explainer = TreeShapExplainer(model, feature_perturbation=game, max_background=50).fit(X)
    explainer.transform(X[:2])  # unchanged: explained
    model.set_params(**{param: value}).fit(X, target)
    for call in (explainer.transform, explainer.explain):
        with pytest.raises(ValueError, match="changed since fit .* Call fit again"):
            call(X[:2])
    ex = explainer.fit(X).explain(X[:2])
    out = ex.values.sum(axis=1) + ex.base_values
    np.testing.assert_allclose(out, ex.outputs, atol=1e-10)


def test_a_pipelines_final_forest_refitted_in_place_is_refused():
    forest = RandomForestRegressor(n_estimators=3, max_depth=4, random_state=0)
    pipe = make_pipeline(StandardScaler(), forest).fit(X, y)
    explainer = TreeShapExplainer(pipe).fit(X)
    forest.set_params(max_depth=2).fit(StandardScaler().fit_transform(X), y)
    with pytest.raises(ValueError, match="RandomForestRegressor changed since fit"):
        explainer.transform(X[:2])


def test_copies_of_an_unchanged_explainer_keep_explaining():
    import pickle

    from sklearn.base import clone

    model = RandomForestRegressor(n_estimators=3, max_depth=4, random_state=0).fit(X, y)
    explainer = TreeShapExplainer(model).fit(X)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(explainer)).transform(X[:2]), explainer.transform(X[:2]))
    assert clone(explainer).fit(X, y).transform(X[:2]).shape == (2, 4)


def test_the_same_trees_in_new_containers_are_not_a_change_but_more_trees_are():
    model = RandomForestRegressor(n_estimators=3, max_depth=4, random_state=0, warm_start=True).fit(X, y)
    explainer = TreeShapExplainer(model).fit(X)
    before = explainer.transform(X[:2])
    model.estimators_ = list(model.estimators_)  # a copy that did not keep the list shared
    np.testing.assert_array_equal(explainer.transform(X[:2]), before)
    model.set_params(n_estimators=5).fit(X, y)  # a warm start grows the same list
    with pytest.raises(ValueError, match="changed since fit"):
        explainer.transform(X[:2])


def test_a_skops_round_trip_keeps_explaining():
    sio = pytest.importorskip("skops.io")
    model = RandomForestRegressor(n_estimators=3, max_depth=4, random_state=0).fit(X, y)
    explainer = TreeShapExplainer(model).fit(X)
    blob = sio.dumps(explainer)
    loaded = sio.loads(blob, trusted=sio.get_untrusted_types(data=blob))
    np.testing.assert_array_equal(loaded.transform(X[:2]), explainer.transform(X[:2]))
