"""Audit of Grad-CAM++ on networks and gradient scales its first tests did not try (issue 14)."""

import copy

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from skxai import GradCamPlusPlusExplainer  # noqa: E402
from skxai.cam._upsample import minmax  # noqa: E402


class _Residual(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(3, 6, 3, padding=1)
        self.bn = nn.BatchNorm2d(6)
        self.c2 = nn.Conv2d(6, 6, 3, padding=1)
        self.head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(6, 4))

    def forward(self, x):
        h = torch.relu(self.bn(self.c1(x)))
        return self.head(torch.relu(h + self.c2(h)))


def _strided():
    return nn.Sequential(nn.Conv2d(3, 5, 3, padding=1), nn.ReLU(), nn.Conv2d(5, 6, 3, stride=2, padding=1),
                         nn.ReLU(), nn.Flatten(), nn.Linear(6 * 4 * 4, 3))


def _scaled(net, scale):
    net = copy.deepcopy(net)
    last = [m for m in net.modules() if isinstance(m, nn.Linear)][-1]
    with torch.no_grad():
        last.weight.mul_(scale)
        last.bias.mul_(scale)
    return net


def _by_hand(net, layer, X, target):
    """The paper's formula in float64: alpha = G^2 / (2 G^2 + sum_ab A_ab G^3), 0 where 0/0."""
    store = {}
    hook = layer.register_forward_hook(lambda m, i, o: store.__setitem__("A", o))
    out = net(X)
    hook.remove()
    (G,) = torch.autograd.grad(out[:, target].sum(), store["A"])
    A, G = store["A"].detach().double(), G.double()
    num, den = G**2, 2 * G**2 + A.sum(dim=(2, 3), keepdim=True) * G**3
    alpha = torch.where(den != 0, num / torch.where(den != 0, den, 1.0), 0.0)
    w = (alpha * torch.relu(G)).sum(dim=(2, 3))
    raw = torch.relu((w[:, :, None, None] * A).sum(dim=1))
    flat = raw.reshape(len(raw), -1)
    lo, hi = flat.min(1, keepdim=True).values, flat.max(1, keepdim=True).values
    return raw, ((flat - lo) / (hi - lo)).reshape(raw.shape)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("make", [_Residual, _strided])
@pytest.mark.parametrize("scale", [1.0, 1e-6, 1e4, 1e-12])
def test_gradcampp_follows_the_formula_at_any_gradient_scale(make, dtype, scale):
    # The raw map always did; the normalised one became all zeros once the map's span fell
    # below an absolute 1e-12 (logit layer scaled by 1e-12).
    torch.manual_seed(0)
    net = _scaled(make().to(dtype).eval(), scale)
    X = torch.randn(4, 3, 8, 8, dtype=dtype)
    tol = 1e-5 if dtype == torch.float32 else 1e-12
    raw_est = GradCamPlusPlusExplainer(net, target=1, upsample=False).fit(X)
    norm_est = GradCamPlusPlusExplainer(net, target=1, upsample=False, normalize=True).fit(X)
    raw, norm = _by_hand(net, net.get_submodule(raw_est.target_layer_), X, 1)
    assert raw.abs().amax(dim=(1, 2)).min() > 0
    got = torch.as_tensor(np.asarray(raw_est.transform(X))).double()
    assert torch.allclose(got, raw, rtol=tol, atol=tol * raw.abs().max().item())
    got_norm = torch.as_tensor(np.asarray(norm_est.transform(X))).double()
    assert torch.allclose(got_norm, norm, atol=10 * tol)


def test_a_layer_without_gradient_gives_a_zero_map_not_nan():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                        nn.Linear(4, 3))
    with torch.no_grad():
        net[-1].weight[1] = 0.0  # class 1 does not depend on the layer: G = 0 everywhere
    X = torch.randn(2, 3, 8, 8)
    for normalize in (False, True):
        heat = np.asarray(GradCamPlusPlusExplainer(net, target=1, normalize=normalize).fit(X).transform(X))
        assert np.isfinite(heat).all() and not heat.any()


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_minmax_is_scale_free_and_zeroes_constant_maps(dtype):
    torch.manual_seed(0)
    maps = torch.rand(3, 5, 5, dtype=dtype)
    ref = minmax(maps)
    for scale in (1e-20, 1e-12, 1e-6, 1e6):
        assert torch.allclose(minmax(maps * scale), ref, atol=1e-5)
    const = torch.full((2, 4, 4), 3e-15, dtype=dtype)
    assert not minmax(const).any()
    assert not minmax(torch.zeros(1, 3, 3, dtype=dtype)).any()


@pytest.mark.parametrize("value", [0.3, 1.7, 123.456])
def test_a_constant_map_upsampled_in_float32_normalises_to_zeros(value):
    # Linear interpolation leaves a constant float32 map with a rounding span (3e-8 at 0.3),
    # above the old absolute 1e-12: min-max scaling blew that rounding up to a [0, 1] pattern.
    from skxai.cam._upsample import postprocess

    heat = postprocess(torch.full((2, 7, 7), value), relu=True, normalize=True, size=(33, 33))
    assert not heat.any()
