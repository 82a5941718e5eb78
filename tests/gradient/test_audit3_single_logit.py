"""A plain module with a single logit explained as a probability (audit 3, torch3).

``response_method="predict_proba"`` takes the softmax of a plain module's logits; of one logit
``z`` that is the constant 1, so a binary network ``(n, 1)`` had probabilities ``[1, 1, 1]`` and
every attribution 0 (Gradient, Grad-CAM, DeepSHAP), without a word. Its probability is
``sigmoid(z)``, as with a trailing ``nn.Sigmoid``.
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from skxai.cam import GradCamExplainer  # noqa: E402
from skxai.gradient import DeepShapExplainer, GradientExplainer  # noqa: E402
from tests._nets import one_torch_thread, seeded_float64  # noqa: E402, F401

X = np.random.RandomState(0).normal(size=(3, 2, 6, 6))


def _net(sigmoid=False):
    layers = [nn.Conv2d(2, 4, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 1)]
    return seeded_float64(nn.Sequential(*layers, *([nn.Sigmoid()] if sigmoid else [])), seed=6)


def test_gradient_of_a_single_logit_probability_is_that_of_its_sigmoid():
    net = _net()
    exp = GradientExplainer(net, response_method="predict_proba").fit(X).explain(X)
    x = torch.as_tensor(X).requires_grad_(True)
    p = torch.sigmoid(net(x))
    (grad,) = torch.autograd.grad(p.sum(), x)
    np.testing.assert_allclose(exp.outputs, p.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(exp.values, grad.numpy(), rtol=1e-10, atol=1e-14)
    assert np.abs(exp.values).max() > 1e-3
    # the same as the network with its own trailing nn.Sigmoid
    ref = GradientExplainer(_net(sigmoid=True), response_method="predict_proba").fit(X).transform(X)
    np.testing.assert_allclose(exp.values, ref, rtol=1e-12, atol=1e-15)


def test_gradcam_and_deepshap_of_a_single_logit_probability():
    net = _net()
    with torch.no_grad():
        z = net(torch.as_tensor(X)).numpy()[:, 0]
    s = 1 / (1 + np.exp(-z))
    # Grad-CAM's raw map of sigmoid(z) is that of z times sigmoid'(z) > 0, sample by sample
    kw = {"relu": False, "upsample": False}
    raw_p = GradCamExplainer(net, response_method="predict_proba", **kw).fit(X).explain(X).raw_map
    raw_z = GradCamExplainer(net, response_method="decision_function", **kw).fit(X).explain(X).raw_map
    np.testing.assert_allclose(raw_p, raw_z * (s * (1 - s))[:, None, None], rtol=1e-10, atol=1e-15)
    # DeepSHAP is efficient on the probability: sum(phi) = sigmoid(z(x)) - mean sigmoid(z(background))
    exp = DeepShapExplainer(net, response_method="predict_proba").fit(X[:2]).explain(X)
    np.testing.assert_allclose(exp.values.sum(axis=(1, 2, 3)), s - s[:2].mean(), rtol=1e-9, atol=1e-12)
