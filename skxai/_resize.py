"""The one linear resizer of maps (CAM upscaling, metrics, pictures); numpy or torch, no torch needed.

Linear interpolation along each spatial axis with pixel centres aligned
(``align_corners=False``), the convention of ``torch.nn.functional.interpolate`` in
``linear`` / ``bilinear`` / ``trilinear`` mode, of pytorch-grad-cam's ``cv2.resize`` and of
torchcam. Linear interpolation is separable, so a resize is one small interpolation matrix
per axis applied in turn; the same matrices serve numpy arrays and torch tensors (on the
tensor's device and dtype), so every family upsamples identically.
"""

from __future__ import annotations

import numpy as np

__all__ = ["interpolation_matrix", "resize_linear"]


def interpolation_matrix(n_in, n_out):
    """``(n_out, n_in)`` matrix of linear interpolation with pixel centres aligned.

    Examples
    --------
    >>> from skxai._resize import interpolation_matrix
    >>> interpolation_matrix(2, 4) @ [0.0, 4.0]
    array([0., 1., 3., 4.])
    """
    scale = n_in / n_out
    src = np.clip((np.arange(n_out) + 0.5) * scale - 0.5, 0, None)
    lo = np.minimum(np.floor(src).astype(int), n_in - 1)
    hi = np.minimum(lo + 1, n_in - 1)
    frac = src - lo
    M = np.zeros((n_out, n_in))
    np.add.at(M, (np.arange(n_out), lo), 1 - frac)
    np.add.at(M, (np.arange(n_out), hi), frac)
    return M


def resize_linear(maps, size):
    """Resize maps ``(n, *s)`` to ``(n, *size)`` by linear interpolation along each axis.

    Parameters
    ----------
    maps : ndarray or torch.Tensor of shape (n, *s)
        One, two or three spatial axes after the sample axis.
    size : tuple of int
        Target spatial shape, one entry per spatial axis.

    Returns
    -------
    ndarray or torch.Tensor of shape (n, *size)
        The same kind as ``maps`` (``maps`` itself when the size already matches).

    Examples
    --------
    >>> import numpy as np
    >>> from skxai._resize import resize_linear
    >>> resize_linear(np.array([[[0.0, 4.0]]]), (1, 4))
    array([[[0., 1., 3., 4.]]])
    """
    size = tuple(int(s) for s in size)
    shape = tuple(maps.shape[1:])
    if shape == size:
        return maps
    if len(size) not in (1, 2, 3) or len(shape) != len(size):
        raise ValueError(
            f"Cannot resize maps of shape {tuple(maps.shape)} to {size}: 1-, 2- or 3-D maps "
            "with one target size per spatial axis are supported."
        )
    is_numpy = isinstance(maps, np.ndarray)
    out = maps
    for axis, (n_in, n_out) in enumerate(zip(shape, size, strict=True), start=1):
        if n_in == n_out:
            continue
        M = interpolation_matrix(n_in, n_out)
        if is_numpy:
            out = np.moveaxis(np.tensordot(M, out, axes=([1], [axis])), 0, axis)
        else:
            import torch

            Mt = torch.as_tensor(M, dtype=out.dtype, device=out.device)
            out = torch.movedim(torch.tensordot(Mt, out, dims=([1], [axis])), 0, axis)
    return out
