"""Tests written against mutants of the coalition games and Shapley regression (issue 17, second wave).

Every reference is a closed form, a brute-force enumeration written here, or a hand-worked
number; none comes from the code under test.
"""

import os

import numpy as np
import pytest

from skxai._games._background import BackgroundGame, all_coalitions


def _sum_model(A):
    A = np.asarray(A, dtype=float)
    return np.stack([A[:, 0] * A[:, 1] + A[:, 2], np.sin(A[:, 1]) - A[:, 2] ** 2], axis=1)


def _brute_background(f, X, B, w, groups, masks):
    """v_x(S) = sum_b w_b f(x_S, b_rest), one model row at a time."""
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


def _small_game(f=_sum_model, batch_size=2):
    rng = np.random.RandomState(7)
    B = rng.normal(size=(2, 3))
    w = np.array([0.25, 0.75])
    groups = [np.array([0]), np.array([1, 2])]
    return BackgroundGame(f, B, w, groups, batch_size=batch_size), B, w, groups, rng.normal(size=(5, 3))


# -- skxai/_games/_background.py ---------------------------------------------------------------

def test_game_exposes_its_players():
    # the game interface (shared with the image and conditional games): its players and their count
    game, _, _, groups, _ = _small_game()
    assert game.n_players == 2
    assert game.groups is groups


@pytest.mark.parametrize("n_masks", [1, 3])
def test_parallel_game_ships_every_row_a_worker_needs(n_masks):
    # batch_size=2 over 2 background rows: one (row, coalition) pair per call, so the split among
    # workers can end a task right after a row's first coalition; that row must be shipped too.
    game, B, w, groups, X = _small_game(batch_size=2)
    masks = np.array([[True, False], [False, True], [True, True]])[:n_masks]
    v = game.values_parallel(X, masks, n_jobs=2)
    np.testing.assert_allclose(v, _brute_background(_sum_model, X, B, w, groups, masks), atol=1e-12)


def test_parallel_game_runs_the_model_in_worker_processes():
    main = os.getpid()

    def elsewhere(A):
        assert os.getpid() != main, "n_jobs=2 ran the model in the calling process"
        return _sum_model(A)

    game, B, w, groups, X = _small_game(elsewhere)
    masks = all_coalitions(2)
    v = game.values_parallel(X, masks, n_jobs=2)
    np.testing.assert_allclose(v, _brute_background(_sum_model, X, B, w, groups, masks), atol=1e-12)


def test_game_is_quiet_unless_verbose(capfd):
    game, _, _, _, X = _small_game()
    game.values(X, all_coalitions(2))
    game.values_parallel(X, all_coalitions(2), n_jobs=2)
    assert capfd.readouterr().err == ""
    game.values_parallel(X, all_coalitions(2), n_jobs=2, verbose=1)  # joblib reports the workers' progress
    assert "Parallel(n_jobs=2)" in capfd.readouterr().err
    game.values_parallel(X, all_coalitions(2), verbose=1)  # the serial path shows a bar of model calls
    assert "call" in capfd.readouterr().err
