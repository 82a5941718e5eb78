"""ReLU backward rules (guided backprop, deconvnet) applied through module hooks for one block."""

from __future__ import annotations

import contextlib

import torch
from torch import nn

from skxai._torch._model import HookSet, func_transform_error, in_func_transform, parametrization_modules

RELU_FUNCTIONS = ("relu", "relu_")


class _ReluRule(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, guided):
        mask = x > 0
        ctx.save_for_backward(mask)
        ctx.guided = guided
        return x.clamp(min=0)

    @staticmethod
    def backward(ctx, grad):
        (mask,) = ctx.saved_tensors
        grad = grad.clamp(min=0)
        if ctx.guided:
            grad = grad * mask
        return grad, None


@contextlib.contextmanager
def relu_rule(module, rule):
    """Apply ``rule`` ("guided" or "deconv") at every ``nn.ReLU`` of ``module`` inside the block.

    Yields a one-item list counting how many ReLU calls were modified.
    """
    guided = rule == "guided"
    stash = {}
    fired = [0]

    def pre(m, inp):
        if in_func_transform():
            raise func_transform_error("The network's nn.ReLU modules run")
        x = inp[0]
        stash.setdefault(id(m), []).append(x)
        if m.inplace:
            return (x.clone(),)
        return None

    def post(m, inp, out):
        x = stash[id(m)].pop()
        fired[0] += 1
        return _ReluRule.apply(x, guided)

    params = parametrization_modules(module)  # a ReLU keeping weights positive is no activation
    with HookSet() as hooks:
        for m in module.modules():
            if type(m) is nn.ReLU and id(m) not in params:
                hooks.forward_pre(m, pre)
                hooks.forward(m, post)
        yield fired
