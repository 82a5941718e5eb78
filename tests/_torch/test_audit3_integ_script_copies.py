"""Copies of explainers of TorchScript networks (audit 3, where the merges meet).

A deep copy of a TorchScript module (``copy.deepcopy``, and so scikit-learn's ``clone``, which
``GridSearchCV`` and ``cross_val_score`` make) holds parameters that are not leaves of autograd
(``CloneBackward`` results). The explainers freeze a network's parameters while they explain
it, and ``requires_grad_(False)`` refuses a non-leaf tensor: ``clone(GradientExplainer(script))``
and a deep copy of a fitted one failed with "RuntimeError: you can only change requires_grad
flags of leaf variables", though the gradient explainers take TorchScript networks. Parameters
that are not leaves are left as they are (no gradient is asked of them).
"""

import copy

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from sklearn.base import clone  # noqa: E402
from torch import nn  # noqa: E402

from skxai.gradient import GradientExplainer, IntegratedGradientsExplainer  # noqa: E402
from tests._nets import one_torch_thread, seeded_float64  # noqa: E402, F401

X = np.random.RandomState(0).normal(size=(5, 4))


def _net():
    return seeded_float64(nn.Sequential(nn.Linear(4, 6), nn.Tanh(), nn.Linear(6, 3)), seed=4).eval()


def _gradients(net, target):
    x = torch.tensor(X, requires_grad=True)
    (g,) = torch.autograd.grad(net(x)[:, target].sum(), x)
    return g.numpy()


@pytest.mark.parametrize("cls", [GradientExplainer, IntegratedGradientsExplainer])
def test_copies_of_explainers_of_a_scripted_network(cls):
    plain = _net()
    scripted = torch.jit.script(_net())
    options = {"target": 2, **({"n_steps": 8} if cls is IntegratedGradientsExplainer else {})}
    expected = cls(plain, **options).fit(X).transform(X)
    if cls is GradientExplainer:
        np.testing.assert_allclose(expected, _gradients(plain, 2), rtol=1e-12)
    fitted = cls(scripted, **options).fit(X)
    np.testing.assert_allclose(fitted.transform(X), expected, rtol=1e-12, atol=1e-15)
    for copied in (clone(fitted).fit(X), copy.deepcopy(fitted)):
        np.testing.assert_allclose(copied.transform(X), expected, rtol=1e-12, atol=1e-15)
        module = copied.model_.module
        # the copy's parameters keep their flags (not leaves, still requiring grad)
        assert all(p.requires_grad for p in module.parameters())
