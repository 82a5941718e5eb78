"""LIME's weighted R^2 does not depend on a constant offset of the outputs (a 1e12 offset read
1.0 for a surrogate explaining 5-35% of the variance), and outputs constant to a few units in the
last place still read 1.0."""

import numpy as np
import pytest

from skxai import LimeExplainer


def _g(A):
    return A[:, 0] - 2 * A[:, 1] + np.tanh(3 * A[:, 2] * A[:, 3]) + np.sin(3 * A[:, 0])


@pytest.mark.parametrize("offset", [1e6, 1e12, 1e13, -1e13])
def test_the_score_ignores_an_offset(offset):
    X = np.random.RandomState(0).normal(size=(200, 4))
    plain = LimeExplainer(_g, random_state=0).fit(X[:30]).explain(X[100:103])
    shifted = LimeExplainer(lambda A: _g(A) + offset, random_state=0).fit(X[:30]).explain(X[100:103])
    assert plain.extras["score"].max() < 0.5
    np.testing.assert_allclose(shifted.extras["score"], plain.extras["score"], atol=1e-4)


@pytest.mark.parametrize("offset", [1.0, 1e13])
def test_only_constant_outputs_read_one(offset):
    # outputs varying by two units in the last place of the offset are not constant: their
    # surrogate gets its R^2 (a floor on the sums of squares read 1.0 for them)
    X = np.random.RandomState(1).normal(size=(100, 3))

    def step(A):
        return np.full(len(A), offset) + (A[:, 0] > 0) * np.spacing(offset) * 2

    score = LimeExplainer(step, random_state=0, n_samples=2000).fit(X[:30]).explain(X[:3]).extras["score"]
    assert np.all((score > 0) & (score < 1)), score
    const = LimeExplainer(lambda A: np.full(len(A), offset + 0.1), random_state=0, n_samples=2000).fit(X[:30])
    np.testing.assert_array_equal(const.explain(X[:3]).extras["score"], 1.0)


def test_a_narrow_kernel_under_an_offset_keeps_its_score():
    X = np.random.RandomState(0).normal(size=(200, 4))
    plain = LimeExplainer(_g, kernel_width=0.2, random_state=0).fit(X[:30]).explain(X[100:103])
    shifted = LimeExplainer(lambda A: _g(A) + 1e13, kernel_width=0.2, random_state=0).fit(X[:30])
    np.testing.assert_allclose(shifted.explain(X[100:103]).extras["score"], plain.extras["score"], rtol=0.05, atol=1e-6)


def test_outputs_of_weight_zero_do_not_decide_constancy():
    from skxai._wls import ridge_wls

    rng = np.random.RandomState(0)
    Z = (rng.uniform(size=(80, 4)) > 0.5).astype(float)
    w = np.where(np.arange(80) < 40, 1.0, 0.0)  # the far half of the samples has no weight
    y = 0.001 * Z @ np.array([1.0, -2.0, 0.5, 0.0]) + 0.0005 * rng.normal(size=80)
    far = y.copy()
    far[40:] = 1e18  # outputs no weight reads
    plain = ridge_wls(Z, w, y[:, None], alpha=0.0)[2]
    assert 0 < plain[0] < 1
    np.testing.assert_allclose(ridge_wls(Z, w, far[:, None], alpha=0.0)[2], plain, rtol=1e-9)
