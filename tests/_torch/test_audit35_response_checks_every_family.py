"""The same torch network explains the same quantity in every family (session 35).

A network whose ``forward`` ends in a functional softmax (or in a softmax module changed in
place after it, which cannot be bypassed) returns probabilities. The gradient and CAM families
warned that ``response_method='decision_function'`` then explains those probabilities (and named
them so), and refused ``'predict_proba'`` (the softmax of probabilities). The image Shapley
games and the controls did neither: they labelled the probabilities "logit" without a word, and
explained ``softmax(softmax(z))`` as the probabilities.
"""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from skxai import GradientExplainer, ImageShapleyExplainer  # noqa: E402
from skxai.controls import RandomExplainer  # noqa: E402


class FunctionalSoftmax(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3, padding=1)
        self.fc = nn.Linear(4, 3)

    def forward(self, x):
        return torch.softmax(self.fc(self.conv(x).mean((2, 3))), dim=1)


class ClampedSoftmaxModule(FunctionalSoftmax):
    def __init__(self):
        super().__init__()
        self.softmax = nn.Softmax(dim=1)

    def forward(self, x):
        return self.softmax(self.fc(self.conv(x).mean((2, 3)))).clamp_(1e-6, 1 - 1e-6)


def _net(cls):
    with torch.random.fork_rng():
        torch.manual_seed(0)
        return cls().eval()


X = np.random.RandomState(0).uniform(size=(6, 1, 8, 8)).astype(np.float32)


def _image_shapley(net, response_method):
    return ImageShapleyExplainer(net, response_method=response_method, n_samples=50, random_state=0)


@pytest.mark.parametrize("net_cls", [FunctionalSoftmax, ClampedSoftmaxModule])
def test_image_shapley_names_probabilities_asked_as_scores(net_cls):
    net = _net(net_cls)
    with pytest.warns(UserWarning, match="look like probabilities"):
        ex = _image_shapley(net, "decision_function").fit(X)
    assert ex.quantity_ == "probability"
    exp = ex.explain(X[:1])
    assert exp.quantity == "probability"
    with torch.no_grad():
        p = net(torch.as_tensor(X[:1])).numpy()
    np.testing.assert_allclose(exp.outputs, p, rtol=1e-6)


@pytest.mark.parametrize("net_cls", [FunctionalSoftmax, ClampedSoftmaxModule])
def test_image_shapley_refuses_a_second_softmax(net_cls):
    with pytest.raises(ValueError, match="ImageShapleyExplainer.*already are probabilities"):
        _image_shapley(_net(net_cls), "predict_proba").fit(X)


def test_controls_check_the_response_as_the_gradient_family():
    net = _net(FunctionalSoftmax)
    with pytest.warns(UserWarning, match="look like probabilities"):
        control = RandomExplainer(net, response_method="decision_function", random_state=0).fit(X)
    with pytest.warns(UserWarning, match="look like probabilities"):
        gradient = GradientExplainer(net, response_method="decision_function").fit(X)
    assert control.quantity_ == gradient.quantity_ == "probability"
    with pytest.raises(ValueError, match="RandomExplainer.*already are probabilities"):
        RandomExplainer(net, response_method="predict_proba", random_state=0).fit(X)


def test_a_bypassed_softmax_module_still_explains_logits():
    """The checks leave a network whose trailing Softmax module is bypassed alone."""
    with torch.random.fork_rng():
        torch.manual_seed(0)
        net = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.Flatten(), nn.Linear(256, 3), nn.Softmax(dim=1)).eval()
    ex = _image_shapley(net, "decision_function").fit(X)
    assert ex.quantity_ == "logit"
    with torch.no_grad():
        z = net[:-1](torch.as_tensor(X[:1])).numpy()
    np.testing.assert_allclose(ex.explain(X[:1]).outputs, z, rtol=1e-5, atol=1e-6)
    proba = _image_shapley(net, "predict_proba").fit(X)
    assert proba.quantity_ == "probability"
