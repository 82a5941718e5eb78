"""Grad-CAM++ (Chattopadhay et al., 2018): pixel-weighted positive gradients."""

from __future__ import annotations

import torch

from skxai.cam._base import BaseCamExplainer, spatial_axes


class GradCamPlusPlusExplainer(BaseCamExplainer):
    """Grad-CAM++: ``w_k = sum_ij alpha_kij ReLU(G_kij)`` with
    ``alpha = G^2 / (2 G^2 + (sum_ab A_kab) G^3)`` (0 where ``G = 0``).

    The closed form for ``alpha`` (equation 19 of the paper) is exact when the explained
    score is ``exp`` of the logit, which is how the higher derivatives reduce to powers of
    the first.

    ``alpha`` follows the formula exactly; only the 0/0 case (``G = 0``, or a zero
    denominator) gives ``alpha = 0``. pytorch-grad-cam adds a fixed ``1e-6`` (1.5.7; 1e-7 in
    some versions) to the denominator instead: with small gradients, common after global pooling
    or on probabilities, that constant dominates ``2 G^2`` and its weights drift from the
    formula (at a median ``|G|`` of 1e-4 they are mostly the epsilon's). Here a change of
    the gradients' scale alone changes the weights only as the formula does, so skxai and
    pytorch-grad-cam agree only when gradients are large. torchcam 0.5's ``GradCAMpp`` does
    not compute this ``alpha``: its in-place division acts on a copy (its weights come out as
    ``sum_ij G^2 ReLU(G)``) and its denominator uses ``sum_ab A_kab G_kab^3``; skxai does not
    follow it (``benchmarks/results/cam.md`` shows the gap).

    Parameters
    ----------
    estimator, target_layer, target, response_method, relu, normalize, upsample, batch_size, scoring, verbose
        As in :class:`~skxai.GradCamExplainer`.

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
        total = A.sum(dim=axes, keepdim=True)
        # G^2 / (2 G^2 + sum A G^3) reduced to 1 / (2 + sum A G) where G != 0: the powers of
        # small float32 gradients underflow (|G| < 1e-19 gave 0/0, so every weight was 0).
        # Guard only 0/0 (G = 0) and the measure-zero 2 + sum A G = 0: no additive epsilon, so
        # the weights do not depend on the gradients' scale beyond what the formula says.
        alpha = torch.where(G != 0, 1.0 / (2 + total * G), torch.zeros_like(G))
        alpha = torch.nan_to_num(alpha, posinf=0.0, neginf=0.0)
        return (alpha * torch.relu(G)).sum(dim=axes)
