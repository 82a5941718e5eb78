"""DeepSHAP: DeepLIFT's rescale rule averaged over background references (Lundberg & Lee 2017).

Each explained sample ``x`` is paired with every background reference ``r``; a pair runs
through the network as two rows of one batch (``[x...; r...]``). Linear modules (linear,
convolutions, batch norm in eval, average pooling, dropout in eval, flatten, padding,
up-sampling and pixel / channel shuffles) keep their gradient, which is their exact
multiplier. Every other module is replaced, through a forward hook, by the same values
computed with a custom autograd function whose backward is a DeepLIFT multiplier:

- elementwise nonlinearities (ReLU, sigmoid, tanh, GELU, ...): ``delta_out / delta_in``
  (the local gradient where ``|delta_in| <= eps * max(|x_in|, |r_in|)``, equal up to rounding);
- max pooling: the output difference ``max(x) - max(r)`` is split between the argmax
  positions of ``x`` and ``r`` and divided by the input difference there (captum's rule,
  with overlapping windows summed; an input without a channel axis, ``(N, L)`` for
  ``MaxPool1d``, is pooled as the ``(N, 1, L)`` torch takes it for);
- softmax and log-softmax (modules, or the probability head): ``p_j = s_j / (s_j + c_j)``
  with ``s = exp(z)`` and ``c_j`` the sum of the other terms; the exp by the rescale rule, the
  sum linearly, and the division by the Shapley value of its two inputs ``(s_j, c_j)``, which
  has a closed form in the division's four corner values. Those values lie in [0, 1] and are
  computed from log-sums, so each part is bounded by 1 however far apart the sample's and the
  reference's logits are (splitting ``s_j / sum(s)`` between ``s_j`` and the whole sum instead
  gives parts of order ``exp(gap)`` that cancel). Log-softmax: ``z_j - log sum(s)``, the log
  by the rescale rule. Contributions add up exactly.

The multipliers chain like gradients, so for each pair the attributions ``(x - r) * m`` sum
to ``f(x) - f(r)``, and their mean over references to ``f(x) - E[f(background)]``.
"""

from __future__ import annotations

import contextlib
import math
import numbers

import torch
import torch.nn.functional as F
from torch import nn

from skxai._progress import closing_progress
from skxai._torch._capture import LayerCapture
from skxai._torch._explainer import BaseTorchExplainer, check_recorded, gradient_of
from skxai._torch._model import (
    HookSet,
    NonFiniteOutputError,
    _BinaryLogit,
    as_tensor,
    exported_error,
    is_exported,
    leaf_modules,
    parametrization_modules,
    scripted_error,
    scripted_modules,
)
from skxai._torch._relu import in_place_result
from skxai._torch._trace import (
    input_dependent_nonlinear_calls,
    off_batch_modules,
    relus_left_in_graph,
    unhooked_calls,
)
from skxai.utils._param_validation import Interval

_LINEAR = (
    nn.Linear,
    nn.Conv1d,
    nn.Conv2d,
    nn.Conv3d,
    nn.ConvTranspose1d,
    nn.ConvTranspose2d,
    nn.ConvTranspose3d,
    nn.BatchNorm1d,
    nn.BatchNorm2d,
    nn.BatchNorm3d,
    nn.Dropout,
    nn.Dropout1d,
    nn.Dropout2d,
    nn.Dropout3d,
    nn.AlphaDropout,
    nn.Flatten,
    nn.Unflatten,
    nn.Identity,
    nn.AvgPool1d,
    nn.AvgPool2d,
    nn.AvgPool3d,
    nn.AdaptiveAvgPool1d,
    nn.AdaptiveAvgPool2d,
    nn.AdaptiveAvgPool3d,
    nn.ZeroPad1d,
    nn.ZeroPad2d,
    nn.ZeroPad3d,
    nn.ConstantPad1d,
    nn.ConstantPad2d,
    nn.ConstantPad3d,
    nn.ReflectionPad1d,
    nn.ReflectionPad2d,
    nn.ReflectionPad3d,
    nn.ReplicationPad1d,
    nn.ReplicationPad2d,
    nn.ReplicationPad3d,
    # every interpolation mode is linear in the input, and so are rearrangements of it
    nn.Upsample,
    nn.PixelShuffle,
    nn.PixelUnshuffle,
    nn.ChannelShuffle,
    nn.Fold,
    nn.Unfold,
    _BinaryLogit,
) + tuple(getattr(nn, name) for name in ("CircularPad1d", "CircularPad2d", "CircularPad3d") if hasattr(nn, name))
_ELEMENTWISE = (
    nn.ReLU,
    nn.ReLU6,
    nn.LeakyReLU,
    nn.PReLU,
    nn.ELU,
    nn.SELU,
    nn.CELU,
    nn.GELU,
    nn.SiLU,
    nn.Mish,
    nn.Sigmoid,
    nn.Tanh,
    nn.Softplus,
    nn.Softsign,
    nn.Hardtanh,
    nn.Hardsigmoid,
    nn.Hardswish,
    nn.LogSigmoid,
    nn.Tanhshrink,
    nn.Threshold,
)
_MAXPOOL = (
    nn.MaxPool1d,
    nn.MaxPool2d,
    nn.MaxPool3d,
    nn.AdaptiveMaxPool1d,
    nn.AdaptiveMaxPool2d,
    nn.AdaptiveMaxPool3d,
)
_SOFTMAX = (nn.Softmax, nn.LogSoftmax)
_HANDLED = _ELEMENTWISE + _MAXPOOL + _SOFTMAX

# torch functions that are nonlinear: called outside the modules above they would be
# differentiated plainly, silently breaking the rescale rule.
_NONLINEAR_FUNCTIONS = (
    "relu", "relu_", "relu6", "leaky_relu", "leaky_relu_", "prelu", "elu", "elu_", "selu",
    "celu", "gelu", "silu", "mish", "sigmoid", "sigmoid_", "tanh", "tanh_", "softplus",
    "softsign", "hardtanh", "hardtanh_", "hardsigmoid", "hardswish", "logsigmoid",
    "softmax", "log_softmax", "max_pool1d", "max_pool2d", "max_pool3d",
    "max_pool1d_with_indices", "max_pool2d_with_indices", "max_pool3d_with_indices",
    "adaptive_max_pool1d", "adaptive_max_pool2d", "adaptive_max_pool3d", "exp", "log",
    "sqrt", "rsqrt", "pow", "square", "abs", "clamp", "clip", "maximum", "minimum",
    "layer_norm", "group_norm", "rms_norm",
    # functional activations, normalisations, distances and attention (F.glu, F.normalize,
    # F.scaled_dot_product_attention; nn.MultiheadAttention runs all of its softmax and
    # products inside multi_head_attention_forward, which hides them from the trace)
    "glu", "softmin", "hardshrink", "softshrink", "threshold", "threshold_", "_threshold", "rrelu",
    "rrelu_", "log_sigmoid", "tanhshrink", "clamp_", "clamp_min", "clamp_min_", "clamp_max",
    "clamp_max_", "clip_", "special_expit", "logit", "special_logit", "gumbel_softmax",
    "normalize", "instance_norm", "local_response_norm", "lp_pool1d", "lp_pool2d", "lp_pool3d",
    "cosine_similarity", "pairwise_distance", "cdist", "scaled_dot_product_attention",
    "multi_head_attention_forward", "_native_multi_head_attention",
)  # fmt: skip

_EPS = 1e-10


def _small(d):
    """``|d| < 1e-10``, or below the dtype's smallest normal number where that is larger: in
    float16 the 1e-10 itself rounds to 0, so a change of exactly 0 was not "small" and the
    rule divided 0 by 0 (every attribution NaN)."""
    return d.abs() < max(_EPS, torch.finfo(d.dtype).tiny)


def _small_change(xs, xr, diff=None):
    """Where the sample's and the reference's inputs ``xs`` and ``xr`` are equal up to
    rounding: ``|xs - xr| <= 1e-10 * max(|xs|, |xr|)``, or below the dtype's smallest normal
    number (as in ``_small``: float16's subnormal differences). ``diff``: ``xs - xr`` where the
    caller has it.

    Relative to the inputs, so that a layer's units do not matter: with an absolute 1e-10, a
    network whose first layer's outputs are 10^9 times smaller (and the next layer's weights
    10^9 times larger: the same function) took local gradients where the rescale rule
    applies, and its values moved by 3.7e-3 of the largest and no longer summed to
    f(x) - E[f(b)].

    In a dtype whose spacing is coarser than 1e-10 (float32, float16, bfloat16) two different
    normal numbers differ by more than 1e-10 of the larger (by at least 2^-24 of it, or their
    difference is below the smallest normal number), so the test is ``|xs - xr| < tiny``
    alone, the same booleans for a third of the work: the relative test was a third of
    DeepLift's call on a 3x64x64 CNN. Only where every difference is finite: an infinite input
    (inf <= 1e-10 * inf) or a NaN takes the relative test."""
    d = (xs - xr if diff is None else diff).abs()
    if torch.finfo(d.dtype).eps > 1e3 * _EPS and (d.numel() == 0 or bool(d.amax() < math.inf)):
        return d < torch.finfo(d.dtype).tiny
    dt = torch.promote_types(d.dtype, torch.float32)  # 1e-10 * scale underflows in float16
    scale = torch.maximum(xs.abs(), xr.abs()).to(dt)
    return (d.to(dt) <= _EPS * scale) | (d < torch.finfo(d.dtype).tiny)


def _halves(t):
    m = t.shape[0] // 2
    return t[:m], t[m:]


def _pad_ref(grad_x):
    """Gradient for both halves: the multipliers apply to the sample half only."""
    return torch.cat([grad_x, torch.zeros_like(grad_x)])


class _Rescale(torch.autograd.Function):
    """Elementwise nonlinearity: multiplier ``delta_out / delta_in``."""

    @staticmethod
    def forward(ctx, x, y, fn):
        ctx.save_for_backward(x, y)
        ctx.fn = fn
        return y.clone()

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        gx = _halves(grad)[0]
        xs, xr = _halves(x)
        ys, yr = _halves(y)
        d_in = xs - xr
        small = _small_change(xs, xr, d_in)
        out = gx * (ys - yr) / torch.where(small, torch.ones_like(d_in), d_in)
        if bool(small.any()):
            with torch.enable_grad():
                leaf = xs.detach().requires_grad_(True)
                (local,) = torch.autograd.grad(ctx.fn(leaf.clone()), leaf, gx)
            out = torch.where(small, local, out)
        return _pad_ref(out), None, None


def _pool_dims(module):
    """The number of pooled axes of a max-pooling module (1, 2 or 3)."""
    for dims, kinds in enumerate(
        (
            (nn.MaxPool1d, nn.AdaptiveMaxPool1d),
            (nn.MaxPool2d, nn.AdaptiveMaxPool2d),
            (nn.MaxPool3d, nn.AdaptiveMaxPool3d),
        ),
        start=1,
    ):
        if isinstance(module, kinds):
            return dims
    raise TypeError(f"{type(module).__name__} is not a max-pooling module.")


def _pool_indices(module, x):
    dims = _pool_dims(module)
    if isinstance(module, nn.AdaptiveMaxPool1d | nn.AdaptiveMaxPool2d | nn.AdaptiveMaxPool3d):
        fn = (F.adaptive_max_pool1d, F.adaptive_max_pool2d, F.adaptive_max_pool3d)[dims - 1]
        return fn(x, module.output_size, return_indices=True)[1]
    fn = (F.max_pool1d, F.max_pool2d, F.max_pool3d)[dims - 1]
    return fn(
        x,
        module.kernel_size,
        module.stride,
        module.padding,
        module.dilation,
        ceil_mode=module.ceil_mode,
        return_indices=True,
    )[1]


def _max_pool_rule(x, y, module):
    """:class:`_MaxPoolRule` on the input ``x`` and output ``y`` of a max-pooling ``module``.

    torch also pools a tensor without a channel axis (``MaxPool1d`` on ``(N, L)``,
    ``MaxPool2d`` on ``(N, H, W)``): it takes it for one unbatched ``(C, ...)`` input whose
    channels are the rows, so each row is still pooled on its own, as ``(N, 1, ...)`` would be.
    The rule pairs rows and pools over channels, so it runs on that one-channel layout (its
    pooling indices on the rows' own axes: taken as given, ``MaxPool2d`` on ``(N, 4, 4)``
    pooled one axis only and failed in the backward pass).
    """
    if x.ndim == _pool_dims(module) + 1:
        return _MaxPoolRule.apply(x.unsqueeze(1), y.unsqueeze(1), module).squeeze(1)
    return _MaxPoolRule.apply(x, y, module)


class _MaxPoolRule(torch.autograd.Function):
    """Max pooling: split ``max(x) - max(r)`` between the argmax positions of x and r."""

    @staticmethod
    def forward(ctx, x, y, module):
        if x.ndim != _pool_dims(module) + 2:  # (torch runs no other layout)
            raise ValueError(
                f"DeepShapExplainer cannot apply the max-pooling rule to {type(module).__name__} "
                f"on an input of shape {tuple(x.shape)}."
            )
        idx = _pool_indices(module, x)
        ctx.save_for_backward(x, y, idx)
        return y.clone()

    @staticmethod
    def backward(ctx, grad):
        x, y, idx = ctx.saved_tensors
        gx = _halves(grad)[0]
        xs, xr = _halves(x)
        ys, yr = _halves(y)
        ix, ir = _halves(idx)
        top = torch.maximum(ys, yr)
        m, c = xs.shape[:2]
        flat = (m, c, -1)
        contrib = torch.zeros(m, c, xs[0, 0].numel(), dtype=gx.dtype, device=gx.device)
        contrib.scatter_add_(2, ix.reshape(flat), (gx * (top - yr)).reshape(flat))
        contrib.scatter_add_(2, ir.reshape(flat), (gx * (ys - top)).reshape(flat))
        local = torch.zeros_like(contrib).scatter_add_(2, ix.reshape(flat), gx.reshape(flat))
        d_in = xs - xr
        small = _small_change(xs, xr, d_in).reshape(flat)
        d_in = d_in.reshape(flat)
        out = torch.where(small, local, contrib / torch.where(small, torch.ones_like(d_in), d_in))
        return _pad_ref(out.reshape(xs.shape)), None, None


def _log_terms(z, kind):
    """``log s`` and ``(ds/dz) / s`` of the normalised terms: ``s = exp(z)`` or ``sigmoid(z)``."""
    if kind == "exp":
        return z, torch.ones_like(z)
    return F.logsigmoid(z), torch.sigmoid(-z)


def _log_rest(log_s):
    """``log sum_{k != j} s_k`` for every j of the last axis, without cancellation or underflow:
    the total less ``s_j`` on the scale of the largest term, except for the largest term itself,
    whose others are summed on the scale of the second largest."""
    top = log_s.amax(dim=-1, keepdim=True)
    arg = log_s.argmax(dim=-1, keepdim=True)
    e = torch.exp(log_s - top)
    rest = top + torch.log(e.sum(dim=-1, keepdim=True) - e)
    others = log_s.scatter(-1, arg, -torch.inf)
    rest_top = torch.logsumexp(others, dim=-1, keepdim=True)
    return rest.scatter(-1, arg, rest_top)


def _exp_multiplier(s_x, s_r, d_in, small, dlog_x):
    """The rescale rule on ``s`` of ``z`` (``ds/dz`` at the sample where ``z`` barely moves)."""
    return torch.where(small, s_x * dlog_x, (s_x - s_r) / torch.where(small, 1.0, d_in))


def _sum_multiplier(part, log_c_x, log_c_r, scale, slope):
    """A sum's part over its change, both sums taken on the scale ``exp(scale)``; where the two
    sums agree to float precision, the local derivative ``slope / c`` at the sample."""
    c_x, c_r = torch.exp(log_c_x - scale), torch.exp(log_c_r - scale)
    d_c = c_x - c_r
    flat = d_c.abs() <= _EPS * torch.maximum(c_x, c_r)
    local = torch.where(c_x > 0, slope / torch.where(c_x > 0, c_x, 1.0), 0.0)
    return torch.where(flat, local, part / torch.where(flat, 1.0, d_c))


class _NormaliseRule(torch.autograd.Function):
    """``p = s / sum(s)`` over the last axis (``kind="exp"``: softmax; ``"sigmoid"``:
    one-vs-rest), or ``log p`` (``log=True``, softmax only); contributions sum exactly to the
    output difference and stay bounded by it (see the module docstring)."""

    @staticmethod
    def forward(ctx, z, kind, log):
        ctx.save_for_backward(z)
        ctx.kind, ctx.log = kind, log
        log_s = _log_terms(z, kind)[0]
        log_p = log_s - torch.logsumexp(log_s, dim=-1, keepdim=True)
        return log_p if log else torch.exp(log_p)

    @staticmethod
    def backward(ctx, grad):
        (z,) = ctx.saved_tensors
        g = _halves(grad)[0]
        if z.shape[-1] == 1:  # p = 1 (log p = 0) whatever z: nothing to pass on
            return _pad_ref(torch.zeros_like(g)), None, None
        log_s, dlog_s = _log_terms(z, ctx.kind)
        ls, lr = _halves(log_s)
        # the terms on one scale per pair (the larger half's largest term is 1), so that their
        # differences, the sums' differences and the rescale multipliers are those of s itself
        shift = torch.maximum(ls.amax(dim=-1, keepdim=True), lr.amax(dim=-1, keepdim=True))
        s = torch.exp(log_s - torch.cat([shift, shift]))
        ss, sr = _halves(s)
        zs, zr = _halves(z)
        d_in = zs - zr
        small = _small(d_in)
        dlog_x = _halves(dlog_s)[0]
        r = _exp_multiplier(ss, sr, d_in, small, dlog_x)
        d_s = ss - sr
        if ctx.log:
            # log p_j = z_j - log S: z_j passes linearly, log S by the rescale rule on S
            log_big_s = torch.logsumexp(ls, dim=-1, keepdim=True) - shift
            log_big_r = torch.logsumexp(lr, dim=-1, keepdim=True) - shift
            big_s, d_big = torch.exp(log_big_s), d_s.sum(dim=-1, keepdim=True)
            tiny = d_big.abs() <= _EPS * big_s  # <=: the bound underflows to 0 in float16
            ratio = torch.where(tiny, 1.0 / big_s, (log_big_s - log_big_r) / torch.where(tiny, 1.0, d_big))
            out = g - g.sum(dim=-1, keepdim=True) * ratio * r
            return _pad_ref(out), None, None
        # p_j = a / (a + c) with a = s_j and c the sum of the other terms: the Shapley split of
        # this function of two inputs, from its values at the four corners (each in [0, 1], so
        # the two parts are bounded by 1 whatever the scale of the terms)
        rest_s, rest_r = _log_rest(ls), _log_rest(lr)
        p_ss, p_rr = torch.sigmoid(ls - rest_s), torch.sigmoid(lr - rest_r)
        p_sr, p_rs = torch.sigmoid(ls - rest_r), torch.sigmoid(lr - rest_s)
        through_a = 0.5 * ((p_sr - p_rr) + (p_ss - p_rs))
        through_c = 0.5 * ((p_rs - p_rr) + (p_ss - p_sr))
        # own term: its part over its input difference (the local derivative when that is tiny)
        local_a = p_ss * torch.sigmoid(rest_s - ls) * dlog_x
        m_a = torch.where(small, local_a, through_a / torch.where(small, 1.0, d_in))
        # the other terms: the sum passes its part linearly, each term by the rescale rule on z
        slope_c = -p_ss * torch.sigmoid(rest_s - ls)  # d g / d c times c, at the sample
        m_c = _sum_multiplier(through_c, rest_s, rest_r, shift, slope_c)
        # the output whose own term is the pair's largest: the other terms' sums can lie below
        # the shared scale's range (all of them 0 there), so its part is passed on their own scale
        top = torch.where(
            ls.amax(dim=-1, keepdim=True) >= lr.amax(dim=-1, keepdim=True),
            ls.argmax(dim=-1, keepdim=True),
            lr.argmax(dim=-1, keepdim=True),
        )
        at_top = [t.gather(-1, top) for t in (through_c, rest_s, rest_r, slope_c)]
        scale_top = torch.maximum(at_top[1], at_top[2])
        r_top = _exp_multiplier(
            torch.exp(ls - scale_top).scatter(-1, top, 0.0),
            torch.exp(lr - scale_top).scatter(-1, top, 0.0),
            d_in,
            small,
            dlog_x,
        )
        m_top = _sum_multiplier(*at_top[:3], scale_top, at_top[3])
        gm_c = (g * m_c).scatter(-1, top, 0.0)
        out = g * m_a + r * (gm_c.sum(dim=-1, keepdim=True) - gm_c) + g.gather(-1, top) * m_top * r_top
        return _pad_ref(out), None, None


def _normalise(z, kind, dim=-1, log=False):
    moved = z.movedim(dim, -1)
    return _NormaliseRule.apply(moved, kind, log).movedim(-1, dim)


def apply_head(z, head):
    """The probability head of :class:`TorchModel` under the DeepLIFT rules."""
    if head is None or head == "identity":
        return z
    if head == "binary_prob":
        return torch.cat([1 - z, z], dim=1)  # linear: plain gradients are its multipliers
    if callable(head):
        raise ValueError(
            "DeepShapExplainer cannot apply DeepLIFT rules to the skorch net's custom "
            "predict_nonlinearity; explain response_method='decision_function' (its logits) instead."
        )
    if head == "softmax":
        return _normalise(z, "exp")
    if head == "ovr":
        return _normalise(z, "sigmoid")
    if head == "sigmoid":
        return _Rescale.apply(z, torch.sigmoid(z), torch.sigmoid)
    raise ValueError(f"unknown probability head {head!r}")


class deeplift_rules:  # noqa: N801 - used as a context manager, like contextlib helpers
    """Inside the block, every handled module of ``module`` computes DeepLIFT multipliers.

    The batch must hold the samples then, in the same order, their references.
    ``skip`` is a module left alone (the output activation :class:`TorchModel` bypasses), and
    so are the modules named in ``before`` (run before the attributed layer only).
    """

    def __init__(self, module, skip=None, before=()):
        self.module = module
        self.skip = skip
        # names of modules that run only before the attributed layer: no rule needed there
        self.before = frozenset(before)
        self.hooks = HookSet()
        self.stash = {}

    def _pre(self, m, inp):
        x = inp[0]
        self.stash.setdefault(id(m), []).append(x)
        if getattr(m, "inplace", False):
            return (x.clone(),)
        return None

    def _post(self, m, inp, out):
        x = self.stash[id(m)].pop()
        if not isinstance(out, torch.Tensor):
            raise ValueError(f"DeepSHAP cannot handle {type(m).__name__} returning {type(out)}.")
        if x.shape[0] % 2:
            raise RuntimeError("DeepLIFT rules need a batch of samples followed by references.")
        y = out.detach()
        if isinstance(m, _MAXPOOL):
            return _max_pool_rule(x, y, m)
        if isinstance(m, _SOFTMAX):
            dim = -1 if m.dim is None else m.dim
            return _normalise(x, "exp", dim=dim, log=isinstance(m, nn.LogSoftmax))
        fn = _detached_call(m)
        if getattr(m, "inplace", False):
            # the rule keeps its input for the backward pass, and x is about to take the result
            return in_place_result(m, x, _Rescale.apply(x.clone(), y, fn))
        return _Rescale.apply(x, y, fn)

    def __enter__(self):
        # a parametrization's modules (a Softplus keeping weights positive) compute weights, not
        # activations: no sample / reference pairs run through them
        params = parametrization_modules(self.module)
        try:
            for name, m in self.module.named_modules():
                if m is self.skip or name in self.before or id(m) in params or not isinstance(m, _HANDLED):
                    continue
                self.hooks.forward_pre(m, self._pre)
                self.hooks.forward(m, self._post)
        except BaseException:
            self.hooks.remove()
            raise
        return self

    def __exit__(self, *exc):
        self.hooks.remove()
        self.stash.clear()
        return False


def _detached_call(m):
    """Call the module's own forward, bypassing hooks (for the local gradient fallback)."""
    return m.forward


def check_deeplift_module(module, skip=None, before=()):
    """Raise a ValueError naming every leaf module the rescale rule cannot handle (those named in
    ``before``, run only before the attributed layer, need none)."""
    if is_exported(module):
        raise exported_error("DeepShapExplainer", "hooks on the network's modules for the DeepLIFT rules")
    scripted = scripted_modules(module)
    if scripted:
        raise scripted_error("DeepShapExplainer", scripted, "hooks on the network's modules for the DeepLIFT rules")
    bad = []
    for name, m in leaf_modules(module):
        if m is skip or name in before:
            continue
        if isinstance(m, _LINEAR + _HANDLED):
            if isinstance(m, _SOFTMAX) and m.dim is None:
                bad.append(f"{name or '<root>'} ({type(m).__name__} without dim)")
            if isinstance(m, _MAXPOOL) and getattr(m, "return_indices", False):
                bad.append(f"{name or '<root>'} ({type(m).__name__} with return_indices)")
            continue
        if name == "" and not any(True for _ in m.parameters(recurse=False)):
            continue  # a root module with no children and no parameters: traced below
        bad.append(f"{name or '<root>'} ({type(m).__name__})")
    if bad:
        embedding = any("(Embedding" in b for b in bad)
        raise ValueError(
            "DeepShapExplainer cannot apply DeepLIFT rules to module(s): "
            + ", ".join(bad)
            + ". Supported: linear, convolutions, batch norm, dropout, flatten, padding, up-sampling, "
            "average / max pooling, elementwise activations (ReLU, sigmoid, tanh, GELU, ...) "
            "and softmax / log-softmax; modules that run only before target_layer need none."
            + (
                " An embedding's lookup has no DeepLIFT rule: attribute to its output with "
                "target_layer=<the embedding's name>."
                if embedding
                else ""
            )
        )


class DeepShapExplainer(BaseTorchExplainer):
    """DeepSHAP: DeepLIFT (rescale rule) attributions averaged over background references.

    For each explained sample and each background row kept in ``fit`` (the references),
    DeepLIFT's multipliers are backpropagated through the pair; the attributions
    ``(x - r) * m`` averaged over the references satisfy efficiency:
    ``sum(phi) = f(x) - E[f(background)]`` (reported per sample as ``efficiency_gap``). For a
    linear network they are the exact interventional Shapley values.

    Parameters
    ----------
    estimator : skorch net, torch.nn.Module, or scikit-learn MLP / linear model
        The network explained (see :class:`~skxai.gradient.TorchModel`); made of the modules
        listed in the module docstring (an unsupported one is named in a ValueError in
        ``fit``; so are nonlinear ``torch`` functions called inside ``forward``).
    target : label, int, "predicted", array-like or None, default=None
    response_method : {"auto", "predict_proba", "decision_function", "predict"}, default="auto"
        The explained quantity (see :class:`~skxai.GradientExplainer`); probabilities are
        explained through their softmax with an exact rule.
    target_layer : str or torch.nn.Module, default=None
        Attribute to this submodule's activations: ``(a(x) - a(r)) * m``.
    max_background : int, default=100
        References kept from ``fit``'s ``X`` (drawn with ``random_state``). Cost grows as
        samples x references; a single all-zero row gives plain DeepLIFT.
    batch_size : int or None, default=512
        Most rows per forward-backward pass (a pair takes two rows); None lets the explainer
        choose (512). Fewer where their activations would exceed the 4 GiB working-memory
        bound (one sample's are measured at ``fit``, which refuses a network whose single
        sample exceeds it).
    random_state : int, RandomState or None, default=None
    scoring : str or callable, default=None
    verbose : int, default=0
        Show a progress bar over the batches of (sample, reference) pairs.
    layer : str, default="deprecated"
        Deprecated name of ``target_layer``.

    Attributes
    ----------
    estimator_, model_, background_ (the references), expected_value_ (E[f(background)]),
    n_outputs_, output_names_, target_index_, target_layer_, quantity_, input_shape_,
    n_features_in_

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LinearRegression
    >>> from skxai import DeepShapExplainer
    >>> X = np.random.RandomState(0).normal(size=(40, 3))
    >>> model = LinearRegression().fit(X, X @ [1.0, -2.0, 0.5])
    >>> ds = DeepShapExplainer(model).fit(X)
    >>> np.allclose(ds.transform(X[:2]), model.coef_ * (X[:2] - X.mean(axis=0)))
    True
    """

    def __init__(
        self,
        estimator,
        *,
        target=None,
        response_method="auto",
        target_layer=None,
        max_background=100,
        batch_size=512,
        random_state=None,
        scoring=None,
        verbose=0,
        layer="deprecated",
    ):
        self.estimator = estimator
        self.target = target
        self.response_method = response_method
        self.target_layer = target_layer
        self.max_background = max_background
        self.batch_size = batch_size
        self.random_state = random_state
        self.scoring = scoring
        self.verbose = verbose
        self.layer = layer

    # the references are drawn at fit (max_background rows with random_state): a change after
    # fit is refused at transform / explain (skxai.utils._fit_target)
    _fit_time_params = (*BaseTorchExplainer._fit_time_params, "max_background", "random_state")
    # the rescale rule's hooks keep each layer's inputs and outputs for the backward, beside the
    # plain pass's activations: 2.0 times its bytes a row measured on the demo CNN (1,024 rows:
    # 2.8 GB resident, 2,048: 4.8 GB), so batch_size=4096 ran out of memory at 5.3 GB
    _pass_bytes_factor = 2.5

    _parameter_constraints = {
        **BaseTorchExplainer._parameter_constraints,
        "batch_size": [Interval(numbers.Integral, 2, None, closed="left"), None],  # a pair takes two rows
    }

    def _fit_extra(self, X, y):
        model = self.model_
        x = model.to_tensor(X[:2])
        # attributing to a layer needs rules only where the pass continues from it: an embedding
        # (or a LayerNorm) before target_layer was refused though the values exist
        self._before_layer = self._modules_before_layer(x)
        check_deeplift_module(model.module, skip=model.bypassed, before=self._before_layer)
        with model.prepared():
            # nonlinear functions of input-dependent tensors, products of two branches (a * b),
            # divisions by and max / min of them: plain gradients there are no DeepLIFT
            # multipliers (efficiency breaks). A function of parameters only (a learned
            # temperature's exp) is a constant factor and is explained: counting the names
            # regardless of their operands refused such networks.
            layer = None if self.target_layer_ is None else self._layer_module()
            counts = input_dependent_nonlinear_calls(model, x, _HANDLED, functions=_NONLINEAR_FUNCTIONS, start=layer)
            if counts is None:  # integer inputs: no dependence to follow, every call counts
                counts = unhooked_calls(model, x, _NONLINEAR_FUNCTIONS, _HANDLED)
            # (modules run only before the layer take no rule: their layout is no concern)
            off_batch = [n for n in off_batch_modules(model, x, _HANDLED) if n not in self._before_layer]
        if off_batch:
            raise ValueError(
                f"DeepShapExplainer cannot apply DeepLIFT rules to module(s) {off_batch}: their input "
                "does not hold the batch on its first axis (a sequence-first (seq, batch, ...) layout, "
                "a transposed tensor), and the rules pair each sample with its reference along that "
                "axis, so the attributions would be silently wrong. Keep the batch first (e.g. "
                "batch_first=True) where these modules run, or use a model-agnostic explainer."
            )
        if not counts:
            # the tracing cannot see inside a torch.jit.script function; its ReLUs stay on the
            # graph of a pass under the rules (a sample and its reference: the rules' batch)
            try:
                with model.prepared():
                    pair = torch.cat([x[:1], x[:1]])
                    rules = deeplift_rules(model.module, skip=model.bypassed, before=self._before_layer)
                    left = relus_left_in_graph(model, pair, rules, start=layer)
            except (ValueError, RuntimeError):
                left = 0  # a rule refusing these inputs says so, by name, on the explained batch
            if left:
                counts["relu (on the autograd graph, e.g. inside a torch.jit.script function)"] = left
        if counts:
            calls = ", ".join(f"{k} x{v}" for k, v in sorted(counts.items()))
            raise ValueError(
                "DeepShapExplainer cannot apply DeepLIFT rules to nonlinear torch functions "
                f"called inside forward() ({calls}); use modules (nn.ReLU, nn.MaxPool2d, "
                "nn.Softmax, ...) so the rules can reach them."
            )

    def _modules_before_layer(self, x):
        """Names of the leaf modules that run only before ``target_layer`` gives its output (its
        own inner modules included) on the inputs ``x``; empty without a layer. A module that
        runs again after the layer keeps its rule."""
        if self.target_layer_ is None:
            return frozenset()
        layer = self._layer_module()
        model = self.model_
        order, mark = [], object()
        with HookSet() as hooks:
            for name, leaf in leaf_modules(model.module):
                hooks.forward(leaf, lambda m, inp, out, name=name: order.append(name))
            hooks.forward(layer, lambda m, inp, out: order.append(mark))
            with model.prepared(), torch.no_grad():
                model.logits(x)
        if mark not in order:
            return frozenset()
        at = order.index(mark)
        return frozenset(order[:at]) - frozenset(n for n in order[at + 1 :] if n is not mark)

    def _deeplift(self, x, refs, targets, progress_bar=False):
        model = self.model_
        name = self.target_layer_
        layer = None if name is None else self._layer_module()
        n, n_ref = x.shape[0], refs.shape[0]
        # pairs per pass (None: the default), fewer where their activations would not fit
        per_pass = max(1, self._rows_within_memory(2 * max(1, (self.batch_size or 512) // 2)) // 2)
        total = None
        capture = contextlib.nullcontext() if layer is None else LayerCapture(layer, name, grad=True)
        # the rules first, the capture after them: on a nonlinear layer the capture then records
        # the rule's output (hooks of one module run in registration order)
        before = self.__dict__.get("_before_layer", ())  # (explainers pickled before it: none)
        with deeplift_rules(model.module, skip=model.bypassed, before=before), capture as cap:
            starts = range(0, n * n_ref, per_pass)
            with closing_progress(
                starts, verbose=progress_bar and len(starts) > 1, desc="DeepSHAP", unit="batch"
            ) as bar:
                for start in bar:
                    pairs = torch.arange(start, min(n * n_ref, start + per_pass), device=x.device)
                    i, j = pairs // n_ref, pairs % n_ref
                    m = pairs.shape[0]
                    batch = torch.cat([x[i], refs[j]])
                    if cap is not None:
                        cap.reset()
                    with torch.enable_grad():
                        if layer is None:
                            batch.requires_grad_(True)
                        z = model.logits(batch.clone())
                        out = apply_head(z, model.head_of(z))
                        wrt = batch if layer is None else cap.activations
                        selected = out[:m].gather(1, targets[i][:, None]).sum()
                        if cap is None:
                            check_recorded(selected, type(self).__name__)
                            g = gradient_of(selected, wrt, type(self).__name__)
                        else:
                            g = cap.gradient(selected)
                    if g is None:
                        g = torch.zeros_like(wrt)
                    contrib = (wrt[:m] - wrt[m:]).detach().double() * g[:m].double()
                    if total is None:
                        total = torch.zeros((n,) + contrib.shape[1:], dtype=torch.float64, device=x.device)
                    total.index_add_(0, i, contrib)
        return total / n_ref

    def _attribute_core(self, x, targets, progress_bar=False):
        refs = self.model_.to_tensor(self.background_)
        return self._deeplift(x, refs, targets, progress_bar=progress_bar), None

    def _attribute_values(self, x, targets):
        # transform with targets known beforehand: no forward pass of x alone for outputs it
        # drops (a tenth of a call on a 3x64x64 CNN). Each pass still checks the outputs at x
        # are finite (its batch holds x's rows). The predicted class needs those outputs: each x
        # row meets several references in passes of other batches, whose rounding may differ.
        if targets is None:
            targets = self._fixed_targets(x.shape[0])
        if targets is None:
            return super()._attribute_values(x, None)
        try:
            return self._attribute_core(x, targets, progress_bar=self.verbose)[0]
        except NonFiniteOutputError:
            # its rows are (sample, reference) pairs: X's own forward names X's rows, as explain
            # does (one pass more, on the way to the error only)
            self._outputs(x)
            raise

    def _attribute(self, x, targets=None):
        outputs = self._outputs(x)
        if targets is None:
            targets = self._targets(outputs)
        values, _ = self._attribute_core(x, targets, progress_bar=self.verbose)
        expected = as_tensor(self.expected_value_, dtype=torch.float64, device=x.device)
        base = expected[targets]
        f = outputs.gather(1, targets[:, None])[:, 0].double()
        gap = values.reshape(values.shape[0], -1).sum(dim=1) - (f - base)
        return values, {
            "outputs": outputs,
            "targets": targets,
            "base_values": base,
            "efficiency_gap": gap,
        }
