"""Grey images without their channel axis are refused by name, not with torch's convolution error.

``X`` of shape ``(5, 12, 10)`` (five grey images, channel axis forgotten) given to a ``Conv2d(1, ...)``
network failed ``fit`` with torch's "Given groups=1, weight of size [4, 1, 3, 3], expected
input[1, 5, 12, 10] to have 1 channels, but got 5 channels instead": torch reads a 3-D input as
one unbatched image, so the message counts the samples as channels. The error now says that the
network's convolutions are 2-D and the inputs lack an axis, and how to add it.
"""

import numpy as np
import pytest
import torch
from torch import nn

from skxai import EigenCamExplainer, GradCamExplainer, IntegratedGradientsExplainer, ScoreCamExplainer


def _net():
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 3)
    ).eval()


X = np.random.RandomState(0).normal(size=(5, 12, 10)).astype(np.float32)


@pytest.mark.parametrize("cls", [GradCamExplainer, ScoreCamExplainer, EigenCamExplainer, IntegratedGradientsExplainer])
def test_a_missing_channel_axis_is_named(cls):
    net = _net()
    with pytest.raises(ValueError, match=r"2-D convolutions.*\(5, 12, 10\).*X\[:, None\]") as info:
        cls(net).fit(X)
    assert isinstance(info.value.__cause__, RuntimeError)  # torch's own message stays in the chain
    # with the axis the same images are explained
    assert GradCamExplainer(net).fit(X[:, None]).transform(X[:, None]).shape == (5, 12, 10)


def test_other_runtime_errors_are_left_as_they_are():
    net = nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 3))
    # four axes, as a Conv2d takes, but one channel for three: torch's message says it all
    with pytest.raises(RuntimeError, match="expected input"):
        GradCamExplainer(net).fit(X[:, None])


class _AddsTheAxis(nn.Module):
    """Takes (n, H, W) and adds the channel axis itself; its conv wants three channels."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)

    def forward(self, x):
        return self.conv(x.unsqueeze(1)).mean((2, 3))


def test_a_network_that_adds_the_axis_itself_keeps_torch_s_error():
    with pytest.raises(RuntimeError, match=r"expected input\[\d+, 1, 12, 10\]"):
        GradCamExplainer(_AddsTheAxis(), target_layer="conv").fit(X)
