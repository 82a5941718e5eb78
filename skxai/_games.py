"""Coalition games: the value of many coalitions of players for many samples, in batched model calls."""

from __future__ import annotations

import numpy as np
from joblib import Parallel, delayed


class BackgroundGame:
    """Interventional value function over a (weighted) background.

    ``v_x(S) = sum_b w_b f(x_S, b_rest)`` with the players' columns taken from ``x`` when the
    player is in ``S`` and from background row ``b`` otherwise.

    Parameters
    ----------
    output : callable
        ``f(A) -> (n_rows, n_outputs)``.
    background : ndarray of shape (n_background, n_features)
    weights : ndarray of shape (n_background,)
        Sum to one.
    groups : list of int arrays
        Columns of each player.
    batch_size : int
        Most rows per model call.
    """

    def __init__(self, output, background, weights, groups, batch_size=10_000):
        self.output = output
        self.background = background
        self.weights = np.asarray(weights, dtype=np.float64)
        self.groups = groups
        self.batch_size = int(batch_size)
        self.n_players = len(groups)
        self.n_features = background.shape[1]
        self._col_player = np.empty(self.n_features, dtype=int)
        for p, cols in enumerate(groups):
            self._col_player[cols] = p

    def column_masks(self, masks):
        """Expand player masks ``(m, n_players)`` to column masks ``(m, n_features)``."""
        return np.asarray(masks, dtype=bool)[:, self._col_player]

    def values(self, X, masks):
        """Values ``(n, m, n_outputs)`` of coalitions ``masks`` (m, n_players) for each row of X."""
        X = np.asarray(X)
        cmasks = self.column_masks(masks)
        n, m = X.shape[0], cmasks.shape[0]
        bg = self.background
        n_bg = bg.shape[0]
        # Pairs (row, coalition) are processed in chunks so one call holds <= batch_size rows.
        pairs_per_call = max(1, self.batch_size // n_bg)
        total = n * m
        out = None
        for start in range(0, total, pairs_per_call):
            stop = min(total, start + pairs_per_call)
            flat = np.arange(start, stop)
            rows, cols = np.divmod(flat, m)
            keep = cmasks[cols][:, None, :]
            block = np.where(keep, X[rows][:, None, :], bg[None, :, :])
            pred = self.output(block.reshape(-1, self.n_features))
            pred = pred.reshape(stop - start, n_bg, -1)
            val = np.einsum("cbk,b->ck", pred, self.weights)
            if out is None:
                out = np.empty((total, val.shape[1]))
            out[start:stop] = val
        return out.reshape(n, m, -1)

    def values_parallel(self, X, masks, n_jobs=None, verbose=0):
        """Same as :meth:`values`, rows spread over joblib workers."""
        X = np.asarray(X)
        n = X.shape[0]
        if n_jobs in (None, 1) or n == 1:
            if not verbose or n == 1:
                return self.values(X, masks)
            from skxai._progress import chunk_slices, progress

            parts = chunk_slices(n, max(1, n // 20))
            return np.concatenate(
                [self.values(X[sl], masks) for sl in progress(parts, verbose=verbose, desc="explaining", unit="chunk")],
                axis=0,
            )
        from joblib import effective_n_jobs

        n_chunks = min(n, 4 * max(1, effective_n_jobs(n_jobs)))
        chunks = np.array_split(np.arange(n), n_chunks)
        results = Parallel(n_jobs=n_jobs, verbose=verbose)(
            delayed(self.values)(X[c], masks) for c in chunks if len(c)
        )
        return np.concatenate(results, axis=0)


def all_coalitions(n_players):
    """Every coalition as a boolean matrix ``(2**n_players, n_players)``, by binary counting."""
    codes = np.arange(2**n_players, dtype=np.int64)
    return ((codes[:, None] >> np.arange(n_players)) & 1).astype(bool)
