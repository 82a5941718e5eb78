"""Import helpers for the peer libraries used in comparison tests and benchmarks.

PyPI's torchvision 0.28.0 is a CUDA build whose C++ operators do not load beside the CPU
torch 2.13.0; the peers (pytorch-grad-cam, torchcam, zennit) only need its Python parts.
Registering the two missing operator schemas lets ``import torchvision`` succeed. This
workaround lives here, in the test/benchmark helpers, never in skxai itself.
"""

from __future__ import annotations

import importlib

_PATCHED = False


def patch_torchvision():
    """Define ``torchvision::nms`` and ``torchvision::qnms`` schemas so torchvision imports."""
    global _PATCHED
    if _PATCHED:
        return
    import torch

    lib = torch.library.Library("torchvision", "FRAGMENT")
    for schema in (
        "nms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor",
        "qnms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor",
    ):
        try:
            lib.define(schema)
        except RuntimeError:
            pass
    patch_torchvision._lib = lib  # keep the library object alive
    _PATCHED = True


def import_peer(name):
    """Import a peer module, or skip the calling test when it is not installed."""
    import pytest

    if name.split(".")[0] in ("pytorch_grad_cam", "torchcam", "zennit", "torchvision", "quantus"):
        try:
            patch_torchvision()
        except ImportError as exc:  # torch absent
            pytest.skip(f"{name} needs torch: {exc}")
    # Only a missing peer skips: any other error while importing it is a failure to see,
    # not a reason to hide the comparison (issue 17).
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        pytest.skip(f"peer {name} is not installed here: {exc}")
