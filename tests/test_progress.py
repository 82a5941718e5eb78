"""``verbose`` shows progress on long transforms and never changes the numbers."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from skxai import GradCamExplainer, IntegratedGradientsExplainer, ScoreCamExplainer, SmoothGradExplainer  # noqa: E402


def _net():
    gen = torch.Generator().manual_seed(0)
    net = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                        nn.Linear(4, 3))
    with torch.no_grad():
        for p in net.parameters():
            p.copy_(torch.randn(p.shape, generator=gen))
    return net


@pytest.mark.parametrize("make, label", [
    (lambda net: SmoothGradExplainer(net, n_samples=4, random_state=0), "SmoothGrad"),
    (lambda net: IntegratedGradientsExplainer(net, n_steps=4), "IG"),
    (lambda net: GradCamExplainer(net, batch_size=4), "GradCamExplainer"),
    (lambda net: ScoreCamExplainer(net, batch_size=4), "ScoreCamExplainer"),
])
def test_verbose_progress(make, label, capsys):
    X = np.random.RandomState(0).normal(size=(10, 1, 8, 8)).astype(np.float32)
    net = _net()
    quiet = make(net).fit(X).transform(X)
    capsys.readouterr()
    loud = make(net).set_params(verbose=1).fit(X).transform(X)
    assert label in capsys.readouterr().err
    np.testing.assert_array_equal(quiet, loud)
