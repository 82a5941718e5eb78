"""A ReLU applied by a TorchScript function inside ``forward`` (audit 3, torch3).

The backprop rules and DeepSHAP refuse a ``torch.relu`` called in ``forward`` (module hooks
cannot reach it), found by tracing the torch functions one forward pass calls; a relu inside a
``torch.jit.script`` function is invisible to that tracing. Guided backpropagation and
deconvolution then crossed it with the plain gradient, and DeepSHAP with its plain gradient
too, without a word (DeepSHAP's efficiency gap reached 1.47 on this network). The autograd graph of
one pass under the rules still holds that ReLU: it is now refused.
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from skxai.gradient import DeconvolutionExplainer, DeepShapExplainer, GuidedBackpropExplainer  # noqa: E402
from tests._nets import one_torch_thread, seeded_float64  # noqa: E402, F401


@torch.jit.script
def _scripted_relu(x):
    return torch.relu(x)


class _Net(nn.Module):
    def __init__(self, scripted):
        super().__init__()
        self.l1, self.r, self.l2, self.l3 = nn.Linear(3, 5), nn.ReLU(), nn.Linear(5, 5), nn.Linear(5, 2)
        self.scripted = scripted

    def forward(self, x):
        h = self.l2(self.r(self.l1(x)))
        return self.l3(_scripted_relu(h) if self.scripted else self.r2(h))


X = np.random.RandomState(0).normal(size=(6, 3))


@pytest.mark.parametrize("cls", [GuidedBackpropExplainer, DeconvolutionExplainer, DeepShapExplainer])
def test_a_relu_inside_a_script_function_is_refused(cls):
    net = seeded_float64(_Net(scripted=True), seed=8)
    with pytest.raises(ValueError, match=r"torch\.jit\.script"):
        cls(net).fit(X)


@pytest.mark.parametrize("cls", [GuidedBackpropExplainer, DeconvolutionExplainer, DeepShapExplainer])
def test_relu_modules_alone_pass_the_graph_check(cls):
    net = seeded_float64(_Net(scripted=False), seed=8)
    net.r2 = nn.ReLU(inplace=True)  # in place: its graph node is the clone's, off the output's path
    exp = cls(net, target=1).fit(X[:3]).explain(X)
    if cls is DeepShapExplainer:  # efficient: sum(phi) = f(x) - E[f(background)]
        with torch.no_grad():
            f = net(torch.as_tensor(X)).numpy()[:, 1]
        np.testing.assert_allclose(exp.values.sum(axis=1), f - f[:3].mean(), rtol=1e-9, atol=1e-12)


def test_guided_gradcam_refuses_a_relu_inside_a_script_function():
    from skxai.cam import GuidedGradCamExplainer

    class Conv(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv, self.r, self.fc = nn.Conv1d(2, 3, 3, padding=1), nn.ReLU(), nn.Linear(3, 2)

        def forward(self, x):
            return self.fc(_scripted_relu(self.r(self.conv(x)).mean(dim=2) - 0.1))

    Xc = np.random.RandomState(1).normal(size=(2, 2, 5))
    with pytest.raises(ValueError, match="GuidedGradCamExplainer.*torch.jit.script"):
        GuidedGradCamExplainer(seeded_float64(Conv(), seed=9), target_layer="r").fit(Xc)


class _SubReLU(nn.ReLU):
    pass


@pytest.mark.parametrize("act", [_SubReLU(), nn.Threshold(0.1, 0.0)])
def test_other_relu_like_modules_are_still_warned_about_not_refused(act):
    # a ReLU subclass and nn.Threshold leave ReLU-like nodes on the graph; they are crossed with
    # their plain gradient and named in a warning, as before the graph check
    net = seeded_float64(nn.Sequential(nn.Linear(3, 5), nn.ReLU(), nn.Linear(5, 4), act, nn.Linear(4, 2)), seed=8)
    with pytest.warns(UserWarning, match=r"other activation module\(s\) \['3 "):
        GuidedBackpropExplainer(net).fit(X)
