"""An in-place activation called for its effect alone (``self.relu(h)``, then ``h`` read) is
explained as the network computes it: the rules write their result back into ``h``."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from skxai.cam import GuidedGradCamExplainer  # noqa: E402
from skxai.gradient import (  # noqa: E402
    DeconvolutionExplainer,
    DeepShapExplainer,
    GuidedBackpropExplainer,
)


class _Mlp(nn.Module):
    """``reuse``: the activations are called in place and their results dropped; otherwise the
    same function written with assignments."""

    def __init__(self, reuse, act):
        super().__init__()
        self.l1, self.l2, self.l3 = nn.Linear(5, 8), nn.Linear(8, 8), nn.Linear(8, 3)
        self.act = act(inplace=reuse)
        self.reuse = reuse

    def forward(self, x):
        h = self.l1(x)
        if self.reuse:
            self.act(h)
        else:
            h = self.act(h)
        g = self.l2(h)
        if self.reuse:
            self.act(g)
        else:
            g = self.act(g)
        return self.l3(g)


class _Cnn(nn.Module):
    def __init__(self, reuse):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 4, 3, padding=1)
        self.conv2 = nn.Conv2d(4, 4, 3, padding=1)
        self.relu = nn.ReLU(inplace=reuse)
        self.head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 3))
        self.reuse = reuse

    def forward(self, x):
        h = self.conv1(x)
        if self.reuse:
            self.relu(h)
        else:
            h = self.relu(h)
        r = self.conv2(h)
        if self.reuse:
            self.relu(r)
        else:
            r = self.relu(r)
        return self.head(r + h)


def _twins(make):
    torch.manual_seed(0)
    reused, assigned = make(True), make(False)
    assigned.load_state_dict(reused.state_dict())
    return reused.eval(), assigned.eval()


@pytest.mark.parametrize("explainer", [GuidedBackpropExplainer, DeconvolutionExplainer])
def test_relu_rules_follow_an_activation_called_for_its_effect(explainer):
    reused, assigned = _twins(lambda r: _Mlp(r, nn.ReLU))
    X = np.random.default_rng(0).normal(size=(7, 5)).astype(np.float32)
    got = explainer(reused, target=0).fit(X).explain(X)
    want = explainer(assigned, target=0).fit(X).explain(X)
    assert np.abs(want.values).max() > 1e-3
    np.testing.assert_array_equal(got.values, want.values)
    np.testing.assert_array_equal(got.outputs, want.outputs)


@pytest.mark.parametrize("act", [nn.ReLU, nn.ELU, nn.LeakyReLU])
def test_deepshap_follows_an_activation_called_for_its_effect(act):
    reused, assigned = _twins(lambda r: _Mlp(r, act))
    rng = np.random.default_rng(1)
    X = rng.normal(size=(6, 5)).astype(np.float32)
    background = rng.normal(size=(5, 5)).astype(np.float32)
    got = DeepShapExplainer(reused, target=1).fit(background).explain(X)
    want = DeepShapExplainer(assigned, target=1).fit(background).explain(X)
    np.testing.assert_allclose(got.values, want.values, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got.efficiency_gap, 0, atol=1e-5)


def test_guided_gradcam_follows_an_activation_called_for_its_effect():
    reused, assigned = _twins(_Cnn)
    X = np.random.default_rng(2).normal(size=(4, 1, 8, 8)).astype(np.float32)
    got = GuidedGradCamExplainer(reused, target_layer="conv2", target=2).fit(X).transform(X)
    want = GuidedGradCamExplainer(assigned, target_layer="conv2", target=2).fit(X).transform(X)
    scale = np.abs(want).max()
    assert scale > 0
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5 * scale)
    for p in reused.parameters():
        assert p.requires_grad
