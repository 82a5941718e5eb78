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


def minmax(maps, rtol=None):
    """Per-map min-max scaling to [0, 1]; a constant map becomes all zeros.

    A map is constant when its span is within rounding of its magnitude (``rtol``, default 16
    machine epsilons of its dtype, times its largest absolute value): relative, so that a map
    scaled by any factor (gradients 1e-12 times smaller after a rescaled logit layer) scales to
    the same result. An absolute 1e-12 turned every map with a span below it into zeros.
    """
    import torch

    flat = maps.reshape(maps.shape[0], -1)
    lo = flat.min(dim=1, keepdim=True).values
    hi = flat.max(dim=1, keepdim=True).values
    span = hi - lo
    if rtol is None:
        rtol = 16 * torch.finfo(flat.dtype).eps
    constant = span <= rtol * torch.maximum(hi.abs(), lo.abs())
    scaled = (flat - lo) / torch.where(constant, torch.ones_like(span), span)
    scaled = scaled.masked_fill(constant, 0.0)
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
