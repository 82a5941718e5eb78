"""Find nonlinear functional calls that module hooks cannot reach (``F.relu`` in ``forward``)."""

from __future__ import annotations

import contextlib
from collections import Counter

import torch
from torch.overrides import TorchFunctionMode

from skxai._torch._model import HookSet, func_transform_error, in_func_transform, parametrization_modules


class _Counter(TorchFunctionMode):
    def __init__(self, names, depth, counts):
        super().__init__()
        self.names = names
        self.depth = depth
        self.counts = counts

    def __torch_function__(self, func, types, args=(), kwargs=None):
        name = getattr(func, "__name__", "")
        if self.depth[0] == 0 and (name in self.names or _out_of_place(name) in self.names):
            self.counts[name] += 1
        return func(*args, **(kwargs or {}))


def _out_of_place(name):
    """``exp`` for the in-place ``exp_`` (the name ``__torch_function__`` sees for
    ``h.exp_()``): the in-place variant computes the same function, so the lists below name the
    out-of-place one only (``h.clone().exp_()`` was not recognised as ``exp``)."""
    return name[:-1] if name.endswith("_") and not name.startswith("_") else name


def unhooked_calls(model, x, names, handled):
    """Count calls of the torch functions ``names`` made outside modules of ``handled`` types.

    One no-grad forward pass of ``x`` (a sample or two is enough) under a
    ``TorchFunctionMode``; calls made inside a module whose type is in ``handled`` are not
    counted, since the explainer's hooks replace them. Returns a ``Counter``.
    """
    counts = Counter()
    with _inside_handled(model, handled) as depth, torch.no_grad(), _Counter(frozenset(names), depth, counts):
        model.logits(x)
    return counts


@contextlib.contextmanager
def _inside_handled(model, handled):
    """``depth``: a one-item list, above 0 while a module of a ``handled`` type runs (the calls
    there are the explainer's hooks' business) or a parametrization computes a weight (its calls
    act on parameters, not on the input); the hooks are removed on leaving."""
    depth = [0]
    params = parametrization_modules(model.module)

    def enter(m, inp):
        depth[0] += 1

    def leave(m, inp, out):
        depth[0] -= 1

    with HookSet() as hooks:
        for m in model.module.modules():
            if isinstance(m, handled) or id(m) in params:
                hooks.forward_pre(m, enter)
                hooks.forward(m, leave)
        yield depth


# Products of two input-dependent tensors (``a * b`` of two branches, ``h @ h.T``) and
# divisions by one are nonlinear although each operand may be linear in the input; so are
# max / min and sorting of an input-dependent tensor. Names as ``__torch_function__`` sees them.
_PRODUCTS = frozenset({
    "mul", "mul_", "multiply", "__mul__", "__rmul__", "__imul__", "matmul", "__matmul__",
    "__rmatmul__", "mm", "bmm", "baddbmm", "addmm", "addcmul", "einsum", "outer", "ger",
    "inner", "dot", "vdot", "kron", "tensordot", "bilinear",
})  # fmt: skip
_DIVISORS = frozenset({"div", "div_", "divide", "true_divide", "__truediv__", "__itruediv__", "addcdiv"})  # fmt: skip
_RDIVISORS = frozenset({"__rtruediv__", "__rdiv__", "__rfloordiv__", "__rpow__", "reciprocal", "reciprocal_"})
_SELECTIONS = frozenset({
    "max", "min", "amax", "amin", "aminmax", "fmax", "fmin", "sort", "topk", "median",
    "nanmedian", "quantile", "kthvalue", "cummax", "cummin", "logsumexp", "sign", "floor",
    "ceil", "round", "trunc", "__pow__", "__ipow__", "float_power", "norm", "sin", "cos",
    "log1p", "expm1", "log2", "log10", "exp2", "erf", "atan", "asinh", "var", "std", "var_mean", "std_mean",
    # order comparisons of an input-dependent tensor gate it (``h * (h > 0)``, ``torch.where(h
    # > 0, h, 0.1 * h)``: hand-written ReLUs; equality tests, as a mask of a sentinel value, are
    # left to the caller), and more elementwise functions
    "gt", "lt", "ge", "le", "__gt__", "__lt__", "__ge__", "__le__", "greater", "less",
    "greater_equal", "less_equal", "argmax", "argmin",
    "heaviside", "sinh", "cosh", "tan", "asin", "acos", "acosh", "atanh", "atan2", "arctan2",
    "special_erf", "erfc", "special_erfc", "erfinv", "special_erfinv", "sinc", "logaddexp",
    "logaddexp2", "hypot", "lgamma", "digamma", "xlogy", "sgn", "frac",
    # nonlinear with a single input-dependent operand: the product of a tensor's own entries,
    # a remainder or floor division even by a constant (a sawtooth, a staircase), norms, and
    # torch.special's functions (these were accepted, and efficiency missed by 0.06 to 2.2)
    "prod", "cumprod", "fmod", "remainder", "__mod__", "__rmod__", "__imod__", "__floordiv__",
    "__ifloordiv__", "floor_divide", "linalg_vector_norm", "linalg_norm", "linalg_matrix_norm",
    "frobenius_norm", "nuclear_norm", "renorm", "dist", "logcumsumexp", "signbit", "i0",
    "polygamma", "mvlgamma", "special_ndtr", "special_log_ndtr", "special_ndtri", "special_i0",
    "special_i0e", "special_i1", "special_i1e", "special_erfcx", "special_softmax",
    "special_log_softmax", "special_logsumexp", "special_expm1", "special_exp2", "special_log1p",
    "special_sinc", "special_xlogy", "special_xlog1py", "special_entr", "special_gammaln",
    "special_digamma", "special_psi", "special_polygamma", "special_multigammaln",
    # a detached copy of an input-dependent tensor still carries the input, but no multiplier
    # follows it: h * (h.detach() > 0) (a hand-written ReLU) or h / h.detach().norm() were
    # accepted and missed efficiency; so do ``.data`` (the name of the property read), integer
    # casts and the orderings and bins whose results index or gate it
    "detach", "data", "long", "int", "short", "byte", "char", "argsort", "msort",
    "searchsorted", "bucketize", "mode", "nanquantile",
    # copies out of the graph: Python numbers and lists, tensors rebuilt from them
    "item", "tolist", "tensor", "new_tensor",
})  # fmt: skip


def _flat(args):
    for a in args:
        if isinstance(a, list | tuple):
            yield from _flat(a)
        else:
            yield a


class _DependenceCounter(TorchFunctionMode):
    def __init__(self, depth, counts, functions=frozenset(), structural=True, active=None):
        super().__init__()
        self.depth = depth
        # a one-item list, False until the pass reaches the layer it starts from (_rooted_at)
        self.active = [True] if active is None else active
        self.counts = counts
        self.functions = functions
        self.structural = structural  # products, divisions and selections counted too
        # tensors computed from the input under torch.no_grad() inside forward: they depend on
        # it although requires_grad no longer says so (kept alive: recognised by identity)
        self.untracked = {}

    def _dependent(self, a):
        return isinstance(a, torch.Tensor) and (a.requires_grad or id(a) in self.untracked)

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        name = getattr(func, "__name__", "")
        if name == "__get__":  # a property read (Tensor.data): named by the property
            name = getattr(getattr(func, "__self__", None), "__name__", name)
        base = _out_of_place(name)
        operands = list(_flat([*args, *kwargs.values()]))
        dependent = [self._dependent(a) for a in operands]
        counting = self.active[0] and self.depth[0] == 0
        if counting and not self.structural:
            if base in self.functions and any(dependent):
                self.counts[name] += 1
        elif counting:
            if base in _PRODUCTS and sum(dependent) >= 2:
                self.counts[f"{name} of two input-dependent tensors"] += 1
            elif base in _DIVISORS and len(dependent) > 1 and dependent[1]:
                self.counts[f"{name} by an input-dependent tensor"] += 1
            elif (base in _RDIVISORS or base in _SELECTIONS or base in self.functions) and any(dependent):
                self.counts[name] += 1
        out = func(*args, **kwargs)
        if any(dependent) and not torch.is_grad_enabled():
            for t in _flat([out]):
                if isinstance(t, torch.Tensor) and not t.requires_grad:
                    self.untracked[id(t)] = t
        return out


def input_dependent_nonlinear_calls(model, x, handled, functions=(), start=None):
    """Count nonlinear uses of input-dependent tensors made outside modules of ``handled``
    types: products of two of them, divisions by one, max / min / sorting and a few
    elementwise functions, and the torch functions named in ``functions``. One forward pass
    with gradients recorded (the parameters are frozen by the caller, so ``requires_grad``
    marks exactly what depends on ``x``). Returns None for an ``x`` that is not floating point
    (no gradient can mark what depends on it): the caller counts by name then.

    With a module ``start`` (an attributed layer), the uses of what depends on its output are
    counted, from its output on: what runs before it (an embedding's ``x.long()``, a
    LayerNorm) is no concern of rules applied after it."""
    return _count_dependent(model, x, handled, frozenset(functions), structural=True, start=start)


def input_dependent_calls(model, x, names, handled):
    """Count calls of the torch functions ``names`` (or their in-place variants) on an
    input-dependent tensor, made outside modules of ``handled`` types.

    :func:`unhooked_calls` counts every call by name, also those on parameters only (a scale
    kept non-negative by ``F.relu(self.scale)``), which no gradient of the input passes
    through. Returns None for an ``x`` that is not floating point (the caller counts by name
    then); the parameters must be frozen by the caller (``TorchModel.prepared``).
    """
    return _count_dependent(model, x, handled, frozenset(names), structural=False)


def _count_dependent(model, x, handled, functions, structural, start=None):
    counts = Counter()
    if start is None and not x.is_floating_point():
        return None
    active = [start is None]
    with _inside_handled(model, handled) as depth, torch.enable_grad(), _rooted_at(start, active):
        path = _input_path(x, start)
        with _DependenceCounter(depth, counts, functions, structural, active):
            model.logits(path)
    return counts


def _input_path(x, start):
    """The pass's input: a non-leaf copy that requires grad (a first in-place module,
    ReLU(inplace=True), may write into it), or a plain copy where the dependence starts at the
    module ``start`` (:func:`_rooted_at`)."""
    if start is not None:
        return x.detach().clone()
    return x.detach().clone().requires_grad_(True).clone()


@contextlib.contextmanager
def _rooted_at(start, active=None):
    """With a module ``start``: the pass's dependence starts at its output (a copy of it that
    requires grad replaces it), and ``active[0]`` turns True there. A null context otherwise."""
    if start is None:
        yield
        return

    def root(m, inp, out):
        if active is not None:
            active[0] = True
        if isinstance(out, torch.Tensor) and out.is_floating_point():
            return out.detach().requires_grad_(True).clone()
        return None

    with HookSet() as hooks:
        hooks.forward(start, root)
        yield


def off_batch_modules(model, x, handled):
    """Names of the modules of ``handled`` types whose input does not hold the batch on its
    first axis (a sequence-first ``(seq, batch, ...)`` layout, a transposed feature map).

    DeepLIFT's rules pair each sample with its reference by the rows of the first axis (the
    first half of the batch against the second); on a tensor whose first axis is not the
    batch they would pair positions of one sequence instead, silently. Two forward passes of
    3 and 5 copies of the first row of ``x`` record the first axis of each handled module's
    input: it must grow with the batch (``k`` rows, or ``k`` blocks of rows after a
    ``reshape(n * L, d)``, which keeps the samples' rows together).
    """
    names = {id(m): n or "<root>" for n, m in model.module.named_modules()}
    seen = {}

    def pre(m, inp):
        if in_func_transform():
            raise func_transform_error(f"The DeepLIFT rules' module {names[id(m)]!r} runs")
        first = inp[0] if inp and isinstance(inp[0], torch.Tensor) else None
        if first is not None and first.ndim:
            seen.setdefault(id(m), []).append(first.shape[0])

    sizes = (3, 5)
    per_size = []
    params = parametrization_modules(model.module)  # they take weights, not the batch
    with HookSet() as hooks, torch.no_grad():
        for m in model.module.modules():
            if isinstance(m, handled) and id(m) not in params:
                hooks.forward_pre(m, pre)
        for k in sizes:
            seen.clear()
            model.logits(x[:1].expand(k, *x.shape[1:]).clone())
            per_size.append({key: list(v) for key, v in seen.items()})
    bad = []
    for key, firsts in per_size[0].items():
        others = per_size[1].get(key, [])
        if len(others) != len(firsts) or any(
            a % sizes[0] or b % sizes[1] or a // sizes[0] != b // sizes[1] for a, b in zip(firsts, others, strict=True)
        ):
            bad.append(names[key])
    return bad


# Autograd nodes of a plain ReLU (``torch.relu``, ``F.relu``, ``F.threshold``): left in the graph
# of a pass under the rules, they are ReLUs the rules' module hooks did not reach.
_RELU_NODES = ("ReluBackward", "ThresholdBackward")


def relus_left_in_graph(model, x, rules, exempt=(), start=None):
    """Count the plain ReLU nodes on the autograd graph of one forward pass of ``x`` made under
    the context ``rules`` (the explainer's module hooks), from the output back to the input.

    The torch-function tracing of :func:`unhooked_calls` cannot see inside a TorchScript
    function (``torch.jit.script``) that ``forward`` calls; its ReLUs still leave their nodes on
    the graph. A ReLU module under the rules leaves its rule's node instead (an in-place one
    runs on a copy whose node is off the output's path). The output nodes of the modules in
    ``exempt`` (activations the caller already warns about) are not counted. With a module
    ``start`` (an attributed layer), the graph from its output on.
    """
    exempt_nodes = []  # kept alive: compared by identity

    def record(m, inp, out):
        if isinstance(out, torch.Tensor) and out.grad_fn is not None:
            exempt_nodes.append(out.grad_fn)

    with HookSet() as hooks, torch.enable_grad(), rules, _rooted_at(start):
        for m in exempt:
            hooks.forward(m, record)
        path = _input_path(x, start)
        out = model.logits(path)
    count, seen, stack = 0, {id(n) for n in exempt_nodes}, [out.grad_fn]
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        count += type(node).__name__.startswith(_RELU_NODES)
        stack.extend(child for child, _ in node.next_functions)
    return count
