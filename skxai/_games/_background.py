"""Coalition games: the value of many coalitions of players for many samples, in batched model calls."""

from __future__ import annotations

import numpy as np

from skxai.utils._memory import most_within_working_memory
from skxai.utils._parallel import map_shared


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
    n_outputs : int, default=1
        The model's outputs per row: their predictions count in a call's memory.
    """

    def __init__(self, output, background, weights, groups, batch_size=50_000, n_outputs=1):
        self.output = output
        self.n_outputs = int(n_outputs)
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

    def _calls(self, n, m):
        """Model calls as ranges of the flat (row, coalition) index, each <= batch_size rows.

        They depend only on the problem, never on how work is split among workers, so every
        call sees the same rows whatever ``n_jobs`` (identical floating-point results).
        """
        n_bg = self.background.shape[0]
        # and at most the pairs whose blocks (the rows against the background, with the
        # where's mask and copy, float64) and predictions (with their reordered copy for the
        # weighted mean) fit in the working memory, whatever batch_size: 200 outputs of 12
        # features held 312 MiB of predictions at a 64 MiB bound
        outputs = getattr(self, "n_outputs", 1)  # (games pickled before it: one)
        most = most_within_working_memory(8 * n_bg * (3 * max(self.n_features, 1) + 2 * outputs))
        return row_aligned_calls(n, m, max(1, min(self.batch_size // n_bg, most)))

    def _run_calls(self, X, row_offset, cmasks, calls):
        """Values of the pairs in ``calls``; ``X`` holds rows from ``row_offset`` on."""
        bg = self.background
        m = cmasks.shape[0]
        out = []
        if calls and self.n_features <= 256 and all(a % m == 0 and b - a == m for a, b in calls):
            # One row against every coalition per call: the background block is built once and
            # copied (a memcpy), then each column takes the row's value where its player is in the
            # coalition: a third of the time of a three-way np.where, the same numbers. The
            # template is copied again before every call, so a model that writes into its input
            # changes nothing.
            template = np.empty((m, *bg.shape), dtype=np.result_type(X, bg))
            template[...] = bg
            block = np.empty_like(template)
            members = [np.flatnonzero(cmasks[:, j]) for j in range(self.n_features)]
            for start, _ in calls:
                x = X[start // m - row_offset]
                np.copyto(block, template)
                for j, rows_j in enumerate(members):
                    block[rows_j, :, j] = x[j]
                pred = output_in_calls(self.output, block.reshape(-1, self.n_features), self.batch_size)
                # Reduced to new memory before the block is overwritten by the next call.
                out.append(np.matmul(pred.reshape(m, bg.shape[0], -1).transpose(0, 2, 1), self.weights))
            return np.concatenate(out, axis=0)
        for start, stop in calls:
            rows, cols = np.divmod(np.arange(start, stop), m)
            keep = cmasks[cols][:, None, :]
            block = np.where(keep, X[rows - row_offset][:, None, :], bg[None, :, :])
            # a background larger than batch_size: its block goes to the model in several calls
            pred = output_in_calls(self.output, block.reshape(-1, self.n_features), self.batch_size)
            pred = pred.reshape(stop - start, bg.shape[0], -1)
            out.append(np.matmul(pred.transpose(0, 2, 1), self.weights))
        return np.concatenate(out, axis=0)

    def values(self, X, masks):
        """Values ``(n, m, n_outputs)`` of coalitions ``masks`` (m, n_players) for each row of X."""
        return self.values_parallel(X, masks)

    def values_parallel(self, X, masks, n_jobs=None, verbose=0):
        """Values ``(n, m, n_outputs)``, the model calls spread over joblib workers."""
        X = np.asarray(X)
        cmasks = self.column_masks(masks)
        n, m = X.shape[0], cmasks.shape[0]
        calls = self._calls(n, m)
        from joblib import effective_n_jobs

        workers = effective_n_jobs(n_jobs)  # None: 1, or a parallel_config's
        if workers == 1 or len(calls) == 1:
            from skxai._progress import closing_progress

            groups = [[c] for c in calls] if verbose else [calls]
            with closing_progress(groups, verbose=verbose, desc="explaining", unit="call") as bar:
                parts = [self._run_calls(X, 0, cmasks, g) for g in bar]
        else:
            groups = [g.tolist() for g in np.array_split(np.asarray(calls), min(len(calls), 4 * workers))]
            tasks = []
            for g in groups:
                first, last = g[0][0] // m, (g[-1][1] - 1) // m
                tasks.append((X[first : last + 1], first, cmasks, g))
            parts = map_shared(BackgroundGame._run_calls, self, tasks, n_jobs=n_jobs, verbose=verbose)
        return np.concatenate(parts, axis=0).reshape(n, m, -1)


def output_in_calls(output, X, batch_size):
    """``output(X)`` in calls of at most ``batch_size`` rows."""
    step = max(1, int(batch_size))
    if len(X) <= step:
        return output(X)
    return np.concatenate([output(X[s : s + step]) for s in range(0, len(X), step)])


def row_aligned_calls(n, m, per_call):
    """Ranges of the flat (row, coalition) index: one row per call, or, when a row's
    coalitions exceed ``per_call`` pairs, that row cut at the same places as every other row.

    A row's model calls are then the same whichever rows are explained with it (one call, chunks
    of a dask array, another ``n_jobs``): BLAS results can depend on a call's size, so this is
    what keeps a row's values identical to the last bit. The cost is one model call per row,
    small next to the row's ``m`` coalitions times the background.
    """
    if per_call >= m:
        return [(r * m, (r + 1) * m) for r in range(n)]
    return [(r * m + c, r * m + min(m, c + per_call)) for r in range(n) for c in range(0, m, per_call)]


def all_coalitions(n_players):
    """Every coalition as a boolean matrix ``(2**n_players, n_players)``, by binary counting."""
    # written column by column into the boolean matrix: the shifted int64 codes were 8 times its
    # size (6.7 GB for 25 players)
    masks = np.empty((2**n_players, n_players), dtype=bool)
    for j in range(n_players):
        # row r = (a, b, c) with b its bit j: a view of the rows in blocks of 2**j
        blocks = masks.reshape(2 ** (n_players - j - 1), 2, 2**j, n_players)
        blocks[:, 0, :, j] = False
        blocks[:, 1, :, j] = True
    return masks
