"""A layer with one position per channel (after the global pooling) gives no class activation map.

``target_layer`` naming the global pooling itself (``(n, K, 1, 1)`` activations on a 9 x 7 image)
was accepted by every CAM, which returned a map equal at every pixel (Grad-CAM: ``sum_k w_k
mean(A_k)`` spread over the image; Eigen-CAM and Score-CAM: zeros or the mean channel) without a
word: a map that cannot localise anything. The layer is now refused by name, pointing at the
default layer (the activations the pooling averages), as a layer without spatial axes already is.
"""

import numpy as np
import pytest
import torch
from torch import nn

from skxai import (
    AblationCamExplainer,
    CamExplainer,
    EigenCamExplainer,
    GradCamExplainer,
    HiResCamExplainer,
    ScoreCamExplainer,
)

CLASSES = [
    GradCamExplainer,
    HiResCamExplainer,
    ScoreCamExplainer,
    AblationCamExplainer,
    EigenCamExplainer,
    CamExplainer,
]


def _net():
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Conv2d(2, 4, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 3)
    ).eval()


X = np.random.RandomState(0).normal(size=(3, 2, 9, 7)).astype(np.float32)


@pytest.mark.parametrize("cls", CLASSES)
def test_a_layer_after_the_global_pooling_is_refused(cls):
    net = _net()
    est = cls(net, target_layer="2")
    with pytest.raises(ValueError, match=r"one position.*target_layer='1'"):
        est.fit(X).transform(X)
    # the network is left as it was: no hook left behind, still in evaluation mode
    assert all(not m._forward_hooks and not m._backward_hooks for m in net.modules())
    assert not net.training


def test_a_layer_with_several_positions_still_works_and_a_one_pixel_input_too():
    net = _net()
    # the layer the pooling averages: a map that varies over the image
    heat = GradCamExplainer(net, target_layer="1", relu=False).fit(X).transform(X)
    assert heat.shape == (3, 9, 7) and np.ptp(heat[0]) > 0
    # an input of one pixel has one position at every layer: its map is that pixel's value
    x1 = X[:, :, :1, :1]
    exp = GradCamExplainer(net, target_layer="1", relu=False).fit(x1).explain(x1)
    assert exp.values.shape == (3, 1, 1)
    np.testing.assert_array_equal(exp.values, exp.raw_map)


def _conv_head_after_pooling():
    """conv -> ReLU -> global pooling -> 1x1 conv head -> ReLU -> linear (timm's MobileNetV3 layout)."""
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Conv2d(2, 4, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
        nn.Conv2d(4, 5, 1), nn.ReLU(), nn.Flatten(), nn.Linear(5, 3),
    ).eval()  # fmt: skip


@pytest.mark.parametrize("cls", [GradCamExplainer, ScoreCamExplainer, EigenCamExplainer])
def test_the_default_layer_passes_over_a_conv_head_after_the_global_pooling(cls):
    # the last convolution is the 1x1 head on the pooled features: its map was one value
    # spread over the image; the default is now the last convolution with a feature map
    net = _conv_head_after_pooling()
    est = cls(net).fit(X)
    assert est.target_layer_ == "1"
    np.testing.assert_array_equal(est.transform(X), cls(net, target_layer="1").fit(X).transform(X))
    with pytest.raises(ValueError, match=r"one position.*target_layer='1'"):
        cls(net, target_layer="4").fit(X).transform(X)
