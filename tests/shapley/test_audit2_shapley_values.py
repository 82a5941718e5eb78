"""skxai.shapley_values on games and value functions its first tests did not try."""

import itertools
import math
import tracemalloc

import numpy as np
import pytest

from skxai import shapley_values


def _brute_force(v, n):
    """Shapley values by the subset formula, one coalition at a time."""
    phi = np.zeros(n)
    for j in range(n):
        others = [o for o in range(n) if o != j]
        for r in range(n):
            w = math.factorial(r) * math.factorial(n - 1 - r) / math.factorial(n)
            for S in itertools.combinations(others, r):
                with_j = np.zeros((1, n), dtype=bool)
                with_j[0, list(S) + [j]] = True
                without = with_j.copy()
                without[0, j] = False
                phi[j] += w * (v(with_j)[0] - v(without)[0])
    return phi


def test_closed_forms_glove_majority_airport():
    # glove game: 2 left gloves (0, 1), 1 right glove (2): (1/6, 1/6, 2/3)
    glove = shapley_values(lambda S: np.minimum(S[:, :2].sum(1), S[:, 2:].sum(1)).astype(float), 3)
    np.testing.assert_allclose(glove, [1 / 6, 1 / 6, 2 / 3], atol=1e-14)
    # weighted majority [q=3; 2, 1, 1]: player 0 pivotal in 4 of 6 orders
    maj = shapley_values(lambda S: (S @ np.array([2, 1, 1]) >= 3).astype(float), 3)
    np.testing.assert_allclose(maj, [2 / 3, 1 / 6, 1 / 6], atol=1e-14)
    # airport game: costs c sorted, phi_i = sum_{k<=i} (c_k - c_{k-1}) / (n - k)
    c = np.array([1.0, 3.0, 4.0, 7.0])
    air = shapley_values(lambda S: np.max(np.where(S, c, 0.0), axis=1), 4)
    inc = np.diff(np.r_[0.0, c]) / (4 - np.arange(4))
    np.testing.assert_allclose(air, np.cumsum(inc), atol=1e-14)


def test_axioms_and_brute_force_on_a_random_game():
    rng = np.random.RandomState(0)
    n = 5
    table = rng.normal(size=2**n)
    codes = 2 ** np.arange(n)

    def v(S):
        return table[S.astype(int) @ codes]

    phi = shapley_values(v, n)
    np.testing.assert_allclose(phi, _brute_force(v, n), atol=1e-12)
    full = np.ones((1, n), dtype=bool)
    np.testing.assert_allclose(phi.sum(), v(full)[0] - v(~full)[0], atol=1e-12)
    # dummy: a player who adds 2.5 to every coalition gets 2.5, symmetry between equal twins
    phi_d = shapley_values(lambda S: v(S[:, :n]) + 2.5 * S[:, n], n + 1)
    np.testing.assert_allclose(phi_d, np.r_[phi, 2.5], atol=1e-12)
    twins = shapley_values(lambda S: v(S[:, :n]) * (S[:, n] | S[:, n + 1]), n + 2)
    assert abs(twins[n] - twins[n + 1]) < 1e-12


def test_value_function_returning_a_scalar_or_none_is_named():
    # was an IndexError (tuple index out of range) from values.shape[0]
    with pytest.raises(ValueError, match=r"value_function must return one value per coalition.*8 coalitions"):
        shapley_values(lambda S: 1.0, 3)
    with pytest.raises(ValueError, match=r"value_function must return one value per coalition"):
        shapley_values(lambda S: None, 3)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_values_are_refused(bad):
    # were silently turned into phi = [inf, nan, nan] (or all NaN)
    with pytest.raises(ValueError, match=r"non-finite.*4 of the 8 coalitions.*coalition \[0\]"):
        shapley_values(lambda S: np.where(S[:, 0], bad, 1.0), 3)


@pytest.mark.parametrize("n", [2.7, "3", np.float64(1.5), float("nan"), float("inf")])
def test_non_integer_n_players_is_refused(n):
    # 2.7 was silently read as 2 players (and "3" as 3); a whole float (3.0) stays accepted
    with pytest.raises(ValueError, match=r"n_players must be an integer"):
        shapley_values(lambda S: S.sum(1).astype(float), n)


def test_integer_types_of_n_players_are_taken():
    np.testing.assert_allclose(shapley_values(lambda S: S.sum(1) * 2.0, np.int64(3)), [2.0, 2.0, 2.0])


def test_values_with_several_trailing_axes_keep_their_shape():
    # (m, 2, 2) values gave phi of shape (p, 4): the games' axes were silently flattened
    w = np.arange(12.0).reshape(3, 2, 2)

    def v(S):
        return np.einsum("mp,pab->mab", S.astype(float), w)

    phi = shapley_values(v, 3)
    assert phi.shape == (3, 2, 2)
    np.testing.assert_allclose(phi, w, atol=1e-12)
    assert shapley_values(lambda S: S.astype(float) @ np.ones((3, 2)), 3).shape == (3, 2)


def test_working_memory_is_of_the_order_of_the_coalitions():
    # 2**18 coalitions of 18 players are 4.7 MB of booleans; the enumeration held an int64 copy of
    # them and a float64 coefficient matrix (about 75 MB, 15 GB at the documented 25 players)
    n = 18
    tracemalloc.start()
    try:
        phi = shapley_values(lambda S: S.sum(axis=1).astype(float), n)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    np.testing.assert_allclose(phi, np.ones(n), atol=1e-9)
    assert peak < 35e6, peak
