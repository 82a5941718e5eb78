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


def rounding_floor(values, growth=1):
    """The least ``std`` a sampled Shapley estimate reports, by its documented definition:
    ``ROUNDING_ULPS * growth * eps`` times each row's largest absolute coalition value
    (``values (n, ..., k)``), shaped ``(n, 1, k)`` to broadcast over players."""
    from skxai._estimate import ROUNDING_ULPS

    values = np.abs(np.asarray(values, dtype=np.float64))
    largest = values.reshape(values.shape[0], -1, values.shape[-1]).max(axis=1)
    return (ROUNDING_ULPS * growth * np.finfo(np.float64).eps * largest)[:, None, :]


def assert_rounding_only(std, scale):
    """``std`` is the rounding floor alone: positive (an interval of width 0 misses exact values
    by their rounding) and at most 1e-12 of ``scale``, the game's largest absolute value."""
    std = np.asarray(std)
    assert np.all(std > 0), std
    assert np.all(std <= 1e-12 * scale), (std.max(), scale)
