"""Exact Shapley values of cooperative games given as functions of coalitions."""

from __future__ import annotations

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
        or ``(m, k)`` for k games at once. Called once with all ``2**n_players`` coalitions.
    n_players : int
        Number of players (at most 25: 2**25 coalitions).

    Returns
    -------
    phi : ndarray of shape (n_players,) or (n_players, k)
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
    n_players = int(n_players)
    if n_players < 1:
        raise ValueError(f"n_players must be at least 1, got {n_players}.")
    if n_players > 25:
        raise ValueError(
            f"n_players={n_players} means 2**{n_players} coalitions; exact enumeration is "
            "limited to 25 players (use KernelShapExplainer or ShapleySamplingExplainer)."
        )
    masks = all_coalitions(n_players)
    values = np.asarray(value_function(masks), dtype=np.float64)
    if values.shape[0] != masks.shape[0]:
        raise ValueError(
            f"value_function returned {values.shape[0]} values for {masks.shape[0]} coalitions."
        )
    squeeze = values.ndim == 1
    values = values.reshape(masks.shape[0], -1)
    phi = exact_shapley_from_values(masks, values)
    return phi[:, 0] if squeeze else phi
