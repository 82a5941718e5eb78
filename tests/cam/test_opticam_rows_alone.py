"""Opti-CAM: an image's map does not depend on the images optimised beside it (beyond float32
rounding): Adam's eps is 1e-4 of the first gradient, so channels whose gradient is rounding
noise no longer take full steps along that noise (the maps moved by 9% of their range)."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from skxai import OptiCamExplainer  # noqa: E402


@pytest.mark.parametrize("max_iter", [10, 100])
def test_an_image_alone_gets_the_map_it_gets_in_a_batch(max_iter):
    torch.manual_seed(0)
    net = nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.Conv2d(4, 4, 3, padding=1), nn.ReLU(),
        nn.AdaptiveAvgPool2d(2), nn.Flatten(), nn.Linear(16, 3),
    ).eval()  # fmt: skip
    X = np.random.RandomState(1).rand(6, 1, 8, 8).astype(np.float32)
    ex = OptiCamExplainer(net, max_iter=max_iter).fit(X)
    together = ex.explain(X)
    alone = [ex.explain(X[i : i + 1]) for i in range(len(X))]
    values = np.concatenate([a.values for a in alone])
    scale = np.abs(together.values).max()
    np.testing.assert_allclose(values, together.values, rtol=0, atol=1e-4 * scale)
    np.testing.assert_allclose(np.concatenate([a.weights for a in alone]), together.weights, rtol=0, atol=1e-4)
    assert [int(a.n_iter[0]) for a in alone] == together.n_iter.tolist()
