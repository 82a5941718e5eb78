"""Map post-processing shared by every CAM: ReLU, per-map min-max, upscaling to the input size."""

from __future__ import annotations

_MODES = {1: "linear", 2: "bilinear", 3: "trilinear"}


def upsample(maps, size):
    """Interpolate maps ``(n, *s)`` to ``(n, *size)``.

    Linear interpolation along each spatial axis (``linear`` for 1-D convolutions, ``bilinear``
    for 2-D, ``trilinear`` for 3-D) with ``align_corners=False``: pixel centres are aligned,
    so a map of a stride-``r`` layer lands on the pixels it summarises, as in
    pytorch-grad-cam's ``cv2.resize`` and torchcam's ``interpolate`` calls.

    Parameters
    ----------
    maps : torch.Tensor of shape (n, *s)
    size : tuple of int
        Target spatial shape, same length as ``s``.

    Returns
    -------
    torch.Tensor of shape (n, *size)
    """
    import torch.nn.functional as F

    size = tuple(int(s) for s in size)
    if tuple(maps.shape[1:]) == size:
        return maps
    mode = _MODES.get(len(size))
    if mode is None or maps.ndim - 1 != len(size):
        raise ValueError(
            f"Cannot upsample maps of shape {tuple(maps.shape)} to {size}: 1-, 2- or 3-D maps "
            "with one target size per spatial axis are supported."
        )
    return F.interpolate(maps[:, None], size=size, mode=mode, align_corners=False)[:, 0]


def minmax(maps, eps=1e-12):
    """Per-map min-max scaling to [0, 1]; a constant map becomes all zeros."""
    flat = maps.reshape(maps.shape[0], -1)
    lo = flat.min(dim=1, keepdim=True).values
    hi = flat.max(dim=1, keepdim=True).values
    span = hi - lo
    scaled = (flat - lo) / span.clamp_min(eps)
    scaled = scaled.masked_fill(span <= eps, 0.0)
    return scaled.reshape(maps.shape)


def postprocess(maps, *, relu, normalize, size):
    """Apply, in the course's order, ReLU then upscaling then min-max scaling.

    Upscaling before the min-max matters: bilinear interpolation does not reach the extremes
    of the coarse map, so scaling last is what puts every output map exactly on [0, 1].
    """
    import torch

    if relu:
        maps = torch.relu(maps)
    if size is not None:
        maps = upsample(maps, size)
    if normalize:
        maps = minmax(maps)
    return maps
