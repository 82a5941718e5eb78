"""Scorers for ``GridSearchCV`` / ``cross_val_score`` over explainers, and the refit rule."""

from __future__ import annotations

import numbers

import numpy as np

from skxai.utils._dask_inputs import in_memory


class _DropGainField:
    """One figure (``drop``, ``increase`` or ``gain``) of ``average_drop_increase_gain``: a
    module-level class, so that a scorer holding it pickles (a nested function did not, and a
    fitted search scored on Average Drop could not be saved)."""

    def __init__(self, metric, name):
        self.metric, self.name = metric, name
        self.__name__ = name

    def __call__(self, explainer, X, **kwargs):
        return getattr(self.metric(explainer, X, **kwargs), self.name)


def _registry():
    from skxai.metrics._completeness import completeness_gap
    from skxai.metrics._deletion import deletion_auc, insertion_auc
    from skxai.metrics._drop_gain import average_drop_increase_gain
    from skxai.metrics._faithfulness import faithfulness_correlation
    from skxai.metrics._infidelity import infidelity
    from skxai.metrics._sensitivity import avg_sensitivity, max_sensitivity
    from skxai.metrics._sparseness import sparseness

    def field(name):
        return _DropGainField(average_drop_increase_gain, name)

    # name -> (per-sample metric, greater_is_better); "deletion"/"insertion" are aliases
    return {
        "deletion_auc": (deletion_auc, False),
        "deletion": (deletion_auc, False),
        "insertion_auc": (insertion_auc, True),
        "insertion": (insertion_auc, True),
        "faithfulness_correlation": (faithfulness_correlation, True),
        "infidelity": (infidelity, False),
        "max_sensitivity": (max_sensitivity, False),
        "avg_sensitivity": (avg_sensitivity, False),
        "sparseness": (sparseness, True),
        "completeness_gap": (completeness_gap, False),
        "average_drop": (field("drop"), False),
        "increase_in_confidence": (field("increase"), True),
        "average_gain": (field("gain"), True),
    }


def _refuse_several_figures(metric):
    """``average_drop_increase_gain`` gives three figures per sample (drop: lower is better;
    increase and gain: higher), which average into no score: its scorer averaged all three."""
    from skxai.metrics._drop_gain import average_drop_increase_gain

    if metric is average_drop_increase_gain:
        raise ValueError(
            "average_drop_increase_gain returns three figures per sample (drop, increase, gain) that "
            "do not average into one score; score with 'average_drop', 'increase_in_confidence' or "
            "'average_gain'."
        )


def get_metric_names():
    """Names accepted by ``scoring=`` and :func:`make_explanation_scorer`.

    Returns
    -------
    list of str
        The registered metric names, sorted.
    """
    return sorted(_registry())


def _last_step(estimator, X):
    """A Pipeline ending in an explainer: the explainer, and X through the steps before it. A
    fitted search (``GridSearchCV``) is scored through its ``best_estimator_``, as its own
    ``score`` does: nested cross-validation of a tuned explainer scored NaN on every fold."""
    best = getattr(estimator, "best_estimator_", None)
    if best is not None and not hasattr(estimator, "target_indices"):
        return _last_step(best, X)
    steps = getattr(estimator, "steps", None)
    if steps is None or hasattr(estimator, "target_indices"):
        return estimator, X
    for _, step in steps[:-1]:
        if step is not None and step != "passthrough":
            X = step.transform(X)
    return _last_step(steps[-1][1], X)


class ExplanationScorer:
    """``scorer(explainer, X, y=None) -> float``, higher is better.

    Built by :func:`make_explanation_scorer`; the sign is flipped for lower-is-better metrics,
    as scikit-learn's ``neg_*`` scorers do.

    Parameters
    ----------
    metric : callable
        ``metric(explainer, X, **kwargs)`` returning one value per sample.
    sign : {1, -1}
        -1 for lower-is-better metrics.
    kwargs : dict
        Extra keyword arguments of ``metric``.
    name : str
        Name shown in the scorer's ``repr``.
    """

    def __init__(self, metric, sign, kwargs, name):
        self.metric = metric
        self.sign = sign
        self.kwargs = kwargs
        self.name = name

    def __call__(self, explainer, X, y=None):
        given = type(explainer).__name__
        explainer, X = _last_step(explainer, in_memory(X))
        if hasattr(explainer, "cv_results_") and not hasattr(explainer, "best_estimator_"):
            raise TypeError(
                f"the {self.name} scorer scores a search through its best_estimator_: this {given} was fitted "
                "with refit=False and holds none (refit it, or score the explainer of its best_params_)."
            )
        if hasattr(explainer, "fit") and not hasattr(explainer, "explain"):  # a model, not an explainer
            raise TypeError(
                f"the {self.name} scorer scores a fitted skxai explainer, a Pipeline ending in one, or a "
                f"fitted search of them; got {given}."
            )
        values = np.asarray(self.metric(explainer, X, **self.kwargs), dtype=np.float64)
        if values.ndim > 1:
            # several figures per sample (a named tuple of arrays) averaged into one number
            raise ValueError(
                f"the metric {self.name} returned values of shape {values.shape}; a scorer needs one "
                "value per sample (or one number)."
            )
        return float(self.sign * np.mean(values))

    def __repr__(self):
        kw = "".join(f", {k}={v!r}" for k, v in self.kwargs.items())
        better = "True" if self.sign > 0 else "False"
        return f"make_explanation_scorer({self.name}, greater_is_better={better}{kw})"


def make_explanation_scorer(metric, *, greater_is_better=None, **kwargs):
    """A scorer for ``GridSearchCV(explainer, ..., scoring=scorer)`` from an explanation metric.

    The scorer calls ``metric(explainer, X, **kwargs)`` on the held-out fold (the explainer
    was fitted on the training fold: its background), averages the per-sample values, and
    negates lower-is-better metrics so that higher is always better. A ``Pipeline`` ending in
    an explainer is scored through its last step, on ``X`` transformed by the steps before.

    Parameters
    ----------
    metric : str or callable
        A name from :func:`get_metric_names` (``"deletion_auc"``, ``"infidelity"``, ...), one
        of skxai's metric functions (``skxai.metrics.infidelity`` ...), or any function
        ``metric(explainer, X, **kwargs) -> array of per-sample values``.
    greater_is_better : bool, optional
        Required for a foreign callable; skxai's metrics (by name or function) know their own
        direction (passing the opposite raises).
    **kwargs
        Passed to the metric (``n_steps``, ``baseline``, ``random_state`` ...).

    Returns
    -------
    ExplanationScorer

    Notes
    -----
    Call ``search.fit(X)`` without ``y`` on an explainer of an already fitted (or
    ``FrozenEstimator``-wrapped) model: each fold then only refits the explainer's background.
    Without ``scoring=``, a search scores with the explainer's ``score``: explanation quality
    when fitted without ``y``, but the model's own score (accuracy, R^2) when ``y`` is given;
    pass this scorer to tune the explanation when the search gets ``y`` (the scorer ignores
    ``y``).
    scikit-learn's searches turn a scorer's error into a NaN score (``error_score=np.nan``)
    with a warning, and still pick and refit a "best" candidate: pass ``error_score="raise"``
    to see why a metric does not apply (a perturbation metric on a text explainer).
    Keep the metric's ``random_state`` fixed (the default) so every candidate sees the same
    perturbations. Do not tune on ``max_sensitivity`` / ``avg_sensitivity`` alone: a constant
    map is perfectly insensitive; combine it with a faithfulness metric (multi-metric
    ``scoring={...}`` and ``refit=`` on the faithful one).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.frozen import FrozenEstimator
    >>> from sklearn.linear_model import LinearRegression
    >>> from sklearn.model_selection import GridSearchCV
    >>> from skxai import KernelShapExplainer
    >>> from skxai.metrics import make_explanation_scorer
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(60, 4)); model = LinearRegression().fit(X, X @ [1, 2, 0, -1])
    >>> scorer = make_explanation_scorer("deletion_auc")
    >>> search = GridSearchCV(KernelShapExplainer(FrozenEstimator(model), max_background=10,
    ...                                           random_state=0),
    ...                       {"n_samples": [14, 16]}, scoring=scorer, cv=2).fit(X)
    >>> [int(v) for v in search.cv_results_["param_n_samples"]]
    [14, 16]
    """
    if greater_is_better is not None and not isinstance(greater_is_better, bool | np.bool_):
        # read by its truth value, "no" kept a lower-is-better foreign metric's sign (a search
        # then picked its worst candidate)
        raise ValueError(f"greater_is_better must be True or False, got {greater_is_better!r}.")
    if isinstance(metric, str):
        reg = _registry()
        if metric not in reg:
            raise ValueError(f"Unknown explanation metric {metric!r}; choose one of {sorted(reg)}.")
        func, better = reg[metric]
        if greater_is_better is not None and bool(greater_is_better) != better:
            direction = "higher" if better else "lower"
            raise ValueError(
                f"{metric} is better when {direction}; greater_is_better={greater_is_better} "
                "contradicts it (leave it unset)."
            )
        return ExplanationScorer(func, 1.0 if better else -1.0, kwargs, repr(metric))
    if not callable(metric):
        raise TypeError(f"metric must be a name or a callable, got {type(metric).__name__}.")
    _refuse_several_figures(metric)
    known = next((name for name, (func, _) in _registry().items() if func is metric), None)
    if known is not None:  # one of skxai's own metric functions: it knows its direction
        return make_explanation_scorer(known, greater_is_better=greater_is_better, **kwargs)
    if greater_is_better is None:
        raise ValueError(
            f"{getattr(metric, '__name__', metric)!r} is not one of skxai's metrics: say whether it "
            "is better when higher with greater_is_better=True or False."
        )
    name = getattr(metric, "__name__", repr(metric))
    return ExplanationScorer(metric, 1.0 if greater_is_better else -1.0, kwargs, name)


class one_standard_error_rule:
    """``GridSearchCV(refit=...)`` rule: the cheapest candidate within one standard error of the best.

    For budgets where more is always better (SmoothGrad's ``n_samples``, IG's ``n_steps``,
    KernelSHAP's ``n_samples``), the best mean score is usually the largest budget by a
    margin smaller than the noise. This rule takes the best mean test score, subtracts
    ``n_se`` standard errors of that candidate (the sample standard deviation of its split
    scores over ``sqrt(n_splits)``, i.e. ``std_test_score / sqrt(n_splits - 1)``, as
    ``std_test_score`` is the population one), and
    among the candidates at or above that line returns the one with the smallest ``param``
    (ties broken by the higher mean score). When the grid has other parameters too
    (SmoothGrad's ``sigma`` beside ``n_samples``), ``others="best"`` (default) only considers
    candidates that share the best candidate's values of them, so the rule trims the budget
    without changing the tuned setting; ``others="any"`` considers every candidate.

    Parameters
    ----------
    param : str, default="n_samples"
        Cost parameter, as named in ``param_grid`` (``"explain__n_samples"`` in a Pipeline;
        a unique suffix such as ``"n_samples"`` also matches it).
    scorer : str, optional
        Key of the scorer to use with multi-metric ``scoring={...}`` (``mean_test_<scorer>``).
    n_se : float, default=1.0
    cost : callable, optional
        ``cost(value) -> number`` when the parameter's values are not themselves costs.
    others : {"best", "any"}, default="best"

    Examples
    --------
    >>> import numpy as np
    >>> from skxai.metrics import one_standard_error_rule
    >>> cv_results = {"param_n_samples": np.array([10, 50, 200]),
    ...               "mean_test_score": np.array([0.50, 0.79, 0.80]),
    ...               "std_test_score": np.array([0.02, 0.02, 0.02]),
    ...               "split0_test_score": np.zeros(3), "split1_test_score": np.zeros(3),
    ...               "split2_test_score": np.zeros(3), "split3_test_score": np.zeros(3)}
    >>> one_standard_error_rule("n_samples")(cv_results)
    1
    """

    def __init__(self, param="n_samples", *, scorer=None, n_se=1.0, cost=None, others="best"):
        if isinstance(param, dict):
            # GridSearchCV(refit=one_standard_error_rule) calls the class on cv_results_: the
            # rule it built was returned as best_index_ ("best_index_ returned is not an integer")
            raise TypeError(
                "one_standard_error_rule was given cv_results_ as its parameter name: pass an "
                "instance as refit, naming the cost parameter, e.g. "
                "GridSearchCV(..., refit=one_standard_error_rule('n_steps'))."
            )
        self.param = param
        self.scorer = scorer
        self.n_se = n_se
        self.cost = cost
        self.others = others

    def _param_key(self, cv_results):
        key = f"param_{self.param}"
        if key in cv_results:
            return key
        matches = [
            k
            for k in cv_results
            if k.startswith("param_") and (k == f"param_{self.param}" or k.endswith(f"__{self.param}"))
        ]
        if len(matches) == 1:
            return matches[0]
        found = sorted(k[len("param_") :] for k in cv_results if k.startswith("param_"))
        raise ValueError(
            f"one_standard_error_rule: parameter {self.param!r} is "
            f"{'ambiguous' if matches else 'not in the search'}; searched parameters: {found}."
        )

    def __call__(self, cv_results):
        suffix = "score" if self.scorer is None else self.scorer
        mean_key, std_key = f"mean_test_{suffix}", f"std_test_{suffix}"
        if mean_key not in cv_results:
            keys = sorted(k[len("mean_test_") :] for k in cv_results if k.startswith("mean_test_"))
            raise ValueError(
                f"one_standard_error_rule: no {mean_key!r} in cv_results_; with multi-metric "
                f"scoring pass scorer= one of {keys}."
            )
        # NaN (and infinity times a zero std) made the line NaN: no candidate was kept and the
        # rule died with numpy's IndexError
        if (
            not isinstance(self.n_se, numbers.Real)
            or isinstance(self.n_se, bool | np.bool_)
            or not np.isfinite(self.n_se)
            or self.n_se < 0
        ):
            raise ValueError(f"n_se must be a non-negative finite number, got {self.n_se!r}.")
        mean = np.asarray(cv_results[mean_key], dtype=np.float64)
        std = np.asarray(cv_results[std_key], dtype=np.float64)
        n_splits = sum(1 for k in cv_results if k.startswith("split") and k.endswith(f"_test_{suffix}"))
        n_splits = max(1, n_splits)
        valid = np.isfinite(mean)
        if not valid.any():
            raise ValueError("one_standard_error_rule: every candidate scored NaN.")
        best = int(np.nanargmax(np.where(valid, mean, -np.inf)))
        # GridSearchCV's std_test_score is the population std of the folds (ddof=0); the
        # standard error of their mean is the sample std over sqrt(K): std0 / sqrt(K - 1)
        line = mean[best] - self.n_se * std[best] / np.sqrt(max(1, n_splits - 1))
        if self.others not in ("best", "any"):
            raise ValueError(f"others={self.others!r}; use 'best' or 'any'.")
        key = self._param_key(cv_results)
        values = np.asarray(cv_results[key], dtype=object)
        costs = np.array([self._cost(v) for v in values])
        keep = valid & (mean >= line)
        if self.others == "best" and "params" in cv_results:
            name = key[len("param_") :]
            ref = cv_results["params"][best]
            same = np.array([_same_others(p, ref, name) for p in cv_results["params"]])
            same[best] = True  # the best candidate itself, whatever its values compare as
            keep &= same
        ok = np.flatnonzero(keep)
        order = np.lexsort((-mean[ok], costs[ok]))
        return int(ok[order[0]])

    def _cost(self, value):
        if value is None or value is np.ma.masked:
            return np.inf
        cost = self.cost(value) if self.cost is not None else value
        try:
            return float(cost)
        except (TypeError, ValueError):
            # "auto" budgets: the rule cannot order what it cannot compare
            raise ValueError(
                f"one_standard_error_rule: {self.param}={value!r} has no numeric cost"
                + ("" if self.cost is None else f" (cost returned {cost!r})")
                + "; pass cost=callable mapping each searched value to a number (e.g. the budget "
                "'auto' stands for), or search numbers only."
            ) from None

    def __repr__(self):
        return f"one_standard_error_rule(param={self.param!r}, n_se={self.n_se}, others={self.others!r})"


def score_explainer(explainer, X, y=None, *, scoring=None):
    """Mean per-sample quality of ``explainer``'s explanations of ``X`` (higher is better).

    ``BaseExplainer.score`` calls this with the explainer's ``scoring`` parameter (or its
    family's default: ``"faithfulness_correlation"`` for tabular explainers).

    Parameters
    ----------
    explainer : fitted explainer
    X : array-like
    y : ignored
    scoring : str or callable
        Name of a metric (see :func:`skxai.metrics.get_metric_names`; lower-is-better
        metrics are negated), one of skxai's metric functions (``skxai.metrics.infidelity``
        ...), or ``callable(explainer, X, y) -> float`` such as a scorer from
        :func:`skxai.metrics.make_explanation_scorer`.

    Returns
    -------
    float

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LinearRegression
    >>> from skxai import ExactShapleyExplainer
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(40, 3)); model = LinearRegression().fit(X, X @ [1.0, -2.0, 0.5])
    >>> ex = ExactShapleyExplainer(model, scoring="infidelity").fit(X)
    >>> abs(ex.score(X[:5])) < 1e-12
    True
    """
    if scoring is None:
        raise ValueError(f"{type(explainer).__name__} has no default scoring; set scoring=...")
    _refuse_several_figures(scoring)
    if isinstance(scoring, str) or any(scoring is func for func, _ in _registry().values()):
        # a name, or one of skxai's metric functions (explainer, X) -> per-sample values
        scoring = make_explanation_scorer(scoring)
    if not callable(scoring):
        raise TypeError(f"scoring must be a metric name or a callable, got {scoring!r}.")
    return float(scoring(explainer, X, y))


def _same_others(params, ref, name):
    """Whether the candidates ``params`` and ``ref`` hold the same values for every parameter
    but ``name``: the same object, or equal elements (arrays and tensors: an array baseline),
    or ``==`` where it gives a truth value."""
    if set(params) != set(ref):
        return False
    for k, v in params.items():
        if k == name or v is ref[k]:
            continue
        if not _same_value(v, ref[k]):
            return False
    return True


def _same_value(v, w):
    if hasattr(v, "shape") or hasattr(w, "shape"):  # numpy arrays, torch tensors
        try:
            return bool(np.array_equal(np.asarray(v), np.asarray(w), equal_nan=True))
        except Exception:  # noqa: BLE001 - arrays of objects that do not compare: not the same
            return False
    try:
        return bool(v == w) or (isinstance(v, float) and isinstance(w, float) and v != v and w != w)
    except Exception:  # noqa: BLE001 - an == that gives no truth value: only the same object is
        return False
