"""What the CAMs give for the negative class of a one-logit binary classifier.

doc/user_guide/vocabulary.rst said that in the torch families (CAMs included) the negative class's
score under ``response_method="decision_function"`` is the constant 0 "and its attributions are 0".
That holds for the gradient CAMs and Ablation-CAM, not for the CAMs whose weights are not gradients:
Score-CAM and Opti-CAM give every channel the same weight (a softmax of equal scores, an objective
with a zero gradient), so their map is the mean of the channels; Eigen-CAM does not look at the class.
The page now says so; these tests pin both the numbers and the sentence.
"""

from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from skxai import AblationCamExplainer, GradCamExplainer, OptiCamExplainer, ScoreCamExplainer

skorch = pytest.importorskip("skorch")

DOC = Path(__file__).resolve().parents[2] / "doc" / "user_guide" / "vocabulary.rst"


class _Module(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 3, 3, padding=1)
        self.act = nn.ReLU()
        self.fc = nn.Linear(3, 1)

    def forward(self, x):
        return self.fc(self.act(self.conv(x)).mean((2, 3)))[:, 0]


@pytest.fixture(scope="module")
def fitted():
    torch.manual_seed(0)
    X = torch.randn(12, 1, 6, 5)
    y = (X.mean((1, 2, 3)) > 0).float()
    net = skorch.NeuralNetBinaryClassifier(_Module, max_epochs=1, train_split=None, verbose=0).fit(X, y)
    return net, X[:3]


def test_the_gradient_and_ablation_maps_of_the_negative_class_are_zero(fitted):
    net, X = fitted
    for cls in (GradCamExplainer, AblationCamExplainer):
        heat = cls(net, target=0, response_method="decision_function", relu=False).fit(X).transform(X)
        np.testing.assert_array_equal(heat, 0.0)


@pytest.mark.parametrize("cls", [ScoreCamExplainer, OptiCamExplainer])
def test_the_masking_cams_give_the_mean_channel_for_the_negative_class(cls, fitted):
    net, X = fitted
    exp = cls(net, target=0, response_method="decision_function", relu=False, upsample=False).fit(X).explain(X)
    np.testing.assert_allclose(exp.weights, 1 / 3, rtol=1e-6)
    with torch.no_grad():
        mean_channel = net.module_.act(net.module_.conv(X)).mean(1).numpy()
    np.testing.assert_allclose(exp.values, mean_channel, rtol=1e-5, atol=1e-7)
    assert np.ptp(exp.values) > 0


def test_the_vocabulary_page_names_the_exceptions():
    text = " ".join(DOC.read_text().split())
    assert "its attributions are 0" in text
    assert "Score-CAM and Opti-CAM" in text and "mean of the channels" in text
    assert "Eigen-CAM" in text
