"""The negative class of a one-logit binary classifier, in the CAMs.

A binary net's single logit ``z`` is read as ``[0, z]`` so that ``predict_proba`` is a two-class
softmax. Under ``response_method="decision_function"`` the negative class had the constant 0 as
its "score": the gradient CAMs and Ablation-CAM gave a map of zeros, Score-CAM and Opti-CAM the
mean of the channels (equal weights of equal scores), all without a word. The tabular families
refuse that target; every CAM now refuses it too (a fixed target, one label per sample, and
``"predicted"``), and explains either class under ``predict_proba``.
"""

from pathlib import Path

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
    OptiCamExplainer,
    ScoreCamExplainer,
)

skorch = pytest.importorskip("skorch")

DOC = Path(__file__).resolve().parents[2] / "doc" / "user_guide" / "vocabulary.rst"
CAMS = [
    CamExplainer,
    GradCamExplainer,
    GradCamPlusPlusExplainer,
    AblationCamExplainer,
    ScoreCamExplainer,
    OptiCamExplainer,
    EigenCamExplainer,
]


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


@pytest.mark.parametrize("cls", CAMS)
@pytest.mark.parametrize("target", [0, "predicted"])
def test_every_cam_refuses_the_negative_class_of_one_logit(cls, target, fitted):
    net, X = fitted
    with pytest.raises(ValueError, match="binary classifier's decision function"):
        cls(net, target=target, response_method="decision_function").fit(X)


@pytest.mark.parametrize("cls", [GradCamExplainer, ScoreCamExplainer])
def test_one_label_per_sample_naming_the_negative_class_is_refused(cls, fitted):
    net, X = fitted
    ex = cls(net, target=np.array([1, 0, 1]), response_method="decision_function").fit(X)
    with pytest.raises(ValueError, match="target=0 is not an output of the model"):
        ex.transform(X)
    # the positive class alone is explained as before
    heat = ex.set_params(target=np.array([1, 1, 1])).transform(X)
    ref = cls(net, target=1, response_method="decision_function").fit(X).transform(X)
    np.testing.assert_array_equal(heat, ref)


@pytest.mark.parametrize("cls", [GradCamExplainer, AblationCamExplainer, ScoreCamExplainer])
def test_the_negative_class_is_explained_through_its_probability(cls, fitted):
    net, X = fitted
    exp = cls(net, target=0, response_method="predict_proba", relu=False).fit(X).explain(X)
    assert exp.quantity == "probability"
    np.testing.assert_array_equal(exp.targets, [0, 0, 0])
    assert np.ptp(exp.values) > 0


def test_cam_refuses_probabilities_by_name(fitted):
    net, X = fitted
    # CAM's weights are the linear layer's rows: the structural check used to fail instead,
    # saying the layer's input was not the spatial mean of the activations
    with pytest.raises(ValueError, match="Use GradCamExplainer to explain probabilities"):
        CamExplainer(net, response_method="predict_proba").fit(X)


def test_the_vocabulary_page_says_the_negative_class_is_refused():
    text = " ".join(DOC.read_text().split())
    assert "its attributions are 0" not in text
    assert "refused by every family" in text
