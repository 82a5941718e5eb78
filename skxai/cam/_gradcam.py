"""Grad-CAM (Selvaraju et al., 2017): channel weights are the spatially averaged gradients."""

from __future__ import annotations

from skxai.cam._base import BaseCamExplainer, spatial_axes


class GradCamExplainer(BaseCamExplainer):
    """Grad-CAM: ``ReLU(sum_k w_k A_k)`` with ``w_k = mean_ij d y_c / d A_kij``.

    Parameters
    ----------
    estimator : torch.nn.Module or skorch net
    target_layer : str or torch.nn.Module, default=None
        Dotted module name (or the module); None takes the last convolution moved past the elementwise
        layers after it (see :class:`~skxai.cam.BaseCamExplainer`).
    target : label, "predicted", array or None, default=None
    response_method : {"auto", "predict_proba", "decision_function", "predict"}, default="auto"
        ``"auto"``: probabilities of classifiers, a plain module's own output;
        ``"decision_function"``: the logits (pytorch-grad-cam's choice).
    relu, normalize, upsample : bool, default=True, False, True
        Post-processing of the raw map (see :class:`~skxai.cam.BaseCamExplainer`).
    batch_size : int or None, default=256
        Most images per forward pass; None means 256, the default (see
        :class:`~skxai.cam.BaseCamExplainer`).
    scoring : str or callable, default=None
    verbose : int, default=0

    Examples
    --------
    >>> import torch
    >>> from torch import nn
    >>> from skxai import GradCamExplainer
    >>> net = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(),
    ...                     nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 3))
    >>> X = torch.randn(5, 1, 8, 8)
    >>> GradCamExplainer(net, target_layer="0").fit(X).transform(X).shape
    (5, 8, 8)
    """

    def _channel_weights(self, lp):
        return lp.gradients.mean(dim=spatial_axes(lp.gradients))
