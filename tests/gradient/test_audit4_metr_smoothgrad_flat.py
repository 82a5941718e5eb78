"""Audit 4 (metrics/tuning): SmoothGrad's relative noise is 0 on a sample of one value.

With ``sigma_mode="relative"`` the noise level is ``sigma * (max(x) - min(x))`` per sample: a
one-feature input or a constant image gets none, so every ``sigma`` (and ``n_samples``) gives
the plain gradient and a search over them ties without a word. A warning now names it.
"""

import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from skxai import GradientExplainer, SmoothGradExplainer  # noqa: E402
from tests._nets import one_torch_thread  # noqa: E402, F401


class Sines(torch.nn.Module):
    def forward(self, x):
        return torch.sin(3 * x.reshape(len(x), -1)).sum(1, keepdim=True)


def test_relative_noise_on_one_feature_warns_and_is_the_gradient():
    X = np.linspace(-1.0, 1.0, 4)[:, None]
    grad = GradientExplainer(Sines().double()).fit(X).transform(X)
    assert np.allclose(grad[:, 0], 3 * np.cos(3 * X[:, 0]))  # the closed form
    for sigma in (0.1, 2.0):
        sg = SmoothGradExplainer(Sines().double(), sigma=sigma, n_samples=5, random_state=0).fit(X)
        with pytest.warns(UserWarning, match=r"relative noise level .* is 0 for 4 of 4 samples"):
            A = sg.transform(X)
        np.testing.assert_array_equal(A, grad)


def test_constant_image_warns_other_samples_do_not():
    X = np.random.RandomState(0).normal(size=(3, 1, 3, 3))
    X[1] = 0.5  # one flat image among others
    sg = SmoothGradExplainer(Sines().double(), sigma=0.3, n_samples=4, random_state=0).fit(X)
    with pytest.warns(UserWarning, match="is 0 for 1 of 3 samples"):
        sg.transform(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sg.transform(X[[0, 2]])  # no flat sample: no warning
        SmoothGradExplainer(Sines().double(), sigma=0.3, sigma_mode="absolute", n_samples=4, random_state=0).fit(
            X
        ).transform(X)
        SmoothGradExplainer(Sines().double(), sigma=0.0, n_samples=2).fit(X).transform(X)
