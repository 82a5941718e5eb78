"""The user's network is left as it was: networks whose parameters are inference tensors."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from skxai import GradientExplainer, ScoreCamExplainer  # noqa: E402
from tests.test_common import TinyCNN  # noqa: E402

X = np.random.RandomState(0).normal(size=(3, 2, 8, 8))


def _built_in_inference_mode():
    with torch.inference_mode():  # e.g. a network built or loaded inside a serving block
        net = TinyCNN()
    net.train()
    assert all(p.is_inference() and p.requires_grad for p in net.parameters())
    return net


def test_forward_only_explainer_of_a_network_made_in_inference_mode():
    """ScoreCAM needs no gradient: it explains such a network as any other, and leaves its
    parameters' requires_grad and its training mode alone (prepared() froze the parameters and
    could not unfreeze them: "Setting requires_grad=True on inference tensor outside
    InferenceMode", the network left frozen)."""
    net = _built_in_inference_mode()
    expected = ScoreCamExplainer(TinyCNN()).fit(X).transform(X)
    np.testing.assert_array_equal(ScoreCamExplainer(net).fit(X).transform(X), expected)
    assert all(p.requires_grad for p in net.parameters())
    assert net.training


def test_gradient_explainer_of_a_network_made_in_inference_mode_leaves_it_unchanged():
    """Gradients cannot flow through inference tensors: torch's own error says so, and the
    network's requires_grad flags are those it had."""
    net = _built_in_inference_mode()
    with pytest.raises(RuntimeError, match="[Ii]nference tensors"):
        GradientExplainer(net).fit(X).transform(X)
    assert all(p.requires_grad for p in net.parameters())
    assert net.training


class _Switching(TinyCNN):
    """A network whose ``train(mode)`` also switches its own state (noise injection, stochastic
    depth, a cache kept only in evaluation): the explainers put it in evaluation mode through
    ``train(False)``, so they must put it back through ``train(True)``."""

    def __init__(self):
        super().__init__()
        self.noisy = True

    def train(self, mode=True):
        super().train(mode)
        self.noisy = mode
        return self


class _Outer(torch.nn.Module):
    """An evaluation-mode network holding a submodule kept in training mode by the user."""

    def __init__(self):
        super().__init__()
        self.inner = _Switching()

    def forward(self, x):
        return self.inner(x)


@pytest.mark.parametrize("cls", [GradientExplainer, ScoreCamExplainer])
def test_a_train_override_is_called_back_when_training_mode_is_restored(cls):
    net = _Switching().train()
    cls(net).fit(X).transform(X[:1])
    # training was set back flag by flag, leaving the override's own switch in evaluation state
    assert net.training and net.noisy

    outer = _Outer().eval()
    outer.inner.train()
    cls(outer, **({"target_layer": "inner.conv"} if cls is ScoreCamExplainer else {})).fit(X).transform(X[:1])
    assert not outer.training and outer.inner.training and outer.inner.noisy
    assert [m.training for m in outer.inner.modules()] == [True] * len(list(outer.inner.modules()))


def test_kept_model_state_calls_a_train_override_back():
    """skorch's predict puts its modules in evaluation mode through ``train(False)``; the block
    around every call of a skorch net put the flags back one by one, so an override's own switch
    stayed in evaluation state. (A stand-in for a skorch net: skorch may not be installed.)"""
    from skxai._adapters import kept_model_state

    class NeuralNet:  # what skxai recognises as a skorch net: a class from skorch, a ``module``
        __module__ = "skorch.net"
        _modules = ["module"]
        _criteria = []

        def __init__(self, module):
            self.module = self.module_ = module

        def predict(self, X):
            self.module_.train(False)  # as skorch's evaluation step does
            return self.module_(torch.as_tensor(X)).detach().numpy()

    net = NeuralNet(_Switching().train())
    with kept_model_state(net):
        net.predict(X[:1])
    assert net.module_.training and net.module_.noisy
