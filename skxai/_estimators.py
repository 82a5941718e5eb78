"""What a wrapped model is: frozen wrappers, the step that decides its output, skorch nets, and
whether outputs explained as probabilities are probabilities. The lowest layer of the model
adapters (:mod:`skxai._adapters` and :mod:`skxai._torch` both build on it)."""

from __future__ import annotations

import numpy as np
from sklearn.frozen import FrozenEstimator

__all__ = ["check_probabilities", "is_frozen", "restore_training_modes", "unwrap_frozen"]


def is_frozen(estimator):
    """True for ``sklearn.frozen.FrozenEstimator`` (used as is, never refitted).

    Parameters
    ----------
    estimator : object
        Any model.

    Returns
    -------
    bool
        Whether ``estimator`` is a ``FrozenEstimator`` (by ``isinstance``, not by name).
    """
    return isinstance(estimator, FrozenEstimator)


def unwrap_frozen(estimator):
    """The estimator inside (nested) ``FrozenEstimator`` wrappers.

    Parameters
    ----------
    estimator : object
        Any model.

    Returns
    -------
    object
        The innermost wrapped estimator (``estimator`` itself when it is not frozen).

    Examples
    --------
    >>> from sklearn.frozen import FrozenEstimator
    >>> from sklearn.linear_model import Ridge
    >>> type(unwrap_frozen(FrozenEstimator(FrozenEstimator(Ridge())))).__name__
    'Ridge'
    """
    while isinstance(estimator, FrozenEstimator):
        estimator = estimator.estimator
    return estimator


def _final_step(estimator):
    """The estimator that decides the output kind (last Pipeline step, frozen inner)."""
    est = estimator
    for _ in range(20):
        if hasattr(est, "steps"):
            est = est.steps[-1][1]
        elif is_frozen(est):
            est = est.estimator
        else:
            break
    return est


def _is_skorch_net(obj):
    return any(c.__module__.startswith("skorch") for c in type(obj).__mro__) and hasattr(obj, "module")


#: Slack for float32 rounding: a softmax computed in float32 may exceed 1 by a few ulps.
_PROBABILITY_SLACK = 1e-5


def check_probabilities(out, what, estimator=None):
    """Refuse outputs explained as probabilities that are not in [0, 1].

    A skorch classifier's ``predict_proba`` is its module's output through
    ``predict_nonlinearity``, which is the identity for ``criterion=NLLLoss`` (skorch's
    default, expecting a module ending in ``Softmax``) and for ``predict_nonlinearity=None``:
    a module ending in ``LogSoftmax`` gives log-probabilities, one without a final activation
    gives logits. Explained and labelled "probability", every number derived from them
    (Average Drop, a report's probabilities) would be wrong without a word.

    Parameters
    ----------
    out : ndarray
        The outputs explained as probabilities.
    what : str
        The method that returned them, for the message.
    estimator : object, default=None
        The model; for a skorch net the message says why and how to fix it.
    """
    out = np.asarray(out)
    if out.size == 0:
        return
    lo, hi = float(out.min()), float(out.max())
    if lo >= -_PROBABILITY_SLACK and hi <= 1 + _PROBABILITY_SLACK:
        return
    message = (
        f"{what} returned values from {lo:.4g} to {hi:.4g}, outside [0, 1]: they are not "
        "probabilities, and would be explained and labelled as probabilities."
    )
    if estimator is not None and _is_skorch_net(_final_step(estimator)):
        message += (
            " A skorch classifier's predict_proba is its module's output passed through "
            "predict_nonlinearity, which is the identity for criterion=NLLLoss (skorch expects the "
            "module to end in Softmax) and for predict_nonlinearity=None: a module ending in "
            "LogSoftmax gives log-probabilities, one without a final activation gives logits. End "
            "the module in Softmax, train with criterion=CrossEntropyLoss (skorch then applies the "
            "softmax), or set predict_nonlinearity (torch.exp for log-probabilities); the gradient "
            "and CAM explainers also explain the logits with response_method='decision_function'."
        )
    raise ValueError(message)


def _is_torch_module(obj):
    """A ``torch.nn.Module`` (by its classes' names: torch is not imported for the check)."""
    return any(c.__module__.startswith("torch.nn") and c.__name__ == "Module" for c in type(obj).__mro__)


def network_turn(estimator):
    """Context holding the turn of the torch network ``estimator`` (a module or a fitted skorch
    net, frozen or not), if it is one.

    An explanation puts the network in evaluation mode with frozen parameters and hooks while
    it runs, and holds the network's turn meanwhile (``TorchModel.prepared``). A deep copy of
    the network made by another thread at that moment (``clone`` of an explainer: a search's
    candidates; ``model_randomization_test``) kept that state for good: taken inside this block,
    it waits for the turn and copies the network as the user left it. A no-op for other models
    (torch is not imported for the check).

    Parameters
    ----------
    estimator : object
        The model of an explainer.

    Returns
    -------
    context manager
    """
    import contextlib

    module = unwrap_frozen(estimator)
    if _is_skorch_net(module):
        module = getattr(module, "module_", None)  # the network a fitted net explains
    if not _is_torch_module(module):
        return contextlib.nullcontext()
    from skxai._network_turns import _module_lock

    return _module_lock(module)


def restore_training_modes(module, modes):
    """Put recorded training modes of a torch module back through ``train(mode)``, parents first.

    Evaluation mode went through ``train(False)`` (the explainers' ``eval()``, skorch's
    ``predict``), which a module may override to switch more than its flag (noise injection,
    stochastic depth, a cache kept in evaluation only); setting the flags back alone left such a
    module training with its own state in evaluation. The root gets its recorded mode, then
    every module whose mode differs from its parent's gets its own (``train`` recurses, so a
    parent's call comes before its children's corrections).

    Parameters
    ----------
    module : torch.nn.Module
        The root module.
    modes : list of (torch.nn.Module, bool)
        ``(submodule, training)`` of every module of ``module.modules()``, in that order.

    Returns
    -------
    None
        Flags an override does not set as recorded are left to the caller, which sets them.
    """
    recorded = {id(m): training for m, training in modes}
    module.train(recorded[id(module)])
    for parent, _ in modes:
        for child in parent.children():
            if id(child) in recorded and recorded[id(child)] != recorded[id(parent)]:
                child.train(recorded[id(child)])
