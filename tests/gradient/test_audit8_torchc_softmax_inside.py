"""A plain module whose custom forward() ends in a softmax (audit8, torchc).

Only a trailing Softmax of an nn.Sequential can be bypassed. For a softmax applied inside a
custom forward, ``response_method="predict_proba"`` took the module's probabilities for logits
and applied a second softmax: values labelled "probability" that are softmax(softmax(z)).
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from skxai.cam import GradCamExplainer  # noqa: E402
from skxai.gradient import GradientExplainer  # noqa: E402


class _Body(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(2, 4, 3, padding=1)
        self.act = nn.ReLU()
        self.fc = nn.Linear(4, 3)

    def forward(self, x):
        return self.fc(self.act(self.conv(x)).mean((2, 3)))


class _SoftmaxInForward(nn.Module):
    def __init__(self, functional):
        super().__init__()
        self.body = _Body()
        self.sm = nn.Softmax(dim=1)
        self.functional = functional

    def forward(self, x):
        z = self.body(x)
        return torch.softmax(z, dim=1) if self.functional else self.sm(z)


def _data():
    return np.random.RandomState(0).normal(size=(4, 2, 6, 6)).astype(np.float32)


@pytest.mark.parametrize("functional", [False, True])
@pytest.mark.parametrize("cls", [GradientExplainer, GradCamExplainer])
def test_predict_proba_refuses_a_second_softmax(cls, functional):
    torch.manual_seed(0)
    net = _SoftmaxInForward(functional)
    X = _data()
    with pytest.raises(ValueError, match="already"):
        cls(net, response_method="predict_proba").fit(X)
    # the module's own output, as documented, is its probabilities
    ex = cls(net).fit(X).explain(X)
    with torch.no_grad():
        p = torch.softmax(net.body(torch.as_tensor(X)), 1).numpy()
    np.testing.assert_allclose(ex.outputs, p, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("cls", [GradientExplainer, GradCamExplainer])
def test_decision_function_warns_that_probabilities_are_explained(cls):
    torch.manual_seed(0)
    net = _SoftmaxInForward(True)
    with pytest.warns(UserWarning, match="look like probabilities"):
        cls(net, response_method="decision_function").fit(_data())


@pytest.mark.parametrize("cls", [GradientExplainer, GradCamExplainer])
def test_logits_of_a_plain_module_still_get_the_softmax(cls):
    # the refusal looks at the module's own output: logits get the softmax as before
    torch.manual_seed(0)
    body = _Body()
    X = _data()
    ex = cls(body, response_method="predict_proba").fit(X).explain(X)
    with torch.no_grad():
        p = torch.softmax(body(torch.as_tensor(X)), 1).numpy()
    np.testing.assert_allclose(ex.outputs, p, rtol=1e-6, atol=1e-7)
    assert ex.quantity == "probability"
