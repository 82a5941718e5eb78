"""Ablation-CAM (Desai & Ramaswamy, 2020): weights from the score drop when a channel is zeroed."""

from __future__ import annotations

import math
import numbers

import torch

from skxai._torch._capture import LayerCapture
from skxai._torch._model import HookSet
from skxai.cam._base import BaseCamExplainer, like_layout
from skxai.utils._param_validation import Interval


class AblationCamExplainer(BaseCamExplainer):
    """Ablation-CAM: ``w_k = (y_c - y_c^{(k)}) / y_c`` with ``y_c^{(k)}`` the score when
    channel ``k`` of the layer is set to ``ablation_value``.

    All ``n x K`` ablations of a batch are forwarded together, ``batch_size`` rows per call
    (fewer when the network's largest layer would exceed about 2 million values).
    The network before the layer runs once per image, not once per ablated channel: a hook
    on the layer expands each image's activations into its ablated copies, and only the rest
    of the network sees the larger batch. Networks whose later layers reuse tensors from
    before the layer with the original batch size (skip connections around the layer) are
    detected by the shape error and then forwarded with the images repeated instead; a layer
    the output does not depend on is refused by name, as by Grad-CAM (its map was 0). A
    channel that already equals ``ablation_value`` everywhere (a dead ReLU channel) is not
    forwarded: its ablation changes nothing, so its weight is exactly 0.

    Parameters
    ----------
    ablation_value : float, default=0.0
        Value given to the ablated channel (the paper's zero).
    estimator, target_layer, target, response_method, relu, normalize, upsample, batch_size, scoring, verbose
        As in :class:`~skxai.GradCamExplainer`; ``batch_size`` bounds the ablated copies
        per forward pass.

    Examples
    --------
    >>> import torch
    >>> from torch import nn
    >>> from skxai import AblationCamExplainer
    >>> net = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(),
    ...                     nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 3))
    >>> X = torch.randn(3, 1, 8, 8)
    >>> AblationCamExplainer(net, target_layer="1").fit(X).explain(X).weights.shape
    (3, 4)
    """

    _uses_gradients = False
    _perturbs = True
    # finite: a NaN or infinite channel made the network's outputs NaN, which the model was blamed for
    _parameter_constraints = {
        **BaseCamExplainer._parameter_constraints,
        "ablation_value": [Interval(numbers.Real, -math.inf, math.inf, closed="neither")],
    }

    def __init__(
        self,
        estimator,
        *,
        ablation_value=0.0,
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
        self.ablation_value = ablation_value

    def _ablated_scores(self, lp, pairs, expand):
        """Scores of the (sample, channel) ``pairs`` ablated, in one forward pass."""
        owner, chan = pairs // lp.activations.shape[1], pairs % lp.activations.shape[1]
        first, last = int(owner[0]), int(owner[-1]) + 1
        # The images the pairs belong to, and each pair's row among them. An image of the
        # range with no pair (every channel already at the ablation value) is left out: fed
        # anyway, a skip connection around the layer whose batch then happened to match the
        # pairs' was added to the pairs row by row, to the wrong images' ablations.
        uniq, inv = torch.unique_consecutive(owner, return_inverse=True)
        if uniq.shape[0] == last - first:
            images, idx = lp.x[first:last], owner - first
        else:
            images, idx = like_layout(lp.x[uniq], lp.x), inv
        value = float(self.ablation_value)
        rows = torch.arange(pairs.shape[0], device=pairs.device)
        module = self.model_.module

        def feed_images(m, args):
            # The adapter sizes its output by the batch it is given (one row per pair, a
            # zero-stride view); the network itself only runs on the distinct images.
            return (images.clone(),) + tuple(args[1:])  # a copy: a forward may work in place on it

        def ablate(out):
            act = out[idx] if expand else out.clone()
            act[rows, chan] = value
            return act

        with HookSet() as hooks, LayerCapture(lp.layer, lp.name, edit=ablate), torch.no_grad():
            if expand:
                # first of the network's pre-hooks: a user's own (an input normalisation) then
                # acts on the images as in any forward; appended last, it replaced their output
                hooks.forward_pre(module, feed_images, prepend=True)
                x = lp.x[first : first + 1].expand((pairs.shape[0],) + tuple(lp.x.shape[1:]))
            else:
                x = like_layout(lp.x[owner], lp.x)
            y = self.model_.forward(x)
        if y.shape != (pairs.shape[0], lp.outputs.shape[1]):
            raise RuntimeError(f"ablated batch gave outputs of shape {tuple(y.shape)}")
        return y.gather(1, lp.targets[owner, None])[:, 0]

    def _check_layer_reaches_output(self, lp):
        """Refuse the layer when the first image's explained score does not depend on it."""
        with LayerCapture(lp.layer, lp.name, grad=True) as cap, torch.enable_grad():
            score = self.model_.forward(lp.x[:1].clone())[0, lp.targets[0]]
            reached = score.requires_grad and (
                torch.autograd.grad(score, cap.activations, allow_unused=True)[0] is not None
            )
            if not reached and cap.ran_with_gradients:
                raise cap.not_reached_error()

    def _channel_weights(self, lp):
        n, k = lp.activations.shape[:2]
        y = lp.outputs.gather(1, lp.targets[:, None])
        # A channel already equal to the ablation value everywhere (a dead ReLU channel when
        # ablating to 0) is left unchanged by its ablation: its score is the original one.
        flat = lp.activations.reshape(n * k, -1)
        noop = (flat == float(self.ablation_value)).all(dim=1)
        scores = y.repeat_interleave(k, dim=0)[:, 0].clone()
        pairs = torch.nonzero(~noop)[:, 0]
        bs = self._rows_per_call(lp)
        expand = True
        for s in range(0, pairs.shape[0], bs):
            chunk = pairs[s : s + bs]
            if expand:
                try:
                    scores[chunk] = self._ablated_scores(lp, chunk, True)
                    continue
                except RuntimeError:  # a skip connection around the layer
                    expand = False
                except ValueError:
                    # the output has a row per image, not per ablation: the layer may not reach
                    # the output, whose ablations then change nothing (a map of 0, or of the
                    # rounding of a forward batched otherwise: -6e-8); refused as Grad-CAM does
                    self._check_layer_reaches_output(lp)
                    expand = False
            scores[chunk] = self._ablated_scores(lp, chunk, False)
        drop = y - scores.reshape(n, k)
        zero = (y == 0)[:, 0]
        if bool(zero.any()):
            # (y - y_k) / y with y = 0 made every weight of the sample NaN (0 / 0) or infinite:
            # an ablation that changes nothing gets 0; a change relative to a score of 0 has no
            # value, and is refused by name instead of returning a NaN map
            moved = zero & (drop != 0).any(dim=1)
            if bool(moved.any()):
                rows = torch.nonzero(moved)[:, 0].tolist()
                raise ValueError(
                    f"The explained score is 0 for {len(rows)} sample(s) of the batch (rows {rows[:10]}) "
                    "while ablating channels changes it: Ablation-CAM's weights (y - y_k) / y are "
                    "undefined there. Explain another output (target) or quantity (response_method)."
                )
            return torch.where(zero[:, None], torch.zeros_like(drop), drop / torch.where(zero[:, None], 1.0, y))
        return drop / y
