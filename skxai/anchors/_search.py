"""Beam search over anchor size with KL-LUCB, written as a generator per instance.

Each search yields requests ``[(anchor, n_samples), ...]`` and is resumed once the driver has
drawn and labelled those samples into its :class:`SampleStore`. The driver advances every
instance of a chunk one step per round, so all arms of a round of all instances share one
model call.
"""

from __future__ import annotations

import numpy as np

from skxai.anchors._bandit import (
    accepts,
    empty_anchor_bar,
    kl_bounds,
    kl_lower_bound,
    kl_upper_bound,
    lucb_beta,
    validation_beta,
)

# Safety caps on rounds; hitting one never makes an anchor look valid (it is then flagged
# through ``success``), it only bounds the work on pathological instances.
_MAX_LUCB_ROUNDS = 500
_MAX_VALIDATION_ROUNDS = 200


class RowBudgetReached(Exception):  # noqa: N818 (a signal thrown into a search, not an error)
    """Thrown into a search (``generator.throw``) when its next request would draw more rows
    than its budget: the search then ends with what it has (:meth:`AnchorSearch.run`)."""


class AnchorSearch:
    """Search state of one instance.

    Parameters
    ----------
    store : SampleStore
    coverage : callable
        ``coverage(anchor) -> float`` on the coverage data.
    threshold, delta, epsilon, epsilon_stop : float
    samples_per_round : int
        Samples per arm per round.
    beam_size : int
    max_anchor_size : int or None
    objective : {"shortest", "coverage"}
    n_initial : int
        Samples of the empty anchor drawn first (they seed every size-1 candidate).
    """

    def __init__(
        self,
        store,
        coverage,
        *,
        threshold,
        delta,
        epsilon,
        epsilon_stop,
        samples_per_round,
        beam_size,
        max_anchor_size,
        objective,
        n_initial,
    ):
        self.store = store
        self.coverage = coverage
        self.threshold = threshold
        self.delta = delta
        self.epsilon = epsilon
        self.epsilon_stop = epsilon_stop
        self.samples_per_round = samples_per_round
        self.beam_size = beam_size
        self.max_anchor_size = max_anchor_size
        self.objective = objective
        self.n_initial = n_initial
        self.order = {(): ()}
        self.accepted = {}
        self.validation = {}
        self.n_rounds = 0
        self.budget_reached = False
        n_units = store.n_units
        self.beta_val = validation_beta(max(n_units, 1), beam_size, delta)

    # -- statistics -------------------------------------------------------------------------
    def _stats(self, anchors):
        """``(n_samples, n_positive)`` rows of the tracked anchors."""
        return np.asarray([self.store.stats[a] for a in anchors], dtype=np.float64).reshape(-1, 2)

    def _means(self, anchors):
        st = self._stats(anchors)
        n = st[:, 0]
        return n, np.where(n > 0, st[:, 1] / np.maximum(n, 1), 0.0)

    def kl_stats(self, st):
        """Mean, KL lower and upper bound at the validation confidence, and ``n`` of stats."""
        return kl_bounds(st, self.beta_val)

    def bounds(self, anchors):
        """Mean, lower and upper bound (validation confidence) and sample count per anchor."""
        return self.kl_stats(self._stats(anchors))

    # -- steps ------------------------------------------------------------------------------
    def _validate(self, anchors, fresh=True):
        """Accept or reject anchors.

        The samples that made KL-LUCB pick an anchor overestimate it (the best of many noisy
        arms). So an anchor is accepted on those pooled samples only when their lower bound
        clears ``threshold`` itself; otherwise (with ``fresh``) only samples drawn here count:
        accepted when their mean reaches ``threshold`` and their lower bound
        ``threshold - epsilon_stop``, rejected when, after at least two batches with a failure,
        their upper bound falls below ``threshold + epsilon_stop`` (or the pooled one below
        ``threshold``).
        A single batch would reject many anchors just above the threshold: with
        ``threshold + epsilon_stop = 1`` any failure rejects.
        """
        thr, eps = self.threshold, self.epsilon_stop
        start = self._stats(anchors) if fresh else np.zeros((len(anchors), 2))
        for _ in range(_MAX_VALIDATION_ROUNDS):
            pm, plb, pub, pn = self.kl_stats(self._stats(anchors))
            mean, lb, ub, n = self.kl_stats(self._stats(anchors) - start)
            pooled = (pn > 0) & (pm >= thr) & (plb >= thr)
            accept = pooled | accepts(mean, lb, n, thr, eps)
            bounded = (n >= 2 * self.samples_per_round) & (ub < thr + eps)
            if thr - eps < 1.0:
                # no failure among the fresh samples is no evidence against the anchor, and its
                # lower bound clears threshold - epsilon_stop after at most
                # beta / -log(threshold - epsilon_stop) samples. With threshold + epsilon_stop
                # above 1 every upper bound is below it: at threshold=1 an anchor of precision 1
                # was rejected after two batches whenever beta (13 words and more) kept 100
                # samples' bound under 0.95, and no anchor of such a document could succeed.
                bounded &= mean < 1.0
            reject = ~accept & (bounded | ((pn > 0) & (pub < thr)))
            more = ~accept & ~reject
            if not more.any():
                break
            yield [(a, self.samples_per_round) for a, m in zip(anchors, more, strict=True) if m]
            self.n_rounds += 1
        st = self._stats(anchors)
        for j, a in enumerate(anchors):
            if pooled[j]:
                self.accepted[a] = pm[j]
                self.validation[a] = (int(st[j, 0]), int(st[j, 1]))
            elif accepts(mean[j], lb[j], n[j], thr, eps):
                self.accepted[a] = mean[j]
                self.validation[a] = (int(st[j, 0] - start[j, 0]), int(st[j, 1] - start[j, 1]))

    def _lucb(self, cands, top_n):
        n, _ = self._means(cands)
        if (n == 0).any():
            yield [(c, self.samples_per_round) for c, k in zip(cands, n, strict=True) if k == 0]
            self.n_rounds += 1
        if len(cands) <= top_n:
            return list(range(len(cands)))
        t = 1
        while True:
            n, mean = self._means(cands)
            order = np.argsort(-mean, kind="stable")
            J, notJ = order[:top_n], order[top_n:]
            beta = lucb_beta(len(cands), t, self.delta)
            ub = kl_upper_bound(mean[notJ], beta / n[notJ])
            lb = kl_lower_bound(mean[J], beta / n[J])
            ut, lt = notJ[np.argmax(ub)], J[np.argmin(lb)]
            if ub.max() - lb.min() <= self.epsilon or t > _MAX_LUCB_ROUNDS:
                return [int(j) for j in J]
            yield [(cands[ut], self.samples_per_round), (cands[lt], self.samples_per_round)]
            self.n_rounds += 1
            t += 1

    def run(self):
        """Generator: yields sample requests; returns the chosen anchor and the beams.

        :class:`RowBudgetReached` thrown in at a request ends the search there: the best
        accepted anchor if one was (``objective="coverage"``), otherwise the most precise beam
        member with ``success=False``; ``budget_reached`` is then set.
        """
        self._beams, self._best, self._found = [[()]], (), False
        try:
            return (yield from self._run())
        except RowBudgetReached:
            self.budget_reached = True
            return self._conclude(self._beams)

    def _conclude(self, beams):
        if self._found:
            return self._best, True, beams
        # no anchor reached the threshold: report the most precise beam member, flagged
        members = [a for b in beams for a in b]
        mean, lb, _, _ = self.bounds(members)
        i = max(range(len(members)), key=lambda j: (mean[j], lb[j], -len(members[j])))
        return members[i], False, beams

    def _run(self):
        store = self.store
        n_units = store.n_units
        store.track(())
        yield [((), self.n_initial)]
        self.n_rounds += 1
        # The empty anchor claims that nothing needs keeping; as in anchor-exp it must clear
        # the threshold itself with its lower bound, not only threshold - epsilon_stop. While
        # its estimate reaches the threshold but its bound does not decide, draw more of it:
        # stopping early would hand the answer to an arbitrary first word (a long document
        # under UNK masking, where almost nothing flips the decision).
        # It stops, as _validate rejects, once the upper bound falls below threshold +
        # epsilon_stop: an empty anchor only just above the threshold is not worth the rows.
        for _ in range(_MAX_VALIDATION_ROUNDS):
            mean, lb, ub, _ = self.bounds([()])
            bar = empty_anchor_bar(self.threshold, self.epsilon_stop)
            # (capped at 1: an upper bound never passes it, and at threshold 1 the empty anchor
            # was given up after its first batch)
            if lb[0] >= bar or mean[0] < self.threshold or ub[0] < min(self.threshold + self.epsilon_stop, 1.0):
                break
            yield [((), self.samples_per_round)]
            self.n_rounds += 1
        mean, lb, _, _ = self.bounds([()])
        if mean[0] >= self.threshold and lb[0] >= empty_anchor_bar(self.threshold, self.epsilon_stop):
            st = self._stats([()])
            self.accepted[()] = mean[0]
            self.validation[()] = (int(st[0, 0]), int(st[0, 1]))
        beams = self._beams
        best = ()
        if () in self.accepted and self.objective == "shortest":
            return best, True, beams
        best_cov = self.coverage(()) if () in self.accepted else -1.0
        self._found = () in self.accepted
        max_size = n_units if self.max_anchor_size is None else min(self.max_anchor_size, n_units)
        beam = [()]
        all_units = np.arange(n_units)
        for _size in range(1, max_size + 1):
            cands = []
            seen = set()
            for parent in beam:
                rest = np.setdiff1d(all_units, parent)
                for unit, child in zip(rest, store.track_children(parent, rest), strict=True):
                    if child in seen:
                        continue
                    seen.add(child)
                    self.order.setdefault(child, self.order[parent] + (int(unit),))
                    cands.append(child)
            if self.objective == "coverage":
                cands = [c for c in cands if self.coverage(c) > best_cov]
            if not cands:
                break
            chosen = yield from self._lucb(cands, min(self.beam_size, len(cands)))
            beam = [cands[i] for i in chosen]
            beams.append(beam)
            yield from self._validate(beam)
            ok = [a for a in beam if a in self.accepted]
            if ok:
                if self.objective == "shortest":
                    # ties between anchors of the shortest size go to the highest precision
                    best = max(ok, key=lambda a: (self.accepted[a], -beam.index(a)))
                    return best, True, beams
                for a in sorted(ok, key=lambda a: -self.accepted[a]):
                    cov = self.coverage(a)
                    if cov > best_cov:
                        best_cov, self._best, self._found = cov, a, True
                if best_cov >= 1.0:
                    break
        return self._conclude(beams)
