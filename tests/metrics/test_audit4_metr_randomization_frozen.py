"""Audit 4: the model randomisation test on a FrozenEstimator-wrapped linear model.

FrozenEstimator is the documented way to explain a fitted model in a search; it answers
``coef_`` through its inner model, so the test found the wrapper itself and set ``coef_`` on it:
the inner model, which predicts, kept its weights, the explanations did not move (Spearman 1.0)
and the verdict was FAILED for an explainer that does depend on the weights.
"""

import pickle

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LinearRegression, LogisticRegression

from skxai import ExactShapleyExplainer
from skxai.metrics import model_randomization_test


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 4))
    return X, X @ [1.0, 2.0, -1.0, 0.5]


@pytest.mark.parametrize("mode", ["cascading", "independent"])
@pytest.mark.parametrize("depth", [1, 2])
def test_frozen_linear_model_is_randomised_like_the_bare_one(data, mode, depth):
    X, y = data
    model = LinearRegression().fit(X, y)
    before = pickle.dumps(model)
    wrapped = model
    for _ in range(depth):
        wrapped = FrozenEstimator(wrapped)
    bare = model_randomization_test(ExactShapleyExplainer(model).fit(X), X[:6], mode=mode)
    frozen = model_randomization_test(ExactShapleyExplainer(wrapped).fit(X), X[:6], mode=mode)
    # the bare model's weights are redrawn: exact Shapley values w_j (x_j - mean_j) reorder
    assert bare.records[0]["spearman"] < 0.9
    for a, b in zip(bare.records, frozen.records, strict=True):
        assert a["layer"] == b["layer"]
        assert_allclose(b["spearman_values"], a["spearman_values"], rtol=1e-12)
    assert frozen.passed == bare.passed
    assert pickle.dumps(model) == before  # the user's model is never touched


def test_frozen_classifier_is_randomised(data):
    X, y = data
    clf = LogisticRegression().fit(X, (y > 0).astype(int))
    bare = model_randomization_test(ExactShapleyExplainer(clf).fit(X), X[:6])
    frozen = model_randomization_test(ExactShapleyExplainer(FrozenEstimator(clf)).fit(X), X[:6])
    assert frozen.records[0]["spearman"] < 0.99
    assert_allclose(frozen.records[0]["spearman_values"], bare.records[0]["spearman_values"], rtol=1e-12)
