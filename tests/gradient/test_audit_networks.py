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


class _ViewNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1)
        self.relu = nn.ReLU()
        self.fc = nn.Linear(4 * 6 * 6, 5)

    def forward(self, x):
        h = self.relu(self.conv(x))
        return self.fc(h.view(h.size(0), -1))


@pytest.mark.parametrize("cls_name", ["GradientExplainer", "IntegratedGradientsExplainer", "GradCamExplainer"])
def test_permuted_nhwc_tensor_equals_its_numpy_array(cls_name):
    # An NHWC batch permuted to NCHW keeps channels-last strides; the copy kept them, so a
    # network that .view()s its feature maps failed ("view size is not compatible") on the
    # tensor while the same numbers as a numpy array (or a contiguous tensor) were explained.
    import skxai

    cls = getattr(skxai, cls_name)
    torch.manual_seed(0)
    net = _ViewNet().eval()
    nhwc = torch.randn(4, 6, 6, 3)
    x = nhwc.permute(0, 3, 1, 2)
    a = cls(net).fit(x).transform(x)
    b = cls(net).fit(x.numpy()).transform(x.numpy().astype(np.float64))
    np.testing.assert_array_equal(a, b)


def test_layer_integrated_gradients_before_an_in_place_relu():
    # The layer's activations were read after the forward pass, which a ReLU(inplace=True)
    # right after the convolution had already rectified: the path ran between the ReLU's
    # outputs and the attributions were those of other activations than the layer's.
    X = torch.randn(3, 3, 6, 6, generator=torch.Generator().manual_seed(1))
    values = []
    for inplace in (False, True):
        torch.manual_seed(0)
        net = nn.Sequential(
            nn.Conv2d(3, 4, 3, padding=1), nn.ReLU(inplace=inplace), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
            nn.Linear(4, 3),
        ).eval()
        ig = IntegratedGradientsExplainer(net, target_layer="0", target=0, n_steps=16).fit(X)
        values.append(ig.transform(X))
    np.testing.assert_allclose(values[1], values[0], rtol=1e-6, atol=1e-9)
