"""Every torch explainer on a CUDA model gives the CPU numbers (issue 16); skipped without a GPU.

Nothing in skxai requires a GPU: the explainers follow the model's device. These tests run
where one is lent (``pytest tests/_torch/test_cuda.py``) and skip cleanly everywhere else.
"""

import copy

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

import skxai  # noqa: E402
import skxai.cam  # noqa: E402
from tests._nets import seeded_float64  # noqa: E402

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")

EXPLAINERS = [
    (skxai.GradientExplainer, {}),
    (skxai.GradientXInputExplainer, {}),
    (skxai.IntegratedGradientsExplainer, {"n_steps": 8}),
    (skxai.IntegratedGradientsExplainer, {"n_steps": 3, "method": "riemann_trapezoid", "tol": 1e-3, "max_steps": 17}),
    (skxai.IntegratedGradientsExplainer, {"n_steps": 4, "baseline": "blur"}),
    (skxai.SmoothGradExplainer, {"n_samples": 4, "random_state": 0}),
    (skxai.GuidedBackpropExplainer, {}),
    (skxai.DeconvolutionExplainer, {}),
    (skxai.DeepShapExplainer, {"max_background": 4, "random_state": 0}),
    (skxai.GradientExplainer, {"target_layer": "2"}),
] + [
    (getattr(skxai.cam, name), {"max_iter": 3} if name == "OptiCamExplainer" else {})
    for name in skxai.cam.__all__
    if name != "BaseCamExplainer"
]


def _net():
    net = nn.Sequential(
        nn.Conv2d(2, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(4, 5, 3, padding=1), nn.ReLU(),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(5, 3),
    )
    return seeded_float64(net, 0, scale=0.5)


@pytest.mark.parametrize(("cls", "kw"), EXPLAINERS, ids=lambda v: v.__name__ if isinstance(v, type) else str(v))
def test_cuda_model_gives_the_cpu_numbers(cls, kw):
    X = np.random.RandomState(0).normal(size=(6, 2, 8, 8))
    net = _net()
    gpu_net = copy.deepcopy(net).cuda()
    cpu = cls(net, batch_size=4, **kw).fit(X).explain(X)
    gpu = cls(gpu_net, batch_size=4, **kw).fit(X).explain(X)
    assert next(gpu_net.parameters()).is_cuda  # the model stays where the user put it
    np.testing.assert_array_equal(gpu.targets, cpu.targets)
    np.testing.assert_allclose(gpu.outputs, cpu.outputs, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(gpu.values, cpu.values, rtol=1e-6, atol=1e-9)
    assert isinstance(gpu.values, np.ndarray) and gpu.quantity == cpu.quantity


def test_cuda_tensor_input_and_float32_model():
    X = np.random.RandomState(1).normal(size=(5, 2, 8, 8)).astype(np.float32)
    net = _net().float()
    gpu_net = copy.deepcopy(net).cuda()
    cpu = skxai.GradCamExplainer(net).fit(X).transform(X)
    gpu = skxai.GradCamExplainer(gpu_net).fit(torch.as_tensor(X).cuda()).transform(torch.as_tensor(X).cuda())
    np.testing.assert_allclose(gpu, cpu, rtol=1e-4, atol=1e-6)
