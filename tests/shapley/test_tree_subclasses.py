"""TreeSHAP knows scikit-learn's tree models by class, not by name."""

import numpy as np
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestRegressor

from skxai import TreeShapExplainer


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 4))
    return X, X[:, 0] + X[:, 1] * X[:, 2]


class MyForest(RandomForestRegressor):
    """A subclass that only adds a method: its trees are its predictions."""

    def describe(self):
        return f"{len(self.estimators_)} trees"


class MyBooster(HistGradientBoostingClassifier):
    pass


class ShiftedForest(RandomForestRegressor):
    def predict(self, X):
        return super().predict(X) + 1.0


@pytest.mark.parametrize("game", ["tree_path_dependent", "interventional"])
def test_a_subclass_that_keeps_its_predictions_is_explained(data, game):
    X, y = data
    forest = MyForest(n_estimators=8, random_state=0).fit(X, y)
    exp = TreeShapExplainer(forest, feature_perturbation=game).fit(X).explain(X[:5])
    np.testing.assert_allclose(exp.values.sum(axis=1)[:, 0] + exp.base_values[:, 0], forest.predict(X[:5]), atol=1e-10)
    booster = MyBooster(max_iter=10, random_state=0).fit(X, y > 0)
    plain = HistGradientBoostingClassifier(max_iter=10, random_state=0).fit(X, y > 0)
    ours = TreeShapExplainer(booster, feature_perturbation=game, random_state=0).fit(X).explain(X[:5])
    ref = TreeShapExplainer(plain, feature_perturbation=game, random_state=0).fit(X).explain(X[:5])
    np.testing.assert_array_equal(ours.values, ref.values)
    np.testing.assert_array_equal(ours.base_values, ref.base_values)


def test_a_subclass_that_changes_its_predictions_is_refused(data):
    X, y = data
    with pytest.raises(TypeError, match="ShiftedForest derives from RandomForestRegressor but overrides predict"):
        TreeShapExplainer(ShiftedForest(n_estimators=4, random_state=0).fit(X, y)).fit(X)


def test_another_librarys_class_of_the_same_name_is_refused(data):
    X, _ = data
    # e.g. a GPU library's RandomForestRegressor: same name, other internals
    Foreign = type("RandomForestRegressor", (), {"predict": lambda self, A: np.zeros(len(A))})
    refusal = r"does not support RandomForestRegressor \(from .*\)\. Supported models: scikit-learn's"
    with pytest.raises(TypeError, match=refusal):
        TreeShapExplainer(Foreign()).fit(X)
