"""Tree models as flat float64 node arrays that TreeSHAP can walk.

Every supported model becomes a :class:`TreeEnsemble` (read by
:mod:`skxai.shapley._treeshap._sklearn`, the one module that reads scikit-learn's
internals): the nodes of all its trees
concatenated, with leaf values already scaled (forest averaging, boosting learning rate)
so that the raw model output is ``offset + sum of the values of the leaves reached``.
The split rule of each node reproduces the model's own ``predict`` exactly: sklearn's
``DecisionTree`` family compares float32-rounded inputs (``x <= threshold`` goes left,
NaN follows ``missing_go_to_left``); HistGradientBoosting compares float64 inputs and
uses its bitsets for categorical splits.
"""

from __future__ import annotations

import numpy as np

#: From this many rows :meth:`TreeEnsemble.apply` walks one tree at a time (fewer rows: all
#: trees at once, a few numpy calls a level whatever the number of trees)
_ROWS_TREE_BY_TREE = 256


class TreeEnsemble:
    """All trees of a model as flat node arrays (global node ids, -1 marks no child).

    Attributes
    ----------
    left, right : int64 arrays (n_nodes,)
    feature : int64 array, column of the explained space split on (-1 at leaves)
    threshold : float64 array
    missing_left : bool array, where NaN goes
    cat : int64 array, row of ``cat_left`` / ``cat_known`` for categorical splits, else -1
    cat_left, cat_known : uint32 arrays (n_cat, 8), HistGradientBoosting bitsets
    value : float64 array (n_nodes, n_outputs), scaled leaf contributions
    cover : float64 array (n_nodes,), training weight reaching each node
    roots : int64 array (n_trees,)
    offset : float64 array (n_outputs,), constant added to the sum of leaves
    float32 : bool, inputs are rounded to float32 before comparisons (sklearn trees)
    float32_overflow : bool, a float32-rounded input may overflow to ±inf, as the model's own
        validation lets it (IsolationForest); else such a value is refused, as scikit-learn's
        other trees refuse it
    player : int64 array (n_nodes,), player of the node's split (-1 at leaves); the
        feature itself unless :meth:`set_players` grouped the columns
    n_players : int
    """

    def __init__(self, n_features, n_outputs, float32):
        self.n_features = int(n_features)
        self.n_outputs = int(n_outputs)
        self.float32 = bool(float32)
        self.float32_overflow = False
        self.offset = np.zeros(n_outputs)
        self._parts = []
        self._cat_left = []
        self._cat_known = []
        self._n_nodes = 0
        self._n_cat = 0

    def add_tree(
        self,
        left,
        right,
        feature,
        threshold,
        missing_left,
        value,
        cover,
        cat=None,
        cat_left=None,
        cat_known=None,
    ):
        """Append one tree given with local node ids (children -1 at leaves)."""
        n = len(left)
        left = np.asarray(left, dtype=np.int64)
        right = np.asarray(right, dtype=np.int64)
        is_leaf = left < 0
        shift = self._n_nodes
        part = {
            "left": np.where(is_leaf, -1, left + shift),
            "right": np.where(is_leaf, -1, right + shift),
            "feature": np.where(is_leaf, -1, np.asarray(feature, dtype=np.int64)),
            "threshold": np.asarray(threshold, dtype=np.float64),
            "missing_left": np.asarray(missing_left, dtype=bool),
            "value": np.asarray(value, dtype=np.float64).reshape(n, self.n_outputs),
            "cover": np.asarray(cover, dtype=np.float64),
            "cat": np.full(n, -1, dtype=np.int64),
        }
        if cat is not None:
            cat = np.asarray(cat, dtype=np.int64)
            part["cat"] = np.where((cat >= 0) & ~is_leaf, cat + self._n_cat, -1)
            self._cat_left.append(np.asarray(cat_left, dtype=np.uint32).reshape(-1, 8))
            self._cat_known.append(np.asarray(cat_known, dtype=np.uint32).reshape(-1, 8))
            self._n_cat += len(self._cat_left[-1])
        self._parts.append(part)
        self._n_nodes += n

    def finish(self):
        """Concatenate the trees; called once after the last ``add_tree``."""
        for key in ("left", "right", "feature", "threshold", "missing_left", "value", "cover", "cat"):
            setattr(self, key, np.concatenate([p[key] for p in self._parts]))
        sizes = [len(p["left"]) for p in self._parts]
        self.roots = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
        empty = np.zeros((0, 8), dtype=np.uint32)
        self.cat_left = np.concatenate(self._cat_left) if self._cat_left else empty
        self.cat_known = np.concatenate(self._cat_known) if self._cat_known else empty
        del self._parts, self._cat_left, self._cat_known
        self._n_cat_nodes = int((self.cat >= 0).sum())
        self.set_players(np.arange(self.n_features), self.n_features)
        return self

    def set_players(self, player_of_column, n_players):
        """Group columns into players: the splits on all columns of a player form one
        player's path conditions (their conjunction), so both games are computed exactly
        with the group as one player."""
        player_of_column = np.asarray(player_of_column, dtype=np.int64)
        split = self.feature >= 0
        self.player = np.where(split, player_of_column[np.maximum(self.feature, 0)], -1)
        if (self.player[split] < 0).any():
            raise ValueError("A column the trees split on belongs to no player.")
        self.n_players = int(n_players)
        return self

    def tree_outputs(self):
        """The one output each tree adds to (``(n_trees,)``), or None when a tree adds to
        several (a forest's leaves hold a value per class). A boosted multi-class model's trees
        each add to one class: 0 for a tree whose leaves are all 0."""
        if self.n_outputs == 1:
            return np.zeros(self.n_trees, dtype=np.int64)
        tree_of = np.repeat(np.arange(self.n_trees), np.diff(np.append(self.roots, len(self.left))))
        touched = np.zeros((self.n_trees, self.n_outputs), dtype=bool)
        rows, cols = np.nonzero(self.value != 0)
        touched[tree_of[rows], cols] = True
        if (touched.sum(axis=1) > 1).any():
            return None
        return touched.argmax(axis=1)

    def output_part(self, trees, output):
        """A one-output ensemble of ``trees`` (their values for ``output``), with this one's
        split rules, players and output ``offset``."""
        ends = np.append(self.roots, len(self.left))
        part = TreeEnsemble(self.n_features, 1, self.float32)
        part.float32_overflow = self.float32_overflow
        nodes = np.concatenate([np.arange(ends[t], ends[t + 1]) for t in trees]) if len(trees) else np.zeros(0, int)
        sizes = np.array([ends[t + 1] - ends[t] for t in trees], dtype=np.int64)
        new_root = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
        # a node's id in the part: its place among the kept nodes (children stay in their tree)
        shift = np.repeat(new_root - ends[np.asarray(trees, dtype=np.int64)], sizes)
        for key in ("left", "right"):
            child = getattr(self, key)[nodes]
            setattr(part, key, np.where(child >= 0, child + shift, -1))
        for key in ("feature", "threshold", "missing_left", "cover", "cat", "player"):
            setattr(part, key, getattr(self, key)[nodes])
        part.value = self.value[nodes, output : output + 1]
        part.roots = new_root
        part.offset = self.offset[output : output + 1].copy()
        part.cat_left, part.cat_known = self.cat_left, self.cat_known  # the rows the nodes name
        part._n_cat_nodes = int((part.cat >= 0).sum())
        part.n_players = self.n_players
        part.tree_ids = np.asarray(trees, dtype=np.int64)  # the model's numbers, for messages
        part.part_of = (int(output), self.n_outputs)
        return part

    @property
    def n_trees(self):
        return len(self.roots)

    @property
    def has_categorical(self):
        return bool((self.cat >= 0).any())

    def prepare(self, X):
        """Inputs as the model compares them (float32-rounded for sklearn trees)."""
        X = np.asarray(X, dtype=np.float64)
        if self.float32:
            with np.errstate(over="ignore"):
                X32 = X.astype(np.float32)
            if not getattr(self, "float32_overflow", False) and np.isinf(X32).any():
                raise ValueError(
                    "Input X contains infinity or a value too large for dtype('float32'), "
                    "which the model's trees compare in."
                )
            X = X32.astype(np.float64)
        return X

    def decisions(self, XT, nodes, has_nan=True, runs=None):
        """Decisions ``(len(nodes), n_rows)``: True where a row goes to the left child.

        ``XT`` is the transposed output of :meth:`prepare` (features x rows). ``runs``
        (feature, start, stop) rows, when ``nodes`` are sorted by feature, let each
        feature's nodes be compared against its row of ``XT`` in one broadcast.
        """
        nodes = np.asarray(nodes, dtype=np.int64)
        thr = self.threshold[nodes]
        if runs is None:
            x = XT[self.feature[nodes]]
            left = x <= thr[:, None]
            if has_nan:
                nan = np.isnan(x)
                if nan.any():
                    left = np.where(nan, self.missing_left[nodes][:, None], left)
        else:
            left = np.empty((len(nodes), XT.shape[1]), dtype=bool)
            for f, a, b in runs:
                xf = XT[f]
                np.less_equal(xf[None, :], thr[a:b, None], out=left[a:b])
                if has_nan:
                    nan = np.flatnonzero(np.isnan(xf))
                    if len(nan):
                        left[a:b, nan] = self.missing_left[nodes[a:b]][:, None]
        if self._n_cat_nodes:
            cat_rows = np.flatnonzero(self.cat[nodes] >= 0)
            if len(cat_rows):
                x = XT[self.feature[nodes[cat_rows]]]
                left[cat_rows] = self._categorical_left(x.T, nodes[cat_rows]).T
        return left

    def _categorical_left(self, x, nodes):
        # Mirrors sklearn's _predict_one_from_raw_data: negative, NaN and unknown
        # categories follow the missing-value direction.
        rows = self.cat[nodes]
        miss = self.missing_left[nodes]
        with np.errstate(invalid="ignore"):
            valid = ~np.isnan(x) & (x >= 0) & (x < 256)
        code = np.where(valid, x, 0).astype(np.int64)
        word, bit = code >> 5, (code & 31).astype(np.uint32)
        in_left = (self.cat_left[rows[None, :], word] >> bit) & 1
        in_known = (self.cat_known[rows[None, :], word] >> bit) & 1
        out = np.where(in_left == 1, True, np.where(in_known == 1, False, miss[None, :]))
        return np.where(valid, out, miss[None, :])

    def apply(self, X):
        """Leaf reached by every row in every tree, ``(n_rows, n_trees)`` global ids."""
        X = self.prepare(X)
        n = X.shape[0]
        if n >= _ROWS_TREE_BY_TREE:
            return self._apply_tree_by_tree(X)
        cur = np.tile(self.roots, (n, 1))
        rows = np.repeat(np.arange(n), self.n_trees).reshape(n, -1)
        while True:
            internal = self.left[cur] >= 0
            if not internal.any():
                return cur
            r, c = rows[internal], cur[internal]
            x = X[r, self.feature[c]]
            go = x <= self.threshold[c]
            nan = np.isnan(x)
            go = np.where(nan, self.missing_left[c], go)
            catm = self.cat[c] >= 0
            if catm.any():
                idx = np.flatnonzero(catm)
                for node in np.unique(c[idx]):
                    sel = idx[c[idx] == node]
                    go[sel] = self._categorical_left(x[sel][:, None], np.array([node]))[:, 0]
            cur[internal] = np.where(go, self.left[c], self.right[c])

    def _go_left(self, x, nodes, has_nan):
        """Whether values ``x`` go left at ``nodes`` (one node per value)."""
        go = x <= self.threshold[nodes]
        if has_nan:
            nan = np.isnan(x)
            if nan.any():
                go = np.where(nan, self.missing_left[nodes], go)
        if self._n_cat_nodes:
            cat = np.flatnonzero(self.cat[nodes] >= 0)
            for node in np.unique(nodes[cat]):
                sel = cat[nodes[cat] == node]
                go[sel] = self._categorical_left(x[sel][:, None], np.array([node]))[:, 0]
        return go

    def _apply_tree_by_tree(self, X):
        """:meth:`apply` one tree at a time over all rows (the same leaves): the (row, tree)
        pairs of every tree at once went through memory a dozen times a level, 5 times slower
        on 10,000 rows of 500 trees (a boosted model's hybrid rows in the interventional game)."""
        n = X.shape[0]
        XT = np.ascontiguousarray(X.T)
        has_nan = bool(np.isnan(XT).any())
        out = np.empty((n, self.n_trees), dtype=np.int64)
        for t, root in enumerate(self.roots):
            cur = np.full(n, root, dtype=np.int64)
            while True:
                left = self.left[cur]
                inner = np.flatnonzero(left >= 0)
                if not inner.size:
                    break
                nodes = cur[inner]
                go = self._go_left(XT[self.feature[nodes], inner], nodes, has_nan)
                cur[inner] = np.where(go, left[inner], self.right[nodes])
            out[:, t] = cur
        return out

    def predict_raw(self, X):
        """Raw model output ``offset + sum of leaf values``, shape ``(n_rows, n_outputs)``."""
        leaves = self.apply(X)
        outputs = self._outputs_of_trees()
        if outputs is None:
            return self.offset + self.value[leaves].sum(axis=1)
        # each tree adds to one output (boosted multi-class): its leaf's one value, not a row of
        # k values of which k - 1 are 0 (50 classes: 50 times the gathers and the memory,
        # 2.2 GiB and 51 s for the interventional game of 2 rows)
        own = self.value[leaves, outputs[None, :]]  # (n_rows, n_trees)
        raw = np.empty((len(leaves), self.n_outputs))
        for c in range(self.n_outputs):
            raw[:, c] = own[:, outputs == c].sum(axis=1)
        return self.offset + raw

    def _outputs_of_trees(self):
        """:meth:`tree_outputs` where there are several outputs, kept (None for one output)."""
        if self.n_outputs == 1:
            return None
        if "_tree_outputs" not in self.__dict__:
            self._tree_outputs = self.tree_outputs()
        return self._tree_outputs
