"""The one layer-capture context of the torch explainers (gradients, DeepSHAP, CAMs).

Every explainer that needs a layer's activations, their gradients, or to replace or edit them
on the way, does it through :class:`LayerCapture`: one forward hook on the layer, registered
inside a ``with`` block and always removed, which

- refuses a layer that runs more than once per forward pass or returns no tensor (a call
  during the backward pass, ``torch.utils.checkpoint`` recomputing the layer's block, is
  fed the values of the forward pass again);
- records the activations (detached), as a gradient leaf when ``grad=True``;
- optionally feeds the rest of the network other values (``replace``: a path through the
  layer's activations) or an edited copy (``edit``: Ablation-CAM's zeroed channels);
- hands the network a clone of the leaf when ``clone=True``, so in-place modules after the
  layer neither fail on the leaf nor change the recorded values.
"""

from __future__ import annotations

import contextlib

import torch

from skxai._torch._model import HookSet, func_transform_error, in_func_transform

__all__ = ["LayerCapture"]


class LayerCapture(contextlib.AbstractContextManager):
    """Capture (and optionally replace) the output of ``layer`` during forward passes.

    Parameters
    ----------
    layer : torch.nn.Module
        The submodule whose output is captured.
    name : str
        Its name, for error messages.
    grad : bool, default=False
        Record the activations as a leaf that requires grad (differentiate w.r.t. it).
    clone : bool, default=True
        Give the rest of the network a clone of the recorded tensor (False: the tensor itself
        when ``grad``, the untouched output otherwise).
    edit : callable, optional
        ``edit(output) -> tensor`` fed to the rest of the network instead of the output.

    Examples
    --------
    >>> import torch
    >>> from torch import nn
    >>> from skxai._torch._capture import LayerCapture
    >>> net = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    >>> with LayerCapture(net[1], "1") as cap:
    ...     _ = net(torch.ones(4, 2))
    >>> cap.activations.shape
    torch.Size([4, 3])
    """

    def __init__(self, layer, name, *, grad=False, clone=True, edit=None):
        self.layer = layer
        self.name = name
        self.grad = grad
        self.clone = clone
        self.edit = edit
        self._hooks = HookSet()
        self._replace = None
        self._act = None
        self._fed = None
        self._grad_enabled = True
        self.version = None

    def gradient(self, score):
        """``d score / d activations`` of the last pass; refused by name when the score does not
        depend on the layer (every attribution to it would be 0 whatever the input)."""
        act = self.activations
        g = torch.autograd.grad(score, act, allow_unused=True)[0] if score.requires_grad else None
        if g is None:
            if not self._grad_enabled:
                raise ValueError(
                    f"Layer {self.name!r} runs with gradients off, so the explained output carries no "
                    "gradient back to it: it runs under torch.no_grad() inside forward, or inside "
                    "torch.utils.checkpoint(..., use_reentrant=True), whose block records no gradient "
                    "when its inputs need none; use use_reentrant=False, or choose another layer."
                )
            raise self.not_reached_error()
        return g

    @property
    def ran_with_gradients(self):
        """Whether the layer's last call recorded gradients (not under ``torch.no_grad()``)."""
        return self._grad_enabled

    def not_reached_error(self):
        """The error for a layer the explained output does not depend on."""
        return ValueError(
            f"Layer {self.name!r} does not reach the explained output: the output does not depend "
            "on its activations. Choose a layer on the path from the input to the output."
        )

    def reset(self, replace=None):
        """Forget the last pass; the next pass feeds ``replace`` (when given) after the layer."""
        self._act = None
        self._fed = None
        self._replace = replace
        self.version = None

    def _hook(self, module, inp, out):
        if in_func_transform():
            # torch's own errors there name functorch internals, not the layer
            raise func_transform_error(f"Layer {self.name!r} runs")
        if self._act is not None:
            if torch._C._current_graph_task_id() != -1:
                # A second call during the backward pass: torch.utils.checkpoint (use_reentrant=
                # False) recomputing the layer's block for its saved tensors. The rest of the block
                # is fed what the forward pass fed it, so the recomputed tensors are the same.
                return self._fed
            raise ValueError(
                f"Layer {self.name!r} runs more than once per forward pass; choose a layer that runs once."
            )
        src = out if self._replace is None else self._replace
        self._replace = None
        if not isinstance(src, torch.Tensor):
            raise TypeError(f"Layer {self.name!r} returns {type(src).__name__}, not a tensor.")
        leaf = src.detach()
        self.version = leaf._version
        self._grad_enabled = torch.is_grad_enabled()
        if self.grad:
            leaf.requires_grad_(True)
        self._act = leaf
        if self.edit is not None:
            fed = self.edit(out)
        elif self.clone:
            fed = leaf.clone()
        else:
            fed = leaf if (self.grad or src is not out) else None
        self._fed = out if fed is None else fed
        return fed

    @property
    def activations(self):
        """The recorded activations of the last pass (a ValueError if the layer did not run)."""
        if self._act is None:
            raise ValueError(f"Layer {self.name!r} was not called during the forward pass.")
        return self._act

    @property
    def modified_in_place(self):
        """Whether a later module changed the recorded tensor in place (with ``clone=False``)."""
        return self._act is not None and self._act._version != self.version

    def __enter__(self):
        self.reset()
        self._hooks.forward(self.layer, self._hook)
        return self

    def __exit__(self, *exc):
        self._hooks.remove()
        return False
