"""``torch.export`` modules (``ExportedProgram.module()``) (audit 3, torch3).

Such a module refuses ``train()`` / ``eval()`` ("Calling train() is not supported yet."), so
every torch explainer failed with that NotImplementedError, the input gradients included; and
its forward runs the exported graph's operations, not its submodules, so no module hook fires
there (the CAMs said "The network has no convolution layer" of a network of two). The input
gradient explainers now work on it, with the original network's numbers, and the explainers that
need hooks refuse it by name.
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from skxai.cam import GradCamExplainer  # noqa: E402
from skxai.gradient import (  # noqa: E402
    DeepShapExplainer,
    GradientExplainer,
    GuidedBackpropExplainer,
    IntegratedGradientsExplainer,
)
from tests._nets import one_torch_thread, small_cnn  # noqa: E402, F401

X = np.random.RandomState(0).normal(size=(3, 2, 8, 8))


def _exported():
    net = small_cnn(seed=10).eval()
    batch = torch.export.Dim("batch", min=1)
    return net, torch.export.export(net, (torch.as_tensor(X),), dynamic_shapes={"input": {0: batch}}).module()


def test_input_gradients_of_an_exported_module():
    net, exported = _exported()
    training = [m.training for m in exported.modules()]
    for cls in (GradientExplainer, IntegratedGradientsExplainer):
        ref = cls(net, target=1).fit(X).transform(X)
        np.testing.assert_allclose(cls(exported, target=1).fit(X).transform(X), ref, rtol=1e-10, atol=1e-13)
    assert [m.training for m in exported.modules()] == training


@pytest.mark.parametrize(
    "make",
    [
        lambda m: GradCamExplainer(m),
        lambda m: GradientExplainer(m, target_layer="0"),
        lambda m: GuidedBackpropExplainer(m),
        lambda m: DeepShapExplainer(m),
    ],
)
def test_hook_based_explainers_refuse_an_exported_module_by_name(make):
    _, exported = _exported()
    with pytest.raises(ValueError, match=r"torch\.export module"):
        make(exported).fit(X)
