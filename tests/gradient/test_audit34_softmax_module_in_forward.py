"""An ``nn.Softmax`` module that a custom ``forward`` runs last (audit34c).

skorch's classic ``NLLLoss`` layout ends ``forward`` in ``return self.softmax(z)``. Only the
last layer of an ``nn.Sequential`` was bypassed, so ``response_method="decision_function"``
explained the probabilities (with a warning) and no logit attribution or logit Grad-CAM could
be had; ``"predict_proba"`` was refused. The module is now found by one pass at ``fit`` and
bypassed like a Sequential's; a module run twice, or followed by another layer, is not.
"""

import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from skxai.cam import GradCamExplainer  # noqa: E402
from skxai.gradient import (  # noqa: E402
    DeepShapExplainer,
    GradientExplainer,
    IntegratedGradientsExplainer,
)


class _Net(nn.Module):
    def __init__(self, final, after=None):
        super().__init__()
        self.conv = nn.Conv2d(2, 4, 3, padding=1)
        self.act = nn.ReLU()
        self.fc = nn.Linear(4, 3)
        self.final = final
        self.after = after

    def logits(self, x):
        return self.fc(self.act(self.conv(x)).mean((2, 3)))

    def forward(self, x):
        out = self.final(self.logits(x))
        return out if self.after is None else self.after(out)


def _data():
    return np.random.RandomState(0).normal(size=(5, 2, 6, 6)).astype(np.float32)


def _logits(net, X):
    with torch.no_grad():
        return net.logits(torch.as_tensor(X)).numpy()


@pytest.mark.parametrize("final", [nn.Softmax(dim=1), nn.LogSoftmax(dim=-1)])
@pytest.mark.parametrize("cls", [GradientExplainer, IntegratedGradientsExplainer, DeepShapExplainer, GradCamExplainer])
def test_decision_function_explains_the_logits_before_the_module(cls, final):
    torch.manual_seed(0)
    net, X = _Net(final), _data()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "look like probabilities" warning
        explainer = cls(net, response_method="decision_function").fit(X)
    exp = explainer.explain(X)
    assert exp.quantity == "logit"
    np.testing.assert_allclose(exp.outputs, _logits(net, X), rtol=1e-5, atol=1e-6)
    assert not net.final._forward_hooks  # the bypass hook never stays behind
    proba = cls(net, response_method="predict_proba").fit(X).explain(X)
    assert proba.quantity == "probability"
    p = torch.softmax(torch.as_tensor(_logits(net, X)), 1).numpy()
    np.testing.assert_allclose(proba.outputs, p, rtol=1e-5, atol=1e-6)


def test_gradient_of_the_logit_is_the_linear_maps():
    # a linear network ending in nn.Softmax inside forward: the logit's gradient is fc's row
    class Linear(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(4, 3)
            self.sm = nn.Softmax(dim=1)

        def forward(self, x):
            return self.sm(self.fc(x))

    torch.manual_seed(0)
    net = Linear()
    X = np.random.RandomState(1).normal(size=(6, 4)).astype(np.float32)
    phi = GradientExplainer(net, response_method="decision_function", target=1).fit(X).transform(X)
    np.testing.assert_allclose(phi, np.tile(net.fc.weight[1].detach().numpy(), (6, 1)), rtol=1e-6)


def test_a_module_run_twice_or_followed_by_a_layer_is_left_in_place():
    torch.manual_seed(0)
    X = _data()
    # followed by an nn.Identity (which returns its input object): the softmax is not the last layer
    net = _Net(nn.Softmax(dim=1), after=nn.Identity())
    with pytest.warns(UserWarning, match="look like probabilities"):
        explainer = GradientExplainer(net, response_method="decision_function").fit(X)
    assert explainer.quantity_ == "probability"

    class Twice(_Net):
        def forward(self, x):
            return self.final(self.final(self.logits(x)) * 5.0)

    net = Twice(nn.Softmax(dim=1))
    with pytest.warns(UserWarning, match="look like probabilities"):
        exp = GradientExplainer(net, response_method="decision_function").fit(X).explain(X)
    with torch.no_grad():
        np.testing.assert_allclose(exp.outputs, net(torch.as_tensor(X)).numpy(), rtol=1e-6)


class _Head(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(8, 3)
        self.softmax = nn.Softmax(dim=1)

    def forward(self, h):
        return self.softmax(self.fc(h))


class _Viewed(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 3)
        self.softmax = nn.Softmax(dim=1)

    def forward(self, x):
        return self.softmax(self.fc(x)).view(x.shape[0], -1)


def test_a_head_inside_a_sequential_and_a_returned_view():
    # review34: a Sequential ending in a custom head, and an output returned through .view,
    # were left in place (probabilities explained as "logits", predict_proba refused)
    torch.manual_seed(0)
    X = np.random.RandomState(2).normal(size=(6, 4)).astype(np.float32)
    seq = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), _Head())
    viewed = _Viewed()
    for net, logits in (
        (seq, lambda t: seq[2].fc(seq[1](seq[0](t)))),
        (viewed, lambda t: viewed.fc(t)),
    ):
        with torch.no_grad():
            z = logits(torch.as_tensor(X)).numpy()
        exp = GradientExplainer(net, response_method="decision_function").fit(X).explain(X)
        assert exp.quantity == "logit"
        np.testing.assert_allclose(exp.outputs, z, rtol=1e-5, atol=1e-6)
        proba = GradientExplainer(net, response_method="predict_proba").fit(X).explain(X)
        np.testing.assert_allclose(proba.outputs, torch.softmax(torch.as_tensor(z), 1).numpy(), rtol=1e-5, atol=1e-6)


def test_the_image_shapley_games_bypass_it_too():
    # review34: the probe ran in the gradient and CAM families only; ImageShapleyExplainer
    # labelled the probabilities "logit" and applied a second softmax for predict_proba
    from skxai import ImageShapleyExplainer

    torch.manual_seed(0)
    net, X = _Net(nn.Softmax(dim=1)), _data()
    z = _logits(net, X)
    kw = dict(method="exact", n_segments=4, target=0)
    exp = ImageShapleyExplainer(net, response_method="decision_function", **kw).fit(X).explain(X[:2])
    assert exp.quantity == "logit"
    np.testing.assert_allclose(exp.outputs, z[:2], rtol=1e-5, atol=1e-6)
    proba = ImageShapleyExplainer(net, response_method="predict_proba", **kw).fit(X).explain(X[:2])
    np.testing.assert_allclose(proba.outputs, torch.softmax(torch.as_tensor(z[:2]), 1).numpy(), rtol=1e-5, atol=1e-6)


def test_skorch_binary_layout_with_a_squeezed_sigmoid():
    skorch = pytest.importorskip("skorch")

    class BinMod(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(4, 1)
            self.sigmoid = nn.Sigmoid()

        def forward(self, x):
            return self.sigmoid(self.fc(x)).squeeze(-1)

    torch.manual_seed(0)
    X = np.random.RandomState(3).normal(size=(40, 4)).astype(np.float32)
    net = skorch.NeuralNetBinaryClassifier(BinMod, criterion=nn.BCELoss, max_epochs=2, verbose=0, train_split=None).fit(
        X, (X[:, 0] > 0).astype(np.float32)
    )
    exp = GradientExplainer(net, response_method="decision_function").fit(X).explain(X[:3])
    with torch.no_grad():
        z = net.module_.fc(torch.as_tensor(X[:3])).numpy()[:, 0]
    assert exp.quantity == "logit"
    np.testing.assert_allclose(exp.outputs[:, -1], z, rtol=1e-5, atol=1e-6)  # outputs [0, z]


@pytest.mark.parametrize("squeeze", [False, True])
def test_an_output_activation_changed_in_place_is_not_bypassed(squeeze):
    # review34b: self.sigmoid(z).clamp_(eps, 1 - eps) (a guard for BCELoss): bypassed, the clamp
    # ran on the logits themselves, explained as "logit" without a word
    class Clamped(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(4, 1)
            self.sigmoid = nn.Sigmoid()

        def forward(self, x):
            p = self.sigmoid(self.fc(x))
            return (p.squeeze(-1) if squeeze else p).clamp_(1e-3, 1 - 1e-3)

    torch.manual_seed(0)
    X = np.random.RandomState(0).normal(size=(6, 4)).astype(np.float32) * 3
    # refused at fit with the fix named: the in-place step also breaks the backward pass through
    # the activation, so explain failed with torch's own error (review34c)
    for response in ("decision_function", "predict_proba", "auto"):
        with pytest.raises(ValueError, match="in-place operation.*torch.clamp"):
            GradientExplainer(Clamped(), response_method=response).fit(X)
