"""Permutation sampling walks at most the p! permutations there are (session 36): 10**6 on 3
players built 10**6 permutations (4 s, 344 MiB) for the exact values, and 10**8 was refused for
memory, where KernelSHAP takes any budget past 2**p as every coalition."""

import itertools
import math

import numpy as np
import pytest
from sklearn.ensemble import RandomForestRegressor

from skxai.shapley import ExactShapleyExplainer, ShapleySamplingExplainer


@pytest.mark.parametrize("p", [3, 5])
def test_a_budget_past_p_factorial_walks_every_permutation_once(p):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, p))
    model = RandomForestRegressor(20, random_state=0).fit(X, X[:, 0] * X[:, 1] + X[:, -1])
    exact = ExactShapleyExplainer(model).fit(X[:10]).explain(X[:2])
    exp = ShapleySamplingExplainer(model, n_permutations=10**8, random_state=0).fit(X[:10]).explain(X[:2])
    np.testing.assert_allclose(exp.values, exact.values, atol=1e-12)
    assert exp.extras["n_permutations"] <= math.factorial(p)
    assert exp.extras["n_evaluations"] == 2**p


def test_the_cap_is_the_number_of_permutations():
    from skxai._estimate import antithetic_permutations, permutations_to_walk

    assert permutations_to_walk(10**8, 3) == 6 and permutations_to_walk(10, 3) == 6
    assert permutations_to_walk(50, 10) == 50 and permutations_to_walk(10**30, 25) == 10**30
    perms = antithetic_permutations(4, permutations_to_walk(10**6, 4), np.random.RandomState(0))
    assert sorted(map(tuple, perms)) == sorted(itertools.permutations(range(4)))
