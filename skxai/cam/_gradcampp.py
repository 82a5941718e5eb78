"""Grad-CAM++ (Chattopadhay et al., 2018): pixel-weighted positive gradients."""

from __future__ import annotations

import torch

from skxai.cam._base import BaseCamExplainer, spatial_axes

_EPS = 1e-6  # pytorch-grad-cam's


class GradCamPlusPlusExplainer(BaseCamExplainer):
    """Grad-CAM++: ``w_k = sum_ij alpha_kij ReLU(G_kij)`` with
    ``alpha = G^2 / (2 G^2 + (sum_ab A_kab) G^3)`` (0 where ``G = 0``).

    The closed form for ``alpha`` (equation 19 of the paper) is exact when the explained
    score is ``exp`` of the logit, which is how the higher derivatives reduce to powers of
    the first. Parameters as in :class:`~skxai.GradCamExplainer`.

    Examples
    --------
    >>> import torch
    >>> from torch import nn
    >>> from skxai import GradCamPlusPlusExplainer
    >>> net = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(),
    ...                     nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 3))
    >>> X = torch.randn(3, 1, 8, 8)
    >>> GradCamPlusPlusExplainer(net).fit(X).transform(X).shape
    (3, 8, 8)
    """

    def _channel_weights(self, lp):
        G, A = lp.gradients, lp.activations
        axes = spatial_axes(A)
        g2 = G * G
        g3 = g2 * G
        total = A.sum(dim=axes, keepdim=True)
        alpha = g2 / (2 * g2 + total * g3 + _EPS)
        alpha = torch.where(G != 0, alpha, torch.zeros_like(alpha))
        return (alpha * torch.relu(G)).sum(dim=axes)
