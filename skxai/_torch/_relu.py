"""ReLU backward rules (guided backprop, deconvnet) applied through module hooks for one block."""

from __future__ import annotations

import contextlib

import torch
from torch import nn

from skxai._torch._model import (
    HookSet,
    exported_error,
    func_transform_error,
    in_func_transform,
    is_exported,
    parametrization_modules,
    scripted_error,
    scripted_modules,
)
from skxai._torch._trace import input_dependent_calls, unhooked_calls

RELU_FUNCTIONS = ("relu", "relu_")

# Activation modules the ReLU rules do not reach (nn.ReLU subclasses included: their forward
# may differ, and the hooks are installed on nn.ReLU itself only).
_OTHER_ACTIVATIONS = (
    nn.ReLU, nn.ReLU6, nn.LeakyReLU, nn.PReLU, nn.RReLU, nn.ELU, nn.SELU, nn.CELU, nn.GELU,
    nn.SiLU, nn.Mish, nn.Sigmoid, nn.Tanh, nn.Softplus, nn.Softsign, nn.Hardtanh, nn.Hardsigmoid,
    nn.Hardswish, nn.LogSigmoid, nn.Tanhshrink, nn.Threshold, nn.Hardshrink, nn.Softshrink,
)  # fmt: skip


def other_activation_modules(model):
    """``{name: module}`` of the activation modules the ReLU rules do not reach (crossed with
    their plain gradient): every :data:`_OTHER_ACTIVATIONS` module but an exact ``nn.ReLU``, the
    output activation :class:`TorchModel` handles and the parametrizations' modules."""
    params = parametrization_modules(model.module)  # computing weights, not activations
    final = model._final  # the output activation: passed plainly by every rule
    return {
        name: m
        for name, m in model.module.named_modules()
        if m is not final and type(m) is not nn.ReLU and isinstance(m, _OTHER_ACTIVATIONS) and id(m) not in params
    }


def warn_other_activations(model, owner, what="the result", n_relu=None, x=None):
    """Warn (at the caller) that ``model``'s other activation modules are crossed with their plain
    gradient by ``owner``'s ReLU rule, so ``what`` mixes in (or, without ReLUs, is) the plain
    gradient: on a GELU / LeakyReLU / tanh network nothing else would tell. ``n_relu``: the count
    of nn.ReLU modules the rule does reach, said in the message when given. A network without
    ReLU modules is warned about too, unless it is linear on the inputs ``x`` (a logistic
    regression's gradient is the method's result, and nothing is lost)."""
    from skxai.utils._warnings import warn_at_caller

    other = [f"{name} ({type(m).__name__})" for name, m in other_activation_modules(model).items()]
    if not other:
        relus = n_relu if n_relu is not None else sum(type(m) is nn.ReLU for m in model.module.modules())
        if relus == 0 and not _linear_in(model, x):
            # a functional torch.tanh, an LSTM: no activation module to name, and the result was
            # the plain gradient without a word
            warn_at_caller(
                f"{owner} applies its rule at nn.ReLU modules only, and this network has none (its "
                "nonlinearities are functions in forward or inside other layers, such as an LSTM's): "
                f"{what} is the plain gradient (GradientExplainer).",
                UserWarning,
            )
        return
    here = "" if n_relu is None else f" ({n_relu} here)"
    warn_at_caller(
        f"{owner} applies its rule at nn.ReLU modules only{here}; the network's other activation "
        f"module(s) {other[:5]}{' ...' if len(other) > 5 else ''} are crossed with their plain gradient, "
        f"so {what} mixes in (or, without ReLUs, is) the plain gradient (GradientExplainer).",
        UserWarning,
    )


def _linear_in(model, x):
    """Whether ``model``'s output is linear in its input around the rows ``x`` (its gradient the
    same at a row and at another point); False when ``x`` is None or the check cannot run."""
    if x is None or not x.is_floating_point() or x.shape[0] == 0:
        return False
    points = torch.cat([x[:1], 2.0 * x[:1] + 1.0])
    try:
        with model.prepared(), torch.enable_grad():
            path = points.detach().clone().requires_grad_(True)
            (grad,) = torch.autograd.grad(model.logits(path).sum(), path)
    except (RuntimeError, ValueError, TypeError):
        return False
    return bool(torch.allclose(grad[0], grad[1], rtol=1e-5, atol=1e-8))


def relu_hooks_reach(model, X, owner):
    """Refuse a network whose ``nn.ReLU`` modules take no hooks (exported, or TorchScript inside),
    then count the relu calls in ``forward`` that module hooks miss (functional ones).

    Returns ``(x, counts)``: two rows of ``X`` as a tensor (a network may need a batch of two:
    ``squeeze`` of the batch axis) and ``{call: count}`` of the missed calls (empty: none).
    """
    what = "hooks on the network's nn.ReLU modules"
    if is_exported(model.module):
        raise exported_error(owner, what)
    scripted = scripted_modules(model.module)
    if scripted:
        # the rule's hooks find no nn.ReLU module there: the plain gradient would come back
        raise scripted_error(owner, scripted, what)
    x = model.to_tensor(X[:2])
    with model.prepared():
        # relu calls on input-dependent tensors only: a relu of parameters (a scale kept
        # non-negative) is no activation the rules miss, and was refused by name
        counts = input_dependent_calls(model, x, RELU_FUNCTIONS, (nn.ReLU,))
        if counts is None:  # integer inputs: no dependence to follow, every call counts
            counts = unhooked_calls(model, x, RELU_FUNCTIONS, (nn.ReLU,))
    return x, counts


def in_place_result(module, x, result):
    """What a hook returns for ``module`` called on ``x`` when its rule computed ``result``.

    The hooks run an in-place module (``ReLU(inplace=True)``) on a copy, so that the rule sees
    its input; but a network may call it for its effect alone (``self.relu(h)``, then read
    ``h``), so ``result`` is written back into ``x``, as the module would have done, and ``x``
    returned: autograd then routes the later reads of ``h`` through the rule too.
    """
    if not getattr(module, "inplace", False):
        return result
    return x.copy_(result)


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
        return in_place_result(m, x, _ReluRule.apply(x, guided))

    params = parametrization_modules(module)  # a ReLU keeping weights positive is no activation
    with HookSet() as hooks:
        for m in module.modules():
            if type(m) is nn.ReLU and id(m) not in params:
                hooks.forward_pre(m, pre)  # last: it sees the input the user's pre-hooks give the ReLU
                # first: the rule replaces the ReLU's own output, and the user's hooks act on it
                # as they do on the ReLU's (appended, it replaced their output by clamp(x))
                hooks.forward(m, post, prepend=True)
        yield fired
