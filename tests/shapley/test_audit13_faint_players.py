"""Permutation sampling: a player whose few sampled contributions barely varied borrows its
row's spread (session 27, issue 14).

A boosted classifier's player can contribute next to nothing in most orders of the features and
much in a few. With 4-10 permutations that all missed those orders, its contributions varied by
1e-5 of its row's others and its value (0.0167) was estimated at 5e-5 with std 3.5e-6 (z up to
4,800): ``phi +/- 1.96 std`` covered 0.913-0.917 of a HistGradientBoosting wine classifier's
exact values (an outside audit)."""

import numpy as np
import pytest

from skxai import ShapleySamplingExplainer
from skxai._estimate import antithetic_permutations, shapley_from_permutations
from tests.shapley._wine_booster import wine_booster_game


@pytest.fixture(scope="module")
def wine_booster():
    return wine_booster_game()


@pytest.mark.parametrize("n_permutations", [4, 6, 10])
def test_a_boosted_classifiers_values_are_covered_at_few_permutations(wine_booster, n_permutations):
    model, bg, rows, exact = wine_booster
    covered = []
    for seed in range(100, 112):
        exp = ShapleySamplingExplainer(model, n_permutations=n_permutations, max_background=None, random_state=seed)
        exp = exp.fit(bg).explain(rows)
        covered.append(np.abs(exp.values - exact) <= 1.96 * exp.std)
    assert np.mean(covered) >= 0.93, np.mean(covered)


def test_a_faint_player_borrows_its_rows_spread():
    # player 0 adds 1e-6 * (its position) in every order but 1 when it comes first: the two
    # sampled pairs never put it first, so its own spread (1e-12 of its row's) shows nothing
    p = 5
    perms = np.array([[1, 0, 2, 3, 4], [4, 3, 2, 0, 1], [2, 3, 0, 1, 4], [4, 1, 0, 3, 2]])
    rng = np.random.RandomState(0)
    weights = rng.uniform(0.5, 1.5, size=p)
    prefix = np.zeros((1, len(perms), p + 1, 1))
    for i, perm in enumerate(perms):
        total = 0.0
        for step, j in enumerate(perm):
            if j == 0:
                total += 1.0 if step == 0 else 1e-6 * step
            else:
                total += weights[j] * (1 + 0.5 * np.sin(3 * step + j))
            prefix[0, i, step + 1, 0] = total
    phi, std = shapley_from_permutations(perms, prefix)
    contrib_std = np.array([np.std(np.diff(prefix[0, :, :, 0], axis=1)[perms == j], ddof=1) for j in range(p)])
    assert contrib_std[0] < 1e-2 * contrib_std[1:].mean()
    # its error is of the size of the others', not of its own tiny spread
    assert std[0, 0, 0] > 0.1 * std[0, 1:, 0].mean()
    assert np.abs(phi[0, 0, 0] - 0.2) <= 1.96 * std[0, 0, 0]  # the exact value: 1 / p from the first place


def test_an_additive_row_stays_exact_and_a_constant_player_still_borrows():
    p = 4
    perms = antithetic_permutations(p, 6, np.random.RandomState(0))
    table = np.zeros((1, 2**p, 1))
    codes = np.arange(2**p)
    bits = codes[:, None] >> np.arange(p) & 1
    table[0, :, 0] = bits @ [1.0, -2.0, 0.5, 3.0]
    prefix = np.zeros((1, len(perms), p + 1, 1))
    for i, perm in enumerate(perms):
        code = 0
        for step, j in enumerate(perm):
            code |= 1 << j
            prefix[0, i, step + 1, 0] = table[0, code, 0]
    phi, std = shapley_from_permutations(perms, prefix)
    np.testing.assert_allclose(phi[0, :, 0], [1.0, -2.0, 0.5, 3.0], atol=1e-12)
    assert np.all(std < 1e-12)
