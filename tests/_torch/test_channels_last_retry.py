"""The channels-last pass is run again in the usual layout only when torch refused the layout:
a network's own error surfaces after one forward, not two (side effects would run twice)."""

import numpy as np
import pytest
import torch
from torch import nn

from skxai import GradCamExplainer, GradientExplainer


class Flaky(nn.Module):
    """A small colour-image CNN that counts its forwards and can be made to fail."""

    def __init__(self, view=False):
        super().__init__()
        torch.manual_seed(0)
        self.conv = nn.Conv2d(3, 4, 3, padding=1)
        self.fc = nn.Linear(4 * 6 * 6, 2)
        self.view, self.fail, self.calls = view, False, 0

    def forward(self, x):
        self.calls += 1
        if self.fail:
            raise RuntimeError("boom: the network's own failure")
        h = torch.relu(self.conv(x))
        return self.fc(h.view(h.shape[0], -1) if self.view else h.flatten(1))


X = np.random.RandomState(0).normal(size=(4, 3, 6, 6)).astype(np.float32)


@pytest.mark.parametrize("cls", [GradientExplainer, GradCamExplainer])
def test_a_network_s_own_runtime_error_runs_one_forward(cls):
    net = Flaky()
    est = cls(net).fit(X)
    net.fail, net.calls = True, 0
    with pytest.raises(RuntimeError, match="boom"):
        est.explain(X)
    assert net.calls == 1


@pytest.mark.parametrize("cls", [GradientExplainer, GradCamExplainer])
def test_a_network_that_views_its_feature_maps_still_falls_back_to_the_usual_layout(cls):
    plain, viewing = Flaky(), Flaky(view=True)
    a = cls(plain).fit(X).explain(X).values
    b = cls(viewing).fit(X).explain(X).values
    np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
