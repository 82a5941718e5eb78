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


# -- skxai/_games/_background.py ---------------------------------------------------------------

from skxai._games._background import BackgroundGame, all_coalitions  # noqa: E402


class CallLog:
    """A nonlinear model with 2 outputs that records the size of every call."""

    def __init__(self):
        self.sizes = []

    def __call__(self, A):
        A = np.asarray(A, dtype=float)
        self.sizes.append(len(A))
        return np.stack([np.tanh(A[:, 0] * A[:, 1]) + A[:, 2] ** 2, np.exp(0.3 * A[:, 3]) * A[:, 0]], axis=1)


def brute_background_values(f, X, B, w, groups, masks):
    out = np.zeros((len(X), len(masks), 2))
    for i, x in enumerate(X):
        for c, s in enumerate(masks):
            for b, wb in zip(B, w, strict=True):
                z = b.copy()
                for p, on in enumerate(s):
                    if on:
                        z[groups[p]] = x[groups[p]]
                out[i, c] += wb * f(z[None, :])[0]
    return out


def test_all_coalitions_is_every_subset_once():
    for n in (1, 2, 5):
        M = all_coalitions(n)
        assert M.dtype == bool and M.shape == (2**n, n)
        assert len({tuple(r) for r in M}) == 2**n
        np.testing.assert_array_equal(M.sum(axis=1), [bin(c).count("1") for c in range(2**n)])
        np.testing.assert_array_equal(M[:, 0], np.arange(2**n) % 2 == 1)  # binary counting, player 0 lowest bit


@pytest.mark.parametrize("batch_size", [1, 3, 8, 13, 10_000])
@pytest.mark.parametrize("n_jobs", [None, 2])
def test_background_game_is_the_weighted_average_over_background_rows(batch_size, n_jobs):
    rng = np.random.RandomState(0)
    B = rng.normal(size=(3, 4))
    w = np.array([0.2, 0.5, 0.3])
    groups = [np.array([0, 2]), np.array([1]), np.array([3])]
    X = rng.normal(size=(4, 4))
    masks = all_coalitions(3)
    f = CallLog()
    game = BackgroundGame(f, B, w, groups, batch_size=batch_size)
    np.testing.assert_array_equal(game.column_masks(masks)[5], [True, False, True, True])  # players 0 and 2
    v = game.values_parallel(X, masks, n_jobs=n_jobs)
    np.testing.assert_allclose(v, brute_background_values(CallLog(), X, B, w, groups, masks), atol=1e-12)
    if n_jobs is None:
        # whole (row, coalition) pairs of 3 background rows; one explained row (8 coalitions) per
        # call, or each row cut at the same places when it does not fit
        per_call = max(1, batch_size // 3)
        if batch_size < 3:
            # a background larger than batch_size: each pair's block in calls of batch_size rows
            assert max(f.sizes) == batch_size
            assert len(f.sizes) == 4 * 8 * -(-3 // batch_size)
        else:
            assert max(f.sizes) == 3 * min(per_call, 8)
            assert len(f.sizes) == 4 * -(-8 // per_call)
        np.testing.assert_allclose(game.values(X, masks), v, atol=0)


def test_background_game_default_batch_is_fifty_thousand_rows():
    B = np.zeros((7, 4))
    game = BackgroundGame(CallLog(), B, np.full(7, 1 / 7), [np.array([j]) for j in range(4)])
    assert game.batch_size == 50_000
    calls = game._calls(10_000, 16)
    assert calls[0] == (0, 16) and calls[-1] == (159_984, 160_000)  # one row per call
    big = game._calls(2, 10_000)  # a row of 70,000 model rows: cut every 50,000 // 7 pairs
    assert big[0] == (0, 50_000 // 7) and big[1] == (50_000 // 7, 10_000) and big[2][0] == 10_000


def test_worker_calls_read_rows_relative_to_their_offset():
    # A joblib worker gets X[first:] and row_offset=first: it must read row r at X[r - first].
    rng = np.random.RandomState(4)
    B = rng.normal(size=(2, 4))
    w = np.array([0.4, 0.6])
    groups = [np.array([j]) for j in range(4)]
    X = rng.normal(size=(5, 4))
    masks = all_coalitions(4)
    game = BackgroundGame(CallLog(), B, w, groups, batch_size=2)
    ref = brute_background_values(CallLog(), X, B, w, groups, masks).reshape(5 * 16, 2)
    calls = [(40, 41), (41, 47), (60, 80)]  # rows 2 .. 4 of X
    got = game._run_calls(X[2:], 2, game.column_masks(masks), calls)
    np.testing.assert_allclose(got, np.concatenate([ref[a:b] for a, b in calls]), atol=1e-12)
