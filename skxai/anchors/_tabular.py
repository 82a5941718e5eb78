"""Anchors for tabular models: rules on quantile bins, perturbations from background rows."""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.utils.validation import check_is_fitted

from skxai._adapters import ModelOutput
from skxai._data import TabularSchema
from skxai._explanation import Explanation
from skxai.anchors._bandit import kl_lower_bound, kl_upper_bound
from skxai.anchors._base import BaseAnchorExplainer, result_arrays


def _tabular_anchor(match, held, *, threshold, epsilon_stop, beta, beam_size, max_size,
                    objective, n_examples):
    """Beam search of one row's anchor with exact precision on the background.

    ``match`` (B, F): background rows in the row's bin, per feature; ``held`` (B,): the
    decision on each background row equals the row's. A candidate's precision is the share
    of held decisions among the background rows in all its bins (the empirical ``D(. | A)``,
    computed exactly, no sampling), its bounds the KL bounds with those rows as the sample.
    """
    B, F = match.shape
    stats = {}

    def add(anchor, rows):
        if anchor not in stats:
            n = int(rows.sum())
            stats[anchor] = (n, int(np.count_nonzero(held & rows)))

    def bounds(anchors):
        st = np.asarray([stats[a] for a in anchors], dtype=np.float64).reshape(-1, 2)
        n = st[:, 0]
        mean = np.where(n > 0, st[:, 1] / np.maximum(n, 1), 0.0)
        level = beta / np.maximum(n, 1)
        lb = np.where(n > 0, kl_lower_bound(mean, level), 0.0)
        ub = np.where(n > 0, kl_upper_bound(mean, level), 1.0)
        return mean, lb, ub, n

    def ok(anchors):
        mean, lb, _, _ = bounds(anchors)
        return (mean >= threshold) & (lb >= threshold - epsilon_stop)

    order = {(): ()}
    add((), np.ones(B, dtype=bool))
    beams = [[()]]
    found, best, best_key = False, (), None
    mean0, lb0, _, _ = bounds([()])
    if mean0[0] >= threshold and lb0[0] >= threshold:
        found = True
    beam = [()]
    for _size in range(1, (max_size or F) + 1):
        if found and objective == "shortest":
            break
        cands = []
        for parent in beam:
            rows = np.all(match[:, list(parent)], axis=1) if parent else np.ones(B, dtype=bool)
            sub = match & rows[:, None]
            n_f = sub.sum(axis=0)
            pos_f = (sub & held[:, None]).sum(axis=0)
            for f in range(F):
                if f in parent:
                    continue
                child = tuple(sorted(parent + (f,)))
                if child in stats:
                    continue
                stats[child] = (int(n_f[f]), int(pos_f[f]))
                order[child] = order[parent] + (f,)
                cands.append(child)
        cands = [c for c in cands if stats[c][0] > 0]
        if objective == "coverage" and found:
            cands = [c for c in cands if stats[c][0] > stats[best][0]]
        if not cands:
            break
        mean, lb, _, n = bounds(cands)
        # rank by lower bound: a precise anchor on three rows is no better than a rule
        top = np.lexsort((-n, -mean, -lb))[:beam_size]
        beam = [cands[i] for i in top]
        beams.append(beam)
        good = [c for c, g in zip(cands, ok(cands), strict=True) if g]
        for c in good:
            key = (stats[c][0], stats[c][1] / stats[c][0]) if objective == "coverage" else (
                stats[c][1] / stats[c][0], stats[c][0])
            if best_key is None or key > best_key:
                found, best, best_key = True, c, key
    if not found:
        members = [a for b in beams for a in b]
        mean, lb, _, _ = bounds(members)
        best = members[max(range(len(members)), key=lambda j: (mean[j], lb[j]))]
    ordered = order[best]
    prefixes = [tuple(sorted(ordered[: k + 1])) for k in range(len(ordered))] or [()]
    for p in prefixes:
        add(p, np.all(match[:, list(p)], axis=1) if p else np.ones(B, dtype=bool))
    pm, plb, pub, pn = bounds(prefixes)
    rows = np.all(match[:, list(best)], axis=1) if best else np.ones(B, dtype=bool)
    cand_list = list(stats)
    cm, clb, cub, cn = bounds(cand_list)
    return {
        "units": ordered,
        "success": bool(found),
        "precision": float(pm[-1]),
        "precision_lower": float(plb[-1]),
        "precision_upper": float(pub[-1]),
        "n_samples": int(pn[-1]),
        "coverage": float(pn[-1] / B),
        "prefix_precision": pm.tolist() if ordered else [],
        "prefix_coverage": (pn / B).tolist() if ordered else [],
        "held_rows": np.flatnonzero(rows & held)[:n_examples],
        "failed_rows": np.flatnonzero(rows & ~held)[:n_examples],
        "candidates": [
            (order.get(c, c), len(c), float(cm[j]), float(clb[j]), float(cub[j]), int(cn[j]))
            for j, c in enumerate(cand_list)
        ],
        "n_model_calls": 0,
        "n_rows": 0,
    }


class AnchorTabularExplainer(BaseAnchorExplainer):
    """Anchors for tabular models: if-then rules on feature bins that keep the decision.

    ``fit`` learns quantile bins of each numeric feature (``n_bins`` per feature; features
    with at most ``n_bins`` distinct values, non-numeric columns and ``categorical_features``
    use their values as bins) on the background data, and the model's decision on every
    background row. An anchor is a set of features whose bins are fixed to the explained
    row's bins. Its perturbation distribution is the background restricted to the rows in
    all of the anchor's bins (the empirical ``D(. | A)`` of the Anchors paper), so its
    precision (share of those rows with the row's decision) and coverage (share of the
    background in those bins) are computed exactly, with no sampling and no model call
    beyond the background's. ``precision_lower`` / ``precision_upper`` are KL bounds at level
    ``delta`` on the precision in the population the background was drawn from, with the
    rows in the anchor's bins as the sample, so rules supported by a handful of rows are
    not accepted. A beam search over
    anchor size keeps the ``beam_size`` candidates with the highest lower bound and accepts
    anchors with precision >= ``threshold`` and lower bound >= ``threshold - epsilon_stop``.

    Parameters
    ----------
    estimator : estimator or callable
        Classifier; used as is when fitted and ``fit`` gets no ``y``.
    threshold : float, default=0.95
    n_bins : int, default=4
        Quantile bins per numeric feature.
    categorical_features : array-like of int, default=None
        Features whose values are their own bins.
    delta : float, default=0.1
        Confidence parameter of the bounds.
    epsilon_stop : float, default=0.05
    beam_size : int, default=2
    max_anchor_size : int, default=None
    objective : {"shortest", "coverage"}, default="shortest"
    max_background : int, default=None
        Rows of ``X`` kept as background (a random subset; None keeps all).
    response_method : str, default="auto"
    n_examples : int, default=10
        Background rows kept where the anchor holds with the decision kept / changed.
    model_batch_size : int, default=10000
        Most rows per model call.
    n_jobs : int, default=None
        joblib workers over chunks of rows.
    random_state : int, RandomState or None
        Only draws the ``max_background`` subset (the search itself is deterministic).
    scoring : str or callable, default=None
        "precision" (mean anchor precision, the default), "coverage" or a callable.

    Attributes
    ----------
    estimator_ : estimator
    background_ : ndarray
    background_bins_ : ndarray of int
    bin_edges_ : list of ndarray or None
        Inner quantile edges per feature (None for features binned by value).
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Defined when fit on a DataFrame.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skxai.anchors import AnchorTabularExplainer
    >>> X, y = load_iris(return_X_y=True)
    >>> model = LogisticRegression(max_iter=500).fit(X, y)
    >>> exp = AnchorTabularExplainer(model, random_state=0).fit(X).explain(X[:1])
    >>> bool(exp.success[0]), exp.precision[0] >= 0.95
    (True, np.True_)
    """

    def __init__(
        self,
        estimator,
        *,
        threshold=0.95,
        n_bins=4,
        categorical_features=None,
        delta=0.1,
        epsilon_stop=0.05,
        beam_size=2,
        max_anchor_size=None,
        objective="shortest",
        max_background=None,
        response_method="auto",
        n_examples=10,
        model_batch_size=10_000,
        n_jobs=None,
        random_state=None,
        scoring=None,
    ):
        self.estimator = estimator
        self.threshold = threshold
        self.n_bins = n_bins
        self.categorical_features = categorical_features
        self.delta = delta
        self.epsilon_stop = epsilon_stop
        self.beam_size = beam_size
        self.max_anchor_size = max_anchor_size
        self.objective = objective
        self.max_background = max_background
        self.response_method = response_method
        self.n_examples = n_examples
        self.model_batch_size = model_batch_size
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.scoring = scoring

    def fit(self, X, y=None, **fit_params):
        """Take (or fit) the model and learn the background and its bins.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
        y : array-like, optional
            Labels to fit an unfitted estimator.
        **fit_params : dict

        Returns
        -------
        self
        """
        self._check_search_params()
        if not isinstance(self.n_bins, numbers.Integral) or self.n_bins < 2:
            raise ValueError(f"n_bins must be an integer >= 2, got {self.n_bins!r}.")
        schema = TabularSchema(X)
        Xa = schema.to_array(X)
        self._schema = schema
        self.n_features_in_ = Xa.shape[1]
        if schema.feature_names is not None:
            self.feature_names_in_ = schema.feature_names
        self._names = (
            list(schema.feature_names)
            if schema.feature_names is not None
            else [f"x{j}" for j in range(Xa.shape[1])]
        )
        self.estimator_ = self._fit_estimator(schema.to_model_input(Xa), y, **fit_params)
        self.output_ = ModelOutput(self.estimator_, self.response_method, schema)
        bg = Xa
        if self.max_background is not None and len(Xa) > self.max_background:
            rng = np.random.RandomState(self._seed())
            bg = Xa[np.sort(rng.choice(len(Xa), self.max_background, replace=False))]
        self.background_ = bg
        cat = np.zeros(Xa.shape[1], dtype=bool)
        if self.categorical_features is not None:
            idx = np.asarray(self.categorical_features, dtype=int)
            if idx.size and (idx.min() < 0 or idx.max() >= Xa.shape[1]):
                raise ValueError(
                    f"categorical_features {idx.tolist()} out of range for {Xa.shape[1]} features."
                )
            cat[idx] = True
        self.bin_edges_, self._values, self._as_str = [], [], []
        for j in range(Xa.shape[1]):
            col = bg[:, j]
            try:  # numeric columns of a mixed table still get quantile bins
                colf = col.astype(np.float64)
                numeric = not np.isnan(colf).any()
            except (TypeError, ValueError):
                numeric = False
            self._as_str.append(not numeric)
            uniq = np.unique(colf) if numeric else np.unique(col.astype(str))
            if cat[j] or not numeric or len(uniq) <= self.n_bins:
                self.bin_edges_.append(None)
                self._values.append(uniq)
            else:
                qs = np.arange(1, self.n_bins) / self.n_bins
                edges = np.unique(np.quantile(colf, qs, method="inverted_cdf"))
                edges = edges[edges > colf.min()]
                self.bin_edges_.append(edges)
                self._values.append(None)
        self.background_bins_ = self._bin(bg)
        self.background_decisions_ = np.concatenate(
            [
                self._decide(bg[s : s + self.model_batch_size])
                for s in range(0, len(bg), self.model_batch_size)
            ]
        )
        return self

    def _seed(self):
        from sklearn.utils import check_random_state

        return check_random_state(self.random_state).randint(np.iinfo(np.int32).max)

    def _bin(self, A):
        out = np.empty(A.shape, dtype=np.int64)
        for j, edges in enumerate(self.bin_edges_):
            if edges is not None:
                out[:, j] = np.searchsorted(edges, A[:, j].astype(np.float64), side="right")
            else:
                vals = self._values[j]
                col = A[:, j].astype(str) if self._as_str[j] else A[:, j].astype(np.float64)
                pos = np.searchsorted(vals, col)
                pos = np.minimum(pos, len(vals) - 1)
                out[:, j] = np.where(vals[pos] == col, pos, -1)
        return out

    def _predicate(self, j, b):
        name = self._names[j]
        edges = self.bin_edges_[j]
        if edges is None:
            vals = self._values[j]
            if b < 0:
                return f"{name} not seen in fit"
            v = vals[b].item() if hasattr(vals[b], "item") else vals[b]
            return f"{name} == {v!r}" if isinstance(v, str) else f"{name} == {v:.6g}"
        if b == 0:
            return f"{name} < {edges[0]:.4g}"
        if b == len(edges):
            return f"{name} >= {edges[-1]:.4g}"
        return f"{edges[b - 1]:.4g} <= {name} < {edges[b]:.4g}"

    def _decide(self, A):
        est = self.estimator_
        if self.output_.method != "__call__" and hasattr(est, "predict"):
            return np.asarray(est.predict(self._schema.to_model_input(A)))
        out = self.output_(A)
        return out[:, 0] if out.shape[1] == 1 else np.argmax(out, axis=1)

    def _rows(self, X):
        check_is_fitted(self)
        return self._schema.to_array(X, n_features=self.n_features_in_)

    def model_output(self, X):
        """The explained response on ``X``: ``(n_samples, n_outputs)``."""
        return self.output_(self._rows(X))

    def target_indices(self, X):
        """Output column of the predicted class per row."""
        out = self.model_output(X)
        if out.shape[1] == 1:
            return np.zeros(len(out), dtype=int)
        return np.argmax(out, axis=1)

    def _search_rows(self, bins, refs):
        # The background is the sample: the bound is the per-anchor KL bound at level delta
        # on the precision in the population the background was drawn from.
        beta = float(np.log(1.0 / self.delta))
        out = []
        for b, ref in zip(bins, refs, strict=True):
            out.append(
                _tabular_anchor(
                    self.background_bins_ == b,
                    self.background_decisions_ == ref,
                    threshold=float(self.threshold),
                    epsilon_stop=float(self.epsilon_stop),
                    beta=beta,
                    beam_size=int(self.beam_size),
                    max_size=self.max_anchor_size,
                    objective=self.objective,
                    n_examples=int(self.n_examples),
                )
            )
        return out

    def explain(self, X):
        """Anchors of rows.

        Returns
        -------
        Explanation
            ``values`` (n, n_features): 1 on anchored features. Per-row fields: ``anchor``
            (rule strings in the order added), ``anchor_features``, ``precision``,
            ``precision_lower``, ``precision_upper``, ``coverage`` (on the background),
            ``prefix_precision``, ``prefix_coverage``, ``examples_held``,
            ``examples_failed``, ``success``, ``n_model_calls``, ``n_rows``, ``n_samples``,
            ``candidates``, ``prediction``; and ``total_model_calls``, ``total_rows``.
        """
        from joblib import effective_n_jobs
        from sklearn.utils import gen_even_slices
        from sklearn.utils.parallel import Parallel, delayed

        A = self._rows(X)
        refs = self._decide(A)
        bins = self._bin(A)
        n, d = A.shape
        n_chunks = min(n, max(1, effective_n_jobs(self.n_jobs)))
        parts = Parallel(n_jobs=self.n_jobs)(
            delayed(self._search_rows)(bins[s], refs[s]) for s in gen_even_slices(n, n_chunks)
        )
        results = [r for part in parts for r in part]
        totals = {"total_model_calls": 1, "total_rows": n}
        values = np.zeros((n, d))
        anchor, feats, cands = [], [], []
        for i, r in enumerate(results):
            units = [int(u) for u in r["units"]]
            values[i, units] = 1.0
            feats.append(tuple(units))
            anchor.append(tuple(self._predicate(j, bins[i, j]) for j in units))
            cands.append(
                [
                    {
                        "anchor": tuple(self._predicate(j, bins[i, j]) for j in c[0]),
                        "features": tuple(int(j) for j in c[0]),
                        "size": c[1],
                        "precision": c[2],
                        "precision_lower": c[3],
                        "precision_upper": c[4],
                        "n_samples": c[5],
                    }
                    for c in r["candidates"]
                ]
            )
        arrays = result_arrays(results)
        lists = {k: [r[k] for r in results] for k in ("prefix_precision", "prefix_coverage")}
        lists["examples_held"] = [self.background_[r["held_rows"]] for r in results]
        lists["examples_failed"] = [self.background_[r["failed_rows"]] for r in results]
        return Explanation(
            values,
            data=X,
            feature_names=self._names,
            method=type(self).__name__,
            anchor=anchor,
            anchor_features=feats,
            candidates=cands,
            prediction=refs,
            **arrays,
            **lists,
            **totals,
        )

    def transform(self, X):
        """Anchor indicator per row, shape ``(n_samples, n_features)``."""
        return self.explain(X).values

    def get_feature_names_out(self, input_features=None):
        """Feature names (columns of :meth:`transform`)."""
        check_is_fitted(self)
        return np.asarray(self._names, dtype=object)

    def estimate_precision(self, X, explanation=None, *, data=None):
        """Precision of the anchors of ``X`` on other rows (e.g. held-out data).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        explanation : Explanation, optional
            From :meth:`explain` on ``X`` (computed when omitted).
        data : array-like, optional
            Rows to evaluate on; default the background (the reported precision).

        Returns
        -------
        ndarray of shape (n_samples,)
            Share of the rows of ``data`` in all of the anchor's bins that get the explained
            row's decision (NaN where no row is in them).
        """
        A = self._rows(X)
        if explanation is None:
            explanation = self.explain(A)
        refs = self._decide(A)
        if data is None:
            D, dec = self.background_, self.background_decisions_
        else:
            D = self._rows(data)
            dec = self._decide(D)
        Db = self._bin(D)
        bins = self._bin(A)
        out = np.full(len(A), np.nan)
        for i, feats in enumerate(explanation.anchor_features):
            f = list(feats)
            rows = np.all(Db[:, f] == bins[i, f], axis=1) if f else np.ones(len(D), dtype=bool)
            if rows.any():
                out[i] = float(np.mean(dec[rows] == refs[i]))
        return out

    def _score_explanation(self, X, y=None):
        """Mean precision of the anchors of ``X`` (or ``scoring``: "coverage", a callable)."""
        scoring = self.scoring or "precision"
        if scoring == "precision":
            return float(np.mean(self.explain(X).precision))
        return super()._score_explanation(X, y)
