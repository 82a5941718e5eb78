"""The default CAM layer of a network whose last convolution runs twice (audit8, torchc).

With weights shared (one nn.Conv2d called on two inputs in one forward), the default layer
was that convolution: ``fit`` accepted it and every ``transform`` then failed with "choose a
layer that runs once", though the user had chosen none. ``fit`` now says so, naming the
layer, how often it runs, and what to pass instead; a layer named by the user still serves.
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from skxai.cam import EigenCamExplainer, GradCamExplainer, ScoreCamExplainer  # noqa: E402


class _SharedConv(nn.Module):
    def __init__(self):
        super().__init__()
        self.c0 = nn.Conv2d(2, 4, 3, padding=1)
        self.r0 = nn.ReLU()
        self.c = nn.Conv2d(4, 4, 3, padding=1)
        self.r1 = nn.ReLU()
        self.fc = nn.Linear(4, 3)

    def forward(self, x):
        h = self.r0(self.c0(x))
        # self.c runs twice (its weights are shared), the last time followed by no module
        h = torch.relu(self.c(self.r1(self.c(h))))
        return self.fc(h.mean((2, 3)))


def _data():
    return np.random.RandomState(0).normal(size=(3, 2, 7, 7)).astype(np.float32)


@pytest.mark.parametrize("cls", [GradCamExplainer, EigenCamExplainer, ScoreCamExplainer])
def test_default_layer_that_runs_twice_is_refused_at_fit(cls):
    torch.manual_seed(0)
    net = _SharedConv().train()
    with pytest.raises(ValueError, match=r"'c'.*runs 2 times.*target_layer"):
        cls(net).fit(_data())
    # the refusal leaves the network as it was: training mode, gradients, no hook
    assert all(m.training for m in net.modules())
    assert all(p.requires_grad for p in net.parameters())
    assert not any(m._forward_hooks or m._forward_pre_hooks or m._backward_hooks for m in net.modules())


@pytest.mark.parametrize("cls", [GradCamExplainer, EigenCamExplainer, ScoreCamExplainer])
def test_named_layer_that_runs_once_still_serves(cls):
    torch.manual_seed(0)
    net = _SharedConv()
    X = _data()
    maps = cls(net, target_layer="r0").fit(X).transform(X)
    assert maps.shape == (3, 7, 7) and np.isfinite(maps).all()
    # the shared layer named explicitly stays refused at the call, as before
    with pytest.raises(ValueError, match="runs more than once"):
        cls(net, target_layer="c").fit(X).transform(X)
