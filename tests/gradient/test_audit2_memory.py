"""A blur width whose Gaussian kernel cannot fit in the working memory is refused naming
blur_sigma, at fit where the explainer blurs in transform (blur_sigma=10**9 died inside scipy
with numpy's 'Unable to allocate 59.6 GiB')."""

import numpy as np
import pytest

from skxai.utils import _memory

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from skxai import IntegratedGradientsExplainer  # noqa: E402
from skxai.metrics import deletion_curve  # noqa: E402


def _net():
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(1, 2, 3, padding=1), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(2, 2)).double()


@pytest.fixture
def images():
    return np.random.RandomState(0).uniform(size=(2, 1, 6, 6))


def test_integrated_gradients_refuses_a_blur_kernel_beyond_the_bound(monkeypatch, images):
    monkeypatch.setattr(_memory, "MAX_WORKING_BYTES", 2**20)  # a kernel of 4 * 10**5 taps is 6 MiB
    with pytest.raises(ValueError, match="IntegratedGradientsExplainer: blur_sigma=100000.*working memory"):
        IntegratedGradientsExplainer(_net(), baseline="blur", blur_sigma=1e5, target=0).fit(images)


def test_deletion_refuses_a_blur_kernel_beyond_the_bound(monkeypatch, images):
    explainer = IntegratedGradientsExplainer(_net(), target=0).fit(images)
    monkeypatch.setattr(_memory, "MAX_WORKING_BYTES", 2**20)
    with pytest.raises(ValueError, match="blur_sigma=100000.*working memory"):
        deletion_curve(explainer, images[:1], baseline="blur", blur_sigma=1e5)


def test_image_shapley_refuses_a_blur_kernel_beyond_the_bound_at_fit(monkeypatch, images):
    from skxai import ImageShapleyExplainer

    monkeypatch.setattr(_memory, "MAX_WORKING_BYTES", 2**20)
    with pytest.raises(ValueError, match="ImageShapleyExplainer: blur_sigma=100000.*working memory"):
        ImageShapleyExplainer(_net(), baseline="blur", blur_sigma=1e5, target=0).fit(images)
