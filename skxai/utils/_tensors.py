"""Tensors to numpy without importing torch at module level."""

from __future__ import annotations


def tensor_to_numpy(t):
    """A tensor's values as a numpy array on the host.

    Floating dtypes numpy lacks (bfloat16, float8) go through float32, which holds every
    value of theirs exactly: ``Tensor.numpy()`` raised "Got unsupported ScalarType BFloat16".
    """
    import torch

    t = t.detach().cpu()
    if t.is_floating_point() and t.dtype not in (torch.float16, torch.float32, torch.float64):
        t = t.float()
    return t.numpy()
