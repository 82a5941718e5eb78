"""Skewness of the antithetic pairs' means widens permutation sampling's errors (issue 14).

On multiplicative games a pair's mean has a long tail away from zero: 5 pairs that miss it
give a value too small in magnitude and a small spread, and ``phi +/- 1.96 std`` covered
0.855-0.885 at 10 permutations (``benchmarks/results/calibration.md``). The row's pooled
skewness, signed towards each value, now widens the t interval by Hall's (1992)
transformation. These tests build the pairs' means by hand and check the factor against the
transformation's quantile solved numerically, and that a mirrored sample (the same variances,
the tail towards zero) keeps the plain t interval.
"""

import numpy as np
import pytest
from scipy import optimize, stats

from skxai._estimate import SKEW_INFLATION_MAX, Z95, shapley_from_permutations

P = 4


def _prefix(perms, contrib):
    """Prefix values ``(1, n_perm, p + 1, 1)`` whose steps give ``contrib[r, j]`` to player j."""
    steps = np.take_along_axis(contrib, perms, axis=1)
    return np.concatenate([np.zeros((len(perms), 1)), np.cumsum(steps, axis=1)], axis=1)[None, :, :, None]


def _sample(pair_shape, rng):
    """Permutations and contributions whose pairs' means are ``scale_j * pair_shape + offset_j``
    (positive values, one standardised shape for every player)."""
    m = len(pair_shape)
    perms = np.array([rng.permutation(P) for _ in range(m) for _ in range(2)])
    perms[1::2] = perms[0::2, ::-1]
    scale, offset = rng.uniform(0.5, 2.0, P), rng.uniform(5.0, 9.0, P)
    means = scale * np.asarray(pair_shape, dtype=float)[:, None] + offset
    half = rng.uniform(0.1, 0.3, (m, P))  # the two permutations of a pair differ
    contrib = np.empty((2 * m, P))
    contrib[0::2], contrib[1::2] = means + half, means - half
    return perms, contrib


def _plain_t_std(contrib):
    """The t interval's std of the mean of the pairs' means, where their spread sets it."""
    m = len(contrib) // 2
    means = contrib.reshape(m, 2, P).mean(axis=1)
    return np.sqrt(means.var(axis=0, ddof=1) / m) * stats.t.ppf(0.975, m - 1) / Z95


def _hall_factor(pair_shape):
    """|q| / t, q solving T + a T^2 + a^2 T^3 / 3 + b = -t (Hall 1992), numerically."""
    m = len(pair_shape)
    g = stats.skew(pair_shape, bias=False)  # Fisher-Pearson adjusted
    a, b, t = g / (3 * np.sqrt(m)), g / (6 * np.sqrt(m)), stats.t.ppf(0.975, m - 1)
    q = optimize.brentq(lambda T: T + a * T**2 + a**2 * T**3 / 3 + b + t, -100 * t, 0.0, xtol=1e-14)
    return -q / t


@pytest.mark.parametrize("pair_shape", [[0.0, 0.3, 0.5, 0.8, 1.2], [0.0, 0.2, 0.5, 0.7, 1.0, 1.3, 2.0]])
def test_pooled_skewness_widens_by_halls_quantile(pair_shape):
    rng = np.random.RandomState(0)
    perms, contrib = _sample(pair_shape, rng)
    phi, std = shapley_from_permutations(perms, _prefix(perms, contrib))
    np.testing.assert_allclose(phi[0, :, 0], contrib.mean(axis=0), rtol=1e-12)
    factor = _hall_factor(pair_shape)
    assert 1.05 < factor < SKEW_INFLATION_MAX  # widened, below the cap
    np.testing.assert_allclose(std[0, :, 0], _plain_t_std(contrib) * factor, rtol=1e-9)

    # the same sample mirrored about each value: same variances, the tail towards zero
    mirrored = 2 * contrib.mean(axis=0) - contrib
    phi_m, std_m = shapley_from_permutations(perms, _prefix(perms, mirrored))
    np.testing.assert_allclose(phi_m, phi, rtol=1e-12)
    np.testing.assert_allclose(std_m[0, :, 0], _plain_t_std(contrib), rtol=1e-9)


def test_skewness_widening_is_capped():
    pair_shape = [0.0, 0.0, 0.0, 0.0, 1.0]  # skewness 1.5, the most 5 values can show
    perms, contrib = _sample(pair_shape, np.random.RandomState(1))
    assert _hall_factor(pair_shape) > SKEW_INFLATION_MAX
    _, std = shapley_from_permutations(perms, _prefix(perms, contrib))
    np.testing.assert_allclose(std[0, :, 0], _plain_t_std(contrib) * SKEW_INFLATION_MAX, rtol=1e-9)


def test_two_pairs_show_no_skewness():
    # 2 pairs have no third moment: the plain t interval (1 degree of freedom)
    perms, contrib = _sample([0.0, 1.0], np.random.RandomState(2))
    _, std = shapley_from_permutations(perms, _prefix(perms, contrib))
    np.testing.assert_allclose(std[0, :, 0], _plain_t_std(contrib), rtol=1e-9)
