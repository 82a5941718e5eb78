"""DeepSHAP takes the up-sampling, padding and shuffle modules as the linear maps they are: a
network written with them is explained as the same network written with the functions."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402

from skxai.gradient import DeepShapExplainer  # noqa: E402


class _Functional(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(2, 4, 3)
        self.act = nn.Tanh()
        self.head = nn.Linear(4 * 8 * 8, 3)

    def forward(self, x):
        h = F.pad(x, (1, 1, 1, 1), mode="reflect")
        h = self.act(self.conv(h))
        h = F.interpolate(h, scale_factor=2, mode="bilinear")
        h = F.pixel_unshuffle(F.pixel_shuffle(h, 2), 2)
        return self.head(h.flatten(1))


class _Modules(_Functional):
    def __init__(self):
        super().__init__()
        self.pad = nn.ReflectionPad2d(1)
        self.up = nn.Upsample(scale_factor=2, mode="bilinear")
        self.shuffle, self.unshuffle = nn.PixelShuffle(2), nn.PixelUnshuffle(2)

    def forward(self, x):
        h = self.act(self.conv(self.pad(x)))
        h = self.unshuffle(self.shuffle(self.up(h)))
        return self.head(h.flatten(1))


@pytest.mark.parametrize("up", [nn.Upsample(scale_factor=2), nn.UpsamplingNearest2d(scale_factor=2)])
def test_upsampling_modules_are_linear(up):
    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1), nn.ReLU(), up, nn.Flatten(), nn.Linear(2 * 8 * 8, 2))
    rng = np.random.default_rng(0)
    X = rng.normal(size=(3, 1, 4, 4)).astype(np.float32)
    e = DeepShapExplainer(net, target=1).fit(rng.normal(size=(4, 1, 4, 4)).astype(np.float32)).explain(X)
    np.testing.assert_allclose(e.efficiency_gap, 0, atol=1e-5)


def test_modules_give_the_functions_values():
    torch.manual_seed(0)
    functional = _Functional()
    modules = _Modules()
    modules.load_state_dict(functional.state_dict())
    rng = np.random.default_rng(1)
    X = rng.normal(size=(3, 2, 4, 4)).astype(np.float32)
    background = rng.normal(size=(5, 2, 4, 4)).astype(np.float32)
    want = DeepShapExplainer(functional, target=2).fit(background).explain(X)
    got = DeepShapExplainer(modules, target=2).fit(background).explain(X)
    np.testing.assert_allclose(got.values, want.values, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(got.efficiency_gap, 0, atol=1e-5)
