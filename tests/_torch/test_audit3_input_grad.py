"""Inputs that require grad, given to the ``fit`` of an explainer that trains a skorch net
(audit 3, torch3).

The explainer fits a clone of an unfitted skorch net on ``(X, y)``; with ``X`` a tensor that
requires grad, skorch's training backpropagated into it: the user's ``X.grad`` changed (by 0.43
in L1 on a 12-sample batch), though the explainer only reads the data.
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("skorch")
from skorch import NeuralNetClassifier  # noqa: E402
from torch import nn  # noqa: E402

from skxai.cam import GradCamExplainer  # noqa: E402
from skxai.gradient import GradientExplainer  # noqa: E402
from tests._nets import one_torch_thread  # noqa: E402, F401


class _Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(2, 4, 3, padding=1)
        self.act = nn.ReLU()
        self.fc = nn.Linear(4, 3)

    def forward(self, x):
        return self.fc(self.act(self.conv(x)).mean(dim=2))


@pytest.mark.parametrize("cls", [GradientExplainer, GradCamExplainer])
def test_fitting_the_net_leaves_the_inputs_gradient_alone(cls):
    torch.manual_seed(0)
    X = torch.randn(12, 2, 8, requires_grad=True)
    y = np.arange(12) % 3
    before = torch.full_like(X, 0.5)
    X.grad = before.clone()
    net = NeuralNetClassifier(
        _Net, criterion=nn.CrossEntropyLoss, max_epochs=1, batch_size=4, train_split=None, verbose=0
    )
    exp = cls(net).fit(X, y)
    assert X.requires_grad and X.is_leaf
    assert torch.equal(X.grad, before)
    assert exp.transform(X[:2]).shape[0] == 2
    assert torch.equal(X.grad, before)
