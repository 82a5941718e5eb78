"""Which output is explained: a target label, an output index, ``"predicted"``, None or one per
sample, resolved against the model's output names (shared by :mod:`skxai._adapters` and the
torch models of :mod:`skxai._torch`)."""

from __future__ import annotations

import numbers

import numpy as np

__all__ = ["no_target_error", "resolve_target"]


def _is_per_sample(target):
    if isinstance(target, str | bytes):
        return False
    return isinstance(target, list | tuple | np.ndarray) or (hasattr(target, "__array__") and np.ndim(target) >= 1)


def plain_label(label):
    """A label as the user wrote it: numpy and torch scalars (``np.int64(0)``) as Python's."""
    return label.item() if hasattr(label, "item") else label


def negative_class_error(target, positive):
    """The error of a target naming the negative class of a binary classifier whose response
    is its one score (a decision function, a network's single logit).

    The score belongs to the positive class; the negative class has none of its own (a
    network's ``[0, z]`` holds a constant 0 in its place, whose attributions are all 0 and mean
    nothing), so every family refuses it rather than explain something else.

    Parameters
    ----------
    target : object
        The target as the user gave it.
    positive : object
        The positive class (the label the one score belongs to).

    Returns
    -------
    ValueError
    """
    return ValueError(
        f"target={target!r} is not an output of the model: its one output scores the "
        f"class {plain_label(positive)!r} (a binary classifier's decision function; the other "
        "class is its negative). Use target=None (or, with predict_proba, "
        "response_method='predict_proba' to explain either class)."
    )


def predicted_binary_score_error(positive):
    """The error of ``target="predicted"`` on a binary classifier whose response is its one
    score: the rows predicted as the negative class have no output of their own.

    Parameters
    ----------
    positive : object
        The positive class (the label the one score belongs to).

    Returns
    -------
    ValueError
    """
    name = plain_label(positive)
    return ValueError(
        "target='predicted' needs one output per class, but a binary classifier's decision "
        f"function has one: it scores the class {name!r}, and the rows predicted as the other "
        "class have no output of their own. Use response_method='predict_proba' (one column "
        f"per class) or target=None (the class {name!r})."
    )


def _one_target(target, output_names, is_clf, method=None):
    k = len(output_names)
    if is_clf:
        for i, c in enumerate(output_names):
            if c == target:
                return i
        numeric_labels = any(isinstance(c, numbers.Number) for c in output_names)
        position = isinstance(target, numbers.Integral) and not isinstance(target, bool) and not numeric_labels
        if position and k == 1 and method == "decision_function":
            # an integer for labels that are not numbers is a position among the classes, as
            # for predict_proba: 1 is the positive class (the one output) and 0 the negative
            # one (no output). Read as the output index, 0 explained the positive class and 1
            # was refused: target=0 meant opposite classes under the two response methods.
            if int(target) == 1:
                return 0
        elif position and 0 <= int(target) < k:
            return int(target)
        if k == 1 and method == "decision_function":
            # a binary decision function has one column, named after the positive class: the
            # other class is a class of the model, and "not a class" would be false
            raise negative_class_error(target, output_names[0])
        # the labels as the user wrote them: numpy 2 prints its scalars as np.int64(0)
        listed = [c.item() if isinstance(c, np.generic) else c for c in output_names]
        raise ValueError(f"target={target!r} is not a class of the model; classes are {listed}.")
    if isinstance(target, numbers.Integral) and not isinstance(target, bool) and 0 <= int(target) < k:
        return int(target)
    for i, c in enumerate(output_names):
        if not isinstance(c, numbers.Integral) and c == target:
            return i
    named = [c.item() if isinstance(c, np.generic) else c for c in output_names if not isinstance(c, numbers.Integral)]
    if not named:
        raise ValueError(f"target={target!r} is not a valid output index for {k} output(s) (0..{k - 1}).")
    # several outputs' classes are named "y{j}={class}": a bare class is one of them
    alike = [c for c in named if isinstance(c, str) and c.partition("=")[2] == str(target)]
    hint = f" Did you mean {alike[0]!r}?" if len(alike) == 1 else (f" Did you mean one of {alike}?" if alike else "")
    shown = f"{named[:20]}" + (f" (and {len(named) - 20} more)" if len(named) > 20 else "")
    raise ValueError(
        f"target={target!r} is neither an output index (0..{k - 1}) nor an output name; the names are {shown}.{hint}"
    )


def resolve_target(target, output_names, *, is_clf, method=None, regressor=None):
    """The explained output: an index, ``"predicted"``, or an array of indices (one per sample).

    Parameters
    ----------
    target : label, int, "predicted", None or array-like of shape (n_samples,)
        A class label (classifiers; when the labels are not numbers, an integer is accepted
        as a position in the classes: 1 is the positive class of a binary classifier, also
        for its one-output decision function), an output index (other models), ``"predicted"`` (the model's own
        prediction, per sample), None (the family default: the single output when there is
        one, the positive class of a binary probability, the predicted class of a
        multi-class classifier) or one of those per explained sample.
    output_names : array-like of shape (n_outputs,)
        Names of the model's output columns (class labels for classifiers).
    is_clf : bool
        True for classifiers (``target`` is read as a class label).
    method : str, default=None
        The resolved response method (``"predict_proba"`` picks the positive class of a
        binary classifier by default).
    regressor : str, default=None
        The model's class name when it is a scikit-learn regressor: ``"predicted"`` is then
        refused for several outputs, whose largest is no prediction of a class.

    Returns
    -------
    int, "predicted" or ndarray of int
        ``"predicted"`` is resolved per sample by :func:`target_indices_for` (the model's
        own prediction, :meth:`ModelOutput.predicted`); a per-sample array must have one
        entry per explained sample.

    Examples
    --------
    >>> resolve_target("b", ["a", "b"], is_clf=True, method="predict_proba")
    1
    >>> resolve_target(["a", "b", "a"], ["a", "b"], is_clf=True).tolist()
    [0, 1, 0]
    """
    k = len(output_names)
    if isinstance(target, str) and target == "predicted":
        if is_clf and k == 1 and method == "decision_function":
            # the negative class has no output: its rows would be explained as the positive class
            raise predicted_binary_score_error(output_names[0])
        if regressor is not None and k > 1:
            # the argmax of unrelated predictions (price and quantity) is not a prediction of the
            # model: each row explained whichever output was larger, without a word
            raise ValueError(
                f"target='predicted' picks the largest output, which means nothing across the {k} "
                f"outputs of the regressor {regressor}: pass target=<output index> (0..{k - 1})."
            )
        return "predicted"
    if target is None:
        if k == 1:
            return 0
        if is_clf and k == 2 and method == "predict_proba":
            return 1
        if is_clf:
            return "predicted"
        # a callable's outputs may be a classifier's scores: "predicted" then explains its class
        largest = "" if regressor is not None else ', or target="predicted" (each row\'s largest output)'
        raise ValueError(f"The model has {k} outputs; choose one with target=<output index> (0..{k - 1}){largest}.")
    if _is_per_sample(target):
        arr = np.asarray(target, dtype=object)
        if arr.ndim != 1:
            raise ValueError(f"A per-sample target must be 1-D (one entry per sample); got shape {arr.shape}.")
        lookup = {}
        out = np.empty(len(arr), dtype=int)
        for i, t in enumerate(arr.tolist()):
            key = (type(t), t)
            if key not in lookup:
                lookup[key] = _one_target(t, output_names, is_clf, method)
            out[i] = lookup[key]
        return out
    return _one_target(target, output_names, is_clf, method)


def no_target_error(explainer, output_names, model_name):
    """The error of a call that returns one output (``transform``, ``target_indices``,
    ``score``) of an explainer fitted with ``target=None`` on a model with several unlabeled
    outputs: its ``explain`` gives every output, and the one wanted is chosen at ``fit``.

    Parameters
    ----------
    explainer : object
        The fitted explainer (its class names it in the message).
    output_names : array-like of shape (n_outputs,)
        Names of the model's outputs.
    model_name : str
        What the model is, for the message (``"the multi-output Ridge"``).

    Returns
    -------
    ValueError
    """
    k = len(output_names)
    shown = ", ".join(map(str, list(output_names)[:8])) + (", ..." if k > 8 else "")
    return ValueError(
        f"{type(explainer).__name__} with target=None explains all {k} outputs ({shown}) of "
        f"{model_name} and this call returns one: pass target=<output index> (0..{k - 1}) and fit "
        "again (explain() returns the values of every output)."
    )
