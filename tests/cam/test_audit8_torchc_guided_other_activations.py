"""Guided Grad-CAM on a network whose activations are not nn.ReLU (audit8, torchc).

The guided rule is defined at ReLUs; GELU / LeakyReLU / SiLU ... are crossed with their plain
gradient. GuidedBackpropExplainer says so with a UserWarning; Guided Grad-CAM, whose
``guided_backprop`` factor is then the plain gradient, said nothing.
"""

import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from skxai.cam import GuidedGradCamExplainer  # noqa: E402
from skxai.gradient import GradientExplainer  # noqa: E402


def _net(act):
    return nn.Sequential(nn.Conv2d(2, 4, 3, padding=1), act, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 3))


X = np.random.RandomState(0).normal(size=(3, 2, 6, 6)).astype(np.float32)


@pytest.mark.parametrize("act", [nn.LeakyReLU(0.1), nn.GELU(), nn.SiLU()], ids=lambda m: type(m).__name__)
def test_other_activations_are_named(act):
    torch.manual_seed(0)
    net = _net(act)
    with pytest.warns(UserWarning, match=r"nn\.ReLU modules only.*" + type(act).__name__):
        ex = GuidedGradCamExplainer(net).fit(X).explain(X)
    # what the warning says: the guided factor is the plain gradient
    np.testing.assert_allclose(ex.guided_backprop, GradientExplainer(net).fit(X).transform(X), rtol=1e-5, atol=1e-7)


def test_relu_network_is_not_warned():
    torch.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        GuidedGradCamExplainer(_net(nn.ReLU())).fit(X).transform(X)
