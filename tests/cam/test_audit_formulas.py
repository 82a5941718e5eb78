"""Audit of the CAM formulas on networks and heads the other tests do not try."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from skxai.cam import CamExplainer, GradCamExplainer  # noqa: E402


class _OneLogitNet(nn.Module):
    """conv -> ReLU -> global average pooling -> linear with one output (a binary classifier)."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3, padding=1)
        self.relu = nn.ReLU()
        self.fc = nn.Linear(4, 1)

    def forward(self, x):
        return self.fc(self.relu(self.conv(x)).mean(dim=(2, 3)))[:, 0]


def test_cam_of_a_binary_classifier_with_one_logit():
    # A skorch NeuralNetBinaryClassifier's single logit z is explained as [0, z]: CAM's
    # weights are the linear layer's row for the positive class and 0 for the negative one
    # (whose score is the constant 0). The conv -> GAP -> linear network was refused as if a
    # softmax followed the linear layer.
    skorch = pytest.importorskip("skorch")
    rng = np.random.RandomState(0)
    X = rng.normal(size=(20, 1, 7, 9)).astype(np.float32)
    y = (X.mean(axis=(1, 2, 3)) > 0).astype(np.float32)
    torch.manual_seed(0)
    net = skorch.NeuralNetBinaryClassifier(_OneLogitNet, max_epochs=1, train_split=None, verbose=0)
    net.fit(X, y)
    fc = net.module_.fc
    z = net.module_(torch.as_tensor(X[:4])).detach().numpy()
    for t in (1, None):
        exp = CamExplainer(net, target=t, relu=False, upsample=False).fit(X).explain(X[:4])
        assert exp.quantity == "logit"
        np.testing.assert_array_equal(exp.targets, [1] * 4)
        np.testing.assert_allclose(exp.weights, np.tile(fc.weight.detach().numpy()[0], (4, 1)), rtol=1e-6)
        np.testing.assert_allclose(exp.raw_map.mean(axis=(1, 2)) + fc.bias.item(), z, rtol=1e-5, atol=1e-6)
        grad = GradCamExplainer(net, target=t, response_method="decision_function", relu=False, upsample=False)
        np.testing.assert_allclose(exp.raw_map, grad.fit(X).explain(X[:4]).raw_map * 63, rtol=1e-5, atol=1e-6)
    # the negative class has no logit (its weights were the zero row of [0, z]): refused
    for t in (0, "predicted"):
        with pytest.raises(ValueError, match="binary classifier's decision function"):
            CamExplainer(net, target=t).fit(X)
