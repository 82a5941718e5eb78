"""Shared machinery of the Anchors explainers: parameters, parallel lock-step search, summaries."""

from __future__ import annotations

import contextlib
import numbers

import numpy as np
from sklearn.utils import gen_even_slices

from skxai._adapters import cast_for_model, kept_model_state, unwrap_frozen
from skxai._progress import closing_progress
from skxai.anchors._driver import run_lockstep
from skxai.anchors._search import AnchorSearch
from skxai.anchors._store import SampleStore
from skxai.base import BaseExplainer
from skxai.utils._parallel import map_shared
from skxai.utils._param_validation import (
    BATCH_SIZE,
    N_JOBS,
    RANDOM_STATE,
    RESPONSE_METHOD,
    VERBOSE,
    Interval,
    StrOptions,
    deprecated_param,
)
from skxai.utils._random import check_random_state
from skxai.utils._warnings import warn_at_caller

_UNIT = Interval(numbers.Real, 0, 1, closed="both")

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


def _summarise(search, best, success, n_examples, expand=None):
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
    held, failed = store.examples(best, n_examples, expand)
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
        "budget_reached": bool(search.budget_reached),
    }


def labels_of(out):
    """``out`` as one class label per row where a callable returned labels that are not numbers
    (strings, objects), else None."""
    if hasattr(out, "detach") or not (isinstance(out, list | tuple) or hasattr(out, "__array__")):
        return None  # (a tensor holds numbers)
    try:
        arr = np.asarray(out)  # a pandas Series, Index or Categorical of labels too
    except (TypeError, ValueError):
        return None
    if arr.dtype.kind not in "OUS" or arr.ndim == 0 or arr.size != arr.shape[0]:
        return None
    arr = arr.reshape(-1)
    if arr.dtype.kind == "O":
        try:  # numbers in an object array are outputs, read as numbers
            arr.astype(np.float64)
            return None
        except (TypeError, ValueError):
            pass
    return arr


def decisions(explainer, rows, n_rows, what, *, predict_input=None):
    """The model's decision per row: ``predict``, else the argmax of the explained output.

    ``predict_input(rows)`` turns rows into what the estimator's ``predict`` takes (tables:
    the frame with the original column names and dtypes).

    A model (often a plain callable) that returns a scalar or a number of decisions other
    than ``n_rows`` is a ``ValueError`` that says so, instead of an ``IndexError`` later.
    """
    est = explainer.estimator_
    labels = explainer.output_.method != "__call__" and hasattr(est, "predict")
    try:
        if labels:
            X = cast_for_model(est, rows if predict_input is None else predict_input(rows))
            # skorch's predict leaves the net in evaluation mode; rows of an explainer fitted on
            # an array for a model that names its columns stay an array, its warning silenced
            # as in every tabular family (it came at every call)
            quiet = getattr(explainer.output_, "_quiet", None)
            with kept_model_state(est), quiet(X) if quiet is not None else contextlib.nullcontext():
                out = np.asarray(est.predict(X))
        else:
            raw = explainer.output_.raw(rows)
            # a callable's class labels ("pos", "neg"): decisions are compared for equality only,
            # and reading them as numbers refused them ("must return numbers")
            out = labels_of(raw)
            if out is None:
                out = explainer.output_.check_output(raw, n_rows)
    except (IndexError, np.exceptions.AxisError) as exc:
        raise ValueError(
            f"The model's output on {n_rows} {what} could not be read as one decision per {what[:-1]} ({exc})."
        ) from exc
    if out.ndim == 0 or out.shape[0] != n_rows:
        got = "a scalar" if out.ndim == 0 else f"{out.shape[0]} outputs"
        raise ValueError(
            f"The model returned {got} for {n_rows} {what}; it must return one decision (or one "
            f"row of scores) per {what[:-1]}. Check the estimator or callable given to "
            f"{type(explainer).__name__}."
        )
    if out.dtype.kind in "fc" and not np.isfinite(out).all():
        bad = np.unique(np.nonzero(~np.isfinite(out))[0])
        raise ValueError(
            f"The model returned NaN or inf on {bad.size} of {n_rows} {what} (indices {bad[:10].tolist()} of "
            f"the {what} of that call: at fit, of the data given to fit; while explaining, perturbed samples): "
            "no decision can be read from them."
        )
    if out.ndim == 1:
        return out
    if labels and out.shape[1] > 1:
        # a multi-output (multilabel) classifier: the argmax of its label vector made [0, 0],
        # [1, 0] and [1, 1] one "class 0", and anchors kept that instead of the labels
        raise ValueError(
            f"{type(unwrap_frozen(est)).__name__}.predict returned labels of shape {out.shape}, not one "
            "class label per row (a multi-output or multilabel classifier): an anchor keeps one "
            "decision. Explain one output at a time, e.g. a callable returning the probabilities "
            "of one output."
        )
    return out[:, 0] if out.shape[1] == 1 else np.argmax(out, axis=1)


def warn_if_scores_read_as_labels(explainer, decided, what):
    """Warn when the decisions a model without ``predict`` (a callable, a network) gives as one
    column of numbers hold non-integers: one probability per row makes each row's exact value
    its own class (the anchor then kept every word, precision 1.0). Float labels (half-star
    ratings) stay possible, hence a warning."""
    if explainer.output_.method != "__call__" and hasattr(explainer.estimator_, "predict"):
        return  # the model's own labels
    decided = np.asarray(decided)
    if decided.dtype.kind not in "fc" or decided.size == 0:
        return
    fractional = decided != np.round(decided)
    if fractional.any():
        value = float(decided[np.flatnonzero(fractional)[0]])
        warn_at_caller(
            f"The model gives one number per {what[:-1]}, read as its class label, and some are not "
            f"integers ({value:.6g}): each distinct value is a class of its own. If it is a "
            "probability or a score, give labels (e.g. (p > 0.5).astype(int)) or one column of "
            "scores per class (the decision is then their argmax).",
            UserWarning,
        )


def _explain_chunk(explainer, items, refs, seeds):
    sampler = explainer._make_sampler(items, refs)
    params = explainer._search_params()
    searches = []
    for i in range(len(items)):
        store = SampleStore(sampler.n_units(i), reuse=sampler.reuse)
        cov = sampler.coverage_function(i)
        searches.append(AnchorSearch(store, cov, **params))
    rngs = [np.random.RandomState(s) for s in seeds]
    budgets = getattr(sampler, "budgets", None)
    results, calls, rows, total = run_lockstep(
        searches, sampler, rngs, budgets=budgets, piece_rows=getattr(sampler, "piece_rows", None)
    )
    out = []
    expand = getattr(sampler, "expand", None)
    for i, (s, (best, success, _beams)) in enumerate(zip(searches, results, strict=True)):
        summary = _summarise(
            s,
            best,
            success,
            explainer.n_examples,
            None if expand is None else (lambda rec, pres, i=i: expand(i, rec, pres)),
        )
        summary["n_model_calls"] = int(calls[i])
        summary["n_rows"] = int(rows[i])
        out.append(summary)
    return out, total, sampler.rows_evaluated


class BaseAnchorExplainer(BaseExplainer):
    """Base of the Anchors explainers: KL-LUCB beam search run in lock-step over instances."""

    _default_scoring = "precision"

    # The parameters both anchor explainers share; each adds its own.
    _parameter_constraints: dict = {
        "estimator": "no_validation",
        "threshold": [_UNIT],
        "delta": [Interval(numbers.Real, 0, 1, closed="neither")],
        "epsilon_stop": [_UNIT],
        "beam_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "max_anchor_size": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "objective": [StrOptions({"shortest", "coverage"})],
        "response_method": RESPONSE_METHOD,
        "n_examples": [Interval(numbers.Integral, 0, None, closed="left")],
        "batch_size": BATCH_SIZE,
        "model_batch_size": [Interval(numbers.Integral, 1, None, closed="left"), StrOptions({"deprecated"})],
        "n_jobs": N_JOBS,
        "verbose": VERBOSE,
        "random_state": RANDOM_STATE,
        "scoring": [StrOptions({"precision", "coverage"}), callable, None],
    }

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # an anchor keeps one decision per row: a multi-output (multilabel) classifier is
        # refused at fit (see decisions), so the explainer does not take several targets
        tags.target_tags.multi_output = False
        return tags

    def _fit_estimator(self, X, y=None, **fit_params):
        shape = None if y is None else getattr(y, "shape", None) or np.asarray(y).shape
        if shape is not None and len(shape) == 2 and shape[1] == 1:
            # one target as a column: trained on a column, a multi-output classifier would
            # predict labels of shape (n, 1); as scikit-learn's single-output classifiers do,
            # the column is raveled with a DataConversionWarning
            import warnings

            from sklearn.exceptions import DataConversionWarning

            warnings.warn(
                "A column-vector y was passed when a 1d array was expected: an anchor keeps one "
                "decision per row. Please change the shape of y to (n_samples,), for example using ravel().",
                DataConversionWarning,
                stacklevel=3,
            )
            y = np.ravel(y)
        return super()._fit_estimator(X, y, **fit_params)

    def _check_classifier(self):
        """Refuse a regressor at ``fit``, before training it.

        An anchor keeps a *decision*; a regressor's continuous predictions are almost never
        equal, so its anchors (precision near 0, ``success=False``) would describe float
        equality, not the model.
        """
        from skxai._adapters import regressor_name

        if regressor_name(self.estimator) is not None:
            raise ValueError(
                f"{type(self).__name__} explains classifiers (an anchor keeps the predicted class); "
                f"{type(self.estimator).__name__} is a regressor. Explain a classifier, e.g. one "
                "predicting whether the value exceeds a cut-off, or use a Shapley explainer."
            )

    def _check_threshold(self):
        """Refuse ``threshold - epsilon_stop >= 1`` at ``fit``: a lower bound of 1 takes
        infinitely many samples, so no anchor, not even one of precision 1, could be accepted."""
        if float(self.threshold) - float(self.epsilon_stop) >= 1.0:
            raise ValueError(
                f"threshold={float(self.threshold)} with epsilon_stop={float(self.epsilon_stop)} asks for "
                "a lower bound of 1 on the precision, which no finite number of samples gives: every "
                "anchor would fail. Leave some slack (epsilon_stop > 0, e.g. 0.01) or lower threshold."
            )

    def _rows_per_call(self):
        """Model rows per call: ``batch_size`` (or the deprecated ``model_batch_size``)."""
        value = deprecated_param(self, "model_batch_size", "batch_size")
        return 10_000 if value is None else int(value)

    def _n_initial(self):
        return self.samples_per_round

    def _searches_within_memory(self, items):
        """How many searches of ``items`` may run together (no bound here)."""
        return len(items) or 1

    def _search_params(self):
        return dict(
            threshold=float(self.threshold),
            delta=float(self.delta),
            epsilon=float(self.epsilon),
            epsilon_stop=float(self.epsilon_stop),
            samples_per_round=int(self.samples_per_round),
            beam_size=int(self.beam_size),
            max_anchor_size=self.max_anchor_size,
            objective=self.objective,
            n_initial=int(self._n_initial()),
        )

    def _run_search(self, items, refs, seeds):
        """Search anchors of every item; chunks go to joblib workers.

        ``seeds``: one per item, from the caller and from the item's content, not its position
        (a seed per position made an item's anchor depend on the items explained with it).
        """
        n = len(items)
        from joblib import effective_n_jobs

        # chunks small enough that a round's rows stay near batch_size (memory bound), and
        # whose searches fit in working memory together (long documents)
        per_chunk = max(1, self.rows_per_call_ // max(1, self._n_initial()))
        per_chunk = min(per_chunk, self._searches_within_memory(items))
        n_chunks = min(n, max(effective_n_jobs(self.n_jobs), -(-n // per_chunk)))
        slices = list(gen_even_slices(n, n_chunks))
        # the bar counts finished chunks (results come back in order, so seeds and outputs
        # do not depend on n_jobs)
        with closing_progress(
            # the explainer (and its model) once per worker of a Dask cluster, not with every chunk
            map_shared(
                _explain_chunk,
                self,
                [(items[s], refs[s], seeds[s]) for s in slices],
                n_jobs=self.n_jobs,
                return_as="generator",
            ),
            verbose=self.verbose,
            total=len(slices),
            desc=type(self).__name__,
            unit="chunk",
        ) as bar:
            parts = list(bar)
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
