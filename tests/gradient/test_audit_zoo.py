"""Audit of the gradient explainers on architectures beyond the usual Sequentials."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from skxai import DeepShapExplainer

_FUNCTIONAL = {
    "hand_written_relu": lambda h: h * (h > 0),
    "where_leaky_relu": lambda h: torch.where(h > 0, h, 0.1 * h),
    "normalize": lambda h: F.normalize(h, dim=1),
    "glu": lambda h: torch.cat([F.glu(h, dim=1)] * 2, dim=1),
    "softmin": lambda h: F.softmin(h, dim=1),
    "hardshrink": lambda h: F.hardshrink(h),
    "softshrink": lambda h: F.softshrink(h),
    "threshold": lambda h: F.threshold(h, 0.1, 0.0),
    "rrelu": lambda h: F.rrelu(h),
    "logsigmoid": lambda h: F.logsigmoid(h),
    "tanhshrink": lambda h: F.tanhshrink(h),
    "clamp_min": lambda h: h.clamp_min(0),
    "expit": lambda h: torch.special.expit(h),
    "erf": lambda h: torch.special.erf(h),
    "sinh": lambda h: torch.sinh(h),
    "instance_norm": lambda h: F.instance_norm(h[:, None, :])[:, 0],
    "cosine_similarity": lambda h: h + F.cosine_similarity(h, torch.ones_like(h), dim=1)[:, None],
    "attention": lambda h: F.scaled_dot_product_attention(
        h[:, None, :, None], h[:, None, :, None], h[:, None, :, None]
    )[:, 0, :, 0],
}


class _Functional(nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.a = nn.Linear(6, 6)
        self.b = nn.Linear(6, 2)
        self.fn = fn

    def forward(self, x):
        return self.b(self.fn(self.a(x)))


class _Attention(nn.Module):
    def __init__(self):
        super().__init__()
        self.inp = nn.Linear(2, 4)
        self.att = nn.MultiheadAttention(4, 1, batch_first=True)
        self.out = nn.Linear(4, 2)

    def forward(self, x):
        h = self.inp(x.reshape(x.shape[0], 3, 2))
        a, _ = self.att(h, h, h, need_weights=False)
        return self.out(a.mean(dim=1))


@pytest.mark.parametrize("name", sorted(_FUNCTIONAL))
def test_deepshap_refuses_functional_nonlinearities(name):
    # each of these was differentiated plainly: efficiency gaps of 0.01 to 0.6, no error
    torch.manual_seed(0)
    net = _Functional(_FUNCTIONAL[name]).double().eval()
    X = np.random.RandomState(0).normal(size=(8, 6))
    with pytest.raises(ValueError, match="nonlinear torch functions"):
        DeepShapExplainer(net, target=0).fit(X)


def test_deepshap_refuses_multihead_attention():
    # nn.MultiheadAttention has a child (out_proj), so the leaf check skipped it, and its
    # softmax and products run inside one torch function the tracer did not know (gap 0.013)
    torch.manual_seed(0)
    net = _Attention().double().eval()
    X = np.random.RandomState(0).normal(size=(8, 6))
    with pytest.raises(ValueError, match="multi_head_attention_forward"):
        DeepShapExplainer(net, target=0).fit(X)


class _Residual(nn.Module):
    def __init__(self):
        super().__init__()
        self.l1 = nn.Linear(4, 4)
        self.r1 = nn.ReLU()
        self.l2 = nn.Linear(4, 4)
        self.r2 = nn.ReLU()
        self.out = nn.Linear(4, 2)

    def forward(self, x):
        h = self.l2(self.r1(self.l1(x))) + x
        h = F.interpolate(h[:, None, :], size=4, mode="nearest")[:, 0]  # linear: allowed
        return self.out(self.r2(h.reshape(-1, 4).transpose(0, 1).transpose(0, 1)))


def test_deepshap_still_takes_linear_functional_code_exactly():
    torch.manual_seed(0)
    net = _Residual().double().eval()
    X = np.random.RandomState(0).normal(size=(20, 4))
    exp = DeepShapExplainer(net, target=0).fit(X[:8]).explain(X[10:14])
    np.testing.assert_allclose(exp.efficiency_gap, 0.0, atol=1e-12)


def test_mlp_classifier_with_two_labels_multilabel_is_not_taken_for_binary():
    # classes_ == [0, 1] and a logistic output: it was converted as a binary classifier (a
    # [0, z] head on two logits) and failed with numpy's "operands could not be broadcast"
    from sklearn.neural_network import MLPClassifier

    from skxai import GradientExplainer, IntegratedGradientsExplainer

    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 4))
    Y = (X[:, :2] > 0).astype(int)
    clf = MLPClassifier(hidden_layer_sizes=(5,), max_iter=300, random_state=0).fit(X, Y)
    exp = GradientExplainer(clf, target=0).fit(X).explain(X[:3])
    np.testing.assert_allclose(exp.outputs, clf.predict_proba(X[:3]), rtol=1e-12)
    ig = IntegratedGradientsExplainer(clf, target=1, n_steps=64).fit(X).explain(X[:3])
    np.testing.assert_allclose(ig.outputs, clf.predict_proba(X[:3]), rtol=1e-12)
    assert np.abs(ig.convergence_delta).max() < 1e-2  # the ReLU kinks' quadrature error


class _Embedding(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(10, 3)
        self.out = nn.Linear(12, 2)

    def forward(self, x):
        return self.out(self.emb(x.long()).flatten(1))


def test_integer_input_names_the_cast_and_target_layer():
    # the error blamed torch.no_grad() / a detached output only; the cast to indices is the cause
    from skxai import GradientExplainer

    torch.manual_seed(0)
    X = np.random.RandomState(0).randint(0, 10, size=(8, 4))
    with pytest.raises(ValueError, match="integer.*target_layer"):
        GradientExplainer(_Embedding(), target=0).fit(X).explain(X[:2])
    # the documented way: attribute to the embedding's output
    exp = GradientExplainer(_Embedding(), target=0, target_layer="emb").fit(X).explain(X[:2])
    assert exp.values.shape == (2, 4, 3)
