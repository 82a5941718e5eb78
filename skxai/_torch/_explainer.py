"""Base class of the explainers of torch networks (gradients, backprop rules, DeepSHAP, CAMs)."""

from __future__ import annotations

import contextlib
import numbers
import re
from typing import NamedTuple

import numpy as np
import torch
from sklearn.utils.validation import check_is_fitted

from skxai._adapters import _raised_in_skxai, check_target_indices, one_tensor_forward_hint
from skxai._data import columns_in_fit_order, names_are_strings, nonfinite_error, refuse_mapping
from skxai._estimators import unwrap_frozen
from skxai._explanation import Explanation
from skxai._progress import closing_progress
from skxai._torch._capture import LayerCapture
from skxai._torch._model import HookSet, TorchModel, leaf_modules, resolve_torch_response
from skxai.base import (
    BaseExplainer,
    _is_fitted,
    _is_torch_module,
    is_frozen,
    unfitted_without_y_message,
)
from skxai.utils._feature_names import names_out
from skxai.utils._memory import most_within_working_memory, refuse_beyond_working_memory
from skxai.utils._param_validation import (
    BATCH_SIZE,
    RANDOM_STATE,
    RESPONSE_METHOD,
    VERBOSE,
    HasMethods,
    Interval,
    deprecated_param,
    fit_context,
)
from skxai.utils._random import check_random_state
from skxai.utils._warnings import warn_at_caller

__all__ = ["BaseTorchExplainer", "GradResult", "check_recorded", "gradient_of", "host64"]


class GradResult(NamedTuple):
    """What one batched forward-backward pass gives back (all tensors detached).

    Parameters
    ----------
    outputs : torch.Tensor of shape (n, k)
        Explained response on the inputs.
    grads : torch.Tensor
        Gradient of the selected output w.r.t. the input (or the layer's activations).
    activations : torch.Tensor or None
        The layer's activations (with ``keep_activations=True``), else None.
    targets : torch.Tensor of shape (n,)
        Output index differentiated for each sample.
    """

    outputs: torch.Tensor
    """(n, k) explained response on the inputs."""
    grads: torch.Tensor
    """Gradient of the selected output w.r.t. the input (or the layer's activations)."""
    activations: torch.Tensor | None
    """The layer's activations (with ``keep_activations=True``), else None."""
    targets: torch.Tensor
    """(n,) output index differentiated for each sample."""


# RuntimeErrors that say nothing about the inputs' layout: passed on as they are at fit
_NOT_ABOUT_INPUTS = (NotImplementedError, RecursionError) + tuple(
    cls for cls in (getattr(torch, "OutOfMemoryError", None), getattr(torch.cuda, "OutOfMemoryError", None)) if cls
)


#: torch's words for an input its layers cannot take ("mat1 and mat2 shapes cannot be multiplied",
#: "Given groups=1, weight of size [...], expected input[...]", "Expected 3D (unbatched) or 4D
#: (batched) input", "shape '[-1, 64]' is invalid for input of size", "The size of tensor a")
_SHAPE_ERROR = re.compile(r"shape|size|dimension|expected .{0,40}input|given groups", re.IGNORECASE)


class _NetworkInputError(ValueError, RuntimeError):
    """``fit``'s ``X`` is not what the network takes: a ValueError, as ``transform`` raises for
    the same mistake, and still the RuntimeError that the network's own failure was (code that
    caught torch's error keeps catching it, as scikit-learn's ``NotFittedError`` is both a
    ValueError and an AttributeError)."""


def _check_fitted(est):
    """``check_is_fitted(est, "model_")``, without sklearn's tag lookups once fitted (per call)."""
    if "model_" not in vars(est):
        check_is_fitted(est, "model_")


def host64(t):
    """A tensor as a float64 numpy array (bfloat16, which numpy lacks, through float32)."""
    t = t.detach().cpu()
    if t.dtype == torch.bfloat16:
        t = t.float()
    return t.numpy().astype(np.float64)


def finite_attributions(values, owner):
    """``values`` (a float64 array), refused when NaN or infinite: a network whose gradient is
    not finite somewhere on the way (``sqrt`` or ``log`` at 0, an overflow) would otherwise
    hand back NaN attributions without a word."""
    ok = np.isfinite(values)
    if not ok.all():
        bad = np.flatnonzero(~ok.reshape(len(values), -1).all(axis=1)) if values.ndim else []
        raise ValueError(
            f"{owner}: the attributions of {len(bad)} sample(s) (e.g. sample {int(bad[0]) if len(bad) else 0}) "
            "contain NaN or infinity: the network's gradient is not finite there (a sqrt or log "
            "at 0 on the path, an overflow). Change the baseline or the inputs, or use a "
            "model-agnostic explainer."
        )
    return values


def _to_numpy(X):
    if isinstance(X, torch.Tensor):
        if X.dtype == torch.bfloat16:  # numpy has no bfloat16: float32 holds every value
            X = X.float()
        return X.detach().cpu().numpy(), None
    if hasattr(X, "columns") and hasattr(X, "to_numpy"):
        return X.to_numpy(), np.asarray([str(c) for c in X.columns], dtype=object)
    return np.asarray(X), None


def _channels_last_ok(x):
    """Whether ``x`` is a CPU batch of colour images (where channels-last pays off)."""
    return x.ndim == 4 and x.shape[1] > 1 and x.device.type == "cpu"


def _channels_last(x):
    return x.contiguous(memory_format=torch.channels_last)


#: Words of torch's errors for a network that cannot take a channels-last batch (``.view()`` of
#: a feature map, an op that needs a contiguous input).
_LAYOUT_ERRORS = ("view size is not compatible", "stride", "contiguous")


def check_recorded(score, owner):
    """Refuse by name a score that autograd did not record (torch's own error is "element 0
    of tensors does not require grad"): the network's forward runs under ``torch.no_grad()``
    or ``inference_mode``, or detaches what it returns."""
    if not score.requires_grad:
        raise ValueError(
            f"{owner}: the network's output carries no gradient history: its forward runs under "
            "torch.no_grad() / torch.inference_mode() or detaches its output, casts the input to an "
            "integer type (indices of an nn.Embedding: attribute to its output with "
            "target_layer=<the embedding's name>), or the output does not depend on the input at "
            "all. Gradient explainers need a differentiable forward; "
            "a model-agnostic explainer (KernelShapExplainer, ScoreCamExplainer) needs none."
        )


def gradient_of(score, wrt, owner, grad_outputs=None):
    """``torch.autograd.grad(score, wrt, grad_outputs, allow_unused=True)[0]``, with a
    ``ValueError`` naming ``owner`` for a network checkpointed with ``use_reentrant=True``, which
    refuses ``autograd.grad`` (torch's advice, "call .backward() without the inputs argument",
    is for the network's author).

    Parameters
    ----------
    score : torch.Tensor
        A scalar recorded by autograd (or a tensor, with ``grad_outputs`` shaped like it).
    wrt : torch.Tensor
        The tensor to differentiate with respect to.
    owner : str
        The explainer's name, for the error.
    grad_outputs : torch.Tensor, optional
        The vector of the vector-Jacobian product (None: ``score`` is a scalar).

    Returns
    -------
    torch.Tensor or None
        The gradient, None where ``score`` does not depend on ``wrt``.
    """
    try:
        (g,) = torch.autograd.grad(score, wrt, grad_outputs, allow_unused=True)
    except RuntimeError as exc:
        if "use_reentrant=True" not in str(exc):
            raise
        raise ValueError(
            f"{owner} takes the gradients of the network's output with torch.autograd.grad, which "
            "torch.utils.checkpoint(..., use_reentrant=True) in the network's forward refuses. "
            "Checkpoint with use_reentrant=False (torch's recommended mode), or explain a copy "
            "of the network without checkpointing (the values are the same)."
        ) from exc
    return g


def layout_refused(exc):
    """Whether ``exc`` (a RuntimeError of a channels-last pass) says the layout was refused.

    Only then is the pass run again in the usual layout: any other error is the network's own
    and is raised at once, so a forward with side effects (the user's hooks, counters) does not
    run twice before it surfaces.
    """
    return any(word in str(exc) for word in _LAYOUT_ERRORS)


def module_output_bytes(model, x):
    """``[sum, largest]`` bytes of the module outputs of a no-grad pass of ``model`` (a
    :class:`~skxai._torch._model.TorchModel`) on the batch ``x``, per row (rounded up),
    TorchScript modules aside (they take no hook: an under-estimate); None where no module
    takes a hook or the pass fails (a bound is advisory: the rows' own pass reports the error;
    one row failed fit with torch's IndexError on a network that squeezes its batch axis)."""
    held = [0, 0]

    def count(module, inputs, out):
        for t in out if isinstance(out, (tuple, list)) else (out,):
            if isinstance(t, torch.Tensor):
                nbytes = t.numel() * t.element_size()
                held[0] += nbytes
                held[1] = max(held[1], nbytes)

    with model.prepared(), HookSet() as hooks, torch.no_grad():
        for _, module in leaf_modules(model.module):
            if not isinstance(module, torch.jit.ScriptModule):
                hooks.forward(module, count)
        if not hooks.handles:
            return None  # all of it scripted: nothing to count
        try:
            model.forward(x.clone())
        except Exception:
            return None
    n = x.shape[0]
    return [-(-held[0] // n), -(-held[1] // n)]


class BaseTorchExplainer(BaseExplainer):
    """Base of the explainers that need a differentiable torch network.

    Subclasses set their parameters in ``__init__`` (``estimator``, ``target``,
    ``response_method``, ``target_layer``, ``batch_size``, ``max_background``,
    ``random_state``, ``scoring``, ``verbose`` plus their own), extend
    ``_parameter_constraints`` (checked at the start of ``fit``) and implement

    - ``_attribute(x, targets=None)``, run inside :meth:`TorchModel.prepared`, returning
      ``(values, extras)``: attributions (a tensor shaped like the input, or like the layer's
      activations) and a dict of per-sample fields (one entry per sample along their first
      axis) for the :class:`Explanation`, which must hold
      ``outputs`` (n, k) and ``targets`` (n,) (``base_values`` is used when present).
      ``targets`` (a LongTensor of output indices, one per sample) replaces the ones
      ``target`` resolves to (:meth:`_transform_for_targets`);
    - ``_attribute_core(x, targets)`` returning ``(values, info)`` for given targets, which
      :class:`SmoothGradExplainer` calls on noisy inputs.

    Helpers for them (all batched by ``batch_size``): :meth:`_forward_backward` (gradients
    of each sample's target w.r.t. the input or a layer, optionally replacing the layer's
    output), :meth:`_layer_forward` (no-grad layer activations) and :meth:`_outputs`.

    ``fit(X, y=None)``: a ``FrozenEstimator``, a fitted skorch net / scikit-learn model (with
    ``y`` None) or a torch module is used as is; an unfitted skorch net (or sklearn model) is
    cloned and fitted on ``(X, y)``. ``X`` also gives the background (at most
    ``max_background`` rows, drawn with ``random_state``) used for baselines.
    """

    # consumed by fit (the response, the layer, ...): a change by set_params after fit is
    # refused at transform / explain (skxai.utils._fit_target)
    _fit_time_params = ("response_method", "target_layer", "layer")

    _parameter_constraints: dict = {
        # scikit-learn wants the bare string "no_validation" (a list holding it is an error)
        "estimator": "no_validation",
        "target": "no_validation",
        "response_method": RESPONSE_METHOD,
        "target_layer": [str, HasMethods(["register_forward_hook"]), None],
        "layer": "no_validation",  # deprecated alias of target_layer
        "batch_size": BATCH_SIZE,
        "max_background": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "random_state": RANDOM_STATE,
        "scoring": [str, callable, None],
        "verbose": VERBOSE,
    }
    _default_scoring = "infidelity"
    #: The own scoring (IG's completeness gap), which reads layer attributions: None where none.
    _layer_scoring = None
    #: Extras shaped like the input (IG's ``baselines``): cut with values shaped like it too.
    _grid_extras = ()
    _stochastic = False  # True where random_state draws noise (SmoothGrad)
    _needs_gradients = True  # False for forward-only explainers: no activations kept for a backward

    # ------------------------------------------------------------------ fit
    def _check_params(self):
        """Checks beyond ``_parameter_constraints`` (subclasses extend)."""

    def _resolve_target_layer(self):
        """``target_layer``, or the deprecated ``layer`` (FutureWarning) where the class keeps it."""
        if "layer" in self.get_params(deep=False):
            return deprecated_param(self, "layer", "target_layer")
        return getattr(self, "target_layer", None)

    def _response_method(self):
        """The canonical response-method name (first-release names mapped with a FutureWarning)."""
        return resolve_torch_response(self.response_method, self.estimator_, owner=type(self).__name__)

    def _in_fit_order(self, X, name="X"):
        """A frame's columns in the order seen in ``fit``, matched by name (as the tabular
        explainers and scikit-learn match them): reading its values in their given order
        explained each column as another feature. A missing or unseen column is an error."""
        fitted = getattr(self, "feature_names_in_", None)
        if not (hasattr(X, "columns") and hasattr(X, "iloc")):
            return X
        if fitted is None and self._column_names() is not None and names_are_strings(X, name):
            # fitted on an unnamed array: a frame of names is matched by the scikit-learn
            # model's own (read by position, its columns in another order were explained
            # wrongly); a frame of positions (columns 0, 1, 2) is still read by position
            fitted = self._column_names()
        if fitted is None:
            return X
        return columns_in_fit_order(X, list(fitted), name, as_str=True)

    def _check_in_model_range(self, arr, name="X"):
        """Refuse values beyond the largest number of the network's dtype: 1e39 cast to a
        float32 network became inf, and the error blamed the network ("returned NaN or inf ...
        perturbed samples during explain")."""
        dtype = getattr(getattr(self, "model_", None), "dtype", None)
        if dtype is None or not dtype.is_floating_point or arr.dtype.kind not in "fiu" or not arr.size:
            return
        largest = float(torch.finfo(dtype).max)
        top = max(float(arr.max()), -float(arr.min()))  # (no temporary copy of the inputs)
        if top > largest:
            raise ValueError(
                f"Input {name} holds values up to {top:.3g}, beyond the largest {str(dtype).replace('torch.', '')} "
                f"the network computes in ({largest:.3g}): they would become infinite. Rescale the inputs, "
                "or use a float64 network (module.double())."
            )

    def _validate_X(self, X, *, reset=False, name="X"):
        refuse_mapping(X, name)
        if hasattr(X, "toarray") and not hasattr(X, "columns"):
            raise TypeError(f"{name} is sparse; pass a dense array.")
        if not reset:
            X = self._in_fit_order(X, name)
        arr, columns = _to_numpy(X)
        # np.number or np.bool_ by kind (bool, integers, floats), for a tenth of issubdtype's
        # per-call cost
        if arr.dtype.kind in "cm":
            # a tensor of them kept the real part alone (complex: torch warns once per process)
            # or their raw counts (durations), as scikit-learn refuses them
            what = "Complex data" if arr.dtype.kind == "c" else "Durations (timedelta64)"
            raise ValueError(f"{what} not supported: {name} must hold real numbers ({arr.dtype} data).")
        if arr.dtype.kind not in "biuf":
            try:
                arr = arr.astype(np.float64)
            except (TypeError, ValueError) as exc:
                raise type(exc)(f"{name} must be numeric ({arr.dtype} data): {exc}") from None
        if arr.ndim < 2:
            raise ValueError(
                f"Expected {name} with samples on the first axis (2-D or more), got shape "
                f"{arr.shape}. Reshape your data with X.reshape(1, -1) for one sample."
            )
        if arr.shape[0] == 0:
            raise ValueError(f"{name} has 0 samples (shape={arr.shape}); at least one is required.")
        if 0 in arr.shape[1:]:
            raise ValueError(
                f"{name} has 0 feature(s) (shape={arr.shape}) while a minimum of 1 is required "
                "(every sample axis must be non-empty)."
            )
        if arr.dtype.kind == "f" and not np.isfinite(arr).all():
            # CAM, Score-CAM, Ablation-CAM, Eigen-CAM and Opti-CAM take no input gradient
            why = "gradients need" if getattr(self, "_uses_gradients", True) else "the maps need"
            raise nonfinite_error(arr, name, f"{why} finite inputs")
        if not reset:
            self._check_in_model_range(arr, name)
        if reset:
            self.input_shape_ = tuple(arr.shape[1:])
            if arr.ndim == 2:
                self.n_features_in_ = arr.shape[1]
            elif hasattr(self, "n_features_in_"):
                del self.n_features_in_
            if columns is not None:
                self.feature_names_in_ = columns
            elif hasattr(self, "feature_names_in_"):
                del self.feature_names_in_
        elif tuple(arr.shape[1:]) != self.input_shape_:
            if arr.ndim == 2 and len(self.input_shape_) == 1:
                raise ValueError(
                    f"{name} has {arr.shape[1]} features, but {type(self).__name__} is expecting "
                    f"{self.input_shape_[0]} features as input."
                )
            raise ValueError(
                f"{name} has sample shape {tuple(arr.shape[1:])}, but {type(self).__name__} was "
                f"fitted on samples of shape {self.input_shape_}."
            )
        return arr

    def _check_model_columns(self):
        """Refuse columns other than (or in another order than) those the scikit-learn model was
        fitted on: converted to torch, the model reads columns by position, and its gradients
        came back labelled with the frame's names in the wrong order (scikit-learn's own
        ``predict`` refuses such a frame)."""
        model_names = getattr(unwrap_frozen(self.estimator_), "feature_names_in_", None)
        names = getattr(self, "feature_names_in_", None)
        if model_names is None or names is None:
            return
        if [str(c) for c in model_names] != [str(c) for c in names]:
            raise ValueError(
                f"X has the columns {list(names)}, but {type(unwrap_frozen(self.estimator_)).__name__} was "
                f"fitted on {list(model_names)} (the same columns in the same order are needed: the "
                "converted model reads them by position). Pass X[model.feature_names_in_]."
            )

    @fit_context
    def fit(self, X, y=None, **fit_params):
        """Take (or fit) the network and learn the background.

        Parameters
        ----------
        X : array-like or tensor of shape (n_samples, ...)
            Background samples (and training data when the estimator is fitted here).
        y : array-like, optional
            Targets to fit an unfitted skorch net / scikit-learn model.
        **fit_params : dict
            Passed to the estimator's ``fit``.

        Returns
        -------
        self
        """
        self._check_params()
        self.target_layer_ = self._resolve_target_layer()
        Xa = self._validate_X(X, reset=True)
        est = self.estimator
        if (
            y is None
            and est is not None
            and not (is_frozen(est) or _is_torch_module(est))
            and hasattr(est, "fit")
            and not _is_fitted(est)
        ):
            raise ValueError(unfitted_without_y_message(est))
        self.estimator_ = self._fit_estimator(X, y, **fit_params)
        self._check_model_columns()
        self.response_method_ = self._response_method()
        self.model_ = TorchModel(self.estimator_, self.response_method_)
        self.quantity_ = self.model_.quantity
        self._check_in_model_range(Xa)
        with one_tensor_forward_hint():
            with self.model_.prepared():  # before any measured or hooked pass
                self.model_.find_output_activation(self.model_.to_tensor(Xa[:2]))
            self._pass_bytes_ = self._measure_pass_bytes(Xa)
            self._check_pass_fits()
            if self.target_layer_ is not None:
                self.model_.get_layer(self.target_layer_)
                with self._network_runs_on(Xa):
                    self._check_layer_batch(Xa)
        rng = check_random_state(getattr(self, "random_state", None))
        n_bg = getattr(self, "max_background", None) or Xa.shape[0]
        if Xa.shape[0] > n_bg:
            idx = np.sort(rng.choice(Xa.shape[0], size=n_bg, replace=False))
            self.background_ = Xa[idx].astype(np.float64)
        else:
            self.background_ = Xa.astype(np.float64, copy=True)
        with self._network_runs_on(Xa), one_tensor_forward_hint():
            bg_out = self.model_output(self.background_)
        self.n_outputs_ = bg_out.shape[1]
        self.output_names_ = self.model_.output_names(self.n_outputs_)
        self.expected_value_ = bg_out.mean(axis=0)
        target = getattr(self, "target", None)
        if target is not None and not isinstance(target, str) and np.ndim(target) > 0:
            self.target_index_ = None  # one label per explained sample, checked in explain
        else:
            self.target_index_ = self.model_.resolve_target(target, self.n_outputs_)
        self._refuse_changed_activation()
        # probabilities asked for as scores are explained and named as such (the Explanation,
        # reports and Average Drop read quantity_: 'logit' was written on probabilities); a
        # second softmax is refused
        self.model_.check_response(
            self.model_.to_tensor(self.background_[:16]), self.response_method, type(self).__name__
        )
        self.quantity_ = self.model_.quantity
        self._check_outputs_per_sample(bg_out)
        self._fit_extra(Xa, y)
        return self

    @contextlib.contextmanager
    def _network_runs_on(self, X):
        """Turn a RuntimeError of the network's own code on ``fit``'s ``X`` into a ValueError that
        names the explainer and the shape of ``X``.

        ``X`` laid out otherwise than the network takes it (5 columns for a ``Linear(6, .)``,
        flat rows for a CNN) failed in ``fit`` with torch's bare "mat1 and mat2 shapes cannot be
        multiplied", while ``transform`` refuses the same mistake as a ValueError: the shape of
        ``fit``'s ``X`` is the one the network must take. skxai's own errors (a RuntimeError whose
        innermost frame is skxai's) pass unchanged, and so do the ones that say nothing about the
        inputs (out of memory, a missing ``forward``, recursion).
        """
        try:
            yield
        except RuntimeError as exc:
            if isinstance(exc, _NOT_ABOUT_INPUTS) or _raised_in_skxai(exc) or not _SHAPE_ERROR.search(str(exc)):
                raise  # (a network's own failure on a well-laid-out X: "weights were never loaded")
            reason = str(exc).strip().rstrip(".")
            raise _NetworkInputError(
                f"{type(self).__name__} cannot run the network on X of shape {tuple(X.shape)} in fit: it "
                f"raised {type(exc).__name__}: {reason}. X must hold samples laid out as the network takes "
                "them (as many features as its first layer, or (channels, height, width) images for a "
                "convolutional network)."
            ) from exc

    def _check_layer_batch(self, X):
        """Refuse a ``target_layer`` whose output does not hold the samples on its first axis.

        The attributions to a layer are its activations per sample, and the passes are cut and
        joined along the first axis; a sequence-first ``(seq, batch, ...)`` output crashed deep
        inside (tensor sizes that do not match, or more "samples" than inputs). Two shape-only
        passes of 2 and 3 copies of one row (two sizes, so a sequence as long as the batch
        cannot pass for it; not one copy, which torch's errors read as an unbatched sample; 3
        and 5 copies of one large image held 3.6 times what a row needs at once).
        """
        module = self._layer_module()
        x = self.model_.to_tensor(X[:1])
        for k in (2, 3):
            with self.model_.prepared(), LayerCapture(module, self.target_layer_) as cap, torch.no_grad():
                self.model_.forward(x.expand(k, *x.shape[1:]).clone())
                shape = tuple(cap.activations.shape)
            if not shape or shape[0] != k:
                raise ValueError(
                    f"target_layer={self.target_layer_!r} returns a tensor of shape {shape} for a batch "
                    f"of {k} samples: its first axis is not the batch (a sequence-first (seq, batch, ...) "
                    "layout, or samples folded together), so its activations cannot be attributed per "
                    "sample. Choose a layer whose output is batch-first."
                )

    def _check_outputs_per_sample(self, out):
        """Warn when the network gives other outputs on a second pass over the same rows, and
        refuse one whose output for a sample depends on the other samples of its batch.

        The explainers run it in evaluation mode, which turns dropout modules off, but not a
        functional ``F.dropout(x, p)`` (its ``training`` is True by default) or other sampling in
        ``forward``: every attribution then describes one random draw of the network (two
        ``transform`` calls differed by 0.23 on a small MLP, and Integrated Gradients' gaps
        by 0.4). One extra pass over a few background rows tells. A network that normalises
        over the batch axis (``nn.Softmax(dim=0)``, ``x - x.mean(0)``) gives the same outputs
        on the same batch twice but others on a part of it: no attribution of one sample means
        anything there (DeepSHAP crashed deep inside, the gradients mixed the samples).
        """
        rows = self.background_[:8]
        again = self.model_output(rows)
        first = out[: rows.shape[0]]
        # the same rows in another batch: round-off of the batch's kernels only (a few units
        # of the network's precision, so half-precision networks get a looser bound)
        rtol = max(1e-4, 16 * torch.finfo(self.model_.dtype).eps)
        # relative to the largest output of the background: an absolute floor (max(1, |out|))
        # let c * softmax(dim=0) pass at c=1e-6, whose rows differ by 1e-7; scaling a network's
        # output must not change whether it is refused
        finite = np.abs(out[np.isfinite(out)])
        atol = rtol * (float(finite.max()) if finite.size else 0.0)

        def gap(a, b):
            return 0.0 if np.allclose(a, b, rtol=rtol, atol=atol) else float(np.abs(a - b).max())

        if gap(again, first):
            if gap(self.model_output(rows), again):
                warn_at_caller(
                    f"{type(self).__name__}: the network's outputs differ between two passes over the "
                    f"same rows in evaluation mode (by up to {gap(again, first):.3g}): "
                    "its forward samples at random (a functional F.dropout(x, p), whose training=True "
                    "by default: pass training=self.training). The attributions would describe random "
                    "draws of the network and change from call to call.",
                    UserWarning,
                )
                return
            coupled = gap(again, first)
        else:
            half = max(1, rows.shape[0] // 2)
            coupled = gap(self.model_output(rows[:half]), again[:half]) if rows.shape[0] > 1 else 0.0
        if coupled:
            raise ValueError(
                f"{type(self).__name__} cannot explain this network: its output for a sample depends on "
                f"the other samples of its batch (the same rows differ by up to {coupled:.3g} in a batch "
                "of another size), as after nn.Softmax(dim=0) or a normalisation over the batch axis. "
                "Attributions per sample would mix the samples; normalise over the features instead "
                "(e.g. nn.Softmax(dim=1))."
            )

    def _refuse_changed_activation(self):
        """Refuse a network whose output activation is changed in place after it
        (:meth:`TorchModel.find_output_activation` leaves it in place)."""
        m = self.model_
        stuck = getattr(m, "unbypassable", None)
        if stuck is not None and m.bypassed is None:
            # the in-place step breaks the backward pass through the activation (torch keeps its
            # output for it), and a bypass would apply it to the scores themselves
            raise ValueError(
                f"{type(self).__name__} cannot explain this network: its last layer, {type(stuck).__name__}, is "
                "followed by an in-place operation (as in .clamp_(eps, 1 - eps)), which breaks the gradient "
                "through it (and would run on the scores if the layer were bypassed for "
                "response_method='decision_function'). Clamp out of place (torch.clamp(p, eps, 1 - eps)), "
                "or return the scores from forward()."
            )

    def _fit_extra(self, X, y):
        """Hook for subclasses that learn more in fit (baselines, references)."""

    # ------------------------------------------------------------------ model calls
    #: What a pass of this explainer holds per row, as a multiple of the plain pass measured by
    #: :meth:`_measure_pass_bytes` (DeepSHAP's rescale hooks keep more).
    _pass_bytes_factor = 1.0

    def _batch(self, grad=True):
        """Rows per pass: ``batch_size`` (256 when None), fewer where one pass's activations
        would exceed the working-memory bound (see :meth:`_measure_pass_bytes`)."""
        return self._rows_within_memory(getattr(self, "batch_size", None) or 256, grad=grad)

    def _rows_within_memory(self, rows, grad=True):
        """``rows``, or fewer so that a pass's activations stay within ``MAX_WORKING_BYTES``."""
        per_row = getattr(self, "_pass_bytes_", None)
        if not per_row:
            return rows
        each = int(per_row[0 if grad else 1] * self._pass_bytes_factor)
        return max(1, min(rows, most_within_working_memory(each)))

    def _measure_pass_bytes(self, X):
        """Bytes one sample brings to a pass: ``(with gradients, forward only)``.

        A backward pass keeps every module's output until it runs (the sum of a sample's
        activations); a forward-only pass holds about its two largest. Measured on one sample
        without gradients, before any batch runs, so that a network whose batch of 256 large
        images would take tens of GiB (and get the process killed) runs in smaller passes,
        and one whose single sample cannot fit is refused at ``fit``. Module outputs are counted
        as tensors (an in-place activation is counted again: an over-estimate); a TorchScript
        submodule takes no hook, and its activations go uncounted.

        A network that cannot run one row alone (``h.squeeze()`` drops the batch axis of one
        row) is measured on two rows, per row; the measurement never fails ``fit`` itself:
        where it cannot run, None (no bound), and the background's forward pass raises what
        the network raises for its rows."""
        for rows in (1, 2)[: min(2, X.shape[0])]:
            held = self._measure_rows(X[:rows])
            if held is not None:
                break
        else:
            return None
        x = self.model_.to_tensor(X[:1])
        sample = x.numel() * x.element_size()
        return 2 * sample + held[0], 2 * held[1] + sample

    def _measure_rows(self, X):
        """``[sum, largest]`` bytes of the module outputs of a no-grad pass on the rows ``X``,
        per row (rounded up), TorchScript modules aside; None where no module takes a hook or
        the pass fails."""
        return module_output_bytes(self.model_, self.model_.to_tensor(X))

    def _check_pass_fits(self):
        """Refuse, at ``fit``, a network whose one sample needs more activation memory in a
        gradient pass than the working-memory bound (the process could be killed mid-call)."""
        if not self._needs_gradients or not self._pass_bytes_:
            return
        need = self._pass_bytes_[0]
        refuse_beyond_working_memory(
            need,
            type(self).__name__,
            "one sample's forward-backward pass (the network's activations, kept for the backward)",
            "explain smaller inputs, or use a forward-only explainer (ScoreCamExplainer, "
            "AblationCamExplainer, EigenCamExplainer)",
        )

    def _outputs(self, x):
        """No-grad batched forward of a tensor (call inside ``prepared``)."""
        bs = self._batch(grad=False)
        with torch.no_grad():
            # clones: a network that works in place on its input must not change ours
            return torch.cat([self.model_.forward(x[s : s + bs].clone()) for s in range(0, x.shape[0], bs)])

    def model_output(self, X):
        """The explained response (``response_method``) on ``X``.

        Parameters
        ----------
        X : array-like or tensor of shape (n_samples, ...)
            Inputs shaped like ``fit``'s ``X`` (perturbed ones too).

        Returns
        -------
        ndarray of shape (n_samples, n_outputs)
            The explained response as float64.
        """
        check_is_fitted(self, "model_")
        # a frame's columns by name, as transform takes them (score(X, y) and the metrics call
        # this: a frame in another column order fed the network permuted features)
        X = self._in_fit_order(X)
        Xa = X if isinstance(X, np.ndarray) and X.dtype != object else _to_numpy(X)[0]
        if hasattr(self, "input_shape_") and tuple(Xa.shape[1:]) != self.input_shape_:
            self._validate_X(Xa)
        x = self.model_.to_tensor(Xa)
        with self.model_.prepared():
            out = self._outputs(x)
        out = host64(out)
        self.model_.check_outputs(out)
        return out

    def target_indices(self, X):
        """Explained output index per sample of ``X`` (resolves ``target``).

        Parameters
        ----------
        X : array-like or tensor of shape (n_samples, ...)
            The explained inputs.

        Returns
        -------
        ndarray of shape (n_samples,)
            Output column explained for each sample.
        """
        check_is_fitted(self, "model_")
        out = self.model_output(X)
        return self._targets(torch.as_tensor(out)).cpu().numpy()

    def _targets(self, outputs):
        """Explained output index per row of ``outputs`` (LongTensor), as ``fit`` resolved
        ``target`` into ``target_index_``: a fixed output, the predicted class, or (None) one
        label per sample, read from ``target``.

        The fitted resolution, not ``target`` read again: a ``set_params(target=...)`` without a
        refit made the explainers that call this (Integrated Gradients, DeepSHAP, SmoothGrad,
        ``target_indices``) explain the new output while the others explained the fitted one.
        """
        index = getattr(self, "target_index_", None)
        target = getattr(self, "target", None)
        if index is None or not isinstance(outputs, torch.Tensor) or outputs.shape[1] != self.n_outputs_:
            # per-sample labels (checked against these rows), or outputs of another width
            return self.model_.targets(target, outputs)
        if isinstance(index, str) and index == "predicted":
            # model_.targets' prediction without its resolution on every chunk
            return self.model_.predicted(outputs)
        return torch.full((outputs.shape[0],), int(index), dtype=torch.long, device=outputs.device)

    def _layer_module(self, layer=None):
        layer = getattr(self, "target_layer_", None) if layer is None else layer
        return None if layer is None else self.model_.get_layer(layer)

    def _layer_forward(self, x, layer):
        """No-grad batched ``(outputs, activations)`` of ``layer`` (call inside ``prepared``)."""
        module = self._layer_module(layer)
        bs = self._batch(grad=False)
        outs, acts = [], []
        # clone=True: the rest of the network gets a copy, so a later in-place module
        # (ReLU(inplace=True) after a convolution) cannot change the recorded activations (they
        # were read after the pass: layer IG integrated between the ReLU's outputs instead)
        with LayerCapture(module, layer, clone=True) as cap, torch.no_grad():
            for s in range(0, x.shape[0], bs):
                cap.reset()
                outs.append(self.model_.forward(x[s : s + bs].clone()))
                acts.append(cap.activations)
        return torch.cat(outs), torch.cat(acts)

    def _forward_backward(
        self,
        x,
        targets=None,
        *,
        layer=None,
        layer_values=None,
        keep_activations=False,
        batch_size=None,
        progress_bar=False,
    ):
        """Batched forward and backward of the explained output (call inside ``prepared``).

        Parameters
        ----------
        x : tensor (n, ...)
            Inputs, on the model's device and dtype.
        targets : LongTensor (n,), optional
            Output differentiated per sample; None resolves ``self.target`` from each chunk's
            own outputs (so the predicted class costs no extra forward pass).
        layer : str or module, optional
            Differentiate w.r.t. this layer's output instead of the input.
        layer_values : tensor (n, ...), optional
            Replace the layer's output by these values (paths through a layer's activations).
        keep_activations : bool
            Also return the layer's activations.
        batch_size : int, optional
            Rows per pass (default ``self.batch_size``).
        progress_bar : bool
            Show a progress bar over the chunks.

        Returns
        -------
        GradResult
        """
        module = None if layer is None else self._layer_module(layer)
        bs = batch_size or self._batch()
        n = x.shape[0]
        outs, grads, acts, tgts = [], [], [], []
        capture = contextlib.nullcontext() if module is None else LayerCapture(module, layer, grad=True)
        # Channels-last colour images run CPU convolutions (forward and backward) about a third
        # faster; the values agree to float32 round-off. A network that .view()s its feature
        # maps cannot take them and is fed the usual layout from its first failure on.
        fast = _channels_last_ok(x)
        with capture as cap:
            chunks = range(0, n, bs)
            with closing_progress(
                chunks, verbose=progress_bar and len(chunks) > 1, desc=type(self).__name__, unit="batch"
            ) as bar:
                for s in bar:
                    if n <= bs:  # one chunk: the tensors themselves, not views of them
                        xb, tb, lv = x, targets, layer_values
                    else:
                        xb = x[s : s + bs]
                        tb = None if targets is None else targets[s : s + bs]
                        lv = None if layer_values is None else layer_values[s : s + bs]
                    if fast:
                        try:
                            out, g, wrt, tb = self._pass(_channels_last(xb), tb, cap, lv)
                        except RuntimeError as exc:
                            if not layout_refused(exc):
                                raise
                            fast = False
                    if not fast:
                        out, g, wrt, tb = self._pass(xb, tb, cap, lv)
                    outs.append(out.detach())
                    grads.append(g)
                    tgts.append(tb)
                    if keep_activations:
                        acts.append(wrt.detach().contiguous())
        if len(grads) == 1:
            # one chunk (the usual call): no copy of it joined (the cat of one tensor copies;
            # the gradients' copy was 1-2% of a small network's pass); contiguous, as a cat's
            return GradResult(
                outs[0].contiguous(),
                grads[0],
                acts[0] if keep_activations else None,
                tgts[0],
            )
        return GradResult(
            torch.cat(outs),
            torch.cat(grads),
            torch.cat(acts) if keep_activations else None,
            torch.cat(tgts),
        )

    def _pass(self, xb, tb, cap, layer_values):
        """One forward-backward pass of a chunk: ``(outputs, grads, wrt, targets)``, the
        gradients in the usual (contiguous) layout."""
        if cap is None:
            xb = xb.detach().requires_grad_(True)
        else:
            cap.reset(layer_values)
        with torch.enable_grad():
            # a clone of the leaf, so in-place first modules neither fail nor write to x
            out = self.model_.forward(xb.clone())
            wrt = xb if cap is None else cap.activations
            if tb is None:
                tb = self._targets(out.detach())
            if cap is None:
                check_recorded(out, type(self).__name__)
                # the one-hot vector of the targets, which is the gradient the backward of
                # out.gather(1, tb[:, None]).sum() hands to ``out`` (the same numbers after it),
                # without its two autograd nodes
                onehot = torch.zeros(out.shape, dtype=out.dtype, device=out.device)
                onehot.scatter_(1, tb[:, None], 1)
                g = gradient_of(out, wrt, type(self).__name__, onehot)
            else:
                g = cap.gradient(out.gather(1, tb[:, None]).sum())
        g = torch.zeros_like(wrt) if g is None else g
        return out, g.contiguous(), wrt, tb

    # ------------------------------------------------------------------ explain
    def _attribute(self, x, targets=None):
        raise NotImplementedError

    def _fixed_targets(self, n):
        """Targets known without a forward pass (LongTensor), or None for 'predicted'."""
        target = getattr(self, "target", None)
        if self.target_index_ is None:
            dummy = torch.zeros((n, self.n_outputs_))
            return self.model_.targets(target, dummy).to(self.model_.device)
        if self.target_index_ == "predicted":
            return None
        return torch.full((n,), self.target_index_, dtype=torch.long, device=self.model_.device)

    def explain(self, X):
        """Attributions with their context.

        Parameters
        ----------
        X : array-like or tensor of shape (n_samples, ...)

        Returns
        -------
        Explanation
            ``values`` shaped like ``X`` (or like the layer's activations with ``layer``),
            ``outputs`` (n, n_outputs) model outputs, ``targets`` (n,) explained output index
            per sample, plus the method's extras.
        """
        _check_fitted(self)
        X = self._in_fit_order(X)  # the data shown next to the values, in their order
        Xa = self._validate_X(X)
        x = self.model_.to_tensor(Xa)
        with self.model_.prepared():
            values, extras = self._attribute(x)
        extras = {k: (host64(v) if isinstance(v, torch.Tensor) else v) for k, v in extras.items()}
        targets = np.asarray(extras.pop("targets"), dtype=np.int64)
        outputs = extras.pop("outputs")
        base = extras.pop("base_values", None)
        values = finite_attributions(host64(values), type(self).__name__)
        names = self._column_names()
        if names is not None and values.shape[1:] != (len(names),):
            names = None
        exp = Explanation(
            values,
            base_values=base,
            data=X,
            feature_names=names,
            output_names=self.output_names_,
            target_index=targets,
            outputs=outputs,
            method=type(self).__name__,
            # _attribute's fields are per sample (outputs, targets, deltas, baselines ...)
            sample_fields=["targets", *extras],
            targets=targets,
            target_layer=self.target_layer_,
            quantity=self.quantity_,
            **extras,
        )
        if self.target_layer_ is None:  # values shaped like the input: its fields follow them
            exp._grid_fields = {k: True for k in self._grid_extras if k in extras}
        return exp

    def transform(self, X):
        """Attributions of the explained output, shaped like ``X`` (float64).

        Parameters
        ----------
        X : array-like or tensor of shape (n_samples, ...)
            The explained inputs.

        Returns
        -------
        ndarray
            Attributions shaped like ``X`` (or like the layer's activations with ``target_layer``).
        """
        return self._values(X)

    def _values(self, X, target_indices=None):
        # explain()'s values without its context (outputs, extras, the Explanation): the same
        # numbers for less per-call work.
        _check_fitted(self)
        x = self.model_.to_tensor(self._validate_X(X))
        targets = None if target_indices is None else self._targets_tensor(target_indices, x.shape[0])
        with self.model_.prepared():
            values = self._attribute_values(x, targets)
        return finite_attributions(host64(values), type(self).__name__)

    def _attribute_values(self, x, targets):
        """:meth:`_attribute`'s values alone (``transform``): a subclass may skip work that only
        its extras need."""
        return self._attribute(x, targets)[0]

    def _not_in_input_space(self):
        """Why the metrics cannot score this explainer's own attributions (those of a
        ``target_layer``'s activations: the metrics perturb X's features), or None. The metrics
        failed on a shape once every attribution had been computed."""
        if getattr(self, "target_layer_", None) is None:
            return None
        own = f" ({type(self).__name__}'s {self._layer_scoring} takes layers)" if self._layer_scoring else ""
        return (
            f"{type(self).__name__} attributes to the activations of target_layer={self.target_layer_!r}, not "
            "to X's features, and the metrics perturb X: score an explainer without target_layer, or pass "
            f"attributions of X{own}."
        )

    def _targets_tensor(self, target_indices, n):
        """``target_indices`` checked (one output index per sample) as a LongTensor on the
        model's device."""
        idx = check_target_indices(target_indices, n, self.n_outputs_)
        return torch.as_tensor(idx, dtype=torch.long, device=self.model_.device)

    def _transform_for_targets(self, X, target_indices):
        """:meth:`transform` with output ``target_indices[i]`` explained for sample ``i``.

        Private hook of the metrics that explain perturbed copies of a sample for the output
        explained for the sample itself (sensitivity). The targets go down the call as an
        argument: ``target`` and the fitted state are read, never changed, so the explainer
        may serve other calls meanwhile.

        Parameters
        ----------
        X : array-like or tensor of shape (n_samples, ...)
            The inputs to explain.
        target_indices : array-like of int of shape (n_samples,)
            Output column explained for each sample (as :meth:`target_indices` gives them).

        Returns
        -------
        ndarray
            As :meth:`transform`.
        """
        return self._values(X, target_indices)

    def get_feature_names_out(self, input_features=None):
        """Attribution column names (tabular inputs): one per input feature.

        Parameters
        ----------
        input_features : array-like of str, default=None
            The input's column names, checked as scikit-learn checks them (a Pipeline passes
            the previous step's); they name the columns.

        Returns
        -------
        ndarray of str objects
            The input's column names, or ``x0, x1, ...`` when it had none.
        """
        check_is_fitted(self, "model_")
        if getattr(self, "target_layer_", None) is not None or len(self.input_shape_) != 1:
            shaped = (
                "like target_layer's output"
                if getattr(self, "target_layer_", None) is not None
                else f"like the inputs {tuple(self.input_shape_)}"
            )
            raise AttributeError(
                f"{type(self).__name__}.get_feature_names_out is only defined for 2-D inputs without "
                f"target_layer: the attributions are shaped {shaped}, not feature columns, so "
                "set_output(transform='pandas') cannot hold them; use set_output(transform='default')."
            )
        names = self._column_names()
        if names is None:
            names = [f"x{j}" for j in range(self.input_shape_[0])]
        return names_out(self, names, input_features)

    def _column_names(self):
        """The input columns' names: the fitted frame's, else those of the scikit-learn model
        (fitted on an array, its frames are matched by them, as the tabular explainers name
        their players), else None."""
        names = getattr(self, "feature_names_in_", None)
        if names is None and hasattr(self, "estimator_"):
            model = getattr(unwrap_frozen(self.estimator_), "feature_names_in_", None)
            if model is not None and tuple(self.input_shape_) == (len(model),):
                names = np.asarray([str(c) for c in model], dtype=object)
        return names

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = self._stochastic and getattr(self, "random_state", None) is None
        # a model of several outputs needs a target here (one output's gradients at a time)
        tags.target_tags.multi_output = False
        if tags.estimator_type == "regressor":
            # not tagged a regressor: scikit-learn's regressor contract would then ravel a
            # column of targets (with a DataConversionWarning), which a skorch regressor needs
            tags.estimator_type = None
            tags.regressor_tags = None
        return tags
