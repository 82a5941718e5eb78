"""Third audit, dtypes: bfloat16 networks and inputs (numpy has no bfloat16) give the numbers of
their float32 copies, instead of torch's "Got unsupported ScalarType BFloat16"."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from skxai import GradientExplainer, ImageShapleyExplainer, RandomExplainer, SobelExplainer  # noqa: E402
from skxai.metrics import deletion_auc  # noqa: E402
from tests._nets import one_torch_thread, small_cnn  # noqa: E402, F401

# values a bfloat16 holds exactly, so float64 -> bfloat16 and float32 -> bfloat16 agree
_X = np.random.default_rng(0).integers(-8, 8, size=(3, 2, 8, 8)) / 4.0


class _AsFloat32(nn.Module):
    """The bfloat16 network, fed bfloat16 and returning float32: what the explainers should see."""

    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x):
        return self.net(x.to(torch.bfloat16)).float()


def test_image_shapley_of_a_bfloat16_network():
    net = small_cnn(0).to(torch.bfloat16)
    got = ImageShapleyExplainer(net, target=0, random_state=0).fit(_X).transform(_X)
    want = ImageShapleyExplainer(_AsFloat32(net), target=0, random_state=0).fit(_X).transform(_X)
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize(
    "make",
    [
        lambda net: ImageShapleyExplainer(net, target=0, random_state=0),
        lambda net: RandomExplainer(net, random_state=0),
        lambda net: SobelExplainer(net),
    ],
)
def test_bfloat16_inputs_are_their_float32_values(make):
    net = small_cnn(0)
    xb = torch.as_tensor(_X).to(torch.bfloat16)
    got = make(net).fit(xb).transform(xb)
    want = make(net).fit(xb.float()).transform(xb.float())
    np.testing.assert_array_equal(got, want)


def test_metrics_take_bfloat16_inputs():
    ex = GradientExplainer(small_cnn(0), target=0).fit(_X)
    xb = torch.as_tensor(_X).to(torch.bfloat16)
    np.testing.assert_array_equal(deletion_auc(ex, xb), deletion_auc(ex, xb.float()))
