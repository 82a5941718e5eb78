"""Activation memory of the torch explainers' passes.

A backward pass keeps every module's output of every sample in the batch: with the default of
256 rows per pass, a network on large images took tens of GiB at once (one 3 x 8000 x 8000
image in Grad-CAM used 6.1 GB) and the process could be killed. One sample's activations are
now measured at ``fit`` (hooks on a no-grad pass), passes hold as many rows as fit within the
working-memory bound, and a network whose single sample cannot fit is refused at ``fit``.
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

import skxai.utils._memory as memory  # noqa: E402
from skxai.cam import GradCamExplainer, ScoreCamExplainer  # noqa: E402
from skxai.gradient import (  # noqa: E402
    DeepShapExplainer,
    GradientExplainer,
    IntegratedGradientsExplainer,
    SmoothGradExplainer,
)


def _net():
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Conv2d(3, 8, 3, padding=1),
        nn.ReLU(),
        nn.Conv2d(8, 8, 3, padding=1),
        nn.ReLU(),
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
        nn.Linear(8, 4),
    ).eval()


X = np.random.RandomState(0).rand(20, 3, 16, 16).astype(np.float32)
# By hand, float32: two convolutions and two ReLUs of 8 x 16 x 16 values, the pooled 8 values
# twice (pooling, flatten), 4 logits; plus the input twice (the leaf and its copy).
GRAD_BYTES = 4 * (4 * 8 * 16 * 16 + 2 * 8 + 4) + 2 * 4 * 3 * 16 * 16
FORWARD_BYTES = 2 * 4 * 8 * 16 * 16 + 4 * 3 * 16 * 16  # the two largest outputs, the input


def test_one_sample_activations_are_measured_at_fit():
    explainer = GradientExplainer(_net()).fit(X)
    assert explainer._pass_bytes_ == (GRAD_BYTES, FORWARD_BYTES)


def _rows_per_forward(net):
    """Rows of each forward of ``net``: ``{"grad": [...], "forward": [...]}`` (passes with and
    without autograd recording)."""
    sizes = {"grad": [], "forward": []}
    net[0].register_forward_pre_hook(
        lambda m, inp: sizes["grad" if torch.is_grad_enabled() else "forward"].append(inp[0].shape[0])
    )
    return sizes


@pytest.mark.parametrize(
    "cls", [GradientExplainer, IntegratedGradientsExplainer, SmoothGradExplainer, DeepShapExplainer, GradCamExplainer]
)
def test_passes_hold_the_rows_that_fit_and_give_the_same_numbers(cls, monkeypatch):
    seeded = {"random_state": 0} if cls is SmoothGradExplainer else {}
    options = {"n_samples": 3, **seeded} if cls is SmoothGradExplainer else {}
    options = {"n_steps": 4} if cls is IntegratedGradientsExplainer else options
    expected = cls(_net(), **options).fit(X[:4]).transform(X)
    monkeypatch.setattr(memory, "MAX_WORKING_BYTES", 3 * GRAD_BYTES)
    net = _net()
    explainer = cls(net, **options).fit(X[:4])
    sizes = _rows_per_forward(net)
    got = explainer.transform(X)
    # DeepSHAP's rows are (sample, reference) pairs: 2 rows each
    assert sizes["grad"] and max(sizes["grad"]) <= 3
    assert max(sizes["forward"], default=0) <= 3 * GRAD_BYTES // FORWARD_BYTES
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-7)


def test_a_sample_whose_backward_cannot_fit_is_refused_at_fit(monkeypatch):
    monkeypatch.setattr(memory, "MAX_WORKING_BYTES", GRAD_BYTES - 1)
    for cls in (GradientExplainer, IntegratedGradientsExplainer, GradCamExplainer):
        with pytest.raises(ValueError, match="one sample's forward-backward pass"):
            cls(_net()).fit(X[:4])
    # forward-only explainers keep no activations for a backward: still explained
    net = _net()
    explainer = ScoreCamExplainer(net).fit(X[:4])
    sizes = _rows_per_forward(net)
    assert explainer.transform(X[:4]).shape == (4, 16, 16)
    assert not sizes["grad"]
    assert max(sizes["forward"]) * FORWARD_BYTES <= GRAD_BYTES


def test_deep_shap_counts_its_rescale_hooks_in_the_rows_per_pass(monkeypatch):
    # An outside audit (session 23): DeepSHAP's passes held twice the plain pass's bytes a row
    # (the rescale rule keeps each layer's inputs and outputs), and batch_size=4096 on the demo
    # CNN ran out of memory at 5.3 GB. Its rows per pass now count 2.5 plain passes each.
    monkeypatch.setattr(memory, "MAX_WORKING_BYTES", 10 * GRAD_BYTES)
    net = _net()
    explainer = DeepShapExplainer(net, batch_size=10**9).fit(X[:4])
    sizes = _rows_per_forward(net)
    explainer.transform(X)
    assert max(sizes["grad"]) <= 10 / 2.5  # 4 rows: 2 (sample, reference) pairs
    plain = GradientExplainer(_net(), batch_size=10**9).fit(X[:4])
    assert plain._rows_within_memory(10**9) == 10


def test_image_shapley_bounds_a_torch_networks_forward_by_its_activations(monkeypatch):
    # batch_size=20000 on 64 x 64 images asked torch for 4.9 GiB in one forward (outside audit,
    # session 23): the game's calls now hold the images whose blocks and forward pass fit
    from skxai import ImageShapleyExplainer

    images = np.random.RandomState(1).rand(2, 3, 16, 16).astype(np.float32)
    each = 3 * 8 * 16 * 16 * 3 + 16 * 16 + FORWARD_BYTES
    monkeypatch.setattr(memory, "MAX_WORKING_BYTES", 7 * each)
    net = _net()
    explainer = ImageShapleyExplainer(net, target=0, n_segments=4, n_samples=64, batch_size=10**9,
                                      random_state=0).fit(images)
    sizes = _rows_per_forward(net)
    explainer.transform(images)
    assert sizes["forward"] and max(sizes["forward"]) <= 7
