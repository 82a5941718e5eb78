"""A network regressor whose module ends in nn.Sigmoid (audit8, torchc).

A regression target scaled to [0, 1] is commonly fitted by a module ending in ``Sigmoid``.
The trailing-activation bypass, meant for a classifier's logits, also applied to regressors:
a skorch ``NeuralNetRegressor`` was explained (by default, and with ``"predict"``) on the
scores before its sigmoid, labelled "prediction" while ``predict`` returns the sigmoid; a
plain module with ``response_method="predict"`` (documented as its output) likewise.
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from skxai.gradient import GradientExplainer, IntegratedGradientsExplainer  # noqa: E402


def _module():
    return nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 1), nn.Sigmoid())


def _data():
    X = np.random.RandomState(0).normal(size=(40, 4)).astype(np.float32)
    return X, (1.0 / (1.0 + np.exp(-X[:, :1]))).astype(np.float32)


def _hand_gradient(module, X):
    x = torch.as_tensor(X).double().requires_grad_(True)
    m = module.double() if next(module.parameters()).dtype != torch.float64 else module
    out = m(x)
    return out.detach().numpy(), torch.autograd.grad(out.sum(), x)[0].numpy()


@pytest.mark.parametrize("response_method", ["auto", "predict"])
def test_skorch_regressor_explains_its_prediction(response_method):
    skorch = pytest.importorskip("skorch")
    X, y = _data()
    with torch.random.fork_rng():
        torch.manual_seed(0)
        net = skorch.NeuralNetRegressor(_module(), max_epochs=2, lr=0.1, train_split=None, verbose=0).fit(X, y)
    ex = GradientExplainer(net, response_method=response_method).fit(X).explain(X[:5])
    np.testing.assert_allclose(ex.outputs, net.predict(X[:5]), rtol=1e-5, atol=1e-6)
    assert ex.quantity == "prediction"
    import copy

    out, grad = _hand_gradient(copy.deepcopy(net.module_), X[:5])
    np.testing.assert_allclose(ex.values, grad, rtol=1e-4, atol=1e-6)
    # Integrated Gradients' completeness is then about the prediction too
    ig = IntegratedGradientsExplainer(net, response_method=response_method).fit(X).explain(X[:5])
    np.testing.assert_allclose(ig.outputs, net.predict(X[:5]), rtol=1e-5, atol=1e-6)


def test_plain_module_predict_is_its_output():
    torch.manual_seed(0)
    module = _module()
    X, _ = _data()
    ex = GradientExplainer(module, response_method="predict").fit(X).explain(X[:5])
    with torch.no_grad():
        own = module(torch.as_tensor(X[:5])).numpy()
    np.testing.assert_allclose(ex.outputs, own, rtol=1e-6)
    assert ex.quantity != "logit"
    # the classifier's vocabulary keeps its bypass: decision_function explains the scores before it
    dec = GradientExplainer(module, response_method="decision_function").fit(X).explain(X[:5])
    with torch.no_grad():
        np.testing.assert_allclose(dec.outputs, module[:-1](torch.as_tensor(X[:5])).numpy(), rtol=1e-6)
