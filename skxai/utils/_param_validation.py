"""One validation machinery and one vocabulary for every explainer family.

Explainers declare ``_parameter_constraints`` with scikit-learn's constraint objects and
decorate ``fit`` with :func:`fit_context`, so a bad hyper-parameter fails at the start of
``fit`` with scikit-learn's ``InvalidParameterError`` (a ``ValueError`` and ``TypeError``)
naming the parameter. The shared constraints below give a parameter the same meaning in every
family.
"""

from __future__ import annotations

import functools
import numbers

import numpy as np
from sklearn.base import _fit_context
from sklearn.utils._param_validation import (
    HasMethods,
    InvalidParameterError,
    RealNotInt,
    StrOptions,
)
from sklearn.utils._param_validation import Interval as _SklearnInterval
from sklearn.utils._param_validation import Options as _SklearnOptions

from skxai.utils._dask_inputs import in_memory
from skxai.utils._feature_names import record_fit_feature_names
from skxai.utils._fit_target import record_fit_target, records_set_aside
from skxai.utils._warnings import warn_at_caller

__all__ = [
    "BATCH_SIZE",
    "HasMethods",
    "Interval",
    "InvalidParameterError",
    "N_JOBS",
    "Options",
    "RANDOM_STATE",
    "RESPONSE_METHOD",
    "RESPONSE_METHODS",
    "RealNotInt",
    "StrOptions",
    "TARGET",
    "VERBOSE",
    "deprecated_param",
    "deprecated_value",
    "fit_context",
]


def _is_bool(val):
    return isinstance(val, bool | np.bool_)


class _RefusingBools:
    """Mixin of the numeric constraints: a bool satisfies none of them (``True == 1``)."""

    def is_satisfied_by(self, val):
        """Whether ``val`` satisfies the constraint (a bool never does).

        Parameters
        ----------
        val : object
            The value of the parameter.

        Returns
        -------
        bool
            True when ``val`` satisfies the constraint.
        """
        return not _is_bool(val) and super().is_satisfied_by(val)


class Interval(_RefusingBools, _SklearnInterval):
    """scikit-learn's ``Interval``, refusing bools.

    ``bool`` is a subclass of ``int``, so scikit-learn's ``Interval(Integral, 1, None)``
    accepts ``True`` (and ``Interval(Real, ...)`` takes it as 1.0). A bool is never meant as a
    count or a size: ``max_background=True`` passed ``fit`` and failed inside numpy. Every
    numeric interval of skxai refuses it, so ``fit`` raises ``InvalidParameterError`` naming the
    parameter. Parameters that take a bool say so with a ``"boolean"`` constraint.

    Parameters
    ----------
    type : {numbers.Integral, numbers.Real, RealNotInt}
        The set of numbers the interval lies in.
    left : float or int or None
        The left bound (None: no bound).
    right : float or int or None
        The right bound (None: no bound).
    closed : {"left", "right", "both", "neither"}
        Which bounds belong to the interval.

    Examples
    --------
    >>> import numbers
    >>> count = Interval(numbers.Integral, 1, None, closed="left")
    >>> count.is_satisfied_by(3), count.is_satisfied_by(True)
    (True, False)
    """


class Options(_RefusingBools, _SklearnOptions):
    """scikit-learn's ``Options``, refusing bools among numeric options (``True == 1``).

    Parameters
    ----------
    type : type
        The type of the options.
    options : set
        The valid values.
    deprecated : set or None, default=None
        The options marked as deprecated in the error message.

    Examples
    --------
    >>> import numbers
    >>> order = Options(numbers.Integral, {1, 3})
    >>> order.is_satisfied_by(1), order.is_satisfied_by(True)
    (True, False)
    """


def fit_context(fit):
    """Decorate an explainer's ``fit``: validate ``_parameter_constraints`` before anything runs.

    Parameters
    ----------
    fit : callable
        The ``fit`` method.

    Returns
    -------
    callable
        ``fit`` wrapped by scikit-learn's ``_fit_context`` (nested fits skip validation), which
        also records whether ``X`` had feature names (for scikit-learn's warnings at
        ``transform``).
    """
    validated = _fit_context(prefer_skip_nested_validation=True)(fit)

    @functools.wraps(fit)
    def fit_recording_feature_names(self, X, *args, **kwargs):
        # fit works on data in memory: a dask dataframe (and its dask y) failed deep inside
        X = in_memory(X)
        args = tuple(in_memory(a) for a in args)
        kwargs = {k: in_memory(v) for k, v in kwargs.items()}
        # A fit that raises leaves the explainer as it was: its partial state (estimator_,
        # background_, n_players_ set before a refusal of max_features) made it look fitted,
        # and transform then ran the 2**21 coalitions fit had refused.
        before = dict(self.__dict__)
        try:
            with records_set_aside(self):
                out = validated(self, X, *args, **kwargs)
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(before)
            raise
        # whether X had feature names: transform / explain warn as scikit-learn does when the
        # data they get differs (skxai.utils._feature_names)
        record_fit_feature_names(self, X)
        record_fit_target(self)
        return out

    return fit_recording_feature_names


#: The explained response, one set of names in every family.
#:
#: - ``"auto"``: probabilities for classifiers (``predict_proba``; the softmax or sigmoid of a
#:   torch classifier's logits), the prediction for regressors, a plain module's own output;
#: - ``"predict_proba"``: class probabilities;
#: - ``"decision_function"``: the raw score before the link (scikit-learn's decision function,
#:   a network's logits, boosted trees' log-odds; the tabular families explain a skorch net's
#:   logits through its ``module_``, the torch families through the net itself);
#: - ``"predict"``: the regression output (class labels have no additive decomposition).
RESPONSE_METHODS = ("auto", "predict_proba", "decision_function", "predict")

#: Names of the first release, accepted for one release with a FutureWarning.
DEPRECATED_RESPONSE_METHODS = {"logits": "decision_function", "proba": "predict_proba", "raw": "decision_function"}

RESPONSE_METHOD = [
    StrOptions(set(RESPONSE_METHODS) | set(DEPRECATED_RESPONSE_METHODS), deprecated=set(DEPRECATED_RESPONSE_METHODS))
]
#: A class label, an output index, "predicted", None (family default) or a per-sample array.
TARGET = "no_validation"  # normalised to the string sklearn skips by BaseExplainer
BATCH_SIZE = [Interval(numbers.Integral, 1, None, closed="left"), None]
#: Most workers ``n_jobs`` may ask for: joblib evaluates its ``pre_dispatch="2*n_jobs"`` and
#: refused 10**6 at the first parallel call, in words that did not name ``n_jobs``.
MAX_N_JOBS = 2**16
#: joblib's meaning: None (1, or a parallel_config context's), k >= 1 workers, -1 all cores, -2 all
#: but one...; 0 means nothing and is refused at fit (joblib would refuse it at the first call).
N_JOBS = [
    Interval(numbers.Integral, -MAX_N_JOBS, -1, closed="both"),
    Interval(numbers.Integral, 1, MAX_N_JOBS, closed="both"),
    None,
]
VERBOSE = ["verbose"]
RANDOM_STATE = ["random_state"]


def deprecated_value(name, value, aliases, *, owner=None):
    """Map a value of the first release to its new name, with a FutureWarning.

    Parameters
    ----------
    name : str
        The parameter (for the message).
    value : object
        Its value; returned unchanged unless it is a deprecated name.
    aliases : dict
        ``{old value: new value}``.
    owner : str, default=None
        The class named in the message.

    Returns
    -------
    object
        The new name of a deprecated value, else ``value``.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True):
    ...     warnings.simplefilter("always")
    ...     deprecated_value("response_method", "logits", {"logits": "decision_function"})
    'decision_function'
    """
    if isinstance(value, str) and value in aliases:
        new = aliases[value]
        where = f"{owner}: " if owner else ""
        warn_at_caller(
            f"{where}{name}={value!r} is deprecated and will be removed in the next release; use {name}={new!r}.",
            FutureWarning,
        )
        return new
    return value


def deprecated_param(estimator, old, new, *, sentinel="deprecated"):
    """The value of parameter ``new``, taken from the renamed ``old`` (with a FutureWarning) if set.

    The old parameter stays in ``__init__`` with default ``"deprecated"`` for one release, as
    scikit-learn deprecates renamed parameters.

    Parameters
    ----------
    estimator : object
        The explainer.
    old, new : str
        The old and the new name of the parameter.
    sentinel : str, default="deprecated"
        The default of the old parameter (meaning: not set).

    Returns
    -------
    object
        The old parameter's value where it was set, else the new one's.
    """
    old_value = getattr(estimator, old, sentinel)
    if isinstance(old_value, str) and old_value == sentinel:
        return getattr(estimator, new)
    import inspect

    default = inspect.signature(type(estimator).__init__).parameters[new].default
    new_value = getattr(estimator, new)
    numbers_ = (numbers.Number, np.number)
    try:
        unset = new_value is default or (
            # the default itself, or its value in another numeric type (np.int64(10_000))
            (type(new_value) is type(default) or (isinstance(new_value, numbers_) and isinstance(default, numbers_)))
            and not isinstance(new_value, bool | np.bool_)
            and bool(new_value == default)
        )
    except (TypeError, ValueError):  # an array's == is elementwise
        unset = False
    if not unset:
        # both names set: the old one silently won (a search over the new name tuned nothing)
        raise ValueError(
            f"{type(estimator).__name__}: both {old}={old_value!r} and {new}={new_value!r} are set; "
            f"{old!r} was renamed {new!r}: set only {new}."
        )
    warn_at_caller(
        f"{type(estimator).__name__}: parameter {old!r} was renamed {new!r} and will be removed in "
        f"the next release; use {new}={old_value!r}.",
        FutureWarning,
    )
    return old_value


def resolve_response_method_name(value, *, owner=None, check=None, regressor=False):
    """The canonical response-method name (deprecated names mapped, with a FutureWarning).

    Parameters
    ----------
    value : object
        The ``response_method`` given.
    owner : str, default=None
        The class named in the messages.
    check : callable, default=None
        Called with the new name of a deprecated one before warning; it raises the
        ``ValueError`` of a model that cannot give that response. The error is then raised
        alone, naming the name given: a FutureWarning advising a name the next line refuses
        is advice the user cannot follow.
    regressor : bool, default=False
        The model is a network regressor, whose raw output (what ``"logits"`` / ``"raw"``
        named in the first release) is its prediction: those names map to ``"predict"``.

    Returns
    -------
    object
        The canonical name of a deprecated name, else ``value``.
    """
    if not (isinstance(value, str) and value in DEPRECATED_RESPONSE_METHODS):
        return value
    new = DEPRECATED_RESPONSE_METHODS[value]
    if regressor and new == "decision_function":
        new = "predict"
    if check is not None:
        try:
            check(new)
        except ValueError as e:
            where = f"{owner}: " if owner else ""
            raise ValueError(
                f"{where}response_method={value!r} (a deprecated name for {new!r}) cannot be used: {e}"
            ) from None
    return deprecated_value("response_method", value, {value: new}, owner=owner)
