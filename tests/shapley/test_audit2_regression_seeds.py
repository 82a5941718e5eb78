"""ShapleyRegressionExplainer retrains the model on every subset of the features: a model left
at ``random_state=None`` (a forest's default) drew its randomness from numpy's global generator,
so the values followed the user's ``np.random`` sequence (and advanced it), not ``random_state``."""

import numpy as np
from joblib import parallel_config
from sklearn.ensemble import RandomForestRegressor
from sklearn.frozen import FrozenEstimator
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skxai import ShapleyRegressionExplainer

rng = np.random.RandomState(0)
X = rng.normal(size=(40, 3))
y = X[:, 0] * X[:, 1] + X[:, 2]


def _forest(random_state=None):
    return RandomForestRegressor(n_estimators=4, max_depth=3, random_state=random_state)


def test_unseeded_models_follow_random_state_not_the_global_generator():
    values = []
    for global_seed in (1, 2):
        np.random.seed(global_seed)  # noqa: NPY002
        values.append(ShapleyRegressionExplainer(_forest(), random_state=0).fit(X, y).transform(X[:4]))
        assert np.random.rand() == np.random.RandomState(global_seed).rand()  # noqa: NPY002
    np.testing.assert_array_equal(values[0], values[1])
    with parallel_config(backend="threading"):
        two = ShapleyRegressionExplainer(_forest(), random_state=0, n_jobs=2).fit(X, y).transform(X[:4])
    np.testing.assert_array_equal(two, values[0])


def test_a_frozen_pipeline_with_an_unseeded_step_and_a_seeded_model_kept():
    frozen = FrozenEstimator(make_pipeline(StandardScaler(), _forest().fit(X, y)))
    np.random.seed(3)  # noqa: NPY002
    a = ShapleyRegressionExplainer(frozen, random_state=0).fit(X, y).transform(X[:4])
    assert np.random.rand() == np.random.RandomState(3).rand()  # noqa: NPY002
    b = ShapleyRegressionExplainer(frozen, random_state=0).fit(X, y).transform(X[:4])
    np.testing.assert_array_equal(a, b)
    # a model's own seed is its own: the explainer's random_state does not replace it
    seeded = [ShapleyRegressionExplainer(_forest(7), random_state=s).fit(X, y).transform(X[:4]) for s in (0, 1)]
    np.testing.assert_array_equal(seeded[0], seeded[1])
    # efficiency: the values add up to the (refitted) model's predictions minus the mean
    ex = ShapleyRegressionExplainer(_forest(), random_state=0).fit(X, y)
    np.testing.assert_allclose(ex.transform(X[:4]).sum(axis=1) + ex.expected_value_[0], ex.predict(X[:4]))
