"""Model adapters: turn a fitted estimator (or callable) into a batched output function."""

from __future__ import annotations

import numpy as np
from sklearn.base import is_classifier, is_outlier_detector

RESPONSE_METHODS = ("auto", "predict_proba", "decision_function", "predict")


def _is_sklearn_like(estimator):
    return hasattr(estimator, "fit") and (
        hasattr(estimator, "predict")
        or hasattr(estimator, "predict_proba")
        or hasattr(estimator, "decision_function")
        or hasattr(estimator, "transform")
    )


def _final_step(estimator):
    """The estimator that decides the output kind (last Pipeline step, frozen inner)."""
    est = estimator
    for _ in range(10):
        if hasattr(est, "steps"):
            est = est.steps[-1][1]
        elif type(est).__name__ == "FrozenEstimator":
            est = est.estimator
        else:
            break
    return est


def safe_is_classifier(estimator):
    """``sklearn.base.is_classifier`` that answers False for plain callables."""
    if not _is_sklearn_like(estimator):
        return False
    try:
        return is_classifier(estimator)
    except AttributeError:
        return False


def resolve_response_method(estimator, response_method):
    """Pick the method explained, following ``sklearn.inspection.partial_dependence``."""
    if response_method not in RESPONSE_METHODS:
        raise ValueError(
            f"response_method={response_method!r} is not supported; use one of {RESPONSE_METHODS}."
        )
    if not _is_sklearn_like(estimator):
        if callable(estimator):
            if response_method not in ("auto", "predict"):
                raise ValueError(
                    f"response_method={response_method!r} needs an estimator; a plain callable "
                    "is explained through its return value (use 'auto' or 'predict')."
                )
            return "__call__"
        raise TypeError(
            f"Cannot explain {type(estimator).__name__}: expected a scikit-learn estimator, "
            "a Pipeline or a callable mapping a 2-D array to predictions."
        )
    if response_method == "auto":
        if safe_is_classifier(estimator):
            candidates = ("predict_proba", "decision_function")
        elif is_outlier_detector(estimator):
            candidates = ("decision_function", "score_samples")
        else:
            candidates = ("predict",)
        for name in candidates:
            if hasattr(estimator, name):
                return name
        raise ValueError(f"{type(estimator).__name__} has none of {candidates}.")
    if not hasattr(estimator, response_method):
        raise ValueError(
            f"{type(estimator).__name__} has no method {response_method!r} "
            f"(response_method={response_method!r})."
        )
    if response_method == "predict" and safe_is_classifier(estimator):
        raise ValueError(
            "response_method='predict' returns class labels, which have no additive "
            "explanation; use 'predict_proba' or 'decision_function' for a classifier."
        )
    return response_method


class ModelOutput:
    """Batched output function ``f(A) -> (n, n_outputs)`` of a fitted estimator.

    Parameters
    ----------
    estimator : fitted estimator or callable
    response_method : str
        Method resolved by :func:`resolve_response_method`.
    schema : TabularSchema or None
        Rebuilds DataFrames (names and dtypes) from perturbed arrays.
    """

    def __init__(self, estimator, response_method, schema=None):
        self.estimator = estimator
        self.method = resolve_response_method(estimator, response_method)
        self.schema = schema
        self.output_names = None

    def __call__(self, A):
        X = self.schema.to_model_input(A) if self.schema is not None else A
        if self.method == "__call__":
            out = self.estimator(X)
        else:
            out = getattr(self.estimator, self.method)(X)
        out = np.asarray(out, dtype=np.float64)
        if out.ndim == 1:
            out = out[:, None]
        elif out.ndim > 2:
            out = out.reshape(out.shape[0], -1)
        return out

    def describe_outputs(self, n_outputs):
        """Names of the output columns (class labels, tasks)."""
        est = self.estimator
        classes = getattr(est, "classes_", None)
        if classes is not None and self.method in ("predict_proba", "decision_function"):
            classes = np.asarray(classes)
            if classes.ndim == 1:
                if n_outputs == len(classes):
                    return classes.astype(object)
                if n_outputs == 1 and len(classes) == 2:
                    return np.asarray([classes[1]], dtype=object)
        return np.arange(n_outputs).astype(object)


def resolve_target(target, output_names, *, is_clf, method):
    """Index of the explained output, or ``"predicted"`` for a per-sample argmax.

    ``target`` is a class label (classifiers) or a task index (multi-output); None means the
    positive class for binary problems, the single output when there is one, and the
    predicted class for multi-class classifiers.
    """
    k = len(output_names)
    if isinstance(target, str) and target == "predicted":
        return "predicted"
    if target is None:
        if k == 1:
            return 0
        if is_clf and k == 2 and method == "predict_proba":
            return 1
        if is_clf:
            return "predicted"
        raise ValueError(
            f"The model has {k} outputs; choose one with target=<task index> (0..{k - 1})."
        )
    if is_clf:
        matches = [i for i, c in enumerate(output_names) if c == target]
        if not matches:
            raise ValueError(
                f"target={target!r} is not a class of the model; classes are {list(output_names)}."
            )
        return matches[0]
    if isinstance(target, int | np.integer) and 0 <= int(target) < k:
        return int(target)
    raise ValueError(f"target={target!r} is not a valid output index for {k} output(s).")


def select_target(values, target_index, outputs=None):
    """Pick the explained output from values of shape ``(n, ..., n_outputs)``.

    ``outputs`` (n, n_outputs) are the model outputs, used when the target is the
    per-sample predicted class.
    """
    if target_index == "predicted":
        idx = np.argmax(outputs, axis=1)
        moved = np.moveaxis(values, -1, 1)
        return moved[np.arange(values.shape[0]), idx]
    return values[..., target_index]
