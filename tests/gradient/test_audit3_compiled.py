"""``torch.compile``'d networks (audit 3, torch3).

A compiled graph keeps the module hooks present when dynamo traced it and does not guard on
them: on one compiled network, Deconvolution after GuidedBackprop gave neither's numbers, a
second Grad-CAM with ``target_layer="act"`` raised "Layer 'act' was not called during the
forward pass" (the first one worked), and the backprop rules saw the hooked ``nn.ReLU`` calls as
functional ones. The explainers now run compiled modules eagerly (the compiler's
``force_eager`` stance, torch >= 2.6), restoring the stance afterwards.
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

if not hasattr(torch.compiler, "set_stance"):
    pytest.skip("torch.compiler.set_stance needs torch >= 2.6", allow_module_level=True)

from skxai.cam import GradCamExplainer  # noqa: E402
from skxai.gradient import DeconvolutionExplainer, GradientExplainer, GuidedBackpropExplainer  # noqa: E402
from tests._nets import one_torch_thread, seeded_float64  # noqa: E402, F401

X = np.random.RandomState(0).normal(size=(3, 2, 6, 6))


class _Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(2, 4, 3, padding=1)
        self.act = nn.ReLU()
        self.conv2 = nn.Conv2d(4, 4, 3, padding=1)
        self.act2 = nn.ReLU()
        self.fc = nn.Linear(4, 3)

    def forward(self, x):
        return self.fc(self.act2(self.conv2(self.act(self.conv(x)))).mean(dim=(2, 3)))


def _stance():
    from torch._dynamo.eval_frame import _stance

    return _stance.stance


def test_hook_based_explainers_of_a_compiled_network_in_turn():
    net = seeded_float64(_Net(), seed=4).eval()
    compiled = torch.compile(net, backend="eager")
    for cls in (GuidedBackpropExplainer, DeconvolutionExplainer, GradientExplainer, GuidedBackpropExplainer):
        ref = cls(net, target=1).fit(X).transform(X)
        np.testing.assert_allclose(cls(compiled, target=1).fit(X).transform(X), ref, rtol=1e-12, atol=1e-14)
    ref = GradCamExplainer(net, target_layer="act").fit(X).transform(X)
    for layer in ("act", "act", "_orig_mod.act"):
        got = GradCamExplainer(compiled, target_layer=layer).fit(X).transform(X)
        np.testing.assert_allclose(got, ref, rtol=1e-12, atol=1e-14)
    assert _stance() == "default"  # the user's stance is left as it was
