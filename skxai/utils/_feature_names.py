"""scikit-learn's feature-name warnings for the user's input, and the internal calls they skip.

A scikit-learn estimator fitted on a DataFrame warns when it is then given an array ("X does
not have valid feature names, but ... was fitted with feature names"), and the reverse. The
explainers do the same in their public ``transform`` and ``explain``, for the data the user
passes, with scikit-learn's own messages and its own notion of valid names
(``sklearn.utils.validation._get_feature_names``: string column names).

The package calls ``transform`` too, on data it made itself: the metrics on perturbed arrays,
the Dask blocks, the command line's chunks. Those calls run inside :func:`internal_call` (in the
thread, or worker, that makes them) and do not warn; a public call's own nested calls
(``transform`` calling ``explain``) do not warn a second time.
"""

from __future__ import annotations

import contextlib
import functools
import threading

from skxai.utils._warnings import warn_at_caller

__all__ = [
    "check_feature_names",
    "internal_call",
    "internal_calls",
    "names_out",
    "record_fit_feature_names",
]

_local = threading.local()


@contextlib.contextmanager
def internal_call():
    """Calls of ``transform``/``explain`` in this block (this thread) skip the name check."""
    _local.depth = getattr(_local, "depth", 0) + 1
    try:
        yield
    finally:
        _local.depth -= 1


def _run_internal(func, *args, **kwargs):
    with internal_call():
        return func(*args, **kwargs)


def internal_calls(func):
    """``func`` run inside :func:`internal_call` wherever it runs (a joblib worker too)."""
    return functools.partial(_run_internal, func)


def in_internal_call():
    """Whether this thread is inside a package call (:func:`internal_call`)."""
    return getattr(_local, "depth", 0) > 0


def _dask_kind(X):
    """``"Array"``, ``"DataFrame"``, another dask class name, or None (not a dask collection)."""
    if not (hasattr(X, "__dask_graph__") and hasattr(X, "__dask_keys__")):
        return None
    return type(X).__name__


def _has_feature_names(X):
    if not (hasattr(X, "columns") or hasattr(X, "__dataframe__") or hasattr(X, "column_names")):
        # arrays, tensors, lists: no names, decided without scikit-learn's dataframe probes
        # (tens of microseconds per call: a tenth of a small network's CAM)
        return False
    from sklearn.utils.validation import _get_feature_names

    if _dask_kind(X) == "DataFrame":
        # a dask dataframe (lazy: scikit-learn reads eager frames only) has its columns at hand
        names = list(X.columns)
        return bool(names) and all(isinstance(c, str) for c in names)
    try:
        return _get_feature_names(X) is not None
    except TypeError:  # mixed str / non-str column names: no valid names (skxai takes them)
        return False


def record_fit_feature_names(explainer, X):
    """Remember at ``fit`` whether ``X`` had feature names (scikit-learn's sense)."""
    explainer._fitted_with_feature_names = _has_feature_names(X)


def check_feature_names(explainer, X):
    """Warn as scikit-learn does when ``X`` has names and fit's data had none, or the reverse.

    Skipped inside :func:`internal_call`, and for explainers fitted before the record existed.
    """
    fitted = getattr(explainer, "_fitted_with_feature_names", None)
    if fitted is None or in_internal_call() or _dask_kind(X) not in (None, "Array", "DataFrame"):
        return  # other dask collections (Series, Bag, Delayed) are refused by transform itself
    named = _has_feature_names(X)
    name = type(explainer).__name__
    if named and not fitted:
        warn_at_caller(f"X has feature names, but {name} was fitted without feature names", UserWarning)
    elif fitted and not named:
        warn_at_caller(f"X does not have valid feature names, but {name} was fitted with feature names", UserWarning)


def names_out(estimator, fitted, input_features=None):
    """``get_feature_names_out``'s answer with scikit-learn's handling of ``input_features``.

    ``input_features`` is checked as scikit-learn checks it (its length against
    ``n_features_in_``, its names against ``feature_names_in_``) and, where the attribution
    columns are the input columns themselves (``fitted`` holds the input's own names, or
    ``x0, x1, ...``), names them: a Pipeline passes the previous step's names, so a
    ``ColumnTransformer`` before the explainer names its columns as before any other step.
    Players of other names (feature groups, the model's columns) keep them.

    Parameters
    ----------
    estimator : fitted explainer
    fitted : sequence of str
        The names the explainer gives without ``input_features``.
    input_features : array-like of str, default=None

    Returns
    -------
    ndarray of str objects
    """
    import numpy as np
    from sklearn.utils.validation import _check_feature_names_in

    fitted = np.asarray(fitted, dtype=object)
    if input_features is None:
        return fitted
    given = _check_feature_names_in(estimator, input_features)
    own = getattr(estimator, "feature_names_in_", None)
    default = [f"x{j}" for j in range(len(given))]
    if len(fitted) == len(given) and (list(fitted) == default or (own is not None and list(fitted) == list(own))):
        return np.asarray(given, dtype=object)
    return fitted
