"""HiResCAM (Draelos & Carin, 2020): gradients times activations, summed over channels."""

from __future__ import annotations

from skxai.cam._base import BaseCamExplainer


class HiResCamExplainer(BaseCamExplainer):
    """HiResCAM: ``sum_k G_k * A_k`` elementwise (``G = d y_c / d A``).

    Unlike Grad-CAM's averaged weights, the elementwise product keeps where the gradient
    acts, so on a network ending in global average pooling and a linear layer the map sums
    to the target logit minus its bias. ``explain`` reports the gradients as ``weights``
    (shape ``(n, K, *s)``).

    Parameters
    ----------
    estimator, target_layer, target, response_method, relu, normalize, upsample, batch_size, scoring, verbose
        As in :class:`~skxai.GradCamExplainer`.

    Examples
    --------
    >>> import torch
    >>> from torch import nn
    >>> from skxai import HiResCamExplainer
    >>> net = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(),
    ...                     nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 3))
    >>> X = torch.randn(2, 1, 8, 8)
    >>> exp = HiResCamExplainer(net, target_layer="1").fit(X).explain(X)
    >>> exp.raw_map.shape, exp.weights.shape
    ((2, 8, 8), (2, 4, 8, 8))
    """

    def _layer_map(self, lp):
        return (lp.gradients * lp.activations).sum(dim=1), lp.gradients
