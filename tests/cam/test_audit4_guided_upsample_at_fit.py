"""GuidedGradCamExplainer(upsample=False) is refused in ``fit``, as its docstring says it must be.

``upsample`` must stay True (the map multiplies the input-shaped guided backpropagation), but
``fit`` accepted False and only ``transform``/``explain`` refused it: a fitted explainer that can
never explain (in a pipeline or a grid search, the failure came at the first call). ``fit`` now
refuses it, with the same message, before any forward pass; the network is left untouched.
"""

import numpy as np
import pytest
import torch
from torch import nn

from skxai import GuidedGradCamExplainer


def test_upsample_false_is_refused_at_fit():
    torch.manual_seed(0)
    net = nn.Sequential(
        nn.Conv2d(1, 3, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(3, 2)
    )
    X = np.random.RandomState(0).normal(size=(2, 1, 6, 5)).astype(np.float32)
    est = GuidedGradCamExplainer(net, upsample=False)
    with pytest.raises(ValueError, match="keep upsample=True"):
        est.fit(X)
    assert not hasattr(est, "model_")  # refused before the network is touched
    assert net.training and all(not m._forward_hooks for m in net.modules())
    assert GuidedGradCamExplainer(net).fit(X).transform(X).shape == (2, 1, 6, 5)
