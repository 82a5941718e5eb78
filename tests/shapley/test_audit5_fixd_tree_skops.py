"""A fitted TreeShapExplainer is saved with skops and loads with the types skops lists.

skops refused every fitted TreeShapExplainer (HistGradientBoosting ones included) with a
RecursionError: its ``output_`` (the model's explained response) held the explainer itself, a
reference cycle that skops' state walk follows for ever. Pickles were not affected.
"""

import pickle

import numpy as np
import pytest
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestRegressor,
)

from skxai.shapley import TreeShapExplainer

skops_io = pytest.importorskip("skops.io")


def _data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(120, 4))
    return X, X[:, 0] + X[:, 1] ** 2 - 0.5 * X[:, 2]


def _models():
    X, y = _data()
    return {
        "hgb-regressor": HistGradientBoostingRegressor(max_iter=8, random_state=0).fit(X, y),
        "hgb-poisson": HistGradientBoostingRegressor(loss="poisson", max_iter=8, random_state=0).fit(X, np.exp(y / 4)),
        "hgb-binary": HistGradientBoostingClassifier(max_iter=8, random_state=0).fit(X, y > 0.5),
        "hgb-3-classes": HistGradientBoostingClassifier(max_iter=8, random_state=0).fit(X, np.digitize(y, [0, 1.5])),
        "forest": RandomForestRegressor(n_estimators=3, max_depth=4, random_state=0).fit(X, y),
    }


@pytest.mark.parametrize("name", list(_models()))
@pytest.mark.parametrize("perturbation", ["tree_path_dependent", "interventional"])
def test_skops_round_trip(name, perturbation):
    X, _ = _data()
    model = _models()[name]
    explainer = TreeShapExplainer(model, feature_perturbation=perturbation, max_background=20).fit(X)
    data = skops_io.dumps(explainer)
    untrusted = skops_io.get_untrusted_types(data=data)
    # the user is shown these names and trusts them: loading with exactly them works
    assert all(isinstance(t, str) for t in untrusted)
    loaded = skops_io.loads(data, trusted=untrusted)
    rows = X[:7]
    expected = explainer.explain(rows)
    for other in (loaded, pickle.loads(pickle.dumps(explainer))):
        got = other.explain(rows)
        np.testing.assert_array_equal(got.values, expected.values)
        np.testing.assert_array_equal(got.base_values, expected.base_values)
        np.testing.assert_array_equal(got.outputs, expected.outputs)
        np.testing.assert_array_equal(other.expected_value_, explainer.expected_value_)
        np.testing.assert_array_equal(other.output_(rows), explainer.output_(rows))
    # the loaded explainer is a whole one: saved again, it gives the same file's content back
    again = skops_io.loads(skops_io.dumps(loaded), trusted=untrusted)
    np.testing.assert_array_equal(again.transform(rows), explainer.transform(rows))
