"""TorchScript networks (``torch.jit.script`` / ``torch.jit.trace``) (audit 3, torch3).

A TorchScript module runs its compiled graph: the module hooks the backprop rules, layer
captures and CAMs rely on never fire inside it. Guided backpropagation and deconvolution of a
scripted network silently returned the plain gradient (their ReLU hooks, installed on
``nn.ReLU`` modules, found none); a ``target_layer`` or a CAM failed with torch's
"get_submodule is not supported on ScriptModules", "register_forward_hook is not supported on
ScriptModules", or (traced) "The network has no convolution layer" and "Layer '1' was not
called during the forward pass" on a network that has both. The explainers that only
differentiate the output w.r.t. the input work on them, with the original network's numbers.
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from skxai.cam import GradCamExplainer, GuidedGradCamExplainer, ScoreCamExplainer  # noqa: E402
from skxai.gradient import (  # noqa: E402
    DeconvolutionExplainer,
    DeepShapExplainer,
    GradientExplainer,
    GuidedBackpropExplainer,
    IntegratedGradientsExplainer,
)
from tests._nets import one_torch_thread, small_cnn  # noqa: E402, F401

X = np.random.RandomState(0).normal(size=(3, 2, 8, 8))


def _scripted(kind):
    net = small_cnn(seed=1)
    if kind == "script":
        return net, torch.jit.script(net)
    return net, torch.jit.trace(net, torch.as_tensor(X[:2]))


@pytest.mark.parametrize("kind", ["script", "trace"])
def test_input_gradients_of_a_scripted_network_are_the_original_ones(kind):
    net, scripted = _scripted(kind)
    for cls in (GradientExplainer, IntegratedGradientsExplainer):
        ref = cls(net, target=1).fit(X).transform(X)
        got = cls(scripted, target=1).fit(X).transform(X)
        np.testing.assert_allclose(got, ref, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("kind", ["script", "trace"])
@pytest.mark.parametrize("cls", [GuidedBackpropExplainer, DeconvolutionExplainer, DeepShapExplainer])
def test_module_rules_refuse_a_scripted_network_by_name(kind, cls):
    net, scripted = _scripted(kind)
    # the rule does change the numbers on the original network, so a plain gradient is wrong
    if cls is not DeepShapExplainer:
        assert not np.allclose(cls(net).fit(X).transform(X), GradientExplainer(net).fit(X).transform(X))
    with pytest.raises(ValueError, match="TorchScript"):
        cls(scripted).fit(X)


@pytest.mark.parametrize("kind", ["script", "trace"])
@pytest.mark.parametrize(
    "make",
    [
        lambda net: GradientExplainer(net, target_layer="1"),
        lambda net: GradCamExplainer(net, target_layer="3"),
        lambda net: GradCamExplainer(net),
        lambda net: ScoreCamExplainer(net),
    ],
)
def test_layers_of_a_scripted_network_are_refused_by_name(kind, make):
    _, scripted = _scripted(kind)
    with pytest.raises(ValueError, match="TorchScript"):
        make(scripted).fit(X)


def test_a_scripted_submodule_is_refused_by_the_backprop_rules():
    # the ReLUs inside the scripted block are out of the hooks' reach: refused, not skipped
    net = small_cnn(seed=1)
    wrapped = nn.Sequential(torch.jit.script(net[:2]), net[2:])
    for cls in (GuidedBackpropExplainer, GuidedGradCamExplainer):
        with pytest.raises(ValueError, match=r"\['0'\] are TorchScript"):
            cls(wrapped, target_layer="1.4").fit(X) if cls is GuidedGradCamExplainer else cls(wrapped).fit(X)
    # a CAM of the plain part still works, with the original network's numbers
    ref = GradCamExplainer(net, target_layer="4").fit(X).transform(X)
    got = GradCamExplainer(wrapped, target_layer="1.4").fit(X).transform(X)
    np.testing.assert_allclose(got, ref, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(GradCamExplainer(wrapped).fit(X).transform(X), ref, rtol=1e-10, atol=1e-12)
