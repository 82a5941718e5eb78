"""Anchors for tabular models: rules on quantile bins, perturbations from background rows."""

from __future__ import annotations

import functools
import numbers

import numpy as np
from sklearn.utils.validation import check_is_fitted

from skxai._adapters import ModelOutput
from skxai._data import TabularSchema, in_input_dtype, time_column
from skxai._explanation import Explanation
from skxai._progress import closing_progress
from skxai.anchors._bandit import accepts, empty_anchor_bar, kl_bounds
from skxai.anchors._base import BaseAnchorExplainer, decisions, result_arrays, warn_if_scores_read_as_labels
from skxai.utils import _memory
from skxai.utils._feature_names import internal_call, names_out
from skxai.utils._memory import concurrent_workers, refuse_beyond_working_memory
from skxai.utils._param_validation import Interval, fit_context
from skxai.utils._random import seed_from
from skxai.utils._warnings import warn_at_caller

# Most looks at an anchor's fresh samples (the judging rounds).
_N_LOOKS = 10
#: The longest anchors ``fit`` checks the validation budget admits (see ``_check_validation_samples``).
_SHORT_ANCHOR = 3
# Bytes a candidate of ``s`` conditions holds while a search runs and in its explanation (its
# counts and order in the search, the candidate's dict with its rule strings): about
# ``_CANDIDATE_BYTES + _CONDITION_BYTES * s`` (measured: 0.9 KB and 0.15 KB).
_CANDIDATE_BYTES, _CONDITION_BYTES = 1000, 160
# A search's candidates hold at most this share of the working-memory bound: a constant, so a
# row's anchor never depends on the rows searched with it or on n_jobs (the chunks are made
# small enough for the searches of a chunk, in every worker, to fit together).
_SEARCH_SHARE = 8


def _level(delta, size, beam_size):
    """Validation level ``beta`` of the anchors of one size: a union bound that spends
    ``delta / 2^(size + 1)`` on the ``beam_size`` anchors judged at that size (one at size 0),
    so that every anchor judged in the whole search is covered with ``delta`` in all, and
    short anchors (the usual answer) get most of it."""
    return float(np.log((1 if size == 0 else beam_size) * 2.0 ** (size + 1) / delta))


def _look_level(delta, size, beam_size):
    """:func:`_level` of one of the ``_N_LOOKS`` looks at an anchor's fresh samples."""
    return _level(delta, size, beam_size) + np.log(_N_LOOKS)


def _is_missing(col):
    """Which entries of an object column are missing (None, NaN, pandas' NA or NaT)."""
    try:
        import pandas as pd
    except ImportError:  # pandas is optional: None and NaN only
        return np.array([v is None or v != v for v in col], dtype=bool)
    return np.asarray(pd.isna(col), dtype=bool)


#: most background rows the metrics remove features through (the other tabular explainers'
#: default ``max_background``)
_METRIC_BACKGROUND = 100

#: a candidate's figures on fresh samples, where it was judged on them
_FRESH_FIELDS = ("fresh_precision", "fresh_precision_lower", "fresh_precision_upper", "fresh_n_samples")

#: a missing cell's text begins with it (a private-use character no text holds): the text
#: "None" and a missing None were one bin, shown "is missing", which both rows' anchors broke
_MISSING_MARK = "\ue000"


def _text_cells(col):
    """An object column's cells as the texts its bins hold, missing ones marked apart."""
    out = col.astype(str)
    missing = _is_missing(col)
    if missing.any():
        out = out.astype(object)
        out[missing] = [_MISSING_MARK + t for t in out[missing]]
        out = out.astype(str)
    return out


def _decision_keys(decisions):
    """One hashable key per row's decision (a label, or a row of a multi-output decision)."""
    decisions = np.asarray(decisions)
    if decisions.ndim > 1:
        return [tuple(np.ravel(d).tolist()) for d in decisions]
    return decisions.tolist()


def _numbers_by_text(col):
    """The texts of an object column's bins whose every cell is a number (int, float, bool), so
    a rule shows them as the column's own values (333, not '333'); None when there are none. A
    text that is a number in some cells and a string in others ('333' beside 333) stays quoted."""
    import numbers

    texts = _text_cells(col)
    numeric, other = set(), set()
    for t, v in zip(texts, col, strict=True):
        # (numpy's bool is no numbers.Number: an object column of bools read "b == 'False'")
        is_number = isinstance(v, numbers.Number | np.bool_) and not (isinstance(v, float | np.floating) and v != v)
        (numeric if is_number else other).add(str(t))
    found = sorted(numeric - other)
    return found or None


def _time_numbers(col, dtype):
    """A datetime or timedelta column as float microseconds since the epoch (NaN for NaT):
    quantile bins then order times as numbers do (microseconds stay exact in float64)."""
    import pandas as pd

    index = pd.Index(time_column(col, dtype))
    out = index.as_unit("us").asi8.astype(np.float64)
    out[np.asarray(index.isna())] = np.nan
    return out


def _number(v):
    """``v`` with at least 4 significant digits, and as many more as it takes to read back as
    ``v`` itself: a rule's text must be the rule applied (``.4g`` showed an edge of 1000.09 as
    ``x < 1000``, a rule the explained row at 1000.03 broke)."""
    v = float(v)
    for p in range(4, 18):
        s = f"{v:.{p}g}"
        if float(s) == v:
            # large numbers in plain digits: "zipcode < 3.3e+04" read as a formula
            return np.format_float_positional(v, trim="-") if "e+" in s and abs(v) < 1e16 else s
    return repr(v)


def _short_edge(edge, below):
    """The shortest number (at least 4 significant digits, rounded to nearest or down) in
    ``(below, edge]``: it splits the background like ``edge`` (no value lies between ``below``
    and ``edge``) and reads short."""
    for p in range(4, 18):
        d = float(f"{edge:.{p}g}")
        if below < d <= edge:
            return d
        if edge != 0:
            # rounded to nearest it may pass the edge: rounded down, p digits may still fit
            step = 10.0 ** (np.floor(np.log10(abs(edge))) - p + 1)
            d = float(f"{np.floor(edge / step) * step:.{p}g}")
            if below < d <= edge:
                return d
    return float(edge)


def _decision_bytes(decision):
    """Bytes of a decision that are the same in every process: an object array's ``tobytes``
    holds the addresses of its items (string labels of a model fitted on an object column), so
    seeds hashed from it changed from run to run and between copies of the same model."""
    if decision.dtype.kind == "O":
        return repr([str(v) for v in decision.tolist()]).encode("utf-8")
    return decision.tobytes()


def _tabular_anchor(
    match,
    held,
    *,
    threshold,
    epsilon_stop,
    delta,
    beam_size,
    max_size,
    objective,
    n_examples,
    n_validation_samples,
    max_bytes=None,
):
    """Beam search of one row's anchor: chosen on the background, judged on fresh samples.

    A generator, like the text search: it yields requests ``[(anchor, n_samples)]`` and is
    sent back ``[(n, n_held)]`` counts on fresh perturbation samples (drawn after the choice),
    so that a driver labels the samples of many rows in one model call; it returns the result.
    An anchor is judged in rounds of a tenth of ``n_validation_samples`` until it is accepted,
    its upper bound falls below ``threshold``, or it has all ``n_validation_samples``; the
    level adds ``log(10)`` to :func:`_level` for these repeated looks.

    ``match`` (B, F): background rows in the row's bin, per feature; ``held`` (B,): the
    decision on each background row equals the row's. Candidates are
    ranked by the KL lower bound of their precision on the background rows in their bins
    (exact counts); the ``beam_size`` best of each size are judged on fresh samples with the
    acceptance rule of the text search (:func:`accepts`) at the level of :func:`_level`.
    Precision and its bounds are reported from those fresh samples: the first release chose
    and scored on the same rows (precision 1.0 there, 0.876 on fresh data).

    ``max_bytes``: most memory the search's candidates may hold (every size adds about
    ``beam_size x F`` of them, each longer than the last: without an anchor on 1,000 features
    the search grew to gigabytes); a size that would pass it is not searched
    (``memory_reached``).
    """
    B, F = match.shape
    stats, fresh = {}, {}

    def rows_of(anchor):
        return np.all(match[:, list(anchor)], axis=1) if anchor else np.ones(B, dtype=bool)

    step = max(1, -(-n_validation_samples // _N_LOOKS))

    def level(size):
        return _look_level(delta, size, beam_size)

    def fresh_figures(anchor):
        """(mean, lower, upper, n) of ``anchor`` on its fresh samples, at its size's level."""
        fm_, flb_, fub_, fn_ = kl_bounds([fresh[anchor]], level(len(anchor)))
        return float(fm_[0]), float(flb_[0]), float(fub_[0]), int(fn_[0])

    def judged(anchors, size, empty=False):
        beta = level(size)
        # The empty anchor must clear the threshold itself with its lower bound (as in the text
        # search): judged by the rule of the others, sampling stopped once the bound cleared
        # threshold - epsilon_stop, and the stricter check after it rejected the empty anchor
        # of a model deciding the same almost everywhere, handing the answer to a feature. It is
        # sampled, like the others, until it is decided or has n_validation_samples.
        eps = threshold - empty_anchor_bar(threshold, epsilon_stop) if empty else epsilon_stop
        while True:
            mean, lb, ub, n = kl_bounds([fresh.get(a, (0, 0)) for a in anchors], beta)
            ok = accepts(mean, lb, n, threshold, eps)
            todo = [
                (a, min(step, n_validation_samples - int(k)))
                for a, g, u, k in zip(anchors, ok, ub, n, strict=True)
                if not g and u >= threshold and k < n_validation_samples
            ]
            if not todo:
                return mean, lb, ub, n, ok
            counts = yield todo
            for (a, _), (k, h) in zip(todo, counts, strict=True):
                k0, h0 = fresh.get(a, (0, 0))
                fresh[a] = (k0 + k, h0 + h)

    order = {(): ()}
    stats[()] = (B, int(np.count_nonzero(held)))
    beams = [[()]]
    accepted = {}  # anchor -> (fresh mean, background count)
    best = None
    # the empty anchor claims that nothing needs keeping: it must clear the threshold itself
    m0, _, _, _ = kl_bounds([stats[()]], 0.0)
    if m0[0] >= threshold:
        mean0, lb0, _, n0, _ = yield from judged([()], 0, empty=True)
        if n0[0] > 0 and mean0[0] >= threshold and lb0[0] >= empty_anchor_bar(threshold, epsilon_stop):
            accepted[()] = (mean0[0], B)
            best = ()
    beam = [()]
    # a condition every background row meets (a constant column, an always-blank pixel) keeps
    # the parent's rows and, drawn from the same rows, its fresh samples: it ranked with its
    # parent, took beam slots and sizes, and the anchors came back longer than needed
    everywhere = match.all(axis=0)
    held_bytes, memory_reached = 0, False
    for size in range(1, (max_size or F) + 1):
        if best is not None and objective == "shortest":
            break
        grows = len(beam) * (F - size + 1) * (_CANDIDATE_BYTES + _CONDITION_BYTES * size)
        if max_bytes is not None and size > 1 and held_bytes + grows > max_bytes:
            memory_reached = True
            break
        held_bytes += grows
        cands = []
        for parent in beam:
            sub = match & rows_of(parent)[:, None]
            n_f = sub.sum(axis=0)
            pos_f = (sub & held[:, None]).sum(axis=0)
            for f in range(F):
                if f in parent or everywhere[f]:
                    continue
                child = tuple(sorted(parent + (f,)))
                if child in stats:
                    continue
                stats[child] = (int(n_f[f]), int(pos_f[f]))
                order[child] = order[parent] + (f,)
                cands.append(child)
        cands = [c for c in cands if stats[c][0] > 0]
        if objective == "coverage" and best is not None:
            cands = [c for c in cands if stats[c][0] > stats[best][0]]
        if not cands:
            break
        mean, lb, _, n = kl_bounds([stats[c] for c in cands], float(np.log(1.0 / delta)))
        # rank by lower bound: a precise anchor on three rows is no better than a rule
        top = np.lexsort((-n, -mean, -lb))[:beam_size]
        beam = [cands[i] for i in top]
        beams.append(beam)
        # only candidates that look good on the background are worth fresh samples
        in_beam = set(beam)  # a list: each of 125,000 candidates searched it (20 of 21 s at beam_size=10,000)
        worth = [c for c, m in zip(cands, mean, strict=True) if c in in_beam and m >= threshold]
        if worth:
            vmean, _, _, _, ok = yield from judged(worth, size)
            for c, g, m in zip(worth, ok, vmean, strict=True):
                if g:
                    accepted[c] = (m, stats[c][0])
        good = [c for c in beam if c in accepted]
        if good:
            # The choice among the accepted is made on the background, like the beam (shortest:
            # the beam's ranking; coverage: the widest, then that ranking). Picking the highest
            # fresh precision reported the best of several noisy estimates of equal anchors
            # (0.981 on average for two anchors of precision 0.97), on the samples that chose it.
            bg_mean, bg_lb, _, _ = kl_bounds([stats[c] for c in good], float(np.log(1.0 / delta)))
            coverage = objective == "coverage"
            rank = {
                c: (stats[c][0], float(lb_), float(m_)) if coverage else (float(lb_), float(m_), stats[c][0])
                for c, m_, lb_ in zip(good, bg_mean, bg_lb, strict=True)
            }
            # shortest stops at the first size with an accepted anchor; coverage's candidates
            # are all wider than the best so far
            best = max(good, key=rank.get)
    found = best is not None
    if not found:
        # the most precise beam member, judged (and flagged) on fresh samples: by the fresh
        # samples where it has some (the figure reported), else on the background. All of a
        # failed search's members read 1.0 on the background, so the shortest was reported at
        # 0.42 beside a judged member at 0.91.
        members = [a for b in beams for a in b]
        mean, lb, _, _ = kl_bounds([stats[a] for a in members], float(np.log(1.0 / delta)))
        judged_members = [a for a in members if a in fresh]
        if judged_members:
            # by the lower bound that is reported, at each size's own level; the shorter on ties
            best = max(judged_members, key=lambda a: (fresh_figures(a)[1], -len(a), fresh_figures(a)[0]))
        else:
            best = members[max(range(len(members)), key=lambda j: (mean[j], lb[j]))]
    ordered = order[best]
    prefixes = [tuple(sorted(ordered[: k + 1])) for k in range(len(ordered))] or [()]
    for p in prefixes:
        if p not in stats:
            r = rows_of(p)
            stats[p] = (int(r.sum()), int(np.count_nonzero(r & held)))
    pm, _, _, pn = kl_bounds([stats[p] for p in prefixes], 0.0)
    fm, flb, fub, fn, _ = yield from judged([best], len(ordered))
    rows = rows_of(best)
    cand_list = [c for c in stats if stats[c][0] > 0]
    cm, clb, cub, cn = kl_bounds([stats[c] for c in cand_list], float(np.log(1.0 / delta)))
    judged_figures = {c: fresh_figures(c) for c in cand_list if c in fresh}
    return {
        "units": ordered,
        "success": bool(found),
        "precision": float(fm[0]),
        "precision_lower": float(flb[0]),
        "precision_upper": float(fub[0]),
        "n_samples": int(fn[0]),
        "coverage": float(pn[-1] / B),
        "prefix_precision": pm.tolist() if ordered else [],
        "prefix_coverage": (pn / B).tolist() if ordered else [],
        "held_rows": np.flatnonzero(rows & held)[:n_examples],
        "failed_rows": np.flatnonzero(rows & ~held)[:n_examples],
        "candidates": [
            (order.get(c, c), len(c), float(cm[j]), float(clb[j]), float(cub[j]), int(cn[j]), judged_figures.get(c))
            for j, c in enumerate(cand_list)
        ],
        "n_model_calls": 0,
        "n_rows": 0,
        "memory_reached": memory_reached,
    }


def _search_chunk(explainer, bins, refs, seeds):
    """One chunk's anchor searches (a module function: joblib and Dask send it by reference)."""
    return explainer._search_rows(bins, refs, seeds)


def _same_rows(a, b):
    """Whether two arrays of rows hold the same values, a missing value (NaN, None, pd.NA)
    matching a missing one: NaN != NaN refused an explanation of rows with missing values."""
    import pandas as pd

    a, b = np.asarray(a, dtype=object), np.asarray(b, dtype=object)
    missing_a, missing_b = pd.isna(a), pd.isna(b)
    if not np.array_equal(missing_a, missing_b):
        return False
    # compared where present only: pd.NA == pd.NA is NA, which np.all could not read as a bool
    present = ~missing_a
    return bool(np.all(a[present] == b[present]))


def _categorical_mask(categorical_features, n_features, feature_names):
    """Boolean mask of the categorical columns from indices, a boolean mask or column names,
    as ``HistGradientBoostingClassifier(categorical_features=...)`` takes them (a mask was read
    as the indices 0 and 1, and names failed on ``int('c')``)."""
    cat = np.zeros(n_features, dtype=bool)
    if categorical_features is None:
        return cat
    given = np.asarray(categorical_features)
    if given.ndim != 1:
        raise ValueError(
            f"categorical_features must be a 1-D list of indices, a mask or names; got shape {given.shape}."
        )
    if given.size == 0:
        return cat
    if given.dtype.kind == "b":
        if given.size != n_features:
            raise ValueError(
                f"categorical_features as a boolean mask must have one entry per feature: got {given.size} "
                f"for {n_features} features."
            )
        return given.copy()
    if given.dtype.kind in "USO":
        names = [] if feature_names is None else [str(n) for n in feature_names]
        if not names:
            raise ValueError(
                "categorical_features gives column names, but X has none (fit on a DataFrame, or give indices)."
            )
        unknown = [str(n) for n in given if str(n) not in names]
        if unknown:
            raise ValueError(f"categorical_features names {unknown} that are not columns of X: {names}.")
        cat[[names.index(str(n)) for n in given]] = True
        return cat
    if given.dtype.kind not in "iu":
        raise ValueError(f"categorical_features must hold integer indices, booleans or names; got {given.dtype}.")
    if given.min() < 0 or given.max() >= n_features:
        raise ValueError(f"categorical_features {given.tolist()} out of range for {n_features} features.")
    cat[given] = True
    return cat


class AnchorTabularExplainer(BaseAnchorExplainer):
    """Anchors for tabular models: if-then rules on feature bins that keep the decision.

    ``fit`` learns quantile bins of each numeric feature (``n_bins`` per feature; features
    with at most ``n_bins`` distinct values, non-numeric columns and ``categorical_features``
    use their values as bins; a numeric feature's missing values, NaN, which a pipeline may
    impute, are a bin of their own, "is missing" in rules; a DataFrame's datetime and
    timedelta columns are numeric, their rules show times) on the background data, and the
    model's decision on every background row. An anchor is a set of features whose bins are
    fixed to the explained row's bins.

    A beam search over anchor size ranks candidates by the KL lower bound of their precision
    on the background rows in all their bins (the empirical ``D(. | A)`` of the Anchors
    paper, exact counts) and keeps the ``beam_size`` best of each size. Those rows chose the
    anchor, so they overstate its precision (the first release reported them: 1.0 where
    fresh data gave 0.876). The beam's candidates are therefore judged on up to
    ``n_validation_samples`` *fresh* perturbation samples drawn after the choice (in rounds
    of a tenth, until the rule below decides, all rows of a round in one model call), as in
    anchor-exp's tabular sampler: a random background row whose anchored features take
    values drawn from the background rows in the explained row's bin of each feature. An
    anchor is accepted when the fresh precision is >= ``threshold`` and its KL lower bound
    >= ``threshold - epsilon_stop``, with ``delta`` shared by a union bound over every anchor
    judged, so that with probability at least ``1 - delta`` every accepted anchor keeps
    ``threshold - epsilon_stop`` under the sampler: by default (``epsilon_stop=0``) the
    threshold itself. anchor-exp's slack of 0.05 let 17-20% of the accepted anchors fall
    below 0.95 on fresh data in an outside audit (none below 0.90); without it none did, and
    fewer anchors are accepted (33% of the rows instead of 51% there).
    The fresh samples accept or reject only: among the accepted anchors of a size the
    background's ranking chooses.
    ``precision`` and its bounds are those fresh-sample figures; ``coverage`` is the share of
    the background in the anchor's bins. The samples that accepted an anchor stopped once their
    estimate cleared the rule, so an accepted anchor's ``precision`` reads slightly high (+0.013
    on average at ``threshold=0.8``, +0.004 at 0.95, in benchmarks/results/anchors_tabular.md):
    the guarantee is ``precision_lower``; :meth:`estimate_precision` on held-out rows gives a
    figure free of the choice. The sampler keeps the anchored features' bins and
    the other features' joint distribution but draws the two parts independently: exact for
    independent features, an approximation for strongly dependent ones (then check with
    :meth:`estimate_precision` on held-out data).

    Parameters
    ----------
    estimator : estimator or callable
        Classifier; used as is when fitted and ``fit`` gets no ``y``.
    threshold : float, default=0.95
    n_bins : int, default=4
        Quantile bins per numeric feature.
    categorical_features : array-like of int, bool or str, default=None
        Features whose values are their own bins: column indices, a boolean mask with one entry
        per feature, or column names of a DataFrame (as ``HistGradientBoostingClassifier`` takes
        them).
    delta : float, default=0.1
        Confidence parameter of the bounds.
    epsilon_stop : float, default=0.0
        Slack of the lower bound (``threshold - epsilon_stop`` must be below 1): 0 makes the
        threshold hold with confidence ``1 - delta``; anchor-exp's 0.05 accepts more anchors,
        holding ``threshold - 0.05`` only.
    beam_size : int, default=2
    max_anchor_size : int, default=None
    objective : {"shortest", "coverage"}, default="shortest"
    max_background : int, default=None
        Rows of ``X`` kept as background (a random subset; None keeps all).
    response_method : str, default="auto"
    n_examples : int, default=10
        Background rows kept where the anchor holds with the decision kept / changed.
    n_validation_samples : int, default=1000
        Most fresh perturbation samples that judge each candidate of the beam (and give the
        reported precision). ``fit`` refuses a number too small for any anchor to be accepted
        (below 131 at the defaults, where even all samples keeping the decision leave the lower
        bound under ``threshold - epsilon_stop``).
    batch_size : int, default=10000
        Most rows per model call.
    model_batch_size : int, default="deprecated"
        Deprecated alias of ``batch_size`` (FutureWarning); removed in the next release.
    n_jobs : int, default=None
        joblib workers over chunks of rows.
    verbose : int, default=0
        A progress bar over chunks of rows when positive.
    random_state : int, RandomState or None
        Draws the ``max_background`` subset and the fresh samples (same anchors for any
        ``n_jobs``).
    scoring : str or callable, default=None
        "precision" (mean anchor precision, the default), "coverage" or a callable.

    Attributes
    ----------
    estimator_ : estimator
    background_ : ndarray
    background_bins_ : ndarray of int
    bin_edges_ : list of ndarray or None
        Inner quantile edges per feature (None for features binned by value); a value
        equal to an edge is in the upper bin, and NaN in the bin after the top one. Each edge
        is the shortest number (at least 4 significant digits) that splits the background as
        the quantile does, and rules show it exactly (microseconds since the epoch for a
        datetime column, the background's own times).
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
        epsilon_stop=0.0,
        beam_size=2,
        max_anchor_size=None,
        objective="shortest",
        max_background=None,
        response_method="auto",
        n_examples=10,
        n_validation_samples=1000,
        batch_size=10_000,
        model_batch_size="deprecated",
        n_jobs=None,
        verbose=0,
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
        self.n_validation_samples = n_validation_samples
        self.batch_size = batch_size
        self.model_batch_size = model_batch_size
        self.n_jobs = n_jobs
        self.verbose = verbose
        self.random_state = random_state
        self.scoring = scoring

    # consumed by fit (its background, response, groups, ...): a change by set_params after fit is
    # refused at transform / explain (skxai.utils._fit_target)
    _fit_time_params = ("n_bins", "categorical_features", "max_background")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True  # explained as its dense copy (skxai._data.dense_rows_of)
        return tags

    _parameter_constraints: dict = {
        **BaseAnchorExplainer._parameter_constraints,
        "n_bins": [Interval(numbers.Integral, 2, None, closed="left")],
        "categorical_features": ["array-like", None],
        "max_background": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "n_validation_samples": [Interval(numbers.Integral, 1, None, closed="left")],
    }

    @fit_context
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
        self.rows_per_call_ = self._rows_per_call()
        from skxai._adapters import takes_missing_values

        schema = TabularSchema(X, allow_nan=takes_missing_values(self.estimator))
        Xa = schema.to_array(X)
        self._schema = schema
        self.n_features_in_ = Xa.shape[1]
        # one look at one anchor draws a tenth of n_validation_samples rows at once (the samples
        # and their joined copy, float64): refused now when that alone cannot fit
        step = -(-int(self.n_validation_samples) // _N_LOOKS)
        refuse_beyond_working_memory(
            2 * 8 * step * Xa.shape[1],
            type(self).__name__,
            f"n_validation_samples={self.n_validation_samples} ({step} fresh rows per look at an anchor)",
            "lower n_validation_samples",
        )
        if schema.feature_names is not None:
            self.feature_names_in_ = schema.feature_names
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_  # a refit on an array: the names of the last fit are gone
        self._names = (
            list(schema.feature_names) if schema.feature_names is not None else [f"x{j}" for j in range(Xa.shape[1])]
        )
        self._check_classifier()
        self._check_threshold()
        self._check_validation_samples()
        self.estimator_ = self._fit_estimator(schema.to_model_input(in_input_dtype(X, Xa)), y, **fit_params)
        schema.adopt_model_columns(self.estimator_)
        if schema.player_names is not None:
            self._names = list(schema.player_names)  # an array fitted for a model that names them
        self.output_ = ModelOutput(self.estimator_, self.response_method, schema)
        bg = Xa
        rng = np.random.RandomState(self._seed())
        if self.max_background is not None and len(Xa) > self.max_background:
            bg = Xa[np.sort(rng.choice(len(Xa), self.max_background, replace=False))]
        self.background_ = bg
        cat = _categorical_mask(self.categorical_features, Xa.shape[1], schema.player_names)
        self.bin_edges_, self._values, self._as_str = [], [], []
        self._category_values = [None] * Xa.shape[1]
        for j in range(Xa.shape[1]):
            col = bg[:, j]
            time = self._time_dtype(j)
            try:  # numeric columns of a mixed table still get quantile bins
                if self._declared_categories(j):
                    # by its dtype: a category column of store ids, or text codes "001", "450"
                    # (which cast to numbers) got range bins lumping unrelated values together
                    raise TypeError
                colf = _time_numbers(col, time) if time is not None else col.astype(np.float64)
                # missing values (which a pipeline imputes) are a bin of their own: as strings,
                # each real value of the column was its own bin ("x == '0.3771...'")
                numeric = not np.isnan(colf).all()
            except (TypeError, ValueError):
                numeric = False
            self._as_str.append(not numeric)
            uniq = np.unique(colf) if numeric else np.unique(_text_cells(col))
            if not numeric:
                self._category_values[j] = _numbers_by_text(col)
            if numeric:
                colf = colf[~np.isnan(colf)]
            if cat[j] or not numeric or np.unique(colf).size <= self.n_bins:
                self.bin_edges_.append(None)
                self._values.append(uniq)
            else:
                uniq = np.unique(colf)
                qs = np.arange(1, self.n_bins) / self.n_bins
                edges = np.unique(np.quantile(colf, qs, method="inverted_cdf"))
                edges = edges[edges > colf.min()]
                if not edges.size:
                    # every inner quantile is the minimum (a column mostly at its minimum):
                    # split the minimum from the rest rather than keep one bin with no edge
                    edges = uniq[1:2]
                # each edge moved to a short number below it with no background value between
                # (same bins of the background), so that the rule shows the edge it applies
                if time is None:  # a time edge stays the background's own time, shown as such
                    edges = np.array([_short_edge(e, colf[colf < e].max()) for e in edges])
                self.bin_edges_.append(edges)
                self._values.append(None)
        self.background_bins_ = self._bin(bg)
        size = self.rows_per_call_
        self.background_decisions_ = np.concatenate([self._decide(bg[s : s + size]) for s in range(0, len(bg), size)])
        warn_if_scores_read_as_labels(self, self.background_decisions_, "rows")
        decided = _decision_keys(self.background_decisions_)
        if len(set(decided)) == 1:
            # fresh samples are background rows: every anchor, the empty one too, then holds
            # under the sampler whatever the model does elsewhere (0.32 on held-out rows)
            warn_at_caller(
                f"{type(self).__name__}: the model gives every one of the {len(decided)} background rows the "
                f"same decision ({decided[0]!r}); the fresh samples are drawn from these rows, so every anchor "
                "holds on them, the empty one too. Fit on rows the model decides differently (more rows, "
                "or rows of every class).",
                UserWarning,
            )
        return self

    def _seed(self):
        return seed_from(self.random_state)

    def _bin(self, A):
        out = np.empty(A.shape, dtype=np.int64)
        for j, edges in enumerate(self.bin_edges_):
            time = self._time_dtype(j)
            if edges is not None:
                col = _time_numbers(A[:, j], time) if time is not None else A[:, j].astype(np.float64)
                # NaN (missing) in the bin after the top one, not in the top one
                out[:, j] = np.where(np.isnan(col), len(edges) + 1, np.searchsorted(edges, col, side="right"))
            else:
                vals = self._values[j]
                if self._as_str[j]:
                    # explainers saved before the mark (with ``_missing_str``) binned plain texts
                    old = "_missing_str" in self.__dict__
                    col = A[:, j].astype(str) if old else _text_cells(A[:, j])
                else:
                    col = _time_numbers(A[:, j], time) if time is not None else A[:, j].astype(np.float64)
                pos = np.searchsorted(vals, col)
                pos = np.minimum(pos, len(vals) - 1)
                same = vals[pos] == col
                if not self._as_str[j]:
                    same |= np.isnan(vals[pos]) & np.isnan(col)  # NaN, sorted last, is a value too
                out[:, j] = np.where(same, pos, -1)
        return out

    def _predicate(self, j, b):
        name = self._names[j]
        edges = self.bin_edges_[j]
        if edges is None:
            vals = self._values[j]
            if b < 0:
                return f"{name} not seen in fit"
            v = vals[b].item() if hasattr(vals[b], "item") else vals[b]
            missing = isinstance(v, str) and v.startswith(_MISSING_MARK)
            # (explainers saved before the mark listed the texts of their missing values)
            if isinstance(v, float) and np.isnan(v) or missing or v in self.__dict__.get("_missing_str", {}).get(j, ()):
                return f"{name} is missing"
            if self._is_bool_column(j):
                # a frame's bool column: its values, not 0 and 1; binned as text beside other
                # text columns (a nullable boolean with NA), its value is the text "False",
                # which bool() read as True
                return f"{name} == {v if isinstance(v, str) else bool(v)}"
            by_text = self.__dict__.get("_category_values")  # (explainers saved before it: none)
            if by_text and by_text[j] and v in by_text[j]:
                # a category column of store ids 333: "store == '333'" matched no row of the
                # frame; the number as its cells write it (a float32 0.1 reads 0.1)
                return f"{name} == {v}"
            return f"{name} == {v!r}" if isinstance(v, str) else f"{name} == {self._value_text(j, v)}"
        text = functools.partial(self._value_text, j)
        if b == 0:
            return f"{name} < {text(edges[0])}"
        if b == len(edges) + 1:
            return f"{name} is missing"
        if b == len(edges):
            return f"{name} >= {text(edges[-1])}"
        return f"{text(edges[b - 1])} <= {name} < {text(edges[b])}"

    def _declared_categories(self, j):
        """Whether a frame's column j holds categories or text by its dtype (pandas category,
        object or string): one bin per value, whatever its values cast to."""
        schema = self._schema
        if not schema.is_frame:
            return False
        dtype = schema.dtypes.iloc[j]
        return (
            str(dtype) == "category" or str(dtype).startswith(("string", "str")) or getattr(dtype, "kind", None) == "O"
        )

    def _time_dtype(self, j):
        """The dtype of a frame's datetime (tz-aware too) or timedelta column j, else None."""
        schema = self._schema
        if not schema.is_frame:
            return None
        dtype = schema.dtypes.iloc[j]
        return dtype if getattr(dtype, "kind", None) in ("M", "m") else None

    def _value_text(self, j, v):
        """A bin edge or value as a rule shows it: a time for a time column, else a number."""
        time = self._time_dtype(j)
        if time is None:
            return _number(v)
        import pandas as pd

        if time.kind == "m":
            return repr(str(pd.Timedelta(int(v), unit="us")))
        return repr(str(pd.Timestamp(int(v), unit="us", tz=getattr(time, "tz", None))))

    def _is_bool_column(self, j):
        schema = self._schema
        if not schema.is_frame:
            return False
        from skxai._data import _numpy_dtype

        return _numpy_dtype(schema.dtypes.iloc[j]).kind == "b"

    def _decide(self, A):
        return decisions(self, A, len(A), "rows", predict_input=self._rows_for_model)

    def _rows(self, X):
        check_is_fitted(self)
        return self._schema.to_array(X, n_features=self.n_features_in_, owner=type(self).__name__)

    def _model_input(self, X):
        # predict/predict_proba/score check X as explain does (NaN only for a model that takes it)
        return self._rows_for_model(self._rows(X))

    def _rows_for_model(self, A):
        # as the explained output feeds the model (a skorch net that cannot take a frame gets
        # the array)
        return self.output_._model_input(A)

    def model_output(self, X):
        """The explained response (``response_method``) on ``X``.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Rows in the explainer's feature space (perturbed ones too).

        Returns
        -------
        ndarray of shape (n_samples, n_outputs)
            The model's explained response.
        """
        rows = self._rows(X)  # checks that the explainer is fitted first
        return self.output_(rows)

    def perturbation_view(self, X):
        """The samples ``X`` and how the metrics remove features (see
        :class:`skxai.base.PerturbationView`): each feature is a unit, taking the values of the
        background rows (at most 100, evenly spaced), as for the other tabular explainers.

        Without it the metrics read anchors as an array explainer: a table with text columns
        was "not applicable" (could not convert 'blue' to float), and on numbers a removed
        feature became 0, a value the data may never hold, so its deletion AUC could not be
        compared with the other explainers' in one report.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)

        Returns
        -------
        PerturbationView
        """
        from skxai.base import PerturbationView

        rows = self._rows(X)
        background = self.background_
        if len(background) > _METRIC_BACKGROUND:
            # evenly spaced rows of the fit data (anchors keep all of it by default): every
            # removal averaged over 20,000 rows took the report's metrics 27 s for 20 samples
            background = background[np.linspace(0, len(background) - 1, _METRIC_BACKGROUND).astype(int)]
        return PerturbationView.of_schema(
            self._schema,
            X=rows,
            groups=[np.array([j]) for j in range(rows.shape[1])],
            background=background,
            background_weights=np.full(len(background), 1.0 / len(background)),
            output=self.output_,
        )

    def target_indices(self, X):
        """Output column of the predicted class per row.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            The explained rows.

        Returns
        -------
        ndarray of shape (n_samples,)
            Index of the predicted class (the class of the model's own ``predict``, whose
            decision the anchor keeps; 0 for a single output).
        """
        rows = self._rows(X)
        return self.output_.predicted(rows)

    def _check_validation_samples(self):
        """Refuse an ``n_validation_samples`` too small for any anchor to be accepted, and warn
        when it is too small for any anchor of two or three conditions.

        Even when every fresh sample keeps the decision, the lower bound of ``k`` of ``k`` at the
        level of a one-feature anchor (the least strict) must reach ``threshold - epsilon_stop``:
        below that, every explanation came back with ``success=False`` and nothing said why
        (63 samples with ``epsilon_stop=0.05``, whose bound is 0.899; 130 at the defaults). The
        smallest accepted number admits only such anchors, every sample agreeing: realistic
        anchors need several times more. Each condition more is judged at a stricter level, so
        a number that admits one condition may admit no anchor of two (131 at the defaults, whose
        two-condition bound is 0.945), or of three (144-157): said at ``fit``, as every such search
        fails.
        """
        n = int(self.n_validation_samples)
        floor = float(self.threshold) - float(self.epsilon_stop)
        least_one = self._least_validation_samples(1)
        if n < least_one:
            lb = float(kl_bounds([(n, n)], _look_level(float(self.delta), 1, int(self.beam_size)))[1][0])
            raise ValueError(
                f"n_validation_samples={n} is too few to accept any anchor: even {n} of {n} fresh samples "
                f"keeping the decision give a precision lower bound of {lb:.3f} < threshold - epsilon_stop = "
                f"{floor:.3g} (delta={float(self.delta)}, beam_size={int(self.beam_size)}), so every "
                f"explanation would fail. Use at least {least_one} (that many accept only one-condition "
                "anchors every sample agrees with; several times more leave room for the others), or raise "
                "delta or epsilon_stop."
            )
        # Anchors of up to _SHORT_ANCHOR conditions must be admissible (longer ones need more
        # samples at any budget: 523 for 30 conditions at the defaults, which a warning on wide
        # data would only repeat)
        longest = min(self.max_anchor_size or self.n_features_in_, self.n_features_in_, _SHORT_ANCHOR)
        size = 1
        while size < longest and n >= self._least_validation_samples(size + 1):
            size += 1
        if size < longest:
            least = self._least_validation_samples(size + 1)
            warn_at_caller(
                f"n_validation_samples={n} can accept anchors of at most {size} condition(s): an anchor of "
                f"{size + 1} needs at least {least} fresh samples, even when every one keeps the decision "
                f"(delta={float(self.delta)}, beam_size={int(self.beam_size)}, threshold - epsilon_stop = "
                f"{floor:.3g}), so every search that needs more fails. Raise n_validation_samples (the default "
                "1000 leaves room), delta or epsilon_stop."
            )

    def _least_validation_samples(self, size):
        """The fewest fresh samples that accept an anchor of ``size`` conditions, all agreeing."""
        beta = _look_level(float(self.delta), size, int(self.beam_size))
        threshold, eps = float(self.threshold), float(self.epsilon_stop)

        def passes(k):
            mean, lb, _, count = kl_bounds([(k, k)], beta)
            return bool(accepts(mean, lb, count, threshold, eps)[0])

        lo, hi = 0, 1  # the bound grows with k: exponential, then binary search
        while not passes(hi):
            lo, hi = hi, 2 * hi
        while hi - lo > 1:
            mid = (lo + hi) // 2
            lo, hi = (lo, mid) if passes(mid) else (mid, hi)
        return hi

    def _fresh_samples(self, row_bins, requests, rng):
        """``n`` fresh samples of each ``(anchor, n)`` request, stacked: a random background
        row whose anchored features take values from the background rows in the row's bins."""
        bg, bins = self.background_, self.background_bins_
        parts = []
        for anchor, n in requests:
            S = bg[rng.randint(len(bg), size=n)].copy()
            for j in anchor:
                pool = np.flatnonzero(bins[:, j] == row_bins[j])
                S[:, j] = bg[pool[rng.randint(len(pool), size=n)], j]
            parts.append(S)
        return np.concatenate(parts)

    def _search_bytes(self, d):
        """Most memory one search's candidates may hold on ``d`` features: every size to
        ``max_anchor_size`` explored (no anchor found), at most the search's share of the bound."""
        sizes = np.arange(1, min(int(self.max_anchor_size or d), d) + 1)
        worst = int(self.beam_size) * np.sum((d - sizes + 1) * (_CANDIDATE_BYTES + _CONDITION_BYTES * sizes))
        return int(max(1, min(worst, _memory.MAX_WORKING_BYTES // _SEARCH_SHARE)))

    def _search_rows(self, bins, refs, seeds):
        """Search the rows in lock-step: each round, the fresh samples every unfinished search
        asks for go to the model together, ``batch_size`` rows per call. Each row draws from
        its own seed, so anchors do not depend on which rows share a round (or on ``n_jobs``)."""
        m, n = len(bins), int(self.n_validation_samples)
        max_bytes = _memory.MAX_WORKING_BYTES // _SEARCH_SHARE
        rngs = [np.random.RandomState(seed) for seed in seeds]
        calls, rows = np.zeros(m, dtype=np.int64), np.zeros(m, dtype=np.int64)
        results, pending, gens = [None] * m, {}, []
        for i in range(m):
            gens.append(
                _tabular_anchor(
                    self.background_bins_ == bins[i],
                    self.background_decisions_ == refs[i],
                    threshold=float(self.threshold),
                    epsilon_stop=float(self.epsilon_stop),
                    delta=float(self.delta),
                    beam_size=int(self.beam_size),
                    max_size=self.max_anchor_size,
                    objective=self.objective,
                    n_examples=int(self.n_examples),
                    n_validation_samples=n,
                    max_bytes=max_bytes,
                )
            )
            try:
                pending[i] = next(gens[i])
            except StopIteration as stop:
                results[i] = stop.value
        size = self.rows_per_call_
        total = 0
        while pending:
            order = sorted(pending)
            S = np.concatenate([self._fresh_samples(bins[i], pending[i], rngs[i]) for i in order])
            dec = np.concatenate([self._decide(S[s : s + size]) for s in range(0, len(S), size)])
            total += -(-len(S) // size)
            start = 0
            for i in order:
                sizes = [k for _, k in pending[i]]
                k = sum(sizes)
                held = dec[start : start + k] == refs[i]
                # model calls that labelled rows of this search
                calls[i] += (start + k - 1) // size - start // size + 1
                rows[i] += k
                start += k
                cuts = np.cumsum([0] + sizes)
                counts = [(int(b - a), int(held[a:b].sum())) for a, b in zip(cuts[:-1], cuts[1:], strict=True)]
                try:
                    pending[i] = gens[i].send(counts)
                except StopIteration as stop:
                    results[i] = stop.value
                    del pending[i]
        for i, r in enumerate(results):
            r["n_model_calls"], r["n_rows"] = int(calls[i]), int(rows[i])
        return results, total

    def explain(self, X):
        """Anchors of rows.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            The explained rows.

        Returns
        -------
        Explanation
            ``values`` (n, n_features): 1 on anchored features. Per-row fields: ``anchor``
            (rule strings in the order added), ``anchor_features``, ``precision``,
            ``precision_lower``, ``precision_upper`` and ``n_samples`` (on the fresh samples
            that judged the anchor), ``coverage`` (on the background), ``prefix_precision``,
            ``prefix_coverage`` (background rows in the bins of the anchor's first 1, 2, ...
            features), ``examples_held``, ``examples_failed`` (background rows),
            ``success``, ``n_model_calls``, ``n_rows`` (fresh samples labelled), ``candidates``
            (background counts), ``prediction``, ``threshold`` (the precision asked for); and
            ``total_model_calls``, ``total_rows``.
        """
        from joblib import effective_n_jobs
        from sklearn.utils import gen_even_slices

        from skxai.utils._parallel import map_shared

        A = self._rows(X)
        refs = self._decide(A)
        bins = self._bin(A)
        n, d = A.shape
        # one seed per row from random_state and the row's own (binned) values: the same anchors
        # for any n_jobs, chunking or order of the rows
        import zlib

        base = int(self._seed())
        seeds = np.array(
            [
                zlib.crc32(np.ascontiguousarray(b).tobytes() + _decision_bytes(refs[i : i + 1]), base) & 0x7FFFFFFF
                for i, b in enumerate(bins)
            ],
            dtype=np.int64,
        )
        n_chunks = min(n, max(1, effective_n_jobs(self.n_jobs), -(-n // 64) if self.verbose else 1))
        # the rows of a chunk search together, in every worker at once: as many as their
        # candidates' memory (at most a share of the bound each) lets fit together
        per_chunk = max(1, _memory.MAX_WORKING_BYTES // (concurrent_workers(self) * self._search_bytes(d)))
        n_chunks = min(n, max(n_chunks, -(-n // per_chunk)))
        with closing_progress(
            # the explainer (and its model) once per worker of a Dask cluster, not with every chunk
            map_shared(
                _search_chunk,
                self,
                [(bins[s], refs[s], seeds[s]) for s in gen_even_slices(n, n_chunks)],
                n_jobs=self.n_jobs,
                return_as="generator",
            ),
            verbose=self.verbose,
            total=n_chunks,
            desc=type(self).__name__,
            unit="chunk",
        ) as bar:
            parts = list(bar)
        results = [r for part, _ in parts for r in part]
        # the explained rows' decisions, then the fresh samples of every row
        totals = {
            "total_model_calls": -(-n // self.rows_per_call_) + sum(t for _, t in parts),
            "total_rows": n + sum(r["n_rows"] for r in results),
        }
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
                        # the fresh samples' figures where the candidate was judged on them (as
                        # the anchor's precision is), else None: the fields above count the
                        # background rows that chose it
                        **dict(zip(_FRESH_FIELDS, c[6] if c[6] is not None else (None,) * 4, strict=True)),
                    }
                    for c in r["candidates"]
                ]
            )
        arrays = result_arrays(results)
        reached = np.asarray([r.get("memory_reached", False) for r in results], dtype=bool)
        if reached.any():
            which = np.flatnonzero(reached)
            warn_at_caller(
                f"{type(self).__name__}: the search of row(s) {which[:10].tolist()} stopped before anchors of "
                f"{d} features could grow further: their candidates would pass a search's share of the "
                f"working-memory bound ({_memory.MAX_WORKING_BYTES / _SEARCH_SHARE / 2**30:.3g} GiB); "
                f"{int((~arrays['success'][which]).sum())} of them without an "
                f"anchor reaching threshold={self.threshold} (success=False). Set max_anchor_size (a short "
                "rule is the readable one) or lower beam_size.",
                UserWarning,
            )
        lists = {k: [r[k] for r in results] for k in ("prefix_precision", "prefix_coverage")}
        lists["examples_held"] = [self.background_[r["held_rows"]] for r in results]
        lists["examples_failed"] = [self.background_[r["failed_rows"]] for r in results]
        exp = Explanation(
            values,
            data=self._schema.in_fit_order(X),
            feature_names=self._names,
            method=type(self).__name__,
            sample_fields=["anchor", "anchor_features", "candidates", "prediction", *arrays, *lists],
            anchor=anchor,
            anchor_features=feats,
            candidates=cands,
            prediction=refs,
            threshold=float(self.threshold),
            **arrays,
            **lists,
            **totals,
        )
        # positions on the feature axis, moved when the features are indexed
        exp._feature_position_fields = ("anchor_features", "candidates")
        exp._feature_column_fields = ("examples_held", "examples_failed")  # background rows
        return exp

    def transform(self, X):
        """Anchor indicator per row, shape ``(n_samples, n_features)``.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            The explained rows.

        Returns
        -------
        ndarray of shape (n_samples, n_features)
            1 on the features of each row's anchor, else 0.
        """
        return self.explain(X).values

    def get_feature_names_out(self, input_features=None):
        """Feature names (columns of :meth:`transform`).

        Parameters
        ----------
        input_features : array-like of str, default=None
            The input's column names, checked as scikit-learn checks them (a Pipeline passes
            the previous step's); they name the columns.

        Returns
        -------
        ndarray of str objects
            One name per feature.
        """
        check_is_fitted(self)
        return names_out(self, self._names, input_features)

    def estimate_precision(self, X, explanation=None, *, data=None):
        """Precision of the anchors of ``X`` on other rows (e.g. held-out data).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        explanation : Explanation, optional
            From :meth:`explain` on ``X`` (computed when omitted).
        data : array-like, optional
            Rows to evaluate on; default the background (the figure the anchors were ranked
            on, not the reported fresh-sample precision).

        Returns
        -------
        ndarray of shape (n_samples,)
            Share of the rows of ``data`` in all of the anchor's bins that get the explained
            row's decision (NaN where no row is in them).
        """
        A = self._rows(X)
        if explanation is None:
            with internal_call():  # A: the rows as arrays, not the user's data
                explanation = self.explain(A)
        else:
            names = explanation.feature_names
            if names is not None and [str(n) for n in np.atleast_1d(names)] != [str(n) for n in self._names]:
                # anchor_features are positions on the explanation's feature axis: indexed or
                # reordered, they are no longer the fit's (it was refused as "other rows")
                raise ValueError(
                    "explanation's features were indexed or reordered (exp[:, ...]): its anchor_features "
                    "are positions among them, not among the features the explainer was fitted on; pass "
                    "the Explanation explain(X) returned, before any feature index."
                )
            shown = None if explanation.data is None else np.asarray(explanation.data)
            if shown is None or shown.shape != A.shape or not _same_rows(shown, A):
                # an anchor is the explained row's own bins of its features: read on other rows
                # it would be another rule, and its precision that of an anchor never found
                raise ValueError(
                    "explanation was not computed on these rows: pass the Explanation that "
                    "explain(X) returned for the same X (same rows, same order)."
                )
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
