"""Layers inside a gradient-checkpointed block (``torch.utils.checkpoint``) (audit 3, torch3).

With ``use_reentrant=False`` (torch's recommended mode) the backward pass recomputes the block,
running its layers' forward hooks a second time: Grad-CAM, and the gradient explainers'
``target_layer``, refused every layer of the block but its last with "runs more than once per
forward pass; choose a layer that runs once", though the layer runs once per forward pass. The
recomputation is now fed what the forward pass fed the rest of the block, and the numbers are the
network's without checkpointing. With ``use_reentrant=True`` the block records no gradient
when its inputs need none: the refusal now says the layer runs with gradients off (and what to
do), not "the output does not depend on its activations".
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402
from torch.utils.checkpoint import checkpoint  # noqa: E402

from skxai.cam import GradCamExplainer, GradCamPlusPlusExplainer  # noqa: E402
from skxai.gradient import GradientExplainer, IntegratedGradientsExplainer  # noqa: E402
from tests._nets import one_torch_thread, seeded_float64  # noqa: E402, F401

X = np.random.RandomState(0).normal(size=(3, 2, 6, 6))


class _Checkpointed(nn.Module):
    def __init__(self, mode):
        super().__init__()
        self.block = nn.Sequential(nn.Conv2d(2, 4, 3, padding=1), nn.ReLU(), nn.Conv2d(4, 5, 3), nn.ReLU())
        self.head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(5, 3))
        self.mode = mode  # None: no checkpointing, else use_reentrant

    def forward(self, x):
        h = self.block(x) if self.mode is None else checkpoint(self.block, x, use_reentrant=self.mode)
        return self.head(h)


def _pair(mode):
    net = seeded_float64(_Checkpointed(mode), seed=5)
    plain = seeded_float64(_Checkpointed(None), seed=5)
    return net, plain


@pytest.mark.parametrize("layer", ["block.0", "block.1", "block.2"])
def test_layers_inside_a_checkpointed_block(layer):
    net, plain = _pair(False)
    for make in (
        lambda m: GradCamExplainer(m, target_layer=layer, target=1),
        lambda m: GradCamPlusPlusExplainer(m, target_layer=layer, target=1),
        lambda m: GradientExplainer(m, target_layer=layer, target=1),
        lambda m: IntegratedGradientsExplainer(m, target_layer=layer, target=1, n_steps=8),
    ):
        ref = make(plain).fit(X).transform(X)
        np.testing.assert_allclose(make(net).fit(X).transform(X), ref, rtol=1e-12, atol=1e-14)


def test_a_reentrant_checkpoint_is_named_in_the_refusal():
    net, _ = _pair(True)
    refusal = pytest.raises(ValueError, match="gradients off.*use_reentrant=False")
    with pytest.warns(UserWarning, match="requires_grad"), refusal:
        GradCamExplainer(net, target_layer="block.3").fit(X).transform(X)
