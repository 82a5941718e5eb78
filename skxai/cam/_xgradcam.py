"""XGrad-CAM (Fu et al., 2020): gradients averaged with the activations as weights."""

from __future__ import annotations

from skxai.cam._base import BaseCamExplainer, spatial_axes

_EPS = 1e-7  # pytorch-grad-cam's, so a dead channel (A = 0 everywhere) gets weight 0


class XGradCamExplainer(BaseCamExplainer):
    """XGrad-CAM: ``w_k = sum_ij (A_kij / sum_ab A_kab) d y_c / d A_kij``.

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
        return (lp.gradients * lp.activations).sum(dim=axes) / (total + _EPS)
