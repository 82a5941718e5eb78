"""Exact Shapley values of a game with a large output offset.

Each player's coefficients over the coalitions sum to zero, so a constant added to every value
changes nothing mathematically; summed as it is, the offset cancelled inside the sums and left
errors above the rounding of the values themselves (4.5e-8 for an offset of 1e8, whose values
are rounded to 1.5e-8). The values are now taken relative to the empty coalition's first.
"""

from math import factorial

import numpy as np

from skxai._estimate import all_coalitions, exact_shapley_from_values


def _by_definition(masks, values):
    p = masks.shape[1]
    index = {tuple(m): i for i, m in enumerate(masks)}
    phi = np.zeros((values.shape[0], p, values.shape[2]))
    for j in range(p):
        for i, m in enumerate(masks):
            if m[j]:
                continue
            with_j = m.copy()
            with_j[j] = True
            s = int(m.sum())
            weight = factorial(s) * factorial(p - s - 1) / factorial(p)
            phi[:, j] += weight * (values[:, index[tuple(with_j)]] - values[:, i])
    return phi


def test_an_output_offset_cancels_to_below_the_values_rounding():
    masks = all_coalitions(8)
    game = np.random.RandomState(0).randn(3, 2**8, 2)
    expected = _by_definition(masks, game)
    np.testing.assert_allclose(exact_shapley_from_values(masks, game), expected, atol=1e-14)
    for offset in (1e8, 1e12):
        error = np.abs(exact_shapley_from_values(masks, game + offset) - expected).max()
        # below the spacing of the offset values themselves: rounding of the inputs, no more
        assert error < np.spacing(offset), (offset, error)
