"""Audit of Integrated Gradients, SmoothGrad and the shared baselines: closed forms and
regressions of the bugs found (each test fails without its fix)."""

import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from torch import nn  # noqa: E402

from skxai import IntegratedGradientsExplainer, SmoothGradExplainer  # noqa: E402
from tests._nets import one_torch_thread, seeded_float64  # noqa: E402, F401


def _tanh_net(seed=0):
    return seeded_float64(nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 1)), seed, scale=0.7)


class _Quadratic(nn.Module):
    """``f(x) = sum_i (b_i x_i + a_i x_i^2)``: gradient ``b + 2 a x``."""

    def __init__(self, a, b=0.0):
        super().__init__()
        self.a = nn.Parameter(torch.as_tensor(a, dtype=torch.float64))
        self.b = nn.Parameter(torch.as_tensor(b, dtype=torch.float64) * torch.ones_like(self.a))

    def forward(self, x):
        return (self.b * x + self.a * x * x).sum(dim=1, keepdim=True)


def test_smoothgrad_inner_background_mean_is_the_mean_of_fits_data():
    # SmoothGrad fitted its inner method on the (at most max_background rows) background sample,
    # so an inner IG with baseline="background_mean" integrated from the mean of 100 random rows,
    # not from the mean of fit's data as IG alone does (0.0026 off here).
    X = np.random.RandomState(0).normal(size=(300, 3)) + np.linspace(0, 3, 300)[:, None]
    net = _tanh_net()
    ig = IntegratedGradientsExplainer(net, n_steps=8, baseline="background_mean").fit(X)
    inner = IntegratedGradientsExplainer(None, n_steps=8, baseline="background_mean")
    sg = SmoothGradExplainer(net, sigma=0.0, n_samples=1, method=inner, random_state=0).fit(X)
    np.testing.assert_allclose(sg.method_.baseline_, X.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(sg.transform(X[:3]), ig.transform(X[:3]), rtol=1e-12, atol=1e-15)


def test_callable_baseline_that_writes_to_its_argument_changes_neither_data_nor_attributions():
    # The callable was handed a view of the explained batch (the user's own array for a
    # float64 model): writing to it zeroed the first column of the user's X in fit and made
    # x - x0 = 0, so every attribution was 0 with a convergence_delta equal to -f(x) + f(x0).
    X = np.random.RandomState(1).normal(size=(5, 3))
    before = X.copy()
    net = _tanh_net(1)

    def first_feature_zeroed(Z):
        Z[:, 0] = 0.0
        return Z

    exp = IntegratedGradientsExplainer(net, n_steps=16, baseline=first_feature_zeroed).fit(X).explain(X)
    np.testing.assert_array_equal(X, before)
    x0 = before.copy()
    x0[:, 0] = 0.0
    np.testing.assert_array_equal(exp.baselines, x0)
    np.testing.assert_array_equal(exp.values[:, 1:], 0.0)  # only the first feature moves
    assert np.abs(exp.values[:, 0]).min() > 0
    assert np.abs(exp.convergence_delta).max() < 1e-10


def test_n_steps_beyond_the_default_max_steps_needs_no_max_steps_without_tol():
    # max_steps only bounds the refinement of tol; without tol, n_steps=600 was refused with
    # "max_steps must be an integer >= n_steps, got 512." though max_steps was never set.
    X = np.random.RandomState(2).normal(size=(4, 3))
    net = _tanh_net(2)
    exp = IntegratedGradientsExplainer(net, n_steps=600, method="riemann_middle").fit(X).explain(X)
    np.testing.assert_array_equal(exp.n_steps_used, 600)
    assert np.abs(exp.convergence_delta).max() < 1e-6
    with pytest.raises(ValueError, match=r"^max_steps must be an integer >= n_steps, got 3\.$"):
        IntegratedGradientsExplainer(net, n_steps=4, max_steps=3, tol=0.1).fit(X)


def test_tol_not_reached_within_max_steps_warns():
    # The left rule converges as 1/n: 1e-6 is out of reach of 64 steps. The samples left above
    # tol were returned silently; now a ConvergenceWarning says how many.
    X = np.random.RandomState(3).normal(size=(4, 3))
    net = _tanh_net(3)
    ig = IntegratedGradientsExplainer(net, n_steps=4, method="riemann_left", tol=1e-6, max_steps=64).fit(X)
    with pytest.warns(ConvergenceWarning, match=r"4 of 4 samples"):
        exp = ig.explain(X)
    np.testing.assert_array_equal(exp.n_steps_used, 64)
    # reached: no warning
    ig.set_params(method="gausslegendre", tol=1e-3)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        ig.explain(X)


def test_vargrad_is_invariant_to_a_constant_gradient_offset():
    # VarGrad took mean(a^2) - mean(a)^2: with gradients ~1e4 and a spread ~2e-4 every digit
    # of the variance cancelled (values on a 1.5e-8 grid, up to 2x off the 4e-8 expected).
    # Adding b.x to f adds b to every noisy gradient and must not change their variance.
    X = np.random.RandomState(4).normal(size=(3, 3))
    a = np.array([1e-3, 2e-3, 5e-4])
    kw = dict(sigma=0.1, sigma_mode="absolute", n_samples=50, variant="variance", random_state=0)
    plain = SmoothGradExplainer(_Quadratic(a), **kw).fit(X).transform(X)
    shifted = SmoothGradExplainer(_Quadratic(a, b=1e4), **kw).fit(X).transform(X)
    np.testing.assert_allclose(plain, 4 * a**2 * 0.1**2 * np.ones_like(X), rtol=0.5)  # sampling error
    np.testing.assert_allclose(shifted, plain, rtol=1e-5)


def test_ig_closed_forms_on_a_quadratic():
    # IG of sum(a x^2) from b is a (x^2 - b^2) exactly for rules exact on linear integrands
    X = np.random.RandomState(5).normal(size=(4, 3))
    a = np.array([1.0, -2.0, 0.5])
    b = np.array([0.3, -0.1, 0.7])
    for method in ("gausslegendre", "riemann_middle", "riemann_trapezoid"):
        exp = IntegratedGradientsExplainer(_Quadratic(a), n_steps=2, baseline=b, method=method).fit(X).explain(X)
        np.testing.assert_allclose(exp.values, a * (X**2 - b**2), atol=1e-13)
        assert np.abs(exp.convergence_delta).max() < 1e-13


def test_smoothgrad_takes_the_layer_from_itself_even_when_the_instance_sets_the_deprecated_layer():
    # The instance's deprecated ``layer`` (alias of target_layer) outlived the override of
    # target_layer: SmoothGrad(target_layer=None) returned layer "0" attributions, shape (n, 5),
    # while its target_layer_ and the Explanation said the input.
    X = np.random.RandomState(6).normal(size=(5, 3))
    net = _tanh_net(6)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        sg = SmoothGradExplainer(net, sigma=0.0, n_samples=1, method=IntegratedGradientsExplainer(None, layer="0"))
        sg.fit(X)
    assert sg.method_.target_layer_ is None
    np.testing.assert_allclose(sg.transform(X), IntegratedGradientsExplainer(net).fit(X).transform(X), rtol=1e-12)
