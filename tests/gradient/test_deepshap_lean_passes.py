"""DeepSHAP's work trimmed without changing a bit (session 40): the rescale rule's "small change"
test, and ``transform``'s forward pass of the samples alone when the targets are known."""

import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from skxai.gradient import DeepShapExplainer  # noqa: E402
from skxai.gradient._deepshap import _EPS, _small_change  # noqa: E402
from tests._nets import one_torch_thread  # noqa: E402, F401


def _relative_rule(xs, xr):
    """The rule as written: ``|xs - xr| <= 1e-10 max(|xs|, |xr|)`` or below the smallest normal."""
    d = (xs - xr).abs()
    dt = torch.promote_types(d.dtype, torch.float32)
    scale = torch.maximum(xs.abs(), xr.abs()).to(dt)
    return (d.to(dt) <= _EPS * scale) | (d < torch.finfo(d.dtype).tiny)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16, torch.bfloat16, torch.float64])
def test_small_change_gives_the_relative_rules_booleans(dtype):
    fi = torch.finfo(dtype)
    g = torch.Generator().manual_seed(0)
    base = torch.cat([torch.randn(4000, generator=g) * s for s in (1e-30, 1e-8, 1.0, 1e4, 1e30)]).to(dtype)
    edges = torch.tensor([0.0, -0.0, fi.tiny, -fi.tiny, fi.tiny / 2, fi.max, -fi.max], dtype=dtype)
    xs = torch.cat([base, edges])
    wide = xs.float() if dtype in (torch.float16, torch.bfloat16) else xs
    next_up = torch.nextafter(wide, torch.full_like(wide, math.inf)).to(dtype)
    partners = [xs.clone(), next_up, -xs, 2 * xs, torch.flip(xs, [0]), xs + fi.eps * 4e-3 * xs]
    for xr in partners:
        assert torch.equal(_small_change(xs, xr), _relative_rule(xs, xr))
        assert torch.equal(_small_change(xs, xr, xs - xr), _relative_rule(xs, xr))
    # infinite or NaN inputs (inf <= 1e-10 * inf holds) and differences overflowing to inf
    for bad in (math.inf, -math.inf, math.nan):
        xr = xs.clone()
        xr[3] = bad
        xs2 = xs.clone()
        xs2[4] = bad
        assert torch.equal(_small_change(xs, xr), _relative_rule(xs, xr))
        assert torch.equal(_small_change(xs2, xs2.clone()), _relative_rule(xs2, xs2.clone()))
    big = torch.tensor([fi.max, 1.0], dtype=dtype)
    assert torch.equal(_small_change(big, -big), _relative_rule(big, -big))
    empty = torch.zeros(0, dtype=dtype)
    assert _small_change(empty, empty).shape == (0,)


class _Counting(nn.Module):
    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.net = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(64, 3))
        self.rows = []

    def forward(self, x):
        self.rows.append(x.shape[0])
        return self.net(x)


def _images(n, seed=0):
    X = np.random.RandomState(seed).uniform(size=(n, 1, 4, 4)).astype(np.float32)
    X[:, :, :2] = 0.0  # blank regions: pre-activations equal to the zero reference's
    return X


def test_transform_with_known_targets_runs_no_forward_of_the_samples_alone():
    net = _Counting()
    X = _images(5)
    ex = DeepShapExplainer(net, target=1, batch_size=64).fit(np.zeros((1, 1, 4, 4), np.float32))
    net.rows.clear()
    values = ex.transform(X)
    assert net.rows == [10]  # the (sample, reference) pairs' pass only
    net.rows.clear()
    exp = ex.explain(X)
    assert net.rows == [5, 10]  # explain reports the outputs: one forward of X first
    np.testing.assert_array_equal(values, exp.values)
    # per-sample labels are known beforehand too; the predicted class needs the outputs
    per_sample = DeepShapExplainer(net, target=np.array([0, 2, 1, 1, 0]), batch_size=64).fit(X[:1] * 0)
    net.rows.clear()
    per_sample.transform(X)
    assert net.rows == [10]
    predicted = DeepShapExplainer(net, target="predicted", batch_size=64).fit(X[:1] * 0)
    net.rows.clear()
    np.testing.assert_array_equal(predicted.transform(X), predicted.explain(X).values)
    assert net.rows == [5, 10, 5, 10]


def test_transform_with_known_targets_still_refuses_a_non_finite_output():
    # the samples' outputs are checked in the pairs' pass now: a sample whose output overflows
    # is still refused (the forward of X alone that checked it is gone)
    net = nn.Sequential(nn.Flatten(), nn.Linear(16, 3))
    with torch.no_grad():
        net[1].weight.zero_()
        net[1].bias.zero_()
        net[1].weight[0, 14:] = 3e38  # two bright pixels overflow float32
    X = _images(4)
    X[:, 0, 3, 2:] = 0.0
    X[2, 0, 3, 2:] = 0.99
    ex = DeepShapExplainer(net, target=0).fit(np.zeros((1, 1, 4, 4), np.float32))
    np.testing.assert_array_equal(ex.transform(X[[0, 1, 3]])[:, 0, 3, 2:], 0.0)
    # named by X's rows, as explain names them, not by the (sample, reference) pairs' pass
    # (a review: "50 of 400 rows (row indices [100 ...])" for 4 samples and 50 references)
    message = r"NaN or inf on 1 of 4 rows \(row indices \[2\]"
    with pytest.raises(ValueError, match=message):
        ex.explain(X)
    with pytest.raises(ValueError, match=message):
        ex.transform(X)
    many = DeepShapExplainer(net, target=0).fit(np.zeros((50, 1, 4, 4), np.float32))
    with pytest.raises(ValueError, match=message):
        many.transform(X)
