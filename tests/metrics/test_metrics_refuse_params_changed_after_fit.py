"""Metrics read a tabular explainer's perturbations through ``perturbation_view``: a fit-time
parameter changed by ``set_params`` after ``fit`` is refused there too, as ``transform`` refuses
it (the view is the fitted one, so the metric measured the old setting under the new name)."""

import numpy as np
import pytest
from sklearn.ensemble import RandomForestRegressor
from sklearn.linear_model import Ridge

from skxai import KernelShapExplainer, TreeShapExplainer
from skxai.metrics import faithfulness_correlation


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 4))
    return X, X @ np.array([1.0, -2.0, 0.5, 0.0])


def test_perturbation_view_refuses_a_fit_time_parameter_changed_after_fit(data):
    X, y = data
    explainer = KernelShapExplainer(Ridge().fit(X, y), max_background=40, random_state=0).fit(X)
    explainer.perturbation_view(X[:3])  # unchanged: fine
    explainer.set_params(max_background=10)
    with pytest.raises(ValueError, match="max_background"):
        explainer.perturbation_view(X[:3])
    with pytest.raises(ValueError, match="max_background"):
        faithfulness_correlation(explainer, X[:3], random_state=0)
    explainer.set_params(max_background=40)
    assert explainer.perturbation_view(X[:3]).X.shape == (3, 4)


def test_tree_view_in_the_trees_space_refuses_it_too(data):
    X, y = data
    forest = RandomForestRegressor(5, max_depth=3, random_state=0).fit(X, y)
    explainer = TreeShapExplainer(forest, feature_perturbation="interventional", max_background=30).fit(X)
    explainer.set_params(max_background=10)
    with pytest.raises(ValueError, match="max_background"):
        explainer.perturbation_view(X[:3])
