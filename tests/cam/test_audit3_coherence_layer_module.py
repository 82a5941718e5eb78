"""``target_layer`` takes a module in every torch family, as the vocabulary page says.

The gradient explainers took ``target_layer=net.conv`` (a module of the network) or its name;
the CAMs refused the module with ``InvalidParameterError`` ("must be an instance of str or
None"). A CAM now takes the module, records its name in ``target_layer_``, and gives the maps
of the name.
"""

import numpy as np
import pytest
import torch
from torch import nn

from skxai import GradCamExplainer, GuidedGradCamExplainer, HiResCamExplainer, ScoreCamExplainer


class _Net(nn.Module):
    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.conv = nn.Conv2d(1, 3, 3, padding=1)
        self.relu = nn.ReLU()
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(3, 2)

    def forward(self, x):
        return self.fc(self.pool(self.relu(self.conv(x))).flatten(1))


X = np.random.RandomState(0).normal(size=(4, 1, 6, 6)).astype(np.float32)


@pytest.mark.parametrize("cls", [GradCamExplainer, HiResCamExplainer, ScoreCamExplainer, GuidedGradCamExplainer])
def test_a_cam_takes_the_layer_module(cls):
    net = _Net()
    by_module = cls(net, target_layer=net.conv, target=1).fit(X)
    assert by_module.target_layer_ == "conv"
    by_name = cls(net, target_layer="conv", target=1).fit(X)
    np.testing.assert_array_equal(by_module.transform(X), by_name.transform(X))
    assert by_module.explain(X[:1]).target_layer == "conv"


def test_a_module_outside_the_network_is_refused_with_its_name():
    net = _Net()
    with pytest.raises(ValueError, match="not part of the explained network.*'conv'"):
        GradCamExplainer(net, target_layer=nn.Conv2d(1, 3, 3)).fit(X)
