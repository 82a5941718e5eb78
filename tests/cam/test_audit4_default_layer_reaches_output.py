"""The default CAM layer is the last convolution on the path to the explained output.

The default was the last convolution to *run*: on a network whose forward also computes an
auxiliary convolutional head after the classifier's features (a segmentation or deep-supervision
branch, returned second or not at all), it was that head's convolution, which the explained scores
do not depend on. Grad-CAM then refused its own default ("Layer 'aux' does not reach the explained
output"), Ablation-CAM failed with "returned 3 rows for 6 input rows", and Score-CAM and Eigen-CAM
returned maps of the auxiliary head's activations without a word. The default now skips the
convolutions the output does not depend on (one backward pass of the fit's tracing forward), so
every CAM reads the classifier's features, as with ``target_layer="act"`` named.

Ablation-CAM on a layer named by the user that does not reach the output ablated into the same
"returned 3 rows for 6 input rows" error: its weights are now the formula's ``(y - y_k) / y = 0``.
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
    GradCamPlusPlusExplainer,
    ScoreCamExplainer,
)


class _WithAuxHead(nn.Module):
    """Logits from conv -> ReLU -> mean -> linear; an auxiliary 1x1 conv head runs after them."""

    def __init__(self, returns_aux=True):
        super().__init__()
        torch.manual_seed(0)
        self.conv = nn.Conv2d(2, 4, 3, padding=1)
        self.act = nn.ReLU()
        self.fc = nn.Linear(4, 3)
        self.aux = nn.Conv2d(4, 2, 1)
        self.returns_aux = returns_aux

    def forward(self, x):
        h = self.act(self.conv(x))
        logits = self.fc(h.mean((2, 3)))
        seg = self.aux(h)
        return (logits, seg) if self.returns_aux else logits


X = np.random.RandomState(0).normal(size=(3, 2, 9, 7)).astype(np.float32)
CLASSES = [
    GradCamExplainer,
    GradCamPlusPlusExplainer,
    ScoreCamExplainer,
    AblationCamExplainer,
    EigenCamExplainer,
    CamExplainer,
]


@pytest.mark.parametrize("returns_aux", [True, False])
@pytest.mark.parametrize("cls", CLASSES)
def test_the_default_layer_is_the_last_convolution_the_output_depends_on(cls, returns_aux):
    net = _WithAuxHead(returns_aux).eval()
    est = cls(net).fit(X)
    assert est.target_layer_ == "act"
    named = cls(net, target_layer="act").fit(X)
    np.testing.assert_array_equal(est.transform(X), named.transform(X))


def test_a_network_whose_convolutions_all_reach_the_output_keeps_its_default():
    torch.manual_seed(0)
    net = nn.Sequential(
        nn.Conv2d(2, 3, 3, padding=1), nn.ReLU(), nn.Conv2d(3, 4, 3, padding=1), nn.ReLU(),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 3),
    ).eval()  # fmt: skip
    assert GradCamExplainer(net).fit(X).target_layer_ == "3"


def test_ablation_cam_refuses_a_layer_off_the_output_path_as_grad_cam_does():
    # its ablations change nothing: the weights were 0, or the rounding of a forward batched
    # otherwise (-6e-8), which normalize=True stretched into a full map
    net = _WithAuxHead().eval()
    for cls in (AblationCamExplainer, GradCamExplainer):
        est = cls(net, target_layer="aux", relu=False, normalize=True).fit(X)
        with pytest.raises(ValueError, match="'aux' does not reach the explained output"):
            est.explain(X)


class _ReentrantCheckpoint(nn.Module):
    """Its last convolution runs inside a reentrant checkpoint, off the autograd graph."""

    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.stem = nn.Conv2d(2, 4, 3, padding=1)
        self.block = nn.Sequential(nn.Conv2d(4, 4, 3, padding=1), nn.ReLU())
        self.fc = nn.Linear(4, 3)

    def forward(self, x):
        from torch.utils.checkpoint import checkpoint

        h = checkpoint(self.block, torch.relu(self.stem(x)), use_reentrant=True)
        return self.fc(h.mean((2, 3)))


def test_a_convolution_off_the_autograd_graph_is_not_ruled_out():
    # whether the output depends on it cannot be told from gradients: it stays the default
    assert ScoreCamExplainer(_ReentrantCheckpoint().eval()).fit(X).target_layer_ == "block.1"


class _NoGradAttention(nn.Module):
    """The last convolution computes attention weights under no_grad: the output depends on it."""

    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.conv = nn.Conv2d(2, 4, 3, padding=1)
        self.act = nn.ReLU()
        self.att = nn.Conv2d(4, 1, 1)
        self.fc = nn.Linear(4, 3)

    def forward(self, x):
        h = self.act(self.conv(x))
        with torch.no_grad():
            a = torch.sigmoid(self.att(h))
        return self.fc((h * a).mean((2, 3)))


def test_a_convolution_computed_without_gradients_stays_the_default():
    net = _NoGradAttention().eval()
    assert EigenCamExplainer(net).fit(X).target_layer_ == "att"
