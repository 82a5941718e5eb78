"""Shapley regression values: retrain the model on every feature subset."""

from __future__ import annotations

import numbers
import warnings

import numpy as np
import scipy.sparse
from sklearn.base import clone
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.utils.parallel import delayed
from sklearn.utils.validation import _num_samples

from skxai._adapters import ModelOutput, is_frozen, safe_is_classifier, unwrap_frozen
from skxai._data import _is_numeric_dtype
from skxai._games._background import all_coalitions
from skxai.base import BaseTabularExplainer
from skxai.shapley._values import exact_shapley_from_values
from skxai.utils._memory import check_working_memory, concurrent_workers, model_bytes, refuse_beyond_working_memory
from skxai.utils._parallel import here_or_parallel
from skxai.utils._param_validation import (
    Interval,
    fit_context,
)
from skxai.utils._random import seed_from, seed_unseeded
from skxai.utils._warnings import warn_at_caller


def _sample_weight(estimator, fit_params):
    """The sample weights among ``fit_params`` (a Pipeline's routed to its last step too)."""
    if "sample_weight" in fit_params:
        return fit_params["sample_weight"]
    steps = getattr(estimator, "steps", None)
    if steps:
        return fit_params.get(f"{steps[-1][0]}__sample_weight")
    return None


def _final_classifier(estimator):
    """The estimator whose own settings (``class_weight``, ``priors``, Platt scaling) decide
    what a fitted ``estimator`` predicts from no information: a Pipeline's last step, a
    search's best estimator, the estimator a bagging or threshold wrapper trains (on the
    same rows, with the same weighting), repeatedly.

    Read on a Pipeline's last step only, a ``GridSearchCV`` (or a bag) of
    ``LogisticRegression(class_weight="balanced")`` got the plain class prior for its empty
    coalition: a feature without information took 0.19 of a 12%-positive class.
    """
    from sklearn.ensemble import BaggingClassifier, VotingClassifier
    from sklearn.model_selection import FixedThresholdClassifier, TunedThresholdClassifierCV
    from sklearn.model_selection._search import BaseSearchCV
    from sklearn.multiclass import OneVsRestClassifier

    for _ in range(32):  # nested wrappers; a bound, not a cycle check
        steps = getattr(estimator, "steps", None)
        if steps:
            inner = steps[-1][1]
        elif isinstance(estimator, BaseSearchCV):
            inner = getattr(estimator, "best_estimator_", None)
            inner = estimator.estimator if inner is None else inner
        elif isinstance(estimator, BaggingClassifier | FixedThresholdClassifier | TunedThresholdClassifierCV):
            inner = getattr(estimator, "estimator_", None)
            inner = estimator.estimator if inner is None else inner
        elif isinstance(estimator, OneVsRestClassifier):
            inner = estimator.estimator  # each class against the rest, with its weighting
        elif isinstance(estimator, VotingClassifier):
            inner = _common_member(estimator)
        else:
            return estimator
        if inner is None or isinstance(inner, str):  # "passthrough": no model of its own
            return estimator
        estimator = inner
    return estimator


def _no_information_key(estimator):
    """What decides a classifier's prediction from no information (see :func:`_final_classifier`)."""
    final = _final_classifier(estimator)
    settings = [getattr(final, name, None) for name in ("class_weight", "priors", "class_prior", "fit_prior")]
    return repr(settings), _platt_scaled(final)


def _common_member(voting):
    """The first member of a soft VotingClassifier when all its members predict the same from no
    information (same class weighting, priors and calibration): their average is then that
    member's. None (the plain prior) when they differ."""
    members = [e for _, e in voting.estimators if not isinstance(e, str)]  # "drop" members
    if not members:
        return None
    key = _no_information_key(members[0])
    return members[0] if all(_no_information_key(m) == key for m in members[1:]) else None


def _with_class_weight(estimator, y, sample_weight):
    """``sample_weight`` times the class weights of a classifier trained with ``class_weight``
    (a Pipeline's last step's): its fit on no feature predicts the prior of the weighted classes
    (uniform for "balanced"), not the plain class prior, which gave a feature without any
    information a share of the gap between the two."""
    final = _final_classifier(estimator)
    class_weight = getattr(final, "class_weight", None)
    if class_weight is None:
        return sample_weight
    from sklearn.utils.class_weight import compute_class_weight, compute_sample_weight

    if (
        class_weight in ("balanced", "balanced_subsample")
        and sample_weight is not None
        and np.ndim(y) == 1
        and _balances_weighted_counts(final)
    ):
        # balanced on the classes' weighted counts: every class then weighs the same in total
        sw = np.asarray(sample_weight, dtype=np.float64)
        classes, codes = np.unique(y, return_inverse=True)
        with np.errstate(divide="ignore", invalid="ignore"):  # a class of weight 0 weighs inf
            balanced = compute_class_weight("balanced", classes=classes, y=y, sample_weight=sw)[codes]
            # rows of weight 0 stay 0 (inf * 0 was NaN: the prior's fit failed on a class whose
            # rows all weigh 0, which then gets probability 0)
            return np.where(sw > 0, balanced * sw, 0.0)
    # a forest's "balanced_subsample" balances each bootstrap sample: "balanced" on average
    weight = compute_sample_weight("balanced" if class_weight == "balanced_subsample" else class_weight, y)
    return weight if sample_weight is None else weight * np.asarray(sample_weight, dtype=np.float64)


def _balances_weighted_counts(final):
    """Whether ``final``'s ``class_weight="balanced"`` counts the classes weighted by
    ``sample_weight``, as scikit-learn's logistic regressions and forests do since
    ``compute_class_weight`` takes ``sample_weight`` (trees, histogram boosting and SGD count
    them unweighted). Their fit on no information then predicts uniform probabilities, where
    the unweighted balance gave 0.68 for a rare class of weighted share 0.43."""
    import inspect

    from sklearn.ensemble import ExtraTreesClassifier, RandomForestClassifier
    from sklearn.linear_model import LogisticRegression, LogisticRegressionCV
    from sklearn.utils.class_weight import compute_class_weight

    weighted = (LogisticRegression, LogisticRegressionCV, RandomForestClassifier, ExtraTreesClassifier)
    return isinstance(final, weighted) and "sample_weight" in inspect.signature(compute_class_weight).parameters


def _fixed_prior(estimator, y):
    """The class prior a classifier (a Pipeline's last step) is told to use, in the order of
    ``np.unique(y)``, or None when it learns it from the rows.

    Trained on no informative feature, a model with ``priors`` (naive Bayes, discriminant
    analysis), ``class_prior`` or ``fit_prior=False`` (discrete naive Bayes) predicts that prior
    (uniform for ``fit_prior=False``), not the class frequencies; the empirical prior gave a
    feature without any information a share of the gap (0.27 for a class given 0.3 and seen in
    47% of the rows). ComplementNB uses no class prior at all (with two classes or more): it
    predicts uniform probabilities from no information.
    """
    from sklearn.naive_bayes import ComplementNB

    final = _final_classifier(estimator)
    n_classes = len(np.unique(y))
    if isinstance(final, ComplementNB) and n_classes > 1:
        return np.full(n_classes, 1.0 / n_classes)
    for name in ("priors", "class_prior"):
        prior = getattr(final, name, None)
        if prior is not None:
            prior = np.asarray(prior, dtype=np.float64)
            return prior / prior.sum() if prior.shape == (n_classes,) else None
    if getattr(final, "fit_prior", True) is False:
        return np.full(n_classes, 1.0 / n_classes)
    return None


def _platt_scaled(estimator):
    """Whether a classifier (a Pipeline's last step) is a libsvm SVM with ``probability=True``.

    Its probabilities are a sigmoid fitted to the plain labels: trained on no informative
    feature it predicts the class frequencies whatever its ``class_weight`` or
    ``sample_weight`` (0.87 for a class of frequency 0.88, where "balanced" gave 0.5).
    """
    from sklearn.svm import SVC, NuSVC

    final = _final_classifier(estimator)
    return isinstance(final, SVC | NuSVC) and bool(getattr(final, "probability", False))


def _class_shares(estimator, y, sample_weight):
    """The class probabilities a classifier predicts from no information, in the order of
    ``np.unique(y)``: its fixed prior, else the class shares of the rows weighted as it weighs
    them (``sample_weight`` and ``class_weight``; unweighted for Platt scaling)."""
    prior = _fixed_prior(estimator, y)
    if prior is not None:
        return prior
    weight = None if _platt_scaled(estimator) else _with_class_weight(estimator, y, sample_weight)
    _, codes = np.unique(y, return_inverse=True)
    totals = np.bincount(codes, weights=None if weight is None else np.asarray(weight, dtype=np.float64))
    return totals / totals.sum()


def _voting_prior(estimator, y, sample_weight):
    """The no-information probabilities of a soft VotingClassifier whose members predict
    different ones (a balanced and a plain logistic regression): the weighted mean of its
    members', as its ``predict_proba`` averages them. None for any other model (and for members
    that agree, which :func:`_final_classifier` already reads through)."""
    from sklearn.ensemble import VotingClassifier

    final = _final_classifier(estimator)
    if not isinstance(final, VotingClassifier) or final.voting != "soft" or np.ndim(y) != 1:
        return None
    weights = final.weights if final.weights is not None else [1.0] * len(final.estimators)
    pairs = [(e, w) for (_, e), w in zip(final.estimators, weights, strict=True) if not isinstance(e, str)]
    if not pairs:
        return None
    shares = np.array([_class_shares(e, y, sample_weight) for e, _ in pairs])
    w = np.array([w for _, w in pairs], dtype=np.float64)
    return w @ shares / w.sum()


def _prior_weight(y, prior):
    """Row weights whose class totals are ``prior`` (a DummyClassifier's "prior" then predicts it)."""
    _, codes, counts = np.unique(y, return_inverse=True, return_counts=True)
    return prior[codes] / counts[codes]


def _empty_model(estimator, method, is_clf):
    """The model of the empty coalition: it must not depend on the order of the training rows.

    Fitting the model itself on one constant column ties every row (k-nearest neighbours then
    pick whichever rows the tie-break favours). The training mean (regression) and the class
    prior (probabilities) are what a fit of squared error or log-loss with an intercept gives
    on no information; a model fitted to another loss on no information predicts its own
    constant (a median for absolute error, the geometric mean under a log-transformed target),
    which these are not. Other outputs (decision functions), and models set to fit no
    intercept (``fit_intercept=False``), keep the model's own constant fit, e.g. the log-odds of
    the prior for logistic regression, 0 for a linear model without intercept.
    """
    if _without_intercept(estimator):
        # a model fitted without an intercept predicts its own constant from no information (0,
        # or even odds), not the mean or prior: a pure-noise column took a share (2.47 against
        # the informative column's 2.37 on y = 5 + x0 with Ridge(fit_intercept=False))
        return clone(estimator)
    if method == "predict_proba":
        return DummyClassifier(strategy="prior")
    if method == "predict" and not is_clf:
        return DummyRegressor(strategy="mean")
    return clone(estimator)


def _sentence(exc):
    """An exception's message as a sentence (its own full stop where it has none)."""
    text = str(exc).strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def _without_intercept(estimator, through_targets=True):
    """Whether the model is set to fit no intercept: read through a Pipeline's last step and a
    TransformedTargetRegressor's ``regressor``, one that transforms the target only with
    ``through_targets`` (its fit on no information is then the inverse transform of 0, which
    the clone's own fit gives; the identity's is 0). Not through
    searches (a grid may set ``fit_intercept``) or calibration (its own fit decides)."""
    last = estimator
    for _ in range(16):  # nested Pipelines, never a cycle
        if getattr(last, "steps", None):
            last = last.steps[-1][1]
            continue
        try:
            params = last.get_params(deep=False)
        except (AttributeError, TypeError):
            return False
        if "fit_intercept" in params:
            return params["fit_intercept"] is False
        identity = all(params.get(k) is None for k in ("transformer", "func", "inverse_func"))
        inner = params.get("regressor") if (through_targets or identity) and "transformer" in params else None
        if inner is None or not hasattr(inner, "get_params"):
            return False
        last = inner
    return False


def _no_information_constant(method, is_clf):
    """What a model without intercept predicts from no information, where it cannot be trained
    on constant columns (VarianceThreshold first): 0 for a regressor, even odds for
    probabilities; None for a decision function (its own fit is the only answer)."""
    if method == "predict_proba":
        return DummyClassifier(strategy="uniform")
    if method == "predict" and not is_clf:
        return DummyRegressor(strategy="constant", constant=0.0)
    return None


def _no_information_row(X, numeric=None):
    """Values for every column of the empty coalition's input where zeros are refused: the
    training rows' medians (0 for a column without values), which do not depend on the rows'
    order; a column that is not numeric in the fitted frame (``numeric``, one flag a column:
    strings, categories, even of numbers) takes its most frequent value, the first in sorted
    order among ties: a value the column holds (a median of categories 1 and 2 is 1.5)."""
    if np.asarray(X).dtype == object:
        A = np.asarray(X)
        flags = [True] * A.shape[1] if numeric is None else list(numeric)
        return np.array(
            [_median_of(A[:, j]) if flags[j] else _most_frequent(A[:, j]) for j in range(A.shape[1])], dtype=object
        )
    A = np.asarray(X, dtype=np.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an all-NaN column: "All-NaN slice"
        med = np.nanmedian(A, axis=0) if A.shape[0] else np.zeros(A.shape[1])
    return np.nan_to_num(med, nan=0.0)


def _median_of(column):
    """A numeric column's median (its missing values left out)."""
    import pandas as pd

    values = pd.to_numeric(pd.Series(column), errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    return _no_information_row(values[:, None])[0]


def _holds_one_value(block):
    """Whether every column of ``block`` holds one value on every row (an object column with
    pandas' NA compared by pandas: ``==`` made "boolean value of NA is ambiguous")."""
    if block.dtype != object:
        return bool(np.all(block == block[:1]))
    import pandas as pd

    return bool((pd.DataFrame(block).nunique(dropna=False) <= 1).all())


def _most_frequent(column):
    """A column's most frequent value (missing values left out; pandas' NA too), ties to the
    first in sorted order."""
    import pandas as pd

    present = [v for v in column if not pd.isna(v)]
    if not present:
        return column[0] if len(column) else 0.0
    values, counts = np.unique(np.asarray(present, dtype=str), return_counts=True)
    top = values[np.argmax(counts)]  # np.unique sorts: ties go to the first in that order
    return next(v for v in present if str(v) == top)


def _subset_input(X, cols, schema=None, fill=None):
    """The columns ``cols`` of ``X`` as the model of their coalition takes them.

    A model fitted on a DataFrame gets the sub-frame of those columns (their names and dtypes),
    as the full model got the frame: a Pipeline choosing columns by dtype or name pattern
    (``make_column_selector``) trains on any subset of a frame's columns, not on a bare array.
    ``schema`` None (arrays, or a net that refuses frames): the bare columns.

    The empty coalition (its model, where it is the model's own constant fit) gets every column
    held at ``fill`` (zeros, or :func:`_no_information_row`): rows without information, in the
    data's own columns. It got one column of zeros, a bare array whatever the data: a Pipeline
    taking any sub-frame (``make_column_selector``) or positive data (a log transform) failed
    there, and only there.
    """
    if not len(cols):
        if fill is None:
            return np.zeros((X.shape[0], 1))
        cols = np.arange(len(fill))
        fill = np.asarray(fill, dtype=object if np.asarray(fill).dtype == object else np.float64)
        X = np.broadcast_to(fill, (X.shape[0], len(fill)))
    Xs = X[:, cols]
    if schema is None or not schema.is_frame:
        return Xs
    import pandas as pd

    names = [schema.columns[c] for c in cols]
    frame = pd.DataFrame(Xs, columns=names)
    cast = {c: schema.dtypes[c] for c in names if schema.dtypes[c] != Xs.dtype}
    return frame.astype(cast) if cast else frame


def _fit_subset(estimator, X, y, cols, names, fit_params, schema=None, fill=None):
    Xs = _subset_input(X, cols, schema, fill)
    try:
        return clone(estimator).fit(Xs, y, **fit_params)
    except Exception as exc:
        raise ValueError(
            f"ShapleyRegressionExplainer retrains the model on every subset of the features, and "
            f"fitting {type(estimator).__name__} on the subset {names} ({len(cols)} of {X.shape[1]} "
            f"columns) failed: {exc} Use a model that can be trained on any number of columns "
            "(no step that needs a fixed width, such as PCA(n_components=k)), or another explainer."
        ) from exc


def _subset_order(X, y, fit_params):
    """One order of the rows that does not depend on the order they came in: sorted by their
    values, targets and per-row fit parameters, then shuffled by a permutation fixed by their
    number. None where some column cannot be sorted (mixed types).

    The subset models are trained on the rows in this order, so the values do not depend on the
    order of the user's rows: k-nearest neighbours break distance ties by row position (a
    coalition of one discrete feature, diabetes' age, moved its value by 10 with the rows
    shuffled) and forests draw their bootstrap samples by position. Sorted alone, the rows came
    in blocks of their first column, and a model that cuts its rows into folds in order
    (``LassoCV``, ``LogisticRegressionCV``, stacking) was tuned on those blocks.
    """
    n = _num_samples(X)
    columns = [X.iloc[:, j].to_numpy() for j in range(X.shape[1])] if hasattr(X, "iloc") else list(np.asarray(X).T)
    y = np.asarray(y)
    columns += list(y.reshape(len(y), -1).T)
    for value in fit_params.values():  # rows equal but weighed differently are not tied
        if not np.isscalar(value) and np.ndim(value) == 1 and len(value) == n:
            columns.append(np.asarray(value))
    try:
        keys = [np.unique(c, return_inverse=True)[1].ravel() for c in columns]
    except TypeError:
        return None
    return np.lexsort(keys[::-1])[np.random.RandomState(n % 2**32).permutation(n)]


def _rows_in_order(order, X, y, fit_params):
    """``X``, ``y`` and every per-row fit parameter (as scikit-learn's cross-validation slices
    them: any array of as many rows) taken in ``order``."""
    if order is None:
        return X, y, fit_params
    n = _num_samples(X)

    def take(v):
        if hasattr(v, "iloc"):
            return v.iloc[order]
        return v[order] if scipy.sparse.issparse(v) else np.asarray(v)[order]

    def per_row(v):
        try:
            return not np.isscalar(v) and _num_samples(v) == n
        except TypeError:
            return False

    return take(X), take(y), {k: take(v) if per_row(v) else v for k, v in fit_params.items()}


class ShapleyRegressionExplainer(BaseTabularExplainer):
    """Shapley regression values (Lipovetsky & Conklin, 2001).

    The value of a coalition S is the prediction of a model *retrained* on the features of S
    only: ``v(S) = f_S(x_S)``. The empty coalition's value ``f_empty`` is the training mean
    (regression), the class prior (probabilities; weighted by ``sample_weight`` and the model's
    ``class_weight``; the model's own ``priors`` or ``class_prior`` where it is given one,
    uniform for ``fit_prior=False`` and ``ComplementNB``; unweighted for
    ``SVC(probability=True)``, whose sigmoid is fitted to the plain labels; the weighted mean of
    a soft ``VotingClassifier``'s members' where they differ), or the model's own fit on
    constant columns (other responses, e.g. a decision function, and models set to
    ``fit_intercept=False``, which predict 0 or even odds from no information: every column, a DataFrame's
    with its names and dtypes, held at 0, or at the training medians where the model refuses
    zeros), whatever the order of the rows. Columns constant on the training rows hold no
    information: every coalition has the model of itself plus the constant players (a
    coalition of constant columns alone, the empty coalition's model), so a constant column
    gets 0 (to rounding) for any model, a randomised one included. ``fit(X, y)`` trains
    ``clone(estimator)`` on all ``2**p`` subsets (joblib across subsets; the full set's model is ``estimator_``, the
    one ``predict`` uses); Shapley values then follow by exact enumeration. The subset models are
    trained on the rows in one order that does not depend on the order they came in (sorted by
    their values, targets and per-row fit parameters such as ``sample_weight``, which follow
    them, then shuffled by a fixed permutation), so the values do not depend on the order of the
    rows beyond the explained model's own dependence: k-nearest neighbours break distance ties
    by row position, forests draw bootstrap samples by it. The full model is trained on the rows
    as given: it is the model the user would fit.

    Parameters
    ----------
    estimator : estimator
        Unfitted (or fitted: it is cloned) estimator that can be trained on any column subset
        (of a DataFrame: the sub-frame of those columns, with their names and dtypes). Unlike
        the other explainers, this one retrains the model it is given: a ``FrozenEstimator``'s
        model is retrained too (with a warning), and ``estimator_`` is the model trained on
        ``(X, y)``.
    max_features : int, default=10
        Refuse more players than this (2**p models are trained).
    target, response_method, feature_groups, batch_size, n_jobs, scoring, verbose
        As in :class:`~skxai.ExactShapleyExplainer`.
    max_background, background, random_state
        Only used for ``model_output`` and the metrics' background replacement; ``random_state``
        also seeds every retrained model (the full one included) whose own ``random_state``
        is None, so that such a model (a forest's default) gives the same values on every fit
        and for any ``n_jobs``, and numpy's global generator is not drawn from.

    Attributes
    ----------
    subset_estimators_ : list of estimators
        Model of coalition ``i`` (binary code of the players it holds).
    expected_value_ : ndarray of shape (n_outputs,)
        ``v(empty)``: the training mean, the class prior, or the constant fit.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LinearRegression
    >>> from skxai import ShapleyRegressionExplainer
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(60, 3)); y = X @ [1.0, 2.0, 0.0] + 0.1 * rng.normal(size=60)
    >>> explainer = ShapleyRegressionExplainer(LinearRegression()).fit(X, y)
    >>> phi = explainer.transform(X[:2])
    >>> bool(np.allclose(phi.sum(1), explainer.predict(X[:2]) - explainer.expected_value_[0]))
    True
    """

    _needs_y = True

    # consumed by fit (its background, response, groups, ...): a change by set_params after fit is
    # refused at transform / explain (skxai.utils._fit_target)
    _fit_time_params = ("response_method", "feature_groups", "random_state")

    _parameter_constraints = {
        **BaseTabularExplainer._parameter_constraints,
        "max_features": [Interval(numbers.Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        estimator,
        *,
        max_features=10,
        target=None,
        response_method="auto",
        max_background=100,
        background="sample",
        feature_groups=None,
        batch_size=50_000,
        n_jobs=None,
        random_state=None,
        scoring=None,
        verbose=0,
    ):
        self.estimator = estimator
        self.max_features = max_features
        self.target = target
        self.response_method = response_method
        self.max_background = max_background
        self.background = background
        self.feature_groups = feature_groups
        self.batch_size = batch_size
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.scoring = scoring
        self.verbose = verbose

    @fit_context
    def fit(self, X, y=None, **fit_params):
        """Fit the model on all features and on every subset of them.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        **fit_params : dict
            Passed to the ``fit`` of every subset model (they are trained on the same rows);
            the training mean or class prior of the empty coalition is weighted by
            ``sample_weight`` (a Pipeline's ``<last step>__sample_weight`` too), and the class
            prior by the classifier's ``class_weight`` (uniform for "balanced"; with
            ``sample_weight``, "balanced" counts the classes weighted for logistic regression and
            forests, unweighted for other models, as scikit-learn does), as the model's own fit on
            no feature would be.

        Returns
        -------
        self
        """
        return super().fit(X, y, **fit_params)

    def _fit_estimator(self, X, y=None, **fit_params):
        if y is None:
            raise ValueError("ShapleyRegressionExplainer.fit needs y: it retrains the model.")
        est = self.estimator
        if is_frozen(est):
            # the method is the retraining: a frozen model is retrained like any other, and
            # the model explained is the one trained on (X, y), not the frozen one
            warn_at_caller(
                "ShapleyRegressionExplainer retrains the model on (X, y) for every feature subset, the "
                f"full set included: the fitted {type(unwrap_frozen(est)).__name__} inside the "
                "FrozenEstimator is not the model explained (estimator_ is its retrained copy). Pass "
                "the unfitted estimator, or explain the fitted model with ExactShapleyExplainer.",
                UserWarning,
            )
        est = unwrap_frozen(est)
        fit_params = self._route_fit_params(fit_params)
        # Every subset model is trained with them too (in _fit_extra): a full-coalition model
        # trained without them would not be the model that predicts, and the values would not
        # add up to its predictions.
        self._subset_fit_params = fit_params
        self._subset_seed = seed_from(self.random_state)
        return seed_unseeded(clone(est), self._subset_seed).fit(X, y, **fit_params)

    def _fit_extra(self, X, y):
        fit_params = self.__dict__.pop("_subset_fit_params", {})
        p = self.n_players_
        if p > self.max_features:
            raise ValueError(
                f"ShapleyRegressionExplainer trains 2**{p} models; {p} players exceed max_features={self.max_features}."
            )
        # before any coalition is built or model trained: max_features=25 built 2**25
        # coalitions and died allocating 6.25 GiB, and 60 raised numpy's 'array is too big'
        check_working_memory(self)
        # the subset models' rows in one order whatever the user's (the full model is the
        # user's model, trained on the rows as they came)
        X, y, fit_params = _rows_in_order(_subset_order(X, y, fit_params), X, y, fit_params)
        self._masks = all_coalitions(p)
        cols = [
            np.sort(np.concatenate([self.groups_[j] for j in np.flatnonzero(m)] or [[]])).astype(int)
            for m in self._masks
        ]
        est = self.estimator_
        if is_frozen(self.estimator):
            est = unwrap_frozen(self.estimator)
        est = seed_unseeded(clone(est), self.__dict__.pop("_subset_seed"))
        names = [[str(self.feature_names_out_[j]) for j in np.flatnonzero(m)] for m in self._masks]
        empty = _empty_model(est, self.output_.method, safe_is_classifier(est))
        empty_params = fit_params
        if isinstance(empty, DummyClassifier) and np.ndim(y) == 2 and np.shape(y)[1] > 1:
            # a multilabel classifier's probabilities are one per label; a DummyClassifier on
            # the label columns returns one array per column, and its error named it instead
            raise ValueError(
                f"ShapleyRegressionExplainer explains a classifier of one target: "
                f"{type(unwrap_frozen(est)).__name__} was trained on {np.shape(y)[1]} target columns "
                "(multilabel), whose empty coalition has no class prior here. Explain one label at "
                "a time: fit on y[:, j]."
            )
        if isinstance(empty, DummyClassifier | DummyRegressor):
            weight = _sample_weight(est, fit_params)
            if isinstance(empty, DummyClassifier) and np.ndim(y) == 1:
                # the probabilities the model predicts from no information (its fixed prior, the
                # rows weighted as it weighs them, its soft-voting members' mean), given to the
                # DummyClassifier as row weights
                prior = _voting_prior(est, y, weight)
                weight = _prior_weight(y, _class_shares(est, y, weight) if prior is None else prior)
            elif isinstance(empty, DummyClassifier):
                weight = None if _platt_scaled(est) else _with_class_weight(est, y, weight)
            empty_params = {} if weight is None else {"sample_weight": weight}
        # The full coalition's model is the explained model itself (``estimator_``, which
        # ``predict`` uses): a refit of a randomised model (a forest without random_state) was
        # another model, and the values did not add up to the predictions (off by 1.35).
        full = len(cols) - 1
        # The empty coalition's model sees every column held at 0 (a linear model's coefficients
        # then stay exactly 0, and its fit is the intercept's alone) or, where the model refuses
        # zeros (a log transform of positive data), at the training medians: both constant.
        schema = self._subset_schema()
        numeric = None if self._schema.dtypes is None else [_is_numeric_dtype(d) for d in self._schema.dtypes]
        fills = (np.zeros(X.shape[1]), _no_information_row(X, numeric))
        if not self._schema.numeric:
            # a 0 in a category or string column is a value the data never holds (a NaN
            # category, with pandas' warning): the columns' medians and most frequent values
            fills = fills[1:]
        for k, fill in enumerate(fills):
            # a failed try's warnings ("divide by zero encountered in log") are not the user's
            # concern; a successful one's are replayed
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                try:
                    empty_fitted = _fit_subset(empty, X, y, cols[0], names[0], empty_params, schema, fill)
                except ValueError as exc:
                    fallback = _no_information_constant(self.output_.method, safe_is_classifier(est))
                    # the constant is known only for the model itself (behind Pipelines): a
                    # target transformer's inverse of 0 is not 0
                    direct = _without_intercept(est, through_targets=False)
                    if k == len(fills) - 1 and fallback is not None and direct:
                        empty, empty_params = fallback, {}
                        empty_fitted = _fit_subset(empty, X, y, cols[0], names[0], empty_params, schema, fill)
                        break
                    if k == len(fills) - 1:
                        # the empty coalition's decision function is the model's own fit on
                        # columns held constant (zeros, then the medians): a model that refuses
                        # constant columns (VarianceThreshold) was told to avoid fixed widths
                        decision = self.output_.method == "decision_function"
                        raise ValueError(
                            f"{type(self).__name__}: the empty coalition's "
                            + ("decision function" if decision else "value, for a model without intercept,")
                            + " is the model trained on its columns held constant (at 0, then at the training "
                            f"medians), and {type(est).__name__} refuses that: {_sentence(exc.__cause__ or exc)} "
                            + (
                                "Use response_method='predict_proba' (its empty coalition is the class prior) or a "
                                if decision
                                else "Use a "
                            )
                            + "model that trains on constant columns."
                        ) from exc
                    continue
            for w in caught:
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno, source=w.source)
            break
        self._empty_fill = fill
        # Constant columns (on the training rows) give a model no information: every coalition
        # takes the model of itself plus the constant players, so they are null players for any
        # model, whatever their value in the explained rows. A coalition of constant columns
        # alone has the empty coalition's model (fitted on the constant itself, k-nearest
        # neighbours tied every row: a constant column got 0.354 with the rows in one order,
        # -0.502 in another; SVR's own constant fit gave it -0.14), and one holding every other
        # player has the explained model (a forest refitted without the constant drew its
        # features otherwise: the constant got up to 0.13).
        const_bits = sum(1 << j for j in range(p) if _holds_one_value(X[:, self.groups_[j]]))
        if const_bits == full:
            const_bits = 0  # every column constant: the model itself against its constant fit
        rep = [i | const_bits for i in range(full + 1)]
        blank = [rep[i] == const_bits for i in range(full + 1)]
        fit = sorted({rep[i] for i in range(1, full) if not blank[i] and rep[i] != full})
        fitted = self._fit_subsets_within_memory(
            fit, lambda i: delayed(_fit_subset)(est, X, y, cols[i], names[i], fit_params, schema), empty_fitted
        )
        fitted[0], fitted[full] = empty_fitted, self.estimator_
        self.subset_estimators_ = [fitted[0] if blank[i] else fitted[rep[i]] for i in range(full + 1)]
        # the coalition whose model (and columns) each coalition uses
        self._subset_rep = np.array([0 if blank[i] else rep[i] for i in range(full + 1)])
        self._subset_cols = [cols[r] for r in self._subset_rep]
        const = _subset_input(X[:1], [], self._subset_schema(), self._empty_fill)
        self.expected_value_ = ModelOutput(self.subset_estimators_[0], self.response_method)(const)[0]

    def _fit_subsets_within_memory(self, fit, task, empty_fitted):
        """The subset models of the coalitions ``fit``, trained in chunks of a few per worker and
        kept while they fit the working-memory bound with the rest.

        The models are held for every ``transform``: k-nearest neighbours keep their training
        rows, forests grow with them, and 1,024 of them took 5.2 GiB past the bound with no
        refusal (the bound counted 512 bytes a model). After each chunk, the bytes held and
        the largest model so far times the models still to train are set against the bound.
        """
        workers = concurrent_workers(self)
        chunk = max(8, 4 * workers)
        held = model_bytes(empty_fitted) or 0
        largest = 0
        fitted = {}
        for start in range(0, len(fit), chunk):
            part = fit[start : start + chunk]
            models = here_or_parallel(self.n_jobs, verbose=self.verbose)(task(i) for i in part)
            # (a model pickle cannot measure is not counted: its size is not known)
            sizes = [size for size in map(model_bytes, models) if size is not None]
            fitted.update(zip(part, models, strict=True))
            if not sizes:
                continue
            held += sum(sizes)
            largest = max(largest, *sizes)
            left = len(fit) - start - len(part)
            refuse_beyond_working_memory(
                held + largest * left,
                type(self).__name__,
                f"keeping the {len(fit)} subset models it trains (up to {largest / 2**20:.1f} MiB each, "
                f"{len(fitted)} trained so far)",
                "lower the number of players (feature_groups, max_features) or explain a smaller model",
            )
        return fitted

    def _subset_schema(self):
        """The schema the subset models see their columns through: the fitted table's, unless
        the full model itself gets arrays (a net that refuses frames)."""
        if getattr(self.output_, "_frame_as_array", False):
            return None
        return self._schema

    def _working_bytes(self):
        m, p, k = 2**self.n_players_, self.n_players_, self.n_outputs_
        # per coalition: its mask (bool, built through int64: 9 bytes a player) and its
        # Shapley coefficients (float64), its columns and names (Python objects, about 64
        # bytes a player) and the model trained on it (a few hundred bytes for the smallest
        # scikit-learn model: 512 is a floor); per row, every coalition's output, stacked
        # and weighted (float64)
        return m * (81 * p + 512), 3 * 8 * m * k

    def _memory_knobs(self):
        return "the number of players (merge features with feature_groups)"

    def _explain_rows(self, X):
        full = len(self._masks) - 1

        def predict(i):
            if i == full and i > 0:
                return self.output_(X)  # estimator_, on the data as it was fitted (a DataFrame)
            Xs = _subset_input(X, self._subset_cols[i], self._subset_schema(), self._empty_fill)
            return ModelOutput(self.subset_estimators_[i], self.response_method)(Xs)

        # each distinct model once (coalitions that differ by constant players share one)
        rep = getattr(self, "_subset_rep", None)  # (an explainer saved before it was kept)
        used, where = np.unique(np.arange(full + 1) if rep is None else rep, return_inverse=True)
        outs = here_or_parallel(self.n_jobs, prefer="threads")(delayed(predict)(int(i)) for i in used)
        values = np.stack(outs, axis=1)[:, where]
        phi = exact_shapley_from_values(self._masks, values)
        return phi, values[:, 0, :], None, {}
