"""Shapley values by the definition: every coalition's value, weighted differences."""

import itertools
import math

import numpy as np


def shapley_by_enumeration(value, p):
    """``phi`` of shape ``(p, *value(()).shape)`` from ``value(S)``, ``S`` a sorted tuple of
    players, called once per coalition: ``phi_j = sum_S |S|! (p - |S| - 1)! / p! (v(S u j) - v(S))``."""
    values = {S: np.asarray(value(S)) for r in range(p + 1) for S in itertools.combinations(range(p), r)}
    phi = np.zeros((p,) + values[()].shape)
    for j in range(p):
        for S, v in values.items():
            if j not in S:
                w = math.factorial(len(S)) * math.factorial(p - len(S) - 1) / math.factorial(p)
                phi[j] += w * (values[tuple(sorted(S + (j,)))] - v)
    return phi


def rounding_floor(values, growth=1, base=None):
    """The least ``std`` a Shapley estimate reports, by its documented definition:
    ``ROUNDING_ULPS * growth * eps`` times each row's largest change of coalition value from
    ``base`` (the empty coalition's, ``values[:, 0]`` by default) plus ``eps`` times its largest
    absolute value (``values (n, m, k)``), shaped ``(n, 1, k)`` to broadcast over players."""
    from skxai._estimate import ROUNDING_ULPS

    values = np.asarray(values, dtype=np.float64)
    base = values[:, 0] if base is None else np.asarray(base, dtype=np.float64)
    eps = np.finfo(np.float64).eps
    change = np.abs(values - base[:, None, :]).max(axis=1)
    level = np.maximum(np.abs(values).max(axis=1), np.abs(base))
    return (ROUNDING_ULPS * growth * eps * change + eps * level)[:, None, :]


def assert_rounding_only(std, scale):
    """``std`` is the rounding floor alone: positive (an interval of width 0 misses exact values
    by their rounding) and at most 1e-12 of ``scale``, the game's largest absolute value."""
    std = np.asarray(std)
    assert np.all(std > 0), std
    assert np.all(std <= 1e-12 * scale), (std.max(), scale)
