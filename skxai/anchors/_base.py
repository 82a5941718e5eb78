"""Shared machinery of the Anchors explainers: parameters, parallel lock-step search, summaries."""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.utils import check_random_state, gen_even_slices
from sklearn.utils.parallel import Parallel, delayed

from skxai.anchors._driver import run_lockstep
from skxai.anchors._search import AnchorSearch
from skxai.anchors._store import SampleStore
from skxai.base import BaseExplainer

_RESULT_ARRAYS = (
    ("precision", float),
    ("precision_lower", float),
    ("precision_upper", float),
    ("coverage", float),
    ("success", bool),
    ("n_model_calls", int),
    ("n_rows", int),
    ("n_samples", int),
)


def result_arrays(results):
    """The per-instance scalar fields of search results, one array each (explanation fields)."""
    return {k: np.asarray([r[k] for r in results], dtype=dt) for k, dt in _RESULT_ARRAYS}


def _summarise(search, best, success, n_examples):
    store = search.store
    ordered = search.order.get(best, best)
    prefixes = [tuple(sorted(ordered[: k + 1])) for k in range(len(ordered))] or [()]
    for p in prefixes:
        store.stats[p] = list(store.count(p))
    mean, lb, ub, n = search.bounds(prefixes)
    if best in search.validation:
        # report the unbiased estimate of the validation samples, not the pooled one
        v = np.asarray([search.validation[best]], dtype=np.float64)
        mean[-1], lb[-1], ub[-1], n[-1] = (x[0] for x in search.kl_stats(v))
    held, failed = store.examples(best, n_examples)
    cands = list(store.stats)
    cm, clb, cub, cn = search.bounds(cands)
    return {
        "units": ordered,
        "success": bool(success),
        "precision": float(mean[-1]),
        "precision_lower": float(lb[-1]),
        "precision_upper": float(ub[-1]),
        "n_samples": int(n[-1]),
        "coverage": float(search.coverage(best)),
        "prefix_units": [search.order.get(p, p) for p in prefixes] if ordered else [],
        "prefix_precision": mean.tolist() if ordered else [],
        "prefix_coverage": [float(search.coverage(p)) for p in prefixes] if ordered else [],
        "examples_held": held,
        "examples_failed": failed,
        "candidates": [
            (search.order.get(c, c), len(c), float(cm[j]), float(clb[j]), float(cub[j]), int(cn[j]))
            for j, c in enumerate(cands)
            if cn[j] > 0
        ],
        "n_rounds": search.n_rounds,
    }


def _explain_chunk(explainer, items, refs, seeds):
    sampler = explainer._make_sampler(items, refs)
    params = explainer._search_params()
    searches = []
    for i in range(len(items)):
        store = SampleStore(sampler.n_units(i), reuse=sampler.reuse)
        cov = sampler.coverage_function(i)
        searches.append(AnchorSearch(store, cov, **params))
    rngs = [np.random.RandomState(s) for s in seeds]
    results, calls, rows, total = run_lockstep(searches, sampler, rngs)
    out = []
    for i, (s, (best, success, _beams)) in enumerate(zip(searches, results, strict=True)):
        summary = _summarise(s, best, success, explainer.n_examples)
        summary["n_model_calls"] = int(calls[i])
        summary["n_rows"] = int(rows[i])
        out.append(summary)
    return out, total, sampler.rows_evaluated


class BaseAnchorExplainer(BaseExplainer):
    """Base of the Anchors explainers: KL-LUCB beam search run in lock-step over instances."""

    _default_scoring = "precision"

    def _check_search_params(self):
        for name in ("threshold", "delta", "epsilon", "epsilon_stop"):
            if not hasattr(self, name):
                continue
            v = getattr(self, name)
            if not isinstance(v, numbers.Real) or not 0 <= v <= 1:
                raise ValueError(f"{name} must be a number in [0, 1], got {v!r}.")
        if not 0 < self.delta < 1:
            raise ValueError(f"delta must be in (0, 1), got {self.delta!r}.")
        for name in ("batch_size", "beam_size", "model_batch_size", "n_examples"):
            if not hasattr(self, name):
                continue
            v = getattr(self, name)
            if not isinstance(v, numbers.Integral) or v < (0 if name == "n_examples" else 1):
                raise ValueError(f"{name} must be a positive integer, got {v!r}.")
        m = self.max_anchor_size
        if m is not None and (not isinstance(m, numbers.Integral) or m < 1):
            raise ValueError(f"max_anchor_size must be None or a positive integer, got {m!r}.")
        if self.objective not in ("shortest", "coverage"):
            raise ValueError(
                f"objective={self.objective!r} is not supported; use 'shortest' or 'coverage'."
            )

    def _n_initial(self):
        return self.batch_size

    def _search_params(self):
        return dict(
            threshold=float(self.threshold),
            delta=float(self.delta),
            epsilon=float(self.epsilon),
            epsilon_stop=float(self.epsilon_stop),
            batch_size=int(self.batch_size),
            beam_size=int(self.beam_size),
            max_anchor_size=self.max_anchor_size,
            objective=self.objective,
            n_initial=int(self._n_initial()),
        )

    def _run_search(self, items, refs):
        """Search anchors of every item; chunks go to joblib workers, seeds drawn up front."""
        n = len(items)
        rng = check_random_state(self.random_state)
        seeds = rng.randint(np.iinfo(np.int32).max, size=n)
        from joblib import effective_n_jobs

        # chunks small enough that a round's rows stay near model_batch_size (memory bound)
        per_chunk = max(1, int(self.model_batch_size) // max(1, self._n_initial()))
        n_chunks = min(n, max(effective_n_jobs(self.n_jobs), -(-n // per_chunk)))
        slices = list(gen_even_slices(n, n_chunks))
        parts = Parallel(n_jobs=self.n_jobs)(
            delayed(_explain_chunk)(self, items[s], refs[s], seeds[s]) for s in slices
        )
        out = [r for part, _, _ in parts for r in part]
        totals = {
            "total_model_calls": int(sum(t for _, t, _ in parts)),
            "total_rows": int(sum(r for _, _, r in parts)),
        }
        return out, totals

    def _fresh_precision(self, items, refs, anchors, n_samples, random_state):
        """Precision of ``anchors`` (tuples of units) on fresh samples, one model pass."""
        rng = check_random_state(random_state)
        sampler = self._make_sampler(items, refs)
        inputs, sizes = [], []
        for i, anchor in enumerate(anchors):
            _, X = sampler.sample(i, tuple(sorted(anchor)), n_samples, rng)
            inputs.append(X)
            sizes.append(n_samples)
        labels, _ = sampler.predict(sampler.concat(inputs))
        owner = np.repeat(np.arange(len(items)), sizes)
        held = labels == np.asarray(refs)[owner]
        return np.bincount(owner, weights=held, minlength=len(items)) / n_samples

    def _score_explanation(self, X, y=None):
        """Mean precision of the anchors of ``X`` re-estimated on fresh samples (or ``scoring``).

        ``scoring``: None or "precision" (default), "coverage", or a callable
        ``(explainer, X, y) -> float``.
        """
        scoring = self.scoring or "precision"
        if scoring == "precision":
            return float(np.mean(self.estimate_precision(X, random_state=self.random_state)))
        if scoring == "coverage":
            return float(np.mean(self.explain(X).coverage))
        return super()._score_explanation(X, y)
