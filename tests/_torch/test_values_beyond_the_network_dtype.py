"""Values beyond the largest float32 passed the finite check on float64 inputs, became inf in
the float32 network, and the error blamed the network ("returned NaN or inf ... perturbed
samples during explain"), though a literal inf gets a clear message (an outside audit,
session 30)."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from skxai import GradCamExplainer, GradientExplainer, GradientXInputExplainer, IntegratedGradientsExplainer  # noqa: E402


def _mlp(dtype=torch.float32):
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2)).to(dtype)


@pytest.mark.parametrize("cls", [GradientExplainer, GradientXInputExplainer, IntegratedGradientsExplainer])
@pytest.mark.parametrize("big", [1e39, 1e300, -1e40])
def test_values_a_float32_network_cannot_hold_are_refused_by_name(cls, big):
    X = np.random.RandomState(0).normal(size=(10, 3))
    ex = cls(_mlp()).fit(X)
    rows = X[:2].copy()
    rows[1, 2] = big
    with pytest.raises(
        ValueError, match=r"Input X holds values up to .*beyond the largest float32.*module\.double\(\)"
    ):
        ex.transform(rows)
    bad_fit = X.copy()
    bad_fit[0, 0] = big
    with pytest.raises(ValueError, match="beyond the largest float32"):
        cls(_mlp()).fit(bad_fit)


def test_a_float64_network_takes_them():
    X = np.random.RandomState(0).normal(size=(10, 3))
    rows = X[:2].copy()
    rows[1, 2] = 1e39
    out = GradientExplainer(_mlp(torch.float64)).fit(X).transform(rows)
    assert np.isfinite(out).all()


def test_images_for_a_cam_are_checked_too():
    torch.manual_seed(0)
    net = torch.nn.Sequential(
        torch.nn.Conv2d(1, 3, 3, padding=1),
        torch.nn.ReLU(),
        torch.nn.AdaptiveAvgPool2d(1),
        torch.nn.Flatten(),
        torch.nn.Linear(3, 2),
    )
    X = np.random.RandomState(0).normal(size=(4, 1, 6, 6))
    ex = GradCamExplainer(net).fit(X)
    X[0, 0, 0, 0] = 1e39
    with pytest.raises(ValueError, match="beyond the largest float32"):
        ex.transform(X)
