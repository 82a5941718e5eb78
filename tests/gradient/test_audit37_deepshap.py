"""DeepSHAP's max-pooling rule on inputs without a channel axis, and the gradient explainers'
``fit`` on a background the network cannot take.

torch pools an ``(N, L)`` tensor with ``MaxPool1d`` (and ``(N, H, W)`` with ``MaxPool2d``) as one
unbatched ``(C, ...)`` input whose channels are the rows: still per sample. ``fit`` accepted such
networks and ``explain`` failed (a ValueError naming an internal batch shape, or a RuntimeError
from autograd's backward pass). A background with the wrong number of features failed in ``fit``
with torch's bare RuntimeError, where ``transform`` refuses the same mistake as a ValueError.
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from skxai.gradient import (  # noqa: E402
    DeconvolutionExplainer,
    DeepShapExplainer,
    GradientExplainer,
    GradientXInputExplainer,
    GuidedBackpropExplainer,
    IntegratedGradientsExplainer,
    SmoothGradExplainer,
)


class _Pooled(nn.Module):
    """Linear -> ReLU -> reshape to ``shape`` -> ``pool`` -> Linear; ``channel=True`` adds the
    one-channel axis that torch leaves implicit without it (the same function)."""

    def __init__(self, pool, shape, n_pooled, channel=False):
        super().__init__()
        self.shape = ((1,) if channel else ()) + shape
        self.lin = nn.Linear(5, int(np.prod(shape)))
        self.act = nn.ReLU()
        self.pool = pool
        self.head = nn.Linear(n_pooled, 2)

    def forward(self, x):
        h = self.act(self.lin(x)).reshape(x.shape[0], *self.shape)
        return self.head(self.pool(h).flatten(1))


_POOLS = [
    pytest.param(lambda: nn.MaxPool1d(2), (8,), 4, id="MaxPool1d-(N,L)"),
    pytest.param(lambda: nn.MaxPool1d(3, stride=2, padding=1), (8,), 4, id="MaxPool1d-overlapping-(N,L)"),
    pytest.param(lambda: nn.AdaptiveMaxPool1d(3), (8,), 3, id="AdaptiveMaxPool1d-(N,L)"),
    pytest.param(lambda: nn.MaxPool2d(2), (4, 4), 4, id="MaxPool2d-(N,H,W)"),
    pytest.param(lambda: nn.AdaptiveMaxPool2d(2), (4, 4), 4, id="AdaptiveMaxPool2d-(N,H,W)"),
    pytest.param(lambda: nn.MaxPool3d(2), (2, 4, 4), 4, id="MaxPool3d-(N,D,H,W)"),
]


def _data():
    rng = np.random.default_rng(0)
    return rng.normal(size=(4, 5)), rng.normal(size=(6, 5))


@pytest.mark.parametrize("make_pool, shape, n_pooled", _POOLS)
def test_max_pool_without_channel_axis_sums_to_the_output_change(make_pool, shape, n_pooled):
    torch.manual_seed(0)
    net = _Pooled(make_pool(), shape, n_pooled).double().eval()
    X, background = _data()
    e = DeepShapExplainer(net, target=1).fit(background).explain(X)
    with torch.no_grad():
        f = net(torch.tensor(X))[:, 1].numpy()
        base = net(torch.tensor(background))[:, 1].numpy().mean()
    assert np.abs(e.values).max() > 1e-3
    np.testing.assert_allclose(e.values.sum(axis=1), f - base, atol=1e-10)
    np.testing.assert_allclose(e.efficiency_gap, 0, atol=1e-10)


@pytest.mark.parametrize("make_pool, shape, n_pooled", _POOLS)
def test_max_pool_without_channel_axis_matches_explicit_channel(make_pool, shape, n_pooled):
    torch.manual_seed(0)
    implicit = _Pooled(make_pool(), shape, n_pooled).double().eval()
    explicit = _Pooled(make_pool(), shape, n_pooled, channel=True).double().eval()
    explicit.load_state_dict(implicit.state_dict())
    X, background = _data()
    got = DeepShapExplainer(implicit, target=0).fit(background).transform(X)
    want = DeepShapExplainer(explicit, target=0).fit(background).transform(X)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_max_pool_on_linear_output_in_sequential():
    # the auditor's network: MaxPool1d straight on a Linear's (N, F) output
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(5, 8), nn.MaxPool1d(2), nn.Linear(4, 1)).double().eval()
    explicit = nn.Sequential(
        nn.Linear(5, 8), nn.Unflatten(1, (1, 8)), nn.MaxPool1d(2), nn.Flatten(), nn.Linear(4, 1)
    ).double()
    explicit[0].load_state_dict(net[0].state_dict())
    explicit[4].load_state_dict(net[2].state_dict())
    X, background = _data()
    e = DeepShapExplainer(net).fit(background).explain(X)
    np.testing.assert_allclose(e.efficiency_gap, 0, atol=1e-10)
    np.testing.assert_allclose(e.values, DeepShapExplainer(explicit.eval()).fit(background).transform(X), atol=1e-12)


_GRADIENT_FAMILY = [
    DeepShapExplainer,
    IntegratedGradientsExplainer,
    GuidedBackpropExplainer,
    DeconvolutionExplainer,
    GradientExplainer,
    GradientXInputExplainer,
    SmoothGradExplainer,
]


def _check_fit_error(excinfo, cls, shape, torch_message):
    message = str(excinfo.value)
    assert cls.__name__ in message
    assert f"X of shape {shape}" in message
    assert torch_message in message
    assert isinstance(excinfo.value.__cause__, RuntimeError)


@pytest.mark.parametrize("cls", _GRADIENT_FAMILY)
def test_fit_on_wrong_feature_count_is_a_value_error(cls):
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(6, 8), nn.ReLU(), nn.Linear(8, 3)).double().eval()
    X = np.random.default_rng(0).normal(size=(10, 5))
    with pytest.raises(ValueError, match="cannot run the network") as excinfo:
        cls(net, target=0).fit(X)
    _check_fit_error(excinfo, cls, (10, 5), "mat1 and mat2 shapes cannot be multiplied")


@pytest.mark.parametrize("cls", [DeepShapExplainer, IntegratedGradientsExplainer, GuidedBackpropExplainer])
def test_fit_of_image_network_on_flat_rows_is_a_value_error(cls):
    torch.manual_seed(0)
    cnn = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.Flatten(), nn.Linear(2 * 6 * 6, 3)).double().eval()
    X = np.random.default_rng(0).normal(size=(10, 64))
    with pytest.raises(ValueError, match="cannot run the network") as excinfo:
        cls(cnn, target=0).fit(X)
    _check_fit_error(excinfo, cls, (10, 64), "conv2d")


@pytest.mark.parametrize("cls", [DeepShapExplainer, IntegratedGradientsExplainer])
def test_fit_with_target_layer_on_wrong_feature_count_is_a_value_error(cls):
    # with a layer, the layer's batch check runs the network before the background's pass
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(6, 8), nn.ReLU(), nn.Linear(8, 3)).double().eval()
    X = np.random.default_rng(0).normal(size=(10, 5))
    with pytest.raises(ValueError, match="cannot run the network") as excinfo:
        cls(net, target=0, target_layer="1").fit(X)
    _check_fit_error(excinfo, cls, (10, 5), "mat1 and mat2 shapes cannot be multiplied")


def test_a_networks_own_failure_on_a_well_laid_out_x_is_left_as_it_is():
    # only torch's words for an input its layers cannot take are reworded (a review: "weights
    # were never loaded" was blamed on X's layout)
    class NotLoaded(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(4, 2)

        def forward(self, x):
            raise RuntimeError("weights were never loaded: call net.load('w.pt') first")

    with pytest.raises(RuntimeError, match="^weights were never loaded") as info:
        IntegratedGradientsExplainer(NotLoaded()).fit(np.zeros((3, 4), dtype=np.float32))
    assert not isinstance(info.value, ValueError)
