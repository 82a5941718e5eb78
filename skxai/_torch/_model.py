"""Torch model adapter: skorch nets, plain modules and exactly converted scikit-learn models.

Everything the gradient, backprop, DeepSHAP and CAM explainers need from a network lives
here: the explained response as a differentiable ``(n, k)`` function, target resolution,
layer lookup by name, and a context manager that puts the model in evaluation mode and
restores it exactly afterwards.
"""

from __future__ import annotations

import contextlib
import threading
from collections import Counter

import numpy as np
import torch
from torch import nn

from skxai._estimators import _is_skorch_net as _is_skorch
from skxai._estimators import restore_training_modes, unwrap_frozen
from skxai._network_turns import _module_lock, _module_tree, _turn_locks  # noqa: F401
from skxai.utils._warnings import warn_at_caller

__all__ = [
    "HookSet",
    "NonFiniteOutputError",
    "TorchModel",
    "as_tensor",
    "exported_error",
    "is_exported",
    "func_transform_error",
    "in_func_transform",
    "leaf_modules",
    "parametrization_modules",
    "scripted_error",
    "scripted_modules",
    "this_thread_only",
    "to_sklearn_torch",
]


def as_tensor(data, dtype=None, device=None):
    """``torch.as_tensor``, copying a read-only array instead of sharing it with a warning.

    A fitted attribute memory-mapped by ``joblib.load(..., mmap_mode="r")`` (or a user's
    ``np.load(..., mmap_mode="r")``) is read-only, and torch warns "The given NumPy array is
    not writable" when it shares one. Such an array is copied (``torch.tensor``); any other
    data is shared or converted as ``torch.as_tensor`` does, with no copy of writable arrays.

    Examples
    --------
    >>> import numpy as np
    >>> a = np.arange(3.0); a.flags.writeable = False
    >>> as_tensor(a).tolist()
    [0.0, 1.0, 2.0]
    """
    if isinstance(data, np.ndarray) and not data.flags.writeable:
        return torch.tensor(data, dtype=dtype, device=device)
    return torch.as_tensor(data, dtype=dtype, device=device)


RESPONSES = ("auto", "logits", "proba", "output")
# The shared vocabulary (skxai.utils._param_validation.RESPONSE_METHODS) on the adapter's
# internal names; explainers map the first release's "logits" / "proba" with a FutureWarning
# before they get here.
_ALIASES = {"decision_function": "logits", "predict_proba": "proba", "predict": "logits"}


def _unfreeze(estimator):
    return unwrap_frozen(estimator)


def _declared_regressor(est):
    """Whether ``est`` (unfrozen) is a scikit-learn regressor without a ``decision_function``:
    a converted linear model or MLP, a skorch ``NeuralNetRegressor``, a module whose tags say
    so. A plain module has no tags (``is_regressor`` raises) and is no regressor."""
    from sklearn.base import is_regressor

    if hasattr(est, "decision_function"):
        return False
    try:
        return bool(is_regressor(est))
    except AttributeError:
        return False


def resolve_torch_response(response_method, estimator, owner=None):
    """The canonical response-method name for :class:`TorchModel` (deprecated names mapped,
    with a FutureWarning): a network regressor's ``"logits"`` / ``"raw"`` (its raw output,
    explained under that name by the first release) is its prediction, and a deprecated name
    the model cannot give is one error, without a warning advising it."""
    from skxai.utils._param_validation import resolve_response_method_name

    return resolve_response_method_name(
        response_method,
        owner=owner,
        check=lambda name: TorchModel(estimator, name),
        regressor=_declared_regressor(unwrap_frozen(estimator)),
    )


def this_thread_only(hook):
    """``hook`` acting on the forward passes of the thread that registers it only.

    Module hooks are seen by every thread that calls the module: a user's own ``net(x)`` in
    another thread (a server's predictions while an explanation runs) went through the
    explainers' hooks, which bypassed its softmax (logits served as probabilities), applied
    guided backprop's or DeepLIFT's rules to its gradients or failed its pass, and fed its
    activations to a CAM's capture (which then refused the layer as running twice). The
    explainers register their hooks and run their passes in one thread (their locks, see
    :meth:`TorchModel.prepared`, keep the other explainers out), so the passes of other threads
    go by untouched (a forward hook or pre-hook returning None changes nothing). The replicas
    that ``nn.DataParallel`` runs in its own threads still get the hooks, and so do the forward
    passes run inside a backward pass (activation checkpointing), which autograd runs in a
    thread of its own on a GPU.

    The returned hook's ``retire()`` turns it off for good. Removing a hook's handle takes it
    off the module only, while a deep copy of the module taken meanwhile (another thread's
    ``clone`` or ``copy.deepcopy``) keeps the very same hook among its hooks: retired, it
    does nothing there (the copy's softmax stayed bypassed for good), and pickles as a retired
    hook (the copy pickles; a closure could not be pickled).

    Parameters
    ----------
    hook : callable
        A forward hook or forward pre-hook.

    Returns
    -------
    callable
        The hook, called in the registering thread only, until retired.
    """
    return _ThreadHook(hook)


def _retired_hook():
    """What a :class:`_ThreadHook` unpickles to: a retired hook (it does nothing)."""
    hook = _ThreadHook(None)
    hook.retire()
    return hook


class NonFiniteOutputError(ValueError):
    """The network returned NaN or inf: a ``ValueError`` that a caller can tell from the others
    (DeepSHAP's pairs' pass names X's own rows instead of the pass's)."""


class _ThreadHook:
    """The hook :func:`this_thread_only` returns.

    A deep copy of a module shares it (as it shares a function): :meth:`retire` then turns off
    the copy's too. Pickled, it becomes a retired hook: a module copied while an explainer's
    hooks were registered pickles (a closure could not be: "Can't pickle local object"), and
    an unpickled module carries no explainer's hook that could act.
    """

    __slots__ = ("_hook", "_owner")

    def __init__(self, hook):
        self._hook = hook  # None once retired
        self._owner = threading.get_ident()

    def __call__(self, module, *args, **kwargs):
        hook = self._hook  # read once: another thread may retire it meanwhile
        if hook is None:
            return None
        if threading.get_ident() != self._owner and not (
            # nn.DataParallel runs the explainer's pass on replicas of the network, in threads of
            # its own (one per GPU); replicas share the network's hooks and are marked _is_replica
            getattr(module, "_is_replica", False)
            # activation checkpointing runs forward again inside the backward pass, which autograd
            # runs in a device thread for CUDA tensors
            or torch._C._current_graph_task_id() != -1
        ):
            return None
        return hook(module, *args, **kwargs)

    def retire(self):
        """Turn the hook off for good (in every deep copy of its module too), keeping
        nothing of the explainer alive there."""
        self._hook = None

    def __deepcopy__(self, memo):
        return self

    def __copy__(self):
        return self

    def __reduce__(self):
        return _retired_hook, ()


# torch.compile'd modules run eagerly while an explainer holds a network (see _eager_compiled).
# The compiler's stance is process-wide: the first entry sets it, the last exit puts back the
# stance found, so threads explaining two networks at once leave the user's stance as it was.
_STANCE_GUARD = threading.Lock()
_stance_users = [0, None]  # entries inside, the set_stance object whose exit restores the stance


def is_exported(m):
    """Whether ``m`` is the module of a ``torch.export`` program (``ExportedProgram.module()``):
    its ``train`` / ``eval`` raise, and its forward runs the exported graph's operations."""
    return isinstance(m, torch.fx.GraphModule) and any(c.__name__ == "_StatefulGraphModule" for c in type(m).__mro__)


def exported_error(owner, purpose):
    """The ``ValueError`` of an explainer that needs module hooks in a ``torch.export`` module."""
    return ValueError(
        f"{owner} needs {purpose}, but the network is a torch.export module (ExportedProgram.module()), "
        "whose forward runs the exported graph's operations, not its submodules: module hooks never "
        "fire there. Explain the original nn.Module instead, or attribute to the input with "
        "GradientExplainer / IntegratedGradientsExplainer / SmoothGradExplainer, which work on it."
    )


def _is_compiled(m):
    """Whether ``m`` is a ``torch.compile`` wrapper (``OptimizedModule``), without importing dynamo."""
    return type(m).__name__ == "OptimizedModule" and "_orig_mod" in m._modules


@contextlib.contextmanager
def _eager_compiled():
    """Run ``torch.compile``'d modules eagerly inside the block (``set_stance("force_eager")``).

    A compiled graph keeps the module hooks present when it was traced (dynamo does not guard
    on them): the hooks of a later explainer never fire (a layer "not called during the forward
    pass"), or the previous explainer's still do (deconvolution after guided backpropagation
    gave neither's numbers). Eagerly, every hook runs as registered. Compiling would pay off
    only over many calls with the same hooks; an explanation's numbers come first.
    """
    set_stance = getattr(torch.compiler, "set_stance", None)  # torch >= 2.6
    if set_stance is None:
        yield
        return
    with _STANCE_GUARD:
        if _stance_users[0] == 0:
            _stance_users[1] = set_stance("force_eager")
        _stance_users[0] += 1
    try:
        yield
    finally:
        with _STANCE_GUARD:
            _stance_users[0] -= 1
            if _stance_users[0] == 0:
                stance, _stance_users[1] = _stance_users[1], None
                stance.__exit__(None, None, None)


class HookSet(contextlib.AbstractContextManager):
    """Hook handles that are always removed when the ``with`` block ends (even on error).

    :meth:`forward` and :meth:`forward_pre` register hooks that act on this thread's passes
    only (see :func:`this_thread_only`).
    """

    def __init__(self):
        self.handles = []
        self._retire = []

    def add(self, handle):
        """Keep a hook handle so that it is removed with the others.

        Parameters
        ----------
        handle : torch.utils.hooks.RemovableHandle
            The handle returned by a ``register_*_hook`` call.

        Returns
        -------
        torch.utils.hooks.RemovableHandle
            ``handle`` itself.
        """
        self.handles.append(handle)
        return handle

    def forward(self, module, hook, **kwargs):
        """Register ``hook`` as a forward hook of ``module`` for this thread's passes, and keep it.

        Parameters
        ----------
        module : torch.nn.Module
            The hooked module.
        hook : callable
            ``hook(module, input, output)``.
        **kwargs : dict
            Passed to ``register_forward_hook`` (``prepend``).

        Returns
        -------
        torch.utils.hooks.RemovableHandle
        """
        hook = this_thread_only(hook)
        self._retire.append(hook.retire)
        return self.add(module.register_forward_hook(hook, **kwargs))

    def forward_pre(self, module, hook, **kwargs):
        """Register ``hook`` as a forward pre-hook of ``module`` for this thread's passes, and keep it.

        Parameters
        ----------
        module : torch.nn.Module
            The hooked module.
        hook : callable
            ``hook(module, input)``.
        **kwargs : dict
            Passed to ``register_forward_pre_hook`` (``prepend``).

        Returns
        -------
        torch.utils.hooks.RemovableHandle
        """
        hook = this_thread_only(hook)
        self._retire.append(hook.retire)
        return self.add(module.register_forward_pre_hook(hook, **kwargs))

    def remove(self):
        """Remove every hook held (last added first).

        Returns
        -------
        None
            The set is empty afterwards.
        """
        while self._retire:
            self._retire.pop()()
        while self.handles:
            self.handles.pop().remove()

    def __exit__(self, *exc):
        self.remove()
        return False


# Modules that act on each activation (or each channel, affinely) without mixing positions:
# between the last convolution and the pooling they keep a feature map a CAM can read.
ELEMENTWISE = (
    nn.ReLU, nn.ReLU6, nn.LeakyReLU, nn.PReLU, nn.ELU, nn.SELU, nn.CELU, nn.GELU, nn.SiLU, nn.Mish,
    nn.Sigmoid, nn.Tanh, nn.Softplus, nn.Softsign, nn.Hardtanh, nn.Hardsigmoid, nn.Hardswish,
    nn.LogSigmoid, nn.Tanhshrink, nn.Threshold, nn.Identity,
    nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d, nn.InstanceNorm1d, nn.InstanceNorm2d, nn.InstanceNorm3d,
    nn.Dropout, nn.Dropout1d, nn.Dropout2d, nn.Dropout3d, nn.AlphaDropout,
)  # fmt: skip
_CONVS = (nn.Conv1d, nn.Conv2d, nn.Conv3d)
_NUMPY_DTYPES = {
    torch.float16: np.dtype(np.float16),
    torch.float32: np.dtype(np.float32),
    torch.float64: np.dtype(np.float64),
}


def scripted_modules(module):
    """Names of the outermost TorchScript modules of ``module`` (``"<root>"`` for itself).

    A ``torch.jit.script`` / ``torch.jit.trace`` module runs its compiled graph: module hooks
    cannot be registered on it (``register_forward_hook`` raises) and the hooks of its
    submodules never fire (a traced graph inlines them), so whatever lies inside is out of
    reach of the backprop rules, layer captures and CAMs.
    """
    found = []
    for name, m in module.named_modules():
        if isinstance(m, torch.jit.ScriptModule) and not any(f == "<root>" or name.startswith(f + ".") for f in found):
            found.append(name or "<root>")
    return found


def scripted_error(owner, names, purpose):
    """The ``ValueError`` of an explainer that needs module hooks inside TorchScript modules."""
    where = (
        "the network is a TorchScript module"
        if "<root>" in names
        else f"the network's module(s) {names} are TorchScript modules"
    )
    return ValueError(
        f"{owner} needs {purpose}, but {where} (torch.jit.script / torch.jit.trace), which run "
        "their compiled graph: module hooks cannot be registered there or never fire. Explain the "
        "original nn.Module instead (before scripting), or attribute to the input with "
        "GradientExplainer / IntegratedGradientsExplainer / SmoothGradExplainer, which work on "
        "TorchScript modules."
    )


def in_func_transform():
    """Whether the caller runs inside a ``torch.func`` transform (``vmap``, ``grad`` ...)."""
    level = getattr(torch._C._functorch, "maybe_current_level", None)
    return level is not None and level() is not None


def func_transform_error(what):
    """The ``ValueError`` of a hook that met a ``torch.func`` transform inside ``forward``."""
    return ValueError(
        f"{what} inside a torch.func transform (torch.func.vmap, grad ...) in the network's forward: "
        "there the modules see the transform's per-sample tensors, which module hooks can neither "
        "record nor replace. Explain a network whose forward runs its layers on the batch itself, "
        "or attribute to the input with GradientExplainer / IntegratedGradientsExplainer / "
        "SmoothGradExplainer, which work through it."
    )


def parametrization_modules(module):
    """ids of the modules that compute parametrized tensors (``torch.nn.utils.parametrize``:
    ``weight_norm``, ``spectral_norm``, ``orthogonal``, custom ones): they run on parameters
    when a weight is read, not on activations, so they are neither layers of the forward pass
    nor modules for the explainers' rules."""
    from torch.nn.utils import parametrize

    inside = set()
    for m in module.modules():
        if parametrize.is_parametrized(m):
            inside.update(id(s) for s in m.parametrizations.modules())
    return inside


def leaf_modules(module):
    """``(name, module)`` of the leaves of the forward pass: the modules without submodules,
    parametrizations aside (a ``Conv2d`` under ``weight_norm`` holds its parametrizations as
    children, and is a leaf all the same); the parametrizations' own modules are left out."""
    skip = parametrization_modules(module)
    for name, m in module.named_modules():
        if id(m) not in skip and all(id(c) in skip for c in m.children()):
            yield name, m


# --------------------------------------------------------------------------- sklearn -> torch
class _BinaryLogit(nn.Module):
    """Single logit z -> [0, z], so softmax gives [1 - sigmoid(z), sigmoid(z)]."""

    def forward(self, z):
        z = z.reshape(z.shape[0], -1)
        return torch.cat([torch.zeros_like(z), z], dim=1)


def look_like_probabilities(out):
    """Whether the ``(n, k)`` outputs (k > 1) are non-negative rows that each sum to 1."""
    out = np.asarray(out)
    return (
        out.ndim == 2 and out.shape[1] > 1 and bool((out >= 0).all()) and np.allclose(out.sum(axis=1), 1.0, atol=1e-5)
    )


def look_like_log_probabilities(out):
    """Whether the ``(n, k)`` outputs (k > 1) are non-positive rows whose exponentials each sum
    to 1 (a log_softmax's)."""
    out = np.asarray(out, dtype=np.float64)
    if out.ndim != 2 or out.shape[1] < 2 or not np.isfinite(out).all() or bool((out > 1e-6).any()):
        return False
    top = out.max(axis=1, keepdims=True)
    total = top[:, 0] + np.log(np.exp(out - top).sum(axis=1))
    return bool(np.allclose(total, 0.0, atol=1e-5))


_ACTIVATIONS = {"relu": nn.ReLU, "tanh": nn.Tanh, "logistic": nn.Sigmoid, "identity": nn.Identity}


def _linear(weight, bias):
    weight = np.asarray(weight, dtype=np.float64)
    # without the default initialisation, which drew from torch's global generator (a fit of
    # the gradient family on a scikit-learn MLP moved the user's torch.rand sequence); the
    # weights are the estimator's, copied below
    layer = torch.nn.utils.skip_init(nn.Linear, weight.shape[1], weight.shape[0], dtype=torch.float64)
    with torch.no_grad():
        layer.weight.copy_(torch.as_tensor(weight))
        layer.bias.copy_(torch.as_tensor(np.broadcast_to(bias, weight.shape[0]).copy()))
    return layer


def to_sklearn_torch(estimator):
    """Convert a fitted MLP or linear model of scikit-learn exactly to a float64 torch module.

    Returns ``(module, proba_head, classes)``: the module outputs the decision function
    (logits; ``[0, z]`` for binary classifiers) and ``proba_head`` names how
    ``predict_proba`` follows from it (``"softmax"``, ``"sigmoid"``, ``"ovr"`` or None).
    The conversion is checked against the estimator on random rows.
    """
    from sklearn.base import is_classifier

    name = type(estimator).__name__
    clf = is_classifier(estimator)
    classes = getattr(estimator, "classes_", None) if clf else None
    if hasattr(estimator, "coefs_") and hasattr(estimator, "intercepts_"):
        layers = []
        n_layers = len(estimator.coefs_)
        for i, (w, b) in enumerate(zip(estimator.coefs_, estimator.intercepts_, strict=True)):
            layers.append(_linear(np.asarray(w).T, b))
            if i < n_layers - 1:
                layers.append(_ACTIVATIONS[estimator.activation]())
        out_act = getattr(estimator, "out_activation_", "identity")
        head = None
        if clf:
            head = {"softmax": "softmax", "logistic": "sigmoid"}.get(out_act)
            if out_act == "logistic" and classes is not None and np.ndim(classes) == 1:
                # one logistic output: binary; a multilabel net with two labels also has
                # classes_ [0, 1] but one output per label (sigmoid head)
                if len(classes) == 2 and np.shape(estimator.coefs_[-1])[1] == 1:
                    layers.append(_BinaryLogit())
                    head = "softmax"
        module = nn.Sequential(*layers)
    elif hasattr(estimator, "coef_") and hasattr(estimator, "intercept_"):
        coef = np.atleast_2d(np.asarray(estimator.coef_, dtype=np.float64))
        if coef.ndim != 2:
            raise TypeError(f"{name}.coef_ has shape {np.shape(estimator.coef_)}; expected 1-D or 2-D.")
        intercept = np.asarray(estimator.intercept_, dtype=np.float64).reshape(-1)
        layers = [_linear(coef, intercept if intercept.size else 0.0)]
        head = None
        if clf:
            if len(classes) == 2 and coef.shape[0] == 1:
                layers.append(_BinaryLogit())
            if hasattr(estimator, "predict_proba"):
                # the head whose probabilities are the model's own, on rows whose decision
                # values are moderate: chosen by class name, a modified-Huber SGDClassifier
                # (probabilities (clip(z) + 1) / 2) got a sigmoid labelled as its predict_proba,
                # and LogisticRegressionCV or LDA (a softmax) lost their probabilities
                head = _matching_head(estimator, nn.Sequential(*layers).eval(), coef, intercept)
        module = nn.Sequential(*layers)
    else:
        raise TypeError(
            f"Cannot convert {name} to torch: gradient explainers take skorch nets, torch modules, "
            "scikit-learn MLPs and linear models (with coef_ and intercept_)."
        )
    module.eval()
    _check_conversion(estimator, module, head, clf)
    return module, head, classes


def _probe_rows(n_in, coef=None, intercept=None):
    """Rows to check a conversion on: standard normal rows, the same shrunk 10 and 100 times,
    and for a linear model rows near its decision boundaries (decision values about +-0.5), where
    probability heads differ most (7 normal rows of a model with large coefficients all had
    |z| > 16, where a sigmoid and a clipped ramp agree to 1e-7)."""
    normal = np.random.RandomState(0).normal(size=(7, n_in))
    rows = [normal, normal / 10, normal / 100]
    if coef is not None:
        for c, b in zip(coef, np.broadcast_to(intercept, (len(coef),)), strict=True):
            norm2 = float(c @ c)
            if norm2 > 0:
                on = -b * c / norm2  # on the boundary c x + b = 0
                rows.append(on + np.outer([-0.5, -0.1, 0.1, 0.5], c) / norm2)
    return np.vstack(rows)


def _has_working_proba(estimator):
    """Whether ``estimator.predict_proba`` answers (an SVC without probability estimates, or
    SGDClassifier's hinge loss, has the attribute and raises)."""
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a row without the fit's column names: a probe
            estimator.predict_proba(np.zeros((1, estimator.n_features_in_)))
    except Exception:  # noqa: BLE001 - any refusal means no probabilities to convert
        return False
    return True


def _on_probe_rows(estimator, method, rows):
    """``estimator.<method>(rows)`` on the conversion's probe rows: an array, without
    scikit-learn's warning that it has no column names (a model fitted on a frame warned the
    user about frames given with the right names)."""
    import warnings

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="X does not have valid feature names")
        return np.asarray(getattr(estimator, method)(rows), dtype=np.float64)


def _matching_head(estimator, module, coef, intercept):
    """``"softmax"`` or ``"ovr"``, whichever turns the module's outputs into the estimator's
    ``predict_proba`` on :func:`_probe_rows`; None when neither does."""
    rows = _probe_rows(coef.shape[1], coef, intercept)
    try:
        proba = _on_probe_rows(estimator, "predict_proba", rows)
    except Exception:  # a predict_proba that is not available (SVC without probability)
        return None
    with torch.no_grad():
        z = module(torch.as_tensor(rows))
    for head in ("softmax", "ovr"):
        got = _apply_head(z, head).numpy()
        if got.shape == proba.shape and np.allclose(got, proba, rtol=1e-7, atol=1e-9):
            return head
    return None


def _check_conversion(estimator, module, head, clf):
    """Refuse a conversion that does not reproduce the estimator (exactness is promised)."""
    n_in = module[0].in_features
    rows = _probe_rows(n_in)
    with torch.no_grad():
        z = module(torch.as_tensor(rows)).numpy()
    ok = True
    if clf and hasattr(estimator, "decision_function"):
        ref = _on_probe_rows(estimator, "decision_function", rows)
        got = z[:, 1] if ref.ndim == 1 else z
        ok = np.allclose(got, ref, rtol=1e-7, atol=1e-9)
    elif not clf:
        ref = _on_probe_rows(estimator, "predict", rows)
        ok = np.allclose(z.reshape(ref.shape), ref, rtol=1e-7, atol=1e-9)
    elif head is None:
        ok = False
    if ok and head is not None:
        proba = _apply_head(torch.as_tensor(z), head).numpy()
        ok = np.allclose(proba, _on_probe_rows(estimator, "predict_proba", rows), rtol=1e-7, atol=1e-9)
    if not ok:
        raise TypeError(
            f"{type(estimator).__name__} could not be converted to torch exactly; explain it with a "
            "model-agnostic explainer (KernelShapExplainer) instead."
        )


def _apply_head(z, head):
    if callable(head):
        return head(z).reshape(z.shape[0], -1)
    if head == "identity":
        return z
    if head == "binary_prob":
        return torch.cat([1 - z, z], dim=1)
    if head == "softmax":
        return torch.softmax(z, dim=1)
    if head == "sigmoid":
        return torch.sigmoid(z)
    if head == "ovr":
        p = torch.sigmoid(z)
        return p / p.sum(dim=1, keepdim=True)
    raise ValueError(f"unknown probability head {head!r}")


def _same_tensor(a, b):
    """Whether ``a`` is ``b`` or the same memory seen with the same shape (an in-place result)."""
    return a is b or (a.data_ptr() == b.data_ptr() and a.shape == b.shape)


_ADDS = frozenset({"add", "__add__", "__radd__"})


def _positions(t):
    """Spatial positions of a ``(n, C, *spatial)`` tensor (1 without spatial axes)."""
    return int(np.prod(t.shape[2:])) if isinstance(t, torch.Tensor) and t.ndim > 2 else 1


def _reaching(out, tensors):
    """Whether ``out`` may depend on each of ``tensors``: False only for a tensor on the autograd
    graph that ``out`` is not computed from. A tensor off the graph (computed under no_grad, in
    a reentrant checkpoint) cannot be told, and nothing is ruled out when ``out`` has no graph."""
    keep = [isinstance(t, torch.Tensor) and t.requires_grad for t in tensors]
    if not (isinstance(out, torch.Tensor) and out.requires_grad and out.is_floating_point() and any(keep)):
        return [True] * len(tensors)
    try:
        wrt = [t for t, k in zip(tensors, keep, strict=True) if k]
        grads = iter(torch.autograd.grad(out.sum(), wrt, allow_unused=True))
    except RuntimeError:
        return [True] * len(tensors)
    return [not k or next(grads) is not None for k in keep]


class _AddRecorder(torch.overrides.TorchFunctionMode):
    """Record ``(result, tensor operands)`` of every out-of-place addition of a forward pass.

    ``out = out + x`` (a residual skip written out of place) hands the next module a new
    tensor, where ``out += x`` hands it the very tensor the convolution returned; recording the
    sums lets the CAM layer search treat both the same. The results are kept alive so that
    their memory (compared by address) is not reused during the pass.
    """

    def __init__(self):
        super().__init__()
        self.sums = []

    def __torch_function__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        if getattr(func, "__name__", "") in _ADDS and isinstance(out, torch.Tensor):
            self.sums.append((out, [a for a in args if isinstance(a, torch.Tensor)]))
        return out

    def adds_to(self, result, operand):
        """Whether ``result`` is a recorded sum one of whose operands is ``operand``."""
        return any(_same_tensor(out, result) and any(_same_tensor(a, operand) for a in ops) for out, ops in self.sums)


def _trailing_activation(module):
    """The last leaf of nested Sequentials when it is a Softmax/LogSoftmax/Sigmoid."""
    last = module
    while isinstance(last, nn.Sequential) and len(last) > 0:
        last = last[len(last) - 1]
    return last if _is_output_activation(last) else None


def _is_output_activation(module):
    """Whether ``module`` maps scores to probabilities (or their logarithm) over the outputs."""
    if isinstance(module, nn.Softmax | nn.LogSoftmax):
        return module.dim in (None, 1, -1)
    return isinstance(module, nn.Sigmoid)


def _skorch_head(net):
    """How a skorch classifier's ``predict_proba`` maps its module output to probabilities."""
    import functools

    from skorch import utils

    nonlin = net._get_predict_nonlinearity()
    if isinstance(nonlin, functools.partial) and nonlin.func is torch.softmax:
        return "softmax"
    if nonlin is utils._sigmoid_then_2d:
        return "softmax"  # on [0, z]: [1 - sigmoid(z), sigmoid(z)]
    if nonlin is utils._make_2d_probs:
        return "binary_prob"
    if nonlin is utils._identity:
        return "identity"
    return nonlin


# --------------------------------------------------------------------------- adapter
class TorchModel:
    """A network seen as a differentiable batched function of the explained response.

    Parameters
    ----------
    estimator : skorch net, torch.nn.Module, or fitted scikit-learn MLP / linear model
        skorch ``NeuralNetClassifier`` / ``NeuralNetRegressor`` / ``NeuralNetBinaryClassifier``
        (fitted, possibly wrapped in ``FrozenEstimator``) is explained through its
        ``module_``; scikit-learn MLPs and linear models are converted exactly to float64
        torch modules whose output is the decision function (``[0, z]`` for binary
        classifiers, so column indices match ``classes_``).
    response_method : {"auto", "predict_proba", "decision_function", "predict"}, default="auto"
        ``"decision_function"`` (internally ``"logits"``): the raw module output; when the
        module is an ``nn.Sequential``
        (possibly nested) ending in ``Softmax``, ``LogSoftmax`` or ``Sigmoid``, that last
        activation is bypassed (by a forward hook returning its input) so the scores before
        it are explained; so is such a module that a custom ``forward`` runs last and returns
        (found by the explainers' ``fit``, :meth:`find_output_activation`). A functional
        softmax (``torch.softmax``) inside a custom ``forward`` cannot be bypassed and is then
        part of the explained "logits".
        ``"predict_proba"`` (internally ``"proba"``): class probabilities. For skorch classifiers exactly what
        ``predict_proba`` computes: the net's ``predict_nonlinearity`` (softmax for
        ``CrossEntropyLoss``, sigmoid for ``BCEWithLogitsLoss``, none for ``NLLLoss``, whose
        module is expected to output probabilities) applied to the module output. For
        converted scikit-learn models their exact ``predict_proba`` head. For plain modules
        softmax over the logits (after bypassing a trailing ``Softmax``/``LogSoftmax``, so
        the values are the module's probabilities); the sigmoid of a single logit ``(n, 1)``.
        ``"predict"``: the regression output (the raw module output, a trailing ``Sigmoid``
        included: a regressor's or a plain module's output activation is never bypassed).
        ``"auto"``: probabilities for classifiers that have ``predict_proba`` (skorch
        classifiers, MLPClassifier, LogisticRegression ...), the module output for
        regressors and classifiers without probabilities such as LinearSVC, and a plain
        ``torch.nn.Module``'s own output, trailing activation included (internally
        ``"output"``). The first release's ``"logits"`` and ``"proba"`` are the internal names.

    Attributes
    ----------
    module : torch.nn.Module
    device : torch.device
    dtype : torch.dtype
        Floating dtype of the module's parameters (inputs are cast to it).
    classes : ndarray or None
    is_classifier : bool
    response : {"logits", "proba", "output"}
    quantity : {"probability", "logit", "prediction", "output"}
        What :meth:`forward` returns, as recorded on every ``Explanation``.

    Examples
    --------
    >>> import numpy as np, torch
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skxai._torch import TorchModel
    >>> X = np.random.RandomState(0).normal(size=(30, 2)); y = (X[:, 0] > 0).astype(int)
    >>> clf = LogisticRegression().fit(X, y)
    >>> model = TorchModel(clf)  # converted exactly: float64, softmax of [0, z]
    >>> with torch.no_grad():
    ...     proba = model.forward(model.to_tensor(X[:3])).numpy()
    >>> np.allclose(proba, clf.predict_proba(X[:3]))
    True
    >>> model.targets(None, torch.as_tensor(proba)).tolist()  # positive class by default
    [1, 1, 1]
    """

    def __init__(self, estimator, response_method="auto"):
        from sklearn.base import is_classifier

        self.estimator = estimator
        est = _unfreeze(estimator)
        self._binary = False
        self._threshold = 0.5
        head = None
        if isinstance(est, nn.Module):
            module, classes, clf = est, None, False
            has_proba = True
        elif _is_skorch(est):
            if not getattr(est, "initialized_", False) or not hasattr(est, "module_"):
                raise ValueError(f"The skorch net {type(est).__name__} is not fitted/initialized.")
            module = est.module_
            clf = is_classifier(est)
            classes = getattr(est, "classes_", None) if clf else None
            has_proba = hasattr(est, "predict_proba") and clf
            self._binary = type(est).__name__ == "NeuralNetBinaryClassifier" or any(
                c.__name__ == "NeuralNetBinaryClassifier" for c in type(est).__mro__
            )
            if self._binary:
                classes = np.array([0, 1]) if classes is None else classes
                # predict() is P(class 1) > threshold, not the argmax of the probabilities
                self._threshold = float(getattr(est, "threshold", 0.5))
            if has_proba:
                head = _skorch_head(est)
        elif hasattr(est, "coefs_") or hasattr(est, "coef_"):
            module, head, classes = to_sklearn_torch(est)
            clf = is_classifier(est)
            has_proba = head is not None
            # a predict_proba that is no softmax nor one-vs-rest sigmoid of the decision
            # function (SGDClassifier's modified Huber loss clips it): not converted
            unconverted_proba = clf and head is None and _has_working_proba(est)
        else:
            raise TypeError(
                f"Cannot explain {type(est).__name__} with gradients: pass a fitted skorch net, "
                "a torch.nn.Module, or a scikit-learn MLP / linear model."
            )
        lazy = [
            name for name, m in module.named_modules()
            if any(isinstance(p, nn.parameter.UninitializedParameter) for p in m.parameters(recurse=False))
        ]  # fmt: skip
        if lazy:
            # torch's own error would come from deep inside the first explanation
            raise ValueError(
                f"The network's lazy module(s) {lazy} have uninitialized parameters: it has never "
                "run, so it is untrained. Train it (or run one forward pass) before explaining it."
            )
        self.module = module
        self._plain = isinstance(est, nn.Module)
        # a binary classifier's one logit z is read as [0, z]: output 0 is a constant, no score
        self._padded = self._binary or (
            isinstance(module, nn.Sequential) and len(module) > 0 and isinstance(module[-1], _BinaryLogit)
        )
        self.classes = None if classes is None else np.asarray(classes)
        self.is_classifier = bool(clf)
        self.is_regressor = not isinstance(est, nn.Module) and not clf
        self._final = _trailing_activation(module)
        self.unbypassable = None  # an output activation changed in place after it (find_output_activation)
        self._head = head
        if response_method == "decision_function" and _declared_regressor(est):
            # as the tabular families refuse it (skxai._adapters.resolve_response_method): a
            # regressor has no decision function, and its prediction was explained under that name
            raise ValueError(
                f"response_method='decision_function' is not supported by {type(est).__name__}: it has "
                "no method 'decision_function' (a regressor's output is its prediction: use "
                "response_method='predict' or 'auto')."
            )
        self._unconverted_proba = locals().get("unconverted_proba", False)
        self.response = self._resolve_response(response_method, has_proba)
        self.dtype = self._find_dtype()
        self.device = self._find_device(est)

    # ------------------------------------------------------------------ setup
    def _resolve_response(self, response_method, has_proba):
        if response_method == "predict" and self.is_classifier:
            # a classifier's predict gives labels, as the tabular families refuse it
            # (skxai._adapters): mapped to the logits, the explanations said "logit" for a
            # response the user did not ask for
            raise ValueError(
                "response_method='predict' returns class labels, which have no additive "
                "explanation; use 'predict_proba' or 'decision_function' for a classifier."
            )
        rm = _ALIASES.get(response_method, response_method)
        if rm not in RESPONSES:
            raise ValueError(
                f"response_method={response_method!r} is not supported; use one of {RESPONSES} "
                "(or predict_proba / decision_function / predict)."
            )
        if rm == "auto" or (response_method == "predict" and self._plain):
            # a plain module's "predict" is its own output (a trailing Sigmoid of a regressor
            # scaled to [0, 1] included), which the bypass of "logits" skipped
            if self._plain:
                return "output"
            if self._unconverted_proba and not has_proba:
                warn_at_caller(
                    f"{self._unconverted_proba_note()} response_method='auto' explains its decision "
                    "function (the logits).",
                    UserWarning,
                )
            return "proba" if (self.is_classifier and has_proba) else "logits"
        if rm == "proba" and not has_proba and self._unconverted_proba:
            raise ValueError(
                f"response_method={response_method!r}: {self._unconverted_proba_note()} Use "
                "'decision_function' (the logits), or a model-agnostic explainer "
                "(KernelShapExplainer) for its probabilities."
            )
        if rm == "proba" and not has_proba:
            raise ValueError(
                f"response_method={response_method!r}: this model has no probability output "
                "(a regressor, or a classifier without predict_proba); use 'decision_function' (the raw output)."
            )
        return rm

    def _unconverted_proba_note(self):
        name = type(unwrap_frozen(self.estimator)).__name__
        return (
            f"{name}'s predict_proba is neither a softmax nor a one-vs-rest sigmoid of its decision "
            "function (e.g. the modified Huber loss's clipped scores), so it has no torch conversion "
            "to differentiate."
        )

    def _find_dtype(self):
        for t in list(self.module.parameters()) + list(self.module.buffers()):
            if t.is_floating_point():
                return t.dtype
        return torch.get_default_dtype()

    def _find_device(self, est):
        for t in list(self.module.parameters()) + list(self.module.buffers()):
            return t.device
        dev = getattr(est, "device", None)
        return torch.device(dev) if isinstance(dev, str | torch.device) else torch.device("cpu")

    # ------------------------------------------------------------------ data
    def to_tensor(self, X):
        """``X`` (numpy, torch, pandas) as a new tensor on the model's device and dtype.

        Always a copy: a network whose first module works in place must not change the
        caller's data (and read-only arrays stay untouched).

        Parameters
        ----------
        X : array-like, tensor or DataFrame
            The inputs.

        Returns
        -------
        torch.Tensor
            A copy of ``X`` on the model's device and dtype.
        """
        # Out of inference mode: a tensor made under a caller's torch.inference_mode() can never
        # take part in the explainers' backward passes (see prepared).
        with torch.inference_mode(False):
            return self._to_tensor(X)

    def _to_tensor(self, X):
        if isinstance(X, torch.Tensor):
            # in the usual (contiguous) layout, as numpy data becomes: a permuted NHWC batch
            # kept its channels-last strides, and a network that .view()s its feature maps
            # refused the tensor it took as the same numbers in a numpy array
            return X.detach().to(device=self.device, dtype=self.dtype, memory_format=torch.contiguous_format, copy=True)
        if hasattr(X, "to_numpy"):
            X = X.to_numpy()
        X = np.asarray(X)
        if (
            self.device.type == "cpu"
            # a dtype numpy lacks (bfloat16) has no entry: ``X.dtype == None`` is True for
            # float64 (numpy reads None as its default dtype), so it must not be compared
            and self.dtype in _NUMPY_DTYPES
            and X.dtype == _NUMPY_DTYPES[self.dtype]
            and X.flags.c_contiguous
            and X.flags.writeable  # from_numpy warns on read-only arrays
        ):
            # The same copy as torch.tensor's, for half its cost (a per-call overhead of every
            # explain on a small network).
            return torch.from_numpy(X).clone(memory_format=torch.contiguous_format)
        if not X.flags.c_contiguous:
            # torch.tensor refuses negative strides (a reversed view, X[::-1]) and keeps any
            # other layout (a transposed NHWC array stays channels-last): the usual one, as above
            X = np.ascontiguousarray(X)
        return torch.tensor(X, dtype=self.dtype, device=self.device)

    # ------------------------------------------------------------------ forward
    @property
    def head(self):
        """How probabilities follow from :meth:`logits`, or None when logits are explained:
        ``"softmax"``, ``"sigmoid"``, ``"ovr"``, ``"identity"`` (the output already is one),
        ``"binary_prob"`` (``p -> [1 - p, p]``) or a skorch ``predict_nonlinearity`` callable."""
        if self.response in ("logits", "output"):
            return None
        if self._head == "identity" and isinstance(self._final, nn.LogSoftmax):
            return "softmax"  # skorch would return log-probabilities: give probabilities
        if self._head in ("identity", "binary_prob") or callable(self._head):
            return self._head
        if isinstance(self._final, nn.Softmax | nn.LogSoftmax):
            return "softmax"
        if isinstance(self._final, nn.Sigmoid):
            return "softmax" if self._binary else "sigmoid"
        return self._head or "softmax"

    def find_output_activation(self, x):
        """Take, as the trailing activation, a ``Softmax``/``LogSoftmax``/``Sigmoid`` module that a
        custom ``forward`` calls last, once, and whose output it returns.

        An ``nn.Sequential``'s last layer is found from its layers; a custom ``forward`` ending
        in ``return self.softmax(z)`` (skorch's classic layout for ``NLLLoss``), or a custom
        head at the end of a Sequential, shows it only when run: one pass over ``x`` records the
        leaf modules in the order they run. The network may return the module's output, a view
        of it (``.squeeze(-1)``) or a tuple whose first item is either. A module run twice, or
        followed by another leaf (an ``nn.Identity`` returns its input object), is left in
        place: the bypass hook would change its other uses. Runs once (explainers' ``fit``;
        otherwise on the first call).

        Parameters
        ----------
        x : torch.Tensor of shape (n, ...)
            A few inputs on the model's device and dtype, run under :meth:`prepared`.
        """
        self._probed = True
        if self._final is not None or isinstance(self.module, torch.jit.ScriptModule):
            return
        calls = []
        try:
            with HookSet() as hooks:
                for _, leaf in leaf_modules(self.module):
                    if not isinstance(leaf, torch.jit.ScriptModule):  # they take no hook
                        hooks.forward(leaf, lambda m, inp, out: calls.append((m, out, getattr(out, "_version", 0))))
                with torch.no_grad():
                    out = self.module(x)
        except Exception:  # noqa: BLE001 - the explainer's own pass next says what went wrong
            return
        if isinstance(out, tuple | list) and out:  # the first output is the one explained
            out = out[0]
        if not calls or not isinstance(out, torch.Tensor):
            return
        last, last_out, version = calls[-1]
        returned = last_out is out or (
            # a view of it (skorch's binary layout: self.sigmoid(z).squeeze(-1)), which the
            # bypass turns into the same view of the scores
            isinstance(last_out, torch.Tensor)
            and out.numel() == last_out.numel()
            and out.numel() > 0
            and out.data_ptr() == last_out.data_ptr()
        )
        if returned and _is_output_activation(last) and sum(m is last for m, *_ in calls) == 1:
            if getattr(last_out, "_version", 0) != version:
                # changed in place after the module (self.sigmoid(z).clamp_(eps, 1 - eps)):
                # bypassed, the in-place step would run on the scores themselves, explained as
                # logits; left in place, and the explainers say that probabilities are explained
                self.unbypassable = last
                return
            self._final = last

    def _probe_once(self, x):
        """:meth:`find_output_activation` on the first rows of the first call, for the adapters
        that call the network without an explainer's ``fit`` (the image Shapley games, the
        controls): the same network explains the same quantity in every family."""
        if not self.__dict__.get("_probed", False):
            self.find_output_activation(x[:2])

    @property
    def bypassed(self):
        """The trailing activation module skipped by :meth:`logits` (or None)."""
        if self.response == "output" or self.is_regressor:
            # a regressor's prediction is its module's output, a trailing Sigmoid included
            # (a target scaled to [0, 1]): the bypass is for a classifier's logits
            return None
        head = self.head
        keep = head in ("identity", "binary_prob") or callable(head)
        return None if keep else self._final

    @property
    def quantity(self):
        """What :meth:`forward` returns: ``"probability"``, ``"logit"``, ``"prediction"``
        (regressors) or ``"output"`` (a plain module's own output); ``"probability"`` (or
        ``"log-probability"``) also where the scores asked for are the module's own probabilities
        (or log-probabilities: :meth:`check_response`)."""
        if self.response == "proba" or self.__dict__.get("scores_are_probabilities", False):
            return "probability"
        if self.__dict__.get("scores_are_log_probabilities", False):
            return "log-probability"
        if self.response == "output":
            return "output"
        return "prediction" if self.is_regressor else "logit"

    def check_response(self, x, response_method, owner):
        """Check that what :meth:`forward` returns on the inputs ``x`` is what was asked for.

        - ``"decision_function"`` on a module whose outputs are probabilities (a softmax that
          cannot be bypassed: a functional one, or a module changed in place after it) warns
          that the probabilities are explained, and :attr:`quantity` says so (it said "logit");
        - ``"predict_proba"`` on such a module is refused: the head's softmax would come on top
          (``softmax(softmax(z))``, explained as probabilities); a single output in [0, 1] warns
          (a sigmoid inside ``forward`` gets a second one).

        Every family that calls a network checks it here (the image Shapley games explained
        such probabilities as logits, and the softmax of probabilities, without a word).

        Parameters
        ----------
        x : torch.Tensor of shape (n, ...)
            A few inputs on the model's device and dtype.
        response_method : str
            The explainer's parameter, for the messages.
        owner : str
            The explainer's name, for the messages.
        """
        self.scores_are_probabilities = self.scores_are_log_probabilities = False
        checks_scores = self.response == "logits" and (self.is_classifier or self._plain)
        second = self.response == "proba" and self._plain and self.head == "softmax"
        if self.bypassed is not None or not (checks_scores or second):
            return
        with self.prepared(), torch.no_grad():
            z = self.logits(x).detach().cpu().double().numpy()
        if checks_scores:
            if look_like_probabilities(z):
                warn_at_caller(
                    "response_method='decision_function' but the module's outputs look like probabilities: "
                    "only an nn.Softmax, LogSoftmax or Sigmoid module run last, whose output forward() "
                    "returns, is bypassed (a functional softmax, or one followed by other operations, is "
                    "not); the probabilities are explained.",
                    UserWarning,
                )
                self.scores_are_probabilities = True
            elif look_like_log_probabilities(z):
                # a log_softmax in forward() (the PyTorch MNIST example's layout) was explained
                # and labelled as logits without a word
                warn_at_caller(
                    "response_method='decision_function' but the module's outputs look like "
                    "log-probabilities (each row's exponentials sum to 1): only an nn.LogSoftmax, Softmax "
                    "or Sigmoid module run last, whose output forward() returns, is bypassed (F.log_softmax "
                    "is not); the log-probabilities are explained. Return the logits from forward(), or "
                    "end it with an nn.LogSoftmax module, to explain logits.",
                    UserWarning,
                )
                self.scores_are_log_probabilities = True
            return
        if z.ndim == 2 and z.shape[1] == 1 and bool(((z >= 0) & (z <= 1)).all()):
            # one output, the sigmoid's: a logit may lie in [0, 1] too, so a warning
            warn_at_caller(
                f"response_method={response_method!r}, but the outputs of {type(self.module).__name__} "
                "all lie in [0, 1], like probabilities: if forward() applies a sigmoid, predict_proba "
                "applies a second one (sigmoid(p), in (0.5, 0.73)). Use response_method='auto' to "
                "explain the module's own output, or return the logit from forward().",
                UserWarning,
            )
        if look_like_probabilities(z):
            raise ValueError(
                f"{owner}: response_method={response_method!r}, but the outputs of "
                f"{type(self.module).__name__} already are probabilities (non-negative, each row summing "
                "to 1): a softmax inside forward() cannot be bypassed, and predict_proba would apply a "
                "second one. Use response_method='auto' to explain the module's own probabilities, or "
                "return the logits from forward() (only an nn.Softmax module run last, whose output "
                "forward() returns, is bypassed)."
            )

    def logits(self, x):
        """The module's output before :attr:`head`, ``(n, k)`` (``[0, z]`` for binary nets).

        A trailing ``Softmax``/``LogSoftmax``/``Sigmoid`` (the last layer of an
        ``nn.Sequential``, or the module a custom ``forward`` runs last and returns: see
        :meth:`find_output_activation`) is bypassed
        by a forward hook that returns its input (removed right after the call), unless the
        probabilities are the module's own output (skorch nets whose ``predict_proba``
        applies no nonlinearity).

        Parameters
        ----------
        x : torch.Tensor of shape (n, ...)
            Inputs on the model's device and dtype.

        Returns
        -------
        torch.Tensor of shape (n, k)
            The scores before the link, differentiable.
        """
        self._probe_once(x)
        final = self.bypassed
        try:
            if final is not None:
                with HookSet() as hooks:
                    hooks.forward(final, lambda m, inp, out: inp[0])
                    out = self.module(x)
            else:
                out = self.module(x)
        except RuntimeError as exc:
            if "'indices'" in str(exc) and "embedding" in str(exc):
                raise self._float_indices_error(x) from exc
            axes = self._conv_axes_error(x, str(exc))
            if axes is not None:
                raise axes from exc
            raise
        except AssertionError as exc:
            if is_exported(self.module) and "Guard failed" in str(exc):
                # torch.export without dynamic_shapes fixes the example's batch size, and the
                # explainers run batches of other sizes: torch's bare assertion said neither
                raise ValueError(
                    f"The torch.export module does not take this batch of shape {tuple(x.shape)} "
                    f"({exc}): it was exported for its example's shape only, and the explainers run "
                    "batches of other sizes (one row, chunks of batch_size). Export it with a dynamic "
                    "batch axis: torch.export.export(net, (x,), dynamic_shapes=({0: "
                    "torch.export.Dim('batch')},))."
                ) from exc
            raise
        returned = type(out).__name__
        if isinstance(out, tuple | list):
            if not out:
                raise TypeError(f"{type(self.module).__name__} returned an empty {returned}.")
            out = out[0]
            returned = f"a {returned} whose first item is {type(out).__name__}"
        if not isinstance(out, torch.Tensor):
            # a dict (or a model-output object) would fail later on a missing attribute
            raise TypeError(
                f"{type(self.module).__name__} returned {returned}; the explainers need a "
                "tensor of outputs (or a tuple whose first item is one). Wrap the network in a "
                "module whose forward returns the tensor to explain."
            )
        if out.ndim == 0 or out.shape[0] != x.shape[0]:
            # a clear error here instead of an IndexError or a silently misaligned batch later
            got = "a scalar" if out.ndim == 0 else f"{out.shape[0]} rows"
            raise ValueError(
                f"{type(self.module).__name__} returned {got} for {x.shape[0]} input rows; it must "
                "return one row of outputs per input row (batch first)."
            )
        if out.ndim > 2 and sum(d > 1 for d in out.shape[1:]) > 1:
            head = self.head
            if head in ("softmax", "ovr") or callable(head):
                # the outputs are explained flattened, and a softmax over the flattened (n, K * L)
                # values is no probability of anything (per-position classes sum to 1 over K)
                raise ValueError(
                    f"{type(self.module).__name__} returned outputs of shape {tuple(out.shape)}: class "
                    "probabilities are normalised over one axis of classes, but the explainers take the "
                    f"outputs flattened to (n, {out[0].numel()}), where a softmax would mix the other "
                    "axes in. Explain the scores (response_method='decision_function', target indexing the "
                    "flattened outputs in C order) or wrap the network so that it returns (n, n_classes)."
                )
        out = out.reshape(out.shape[0], -1)
        if not bool(torch.isfinite(out).all()):
            bad = torch.nonzero(~torch.isfinite(out).all(dim=1)).reshape(-1).tolist()
            raise NonFiniteOutputError(
                f"{type(self.module).__name__} returned NaN or inf on {len(bad)} of {out.shape[0]} rows "
                f"(row indices {bad[:10]} within that batch of at most batch_size rows: at fit, rows of "
                "the data given to fit; while explaining, perturbed samples). Attributions "
                "of a non-finite output are meaningless: fix the model or its inputs."
            )
        if self._binary and out.shape[1] == 1 and self.head != "binary_prob":
            out = torch.cat([torch.zeros_like(out), out], dim=1)
        return out

    def _conv_axes_error(self, x, message):
        """The error of inputs with one axis less than every convolution of the network takes
        (grey images without their channel axis), or None.

        torch reads such a batch as one unbatched sample, and its message ``message`` then
        counts the samples as channels ("expected input[1, 5, 12, 10] to have 1 channels, but
        got 5"): only that message on the very inputs given (not a copy the network reshaped)
        gets this error.
        """
        seen = "input[" + ", ".join(str(s) for s in (1, *x.shape)) + "]"
        if seen not in message or "channels" not in message:
            return None
        return self.missing_channel_axis_error(tuple(x.shape))

    def missing_channel_axis_error(self, shape):
        """The ``ValueError`` of inputs of ``shape`` (samples first) with one axis less than every
        convolution of the network takes, or None where they have it.

        Parameters
        ----------
        shape : tuple of int
            The inputs' shape, samples first.

        Returns
        -------
        ValueError or None
            The error to raise (grey images without their channel axis), or None.
        """
        convs = [m for m in self.module.modules() if isinstance(m, nn.modules.conv._ConvNd)]
        dims = {len(m.kernel_size) for m in convs}
        if dims != {len(shape) - 1}:
            return None
        layout = {1: "(n, C, L)", 2: "(n, C, H, W)", 3: "(n, C, D, H, W)"}[len(shape) - 1]
        return ValueError(
            f"{type(self.module).__name__} has {len(shape) - 1}-D convolutions ({type(convs[0]).__name__} "
            f"takes {layout}), but its inputs of shape {tuple(shape)} have one axis less, so torch "
            "read the batch as one unbatched sample. Single-channel inputs need their channel axis: "
            "X[:, None]."
        )

    def _float_indices_error(self, x):
        """The error of a network that looks its (float) input up in an embedding table."""
        found = [n or "<root>" for n, m in self.module.named_modules() if isinstance(m, nn.Embedding | nn.EmbeddingBag)]
        where = f"nn.Embedding module(s) {found}" if found else "an embedding lookup"
        layer = found[0] if found else "<the embedding's name>"
        return ValueError(
            f"{type(self.module).__name__} uses its input as the integer indices of {where}: "
            f"gradients with respect to indices are undefined, and the explainers pass the input "
            f"as {x.dtype} (the network's dtype, needed for gradients). Cast it inside forward "
            f"(self.emb(x.long())) and attribute to the embedding's output with "
            f"target_layer={layer!r}, or use a model-agnostic explainer (KernelShapExplainer)."
        )

    def forward(self, x):
        """Explained response ``(n, k)``: logits or probabilities, differentiable.

        Parameters
        ----------
        x : torch.Tensor of shape (n, ...)
            Inputs on the model's device and dtype.

        Returns
        -------
        torch.Tensor of shape (n, k)
            :meth:`logits` passed through :attr:`head` (softmax, sigmoid) when there is one.
        """
        z = self.logits(x)
        head = self.head_of(z)
        return z if head is None else _apply_head(z, head)

    __call__ = forward

    def head_of(self, z):
        """:attr:`head` for the logits ``z``: a plain module's single logit gets the sigmoid (its
        probability), not the softmax, which of one value is the constant 1 (every attribution
        was 0).

        Parameters
        ----------
        z : torch.Tensor of shape (n, k)
            What :meth:`logits` returned.

        Returns
        -------
        str, callable or None
            The head applied to ``z`` (see :attr:`head`).
        """
        head = self.head
        if head == "softmax" and self._plain and self._final is None and z.shape[1] == 1:
            return "sigmoid"
        return head

    def output_names(self, n_outputs):
        """Names of the output columns: the classes when they match, else 0..k-1.

        Parameters
        ----------
        n_outputs : int
            Number of output columns.

        Returns
        -------
        ndarray of object
            One name per output column.
        """
        if self.classes is not None and len(self.classes) == n_outputs:
            return self.classes.astype(object)
        return np.arange(n_outputs).astype(object)

    def check_outputs(self, out):
        """Refuse "probabilities" outside [0, 1] (see :func:`skxai._adapters.check_probabilities`).

        Only where the probabilities are the module's own output (a skorch net whose
        ``predict_nonlinearity`` is the identity, or ``[1 - p, p]`` of a binary one): a
        module without a final softmax then gives logits that would be labelled probabilities.

        Parameters
        ----------
        out : ndarray of shape (n, k)
            What :meth:`forward` returned, on the host.
        """
        if self.response == "proba" and self.head in ("identity", "binary_prob"):
            from skxai._estimators import check_probabilities

            check_probabilities(
                out, f"{type(_unfreeze(self.estimator)).__name__}.module_ (its predict_proba)", self.estimator
            )

    # ------------------------------------------------------------------ targets
    def resolve_target(self, target, n_outputs):
        """Fixed output index for a scalar ``target``; ``"predicted"`` for an argmax per sample.

        Parameters
        ----------
        target : label, int, "predicted", None or 1-D array of labels (one per sample)
            A class label or output index; None is the single output, the positive class of a
            binary classifier, else the predicted class (regressors with several outputs must
            choose).
        n_outputs : int
            Number of output columns.

        Returns
        -------
        int, ndarray of int or "predicted"
            The output index, one per sample for a 1-D ``target``, or ``"predicted"`` when it
            depends on each sample.
        """
        k = n_outputs
        if isinstance(target, str) and target == "predicted":
            from sklearn.base import is_regressor

            if self._one_score(k):
                from skxai._targets import predicted_binary_score_error

                # as the tabular families refuse it: the rows predicted as the negative class
                # were explained through the constant 0 of [0, z] (attributions all 0)
                raise predicted_binary_score_error(self._positive_class())

            est = _unfreeze(self.estimator)
            if k > 1 and self.is_regressor and is_regressor(est):
                # as the tabular families refuse it (skxai._targets.resolve_target): the largest
                # of unrelated predictions is no prediction, and each row explained another output
                # (a generic skorch NeuralNet, maybe a classifier, keeps the argmax)
                raise ValueError(
                    f"target='predicted' picks the largest output, which means nothing across the {k} "
                    f"outputs of the regressor {type(est).__name__}: pass target=<output index> "
                    f"(0..{k - 1})."
                )
            return "predicted"
        if target is not None and not isinstance(target, str) and np.ndim(target) > 0:
            # one label per sample (the controls resolve it at fit, as for tabular models; a
            # 1-D array reached int() and raised "only 0-dimensional arrays can be converted")
            labels = np.asarray(target, dtype=object)
            if labels.ndim != 1:
                raise ValueError(f"A per-sample target must be 1-D (one entry per sample); got shape {labels.shape}.")
            return self._refuse_negative(
                np.array([self._label_index(t, k) for t in labels.tolist()], dtype=int), labels, k
            )
        if target is None:
            if k == 1:
                return 0
            if self.is_classifier and k == 2:
                return 1
            if self.is_classifier or not self.is_regressor:
                return "predicted"
            raise ValueError(f"The model has {k} outputs; choose one with target=<output index> (0..{k - 1}).")
        return int(self._refuse_negative(np.array([self._label_index(target, k)]), [target], k)[0])

    def _one_score(self, k):
        """True when the explained response is a binary classifier's one logit, read as
        ``[0, z]``: output 0 is then the constant 0, not a score of the negative class."""
        return self._padded and k == 2 and self.quantity == "logit"

    def _positive_class(self):
        return self.classes[1] if self.classes is not None and len(self.classes) == 2 else 1

    def _refuse_negative(self, indices, labels, k):
        """``indices``, unless one of them is the constant output of :meth:`_one_score`: the
        tabular families refuse the negative class of a binary decision function, and here its
        attributions were silently 0 (and depend on the arbitrary 0 of ``[0, z]``)."""
        if self._one_score(k):
            bad = np.flatnonzero(np.asarray(indices) == 0)
            if bad.size:
                from skxai._targets import negative_class_error, plain_label

                raise negative_class_error(plain_label(list(labels)[int(bad[0])]), self._positive_class())
        return indices

    def _label_index(self, label, k):
        """Output index of a class label / output index, by the shared resolver
        (:func:`skxai._adapters.resolve_target`): labels of a classifier whose classes name the
        outputs, output indices otherwise."""
        from skxai._targets import resolve_target

        if isinstance(label, torch.Tensor | np.ndarray) and label.ndim == 0:
            label = label.item()  # one label held in a 0-d tensor (labels[i] of a torch dataset)
        named = self.classes is not None and len(self.classes) == k
        names = list(self.classes) if named else list(range(k))
        if isinstance(label, str) and label == "predicted":
            raise ValueError("target='predicted' cannot be one sample's label in a per-sample array.")
        return int(resolve_target(label, names, is_clf=bool(named and self.is_classifier), method="predict"))

    def targets(self, target, outputs):
        """Explained output index per sample as a LongTensor ``(n,)``.

        Parameters
        ----------
        target : label, int, "predicted", array-like of shape (n,) or None
            None (positive class for binary classifiers, the single output, else the predicted
            class), ``"predicted"``, a class label / output index, or an array with one label per
            sample.
        outputs : torch.Tensor or ndarray of shape (n, k)
            The model's outputs (read for the predicted class).

        Returns
        -------
        torch.LongTensor of shape (n,)
            Output index per sample, on the outputs' device.
        """
        n, k = outputs.shape
        dev = outputs.device if isinstance(outputs, torch.Tensor) else self.device
        if target is not None and not isinstance(target, str) and np.ndim(target) > 0:
            labels = np.asarray(target.detach().cpu() if isinstance(target, torch.Tensor) else target)
            if labels.ndim != 1 or labels.shape[0] != n:
                raise ValueError(f"target holds {labels.shape} labels for {n} sample(s); give one label per sample.")
            named = self.classes is not None and len(self.classes) == k
            plain = not named or np.array_equal(np.asarray(self.classes), np.arange(k))
            if labels.dtype.kind in "iu" and plain and labels.size and 0 <= labels.min() and labels.max() < k:
                # output indices (or classes 0..k-1, which name them): no per-label lookup
                idx = labels.astype(np.int64, copy=False)
            elif labels.dtype.kind in "biuf":
                # each distinct label resolved once (not once per sample): the same indices
                uniq, inverse = np.unique(labels, return_inverse=True)
                lut = np.fromiter((self._label_index(t, k) for t in uniq.tolist()), int, count=uniq.shape[0])
                idx = lut[inverse.reshape(-1)]
            else:
                idx = np.fromiter((self._label_index(t, k) for t in labels.tolist()), int, count=n)
            idx = self._refuse_negative(idx, labels, k)
            return torch.as_tensor(idx, dtype=torch.long, device=dev)
        t = self.resolve_target(target, k)
        if t == "predicted":
            out = outputs if isinstance(outputs, torch.Tensor) else torch.as_tensor(outputs)
            return self.predicted(out).to(dev)
        return torch.full((n,), t, dtype=torch.long, device=dev)

    def predicted(self, outputs):
        """The class the estimator predicts for each row of its explained ``outputs``.

        The argmax of the outputs, except for a skorch ``NeuralNetBinaryClassifier`` whose
        ``threshold`` is not 0.5: its ``predict`` is ``P(class 1) > threshold``, read from
        the probabilities (or from the logit ``z`` of ``[0, z]``, whose probability is
        ``sigmoid(z)``).

        Parameters
        ----------
        outputs : torch.Tensor of shape (n, k)
            What :meth:`forward` returned.

        Returns
        -------
        torch.LongTensor of shape (n,)
            Output index of the predicted class per row.
        """
        outputs = outputs.detach()
        if not (self._binary and self._threshold != 0.5 and outputs.shape[1] == 2):
            return outputs.argmax(dim=1)
        score = outputs[:, 1]
        if self.response != "proba" and (self.bypassed is not None or self._head != "binary_prob"):
            score = torch.sigmoid(score)  # a logit; else the module's own output is P(class 1)
        return (score > self._threshold).long()

    # ------------------------------------------------------------------ layers
    def layer_names(self):
        """Names of every submodule, as ``get_submodule`` accepts them.

        Returns
        -------
        list of str
            Dotted names, in ``named_modules`` order (the root excluded).
        """
        return [name for name, _ in self.module.named_modules() if name]

    def get_layer(self, name):
        """The submodule called ``name`` (dotted path, e.g. ``"features.3"``).

        Parameters
        ----------
        name : str or torch.nn.Module
            Dotted name, or a module of the network (returned as is).

        Returns
        -------
        torch.nn.Module
            The submodule; a ``ValueError`` lists the network's modules when it is unknown.
        """

        # the TorchScript modules are listed only for an error (a walk of the whole network on
        # every transform call); the network itself is scripted exactly when the list has "<root>"
        def scripted():
            return scripted_modules(self.module)

        if isinstance(name, nn.Module):
            if any(m is name for m in self.module.modules()):
                if isinstance(name, torch.jit.ScriptModule):
                    raise scripted_error("The explainer", scripted(), "a forward hook on its layer")
                return name
            # sklearn's clone (GridSearchCV, cross-validation) deep-copies the network and the layer
            # apart, which is how a user meets this: the name survives a clone, the module does not
            raise ValueError(
                f"layer is a {type(name).__name__} module that is not part of the explained network "
                "(sklearn.clone, as in GridSearchCV, copies the network and a layer given as a module "
                f"apart); give its name instead, one of {self.layer_names()}."
            )
        if name == "":  # the root's name, also what a CAM records for target_layer=<the network>
            raise ValueError(
                f"layer '' is the network itself, not one of its layers; name one of {self.layer_names()}."
            )
        if not isinstance(name, str):
            raise ValueError(f"layer must be a submodule name (str), got {name!r}.")
        if isinstance(self.module, torch.jit.ScriptModule):
            # torch's own error: "get_submodule is not supported on ScriptModules" (scripted), or a
            # layer "not called during the forward pass" (traced: its graph inlines the layers)
            raise scripted_error("The explainer", scripted(), f"a forward hook on its layer {name!r}")
        if is_exported(self.module):  # its layers never run: "not called during the forward pass"
            raise exported_error("The explainer", f"a forward hook on its layer {name!r}")
        try:
            layer = self.module.get_submodule(name)
        except AttributeError:
            names = self.layer_names()
            raise ValueError(f"Unknown layer {name!r}; the network's modules are: {names}.") from None
        if isinstance(layer, torch.jit.ScriptModule):
            raise scripted_error("The explainer", scripted(), f"a forward hook on its layer {name!r}")
        return layer

    def default_cam_layer(self, x, with_skipped=False, gradients=True):
        """Name of the layer a CAM reads by default: the last convolution, moved past the
        elementwise modules (:data:`ELEMENTWISE`: ReLU, batch norm, dropout ...) that directly
        follow it in the forward pass, up to the pooling.

        On conv -> ReLU -> global average pooling -> linear this is the ReLU, whose output is
        what the pooling averages (the conv's own output is not). Found from one no-grad
        forward pass of ``x`` (a sample is enough) that records which leaf module runs on
        which tensor; a module continues the chain only when it takes the previous module's
        output (an in-place module returns that very tensor), or that output plus another
        tensor (a residual skip, added in place or not). A module that runs more than once
        per pass (a ReLU shared by a residual block) cannot be captured: the innermost module
        that runs once and returns the same activations (the block) is taken instead, else the
        chain's last module that runs once. The forward pass records gradients where the network
        allows it, and convolutions the explained output does not depend on (an auxiliary head
        that runs after the classifier's features) are passed over, as are those with one
        position per channel when the input has more (a 1x1 head on the pooled features).

        Parameters
        ----------
        x : torch.Tensor of shape (n, ...)
            Inputs for the tracing forward pass (one sample is enough).
        with_skipped : bool, default=False
            Also return the names of the chain's modules past the chosen one that run more than
            once per pass (so the layer is read before them), with their run counts.
        gradients : bool, default=True
            Trace with gradients to pass over the convolutions the output does not depend on
            (False: a no-grad pass, for inputs whose backward would not fit in memory).

        Returns
        -------
        str or (str, dict)
            Dotted name of the layer (a ``ValueError`` when the network has no convolution).
        """
        scripted = scripted_modules(self.module)
        purpose = "forward hooks on the network's layers to find its last convolution"
        if "<root>" in scripted:
            raise scripted_error("A CAM", scripted, purpose)
        if is_exported(self.module):  # "no convolution layer" (its convolutions are graph operations)
            raise exported_error("A CAM", purpose)
        calls = []  # (module, first input, output) of every module, in the order they return
        names = {id(m): n for n, m in self.module.named_modules()}
        # a scripted submodule takes no hook (its layers are out of reach); a parametrized
        # convolution (weight_norm ...) is a leaf, its parametrizations no layers
        hookable = [m for _, m in leaf_modules(self.module) if not isinstance(m, torch.jit.ScriptModule)]
        leaves = {id(m) for m in hookable}
        skip = parametrization_modules(self.module)

        def hook(m, inp, out):
            first = inp[0] if inp and isinstance(inp[0], torch.Tensor) else None
            calls.append((m, first, out))

        def trace(grad):
            calls.clear()
            sums = _AddRecorder()
            with HookSet() as hooks, torch.set_grad_enabled(grad):
                for m in self.module.modules():
                    if m is not self.module and id(m) not in skip and not isinstance(m, torch.jit.ScriptModule):
                        hooks.forward(m, hook)
                # with gradients, a non-leaf copy of the input: a forward that writes its input in
                # place would be refused on a leaf that requires grad
                xin = x.detach().requires_grad_(True).clone() if grad else x
                with sums:
                    out = self.logits(xin)
            return sums, out

        # Traced with gradients where the network allows it, so that the convolutions the
        # explained output does not depend on (an auxiliary head that runs after the classifier's
        # features) are not taken: the last one to run was, and Grad-CAM refused its own default
        # while Score-CAM and Eigen-CAM mapped the auxiliary head's activations.
        try:
            sums, out = trace(grad=gradients and x.is_floating_point())
        except Exception:  # a network that runs without gradients only: the plain tracing
            sums, out = trace(grad=False)
        runs = Counter(id(m) for m, _, _ in calls)
        leaf = [i for i, (m, _, _) in enumerate(calls) if id(m) in leaves]
        convs = [i for i in leaf if isinstance(calls[i][0], _CONVS)]
        reach = _reaching(out, [calls[i][2] for i in convs])
        # A convolution with one position per channel (a 1x1 head on the globally pooled
        # features, as in timm's MobileNetV3) has no map: one value spread over the image.
        spread = [i for i in convs if _positions(calls[i][2]) > 1] if _positions(x) > 1 else convs
        last = max((i for i, r in zip(convs, reach, strict=True) if r and i in spread), default=None)
        if last is None:  # none found on the output's graph (no gradients): the last to run
            last = max(spread or convs, default=None)
        if last is None:
            if scripted:
                raise scripted_error("A CAM", scripted, purpose)
            raise ValueError(
                f"The network has no convolution layer; name one with target_layer=... among {self.layer_names()}."
            )
        chain, prev_out = [last], calls[last][2]
        for i in (i for i in leaf if i > last):
            m, inp, out = calls[i]
            # The chain continues through a residual skip added out of place (the sum of the
            # chain's output and another tensor) as it does through one added in place, where
            # the sum is the very tensor the previous module returned.
            same = (
                inp is not None
                and isinstance(prev_out, torch.Tensor)
                and (_same_tensor(inp, prev_out) or sums.adds_to(inp, prev_out))
            )
            if not (isinstance(m, ELEMENTWISE) and same):
                break
            chain.append(i)
            prev_out = out
        chosen = chain[-1]
        if runs[id(calls[chosen][0])] > 1:
            # A module that runs more than once per pass (a ReLU shared by a residual block)
            # cannot be captured: take the innermost module that runs once and returns these
            # very activations (the block), else the chain's last module that runs once.
            end = calls[chosen][2]
            outer = (
                i for i in range(chosen + 1, len(calls))
                if runs[id(calls[i][0])] == 1
                and isinstance(calls[i][2], torch.Tensor)
                and _same_tensor(calls[i][2], end)
            )  # fmt: skip
            chosen = next(outer, None)
            if chosen is None:
                once = [i for i in chain if runs[id(calls[i][0])] == 1]
                if not once:
                    # the last convolution itself runs more than once (its weights shared by
                    # several calls): no call of it can be captured, which every explanation
                    # refused ("choose a layer that runs once") after fit had accepted it
                    conv = names[id(calls[chain[0]][0])]
                    raise ValueError(
                        f"The default CAM layer, the last convolution {conv!r}, runs "
                        f"{runs[id(calls[chain[0]][0])]} times per forward pass (one module called on "
                        "several inputs, its weights shared), and a CAM reads a layer that runs once. "
                        f"Name one with target_layer=... among {self.layer_names()}."
                    )
                chosen = once[-1]
        if not with_skipped:
            return names[id(calls[chosen][0])]
        skipped = {names[id(calls[i][0])]: runs[id(calls[i][0])] for i in chain if i > chosen}
        return names[id(calls[chosen][0])], {k: v for k, v in skipped.items() if v > 1}

    def default_conv_layer(self):
        """Name of the last ``Conv1d``/``Conv2d``/``Conv3d`` module (the usual CAM layer).

        Returns
        -------
        str
            Dotted name of the module (a ``ValueError`` when the network has no convolution).
        """
        found = None
        for name, m in self.module.named_modules():
            if isinstance(m, nn.Conv1d | nn.Conv2d | nn.Conv3d):
                found = name
        if found is None:
            raise ValueError(
                f"The network has no convolution layer; name one with layer=... among {self.layer_names()}."
            )
        return found

    # ------------------------------------------------------------------ state
    @contextlib.contextmanager
    def prepared(self):
        """Evaluation mode and frozen parameters inside the block; both restored exactly after.

        The training flag of every submodule and ``requires_grad`` of every parameter are
        recorded first and put back on exit, even when the block raises; evaluation mode is
        set through ``eval()`` and left through ``train()``, so a module's own override of
        ``train`` switches back whatever it switched (parameters that are inference tensors
        are left alone). Inference mode is
        off inside the block: under a caller's ``torch.inference_mode()`` every tensor made
        would refuse autograd (the explainers' backward passes) and version counters (the
        CAMs' in-place checks). Threads sharing the network, or any module of it, take turns
        through the block (re-entrant locks of its leaf modules), so each records and restores
        the user's own state.
        """
        modules, leaves = _module_tree(self.module)
        with _module_lock(self.module, leaves):  # threads take turns: see _LOCKS
            yield from self._prepared(modules)

    def _prepared(self, modules):
        modes = [(m, m.training) for m in modules]
        # The parameters straight from the modules' own dicts (parameters() walks the tree a
        # second time and deduplicates); a shared parameter listed twice is harmless here.
        # Inference tensors (parameters made under ``torch.inference_mode()``) are left alone:
        # no gradient reaches them anyway, and their ``requires_grad`` cannot be set back to
        # True outside inference mode, so freezing them left the user's network frozen.
        # Parameters that are no leaves of autograd are left alone too: a deep copy of a
        # TorchScript module (sklearn's clone) holds CloneBackward results, whose flags
        # requires_grad_ refuses to change (clone(GradientExplainer(scripted)) failed).
        flags = [
            (p, p.requires_grad)
            for m in modules
            for p in m._parameters.values()
            if p is not None and not p.is_inference() and p.is_leaf
        ]
        # Only the flags that differ are written (nn.Module.__setattr__ is slow Python, and a
        # network already in evaluation mode is the common case); restoring compares each one
        # against its recorded value, so the state after the block is the state before it.
        switched = any(training for _, training in modes)
        compiled = any(_is_compiled(m) for m in modules)
        with torch.inference_mode(False), _eager_compiled() if compiled else contextlib.nullcontext():
            try:
                if switched:
                    try:
                        self.module.eval()  # through train(False), which a module may override
                    except NotImplementedError:
                        # torch.export's module refuses train() / eval(): its graph was traced in
                        # one mode for good (a forward that samples is warned about in fit)
                        if not is_exported(self.module):
                            raise
                        switched = False
                for p, flag in flags:
                    if flag:
                        p.requires_grad_(False)
                yield self
            finally:
                try:
                    if switched:
                        restore_training_modes(self.module, modes)
                finally:
                    for m, training in modes:
                        if m.training != training:
                            m.training = training
                for p, flag in flags:
                    if p.requires_grad != flag:
                        p.requires_grad_(flag)
