"""Find nonlinear functional calls that module hooks cannot reach (``F.relu`` in ``forward``)."""

from __future__ import annotations

from collections import Counter

import torch
from torch.overrides import TorchFunctionMode

from skxai._torch._model import HookSet


class _Counter(TorchFunctionMode):
    def __init__(self, names, depth, counts):
        super().__init__()
        self.names = names
        self.depth = depth
        self.counts = counts

    def __torch_function__(self, func, types, args=(), kwargs=None):
        name = getattr(func, "__name__", "")
        if self.depth[0] == 0 and name in self.names:
            self.counts[name] += 1
        return func(*args, **(kwargs or {}))


def unhooked_calls(model, x, names, handled):
    """Count calls of the torch functions ``names`` made outside modules of ``handled`` types.

    One no-grad forward pass of ``x`` (a sample or two is enough) under a
    ``TorchFunctionMode``; calls made inside a module whose type is in ``handled`` are not
    counted, since the explainer's hooks replace them. Returns a ``Counter``.
    """
    depth = [0]
    counts = Counter()

    def enter(m, inp):
        depth[0] += 1

    def leave(m, inp, out):
        depth[0] -= 1

    with HookSet() as hooks:
        for m in model.module.modules():
            if isinstance(m, handled):
                hooks.add(m.register_forward_pre_hook(enter))
                hooks.add(m.register_forward_hook(leave))
        with torch.no_grad(), _Counter(frozenset(names), depth, counts):
            model.logits(x)
    return counts
