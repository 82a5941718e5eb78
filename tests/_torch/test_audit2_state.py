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
