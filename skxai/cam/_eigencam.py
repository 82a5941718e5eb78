"""Eigen-CAM (Muhammad & Yeasin, 2020): the activations' first principal component."""

from __future__ import annotations

import torch

from skxai.cam._base import BaseCamExplainer


class EigenCamExplainer(BaseCamExplainer):
    """Eigen-CAM: projection of each position's activation vector on the first principal
    direction of the positions (activations centred per channel).

    The map ``sum_k v_k (A_k - mean(A_k))`` needs no gradient and no target: it shows what
    the layer responds to most, for any class. The sign of a principal direction is
    arbitrary; skxai fixes it so the map correlates positively with the mean activation over
    channels (so the ReLU keeps the strongly activated region). ``explain`` reports the
    direction ``v`` as ``weights`` ``(n, K)``.

    Parameters
    ----------
    estimator, target_layer, target, response_method, relu, normalize, upsample, batch_size, scoring, verbose
        As in :class:`~skxai.GradCamExplainer` (``target`` only names
        the output reported: the map is the same for every class).

    Examples
    --------
    >>> import torch
    >>> from torch import nn
    >>> from skxai import EigenCamExplainer
    >>> net = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(),
    ...                     nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 3))
    >>> X = torch.randn(3, 1, 8, 8)
    >>> EigenCamExplainer(net, target_layer="1").fit(X).transform(X).shape
    (3, 8, 8)
    """

    _uses_gradients = False

    def _layer_map(self, lp):
        A = lp.activations
        n, k = A.shape[:2]
        P = A.reshape(n, k, -1).transpose(1, 2)  # positions x channels
        P = P - P.mean(dim=1, keepdim=True)
        # Leading right singular vector of P = top eigenvector of the K x K Gram matrix, in
        # float64 (much cheaper than a batched SVD of the positions x channels matrices).
        # With fewer positions than channels (a deep layer: 7 x 7 positions, 2048 channels)
        # it comes from the smaller positions x positions Gram matrix, v = P^T u / |P^T u|:
        # the K x K ones of a batch of 256 held 8.6 GB (and as much again for eigh's
        # eigenvectors) for 100 MB of activations.
        Pd = P.double()
        if P.shape[1] < k:
            u = torch.linalg.eigh(Pd @ Pd.transpose(1, 2))[1][:, :, -1]
            vd = (Pd.transpose(1, 2) @ u[:, :, None])[:, :, 0]
            norm = vd.norm(dim=1, keepdim=True)
            # all-zero P (constant channels): the last unit vector, as eigh of a zero matrix gives
            last = torch.zeros_like(vd)
            last[:, -1] = 1.0
            v = torch.where(norm > 0, vd / torch.where(norm > 0, norm, 1.0), last).to(A.dtype)
        else:
            v = torch.linalg.eigh(Pd.transpose(1, 2) @ Pd)[1][:, :, -1].to(A.dtype)
        proj = (P @ v[:, :, None])[:, :, 0]
        # the map follows the mean activation, centred (and in float64): sum(proj) is 0 only up
        # to float32 rounding, which a large common offset of the activations (a conv bias of
        # 3,000) multiplied past the real correlation and flipped half the maps
        mean = A.mean(dim=1).reshape(n, -1).double()
        sign = torch.sign((proj.double() * (mean - mean.mean(dim=1, keepdim=True))).sum(dim=1)).to(A.dtype)
        sign = torch.where(sign == 0, torch.ones_like(sign), sign)
        proj = proj * sign[:, None]
        return proj.reshape((n,) + tuple(A.shape[2:])), v * sign[:, None]
