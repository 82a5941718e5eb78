"""Integrated Gradients against closed forms (issue 17: kill tests for the quadrature and baselines).

On a polynomial network ``f(x) = sum_i c_i x_i^(i+1)`` the path integrand of feature ``i`` is
``(i+1) c_i x_i^(i+1) alpha^i`` (zero baseline), so each quadrature rule gives
``(i+1) c_i x_i^(i+1) S_i`` with ``S_k = sum_j w_j alpha_j^k`` its moment of order ``k``, known in
closed form for every rule (sums of powers of integers; Gauss-Legendre is exact up to degree
``2n - 1``). Every reference below is written out here, never taken from skxai.
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from skxai import IntegratedGradientsExplainer, SmoothGradExplainer  # noqa: E402
from skxai.gradient._integrated import quadrature  # noqa: E402
from tests._nets import one_torch_thread  # noqa: E402, F401


class _Poly(nn.Module):
    """Outputs ``[f, -f]`` with ``f(x) = sum_i c_i x_i^(i+1)`` (feature i has power i + 1)."""

    def __init__(self, c):
        super().__init__()
        self.c = nn.Parameter(torch.as_tensor(c, dtype=torch.float64))

    def forward(self, x):
        powers = torch.arange(1, x.shape[1] + 1, dtype=x.dtype)
        f = (self.c * x**powers).sum(dim=1)
        return torch.stack([f, -f], dim=1)


C = np.array([1.5, -0.75, 0.5, 0.25])


def _f(x, c=C):
    return (c * x ** np.arange(1, x.shape[1] + 1)).sum(axis=1)


def _grad(x, c=C):
    p = np.arange(1, x.shape[1] + 1)
    return c * p * x ** (p - 1)


def _moments(method, n):
    """``S_0..S_3`` of the rule with ``n`` nodes, in closed form."""
    if method == "riemann_left":  # alpha = k/n, k = 0..n-1
        return [1.0, (n - 1) / (2 * n), (n - 1) * (2 * n - 1) / (6 * n**2), (n - 1) ** 2 / (4 * n**2)]
    if method == "riemann_right":  # alpha = k/n, k = 1..n
        return [1.0, (n + 1) / (2 * n), (n + 1) * (2 * n + 1) / (6 * n**2), (n + 1) ** 2 / (4 * n**2)]
    if method == "riemann_middle":  # alpha = (k + 1/2)/n
        return [1.0, 0.5, 1 / 3 - 1 / (12 * n**2), 1 / 4 - 1 / (8 * n**2)]
    if method == "riemann_trapezoid":  # n nodes, h = 1/(n-1); Euler-Maclaurin is exact on cubics
        h = 1.0 / (n - 1)
        return [1.0, 0.5, 1 / 3 + h**2 / 6, 1 / 4 + h**2 / 4]
    assert method == "gausslegendre"
    return [1.0, 0.5, 1 / 4, 1 / 8] if n == 1 else [1.0, 0.5, 1 / 3, 1 / 4]  # exact to degree 2n - 1


X = np.array([[0.8, -1.2, 1.5, 0.9], [-0.4, 0.7, -1.1, 1.3], [1.1, 0.3, 0.6, -0.8]])


@pytest.mark.parametrize("n", [1, 2, 3, 5])
@pytest.mark.parametrize("method", ["riemann_left", "riemann_right", "riemann_middle", "riemann_trapezoid",
                                    "gausslegendre"])
def test_each_rule_has_its_closed_form_moments(method, n):
    if method == "riemann_trapezoid" and n == 1:
        return
    net = _Poly(C)
    exp = IntegratedGradientsExplainer(net, n_steps=n, method=method, target=0).fit(X).explain(X)
    S = np.array(_moments(method, n))
    p = np.arange(1, 5)
    expected = p * C * X**p * S
    np.testing.assert_allclose(exp.values, expected, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(exp.base_values, 0.0, atol=0)
    np.testing.assert_allclose(exp.convergence_delta, expected.sum(axis=1) - _f(X), rtol=1e-10, atol=1e-13)
    np.testing.assert_array_equal(exp.n_steps_used, n)
    # the other output is -f: its attributions are the negated ones
    neg = IntegratedGradientsExplainer(net, n_steps=n, method=method, target=1).fit(X).transform(X)
    np.testing.assert_allclose(neg, -expected, rtol=1e-12, atol=1e-14)


def test_gauss_legendre_fourth_moment_with_two_nodes():
    # nodes (1 -+ 1/sqrt(3))/2, weights 1/2: S_4 = ((u+v)^4 + (u-v)^4)/2 = u^4 + 6u^2v^2 + v^4 = 7/36
    # with u = 1/2, v = 1/(2 sqrt 3) (the exact integral is 1/5)
    net = _Poly(np.array([0.0, 0.0, 0.0, 0.0, 2.0]))
    x = np.array([[0.0, 0.0, 0.0, 0.0, 1.3]])
    got = IntegratedGradientsExplainer(net, n_steps=2, target=0).fit(x).transform(x)
    np.testing.assert_allclose(got[0, 4], 5 * 2.0 * 1.3**5 * 7 / 36, rtol=1e-12)
    got3 = IntegratedGradientsExplainer(net, n_steps=3, target=0).fit(x).transform(x)
    np.testing.assert_allclose(got3[0, 4], 2.0 * 1.3**5, rtol=1e-12)  # exact: degree 4 <= 2*3 - 1


def test_quadrature_nodes_and_weights():
    nodes, weights = quadrature(4, "riemann_right")
    np.testing.assert_allclose(nodes, [0.25, 0.5, 0.75, 1.0])
    np.testing.assert_allclose(weights, 0.25)
    nodes, weights = quadrature(5, "riemann_trapezoid")
    np.testing.assert_allclose(nodes, [0, 0.25, 0.5, 0.75, 1.0])
    np.testing.assert_allclose(weights, [0.125, 0.25, 0.25, 0.25, 0.125])
    nodes, weights = quadrature(2, "gausslegendre")
    np.testing.assert_allclose(np.sort(nodes), [0.5 - 0.5 / np.sqrt(3), 0.5 + 0.5 / np.sqrt(3)])
    np.testing.assert_allclose(weights, [0.5, 0.5])
    with pytest.raises(ValueError, match=r"^method='simpson' is not one of \('gausslegendre', 'riemann_left'"):
        quadrature(4, "simpson")
    with pytest.raises(ValueError, match=r"^riemann_trapezoid needs n_steps >= 2\.$"):
        quadrature(1, "riemann_trapezoid")
    assert len(quadrature(2, "riemann_trapezoid")[0]) == 2


def test_parameter_errors_name_the_rule():
    net = _Poly(C)
    with pytest.raises(ValueError, match=r"^riemann_trapezoid needs n_steps >= 2\.$"):
        IntegratedGradientsExplainer(net, n_steps=1, method="riemann_trapezoid").fit(X)
    with pytest.raises(ValueError, match=r"^max_steps must be an integer >= n_steps, got 3\.$"):
        IntegratedGradientsExplainer(net, n_steps=4, max_steps=3, tol=0.1).fit(X)
    IntegratedGradientsExplainer(net, n_steps=4, max_steps=4, tol=0.1).fit(X)  # equal is allowed
    IntegratedGradientsExplainer(net, n_steps=4, max_steps=3).fit(X)  # max_steps only bounds tol
    with pytest.raises(ValueError, match=r"^baseline='blur' needs inputs with spatial axes"):
        IntegratedGradientsExplainer(net, baseline="blur").fit(X)


def _right_rule_reference(x, x0, n, grad=_grad):
    """``(x - x0) * mean_k grad(x0 + (k/n)(x - x0))`` for k = 1..n, by brute force."""
    d = x - x0
    return d * sum(grad(x0 + (k / n) * d) for k in range(1, n + 1)) / n


@pytest.mark.parametrize(
    "baseline, start",
    [
        (0.5, lambda x, bg: np.full_like(x, 0.5)),
        (np.array([0.1, -0.2, 0.3, 0.4]), lambda x, bg: np.tile([0.1, -0.2, 0.3, 0.4], (len(x), 1))),
        ("background_mean", lambda x, bg: np.tile(bg.mean(axis=0), (len(x), 1))),
        ("channel_mean", lambda x, bg: np.tile(x.mean(axis=1, keepdims=True), (1, x.shape[1]))),
        (lambda A: 0.5 * np.asarray(A), lambda x, bg: 0.5 * x),
    ],
    ids=["scalar", "array", "background_mean", "channel_mean", "callable"],
)
def test_baselines_start_the_path(baseline, start):
    net = _Poly(C)
    bg = np.random.RandomState(0).normal(size=(20, 4))
    ig = IntegratedGradientsExplainer(net, n_steps=3, method="riemann_right", baseline=baseline, target=0).fit(bg)
    exp = ig.explain(X)
    x0 = start(X, bg)
    np.testing.assert_allclose(exp.baselines, x0, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(exp.values, _right_rule_reference(X, x0, 3), rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(exp.base_values, _f(x0), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(exp.convergence_delta, exp.values.sum(axis=1) - (_f(X) - _f(x0)),
                               rtol=1e-9, atol=1e-12)


def test_inner_method_of_smoothgrad_integrates_from_its_baseline():
    # SmoothGrad with no noise and one sample is its inner method: this runs IG's per-call core
    net = _Poly(C)
    inner = IntegratedGradientsExplainer(net, n_steps=3, method="riemann_right", baseline=0.5)
    sg = SmoothGradExplainer(net, method=inner, sigma=0.0, n_samples=1, target=0).fit(X)
    np.testing.assert_allclose(sg.transform(X), _right_rule_reference(X, np.full_like(X, 0.5), 3), rtol=1e-10)


def test_layer_path_runs_between_the_layer_activations():
    W = np.array([[1.0, 0.5, 0, 0], [0, 1.0, -0.5, 0], [0.3, 0, 1.0, 0], [0, 0, 0.2, 1.0]])
    lin = nn.Linear(4, 4, bias=False).double()
    with torch.no_grad():
        lin.weight.copy_(torch.as_tensor(W))
    net = nn.Sequential(lin, _Poly(C))
    for baseline in (0.0, 0.5):
        exp = IntegratedGradientsExplainer(net, target_layer="0", n_steps=3, method="riemann_right",
                                           baseline=baseline, target=0).fit(X).explain(X)
        h, h0 = X @ W.T, np.full_like(X, baseline) @ W.T
        np.testing.assert_allclose(exp.values, _right_rule_reference(h, h0, 3), rtol=1e-10, atol=1e-13)
        np.testing.assert_allclose(exp.convergence_delta, exp.values.sum(axis=1) - (_f(h) - _f(h0)),
                                   rtol=1e-9, atol=1e-12)


# ---------------------------------------------------------------- tolerance-driven refinement
# f = 1.5 x_0 + 0.5 x_2^3: a sample with x_2 != 0 has relative gap h^2/2 under the trapezoid
# (h = 1/intervals) and 1/(4 n^2) under the midpoint rule; a sample on x_0 alone is exact, and
# one equal to the baseline has no gap and no change (0 > tol * 0 is false: it is not refined).
C_TOL = np.array([1.5, 0.0, 0.5, 0.0])
X_TOL = np.array([[0.0, 0.0, 1.5, 0.0], [2.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0], [0.0, 0.0, -1.2, 0.0]])


def _cubic(x, S2):
    out = np.zeros_like(x)
    out[:, 0] = C_TOL[0] * x[:, 0]
    out[:, 2] = 3 * C_TOL[2] * x[:, 2] ** 3 * S2
    return out


@pytest.mark.parametrize(
    "method, max_steps, hard_steps",
    [
        ("riemann_trapezoid", 9, 9),  # 2 -> 3 -> 5 -> 9 nodes (relative gaps 1/2, 1/8, 1/32, 1/128)
        ("riemann_trapezoid", 8, 5),  # 9 nodes would exceed max_steps
        ("riemann_middle", 8, 8),  # 2 -> 4 -> 8 (relative gaps 1/16, 1/64, 1/256)
        ("riemann_middle", 7, 4),
        ("gausslegendre", 8, 2),  # exact on the cubic from 2 nodes
    ],
)
def test_tolerance_refines_only_the_samples_above_it(method, max_steps, hard_steps):
    net = _Poly(C_TOL)
    start = 1 if method == "gausslegendre" else 2
    exp = IntegratedGradientsExplainer(net, n_steps=start, method=method, tol=0.01, max_steps=max_steps,
                                       target=0).fit(X_TOL).explain(X_TOL)
    np.testing.assert_array_equal(exp.n_steps_used, [hard_steps, start, start, hard_steps])
    S2 = _moments(method, hard_steps)[2]
    expected = _cubic(X_TOL, S2)
    expected[1] = _cubic(X_TOL[1:2], 0.0)[0]
    np.testing.assert_allclose(exp.values, expected, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(exp.convergence_delta, expected.sum(axis=1) - _f(X_TOL, C_TOL), rtol=1e-10,
                               atol=1e-14)


def test_tolerance_is_relative_to_the_change_of_each_sample():
    # the same relative gaps (h^2/2) for a large and a small change: both stop at 9 nodes (1/128 <
    # 0.01 < 1/32), however large f(x) - f(x0) is
    net = _Poly(C_TOL)
    x = np.array([[0.0, 0.0, 4.0, 0.0], [0.0, 0.0, 0.2, 0.0]])  # changes 32 and 0.004
    exp = IntegratedGradientsExplainer(net, n_steps=2, method="riemann_trapezoid", tol=0.01, max_steps=33,
                                       target=0).fit(x).explain(x)
    np.testing.assert_array_equal(exp.n_steps_used, [9, 9])
    np.testing.assert_allclose(exp.values, _cubic(x, _moments("riemann_trapezoid", 9)[2]), rtol=1e-12)

def test_default_score_is_minus_the_mean_relative_gap():
    net = _Poly(C_TOL)
    ig = IntegratedGradientsExplainer(net, n_steps=2, method="riemann_middle", target=0).fit(X_TOL)
    # relative gaps 1/16, 0 (exact), 0 (no change, no gap), 1/16
    assert ig.score(X_TOL) == pytest.approx(-(1 / 16 + 1 / 16) / 4, rel=1e-10)
    # f(x) = f(x0) but the rule leaves a gap: an infinite relative gap
    net2 = _Poly(np.array([-1.0, 0.0, 1.0, 0.0]))
    x = np.array([[1.0, 0.0, 1.0, 0.0], [2.0, 0.0, 0.0, 0.0]])
    ig2 = IntegratedGradientsExplainer(net2, n_steps=2, method="riemann_middle", target=0).fit(x)
    assert ig2.score(x) == -np.inf



def test_score_against_a_nonzero_base_and_a_given_scoring():
    net = _Poly(C_TOL)
    # baseline 1 on x_2: f(x0) = 0.5 + 1.5 = 2 != 0, so the change is f(x) - f(x0), not f(x) + f(x0)
    x0 = np.array([1.0, 0.0, 1.0, 0.0])
    x = np.array([[0.0, 0.0, 2.0, 0.0], [3.0, 0.0, 1.0, 0.0]])
    ig = IntegratedGradientsExplainer(net, n_steps=2, method="riemann_right", baseline=x0, target=0).fit(x)
    # sample 0: x_2 from 1 to 2, nodes 1.5, 2: 2 * (1.5 * (1.5^2 + 2^2) / 2) = 9.375 vs 0.5 * (8 - 1) = 3.5
    # and x_0 from 1 to 0: -1.5 exactly, so gap = 9.375 - 3.5 = 5.875 over change 2 = 2.0 (check: f: 4, 2)
    # sample 1: x_0 from 1 to 3 (exact), x_2 unchanged: gap 0
    gap0 = (-1.5 + 1.5 * (1.5**2 + 2.0**2) / 2) - ((0.5 * 8) - (1.5 + 0.5))
    assert ig.score(x) == pytest.approx(-(abs(gap0) / abs(4.0 - 2.0)) / 2, rel=1e-12)
    seen = {}

    def scoring(explainer, X, y):
        seen["X"], seen["y"] = X, y
        return 42.0

    ig2 = IntegratedGradientsExplainer(net, n_steps=2, scoring=scoring).fit(x)
    assert ig2.score(x) == 42.0  # score(X) without y is the explanation's quality (with y: the model's)
    np.testing.assert_array_equal(seen["X"], x)
    assert seen["y"] is None


def test_predicted_target_is_the_inputs_class_all_along_the_path():
    # f(x) = 2.5 > 0, so class 0 ([f, -f]) is predicted at x, but f(x/3) < 0: a path point
    # that resolved its own target would take class 1 there
    net = _Poly(C)
    x = np.array([[-1.0, 0.0, 2.0, 0.0]])
    assert _f(x)[0] > 0 and _f(x / 3)[0] < 0
    expected = _right_rule_reference(x, np.zeros_like(x), 3)
    ig = IntegratedGradientsExplainer(net, n_steps=3, method="riemann_right", target="predicted")
    np.testing.assert_allclose(ig.fit(x).transform(x), expected, rtol=1e-12)
    inner = IntegratedGradientsExplainer(net, n_steps=3, method="riemann_right")
    sg = SmoothGradExplainer(net, method=inner, sigma=0.0, n_samples=1, target="predicted").fit(x)
    np.testing.assert_allclose(sg.transform(x), expected, rtol=1e-12)
    lay = IntegratedGradientsExplainer(nn.Sequential(nn.Identity(), net), target_layer="0", n_steps=3,
                                       method="riemann_right", target="predicted")
    np.testing.assert_allclose(lay.fit(x).transform(x), expected, rtol=1e-12)


@pytest.mark.parametrize(
    "method, alphas, weights",
    [
        ("riemann_trapezoid", [0.0, 0.5, 1.0], [0.25, 0.5, 0.25]),  # 2 nodes, then the midpoint 0.5
        ("riemann_right", [0.25, 0.5, 0.75, 1.0], [0.25] * 4),  # 2 nodes, then 4
    ],
)
def test_refined_paths_keep_the_inputs_predicted_class(method, alphas, weights):
    # the refinement of the tolerance loop also integrates class 0 (predicted at x, f(x) = 2.5 > 0)
    # although f < 0 at the new nodes 0.25 and 0.5 (f(x/2) = -0.25, f(x/4) = -0.3125)
    net = _Poly(C)
    x = np.array([[-1.0, 0.0, 2.0, 0.0]])
    assert _f(x)[0] > 0 and _f(x / 2)[0] < 0 and _f(x / 4)[0] < 0
    expected = x * sum(w * _grad(a * x) for a, w in zip(alphas, weights, strict=True))
    exp = IntegratedGradientsExplainer(net, n_steps=2, method=method, tol=1e-9, max_steps=len(alphas),
                                       target="predicted").fit(x).explain(x)
    np.testing.assert_array_equal(exp.n_steps_used, [len(alphas)])
    np.testing.assert_allclose(exp.values, expected, rtol=1e-12)

def test_per_sample_baseline_of_a_float32_network_keeps_its_dtype():
    # a linear float32 network f(x) = W flatten(x) + b: IG = (x - x0) * W_t exactly, with x0 each
    # sample's channel means (a per-sample baseline, made in numpy float64) brought to float32
    net = nn.Sequential(nn.Flatten(), nn.Linear(6, 2)).float()
    W = np.random.RandomState(3).normal(size=(2, 6)).astype(np.float32)
    with torch.no_grad():
        net[1].weight.copy_(torch.as_tensor(W))
    x = np.random.RandomState(4).normal(size=(3, 2, 3)).astype(np.float32)
    x0 = np.repeat(x.mean(axis=2, keepdims=True), 3, axis=2)
    exp = IntegratedGradientsExplainer(net, baseline="channel_mean", n_steps=2, target=1).fit(x).explain(x)
    np.testing.assert_allclose(exp.values, (x - x0) * W[1].reshape(2, 3), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(exp.baselines, x0, rtol=1e-6)


def test_float32_gradients_are_summed_in_float64():
    # a linear float32 network: every node's gradient is W_t exactly (in float32), so the float64 sum of
    # the weighted gradients is W_t * sum(w) = W_t to 1e-16; a node weighted in float32 (5/18 rounded)
    # would be off by ~1e-8 relative
    net = nn.Sequential(nn.Linear(4, 2)).float()
    W = np.random.RandomState(5).normal(size=(2, 4)).astype(np.float32)
    with torch.no_grad():
        net[0].weight.copy_(torch.as_tensor(W))
    x = np.random.RandomState(6).normal(size=(3, 4)).astype(np.float32)
    got = IntegratedGradientsExplainer(net, n_steps=3, target=0).fit(x).transform(x)
    np.testing.assert_allclose(got, x.astype(np.float64) * W[0].astype(np.float64), rtol=1e-14, atol=0)


def test_baseline_names_and_callables_are_checked_at_fit():
    from scipy.ndimage import gaussian_filter1d

    net = nn.Sequential(nn.Flatten(), nn.Linear(6, 2)).double()
    x = np.random.RandomState(8).normal(size=(3, 2, 3))
    with pytest.warns(FutureWarning, match=r"^IntegratedGradientsExplainer: baseline='mean' is deprecated"):
        IntegratedGradientsExplainer(net, baseline="mean").fit(x)
    # a sequence (n, C, L) has a spatial axis: blurred along it (Gaussian, edges extended)
    exp = IntegratedGradientsExplainer(net, baseline="blur", blur_sigma=1.0, n_steps=2).fit(x).explain(x)
    np.testing.assert_allclose(exp.baselines, gaussian_filter1d(x, 1.0, axis=2, mode="nearest"), rtol=1e-12)
    flat = nn.Linear(3, 2).double()
    with pytest.raises(ValueError, match=r"^baseline='blur' needs inputs with spatial axes \(\(n, C, L\) or "
                       r"\(n, C, H, W\)\)\.$"):
        IntegratedGradientsExplainer(flat, baseline="blur").fit(x[:, 0])
    # a callable baseline is tried once, on one sample, at fit: a wrong shape fails there
    seen = []

    def ok(X):
        seen.append(X.shape)
        return 0.5 * X

    IntegratedGradientsExplainer(net, baseline=ok).fit(x)
    assert seen == [(1, 2, 3)]
    with pytest.raises(ValueError, match=r"^baseline of shape \(1, 5\) does not broadcast"):
        IntegratedGradientsExplainer(net, baseline=lambda X: np.zeros((X.shape[0], 5))).fit(x)
    # a fixed baseline is one sample: two rows are refused, not cut to the first
    with pytest.raises(ValueError, match=r"^baseline of shape \(2, 2, 3\) does not broadcast to the samples' "
                       r"shape \(1, 2, 3\)\.$"):
        IntegratedGradientsExplainer(net, baseline=np.zeros((2, 2, 3))).fit(x)


def test_ig_progress_bar_counts_path_steps(capfd):
    import re

    x = np.array([[1.0, 0.5, 0.0, 0.0]])
    IntegratedGradientsExplainer(_Poly(C), n_steps=3, target=0, verbose=1).fit(x).transform(x)
    err = capfd.readouterr().err
    assert re.search(r"(?<![A-Za-z])IG: .*\| 0/3 \[.*step/s", err), err  # one step per node
    IntegratedGradientsExplainer(_Poly(C), n_steps=3, target=0).fit(x).transform(x)
    assert capfd.readouterr().err == ""


# ================================================================ DeepSHAP (DeepLIFT rescale rules)
# Hand-set networks; each reference is the DeepLIFT rule written out in numpy: a hidden unit's
# multiplier is (f(h(x)) - f(h(r))) / (h(x) - h(r)), or f'(h(x)) where h(x) = h(r); a unit whose
# pre-activation is equal for x and r although x != r (row [1, 1, 0] and x - r = [1, -1, 0])
# makes that local gradient visible in the attributions.
from skxai import DeepShapExplainer  # noqa: E402

W1 = np.array([[1.0, 1.0, 0.0], [0.5, -1.0, 0.3], [-0.7, 0.2, 1.0], [0.4, 0.6, -0.5]])
B1 = np.array([0.1, -0.2, 0.05, 0.3])
W2 = np.array([[0.8, -0.6, 0.5, 1.2], [-0.3, 0.9, 0.7, -0.4]])
B2 = np.array([0.2, -0.1])
XS = np.array([[0.5, 0.25, 0.1], [-0.3, 0.8, 1.2]])
REFS = np.array([[-0.5, 1.25, 0.1], [0.2, -0.4, 0.6], [1.0, 0.3, -0.9]])  # ref 0: z_0 ties with x_0's


def _sig(z):
    return 1 / (1 + np.exp(-z))


ACTS = {
    "relu": (nn.ReLU, lambda z: np.maximum(z, 0), lambda z: (z > 0).astype(float)),
    "sigmoid": (nn.Sigmoid, _sig, lambda z: _sig(z) * (1 - _sig(z))),
}


def _linear(w, b):
    lin = nn.Linear(w.shape[1], w.shape[0]).double()
    with torch.no_grad():
        lin.weight.copy_(torch.as_tensor(w))
        lin.bias.copy_(torch.as_tensor(b))
    return lin


def _rescale(f, df, hx, hr):
    d = hx - hr
    return np.where(np.abs(d) < 1e-10, df(hx), (f(hx) - f(hr)) / np.where(d == 0, 1.0, d))


@pytest.mark.parametrize("act", ["relu", "sigmoid"])
@pytest.mark.parametrize("batch_size", [2, 5, 512])
def test_deepshap_hidden_layer_is_the_rescale_rule_averaged_over_references(act, batch_size):
    module, f, df = ACTS[act]
    net = nn.Sequential(_linear(W1, B1), module(), _linear(W2, B2))
    t = 1
    assert (XS[0] @ W1.T + B1)[0] == (REFS[0] @ W1.T + B1)[0]  # the tie is exact
    values, by_layer = np.zeros_like(XS), {"0": np.zeros((2, 4)), "1": np.zeros((2, 4))}
    for r in REFS:
        hx, hr = XS @ W1.T + B1, r @ W1.T + B1
        m = _rescale(f, df, hx, hr)
        values += (XS - r) * ((m * W2[t]) @ W1) / len(REFS)
        by_layer["0"] += (hx - hr) * m * W2[t] / len(REFS)
        by_layer["1"] += (f(hx) - f(hr)) * W2[t] / len(REFS)
    exp = DeepShapExplainer(net, target=t, batch_size=batch_size).fit(REFS).explain(XS)
    np.testing.assert_allclose(exp.values, values, rtol=1e-12, atol=1e-14)
    fx = f(XS @ W1.T + B1) @ W2[t] + B2[t]
    fr = f(REFS @ W1.T + B1) @ W2[t] + B2[t]
    np.testing.assert_allclose(exp.base_values, fr.mean(), rtol=1e-12)
    np.testing.assert_allclose(exp.outputs[:, t], fx, rtol=1e-12)
    np.testing.assert_allclose(exp.efficiency_gap, values.sum(axis=1) - (fx - fr.mean()), atol=1e-12)
    for layer, ref in by_layer.items():
        got = DeepShapExplainer(net, target=t, target_layer=layer, batch_size=batch_size).fit(REFS).transform(XS)
        np.testing.assert_allclose(got, ref, rtol=1e-12, atol=1e-14, err_msg=layer)


W3 = np.array([[1.0, 1.0, 0.0], [0.5, -1.0, 0.3], [-0.7, 0.2, 1.0]])  # logits z = W3 x + B3 (z_0 ties)
B3 = np.array([0.1, -0.2, 0.05])


def _division_multipliers(s, dsx, zx, zr, t):
    """d p_t / d z_k multipliers of p_t = a / (a + c), a = s_t and c the sum of the other terms:
    the division split between a and c by the Shapley value of a function of two inputs (the mean
    of the two orders), a's part over z_t's difference (d g / d a * ds_t / dz_t at x when z_t ties),
    c's part passed linearly to the other terms (multiplier part / delta c, or d g / d c at x when
    the two sums are equal to float precision) and each by the rescale rule on z."""
    sx, sr = s(zx), s(zr)
    rk = _rescale(s, dsx, zx, zr)
    ax, ar = sx[t], sr[t]
    cx, cr = np.delete(sx, t).sum(), np.delete(sr, t).sum()
    g = lambda a, c: a / (a + c)  # noqa: E731
    part_a = 0.5 * ((g(ax, cr) - g(ar, cr)) + (g(ax, cx) - g(ar, cx)))
    part_c = 0.5 * ((g(ar, cx) - g(ar, cr)) + (g(ax, cx) - g(ax, cr)))
    # equal sums (to float precision): the local derivative d g / d c at x
    flat = abs(cx - cr) <= 1e-10 * max(cx, cr)
    m = (-ax / (ax + cx) ** 2 if flat else part_c / (cx - cr)) * rk
    dz = zx[t] - zr[t]
    m[t] = cx / (ax + cx) ** 2 * dsx(zx[t]) if abs(dz) < 1e-10 else part_a / dz
    return m


def _division_reference(s, ds, t, log=False, scale=1.0):
    values = np.zeros_like(XS)
    for i, x in enumerate(XS):
        for r in REFS:
            zx, zr = scale * (W3 @ x + B3), scale * (W3 @ r + B3)
            if log:  # log p_t = z_t - log S: z_t linearly, log S by the rescale rule on S
                sx, sr = s(zx), s(zr)
                ratio = (np.log(sx.sum()) - np.log(sr.sum())) / (sx.sum() - sr.sum())
                m = -ratio * _rescale(s, ds, zx, zr)
                m[t] += 1.0
            else:
                m = _division_multipliers(s, ds, zx, zr, t)
            values[i] += (x - r) * (scale * W3.T @ m) / len(REFS)
    return values


@pytest.mark.parametrize("t", [0, 1, 2])
@pytest.mark.parametrize("kind", ["softmax_module", "log_softmax_module", "logistic_regression", "sgd_ovr"])
def test_deepshap_normalisation_rules_by_hand(kind, t):
    # z_0 ties for x_0 and ref 0: for t = 0 the own term takes its local derivative, for t = 1, 2
    # the tied term's share of the others' sum does (ds/dz at x: s for softmax, s (1 - s) one-vs-rest)
    import warnings

    from sklearn.linear_model import LogisticRegression, SGDClassifier

    if kind in ("softmax_module", "log_softmax_module"):
        last = nn.Softmax(dim=1) if kind == "softmax_module" else nn.LogSoftmax(dim=1)
        model = nn.Sequential(_linear(W3, B3), last)
        s = ds = np.exp
    else:
        y = np.array([0, 1, 2] * 4)
        Xfit = np.random.RandomState(0).normal(size=(12, 3))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if kind == "logistic_regression":
                model = LogisticRegression().fit(Xfit, y)
                s = ds = np.exp
            else:
                model = SGDClassifier(loss="log_loss", max_iter=5, random_state=0).fit(Xfit, y)
                s, ds = _sig, (lambda z: _sig(z) * (1 - _sig(z)))
        model.coef_, model.intercept_ = W3.copy(), B3.copy()  # hand-set weights
    exp = DeepShapExplainer(model, target=t, batch_size=4).fit(REFS).explain(XS)
    expected = _division_reference(s, ds, t, log=kind == "log_softmax_module")
    np.testing.assert_allclose(exp.values, expected, rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(exp.efficiency_gap, 0.0, atol=1e-12)


def test_deepshap_max_pooling_rule_by_hand():
    # captum's rule: max(x) - max(r) goes to x's argmax (when max(x) >= max(r)) or to r's argmax,
    # divided by the input difference there; an exact tie in a window passes the gradient at x's argmax
    lin = _linear(np.array([[1.0, 1.0], [1.0, -1.0], [0.5, 0.0], [0.0, 2.0]]), np.zeros(4))
    head = nn.Linear(2, 1, bias=False).double()
    with torch.no_grad():
        head.weight.copy_(torch.tensor([[1.0, 2.0]], dtype=torch.float64))
    net = nn.Sequential(lin, nn.Unflatten(1, (1, 4)), nn.MaxPool1d(2), nn.Flatten(), head)
    # h = [x0 + x1, x0 - x1, x0/2, 2 x1]
    x = np.array([[0.5, 0.25], [4.0, 1.0]])
    r = np.array([[-0.5, 1.25]])
    # sample 0: h(x) = [.75, .25, .25, .5], h(r) = [.75, -1.75, -.25, 2.5]. Window 1 ties at
    # position 0 (h_0 equal): multiplier 1 there (local gradient), 0 elsewhere. Window 2: max(x) = .5
    # (pos 3) < max(r) = 2.5 (pos 3): all of -2 at pos 3, multiplier 2 * (-2)/(-2) = 2.
    # sample 1: h(x) = [5, 3, 2, 2]: window 1: 5 - .75 at pos 0, d_in 4.25: multiplier 1; window 2:
    # max(x) = 2 (pos 2, first of the tie) vs max(r) = 2.5 (pos 3): -0.5 goes to r's argmax (pos 3),
    # d_in there 2 - 2.5 = -0.5: multiplier 2 * (-0.5)/(-0.5) = 2, pos 2 gets 0.
    mult = np.array([[1.0, 0.0, 0.0, 2.0], [1.0, 0.0, 0.0, 2.0]])
    Wl = lin.weight.detach().numpy()
    expected = (x - r) * (mult @ Wl)
    got = DeepShapExplainer(net).fit(r).explain(x)
    np.testing.assert_allclose(got.values, expected, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(got.efficiency_gap, 0.0, atol=1e-12)


@pytest.mark.parametrize(
    "pool, shape",
    [
        (nn.MaxPool1d(3, stride=2, dilation=2, ceil_mode=True), (2, 12)),  # dilated; ceil adds a 5th window
        (nn.MaxPool3d(2), (2, 4, 4, 4)),  # volumes: inputs of 5 axes
        (nn.AdaptiveMaxPool2d((2, 3)), (2, 5, 7)),
    ],
    ids=["dilated_ceil_1d", "3d", "adaptive_2d"],
)
def test_deepshap_max_pooling_variants_are_efficient(pool, shape):
    # efficiency holds only when the rule finds the same windows and argmaxes as the pooling itself
    from tests._nets import seeded_float64

    conv = {2: nn.Conv1d, 3: nn.Conv2d, 4: nn.Conv3d}[len(shape)](2, 3, 1)
    probe = pool(torch.zeros((1, 3) + shape[1:]))
    net = seeded_float64(nn.Sequential(conv, nn.Tanh(), pool, nn.Flatten(), nn.Linear(probe[0].numel(), 2)), 4)
    rng = np.random.RandomState(0)
    bg, x = rng.normal(size=(3,) + shape), rng.normal(size=(2,) + shape)
    exp = DeepShapExplainer(net, target=1).fit(bg).explain(x)
    f = net(torch.as_tensor(x)).detach().numpy()[:, 1]
    f0 = net(torch.as_tensor(bg)).detach().numpy()[:, 1].mean()
    assert np.abs(f - f0).min() > 1e-3  # not vacuous
    np.testing.assert_allclose(exp.values.reshape(2, -1).sum(axis=1), f - f0, rtol=1e-10, atol=1e-12)


def test_deepshap_max_pooling_of_inputs_without_channel_axis_is_efficient():
    # (n, 6) is pooled as an unbatched (C, L) tensor, each row on its own: the rule pools it as
    # (n, 1, 6) (it was refused at transform with an internal batch shape, (32, 6))
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(6, 6), nn.MaxPool1d(2), nn.Linear(3, 1)).double()
    X = np.random.RandomState(0).normal(size=(4, 6))
    exp = DeepShapExplainer(net).fit(X).explain(X[:4])
    f = net(torch.as_tensor(X)).detach().numpy()[:, 0]
    np.testing.assert_allclose(exp.values.sum(axis=1), f - f.mean(), rtol=1e-10, atol=1e-12)


def test_deepshap_log_softmax_with_equal_sums_takes_the_limit_ratio():
    # z = x and a reference with the logits swapped: S(x) = S(r) exactly, so (log S_x - log S_r) /
    # (S_x - S_r) is 0/0 and the rule takes its limit 1/S; the multipliers d log p_t / d z_k are
    # delta_tk - r_k / S with r_k the rescale multiplier of exp
    eye = _linear(np.eye(2), np.zeros(2))
    net = nn.Sequential(eye, nn.LogSoftmax(dim=1))
    x, r = np.array([[0.3, -0.5]]), np.array([[-0.5, 0.3]])
    S = np.exp(x).sum()
    rk = (np.exp(x[0]) - np.exp(r[0])) / (x[0] - r[0])
    for t in (0, 1):
        m = -rk / S
        m[t] += 1.0
        got = DeepShapExplainer(net, target=t).fit(r).transform(x)
        np.testing.assert_allclose(got[0], (x - r)[0] * m, rtol=1e-12)


def _assert_sequence_efficiency(net, net_seed, data_seed, target):
    """DeepSHAP of a float64 network on (n, 2, 4) sequences sums to f(x) - E f(background)."""
    from tests._nets import seeded_float64

    net = seeded_float64(net, net_seed)
    rng = np.random.RandomState(data_seed)
    bg, x = rng.normal(size=(3, 2, 4)), rng.normal(size=(2, 2, 4))
    exp = DeepShapExplainer(net, target=target).fit(bg).explain(x)
    f = net(torch.as_tensor(x)).detach().numpy()[:, target]
    f0 = net(torch.as_tensor(bg)).detach().numpy()[:, target].mean()
    assert np.abs(f - f0).min() > 1e-3
    np.testing.assert_allclose(exp.values.reshape(2, -1).sum(axis=1), f - f0, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("last", [nn.Softmax(dim=1), nn.LogSoftmax(dim=1)], ids=["softmax", "log_softmax"])
def test_deepshap_softmax_over_the_channels_of_a_sequence_is_efficient(last):
    # softmax over axis 1 of (n, C, L): the sums must run over the channels only, not the positions

    _assert_sequence_efficiency(nn.Sequential(nn.Conv1d(2, 3, 1), last, nn.Flatten(), nn.Linear(12, 2)), 5, 1, 0)


# --- DeepSHAP, second pass (mutI): the pass sizes, the heads, large logits, the rules' errors


@pytest.mark.parametrize(
    "batch_size, n_ref, rows",
    [(6, 5, [6, 6, 6, 2]), (2, 3, [2] * 6), (3, 3, [2] * 6), (7, 5, [6, 6, 6, 2])],
)
def test_deepshap_each_pass_holds_batch_size_rows_of_pairs(batch_size, n_ref, rows):
    # 2 samples x n_ref references = 2 n_ref pairs, floor(batch_size / 2) pairs (2 rows each) per pass:
    # 10 pairs in passes of 3 pairs (6 rows) for batch_size 6 or 7, one pair per pass for 2 or 3
    net = nn.Sequential(_linear(W1, B1), nn.ReLU(), _linear(W2, B2))
    refs = np.random.RandomState(0).normal(size=(n_ref, 3))
    ds = DeepShapExplainer(net, target=0, batch_size=batch_size).fit(refs)
    seen = []
    handle = net[0].register_forward_pre_hook(lambda m, inp: seen.append(inp[0].shape[0]))
    try:
        ds.explain(XS)
    finally:
        handle.remove()
    assert seen == [2] + rows  # the model's outputs at the 2 samples, then the DeepLIFT passes


def test_deepshap_softmax_of_large_logits_is_shift_invariant_by_hand():
    # logits near 1000 (exp overflows float64): the rule shifts each pair by a common constant, and
    # softmax's multipliers do not change under a common shift of the logits, so the reference is the
    # one of the unshifted network (exp(z + 1000 - 1000) = exp(z))
    model = nn.Sequential(_linear(W3, B3 + 1000.0), nn.Softmax(dim=1))
    exp = DeepShapExplainer(model, target=0, batch_size=4).fit(REFS).explain(XS)
    np.testing.assert_allclose(exp.values, _division_reference(np.exp, np.exp, 0), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(exp.efficiency_gap, 0.0, atol=1e-12)


@pytest.mark.parametrize("gap", [5.0, 20.0, 40.0, 60.0, 200.0, 1500.0])
def test_deepshap_softmax_of_one_input_is_exact_at_any_logit_gap(gap):
    # one input v, logits z = [v, 1.5 v + 1]: with one player the attribution is the whole output
    # difference p_0(x) - p_0(r) = expit(-(0.5 x + 1)) - expit(-(0.5 r + 1)); a reference at v = gap
    # puts the two rows' largest logits about gap apart (splitting s_0 / sum(s) between s_0 and the
    # sum gave parts of order exp(gap) that cancelled: 1e-5 relative error at gap 30, all of it at 40)
    from scipy.special import expit

    net = nn.Sequential(_linear(np.array([[1.0], [1.5]]), np.array([0.0, 1.0])), nn.Softmax(dim=1))
    x, r = np.array([[0.0]]), np.array([[gap]])
    for t, sign in ((0, 1.0), (1, -1.0)):
        exact = sign * (expit(-1.0) - expit(-(0.5 * gap + 1.0)))
        got = DeepShapExplainer(net, target=t).fit(r).transform(x)
        np.testing.assert_allclose(got[0, 0], exact, rtol=1e-13)


@pytest.mark.parametrize("scale", [15.0, 40.0])
def test_deepshap_softmax_of_confident_logits_is_the_split_by_hand_and_bounded(scale):
    # logits scaled up so that samples and references are confident in different classes (gaps of
    # 20-80): the values are still the hand-made split to rounding, and each pair's contributions
    # to the logits are bounded by the division's corner values (here every |value| <= 2 max|x - r|
    # max|W|, far from the exp(gap) of the old split), and they add up to the probabilities' change
    model = nn.Sequential(_linear(scale * W3, scale * B3), nn.Softmax(dim=1))
    for t in range(3):
        expected = _division_reference(np.exp, np.exp, t, scale=scale)
        exp = DeepShapExplainer(model, target=t).fit(REFS).explain(XS)
        np.testing.assert_allclose(exp.values, expected, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(exp.efficiency_gap, 0.0, atol=1e-13)
        assert np.abs(exp.values).max() <= 2 * np.abs(XS[:, None] - REFS[None]).max() * np.abs(W3).sum() * scale


@pytest.mark.parametrize("x, r", [
    ([0.0, 5.0, 1.0], [0.0, 1.0, 5.0]),  # output 0: the others swap, equal sums (on the pair's common scale)
    ([5.0, 0.0, 1.0], [4.0, 1.0, 0.0]),  # output 0 holds the pair's largest term: equal sums on its own scale
])
def test_deepshap_softmax_with_equal_sums_of_the_others_takes_the_local_derivative(x, r):
    # the other terms' sums are equal, so the division's part through them is 0 and each of them
    # passes d g / d c = -a / (a + c)^2 at x times its own change: nonzero, opposite contributions
    net = nn.Sequential(_linear(np.eye(3), np.zeros(3)), nn.Softmax(dim=1))
    x, r = np.array([x]), np.array([r])
    m = _division_multipliers(np.exp, np.exp, x[0], r[0], 0)
    got = DeepShapExplainer(net, target=0).fit(r).transform(x)
    np.testing.assert_allclose(got[0], (x - r)[0] * m, rtol=1e-12, atol=1e-15)
    assert abs(got[0, 1]) > 1e-3 and abs(got[0, 1] + got[0, 2]) < 1e-12


def test_deepshap_softmax_pairs_of_far_apart_scales_in_one_pass_are_each_exact():
    # one pass holds pairs whose logits lie near 0, 850, 900 and 1000: each pair is taken on its own
    # scale, and the output holding a pair's largest term (in the sample or in the reference, whose
    # others vanish next to it) on the scale of its others; so every value adds up to its change
    net = nn.Sequential(_linear(np.eye(3), np.zeros(3)), nn.Softmax(dim=1))
    X = np.array([[2.0, 1.0, 0.0], [900.0, 0.0, 0.0], [1000.0, 800.0, 0.0], [850.0, 0.0, 0.0]])
    R = np.array([[0.0, 2.0, 1.0], [0.0, 0.0, 900.0], [0.0, 0.0, 1.0]])
    p = lambda z: np.exp(z - z.max()) / np.exp(z - z.max()).sum()  # noqa: E731
    for t in range(3):
        got = DeepShapExplainer(net, target=t, batch_size=100).fit(R).transform(X)
        want = [np.mean([p(x)[t] - p(r)[t] for r in R]) for x in X]
        assert np.isfinite(got).all()
        np.testing.assert_allclose(got.sum(axis=1), want, rtol=0, atol=1e-13)


def test_deepshap_log_softmax_of_far_logits_is_efficient():
    # log-softmax where one row's terms would all underflow on the other's scale (gap 1500): log S
    # comes from a log-sum, so the rule neither takes log(0) nor loses the change of log p
    net = nn.Sequential(_linear(np.array([[1.0], [1.5]]), np.array([0.0, 1.0])), nn.LogSoftmax(dim=1))
    x, r = np.array([[0.0]]), np.array([[1500.0]])
    f = net(torch.as_tensor(np.vstack([x, r]))).detach().numpy()
    for t in (0, 1):
        got = DeepShapExplainer(net, target=t).fit(r).transform(x)
        np.testing.assert_allclose(got[0, 0], f[0, t] - f[1, t], rtol=1e-12)


@pytest.mark.parametrize("last", [nn.Softmax(dim=2), nn.LogSoftmax(dim=2)], ids=["softmax", "log_softmax"])
def test_deepshap_softmax_over_a_single_term_passes_nothing(last):
    # softmax over an axis of length 1 is the constant 1 (log-softmax 0): the first linear layer's
    # inputs get no attribution, the second linear layer's bias path none either
    net = nn.Sequential(_linear(W3, B3), nn.Unflatten(1, (3, 1)), last, nn.Flatten(), _linear(W3, B3))
    got = DeepShapExplainer(net, target=1).fit(REFS).explain(XS)
    np.testing.assert_array_equal(got.values, 0.0)
    np.testing.assert_allclose(got.efficiency_gap, 0.0, atol=1e-15)


def test_deepshap_sigmoid_head_of_several_outputs_is_the_rescale_rule_by_hand():
    # a module ending in Sigmoid with 3 outputs: probabilities = sigmoid(z) per output (head "sigmoid"),
    # whose multiplier is the rescale rule on z_t; for x_0 and ref 0, z_0 ties exactly, so the local
    # derivative sigmoid'(z_0) applies there (x - r = [1, -1, 0] is not 0 although z_0 ties)
    model = nn.Sequential(_linear(W3, B3), nn.Sigmoid())
    dsig = lambda z: _sig(z) * (1 - _sig(z))  # noqa: E731
    for t in (0, 2):
        expected = np.zeros_like(XS)
        for r in REFS:
            m = _rescale(_sig, dsig, XS @ W3[t] + B3[t], r @ W3[t] + B3[t])
            expected += (XS - r) * W3[t] * m[:, None] / len(REFS)
        # the module's own output (its Sigmoid by the module rule) and its probabilities (the Sigmoid
        # bypassed, the "sigmoid" head applied to the logits): the same numbers
        for response in ("auto", "predict_proba"):
            exp = DeepShapExplainer(model, target=t, response_method=response).fit(REFS).explain(XS)
            np.testing.assert_allclose(exp.values, expected, rtol=1e-12, atol=1e-14, err_msg=response)
            np.testing.assert_allclose(exp.outputs[:, t], _sig(XS @ W3[t] + B3[t]), rtol=1e-12)


def test_deepshap_heads_it_cannot_rule_are_refused_by_name():
    from skxai.gradient._deepshap import apply_head

    z = torch.zeros((2, 3), dtype=torch.float64)
    with pytest.raises(ValueError, match=r"^DeepShapExplainer cannot apply DeepLIFT rules to the skorch net's "
                       r"custom predict_nonlinearity; explain response_method='decision_function' "
                       r"\(its logits\) instead\.$"):
        apply_head(z, lambda t: t)
    with pytest.raises(ValueError, match=r"^unknown probability head 'tanh'$"):
        apply_head(z, "tanh")
    assert apply_head(z, None) is z and apply_head(z, "identity") is z
    p = torch.tensor([[0.3], [0.8]], dtype=torch.float64)  # a binary net's P(class 1): [1 - p, p]
    np.testing.assert_allclose(apply_head(p, "binary_prob").numpy(), [[0.7, 0.3], [0.2, 0.8]], rtol=1e-15)


def test_deeplift_rules_refuse_odd_batches_and_non_tensor_outputs():
    from skxai.gradient._deepshap import deeplift_rules

    net = nn.Sequential(_linear(W1, B1), nn.ReLU())
    with deeplift_rules(net), pytest.raises(
        RuntimeError, match=r"^DeepLIFT rules need a batch of samples followed by references\.$"
    ):
        net(torch.zeros((3, 3), dtype=torch.float64))
    pool = nn.MaxPool1d(2, return_indices=True)
    with deeplift_rules(pool), pytest.raises(
        ValueError, match=r"^DeepSHAP cannot handle MaxPool1d returning <class 'tuple'>\.$"
    ):
        pool(torch.zeros((2, 1, 4), dtype=torch.float64))


def test_deeplift_rules_softmax_without_dim_normalises_the_last_axis():
    # under the rules a Softmax without dim (refused by the explainer's check) normalises the last axis
    from skxai.gradient._deepshap import deeplift_rules

    net = nn.Sequential(_linear(W3, B3), nn.Softmax())
    batch = torch.as_tensor(np.vstack([XS, REFS[:2]]))
    with deeplift_rules(net):
        p = net(batch).detach().numpy()
    z = np.vstack([XS, REFS[:2]]) @ W3.T + B3
    np.testing.assert_allclose(p, np.exp(z) / np.exp(z).sum(axis=1, keepdims=True), rtol=1e-12)
    seq = nn.Sequential(nn.Softmax())  # on (2n, L, C): the last axis, not axis 1
    z3 = np.random.RandomState(9).normal(size=(4, 2, 3))
    with deeplift_rules(seq):
        p3 = seq(torch.as_tensor(z3)).detach().numpy()
    np.testing.assert_allclose(p3, np.exp(z3) / np.exp(z3).sum(axis=2, keepdims=True), rtol=1e-12)


def test_deepshap_progress_bar_counts_passes_when_there_are_several(capfd):
    import re

    net = nn.Sequential(_linear(W1, B1), nn.ReLU(), _linear(W2, B2))
    DeepShapExplainer(net, target=0, batch_size=6, verbose=1).fit(REFS).transform(XS)  # 6 pairs, 3 a pass
    err = capfd.readouterr().err
    assert re.search(r"(?<![A-Za-z])DeepSHAP: .*\| 0/2 \[.*batch/s", err), err
    DeepShapExplainer(net, target=0, batch_size=12, verbose=1).fit(REFS).transform(XS)  # one pass: no bar
    assert "DeepSHAP" not in capfd.readouterr().err


@pytest.mark.parametrize("last", [nn.Softmax(dim=1), nn.LogSoftmax(dim=1)], ids=["softmax", "log_softmax"])
def test_deepshap_softmax_values_feed_the_next_nonlinearity(last):
    # the rule's forward value is what the next rescale rule (tanh) sees: efficiency through
    # softmax / log-softmax over the channels of (n, C, L) followed by tanh holds only if that value is
    # the module's own (per position, log taken for log-softmax)

    _assert_sequence_efficiency(
        nn.Sequential(nn.Conv1d(2, 3, 1), last, nn.Tanh(), nn.Flatten(), nn.Linear(12, 2)), 6, 2, 1)


class _Twice(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = _linear(np.eye(3), np.zeros(3))

    def forward(self, x):
        return self.lin(self.lin(x))


def test_deepshap_layer_errors_name_the_layer():
    with pytest.raises(ValueError, match=r"^Layer 'lin' runs more than once per forward pass"):
        DeepShapExplainer(_Twice(), target=0, target_layer="lin").fit(REFS).transform(XS)


def test_deepshap_inside_smoothgrad_is_quiet_unless_asked(capfd):
    from skxai import SmoothGradExplainer

    net = nn.Sequential(_linear(W1, B1), nn.ReLU(), _linear(W2, B2))
    inner = DeepShapExplainer(net, batch_size=2)
    SmoothGradExplainer(net, method=inner, sigma=0.0, n_samples=1, target=0, batch_size=2).fit(REFS).transform(XS)
    assert "DeepSHAP" not in capfd.readouterr().err
