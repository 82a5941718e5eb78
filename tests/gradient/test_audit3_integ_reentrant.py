"""Gradient explainers on a network checkpointed with ``use_reentrant=True`` (audit 3, where the
merges meet).

The explainers take gradients with ``torch.autograd.grad``, which the reentrant mode of
``torch.utils.checkpoint`` refuses: every input-gradient explainer failed with torch's
RuntimeError, whose advice ("call .backward() without passing the inputs argument") is for the
network's author, not the explainer's user. It is now a ValueError naming the explainer and the
fix (``use_reentrant=False``, torch's recommended mode, which the explainers handle: their
numbers are the network's without checkpointing).
"""

import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402
from torch.utils.checkpoint import checkpoint  # noqa: E402

from skxai.gradient import (  # noqa: E402
    DeepShapExplainer,
    GradientExplainer,
    GuidedBackpropExplainer,
    IntegratedGradientsExplainer,
)
from tests._nets import one_torch_thread, seeded_float64  # noqa: E402, F401

X = np.random.RandomState(0).normal(size=(4, 5))


class _Checkpointed(nn.Module):
    def __init__(self, reentrant):
        super().__init__()
        self.block = nn.Sequential(nn.Linear(5, 6), nn.ReLU())
        self.head = nn.Linear(6, 2)
        self.reentrant = reentrant  # None: no checkpointing

    def forward(self, x):
        if self.reentrant is None:
            return self.head(self.block(x))
        return self.head(checkpoint(self.block, x, use_reentrant=self.reentrant))


def _net(reentrant):
    return seeded_float64(_Checkpointed(reentrant), seed=6).eval()


@pytest.mark.parametrize(
    "cls", [GradientExplainer, IntegratedGradientsExplainer, DeepShapExplainer, GuidedBackpropExplainer]
)
def test_a_reentrant_checkpoint_is_refused_by_name(cls):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's own: "None of the inputs have requires_grad=True"
        explainer = cls(_net(True), target=1).fit(X)
        with pytest.raises(ValueError, match=rf"{cls.__name__}.*use_reentrant=True.*use_reentrant=False"):
            explainer.transform(X)
    # the recommended mode gives the network's numbers without checkpointing
    expected = cls(_net(None), target=1).fit(X).transform(X)
    np.testing.assert_allclose(cls(_net(False), target=1).fit(X).transform(X), expected, rtol=1e-12, atol=1e-15)
