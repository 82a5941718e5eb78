"""Deconvolution (Zeiler & Fergus 2014) and guided backpropagation (Springenberg et al. 2015).

Both change only how the backward pass crosses each ``nn.ReLU`` module. With ``g`` the
gradient arriving at a ReLU and ``x`` its forward input:

- plain backprop passes ``g * (x > 0)``;
- deconvnet passes ``relu(g)`` (the forward sign is ignored);
- guided backprop passes ``relu(g) * (x > 0)``.

The rule is applied by a forward pre-hook (keeping the ReLU's input; an in-place ReLU is fed
a copy so the input survives) and a forward hook that replaces the ReLU's output by the same
values computed through a custom autograd function. The hooks live only inside the call and
are removed even on error. A ReLU module used several times gets the rule at every call.
``torch.relu`` / ``F.relu`` called inside ``forward`` cannot be reached by module hooks: the
explainers refuse such networks (found by tracing one forward pass in ``fit``) instead of
silently returning a plain gradient.
"""

from __future__ import annotations

from torch import nn

from skxai._torch._explainer import BaseTorchExplainer
from skxai._torch._model import (
    parametrization_modules,
)
from skxai._torch._relu import other_activation_modules, relu_hooks_reach, relu_rule, warn_other_activations
from skxai._torch._trace import relus_left_in_graph


class _BackpropExplainer(BaseTorchExplainer):
    _rule = None

    def __init__(
        self,
        estimator,
        *,
        target=None,
        response_method="auto",
        target_layer=None,
        batch_size=256,
        max_background=100,
        random_state=None,
        scoring=None,
        verbose=0,
        layer="deprecated",
    ):
        self.estimator = estimator
        self.target = target
        self.response_method = response_method
        self.target_layer = target_layer
        self.batch_size = batch_size
        self.max_background = max_background
        self.random_state = random_state
        self.scoring = scoring
        self.verbose = verbose
        self.layer = layer

    def _fit_extra(self, X, y):
        x, counts = relu_hooks_reach(self.model_, X, type(self).__name__)
        if counts:
            raise ValueError(
                f"{type(self).__name__} modifies the backward pass of nn.ReLU modules, but this "
                f"network also applies relu functionally ({sum(counts.values())} call(s) of "
                "torch.relu / F.relu / Tensor.relu in forward), which module hooks cannot reach; "
                "the result would silently mix plain gradients in. Use nn.ReLU modules instead."
            )
        others = other_activation_modules(self.model_)
        rule = relu_rule(self.model_.module, self._rule)
        with self.model_.prepared():
            # the other activation modules (a ReLU subclass, nn.Threshold) are warned about below
            left = relus_left_in_graph(self.model_, x, rule, exempt=others.values())
        if left:
            raise ValueError(
                f"{type(self).__name__} modifies the backward pass of nn.ReLU modules, but {left} ReLU "
                "node(s) of the network's autograd graph come from elsewhere (a relu inside a "
                "torch.jit.script function, or another call the tracing of forward cannot see), which "
                "module hooks cannot reach; the result would silently mix plain gradients in. Use "
                "nn.ReLU modules there instead."
            )
        params = parametrization_modules(self.model_.module)  # computing weights, not activations
        self.n_relu_modules_ = sum(type(m) is nn.ReLU and id(m) not in params for m in self.model_.module.modules())
        warn_other_activations(self.model_, type(self).__name__, n_relu=self.n_relu_modules_, x=x)

    def _attribute_core(self, x, targets, progress_bar=False):
        with relu_rule(self.model_.module, self._rule):
            res = self._forward_backward(x, targets, layer=self.target_layer_, progress_bar=progress_bar)
        return res.grads, res

    def _attribute(self, x, targets=None):
        if targets is None:
            targets = self._fixed_targets(x.shape[0])
        grads, res = self._attribute_core(x, targets, progress_bar=self.verbose)
        return grads, {"outputs": res.outputs, "targets": res.targets}


_DOC_PARAMS = """
    Parameters
    ----------
    estimator : skorch net, torch.nn.Module, or scikit-learn MLP / linear model
        The network explained; its ReLUs must be ``nn.ReLU`` modules.
    target : label, int, "predicted", array-like or None, default=None
        Output explained (see :class:`GradientExplainer`).
    response_method : {"auto", "predict_proba", "decision_function", "predict"}, default="auto"
        The explained quantity (see :class:`GradientExplainer`).
    target_layer : str or torch.nn.Module, default=None
        Attribute to this submodule's output activations instead of the input.
    batch_size : int, default=256
        Most rows per forward-backward pass: fewer where their activations would exceed the
        4 GiB working-memory bound (one sample's are measured at ``fit``, which refuses a
        network whose single sample exceeds it).
    max_background : int, default=100
    random_state : int, RandomState or None, default=None
    scoring : str or callable, default=None
    verbose : int, default=0
        Show a progress bar over the batches.
    layer : str, default="deprecated"
        Deprecated name of ``target_layer``.

    Attributes
    ----------
    estimator_, model_, n_relu_modules_, background_, expected_value_, n_outputs_,
    output_names_, target_index_, target_layer_, quantity_, input_shape_, n_features_in_
"""


class GuidedBackpropExplainer(_BackpropExplainer):
    __doc__ = (
        """Guided backpropagation: at each ReLU pass ``relu(g) * (x > 0)`` backwards.
"""
        + _DOC_PARAMS
        + """
    Examples
    --------
    >>> import numpy as np, torch
    >>> from skxai import GuidedBackpropExplainer
    >>> net = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.ReLU(), torch.nn.Linear(2, 1))
    >>> with torch.no_grad():
    ...     _ = net[0].weight.copy_(torch.tensor([[1.0, 1.0], [1.0, -1.0]]))
    ...     _ = net[0].bias.zero_(); _ = net[2].weight.copy_(torch.tensor([[1.0, -1.0]]))
    >>> X = np.array([[1.0, 2.0]], dtype=np.float32)
    >>> GuidedBackpropExplainer(net).fit(X).transform(X)  # the -1 path is cut twice
    array([[1., 1.]])
    """
    )
    _rule = "guided"


class DeconvolutionExplainer(_BackpropExplainer):
    __doc__ = (
        """Deconvolution (deconvnet): at each ReLU pass ``relu(g)`` backwards, ignoring the sign
    of the forward input.
"""
        + _DOC_PARAMS
        + """
    Examples
    --------
    >>> import numpy as np, torch
    >>> from skxai import DeconvolutionExplainer
    >>> net = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.ReLU(), torch.nn.Linear(2, 1))
    >>> with torch.no_grad():
    ...     _ = net[0].weight.copy_(torch.tensor([[1.0, 1.0], [1.0, -1.0]]))
    ...     _ = net[0].bias.zero_(); _ = net[2].weight.copy_(torch.tensor([[1.0, 1.0]]))
    >>> X = np.array([[1.0, 2.0]], dtype=np.float32)
    >>> DeconvolutionExplainer(net).fit(X).transform(X)  # the inactive unit still passes
    array([[2., 0.]])
    """
    )
    _rule = "deconv"
