"""XGrad-CAM (Fu et al., 2020): gradients averaged with the activations as weights."""

from __future__ import annotations

import torch

from skxai.cam._base import BaseCamExplainer, spatial_axes


class XGradCamExplainer(BaseCamExplainer):
    """XGrad-CAM: ``w_k = sum_ij (A_kij / sum_ab A_kab) d y_c / d A_kij``.

    A channel whose activations sum to 0 (a dead channel) gets ``w_k = 0``; no other guard,
    so the weights do not depend on the activations' scale. pytorch-grad-cam adds ``1e-7`` to
    the sum instead (torchcam ``1e-8``), and differs from the formula when the sums are small.

    Parameters
    ----------
    estimator, target_layer, target, response_method, relu, normalize, upsample, batch_size, scoring, verbose
        As in :class:`~skxai.GradCamExplainer`.

    Examples
    --------
    >>> import torch
    >>> from torch import nn
    >>> from skxai import XGradCamExplainer
    >>> net = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(),
    ...                     nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 3))
    >>> X = torch.randn(3, 1, 8, 8)
    >>> XGradCamExplainer(net, target_layer="1").fit(X).explain(X).weights.shape
    (3, 4)
    """

    def _channel_weights(self, lp):
        axes = spatial_axes(lp.activations)
        total = lp.activations.sum(dim=axes)
        # Only a zero sum (a dead channel, 0/0) is guarded, with weight 0. pytorch-grad-cam's
        # additive 1e-7 made the weights depend on the activations' scale, which the formula's do
        # not: on a MobileNetV3 with channel sums of 1e-11 to 1e-4 the maps were 14-100% off.
        live = total != 0
        weighted = (lp.gradients * lp.activations).sum(dim=axes)
        return torch.where(live, weighted / torch.where(live, total, torch.ones_like(total)), torch.zeros_like(total))
