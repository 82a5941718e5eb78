"""Exact Shapley values of cooperative games given as functions of coalitions."""

from __future__ import annotations

import numbers

import numpy as np

from skxai._estimate import exact_shapley_from_values, shapley_weights
from skxai._games._background import all_coalitions

__all__ = ["exact_shapley_from_values", "shapley_values", "shapley_weights"]


def shapley_values(value_function, n_players):
    """Exact Shapley values of a cooperative game, by enumerating all coalitions.

    ``phi_j = sum_{S not containing j} |S|! (n - |S| - 1)! / n! * (v(S + j) - v(S))``.

    Parameters
    ----------
    value_function : callable
        Maps a boolean matrix of coalitions ``(m, n_players)`` to their values, shape ``(m,)``
        or ``(m, k)`` (or ``(m, *shape)``) for several games at once; the values must be
        finite. Called once with all ``2**n_players`` coalitions.
    n_players : int
        Number of players, from 1 to 25 (2**25 coalitions).

    Returns
    -------
    phi : ndarray of shape (n_players,) or (n_players, k) (or (n_players, *shape))
        They add up to ``v(all) - v(empty)`` (efficiency).

    Examples
    --------
    The two-player game v({1}) = 1, v({2}) = 2, v({1, 2}) = 4:

    >>> import numpy as np
    >>> from skxai import shapley_values
    >>> table = {(): 0.0, (0,): 1.0, (1,): 2.0, (0, 1): 4.0}
    >>> v = lambda S: np.array([table[tuple(np.flatnonzero(s))] for s in S])
    >>> shapley_values(v, 2)
    array([1.5, 2.5])
    """
    if not (isinstance(n_players, numbers.Real) and np.isfinite(n_players) and int(n_players) == n_players):
        # int() read 2.7 as 2 players, silently (a whole float such as 3.0 is 3 players)
        raise ValueError(f"n_players must be an integer, got {n_players!r}.")
    n_players = int(n_players)
    if n_players < 1:
        raise ValueError(f"n_players must be at least 1, got {n_players}.")
    if n_players > 25:
        raise ValueError(
            f"n_players={n_players} means 2**{n_players} coalitions; exact enumeration is "
            "limited to 25 players (use KernelShapExplainer or ShapleySamplingExplainer)."
        )
    masks = all_coalitions(n_players)
    out = value_function(masks)
    m = masks.shape[0]
    if out is None or np.ndim(out) == 0:
        raise ValueError(
            f"value_function must return one value per coalition, an array of shape ({m},) or "
            f"({m}, k) for the {m} coalitions it is given, got {type(out).__name__} {out!r:.80}."
        )
    values = np.asarray(out, dtype=np.float64)
    if values.shape[0] != m:
        raise ValueError(f"value_function returned {values.shape[0]} values for {m} coalitions.")
    bad = np.flatnonzero(~np.isfinite(values.reshape(m, -1)).all(axis=1))
    if bad.size:
        # NaN or inf in one coalition's value spread to every player's value, silently
        first = np.flatnonzero(masks[bad[0]]).tolist()
        raise ValueError(
            f"value_function returned non-finite values (NaN or inf) for {bad.size} of the {m} "
            f"coalitions (the first: coalition {first} of players); Shapley values of such a game "
            "are not defined."
        )
    trailing = values.shape[1:]
    phi = exact_shapley_from_values(masks, values.reshape(m, -1))
    return phi.reshape((n_players,) + trailing)
