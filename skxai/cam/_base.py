"""Template of the class activation maps: hooks, targets, post-processing; variants give weights.

A CAM explains the target score ``y_c`` of a convolutional network through the activations
``A`` (``(n, K, *s)``: K channels over 1, 2 or 3 spatial axes) of one layer. Every variant is a
combination ``map = sum_k w_k A_k`` with its own channel weights (or, for HiRes-CAM, Layer-CAM
and Eigen-CAM, its own map); the template does the rest once for all of them:

- resolves ``target_layer`` (a dotted module name) in ``fit``; by default the last
  convolution moved past the elementwise modules that follow it (ReLU, batch norm ...), so
  on conv -> ReLU -> pooling -> linear the map is read from the ReLU's output, which is what
  the pooling averages; an unknown name raises a ``ValueError`` listing the network's modules;
- captures the activations (and the gradients of each sample's own target score) of a whole
  chunk of ``batch_size`` images in one forward (and one backward) pass;
- post-processes the raw map, each step an explicit option: ``relu``, ``upsample`` (linear
  interpolation to the input size, ``align_corners=False``) and ``normalize`` (per-map
  min-max, the scaling pytorch-grad-cam always applies);
- removes its hooks and restores the network's train/eval flags and ``requires_grad``
  whatever happens, errors included.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from skxai._dask import _output_container
from skxai._explanation import Explanation
from skxai._progress import closing_progress
from skxai._torch._capture import LayerCapture
from skxai._torch._explainer import (
    BaseTorchExplainer,
    _check_fitted,
    _to_numpy,
    finite_attributions,
    host64,
    layout_refused,
)
from skxai._torch._model import HookSet, leaf_modules
from skxai.cam._upsample import postprocess
from skxai.utils import _memory
from skxai.utils._param_validation import HasMethods
from skxai.utils._warnings import warn_at_caller

__all__ = ["BaseCamExplainer", "LayerPass"]


_PEAK_VALUES = 2**21


class _InPlaceError(Exception):
    """A module after the target layer modified its activations in place."""


@dataclass
class LayerPass:
    """What one forward (and backward) pass of a chunk of images gives a CAM variant."""

    x: torch.Tensor
    """(n, C, *S) the images."""
    activations: torch.Tensor
    """(n, K, *s) the layer's output."""
    gradients: torch.Tensor | None
    """(n, K, *s) d y_target / d activations (None for gradient-free variants)."""
    outputs: torch.Tensor
    """(n, k) explained response."""
    targets: torch.Tensor
    """(n,) explained output index per sample."""
    layer: torch.nn.Module
    name: str
    inputs: dict
    """``(input, output, module, output version)`` of the watched modules (CAM's classifier), by name."""
    peak_per_row: int = 1
    """Largest activation of any module, in values per sample (sizes perturbation batches)."""


def spatial_axes(t):
    """The spatial axes of a ``(n, K, *s)`` tensor."""
    return tuple(range(2, t.ndim))


def channels_last(x):
    """``x`` in channels-last memory layout (same values) when it is a batch of 2-D images."""
    return x.contiguous(memory_format=torch.channels_last) if x.ndim == 4 else x


def like_layout(t, ref):
    """``t`` in the memory layout of ``ref`` (channels-last or contiguous)."""
    if t.ndim == 4 and not ref.is_contiguous() and ref.is_contiguous(memory_format=torch.channels_last):
        return t.contiguous(memory_format=torch.channels_last)
    return t


def baseline_images(explainer, x):
    """The ``baseline`` of a masking CAM for the images ``x`` (a tensor like ``x``), or None
    for ``"zeros"`` (masking is then ``x * M``). One vocabulary: :mod:`skxai._baselines`."""
    from skxai._baselines import make_baseline, resolve_baseline_name

    kind = resolve_baseline_name(explainer.baseline, mean_means="channel_mean", owner=type(explainer).__name__)
    if isinstance(kind, str) and kind == "zeros":
        return None
    b = make_baseline(kind, _to_numpy(x)[0], background=getattr(explainer, "background_", None))
    return torch.as_tensor(b, dtype=x.dtype, device=x.device)


def _cat(tensors):
    """``torch.cat``, without its copy for a single chunk (the result is converted anyway)."""
    return tensors[0] if len(tensors) == 1 else torch.cat(tensors)


def combine(activations, weights):
    """``sum_k w_k A_k`` for channel weights ``(n, K)`` or elementwise weights ``(n, K, *s)``."""
    if weights.ndim == 2:
        n, k = weights.shape
        flat = activations.reshape(n, k, -1)
        return torch.bmm(weights[:, None, :].to(flat.dtype), flat).reshape((n,) + tuple(activations.shape[2:]))
    return (weights * activations).sum(dim=1)


# Heatmaps are (n, *spatial) arrays, which set_output containers cannot hold; not wrapping
# transform also spares every call sklearn's output-wrapping overhead.
class BaseCamExplainer(BaseTorchExplainer, auto_wrap_output_keys=None):
    """Template of the class-activation-map explainers of convolutional torch networks.

    Subclasses implement ``_channel_weights(lp) -> (n, K)`` or ``_layer_map(lp) -> (map,
    weights)`` and set ``_uses_gradients`` (False: the layer pass runs without gradients, and so
    do the batches, unless ``_needs_gradients`` says they take a backward of their own, as
    Opti-CAM's optimisation does). Parameters shared by every variant:

    Parameters
    ----------
    estimator : torch.nn.Module, skorch net or Pipeline step
        The network; an unfitted skorch net is fitted in ``fit(X, y)``.
    target_layer : str or torch.nn.Module, default=None
        Dotted name of the explained layer (``"features.3"``), or the module itself (recorded
        by its name; a name survives ``clone``, a module does not). None takes the last
        ``Conv1d``/``Conv2d``/``Conv3d`` that the explained output depends on and that has more
        than one position, moved past the
        elementwise modules (ReLU, batch norm, dropout ...) that directly follow it: on conv -> ReLU -> global average
        pooling -> linear that is the ReLU, whose output the pooling averages. The layer
        used is ``target_layer_`` after ``fit``.
    target : label, "predicted", array of labels or None, default=None
        Output explained for each sample (None: the positive class of binary classifiers,
        the predicted class of multi-class models).
    response_method : {"auto", "predict_proba", "decision_function", "predict"}, default="auto"
        The explained score, the same default as the gradient family: ``"auto"`` explains
        class probabilities of classifiers (skorch ``NeuralNetClassifier``: the softmax of
        the logits) and a plain module's own output; ``"decision_function"`` explains the
        scores before the softmax, as in the CAM papers and pytorch-grad-cam. The explained
        quantity is recorded as ``Explanation.quantity``.
    relu : bool, default=True
        Keep only the positive part of the map.
    normalize : bool, default=False
        Scale each map to [0, 1] (min-max), after upscaling.
    upsample : bool, default=True
        Interpolate maps to the input's spatial size; False returns the layer's resolution.
    batch_size : int or None, default=256
        Most images per forward pass (None means 256, the default): fewer where their
        activations would exceed the 4 GiB working-memory bound (one image's are measured at
        ``fit``; a gradient CAM refuses a network whose single image exceeds it).
    scoring : str or callable, default=None
        Metric of ``score`` (None: ``"deletion"``, see :func:`skxai.metrics.get_metric_names`).
    verbose : int, default=0
        Show a progress bar over the batches of images.
    """

    _parameter_constraints = {
        **BaseTorchExplainer._parameter_constraints,
        # a name, or the module itself as the gradient explainers take it (recorded by name)
        "target_layer": [str, HasMethods(["register_forward_hook"]), None],
        "relu": ["boolean"],
        "normalize": ["boolean"],
        "upsample": ["boolean"],
    }
    _uses_gradients = True

    @property
    def _needs_gradients(self):
        # a variant whose layer pass needs no gradients runs forward passes only (its batches
        # keep no activations for a backward) unless it says otherwise (Opti-CAM optimises)
        return self._uses_gradients

    #: Extras on the maps' pixel grid, cut with them by a spatial index (the images too).
    _grid_extras = ()
    _perturbs = False  # forwards perturbed batches, sized by the network's largest layer
    _default_scoring = "deletion"

    def _not_in_input_space(self):
        return None  # a layer's map is a heatmap of the input's grid, upscaled to it

    def __init__(
        self,
        estimator,
        *,
        target_layer=None,
        target=None,
        response_method="auto",
        relu=True,
        normalize=False,
        upsample=True,
        batch_size=256,
        scoring=None,
        verbose=0,
    ):
        self.estimator = estimator
        self.target_layer = target_layer
        self.target = target
        self.response_method = response_method
        self.relu = relu
        self.normalize = normalize
        self.upsample = upsample
        self.batch_size = batch_size
        self.scoring = scoring
        self.verbose = verbose

    # ------------------------------------------------------------------ layers
    def _layer_name(self):
        return self.target_layer_

    def _watched_modules(self, name):
        """Modules whose inputs a variant needs from the same forward pass, by name."""
        return {}

    # ------------------------------------------------------------------ passes
    def _capture(self, x, name, targets):
        """One pass over a chunk: activations, gradients (when used), outputs, targets.

        The network first continues on the recorded activations themselves (no copy); when a
        later module modifies them in place (``ReLU(inplace=True)``: autograd refuses it on
        the gradient leaf, or the tensor's version counter moves) the pass is redone on a
        copy, so the recorded activations and their gradients are always the layer's own.
        """
        try:
            return self._capture_once(x, name, targets, copy=False)
        except _InPlaceError:
            return self._capture_once(x, name, targets, copy=True)

    def _capture_once(self, x, name, targets, copy):
        layer = self.model_.get_layer(name)
        watch = self._watched_modules(name)
        inputs = {}

        def watch_hook(key):
            def hook(m, inp, out):
                # the version counter tells, after the pass, whether a later module changed the
                # output in place (then it is no longer what this module returned)
                inputs.setdefault(key, (inp[0].detach(), out.detach(), m, out._version))

            return hook

        peak = [1]

        def size_hook(m, inp, out):
            if isinstance(out, torch.Tensor) and out.ndim > 0 and out.shape[0]:
                peak[0] = max(peak[0], out.numel() // out.shape[0])

        with HookSet() as hooks, LayerCapture(layer, name, grad=self._uses_gradients, clone=copy) as cap:
            for key, mod in watch.items():
                hooks.forward(mod, watch_hook(key))
            if self._perturbs:
                for _, mod in leaf_modules(self.model_.module):
                    if not isinstance(mod, torch.jit.ScriptModule):  # takes no hook
                        hooks.forward(mod, size_hook)
            with torch.set_grad_enabled(self._uses_gradients):
                try:
                    # a copy: a network that works in place on its input (x.mul_(...) as its
                    # first step) changed the images that later passes mask, ablate or guide
                    out = self.model_.forward(x.clone())
                except RuntimeError as exc:
                    if not copy and "in-place" in str(exc):
                        raise _InPlaceError from exc
                    raise
                act = cap.activations
                if not copy and cap.modified_in_place:
                    raise _InPlaceError
                t = self._targets(out.detach()) if targets is None else targets
                grads = None
                if self._uses_gradients:
                    grads = cap.gradient(out.gather(1, t[:, None]).sum())
        act = act.detach()
        self._check_feature_map(act.shape, x, name)
        return LayerPass(x, act, grads, out.detach(), t, layer, name, inputs, peak[0])

    def _check_feature_map(self, shape, x, name):
        """Refuse a layer whose output ``shape`` (for the images ``x``) gives no map: not a
        feature map, one position per channel, or positions that are the input's leading axes."""
        if len(shape) != x.ndim or len(shape) < 3:
            raise ValueError(
                f"Layer {name!r} outputs shape {tuple(shape)}; a CAM needs a feature map "
                f"(n, channels, *spatial) with as many spatial axes as the input "
                f"{tuple(x.shape[1:])}. Use "
                + (
                    ""
                    if self.default_layer_ is None
                    else f"target_layer={self.default_layer_!r} (the default: the last convolution "
                    "and the elementwise layers after it), or "
                )
                + f"another convolutional layer{self._convolutions_named(x)}."
            )
        if max(shape[2:]) == 1 and max(x.shape[2:]) > 1:
            # one position per channel (the output of the global pooling): every variant's map
            # is then one number spread over the whole image, which localises nothing
            raise ValueError(
                f"Layer {name!r} outputs shape {tuple(shape)}: one position per channel (after a "
                f"global pooling, or a kernel as large as its input), so its map would be the same "
                f"value at every pixel of the {tuple(x.shape[2:])} image. Use "
                + (
                    ""
                    if self.default_layer_ is None or self.default_layer_ == name
                    else f"target_layer={self.default_layer_!r} (the default: the last convolution "
                    "and the elementwise layers after it), or "
                )
                + f"an earlier layer with a spatial feature map{self._convolutions_named(x)}."
            )
        spatial, lead = tuple(shape[2:]), tuple(x.shape[1 : len(shape) - 1])
        if spatial == lead and math.prod(spatial) > math.prod(x.shape[2:]) and not self._takes_channels_first(x):
            # (n, L, C) sequences or (n, H, W, C) images transposed inside forward: the layer has
            # more positions than the input seems to, exactly its leading axes, and its map was
            # shrunk onto the channels. (Fewer positions equal to them is a downsampling network
            # whose positions happen to equal the channel count: 4-channel DNA pooled to 4.)
            raise ValueError(
                f"Layer {name!r} outputs shape {tuple(shape)}, whose positions {spatial} are the "
                f"leading axes of the input {tuple(x.shape[1:])}: the input looks channels-last (the "
                "network transposes it inside forward), while a CAM reads it as (n, channels, "
                "*spatial) and would map the layer's positions onto the channel axis. Give X "
                "channels-first (e.g. X.transpose(0, 2, 1) for sequences, X.transpose(0, 3, 1, 2) "
                "for images) to a network that takes it so."
            )

    def _convolutions_named(self, x):
        """The " among [...]" of a layer error: the network's convolutions over as many spatial
        axes as ``x`` has, whose outputs are feature maps of it (every submodule was listed:
        norms, attention, the linear head and the refused layer itself)."""
        from torch.nn.modules.conv import _ConvNd

        names = [
            name
            for name, module in self.model_.module.named_modules()
            if name and isinstance(module, _ConvNd) and module.weight.ndim == x.ndim
        ]
        return f" among {names}" if names else f" (the network has no {x.ndim - 2}-D convolution)"

    def _takes_channels_first(self, x):
        """Whether the first convolution the network runs takes the images ``x`` as given (its
        input has their shape): then a layer whose positions equal the input's leading axes is a
        coincidence, not a transpose inside forward (a 1-D decoder on 8 channels of length 4,
        upsampled to length 8, was refused as channels-last). The convolution that runs first,
        not the first declared (a review: declared out of order, a transposed network passed)."""
        seen = []

        def first(m, inp):
            if not seen and inp and isinstance(inp[0], torch.Tensor):
                seen.append(tuple(inp[0].shape[1:]))

        with HookSet() as hooks:
            for m in self.model_.module.modules():
                if isinstance(m, torch.nn.modules.conv._ConvNd):
                    hooks.forward_pre(m, first)
            try:
                with self.model_.prepared(), torch.no_grad():
                    self.model_.logits(x[:2])
            except (RuntimeError, ValueError):
                return False
        return bool(seen) and seen[0] == tuple(x.shape[1:])

    def _rows_per_call(self, lp):
        """Rows per perturbation forward: ``batch_size``, and at most about ``2**21``
        activation values (8 MB in float32) in the network's largest layer, which keeps
        each call's tensors in cache; more rows per call only cost memory traffic."""
        return max(1, min(self._batch(), _PEAK_VALUES // max(1, lp.peak_per_row)))

    # ------------------------------------------------------------------ variants
    def _channel_weights(self, lp):
        raise NotImplementedError

    def _layer_map(self, lp):
        """Raw map ``(n, *s)`` at the layer's resolution and the weights that made it.

        A variant may return a third item: a dict of extra per-sample fields for ``explain``.
        """
        w = self._channel_weights(lp)
        return combine(lp.activations, w), w

    # ------------------------------------------------------------------ explain
    def _explain_chunk(self, x, name, targets):
        lp = self._capture(x, name, targets)
        raw, weights, *more = self._layer_map(lp)
        size = tuple(x.shape[2:]) if self.upsample else None
        heat = postprocess(raw.detach(), relu=self.relu, normalize=self.normalize, size=size)
        extras = more[0] if more else {}
        return heat, raw.detach(), weights.detach(), lp.outputs, lp.targets, extras

    def _fit_extra(self, X, y):
        self._check_image_dims(X)
        if isinstance(self.target_layer_, torch.nn.Module):
            # a module of the network (BaseTorchExplainer.fit checked that it is one): the maps,
            # messages and explanations name the layer, as for a target_layer given by name
            self.target_layer_ = next(n for n, m in self.model_.module.named_modules() if m is self.target_layer_)
        if "baseline" in self._get_param_names():  # the masking CAMs (Score-CAM, Opti-CAM)
            from skxai._baselines import check_baseline_shape

            check_baseline_shape(self.baseline, tuple(X.shape[1:]))
        try:
            # the tracing pass keeps two rows' activations for its backward: skipped (the last
            # convolution to run is taken) where those would exceed the working-memory bound
            held = getattr(self, "_pass_bytes_", None)
            grad = not held or 2 * held[0] <= _memory.MAX_WORKING_BYTES
            with self.model_.prepared():
                self.default_layer_, shared = self.model_.default_cam_layer(
                    self.model_.to_tensor(X[:2]), with_skipped=True, gradients=grad
                )
        except ValueError:
            # a network without nn.Conv modules (transposed convolutions, functional ones)
            # has no default layer; a target_layer the user named still serves
            if self.target_layer_ is None:
                raise
            self.default_layer_, shared = None, {}
        # why the default stops before the activations (CamExplainer's refusal says it too)
        self._shared_note = ""
        if shared:
            runs = ", ".join(f"{n!r} runs {k} times" for n, k in shared.items())
            self._shared_note = (
                f" The default layer {self.default_layer_!r} is read before its activation module(s), "
                f"which are shared ({runs} per forward pass, e.g. one nn.ReLU reused by several layers) "
                "and so cannot be captured; give each layer its own activation module to read them."
            )
        if self.target_layer_ is None:
            self.target_layer_ = self.default_layer_
            if shared:
                warn_at_caller(
                    f"{type(self).__name__}: the maps use the pre-activation values.{self._shared_note}",
                    UserWarning,
                )
        self._check_layer_at_fit(X)

    def _check_layer_at_fit(self, X):
        """The layer's output checked on two of fit's rows (a forward, no gradient), so a layer
        that gives no map (the linear head, the pooled features) is refused at ``fit`` as by
        every later call (the checks stay there: the network can change after fit)."""
        shapes = []

        def hook(m, inp, out):
            if isinstance(out, torch.Tensor):
                shapes.append(tuple(out.shape))

        x = self.model_.to_tensor(X[:2])
        with self.model_.prepared(), torch.no_grad(), HookSet() as hooks:
            hooks.forward(self.model_.get_layer(self.target_layer_), hook)
            self.model_.forward(x.clone())
        if shapes:
            self._check_feature_map(shapes[0], x, self.target_layer_)

    def _check_image_dims(self, Xa):
        if Xa.ndim < 3 or Xa.ndim > 5:
            raise ValueError(
                f"{type(self).__name__} needs images with channels first: (n, C, L), (n, C, H, W) "
                f"or (n, C, D, H, W); got X of shape {Xa.shape}."
            )

    def _validate_images(self, X):
        Xa = self._validate_X(X)
        self._check_image_dims(Xa)
        return Xa

    def _run_chunks(self, X, target_indices=None):
        """Validate ``X`` and explain it chunk by chunk: the chunks' tensors and the layer name.

        ``target_indices`` (one output index per image) replaces the outputs ``target``
        resolves to."""
        _check_fitted(self)
        Xa = self._validate_images(X)
        x = self.model_.to_tensor(Xa)
        n = x.shape[0]
        bs = self._batch(grad=self._needs_gradients)
        parts = []
        given = None if target_indices is None else self._targets_tensor(target_indices, n)
        # Channels-last colour images run CPU convolutions about twice as fast; a network
        # that .view()s its feature maps cannot take them, and is then fed the usual layout.
        fast = x.ndim == 4 and x.shape[1] > 1
        with self.model_.prepared():
            name = self._layer_name()
            fixed = self._fixed_targets(n) if given is None else given
            chunks = range(0, n, bs)
            with closing_progress(
                chunks, verbose=self.verbose and len(chunks) > 1, desc=type(self).__name__, unit="batch"
            ) as bar:
                for s in bar:
                    t = None if fixed is None else fixed[s : s + bs]
                    xc = x[s : s + bs]
                    if fast:
                        try:
                            parts.append(self._explain_chunk(channels_last(xc), name, t))
                            continue
                        except RuntimeError as exc:
                            if not layout_refused(exc):
                                raise
                            fast = False
                    parts.append(self._explain_chunk(xc, name, t))

        return parts, name

    def explain(self, X):
        """Class activation maps with the layer's raw maps and the weights.

        Parameters
        ----------
        X : array-like or tensor of shape (n_samples, C, *spatial)

        Returns
        -------
        Explanation
            ``values``: heatmaps ``(n, *spatial)`` (the layer's resolution with
            ``upsample=False``); ``raw_map``: ``sum_k w_k A_k`` at the layer's resolution
            before ReLU and scaling; ``weights``: channel weights ``(n, K)`` (elementwise
            ``(n, K, *s)`` for HiRes-CAM and Layer-CAM); ``outputs``, ``targets`` and
            ``target_layer``.
        """
        parts, name = self._run_chunks(X)

        def cat(i):
            return host64(_cat([p[i] for p in parts]))

        extras, per_sample = {}, ["raw_map", "weights", "targets"]
        for key in parts[0][5]:
            vals = [p[5][key] for p in parts]
            if isinstance(vals[0], torch.Tensor):
                val = torch.cat(vals)
                extras[key] = host64(val) if val.is_floating_point() else val.cpu().numpy()
                per_sample.append(key)
            else:
                extras[key] = vals  # one entry per chunk of images, not per image
        targets = torch.cat([p[4] for p in parts]).cpu().numpy().astype(np.int64)
        exp = Explanation(
            finite_attributions(cat(0), type(self).__name__),
            data=X,
            output_names=self.output_names_,
            target_index=targets,
            outputs=cat(3),
            method=type(self).__name__,
            sample_fields=per_sample,
            raw_map=cat(1),
            weights=cat(2),
            targets=targets,
            target_layer=name,
            quantity=self.quantity_,
            **extras,
        )
        # A crop of the maps crops the images under them; raw_map and the weights, at the
        # layer's resolution, describe the whole image and are kept whole. Maps at the layer's
        # resolution (upsample=False) are not on the images' grid: a crop is refused.
        exp._grid_fields = {"data": True, **{k: True for k in self._grid_extras if k in extras}}
        return exp

    def transform(self, X):
        """Heatmaps ``(n, *spatial)`` of the explained output for each image (float64).

        Parameters
        ----------
        X : array-like or tensor of shape (n_samples, C, *spatial)
            The explained images.

        Returns
        -------
        ndarray of shape ``(n_samples, *spatial)``
            One map per image, at the input's resolution when ``upsample=True``, else the layer's
            (:class:`~skxai.GuidedGradCamExplainer`: shaped like the input).
        """
        if "transform" in getattr(self, "_sklearn_output_config", {}) and _output_container(self) != "default":
            # asked of this explainer (not by the global config, whose dataframes pass arrays
            # through): a dataframe cannot hold maps, said before any work, as the gradient
            # family says it (the maps came back as an array without a word)
            raise AttributeError(
                f"{type(self).__name__}.set_output(transform={_output_container(self)!r}) cannot be honoured: "
                "CAMs return heatmaps (n_samples, *spatial), not feature columns. Use "
                "set_output(transform='default')."
            )
        return self._heatmaps(X)

    def _heatmaps(self, X, target_indices=None):
        # The heatmaps only: the raw maps, weights and outputs that explain() also returns are
        # not converted to float64 (for elementwise weights, a fifth of a small network's call).
        parts, _ = self._run_chunks(X, target_indices)
        return finite_attributions(host64(_cat([p[0] for p in parts])), type(self).__name__)

    def _transform_for_targets(self, X, target_indices):
        """:meth:`transform` with output ``target_indices[i]`` explained for image ``i`` (see
        :meth:`skxai._torch._explainer.BaseTorchExplainer._transform_for_targets`).

        Parameters
        ----------
        X : array-like or tensor of shape (n_samples, C, *spatial)
            The explained images.
        target_indices : array-like of int of shape (n_samples,)
            Output column explained for each image.

        Returns
        -------
        ndarray
            As :meth:`transform`.
        """
        return self._heatmaps(X, target_indices)

    def get_feature_names_out(self, input_features=None):
        """Not defined: CAMs return heatmaps, not feature columns.

        Parameters
        ----------
        input_features : None
            Unused.

        Raises
        ------
        AttributeError
            Always, so that scikit-learn's ``set_output`` and pipelines see no feature names.
        """
        raise AttributeError(f"{type(self).__name__} returns heatmaps, not feature columns.")
