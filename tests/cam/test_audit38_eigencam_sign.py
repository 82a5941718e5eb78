"""Eigen-CAM's sign (the map follows the mean activation) is decided on the centred mean in
float64: with a large common offset of the activations float32 rounding flipped half the maps."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
nn = torch.nn

from skxai import EigenCamExplainer  # noqa: E402


@pytest.mark.parametrize("bias", [0.0, 3000.0])
def test_the_map_follows_the_mean_activation_whatever_the_offset(bias):
    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(1, 6, 3, padding=1), nn.Flatten(), nn.Linear(6 * 10 * 10, 2)).eval()
    with torch.no_grad():
        net[0].bias.fill_(bias)
    X = torch.randn(60, 1, 10, 10)
    raw = EigenCamExplainer(net, target_layer="0", relu=False, upsample=False).fit(X).explain(X).raw_map
    with torch.no_grad():
        mean = net[0](X).double().mean(1).reshape(len(X), -1).numpy()
    centred = mean - mean.mean(axis=1, keepdims=True)
    corr = np.einsum("ij,ij->i", np.asarray(raw).reshape(len(X), -1), centred)
    assert (corr > 0).all(), f"{(corr <= 0).sum()} maps against the mean activation"
