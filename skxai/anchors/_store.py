"""Per-instance store of perturbation samples, with the sample-reuse rule of Anchors.

A sample drawn for anchor ``S`` keeps every unit of ``S`` and each other unit independently.
Such a sample is then an exact draw for any anchor ``A`` with ``S <= A`` whose units it all
kept: conditioning independent keep decisions on ``A`` being kept gives ``A``'s own
distribution. So every candidate starts with the statistics of all earlier samples that obey
this rule (``reuse=True``). Samplers whose keep decisions are not independent per unit (the
tabular background sampler) use ``reuse=False``: only samples drawn for ``A`` itself count.
"""

from __future__ import annotations

import numpy as np


class SampleStore:
    """Samples of one instance: which units each kept, whether the decision held, texts."""

    def __init__(self, n_units, *, reuse=True, capacity=256):
        self.n_units = n_units
        self.reuse = reuse
        self.presence = np.zeros((capacity, n_units), dtype=bool)
        self.labels = np.zeros(capacity, dtype=bool)
        self.aid = np.zeros(capacity, dtype=np.int32)
        self.m = 0
        self.anchor_ids = {}
        self.anchor_masks = []
        self.inputs = []
        self.input_starts = []
        self.stats = {}

    def _anchor_id(self, anchor):
        aid = self.anchor_ids.get(anchor)
        if aid is None:
            aid = len(self.anchor_masks)
            self.anchor_ids[anchor] = aid
            mask = np.zeros(self.n_units, dtype=bool)
            mask[list(anchor)] = True
            self.anchor_masks.append(mask)
        return aid

    def add(self, anchor, presence, labels, inputs):
        """Record ``len(labels)`` samples drawn for ``anchor`` (a sorted tuple of units)."""
        n = len(labels)
        need = self.m + n
        if need > len(self.labels):
            cap = max(need, 2 * len(self.labels))
            self.presence = np.resize(self.presence, (cap, self.n_units))
            self.labels = np.resize(self.labels, cap)
            self.aid = np.resize(self.aid, cap)
        self.presence[self.m : need] = presence
        self.labels[self.m : need] = labels
        self.aid[self.m : need] = self._anchor_id(anchor)
        self.inputs.append(inputs)
        self.input_starts.append(self.m)
        self.m = need
        st = self.stats.get(anchor)
        if st is not None:
            st[0] += n
            st[1] += int(np.count_nonzero(labels))

    def valid(self, anchor):
        """Boolean mask over stored samples that are draws for ``anchor``."""
        m = self.m
        if not self.reuse:
            aid = self.anchor_ids.get(anchor)
            return self.aid[:m] == (-1 if aid is None else aid)
        A = np.zeros(self.n_units, dtype=bool)
        A[list(anchor)] = True
        if self.anchor_masks:
            S = np.asarray(self.anchor_masks)
            subset = ~np.any(S & ~A, axis=1)
        else:
            subset = np.zeros(0, dtype=bool)
        ok = subset[self.aid[:m]]
        if anchor:
            ok &= np.all(self.presence[:m][:, list(anchor)], axis=1)
        return ok

    def count(self, anchor):
        """``(n_samples, n_positive)`` for ``anchor`` recomputed from every stored sample."""
        ok = self.valid(anchor)
        return int(ok.sum()), int(np.count_nonzero(self.labels[: self.m][ok]))

    def track(self, anchor):
        """Start incremental statistics for ``anchor`` from the samples stored so far."""
        if anchor not in self.stats:
            self.stats[anchor] = list(self.count(anchor))
        return self.stats[anchor]

    def track_children(self, parent, units):
        """Track ``parent + (u,)`` for every ``u`` in ``units`` at once; returns the anchors."""
        units = np.asarray(units, dtype=np.intp)
        children = [tuple(sorted(parent + (int(u),))) for u in units]
        todo = [i for i, c in enumerate(children) if c not in self.stats]
        if not todo:
            return children
        n_f = np.zeros(self.n_units, dtype=np.int64)
        pos_f = np.zeros(self.n_units, dtype=np.int64)
        m = self.m
        if self.reuse and m and self.anchor_masks:
            P = self.presence[:m]
            lab = self.labels[:m]
            aid = self.aid[:m]
            pmask = np.zeros(self.n_units, dtype=bool)
            pmask[list(parent)] = True
            S = np.asarray(self.anchor_masks)
            extra = S & ~pmask
            n_extra = extra.sum(axis=1)
            # Samples whose anchor is inside the parent count for every child that they cover;
            # samples whose anchor adds exactly one unit u count for the child parent + u only.
            covers = np.all(P[:, list(parent)], axis=1) if parent else np.ones(m, dtype=bool)
            base = covers & (n_extra[aid] == 0)
            # counted in place: P[base] copied up to every stored sample (rows x units bytes)
            n_f += np.sum(P, axis=0, where=base[:, None], dtype=np.int64)
            pos_f += np.sum(P, axis=0, where=(base & lab)[:, None], dtype=np.int64)
            single = np.where(n_extra == 1, np.argmax(extra, axis=1), -1)[aid]
            sel = covers & (single >= 0)
            if sel.any():
                u = single[sel]
                hit = P[np.flatnonzero(sel), u]
                n_f += np.bincount(u[hit], minlength=self.n_units)
                pos_f += np.bincount(u[hit & lab[sel]], minlength=self.n_units)
        for i in todo:
            u = units[i]
            self.stats[children[i]] = [int(n_f[u]), int(pos_f[u])]
        return children

    def examples(self, anchor, n_examples, expand=None):
        """Stored inputs where ``anchor`` holds and the decision kept / changed (first ones).

        ``expand(record, presence)`` turns what :meth:`add` stored for a batch and the batch's
        presence rows into its inputs (None for one that cannot be restored, left out); by
        default the stored records are the inputs themselves.
        """
        ok = self.valid(anchor)
        lab = self.labels[: self.m]
        starts = np.asarray(self.input_starts, dtype=np.int64)
        expanded = {}

        def first(rows):
            out = []
            for r in rows:
                if len(out) >= n_examples:
                    break
                b = int(np.searchsorted(starts, r, side="right")) - 1
                if b not in expanded:
                    stop = self.input_starts[b + 1] if b + 1 < len(starts) else self.m
                    record = self.inputs[b]
                    expanded[b] = list(record) if expand is None else expand(record, self.presence[starts[b] : stop])
                item = expanded[b][r - starts[b]]
                if item is not None:
                    out.append(item)
            return out

        if n_examples <= 0:
            return [], []
        return first(np.flatnonzero(ok & lab)), first(np.flatnonzero(ok & ~lab))
