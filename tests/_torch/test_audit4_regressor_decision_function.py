"""``response_method="decision_function"`` is refused on a regressor by the torch families, as by
the tabular ones.

A regressor has no decision function: the tabular families refuse it ("... is not supported by
Ridge: it has no method 'decision_function'"), while the gradient, DeepSHAP, CAM and control
explainers accepted it on a converted Ridge, a skorch ``NeuralNetRegressor`` or a module declared
a regressor and explained the prediction under another name. A plain module keeps it: its
decision function is its raw output (``doc/user_guide/vocabulary.rst``).
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from sklearn.base import BaseEstimator, RegressorMixin  # noqa: E402
from sklearn.linear_model import Ridge  # noqa: E402
from torch import nn  # noqa: E402

from skxai import (  # noqa: E402
    CamExplainer,
    DeepShapExplainer,
    ExactShapleyExplainer,
    GradCamExplainer,
    GradientExplainer,
    RandomExplainer,
)
from tests._nets import one_torch_thread  # noqa: E402, F401

X = np.random.RandomState(0).normal(size=(12, 3))
Y = X @ np.array([1.0, -2.0, 0.5]) + 0.3


class _DeclaredRegressor(RegressorMixin, BaseEstimator, nn.Module):
    """A module declared a scikit-learn regressor (its tags say so)."""

    def __init__(self):
        nn.Module.__init__(self)
        self.lin = nn.Linear(3, 1).double()

    def forward(self, x):
        return self.lin(x)


def _ridge():
    return Ridge().fit(X, Y)


def _skorch_regressor():
    skorch = pytest.importorskip("skorch")
    torch.manual_seed(0)
    net = skorch.NeuralNetRegressor(nn.Linear(3, 1), max_epochs=1, lr=0.01, train_split=None, verbose=0)
    return net.fit(X.astype(np.float32), Y[:, None].astype(np.float32))


@pytest.mark.parametrize("cls", [GradientExplainer, DeepShapExplainer, RandomExplainer])
@pytest.mark.parametrize("make", [_ridge, _skorch_regressor, _DeclaredRegressor])
def test_decision_function_of_a_regressor_is_refused_at_fit(cls, make):
    model = make()
    Xf = X.astype(np.float32) if make is _skorch_regressor else X
    refused = "response_method='decision_function' is not supported by .*: it has no method"
    with pytest.raises(ValueError, match=refused):
        cls(model, response_method="decision_function").fit(Xf)


def test_the_tabular_family_says_the_same():
    with pytest.raises(ValueError, match="response_method='decision_function' is not supported by Ridge: it has no"):
        ExactShapleyExplainer(_ridge(), response_method="decision_function").fit(X)


def _cnn_regressor():
    skorch = pytest.importorskip("skorch")
    torch.manual_seed(0)
    module = nn.Sequential(
        nn.Conv2d(1, 2, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(2, 1)
    )
    imgs = np.random.RandomState(1).rand(6, 1, 5, 5).astype(np.float32)
    net = skorch.NeuralNetRegressor(module, max_epochs=1, lr=0.01, train_split=None, verbose=0)
    return net.fit(imgs, imgs.mean(axis=(1, 2, 3))[:, None]), imgs


@pytest.mark.parametrize("cls", [GradCamExplainer, CamExplainer])
def test_the_cams_refuse_it_and_keep_explaining_the_prediction(cls):
    net, imgs = _cnn_regressor()
    with pytest.raises(ValueError, match="it has no method 'decision_function'"):
        cls(net, response_method="decision_function").fit(imgs)
    # the default (CAM's "auto" is the linear layer's output, a regressor's prediction) still works
    exp = cls(net, relu=False).fit(imgs).explain(imgs[:2])
    assert exp.quantity == "prediction"
    with torch.no_grad():
        pred = net.module_(torch.as_tensor(imgs[:2])).numpy()
    np.testing.assert_allclose(exp.outputs[:, 0], pred[:, 0], rtol=1e-5)


def test_a_plain_module_keeps_its_raw_output_as_decision_function():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(3, 2), nn.Softmax(dim=1)).double()
    exp = GradientExplainer(net, response_method="decision_function", target=1).fit(X).explain(X[:3])
    with torch.no_grad():
        logits = net[0](torch.as_tensor(X[:3])).numpy()
    np.testing.assert_allclose(exp.outputs, logits, rtol=1e-12)
    # the gradient of a linear module's logit is its weight row
    np.testing.assert_allclose(exp.values, np.broadcast_to(net[0].weight.detach().numpy()[1], (3, 3)), rtol=1e-12)


def test_the_tabular_message_for_a_skorch_regressor_sends_nowhere_else():
    # the note "use a gradient or CAM explainer, which explain the logits of a skorch net with this
    # response_method" was false for a regressor, which they refuse
    net = _skorch_regressor()
    with pytest.raises(ValueError, match="it has no method 'decision_function'.$"):
        ExactShapleyExplainer(net, response_method="decision_function").fit(X.astype(np.float32))
