"""CAM (Zhou et al., 2016): the classifier's weights on a conv -> GAP -> linear network."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from skxai._estimators import unwrap_frozen
from skxai._torch._model import _declared_regressor
from skxai.cam._base import BaseCamExplainer, combine, spatial_axes

_CHECK_ROWS = 8
_RTOL = 1e-4


def _host(t):
    """``t`` as a numpy array (shared memory for CPU tensors); bfloat16, which numpy lacks, as float32."""
    if t.dtype == torch.bfloat16:
        t = t.float()
    return t.numpy(force=True)


def _allclose(a, b, rtol=_RTOL):
    """``torch.allclose(a, b, rtol, atol=rtol * (1 + max |b|))``, computed on the host.

    torch's elementwise rule (``a == b``, or a finite ``|a - b|`` within ``atol + |rtol b|``) in
    ``b``'s precision. The checks read a few rows, where a few numpy calls cost less than
    ``allclose``'s dozen torch dispatches and the tolerance's: each dispatch is slow right after
    a network's forward, whose data has left the caches (issue 16, ``benchmarks/results/cam.md``).
    A NaN in ``b`` gives False (torch refuses its NaN tolerance with a RuntimeError).
    """
    a, b = _host(a), _host(b)
    one, r = b.dtype.type(1), b.dtype.type(rtol)
    with np.errstate(invalid="ignore", over="ignore"):
        atol = r * (one + np.abs(b).max())
        err = np.abs(a - b)
        # every element's allowance is at least atol: within it (finite), all are close
        if err.max() <= atol < np.inf:
            return True
        close = (a == b) | (np.isfinite(err) & (err <= atol + np.abs(r * b)))
    return bool(close.all())


def _same_values(a, b):
    """Whether ``a`` and ``b`` (same shape) are views of the same memory in the same layout,
    hence hold the same values (the linear layer's output is then the explained response)."""
    return a.dtype == b.dtype and a.device == b.device and a.data_ptr() == b.data_ptr() and a.stride() == b.stride()


def _bias(fc, dtype):
    """The linear layer's bias in ``dtype`` (None without one)."""
    return None if fc.bias is None else fc.bias.detach().to(dtype)


class CamExplainer(BaseCamExplainer):
    """CAM: ``sum_k W_ck A_k`` with ``W`` the weights of the final linear layer.

    Only defined for networks where ``target_layer`` is followed by global average pooling
    and one linear layer giving the explained scores: ``y_c = sum_k W_ck mean(A_k) + b_c``.
    That structure is checked at ``fit`` and on every explained batch (the linear layer must receive the
    spatial means of the layer's activations, compute ``W x + b`` of them, with no forward hook
    changing it, and give the explained response), and any other
    network is refused with a ``ValueError``; :class:`~skxai.GradCamExplainer` equals CAM
    divided by the number of positions on such networks and works on any network.
    A binary classifier with one logit ``z`` (skorch ``NeuralNetBinaryClassifier``) is
    explained as ``[0, z]``: the positive class gets the linear layer's weights, the
    negative class (the constant score 0) a zero map.

    Parameters
    ----------
    estimator : torch.nn.Module or skorch net
    fc_layer : str, default=None
        Dotted name of the final linear layer; None takes the last ``nn.Linear``.
    target_layer, target, relu, normalize, upsample, batch_size, scoring, verbose
        As in :class:`~skxai.GradCamExplainer`.
    response_method : {"auto", "decision_function"}, default="auto"
        CAM explains the linear layer's output, the scores before any softmax: the one
        exception to the family's default, since CAM's weights are that layer's weights, so
        ``"auto"`` means ``"decision_function"`` here (recorded as ``quantity="logit"``), and
        ``"predict"`` for a regressor, which has no decision function (``quantity="prediction"``).

    Examples
    --------
    >>> import torch
    >>> from torch import nn
    >>> from skxai import CamExplainer
    >>> net = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(),
    ...                     nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 3))
    >>> X = torch.randn(2, 1, 8, 8)
    >>> exp = CamExplainer(net, target_layer="1", relu=False).fit(X).explain(X)
    >>> logit = exp.outputs[[0, 1], exp.targets]
    >>> bias = net[4].bias.detach().numpy()[exp.targets]
    >>> bool(abs(exp.raw_map.mean(axis=(1, 2)) + bias - logit).max() < 1e-5)
    True
    """

    _uses_gradients = False
    _parameter_constraints = {**BaseCamExplainer._parameter_constraints, "fc_layer": [str, None]}

    def __init__(
        self,
        estimator,
        *,
        fc_layer=None,
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
        super().__init__(
            estimator,
            target_layer=target_layer,
            target=target,
            response_method=response_method,
            relu=relu,
            normalize=normalize,
            upsample=upsample,
            batch_size=batch_size,
            scoring=scoring,
            verbose=verbose,
        )
        self.fc_layer = fc_layer

    def _response_method(self):
        rm = super()._response_method()
        if rm == "predict_proba":
            # CAM's weights are the linear layer's rows: no probability is a sum of channel maps
            # (the structural check failed instead, saying the layer's input was no spatial mean)
            raise ValueError(
                "CamExplainer explains the output of the last linear layer (response_method="
                "'decision_function'): its weights are that layer's rows, and a probability is no "
                "weighted sum of the channel maps. Use GradCamExplainer to explain probabilities."
            )
        if rm != "auto":
            return rm
        # the linear layer's output: a regressor's prediction (which has no decision function)
        return "predict" if _declared_regressor(unwrap_frozen(self.estimator_)) else "decision_function"

    def _fit_extra(self, X, y):
        super()._fit_extra(X, y)
        self._find_last_linear()
        if self.fc_layer is not None:
            # a name the network does not have is refused now, naming the parameter, not at the
            # first transform (the layer is still looked up by name on every call)
            try:
                fc = self.model_.get_layer(self.fc_layer)
            except ValueError as exc:
                raise ValueError(f"fc_layer: {exc}") from None
            if not isinstance(fc, nn.Linear):
                raise ValueError(f"fc_layer {self.fc_layer!r} is a {type(fc).__name__}, not an nn.Linear.")
        # conv -> GAP -> linear does not depend on the images: checked on two of fit's rows, so
        # that a network where CAM is not defined is refused at fit like the family's other
        # refusals (the checks stay on every explained batch: the network can change after fit)
        x = self.model_.to_tensor(X[:2])
        with self.model_.prepared():
            lp = self._capture(x, self.target_layer_, torch.zeros(x.shape[0], dtype=torch.long, device=x.device))
            self._channel_weights(lp)

    def _find_last_linear(self):
        # The last nn.Linear, found once instead of walking the modules on every call. A network
        # changed after fit cannot slip through: the layer is looked up by name on every call,
        # must be an nn.Linear, and the structure checks refuse one that is no longer the last.
        names = [n for n, m in self.model_.module.named_modules() if isinstance(m, nn.Linear)]
        self._last_linear = names[-1] if names else None

    def _fc_name(self):
        if self.fc_layer is not None:
            return self.fc_layer
        if not hasattr(self, "_last_linear"):  # fitted by an earlier release (a pickle)
            self._find_last_linear()
        if self._last_linear is None:
            raise ValueError(
                "CamExplainer needs a network ending in global average pooling and a linear "
                "layer (conv -> GAP -> linear); this one has no nn.Linear. Use GradCamExplainer."
            )
        return self._last_linear

    def _watched_modules(self, name):
        fc_name = self._fc_name()
        fc = self.model_.get_layer(fc_name)
        if not isinstance(fc, nn.Linear):
            raise ValueError(f"fc_layer {fc_name!r} is a {type(fc).__name__}, not an nn.Linear.")
        return {fc_name: fc}

    def _refuse(self, lp, fc_name, reason):
        hint = ""
        if self.default_layer_ is not None and lp.name != self.default_layer_:
            hint = f" Use target_layer={self.default_layer_!r} (the activations the pooling averages)."
        raise ValueError(
            f"CamExplainer needs layer {lp.name!r} to be followed only by global average pooling "
            f"and the linear layer {fc_name!r} (conv -> GAP -> linear), but {reason}.{hint}"
            f"{getattr(self, '_shared_note', '')} "
            "GradCamExplainer works on any network (and equals CAM / (H W) on GAP networks)."
        )

    def _channel_weights(self, lp):
        fc_name = next(iter(lp.inputs), None) or self._fc_name()
        if fc_name not in lp.inputs:
            self._refuse(lp, fc_name, f"{fc_name!r} did not run in the forward pass")
        fc_in, fc_out, fc, version = lp.inputs[fc_name]
        if fc_out._version != version:
            self._refuse(lp, fc_name, f"a module after {fc_name!r} changes its output in place")
        # The structure checks read the first rows only: conv -> GAP -> linear is the same
        # for every row, and pooling the whole batch cost as much as the map itself.
        m = min(_CHECK_ROWS, lp.activations.shape[0])
        pooled = lp.activations[:m].mean(dim=spatial_axes(lp.activations))
        fc_in = fc_in.reshape(fc_in.shape[0], -1)[:m]
        if fc_in.shape != pooled.shape:
            self._refuse(
                lp,
                fc_name,
                f"{fc_name!r} receives {fc_in.shape[1]} features per sample while the layer has "
                f"{pooled.shape[1]} channels",
            )
        if not _allclose(fc_in, pooled):
            self._refuse(lp, fc_name, f"the input of {fc_name!r} is not the spatial mean of the activations")
        fc_out = fc_out.reshape(lp.outputs.shape[0], -1)
        weight = fc.weight.detach()
        if weight.dtype != lp.activations.dtype:
            weight = weight.to(lp.activations.dtype)
        # CAM's weights are W: the layer's output must be W a + b of its input. A forward hook
        # on it (a temperature, y = 5 (W a + b)) or an overridden forward passed the checks
        # above and the maps were off by that change.
        # (recomputed by another kernel: half-precision outputs differ by a few roundings)
        rtol = max(_RTOL, 4 * torch.finfo(fc_out.dtype).eps)
        if fc_in.shape[1] != weight.shape[1] or not _allclose(
            fc_out[:m], torch.nn.functional.linear(fc_in.to(weight.dtype), weight, _bias(fc, weight.dtype)), rtol
        ):
            self._refuse(
                lp,
                fc_name,
                f"the output of {fc_name!r} is not W x + b of its input (a forward hook or an "
                "overridden forward changes it; CAM's weights are W)",
            )
        # A binary classifier's single logit z is read as [0, z] (skorch's
        # NeuralNetBinaryClassifier): row 0 pads the weights (its class is refused at fit).
        binary = fc_out.shape[1] == 1 and lp.outputs.shape[1] == 2 and getattr(self.model_, "_binary", False)
        if binary:
            fc_out = torch.cat([torch.zeros_like(fc_out), fc_out], dim=1)
        if fc_out.shape != lp.outputs.shape or not (
            _same_values(fc_out, lp.outputs) or _allclose(fc_out[:m], lp.outputs[:m])
        ):
            self._refuse(
                lp,
                fc_name,
                f"the explained response is not the output of {fc_name!r} (a softmax or another "
                "layer follows it; CAM explains response_method='decision_function')",
            )
        if binary:
            weight = torch.cat([torch.zeros_like(weight), weight])
        # index_select: the rows advanced indexing gives, for a third of its cost (aten::index)
        return torch.index_select(weight, 0, lp.targets)

    def _layer_map(self, lp):
        w = self._channel_weights(lp)
        return combine(lp.activations, w), w
