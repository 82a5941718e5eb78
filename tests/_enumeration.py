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
