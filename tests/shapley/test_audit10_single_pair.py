"""Permutation sampling on a single antithetic pair reports an unknown error (an outside audit,
session 24): the spread of the pair's two permutations was taken for the units' and vanished
when they agreed (a value off by 20% of its row's largest reported std 1e-4, z = 563)."""

import warnings

import numpy as np
import pytest

from skxai import ImageShapleyExplainer, ShapleySamplingExplainer
from skxai._estimate import antithetic_permutations, shapley_from_permutations
from tests._enumeration import assert_rounding_only


def _game(A):
    return A[:, 0] * A[:, 1] * A[:, 2] + np.sin(A[:, 3]) * A[:, 4]


def _data():
    rng = np.random.RandomState(0)
    return rng.normal(size=(40, 5))


@pytest.mark.parametrize("n_permutations", [2, 3])
def test_single_pair_reports_unknown_errors_and_warns(n_permutations):
    X = _data()
    with pytest.warns(UserWarning, match=f"n_permutations={n_permutations} walks a single antithetic pair"):
        exp = ShapleySamplingExplainer(_game, n_permutations=n_permutations, random_state=0).fit(X).explain(X[:4])
    assert np.isinf(exp.std).all()


def test_two_pairs_report_finite_errors_without_warning():
    X = _data()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        exp = ShapleySamplingExplainer(_game, n_permutations=4, random_state=0).fit(X).explain(X[:4])
    assert np.isfinite(exp.std).all()


def test_pair_that_agrees_by_chance_is_not_exact():
    # a game where player 0's forward and reverse contributions agree (v({0}) equal to
    # v(all) - v(rest)) while its value is not the Shapley value: the old error was 0
    p = 4
    perms = antithetic_permutations(p, 2, np.random.RandomState(0))
    v = np.random.RandomState(1).normal(size=2**p)
    v[0] = 0.0
    full, rest = 2**p - 1, 2**p - 1 - 1
    v[1] = v[full] - v[rest]  # player 0: contribution v({0}) == v(all) - v(all \ {0})
    codes = [0]
    prefix = np.empty((1, 2, p + 1, 1))
    for a, perm in enumerate(perms):
        code = 0
        prefix[0, a, 0, 0] = v[0]
        for i, j in enumerate(perm):
            code |= 1 << int(j)
            prefix[0, a, i + 1, 0] = v[code]
        codes.append(code)
    phi, std = shapley_from_permutations(perms, prefix)
    assert np.isinf(std[0, :, 0]).all()


def test_additive_row_stays_exact_on_one_pair():
    X = _data()
    with pytest.warns(UserWarning, match="single antithetic pair"):
        exp = ShapleySamplingExplainer(lambda A: A @ [1.0, 2, 3, 4, 5], n_permutations=2, random_state=0).fit(
            X
        ).explain(X[:3])
    assert_rounding_only(exp.std, np.abs(exp.outputs).max())


def test_image_sampling_on_one_pair_warns_with_its_budget():
    X = np.random.RandomState(0).rand(3, 1, 8, 8)

    def f(A):
        return A.reshape(len(A), -1).mean(axis=1, keepdims=True) ** 2

    with pytest.warns(UserWarning, match=r"n_samples=20 walks a single antithetic pair .* n_samples >= 35"):
        exp = ImageShapleyExplainer(f, method="sampling", n_samples=20, n_segments=16, random_state=0).fit(X).explain(
            X[:1]
        )
    assert np.isinf(exp.std).all()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        exp = ImageShapleyExplainer(f, method="sampling", n_samples=35, n_segments=16, random_state=0).fit(X).explain(
            X[:1]
        )
    assert np.isfinite(exp.std).all()
