"""Guided Grad-CAM (Selvaraju et al., 2017): guided backpropagation masked by the Grad-CAM map."""

from __future__ import annotations

from skxai.cam._gradcam import GradCamExplainer


class GuidedGradCamExplainer(GradCamExplainer):
    """Guided Grad-CAM: ``GB(x) * up(Grad-CAM(x))``, shaped like the input ``(n, C, *spatial)``.

    ``GB`` is guided backpropagation (at each ``nn.ReLU``, the backward signal keeps only its
    positive part where the forward input was positive; see
    :class:`~skxai.GuidedBackpropExplainer`), for the same target as the Grad-CAM map, which
    is upscaled to the input (``upsample`` must stay True: ``fit`` refuses False) with ``relu`` and ``normalize``
    applied as set. Networks applying ``relu`` functionally (``F.relu`` in ``forward``) are
    refused in ``fit``, since module hooks cannot guide them. ``explain`` also returns the
    upscaled ``cam`` ``(n, *spatial)`` and ``guided_backprop`` ``(n, C, *spatial)``.

    Parameters
    ----------
    estimator, target_layer, target, response_method, relu, normalize, upsample, batch_size, scoring, verbose
        As in :class:`~skxai.GradCamExplainer` (``upsample`` must stay
        True: the map multiplies the input-shaped guided backpropagation).

    Examples
    --------
    >>> import torch
    >>> from torch import nn
    >>> from skxai import GuidedGradCamExplainer
    >>> net = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.ReLU(),
    ...                     nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 2))
    >>> X = torch.randn(2, 3, 8, 8)
    >>> GuidedGradCamExplainer(net).fit(X).transform(X).shape
    (2, 3, 8, 8)
    """

    _grid_extras = ("cam", "guided_backprop")
    _UPSAMPLE = "GuidedGradCamExplainer multiplies at input resolution: keep upsample=True."

    def _check_params(self):
        super()._check_params()
        # refused in fit (and again on a call, for set_params after fit): a fitted explainer
        # that could never explain failed only at its first transform
        if not self.upsample:
            raise ValueError(self._UPSAMPLE)

    def _fit_extra(self, X, y):
        from skxai._torch._relu import relu_hooks_reach

        super()._fit_extra(X, y)
        x, counts = relu_hooks_reach(self.model_, X, type(self).__name__)
        if not counts:
            # a relu inside a torch.jit.script function escapes the tracing, not the graph
            from skxai._torch._relu import other_activation_modules, relu_rule
            from skxai._torch._trace import relus_left_in_graph

            others = other_activation_modules(self.model_).values()  # crossed plainly, as before
            with self.model_.prepared():
                left = relus_left_in_graph(self.model_, x, relu_rule(self.model_.module, "guided"), exempt=others)
            if left:
                counts = {"relu (on the autograd graph, e.g. inside a torch.jit.script function)": left}
        if counts:
            raise ValueError(
                "GuidedGradCamExplainer guides the backward pass of nn.ReLU modules, but this "
                f"network also applies relu outside them ({sum(counts.values())} call(s) of "
                "torch.relu / F.relu / Tensor.relu in forward, or inside a torch.jit.script function), "
                "which module hooks cannot reach. "
                "Use nn.ReLU modules, or GradCamExplainer alone."
            )
        from skxai._torch._relu import warn_other_activations

        # as GuidedBackpropExplainer warns: the guided factor is then (mostly) the plain gradient
        warn_other_activations(self.model_, "GuidedGradCamExplainer", what="the guided_backprop factor", x=x)

    def _explain_chunk(self, x, name, targets):
        from skxai._torch._relu import relu_rule

        if not self.upsample:
            raise ValueError(self._UPSAMPLE)
        heat, raw, weights, outputs, t, extras = super()._explain_chunk(x, name, targets)
        with relu_rule(self.model_.module, "guided"):
            gb = self._forward_backward(x, t, batch_size=x.shape[0]).grads
        values = heat[:, None] * gb
        return values, raw, weights, outputs, t, {**extras, "cam": heat, "guided_backprop": gb}
