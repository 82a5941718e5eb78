"""Networks whose ``forward`` runs its layers under ``torch.func.vmap`` (audit 3, torch3).

Inside a ``torch.func`` transform the layers see per-sample batched tensors, which module hooks
can neither record as activations nor replace: Grad-CAM failed with torch's "You are attempting
to call Tensor.requires_grad_() ... inside of a function being transformed by a functorch
transform", Score-CAM / Eigen-CAM / CAM with "your tensor may have escaped from inside a function
being vmapped ... or there is an internal functorch error", guided backpropagation and
deconvolution with "an autograd.Function ... must override the setup_context staticmethod", and
DeepSHAP blamed "a sequence-first (seq, batch, ...) layout". They now refuse by name; the input
gradients (through vmap) are the plain network's.
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from skxai.cam import EigenCamExplainer, GradCamExplainer  # noqa: E402
from skxai.gradient import (  # noqa: E402
    DeconvolutionExplainer,
    DeepShapExplainer,
    GradientExplainer,
    GuidedBackpropExplainer,
    IntegratedGradientsExplainer,
)
from tests._nets import one_torch_thread, small_cnn  # noqa: E402, F401

X = np.random.RandomState(0).normal(size=(3, 2, 8, 8))


class _PerSample(nn.Module):
    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x):
        return torch.func.vmap(lambda xi: self.net(xi[None])[0])(x)


def test_input_gradients_through_vmap_are_the_networks():
    net = small_cnn(seed=7)
    for cls in (GradientExplainer, IntegratedGradientsExplainer):
        ref = cls(net, target=2).fit(X).transform(X)
        np.testing.assert_allclose(cls(_PerSample(net), target=2).fit(X).transform(X), ref, rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize(
    "make",
    [
        lambda m: GradCamExplainer(m),
        lambda m: EigenCamExplainer(m),
        lambda m: GradientExplainer(m, target_layer="net.1"),
        lambda m: GuidedBackpropExplainer(m),
        lambda m: DeconvolutionExplainer(m),
        lambda m: DeepShapExplainer(m),
    ],
)
def test_hooks_inside_vmap_are_refused_by_name(make):
    net = small_cnn(seed=7)
    with pytest.raises(ValueError, match=r"torch\.func transform"):
        make(_PerSample(net)).fit(X).transform(X)
