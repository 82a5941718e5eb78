"""Audit E: gradient explainers on networks the first tests did not try."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from skxai.gradient import (  # noqa: E402
    DeepShapExplainer,
    GradientExplainer,
    GuidedBackpropExplainer,
    IntegratedGradientsExplainer,
    SmoothGradExplainer,
)


class _NoGradForward(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(64, 3))

    def forward(self, x):
        with torch.no_grad():  # an inference wrapper: no gradient is ever recorded
            return self.net(x)


@pytest.mark.parametrize(
    "cls",
    [GradientExplainer, IntegratedGradientsExplainer, DeepShapExplainer, GuidedBackpropExplainer, SmoothGradExplainer],
)
def test_forward_under_no_grad_is_refused_by_name(cls):
    # torch's "element 0 of tensors does not require grad and does not have a grad_fn" came out
    # of the backward pass, naming neither the network's forward nor what to do.
    X = np.random.RandomState(0).normal(size=(3, 3, 4, 4))
    net = _NoGradForward().eval()
    with pytest.raises(ValueError, match="no gradient history"):
        cls(net).fit(X).transform(X)
    assert all(p.requires_grad for p in net.parameters())
