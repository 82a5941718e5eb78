"""A plain module whose custom forward() ends in a softmax (audit8, torchc).

A functional softmax applied inside a custom forward cannot be bypassed (an nn.Softmax module
that forward() runs last can: tests/gradient/test_audit34_softmax_module_in_forward.py). For
it, ``response_method="predict_proba"`` took the module's probabilities for logits and applied
a second softmax: values labelled "probability" that are softmax(softmax(z)).
"""

import warnings

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


@pytest.mark.parametrize("functional", [True])
@pytest.mark.parametrize("cls", [GradientExplainer, GradCamExplainer])
def test_predict_proba_refuses_a_second_softmax(cls, functional):
    # a functional softmax cannot be bypassed (an nn.Softmax module run last is: audit34c)
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


class _SigmoidInForward(nn.Module):
    """A binary classifier's usual module: one logit, its sigmoid applied inside forward."""

    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(2, 4, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                                  nn.Linear(4, 1))

    def forward(self, x):
        return torch.sigmoid(self.body(x))


@pytest.mark.parametrize("cls", [GradientExplainer, GradCamExplainer])
def test_predict_proba_warns_about_a_second_sigmoid(cls):
    # one output in [0, 1] may be a logit, so a warning (not a refusal) that predict_proba's
    # sigmoid comes on top: sigmoid(sigmoid(z)) lies in (0.5, 0.73)
    torch.manual_seed(0)
    net = _SigmoidInForward()
    X = _data()
    with pytest.warns(UserWarning, match=r"all lie in \[0, 1\]"):
        ex = cls(net, response_method="predict_proba").fit(X).explain(X)
    with torch.no_grad():
        twice = torch.sigmoid(net(torch.as_tensor(X))).numpy()
    np.testing.assert_allclose(ex.outputs, twice, rtol=1e-6)  # what the warning describes


@pytest.mark.parametrize("cls", [GradientExplainer, GradCamExplainer])
def test_single_logit_is_not_warned(cls):
    torch.manual_seed(0)
    net = _SigmoidInForward().body
    with torch.no_grad():
        net[-1].bias.fill_(-3.0)  # logits below 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cls(net, response_method="predict_proba").fit(_data())
