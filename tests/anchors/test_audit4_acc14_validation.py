"""Tabular anchors with too few validation samples to accept any anchor (audit 4, acc14)."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from skxai import AnchorTabularExplainer
from skxai.anchors._bandit import accepts, kl_bounds
from skxai.anchors._tabular import _N_LOOKS, _level


def _data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 3))
    return X, LogisticRegression(C=100).fit(X, (X[:, 0] > 0).astype(int))


def _smallest_passing(threshold=0.95, epsilon_stop=0.0, delta=0.1, beam_size=2):
    # brute force: the fewest fresh samples, all keeping the decision, that accept an anchor of
    # one feature (the least strict level a non-empty anchor is judged at)
    beta = _level(delta, 1, beam_size) + np.log(_N_LOOKS)
    for k in range(1, 100_000):
        mean, lb, _, n = kl_bounds([(k, k)], beta)
        if accepts(mean, lb, n, threshold, epsilon_stop)[0]:
            return k
    raise AssertionError


@pytest.mark.parametrize("params", [{}, {"delta": 0.01}, {"threshold": 0.8, "epsilon_stop": 0.1}, {"beam_size": 4}])
def test_too_few_validation_samples_are_refused_at_fit(params):
    # n_validation_samples=63 (then the defaults, epsilon_stop=0.05): even 63 of 63 samples keeping the decision give a
    # lower bound of 0.899 < 0.90, so no anchor could ever be accepted: every explanation came
    # back with success=False, and nothing said why.
    X, model = _data()
    k = _smallest_passing(**params)
    with pytest.raises(ValueError, match=rf"n_validation_samples={k - 1} .* at least {k}\b"):
        AnchorTabularExplainer(model, n_validation_samples=k - 1, random_state=0, **params).fit(X)
    exp = AnchorTabularExplainer(model, n_validation_samples=k, random_state=0, **params).fit(X).explain(X[:8])
    if not params:
        assert np.asarray(exp.success).any()  # the smallest accepted setting finds anchors
