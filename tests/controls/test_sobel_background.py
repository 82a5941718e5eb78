"""SobelExplainer kept every image it was fitted on, while the gradient explainers and the other
controls keep at most max_background (100) drawn with random_state: a metric's
baseline="background_mean" was another image for the control than for the method it is compared
with, and the same maps scored differently (an outside audit, session 30)."""

import numpy as np
import pytest

pytest.importorskip("torch")

from sklearn.datasets import load_digits  # noqa: E402

from skxai import GradientExplainer, RandomExplainer, SobelExplainer  # noqa: E402


def _net():
    import torch

    torch.manual_seed(0)
    return torch.nn.Sequential(
        torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.ReLU(), torch.nn.Flatten(), torch.nn.Linear(256, 10)
    ).double()


def test_sobel_keeps_the_background_the_other_explainers_keep():
    X = (load_digits().images[:300, None] / 16).astype(np.float64)
    net = _net()
    sobel = SobelExplainer(net, random_state=0).fit(X)
    gradient = GradientExplainer(net, random_state=0).fit(X)
    random = RandomExplainer(net, random_state=0).fit(X)
    assert sobel.background_.shape == (100, 1, 8, 8)
    np.testing.assert_array_equal(sobel.background_, random.background_)
    np.testing.assert_array_equal(sobel.background_, gradient.background_)
    assert SobelExplainer(net, max_background=None).fit(X).background_.shape[0] == 300
