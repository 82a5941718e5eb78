"""Map post-processing shared by every CAM: ReLU, per-map min-max, upscaling to the input size."""

from __future__ import annotations

from skxai._resize import resize_linear


def upsample(maps, size):
    """Interpolate maps ``(n, *s)`` to ``(n, *size)`` with the shared resizer.

    Linear interpolation along each spatial axis with ``align_corners=False``
    (:func:`skxai._resize.resize_linear`, the resizer of the metrics too): pixel centres are
    aligned, so a map of a stride-``r`` layer lands on the pixels it summarises, as in
    pytorch-grad-cam's ``cv2.resize`` and torchcam's ``interpolate`` calls.
    """
    return resize_linear(maps, size)


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
