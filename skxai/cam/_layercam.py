"""Layer-CAM (Jiang et al., 2021): positive gradients times activations, per position."""

from __future__ import annotations

import torch

from skxai.cam._base import BaseCamExplainer


class LayerCamExplainer(BaseCamExplainer):
    """Layer-CAM: ``sum_k ReLU(G_k) * A_k`` elementwise (``G = d y_c / d A``).

    Works on early, high-resolution layers where Grad-CAM's averaged weights blur.
    ``explain`` reports ``ReLU(G)`` as ``weights`` (shape ``(n, K, *s)``).

    Parameters
    ----------
    estimator, target_layer, target, response_method, relu, normalize, upsample, batch_size, scoring, verbose
        As in :class:`~skxai.GradCamExplainer`.

    Examples
    --------
    >>> import torch
    >>> from torch import nn
    >>> from skxai import LayerCamExplainer
    >>> net = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(),
    ...                     nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 3))
    >>> X = torch.randn(2, 1, 8, 8)
    >>> bool((LayerCamExplainer(net).fit(X).transform(X) >= 0).all())
    True
    """

    def _layer_map(self, lp):
        w = torch.relu(lp.gradients)
        return (w * lp.activations).sum(dim=1), w
