"""Tests written to kill the mutants that survived `tools/mutation.sh` (issue 17).

Every reference here is a closed form, a brute-force enumeration written in the test, or an
axiom; none comes from the code under test.
"""

from itertools import combinations
from math import factorial

import numpy as np
import pytest

import skxai.shapley._values as values_module
from skxai import shapley_values


def brute_force_shapley(table, n):
    """phi_j = sum_{S without j} |S|! (n-|S|-1)! / n! (v(S+j) - v(S)), from a dict of coalitions."""
    phi = np.zeros(n)
    for j in range(n):
        others = [i for i in range(n) if i != j]
        for size in range(n):
            for S in combinations(others, size):
                w = factorial(size) * factorial(n - size - 1) / factorial(n)
                phi[j] += w * (table[tuple(sorted(S + (j,)))] - table[S])
    return phi


def game_of(table):
    return lambda masks: np.array([table[tuple(np.flatnonzero(s))] for s in masks])


# -- skxai/shapley/_values.py ------------------------------------------------------------------

def test_one_player_gets_the_whole_surplus():
    table = {(): 2.0, (0,): 7.5}
    np.testing.assert_allclose(shapley_values(game_of(table), 1), [5.5])


@pytest.mark.parametrize("bad", [0, -1])
def test_fewer_than_one_player_is_refused(bad):
    with pytest.raises(ValueError, match=rf"n_players must be at least 1, got {bad}\."):
        shapley_values(lambda S: np.zeros(len(S)), bad)


def test_limit_is_25_players_not_24(monkeypatch):
    # 25 players is allowed: the enumeration starts (stopped here before 2**25 rows are built).
    class Started(Exception):
        pass

    def stop(n):
        raise Started(n)

    monkeypatch.setattr(values_module, "all_coalitions", stop)
    with pytest.raises(Started):
        shapley_values(lambda S: np.zeros(len(S)), 25)
    with pytest.raises(ValueError, match=r"n_players=26 means 2\*\*26 coalitions; exact enumeration is "
                       r"limited to 25 players \(use KernelShapExplainer or ShapleySamplingExplainer\)\."):
        shapley_values(lambda S: np.zeros(len(S)), 26)


def test_players_given_as_float_are_counted():
    rng = np.random.RandomState(0)
    table = {S: rng.normal() for k in range(4) for S in combinations(range(3), k)}
    np.testing.assert_allclose(shapley_values(game_of(table), 3.0), brute_force_shapley(table, 3), atol=1e-12)


def test_wrong_number_of_values_is_refused():
    with pytest.raises(ValueError, match=r"value_function returned 3 values for 4 coalitions\."):
        shapley_values(lambda S: np.zeros(3), 2)


def test_several_games_at_once_keep_their_column():
    rng = np.random.RandomState(1)
    tables = [{S: rng.normal() for k in range(5) for S in combinations(range(4), k)} for _ in range(3)]
    v = lambda S: np.stack([game_of(t)(S) for t in tables], axis=1)  # noqa: E731
    phi = shapley_values(v, 4)
    assert phi.shape == (4, 3)
    for c, t in enumerate(tables):
        np.testing.assert_allclose(phi[:, c], brute_force_shapley(t, 4), atol=1e-12)
    one = shapley_values(lambda S: v(S)[:, :1], 4)  # one game as a column stays 2-D
    assert one.shape == (4, 1)
    np.testing.assert_allclose(one[:, 0], phi[:, 0], atol=1e-12)


def test_integer_values_are_not_truncated():
    table = {(): 0, (0,): 1, (1,): 0, (0, 1): 2}
    np.testing.assert_allclose(shapley_values(lambda S: np.array([table[tuple(np.flatnonzero(s))] for s in S]), 2),
                               [1.5, 0.5])


def test_single_precision_values_are_summed_in_double():
    # float32 values: the weighted sums are taken in float64 (the weights 1/n! are not float32-exact).
    n = 10
    rng = np.random.RandomState(2)
    vals = rng.normal(size=2**n).astype(np.float32)
    phi = shapley_values(lambda S: vals, n)
    assert phi.dtype == np.float64
    assert abs(phi.sum() - (float(vals[-1]) - float(vals[0]))) < 1e-10  # efficiency, in double
