"""Model adapters: turn a fitted estimator (or callable) into a batched output function.

The one place every family resolves *what* is explained: the response method (one vocabulary,
deprecated aliases mapped), the explained quantity recorded on every ``Explanation``, the
target (label, index, ``"predicted"``, None or a per-sample array) and frozen estimators.
"""

from __future__ import annotations

import contextlib
import sys
import threading

import numpy as np
from sklearn.base import is_classifier, is_outlier_detector

from skxai._estimators import (  # noqa: F401  (re-exported: the adapters' vocabulary)
    _PROBABILITY_SLACK,
    _final_step,
    _is_skorch_net,
    _is_torch_module,
    check_probabilities,
    is_frozen,
    restore_training_modes,
    unwrap_frozen,
)
from skxai._targets import _is_per_sample, _one_target, resolve_target  # noqa: F401
from skxai.utils._parallel import model_call
from skxai.utils._param_validation import RESPONSE_METHODS, resolve_response_method_name

__all__ = [
    "ModelOutput",
    "RESPONSE_METHODS",
    "cast_for_model",
    "check_not_cluster_labels",
    "check_probabilities",
    "class_indices",
    "is_frozen",
    "kept_model_state",
    "predicted_indices",
    "regressor_name",
    "resolve_response_method",
    "resolve_target",
    "safe_is_classifier",
    "select_target",
    "check_target_indices",
    "target_indices_for",
    "unwrap_frozen",
]

#: Explained quantities recorded on every ``Explanation`` (``Explanation.quantity``).
QUANTITIES = ("probability", "log-probability", "log-odds", "decision function", "logit", "prediction", "output")


def takes_missing_values(estimator):
    """True when ``estimator`` handles NaN in its inputs itself.

    A scikit-learn Pipeline (which may impute: ``SimpleImputer``, a ``ColumnTransformer``
    with imputers; its tags do not say) or an estimator whose tags allow NaN
    (``HistGradientBoosting*``). Tabular explainers then pass NaN in numeric data on to the
    model, whose own validation refuses it where it cannot take it, as they do for mixed-type
    frames; for other models they refuse it themselves.

    Parameters
    ----------
    estimator : object
        Any model.

    Returns
    -------
    bool
    """
    est = unwrap_frozen(estimator)
    if hasattr(est, "steps") and _is_sklearn_like(est):
        return True
    if not _is_sklearn_like(est):
        return False
    from sklearn.utils import get_tags

    try:
        return bool(get_tags(est).input_tags.allow_nan)
    except Exception:  # an estimator whose tags cannot be read (old API): refuse NaN
        return False


def _model_name(estimator):
    """The class name, with a frozen model's inner one: ``FrozenEstimator(DBSCAN)``."""
    if is_frozen(estimator):
        return f"{type(estimator).__name__}({_model_name(estimator.estimator)})"
    return type(estimator).__name__


def _is_sklearn_like(estimator):
    return hasattr(estimator, "fit") and (
        hasattr(estimator, "predict")
        or hasattr(estimator, "predict_proba")
        or hasattr(estimator, "decision_function")
        or hasattr(estimator, "transform")
    )


def regressor_name(estimator):
    """The class name of ``estimator`` (a frozen one's inner model) when it is a scikit-learn
    regressor, else None (classifiers, callables, torch modules): what
    :func:`resolve_target`'s ``regressor`` takes.

    Parameters
    ----------
    estimator : object
        Any model.

    Returns
    -------
    str or None
    """
    from sklearn.base import is_regressor

    return type(unwrap_frozen(estimator)).__name__ if _sklearn_predicate(is_regressor, estimator) else None


def safe_is_classifier(estimator):
    """``sklearn.base.is_classifier`` that answers False for plain callables.

    Parameters
    ----------
    estimator : object
        Any model.

    Returns
    -------
    bool
        Whether ``estimator`` is a scikit-learn classifier.
    """
    return _sklearn_predicate(is_classifier, estimator)


def _sklearn_predicate(test, estimator):
    """``test(estimator)`` (one of scikit-learn's ``is_*``) for estimator-like objects, False for
    callables and for duck-typed models without scikit-learn's tags (``fit`` and ``predict``
    on a plain class: scikit-learn raised its own AttributeError, "inherit from BaseEstimator")."""
    if not _is_sklearn_like(estimator):
        return False
    try:
        return bool(test(estimator))
    except AttributeError:
        return False


def _check_supported(estimator):
    from sklearn.multioutput import MultiOutputClassifier

    final = _final_step(estimator)
    if isinstance(final, MultiOutputClassifier):
        raise ValueError(
            "MultiOutputClassifier is not supported: its predict_proba returns one array per "
            "output. Explain each fitted classifier (model.estimators_[i]) separately, or use a "
            "callable that returns the one output column you want explained."
        )


def _check_per_class_scores(estimator, method):
    """Refuse a decision function with one column per *pair* of classes.

    ``SVC(decision_function_shape="ovo")`` (and ``NuSVC``) score each pair of classes: with 3
    classes its 3 columns were named after the classes (target 'b' explained 'a' against 'c'),
    with 4 its 6 columns were taken for 6 classes.
    """
    if method != "decision_function":
        return
    from sklearn.svm import SVC, NuSVC

    final = _final_step(estimator)
    classes = getattr(final, "classes_", None)
    if (
        isinstance(final, SVC | NuSVC)
        and getattr(final, "decision_function_shape", "ovr") == "ovo"
        and classes is not None
        and len(classes) > 2
    ):
        k = len(classes)
        raise ValueError(
            f"{type(final).__name__}(decision_function_shape='ovo').decision_function scores each pair "
            f"of classes ({k * (k - 1) // 2} columns for {k} classes), not each class, so no column is a "
            "class's output. Use decision_function_shape='ovr' (the same model's per-class scores), or "
            f"explain the probabilities of CalibratedClassifierCV({type(final).__name__}(...), ensemble=False) "
            "(response_method='predict_proba'; probability=True is deprecated from scikit-learn 1.9)."
        )


def check_not_cluster_labels(estimator, method):
    """Refuse ``predict`` of a clusterer or a mixture model as an additive output: it returns
    cluster labels.

    Read as numbers, labels 0, 1, 2 were averaged over the background and explained (a
    KMeans label got -0.97), as a classifier's ``predict`` would be; it is refused likewise by
    the explainers of a number (anchors keep the label as a decision, which is meaningful).

    Parameters
    ----------
    estimator : object
        The model explained.
    method : str
        The resolved response method.
    """
    if method != "predict":
        return
    from sklearn.base import is_clusterer
    from sklearn.mixture._base import BaseMixture

    try:
        clusters = is_clusterer(estimator) or isinstance(_final_step(estimator), BaseMixture)
    except AttributeError:  # tags that cannot be read: not a scikit-learn clusterer
        return
    if clusters:
        name = type(_final_step(estimator)).__name__
        hint = (
            "response_method='predict_proba' (the probability of each component)"
            if hasattr(estimator, "predict_proba")
            else "a callable returning a number, e.g. lambda X: model.transform(X)[:, k] (the distance to cluster k)"
        )
        raise ValueError(
            f"{name}.predict returns cluster labels, which have no additive explanation (they are names, "
            f"not quantities); explain {hint}."
        )


def resolve_response_method(estimator, response_method):
    """Pick the method explained, following ``sklearn.inspection.partial_dependence``.

    Deprecated names (``"logits"``, ``"proba"``, ``"raw"``) are mapped with a FutureWarning.

    Parameters
    ----------
    estimator : estimator or callable
        The model explained.
    response_method : {"auto", "predict_proba", "decision_function", "predict"}
        The requested response.

    Returns
    -------
    str
        The method called: ``"predict_proba"``, ``"decision_function"``, ``"predict"``,
        ``"score_samples"`` or ``"__call__"`` for a plain callable.
    """
    response_method = resolve_response_method_name(
        response_method, check=lambda name: _resolve_canonical(estimator, name)
    )
    return _resolve_canonical(estimator, response_method)


def _resolve_canonical(estimator, response_method):
    """:func:`resolve_response_method` for a name of the current vocabulary."""
    if response_method not in RESPONSE_METHODS:
        raise ValueError(f"response_method={response_method!r} is not supported; use one of {RESPONSE_METHODS}.")
    if not _is_sklearn_like(estimator):
        if callable(estimator):
            if response_method not in ("auto", "predict"):
                raise ValueError(
                    f"response_method={response_method!r} needs an estimator; a plain callable "
                    "is explained through its return value (use 'auto' or 'predict')."
                )
            return "__call__"
        if hasattr(estimator, "fit"):
            # a clusterer without predict (DBSCAN), a transformer, ...: an estimator, but with
            # no output to explain
            raise TypeError(
                f"Cannot explain {_model_name(estimator)}: it has none of predict, predict_proba or "
                "decision_function, so it gives no output to explain."
            )
        raise TypeError(
            f"Cannot explain {type(estimator).__name__}: expected a scikit-learn estimator, "
            "a Pipeline or a callable mapping a 2-D array to predictions."
        )
    _check_supported(estimator)
    if response_method == "auto":
        # a duck-typed classifier (classes_ and class scores, no scikit-learn tags) reads as the
        # classifier it is
        duck_classifier = (
            not hasattr(estimator, "__sklearn_tags__")
            and hasattr(estimator, "classes_")
            and (hasattr(estimator, "predict_proba") or hasattr(estimator, "decision_function"))
        )
        if safe_is_classifier(estimator) or duck_classifier:
            candidates = ("predict_proba", "decision_function")
        elif _sklearn_predicate(is_outlier_detector, estimator):
            candidates = ("decision_function", "score_samples")
        else:
            candidates = ("predict",)
        for name in candidates:
            if hasattr(estimator, name):
                _check_per_class_scores(estimator, name)
                return name
        raise ValueError(
            f"Cannot explain {_model_name(estimator)}: it has none of {', '.join(candidates)}, "
            "so it gives no output to explain."
        )
    if not hasattr(estimator, response_method):
        message = (
            f"response_method={response_method!r} is not supported by {type(estimator).__name__}: "
            f"it has no method {response_method!r}."
        )
        if (
            response_method == "decision_function"
            and _is_skorch_net(_final_step(estimator))
            and regressor_name(estimator) is None
        ):
            # the docs call a network's logits its decision function: say where they are (a
            # regressor has none: the torch families refuse it too)
            message += (
                " A skorch net's logits are its module's output: explain the module itself "
                "(net.module_, with the rows as the module takes them), or use a gradient or CAM "
                "explainer, which explain the logits of a skorch net with this response_method."
            )
        raise ValueError(message)
    if response_method == "predict" and safe_is_classifier(estimator):
        raise ValueError(
            "response_method='predict' returns class labels, which have no additive "
            "explanation; use 'predict_proba' or 'decision_function' for a classifier."
        )
    _check_per_class_scores(estimator, response_method)
    return response_method


def _gives_log_odds(final):
    """True when ``final.decision_function`` is a log-odds (logistic link) score."""
    if getattr(final, "loss", None) in ("log_loss", "log"):
        return True
    from sklearn.linear_model import LogisticRegression, LogisticRegressionCV

    return isinstance(final, LogisticRegression | LogisticRegressionCV)


def explained_quantity(estimator, method):
    """The quantity an output method returns, as recorded in ``Explanation.quantity``.

    ``"probability"`` for ``predict_proba``; ``"log-odds"`` (binary) or ``"logit"``
    (multi-class) for the decision function of a logistic-link model; ``"decision function"``
    for other decision functions; ``"prediction"`` for ``predict``; ``"output"`` for a plain
    callable or ``score_samples``.
    """
    if method == "predict_proba":
        return "probability"
    if method == "predict":
        return "prediction"
    if method == "decision_function":
        final = _final_step(estimator)
        if _gives_log_odds(final):
            classes = getattr(final, "classes_", None)
            return "log-odds" if classes is None or len(classes) <= 2 else "logit"
        return "decision function"
    return "output"


def _torch_input_dtype(estimator):
    """The numpy dtype a skorch net ending ``estimator`` takes, where it is not float64.

    skorch feeds arrays to the module as they come: a network of float32 parameters (skorch's
    default) refuses the float64 rows that explainers build ("mat1 and mat2 must have the same
    dtype"). None for every other model (and for float64 networks).
    """
    net = _final_step(estimator)
    if not _is_skorch_net(net):
        return None
    module = getattr(net, "module_", None)
    for t in () if module is None else module.parameters():
        if t.is_floating_point():
            name = str(t.dtype).removeprefix("torch.")
            return np.dtype(name) if name in ("float16", "float32") else None
    return None


def _call_torch_module(module, X):
    """A plain torch module's own output on numpy rows, as the gradient family computes it.

    A module takes tensors, not the numpy rows the tabular games build ("linear(): argument
    'input' must be Tensor, not numpy.ndarray"): the rows become a tensor in the module's dtype
    and device, and the module runs in evaluation mode without gradients, its modes and flags
    restored afterwards (as every torch explainer runs it).
    """
    import torch

    from skxai._torch._model import TorchModel
    from skxai.utils._tensors import tensor_to_numpy

    model = TorchModel(module)
    x = model.to_tensor(np.asarray(X))
    with model.prepared(), torch.no_grad():
        # in the network's own precision (made float64 by check_output), so that a float32
        # network's rounding is known (ModelOutput.output_eps)
        return tensor_to_numpy(model.forward(x))


def _net_refuses_frames(estimator, schema):
    """Whether ``estimator`` is a skorch net (maybe frozen) whose module cannot take a frame.

    skorch passes a DataFrame's columns to ``module_.forward`` as keyword arguments: a net
    trained on arrays fails there ("forward() got an unexpected keyword argument 'x0'"), while
    the gradient family explains the same frame through its values. Such a net gets the rows
    as an array; a module whose ``forward`` takes the columns by name (or ``**kwargs``) keeps
    its frame.
    """
    import inspect

    net = unwrap_frozen(estimator)
    if schema is None or not getattr(schema, "is_frame", False) or not _is_skorch_net(net):
        return False
    forward = getattr(getattr(net, "module_", None), "forward", None)
    if forward is None:
        return False
    try:
        params = inspect.signature(forward).parameters.values()
    except (TypeError, ValueError):
        return False
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params):
        return False
    names = {p.name for p in params}
    return not any(str(c) in names for c in schema.columns)


def cast_for_model(estimator, X):
    """``X`` in the float dtype of the skorch net ending ``estimator`` (float32 for skorch's
    default), so that the net's own methods (``predict``, ``predict_proba``, ``score``) take
    the float64 rows the explainers build; ``X`` itself for every other model.

    Parameters
    ----------
    estimator : object
        The model called.
    X : array-like
        Its input.

    Returns
    -------
    array-like
    """
    if not isinstance(X, np.ndarray) or X.dtype.kind != "f":
        return X
    dtype = _torch_input_dtype(estimator)
    return X.astype(dtype) if dtype is not None and X.dtype != dtype else X


@contextlib.contextmanager
def one_tensor_forward_hint(
    kinds=(TypeError, IndexError, ValueError, KeyError, AttributeError, RuntimeError), about=None
):
    """Add a note to an error a network's own code raises: the explainers call ``forward(x)``
    with one batch tensor (a skorch net gets one array), and a network that takes a dict, a
    tuple or several inputs failed deep in its own code ("too many indices for tensor of
    dimension 4", "forward() missing 1 required positional argument") with nothing to say
    why. skxai's own refusals pass unchanged; ``kinds`` are the errors noted, and ``about`` a
    pattern their message must match."""
    import re

    try:
        yield
    except kinds as exc:
        if not _raised_in_skxai(exc) and (about is None or re.search(about, str(exc))):
            exc.add_note(
                "skxai calls the network as forward(x) with one tensor of shape (n_samples, ...): a network "
                "whose forward takes a dict, a tuple or several inputs needs a wrapper module that takes that "
                "one tensor and builds them."
            )
        raise


def _raised_in_skxai(exc):
    """Whether the innermost frame of ``exc``'s traceback is skxai's own code."""
    import os

    tb = exc.__traceback__
    while tb.tb_next is not None:
        tb = tb.tb_next
    package = os.path.dirname(os.path.abspath(__file__))
    return os.path.abspath(tb.tb_frame.f_code.co_filename).startswith(package + os.sep)


def _torch_modules_of(estimator):
    """The torch modules (and criteria) of the skorch nets inside ``estimator``.

    Looks through the wrappers a model is usually given in (``FrozenEstimator``, Pipeline steps,
    meta-estimators' ``estimator`` / ``estimator_`` / ``best_estimator_``). Empty when torch was
    never imported (then no model can hold a network) or when there is no skorch net.
    """
    torch = sys.modules.get("torch")
    if torch is None:
        return []
    found, stack, seen = [], [estimator], set()
    while stack and len(seen) < 200:
        est = stack.pop()
        if est is None or id(est) in seen:
            continue
        seen.add(id(est))
        if _is_skorch_net(est):
            for name in list(getattr(est, "_modules", ())) + list(getattr(est, "_criteria", ())):
                module = getattr(est, name + "_", None)
                if isinstance(module, torch.nn.Module) and all(module is not m for m in found):
                    found.append(module)
            continue
        for _, step in getattr(est, "steps", None) or ():
            stack.append(step)
        for attr in ("estimator", "estimator_", "best_estimator_"):
            inner = getattr(est, attr, None) if hasattr(type(est), "fit") else None
            if inner is not None and not isinstance(inner, type):
                stack.append(inner)
    return found


# Modes recorded by the first of the threads calling one network and put back by the last one
# (a count per network): a thread that recorded after another's call had put the network in
# evaluation mode would "restore" evaluation mode.
_KEPT = {}
_KEPT_GUARD = threading.Lock()


@contextlib.contextmanager
def kept_model_state(estimator):
    """The training flag of every torch submodule of ``estimator`` put back after the block.

    skorch's ``predict``, ``predict_proba`` and ``score`` put the net's modules (and criteria)
    in evaluation mode and leave them there: a net the user keeps in training mode would come
    back from an explanation in evaluation mode (dropout off, batch norm frozen). Every call of
    a skorch net's methods goes through this block, which restores the flags, also when the
    call raises. Free for models without torch modules.

    Parameters
    ----------
    estimator : object
        The model called inside the block.

    Yields
    ------
    None
    """
    modules = _torch_modules_of(estimator)
    if not modules:
        yield
        return
    with _KEPT_GUARD:
        for m in modules:
            entry = _KEPT.get(id(m))
            if entry is None:
                _KEPT[id(m)] = [1, [(sub, sub.training) for sub in m.modules()]]
            else:
                entry[0] += 1
    try:
        yield
    finally:
        with _KEPT_GUARD:
            for m in modules:
                entry = _KEPT[id(m)]
                entry[0] -= 1
                if entry[0] == 0:
                    del _KEPT[id(m)]
                    try:
                        if any(sub.training != training for sub, training in entry[1]):
                            restore_training_modes(m, entry[1])  # skorch's eval went through train()
                    finally:
                        for sub, training in entry[1]:
                            if sub.training != training:
                                sub.training = training


def class_indices(labels, output_names, estimator=None):
    """Output column of each predicted class label.

    Parameters
    ----------
    labels : array-like of shape (n_samples,)
        What the model's ``predict`` returned.
    output_names : array-like of shape (n_outputs,)
        The classes naming the output columns, in the columns' order (``classes_``).
    estimator : object, default=None
        The model (named in errors). A skorch classifier's ``predict`` returns positions
        (``argmax``), not ``classes_``: its labels are read as positions when they are not
        classes.

    Returns
    -------
    ndarray of int of shape (n_samples,)

    Examples
    --------
    >>> class_indices(["ham", "spam", "ham"], ["spam", "ham"]).tolist()
    [1, 0, 1]
    """
    what = f"{type(estimator).__name__}.predict" if estimator is not None else "predict"
    labels = np.asarray(labels)
    if labels.ndim != 1:
        raise ValueError(
            f"{what} returned an array of shape {labels.shape}, not one class label per row: "
            "target='predicted' needs one label per row."
        )
    names = list(np.asarray(output_names, dtype=object))
    lookup = {}
    for i, c in enumerate(names):
        try:
            lookup.setdefault(c, i)
        except TypeError:  # an unhashable class name: compared one by one below
            pass

    def index_of(label):
        try:
            return lookup[label]
        except (KeyError, TypeError):
            return next((i for i, c in enumerate(names) if c == label), None)

    try:
        uniq, inverse = np.unique(labels, return_inverse=True)
    except TypeError:  # labels of mixed types cannot be sorted
        uniq, inverse = labels, np.arange(len(labels))
    idx = [index_of(u.item() if hasattr(u, "item") else u) for u in uniq]
    if any(i is None for i in idx):
        final = _final_step(estimator) if estimator is not None else None
        positions = uniq.dtype.kind in "iub" and uniq.size and 0 <= uniq.min() and uniq.max() < len(names)
        if final is not None and _is_skorch_net(final) and positions:
            return np.asarray(labels, dtype=np.int64)  # skorch predicts positions
        bad = next(u for u, i in zip(uniq.tolist(), idx, strict=True) if i is None)
        raise ValueError(
            f"{what} returned {bad!r}, which is not one of the classes naming the outputs "
            f"{names[:20]}: the predicted class has no output column to explain. Give target=<class>."
        )
    return np.asarray(idx, dtype=np.int64)[np.asarray(inverse).reshape(-1)]


def predicted_indices(estimator, X, outputs, output_names, method):
    """Output column of the model's own prediction for each row: what ``"predicted"`` means.

    A classifier with ``predict`` whose outputs are its classes (``predict_proba``, a
    multi-class ``decision_function``) is asked for its prediction, mapped to the column of
    that class by :func:`class_indices`: ``predict`` is not always the argmax of the
    probabilities (``FixedThresholdClassifier``, ``TunedThresholdClassifierCV``, a skorch
    ``NeuralNetBinaryClassifier``'s ``threshold``, any custom decision rule). Other models
    (callables, outputs that are not one column per class) fall back to the argmax of the
    outputs; a single output is output 0 (a binary decision function scores its positive
    class only). A regressor with several outputs is refused earlier, by
    :func:`resolve_target` (the largest of its predictions is no prediction).

    Parameters
    ----------
    estimator : estimator or None
        The model (None: a plain callable, the argmax of ``outputs``).
    X : array-like or callable
        The rows as the model's ``predict`` takes them (or a function returning them, called
        only when ``predict`` is).
    outputs : ndarray of shape (n_rows, n_outputs)
        The explained outputs on those rows.
    output_names : array-like of shape (n_outputs,) or None
        Names of the output columns (the classes, in ``classes_`` order, for a classifier).
    method : str
        The response method explained.

    Returns
    -------
    ndarray of int of shape (n_rows,)
    """
    outputs = np.asarray(outputs)
    n = outputs.shape[0]
    k = outputs.shape[1] if outputs.ndim == 2 else 1
    if k == 1:
        return np.zeros(n, dtype=np.int64)
    classes = getattr(estimator, "classes_", None) if estimator is not None else None
    if (
        isinstance(classes, list)
        and len(classes) > 1
        and all(np.ndim(c) == 1 for c in classes)  # not a plain list of labels
        and method in ("predict_proba", "decision_function")
        and safe_is_classifier(estimator)
    ):
        # one array of classes per target (ClassifierChain, a multi-output classifier): the
        # argmax of its label probabilities picked a label, not a predicted class
        raise ValueError(
            f"{type(unwrap_frozen(estimator)).__name__} is a classifier of {len(classes)} outputs (one set of "
            "classes per target, a multilabel model): target='predicted' needs one class label per row, "
            "which it does not predict."
        )
    if (
        classes is not None
        and np.ndim(classes) == 1
        and len(classes) == k
        and output_names is not None
        and len(output_names) == k
        and method in ("predict_proba", "decision_function")
        and hasattr(estimator, "predict")
        and safe_is_classifier(estimator)
    ):
        rows = X() if callable(X) else X
        with kept_model_state(estimator), model_call():
            labels = estimator.predict(rows)
        idx = class_indices(labels, output_names, estimator)
        if idx.shape[0] != n:
            raise ValueError(f"{type(estimator).__name__}.predict returned {idx.shape[0]} labels for {n} rows.")
        return idx
    return np.argmax(outputs.reshape(n, -1), axis=1)


class ModelOutput:
    """Batched output function ``f(A) -> (n, n_outputs)`` of a fitted estimator.

    Every call checks what the model returns: one row per input row, numbers, and finite
    values (a NaN or inf output raises a ``ValueError`` naming the rows and the output).

    Parameters
    ----------
    estimator : fitted estimator or callable
        The model explained.
    response_method : {"auto", "predict_proba", "decision_function", "predict"}
        The output explained (see :func:`resolve_response_method`); the deprecated names
        ``"logits"``, ``"proba"`` and ``"raw"`` are mapped with a FutureWarning.
    schema : TabularSchema or None
        Rebuilds DataFrames (names and dtypes) from perturbed arrays.

    Attributes
    ----------
    method : str
        The method called (``"__call__"`` for a plain callable).
    quantity : str
        The explained quantity (see :func:`explained_quantity`).
    output_eps : float
        Machine epsilon of the least precise floating dtype the model has returned (float32's
        for a float32 network or booster; float64's until one is seen).
    """

    #: a class default, so outputs pickled before the attribute existed read float64's
    output_eps = float(np.finfo(np.float64).eps)

    def __init__(self, estimator, response_method, schema=None):
        self.estimator = estimator
        self.method = resolve_response_method(estimator, response_method)
        self.quantity = explained_quantity(estimator, self.method)
        self.schema = schema
        self.output_names = None
        self._input_dtype = _torch_input_dtype(estimator)
        self._frame_as_array = _net_refuses_frames(estimator, schema)
        self._holds_network = _is_torch_module(estimator) or bool(_torch_modules_of(estimator))

    def _model_input(self, A):
        as_frame = self.schema is not None and not getattr(self, "_frame_as_array", False)
        X = self.schema.to_model_input(A) if as_frame else A
        dtype = getattr(self, "_input_dtype", None)  # absent on an output pickled before it existed
        if dtype is not None and isinstance(X, np.ndarray) and X.dtype.kind == "f" and X.dtype != dtype:
            X = X.astype(dtype)
        return X

    def __call__(self, A):
        return self.check_output(self.raw(A), _n_rows(A))

    def raw(self, A):
        """What the model returns on the rows ``A``, unchecked (:meth:`check_output` reads it
        as numbers; the anchors read a callable's class labels from it as they are).

        Parameters
        ----------
        A : array-like
            Rows, as this output function takes them.

        Returns
        -------
        object
            The model's own return value.
        """
        X = self._model_input(A)
        # a network's TypeError only ("forward() missing 1 required positional argument"): its
        # other errors at explaining time (a NaN it refuses) are about the rows, not the arity
        network = getattr(self, "_holds_network", False)
        # (a "NoneType * Tensor" in its forward is about its own code)
        arity = r"forward\(\) (missing|takes|got)"
        with one_tensor_forward_hint((TypeError,), arity) if network else contextlib.nullcontext():
            if self.method == "__call__" and _is_torch_module(self.estimator):
                return _call_torch_module(self.estimator, X)
            if self.method == "__call__":
                return self.estimator(X)
            with kept_model_state(self.estimator), model_call(), self._quiet(X):
                return getattr(self.estimator, self.method)(X)

    def _quiet(self, X):
        """The schema's context for the model's call on ``X`` (:meth:`TabularSchema.quiet_for`)."""
        quiet = getattr(self.schema, "quiet_for", None)
        return quiet(X) if quiet is not None else contextlib.nullcontext()

    def predicted(self, A, outputs=None):
        """Output column of the model's own prediction for each row of ``A``.

        See :func:`predicted_indices` (the model's ``predict``, mapped to the column of its
        class, where it has one).

        Parameters
        ----------
        A : array-like
            Rows, as this output function takes them.
        outputs : ndarray of shape (n_rows, n_outputs), default=None
            The outputs on ``A`` when known (saves a call).

        Returns
        -------
        ndarray of int of shape (n_rows,)
        """
        if outputs is None:
            outputs = self(A)
        if self.method == "__call__":
            return predicted_indices(None, None, outputs, None, self.method)
        with self._quiet(A):
            return predicted_indices(
                self.estimator,
                lambda: self._model_input(A),
                outputs,
                self.describe_outputs(np.shape(outputs)[1]),
                self.method,
            )

    def _what(self):
        if self.method == "__call__":
            return "The model callable"
        return f"{type(self.estimator).__name__}.{self.method}"

    def check_output(self, out, n_rows):
        """Validate a raw model output for ``n_rows`` inputs.

        Parameters
        ----------
        out : array-like
            What the model returned.
        n_rows : int or None
            Number of input rows (None: not checked).

        Returns
        -------
        ndarray of shape (n_rows, n_outputs)
            The output as float64 columns.
        """
        if isinstance(out, list | tuple) and out and all(np.ndim(o) >= 2 for o in out):
            raise ValueError(
                f"{self._what()} returned a list of {len(out)} arrays (one per output, as "
                "MultiOutputClassifier.predict_proba does); explain one output at a time."
            )
        if isinstance(out, tuple) and len(out) > 1 and all(isinstance(o, np.ndarray) and o.ndim >= 1 for o in out):
            # (mean, std) of predict(X, return_std=True): as one array it was read as rows (a
            # row-count error) or, on 2 rows, as two outputs
            raise ValueError(
                f"{self._what()} returned a tuple of {len(out)} arrays (as predict(X, return_std=True) "
                "returns the mean and its standard deviation), not one array of outputs: return "
                "only the quantity to explain, e.g. lambda X: model.predict(X, return_std=True)[0]."
            )
        raw = getattr(out, "dtype", None)
        if isinstance(raw, np.dtype) and raw.kind == "f" and raw.itemsize < 8:
            # float32 (or float16) outputs: their rounding, not float64's, is the noise floor of
            # anything computed from them (Shapley sampling's test of a varying contribution)
            self.output_eps = max(self.output_eps, float(np.finfo(raw).eps))
        try:
            out = np.asarray(out, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"{self._what()} must return numbers; got {type(out).__name__} ({exc}).") from exc
        if out.ndim == 0:
            raise ValueError(
                f"{self._what()} returned a scalar for {n_rows} rows; it must return one value "
                "(or one row of outputs) per input row."
            )
        if n_rows is not None and out.shape[0] != n_rows:
            raise ValueError(
                f"{self._what()} returned {out.shape[0]} rows for {n_rows} input rows; it must "
                "return one value (or one row of outputs) per input row."
            )
        if out.ndim == 1:
            out = out[:, None]
        elif out.ndim > 2:
            out = out.reshape(out.shape[0], -1)
        finite = np.isfinite(out)
        if not finite.all():
            rows, cols = np.nonzero(~finite)
            names = self.describe_outputs(out.shape[1])
            bad_rows = np.unique(rows)
            bad_cols = [names[j] for j in np.unique(cols)]
            raise ValueError(
                f"{self._what()} returned NaN or inf on {len(bad_rows)} of {out.shape[0]} rows "
                f"(row indices {bad_rows[:10].tolist()}{' ...' if len(bad_rows) > 10 else ''} within that "
                "call to the model, of at most batch_size rows: at fit, rows of the background (fit's data "
                f"or its sample); while explaining, perturbed samples) in output {bad_cols[:10]}. "
                "Attributions of a non-finite output are meaningless: fix the model or its inputs."
            )
        if self.method == "predict_proba":
            check_probabilities(out, self._what(), self.estimator)
        return out

    def describe_outputs(self, n_outputs):
        """Names of the output columns (class labels, tasks).

        Parameters
        ----------
        n_outputs : int
            Number of output columns.

        Returns
        -------
        ndarray of objects of shape (n_outputs,)
            Class labels for a classifier's probabilities or decision function, else indices.
        """
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


def _n_rows(A):
    shape = getattr(A, "shape", None)
    if shape is not None and len(shape) >= 1:
        return int(shape[0])
    try:
        return len(A)
    except TypeError:
        return None


def _is_predicted(target_index):
    return isinstance(target_index, str) and target_index == "predicted"


def target_indices_for(target_index, n_samples, outputs=None, *, predicted=None):
    """Explained output column per sample, shape ``(n_samples,)``.

    Parameters
    ----------
    target_index : int, "predicted" or ndarray of int
        As returned by :func:`resolve_target`.
    n_samples : int
        Number of explained samples.
    outputs : ndarray of shape (n_samples, n_outputs) or callable, default=None
        The model's outputs (or a function returning them): their argmax is the predicted
        class where ``predicted`` is not given (an ``Explanation`` without its model).
    predicted : ndarray of int or callable, default=None
        The output column of the model's own prediction per sample (or a function returning
        it), as :meth:`ModelOutput.predicted` gives it: what ``"predicted"`` means.

    Returns
    -------
    ndarray of int
    """
    if _is_predicted(target_index):
        if predicted is not None:
            idx = np.asarray(predicted() if callable(predicted) else predicted, dtype=np.int64)
            if idx.shape != (n_samples,):
                raise ValueError(f"{idx.shape[0]} predicted classes for {n_samples} samples.")
            return idx
        out = outputs() if callable(outputs) else outputs
        if out is None:
            raise ValueError("target='predicted' needs the model's outputs.")
        return np.argmax(np.asarray(out), axis=1)
    if np.ndim(target_index) >= 1:
        idx = np.asarray(target_index, dtype=int)
        if len(idx) != n_samples:
            raise ValueError(f"target holds {len(idx)} entries (one per sample) but {n_samples} samples are explained.")
        return idx
    return np.full(n_samples, int(target_index), dtype=int)


def check_target_indices(target_indices, n_samples, n_outputs):
    """Output indices given per sample (``_transform_for_targets``), validated.

    Parameters
    ----------
    target_indices : array-like of int of shape (n_samples,)
        One output column per sample, as ``target_indices`` returns them.
    n_samples : int
        Number of samples explained.
    n_outputs : int
        Number of outputs of the model.

    Returns
    -------
    ndarray of int64 of shape (n_samples,)
    """
    idx = np.asarray(target_indices)
    if idx.ndim != 1 or idx.shape[0] != n_samples:
        raise ValueError(f"target_indices has shape {idx.shape}; expected ({n_samples},), one per sample.")
    if idx.size and (idx.dtype.kind not in "iu" or idx.min() < 0 or idx.max() >= n_outputs):
        raise ValueError(f"target_indices must be output indices in 0..{n_outputs - 1}.")
    return idx.astype(np.int64, copy=False)


def select_target(values, target_index, outputs=None):
    """Pick the explained output from values of shape ``(n, ..., n_outputs)``.

    Parameters
    ----------
    values : ndarray of shape (n_samples, ..., n_outputs)
        Values of every output.
    target_index : int, "predicted" or ndarray of int of shape (n_samples,)
        An output index, ``"predicted"`` (the argmax of ``outputs``) or one index per sample.
    outputs : ndarray of shape (n_samples, n_outputs), default=None
        The model's outputs (needed for ``"predicted"``).

    Returns
    -------
    ndarray of shape (n_samples, ...)
        The values of the explained output of each sample.
    """
    if not _is_predicted(target_index) and np.ndim(target_index) == 0:
        return values[..., int(target_index)]
    idx = target_indices_for(target_index, values.shape[0], outputs)
    moved = np.moveaxis(values, -1, 1)
    return moved[np.arange(values.shape[0]), idx]
