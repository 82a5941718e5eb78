"""Third audit, numerical scale: exact Shapley values of a constant game are exactly 0, and an
offset of the output costs no more than its own rounding."""

import numpy as np
import pytest

from skxai import ExactShapleyExplainer
from skxai.shapley._values import exact_shapley_from_values


def _all_masks(p):
    return ((np.arange(2**p)[:, None] >> np.arange(p)) & 1).astype(bool)


@pytest.mark.parametrize("level", [3.7, 5e9, -1e300])
def test_constant_game_has_zero_values(level):
    # The coefficients of each player sum to 0 only in exact arithmetic: a constant game of
    # 3.7 got values of +-1.1e-16, one of 5e9 values of 2.4e-7 (bars a BarDisplay drew).
    masks = _all_masks(6)
    phi = exact_shapley_from_values(masks, np.full((2**6, 1), level))
    assert np.array_equal(phi, np.zeros_like(phi))
    X = np.random.default_rng(0).normal(size=(30, 6))
    est = ExactShapleyExplainer(lambda Z: np.full(len(Z), level), random_state=0).fit(X)
    assert np.array_equal(est.transform(X[:3]), np.zeros((3, 6)))


def test_offset_costs_only_its_own_rounding():
    # Without the offset taken out, phi's error was eps * |offset| times the sum of the
    # coefficients' magnitudes (2.7e-4 at 1e12 for values of order 1).
    p = 8
    masks = _all_masks(p)
    rng = np.random.default_rng(1)
    values = rng.normal(size=(2**p, 1))
    ref = exact_shapley_from_values(masks, values)
    offset = 1e12
    shifted = (values + offset) - offset  # what an exact oracle sees: the offset's rounding only
    got = exact_shapley_from_values(masks, values + offset)
    want = exact_shapley_from_values(masks, shifted)
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-12 * np.abs(ref).max())
