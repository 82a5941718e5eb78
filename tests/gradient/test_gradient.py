"""Gradient, SmoothGrad, Integrated Gradients and backprop explainers: closed forms and rules."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402
from torch import nn  # noqa: E402

from skxai import (  # noqa: E402
    DeconvolutionExplainer,
    DeepShapExplainer,
    GradientExplainer,
    GradientXInputExplainer,
    GuidedBackpropExplainer,
    IntegratedGradientsExplainer,
    SmoothGradExplainer,
)
from skxai.gradient._integrated import RULES  # noqa: E402
from skxai.utils._param_validation import InvalidParameterError  # noqa: E402
from tests._nets import one_torch_thread, seeded_float64, small_cnn  # noqa: E402, F401


@pytest.fixture(scope="module")
def linear():
    from sklearn.linear_model import LinearRegression

    rng = np.random.RandomState(0)
    X = rng.normal(size=(50, 4))
    return LinearRegression().fit(X, X @ [1.0, -2.0, 3.0, 0.5] + 1.0), X


def _mlp(seed=0, act=nn.Tanh, d=4, k=3):
    net = nn.Sequential(nn.Linear(d, 8), act(), nn.Linear(8, 6), act(), nn.Linear(6, k))
    return seeded_float64(net, seed)


def _cnn(seed=0):
    return small_cnn(seed)


def _images(n=6, seed=1):
    return np.random.RandomState(seed).normal(size=(n, 2, 8, 8))


def _autograd(net, X, target, wrt_layer=None):
    x = torch.as_tensor(X).requires_grad_(True)
    box = {}
    handle = None
    if wrt_layer is not None:
        handle = wrt_layer.register_forward_hook(lambda m, i, o: box.setdefault("a", o))
    out = net(x)
    if handle is not None:
        handle.remove()
    sel = out.gather(1, torch.as_tensor(target)[:, None]).sum()
    wrt = x if wrt_layer is None else box["a"]
    (g,) = torch.autograd.grad(sel, wrt)
    return g.numpy(), (wrt.detach().numpy())


# --------------------------------------------------------------------------- closed forms
def test_linear_closed_forms(linear):
    model, X = linear
    x = X[:7]
    np.testing.assert_allclose(GradientExplainer(model).fit(X).transform(x), np.tile(model.coef_, (7, 1)))
    np.testing.assert_allclose(GradientXInputExplainer(model).fit(X).transform(x), x * model.coef_)
    for baseline, x0 in [("zeros", 0.0), ("mean", X.mean(axis=0)), (np.full(4, 0.3), 0.3)]:
        for method in RULES:
            ig = IntegratedGradientsExplainer(model, n_steps=5, baseline=baseline, method=method).fit(X)
            exp = ig.explain(x)
            np.testing.assert_allclose(exp.values, (x - x0) * model.coef_, atol=1e-12)
            np.testing.assert_allclose(exp.convergence_delta, 0.0, atol=1e-10)
            np.testing.assert_allclose(exp.base_values, model.predict(np.broadcast_to(x0, x.shape)))


def test_gradient_of_nonlinear_net_matches_autograd():
    net = _cnn()
    X = _images()
    exp = GradientExplainer(net, batch_size=4).fit(X).explain(X)
    target = net(torch.as_tensor(X)).argmax(1).numpy()
    np.testing.assert_array_equal(exp.targets, target)
    g, _ = _autograd(net, X, target)
    np.testing.assert_allclose(exp.values, g, rtol=1e-12)
    heat = GradientExplainer(net, reduce="abs_max_channel").fit(X).transform(X)
    np.testing.assert_allclose(heat, np.abs(g).max(axis=1))
    assert heat.shape == (6, 8, 8)
    with pytest.raises(InvalidParameterError, match="'reduce' parameter"):
        GradientExplainer(net, reduce="max").fit(X)


@pytest.mark.parametrize("cls", [GradientExplainer, GradientXInputExplainer])
def test_layer_attribution_matches_autograd(cls):
    net = _cnn()
    X = _images()
    target = np.array([0, 1, 2, 0, 1, 2])
    phi = cls(net, layer="3", target=target).fit(X).transform(X)
    g, a = _autograd(net, X, target, wrt_layer=net[3])
    np.testing.assert_allclose(phi, g if cls is GradientExplainer else g * a, rtol=1e-12)
    assert phi.shape == (6, 5, 2, 2)


# --------------------------------------------------------------------------- SmoothGrad
def test_smoothgrad_sigma_zero_is_the_gradient():
    net = _mlp()
    X = np.random.RandomState(0).normal(size=(10, 4))
    grad = GradientExplainer(net, target=1).fit(X).transform(X)
    sg = SmoothGradExplainer(net, sigma=0.0, n_samples=3, target=1).fit(X)
    np.testing.assert_allclose(sg.transform(X), grad, rtol=1e-12)
    sq = sg.set_params(variant="mean_square").fit(X).transform(X)
    np.testing.assert_allclose(sq, grad**2, rtol=1e-12)
    var = sg.set_params(variant="variance").fit(X).transform(X)
    np.testing.assert_allclose(var, 0.0, atol=1e-12)


def test_smoothgrad_is_the_mean_over_noise_and_reproducible():
    net = _mlp()
    X = np.random.RandomState(0).normal(size=(9, 4))
    sg = SmoothGradExplainer(net, sigma=0.2, n_samples=6, target=2, random_state=3, batch_size=4)
    a = sg.fit(X).transform(X)
    b = sg.set_params(batch_size=100).fit(X).transform(X)
    np.testing.assert_allclose(a, b, rtol=1e-12)  # same noise whatever the batch size
    # brute force: replay the generator stream draw by draw
    gen = torch.Generator().manual_seed(sg._seed())
    x = torch.as_tensor(X)
    span = (x.amax(dim=1) - x.amin(dim=1))[:, None]
    grads = []
    for _ in range(6):
        noisy = (x + torch.randn(x.shape[1:], generator=gen, dtype=x.dtype) * 0.2 * span).numpy()
        grads.append(_autograd(net, noisy, np.full(9, 2))[0])
    np.testing.assert_allclose(a, np.mean(grads, axis=0), rtol=1e-10)
    var = sg.set_params(variant="variance").fit(X).transform(X)
    np.testing.assert_allclose(var, np.var(grads, axis=0), rtol=1e-7, atol=1e-12)
    c = sg.set_params(variant="mean", random_state=4).fit(X).transform(X)
    assert not np.allclose(a, c)


def test_smoothgrad_values_of_a_sample_do_not_depend_on_the_other_samples():
    """A seeded sample's attributions are the same explained alone, in a slice or among other
    rows (Dask chunks explain slices): its noise must not depend on its position or on the
    number of samples."""
    net = _mlp()
    X = np.random.RandomState(0).normal(size=(12, 4))
    for variant in ("mean", "variance"):
        sg = SmoothGradExplainer(net, sigma=0.3, n_samples=5, target=1, random_state=0, variant=variant).fit(X)
        full = sg.transform(X)
        np.testing.assert_allclose(sg.transform(X[5:9]), full[5:9], rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(sg.transform(X[[7]]), full[[7]], rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(sg.transform(X[::-1]), full[::-1], rtol=1e-12, atol=1e-15)


def test_smoothgrad_smooths_other_methods(linear):
    model, X = linear
    x = X[:5]
    sg = SmoothGradExplainer(model, sigma=0.0, n_samples=2, method="gradient_x_input").fit(X)
    np.testing.assert_allclose(sg.transform(x), x * model.coef_)
    ig = IntegratedGradientsExplainer(None, n_steps=3, baseline="background_mean")
    sg = SmoothGradExplainer(model, sigma=0.3, n_samples=4, method=ig, random_state=0).fit(X)
    assert sg.method_.n_steps == 3 and ig.estimator is None  # the user's instance is untouched
    # IG of a linear model from a mean baseline: (x + eps - mean) * coef, averaged over the
    # draws, i.e. (x + mean(eps) - mean) * coef. The draws' mean comes from smoothing the
    # plain input with the same seed (gradient x input of a unit-slope model: x + eps).
    phi = sg.transform(x)
    from sklearn.linear_model import LinearRegression

    unit = LinearRegression().fit(X, X.sum(axis=1))
    noisy = SmoothGradExplainer(unit, sigma=0.3, n_samples=4, method="gradient_x_input", random_state=0)
    eps_mean = noisy.fit(X).transform(x) / unit.coef_ - x
    scale = 0.3 * (x.max(axis=1) - x.min(axis=1))[:, None]
    assert np.abs(eps_mean).max() > 1e-3 * scale.max()  # the noise is really there
    assert (np.abs(eps_mean) < 5 * scale / np.sqrt(4)).all()  # and of the stated size
    np.testing.assert_allclose(phi, (x + eps_mean - X.mean(axis=0)) * model.coef_, rtol=1e-9, atol=1e-12)
    with pytest.raises(ValueError, match="'method' parameter"):
        SmoothGradExplainer(model, method="nope").fit(X)
    for bad in [dict(sigma=-1), dict(n_samples=0), dict(variant="max"), dict(sigma_mode="pct")]:
        with pytest.raises(ValueError):
            SmoothGradExplainer(model, **bad).fit(X)


# --------------------------------------------------------------------------- IG
def test_ig_gap_shrinks_and_gauss_legendre_beats_trapezoid():
    net = _mlp(act=nn.Tanh)
    with torch.no_grad():
        for p in net.parameters():
            p.mul_(0.5)  # a smooth path integrand
    X = np.random.RandomState(2).normal(size=(12, 4))

    def gap(n, method):
        ig = IntegratedGradientsExplainer(net, n_steps=n, method=method, target=0).fit(X)
        return np.abs(ig.explain(X).convergence_delta).mean()

    gl = [gap(n, "gausslegendre") for n in (2, 4, 8, 16)]
    tr = [gap(n, "riemann_trapezoid") for n in (2, 4, 8, 16)]
    assert all(a > b for a, b in zip(gl, gl[1:], strict=False))
    assert all(a > b for a, b in zip(tr, tr[1:], strict=False))
    assert gl[2] < 0.02 * tr[2]  # smooth integrand: Gauss-Legendre converges far faster
    assert gl[-1] < 1e-8 and tr[-1] > 1e-5


def test_ig_tolerance_refines_only_the_hard_samples():
    net = _cnn()
    X = _images(8)
    fixed = IntegratedGradientsExplainer(net, n_steps=4, target=0).fit(X).explain(X)
    rel = np.abs(fixed.convergence_delta) / np.abs(fixed.outputs[:, 0] - fixed.base_values)
    exp = IntegratedGradientsExplainer(net, n_steps=4, target=0, tol=0.01, max_steps=64).fit(X).explain(X)
    rel_tol = np.abs(exp.convergence_delta) / np.abs(exp.outputs[:, 0] - exp.base_values)
    done = rel <= 0.01
    np.testing.assert_array_equal(exp.n_steps_used[done], 4)
    np.testing.assert_allclose(exp.values[done], fixed.values[done])
    assert ((rel_tol <= 0.01) | (exp.n_steps_used == 64)).all()
    assert (exp.n_steps_used > 4).any()  # the check is not vacuous
    hard = np.flatnonzero(~done)[0]
    again = IntegratedGradientsExplainer(net, n_steps=int(exp.n_steps_used[hard]), target=0).fit(X)
    np.testing.assert_allclose(exp.values[hard], again.transform(X[hard : hard + 1])[0], rtol=1e-10)
    # the nested trapezoid reuses its nodes: same numbers as the final rule computed directly
    trap = IntegratedGradientsExplainer(net, n_steps=3, method="riemann_trapezoid", target=0, tol=0.01, max_steps=33)
    exp = trap.fit(X).explain(X)
    assert set(exp.n_steps_used.tolist()) - {3} and set(exp.n_steps_used.tolist()) <= {3, 5, 9, 17, 33}
    for n in set(exp.n_steps_used.tolist()):
        rows = exp.n_steps_used == n
        direct = IntegratedGradientsExplainer(net, n_steps=n, method="riemann_trapezoid", target=0).fit(X)
        np.testing.assert_allclose(exp.values[rows], direct.transform(X[rows]), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize(
    ("method", "nodes"),
    [
        ("riemann_left", lambda n: np.arange(n) / n),
        ("riemann_right", lambda n: (np.arange(n) + 1) / n),
        ("riemann_middle", lambda n: (np.arange(n) + 0.5) / n),
    ],
)
def test_ig_riemann_rules_match_their_brute_force_sums(method, nodes):
    # Each rule against its own sum written out here: the right rule evaluates alpha = k/n
    # for k = 1..n (it reaches x, never x0), the left one k = 0..n-1 (issue 17: a right rule
    # silently turned into the left one must fail).
    net = _cnn()
    X = _images(4)
    n = 5
    exp = IntegratedGradientsExplainer(net, n_steps=n, method=method, baseline=0.1, target=0).fit(X).explain(X)
    t = np.zeros(4, dtype=int)
    total = sum(_autograd(net, 0.1 + a * (X - 0.1), t)[0] for a in nodes(n)) / n
    np.testing.assert_allclose(exp.values, (X - 0.1) * total, rtol=1e-10)
    # the rules differ by far more than the tolerance on this network
    left = sum(_autograd(net, 0.1 + a * (X - 0.1), t)[0] for a in np.arange(n) / n) / n
    right = sum(_autograd(net, 0.1 + a * (X - 0.1), t)[0] for a in (np.arange(n) + 1) / n) / n
    assert np.abs((X - 0.1) * (left - right)).max() > 1e-3


def test_ig_trapezoid_matches_its_brute_force_sum():
    net = _cnn()
    X = _images(3)
    n = 5
    exp = IntegratedGradientsExplainer(net, n_steps=n, method="riemann_trapezoid", target=1).fit(X).explain(X)
    t = np.ones(3, dtype=int)
    w = np.full(n, 1.0 / (n - 1))
    w[[0, -1]] /= 2
    total = sum(wk * _autograd(net, a * X, t)[0] for a, wk in zip(np.linspace(0, 1, n), w, strict=True))
    np.testing.assert_allclose(exp.values, X * total, rtol=1e-10)


def test_ig_attributions_match_brute_force_quadrature():
    net = _cnn()
    X = _images(4)
    ig = IntegratedGradientsExplainer(net, n_steps=7, method="riemann_middle", baseline=0.1)
    exp = ig.fit(X).explain(X)
    t = exp.targets
    alphas = (np.arange(7) + 0.5) / 7
    total = sum(_autograd(net, 0.1 + a * (X - 0.1), t)[0] for a in alphas) / 7
    np.testing.assert_allclose(exp.values, (X - 0.1) * total, rtol=1e-10)
    f = net(torch.as_tensor(X)).detach().numpy()[np.arange(4), t]
    f0 = net(torch.full_like(torch.as_tensor(X), 0.1)).detach().numpy()[np.arange(4), t]
    np.testing.assert_allclose(exp.convergence_delta, exp.values.sum(axis=(1, 2, 3)) - (f - f0))


def test_ig_blur_baseline_and_layer():
    from scipy.ndimage import gaussian_filter

    net = _cnn()
    X = _images(3)
    exp = IntegratedGradientsExplainer(net, baseline="blur", blur_sigma=1.5, n_steps=4).fit(X).explain(X)
    # the one blur rule of skxai._baselines: edges extended (mode="nearest")
    np.testing.assert_allclose(exp.baselines, gaussian_filter(X, sigma=(0, 0, 1.5, 1.5), mode="nearest"))
    lay = IntegratedGradientsExplainer(net, layer="0", n_steps=32, target=1).fit(X).explain(X)
    assert lay.values.shape == (3, 4, 8, 8)
    # completeness holds in the layer's space (the path runs through its activations)
    assert np.abs(lay.convergence_delta).max() < 0.05 * np.abs(lay.values.sum(axis=(1, 2, 3))).max()
    with pytest.raises(ValueError, match="blur"):
        IntegratedGradientsExplainer(_mlp(d=128), baseline="blur").fit(X.reshape(3, -1))
    with pytest.raises(ValueError, match="broadcast"):
        IntegratedGradientsExplainer(net, baseline=np.zeros(5)).fit(X)


def test_ig_default_score_is_the_relative_completeness_gap():
    net = _cnn()
    X = _images(4)
    scores = [IntegratedGradientsExplainer(net, n_steps=n, target=0).fit(X).score(X) for n in (2, 8, 32)]
    assert scores[0] < scores[1] < scores[2] <= 0


# --------------------------------------------------------------------------- backprop rules
class _Reused(nn.Module):
    """The same (in-place) ReLU module used twice."""

    def __init__(self, inplace):
        super().__init__()
        self.l1, self.l2, self.l3 = nn.Linear(2, 2), nn.Linear(2, 2), nn.Linear(2, 1)
        self.relu = nn.ReLU(inplace=inplace)

    def forward(self, x):
        return self.l3(self.relu(self.l2(self.relu(self.l1(x)))))


class _Functional(_Reused):
    def forward(self, x):
        return self.l3(torch.relu(self.l2(self.relu(self.l1(x)))))


def _hand_net(cls=_Reused, inplace=False):
    net = cls(inplace).double()
    with torch.no_grad():
        net.l1.weight.copy_(torch.eye(2, dtype=torch.float64))
        net.l2.weight.copy_(torch.tensor([[1.0, -1.0], [-1.0, 2.0]]))
        net.l3.weight.copy_(torch.tensor([[1.0, 1.0]]))
        for lin in (net.l1, net.l2, net.l3):
            lin.bias.zero_()
    return net


@pytest.mark.parametrize("inplace", [False, True])
def test_backprop_rules_by_hand(inplace):
    # x = (1, 2): h1 = (1, 2) both active; h2 = (-1, 3), first unit off; y = relu(h2).sum()
    # plain: (-1, 2); guided: relu at each ReLU and forward mask: (0, 2); deconv: (0, 1)
    net = _hand_net(inplace=inplace)
    X = np.array([[1.0, 2.0]])
    np.testing.assert_allclose(GradientExplainer(net).fit(X).transform(X), [[-1.0, 2.0]])
    np.testing.assert_allclose(GuidedBackpropExplainer(net).fit(X).transform(X), [[0.0, 2.0]])
    np.testing.assert_allclose(DeconvolutionExplainer(net).fit(X).transform(X), [[0.0, 1.0]])
    assert not net.relu._forward_hooks and not net.relu._forward_pre_hooks
    # layer: gradient at l1's output under the guided rule
    np.testing.assert_allclose(GuidedBackpropExplainer(net, layer="l1").fit(X).transform(X), [[0.0, 2.0]])


def test_backprop_refuses_functional_relu():
    net = _hand_net(_Functional)
    X = np.array([[1.0, 2.0]])
    for cls in (GuidedBackpropExplainer, DeconvolutionExplainer):
        with pytest.raises(ValueError, match="functionally"):
            cls(net).fit(X)
    assert not net.relu._forward_hooks


# --------------------------------------------------------------------------- state
def test_model_state_restored_after_errors():
    net = _hand_net(inplace=True)
    net.train()
    net.l2.weight.requires_grad_(False)
    flags = [p.requires_grad for p in net.parameters()]
    X = np.array([[1.0, 2.0], [0.5, -1.0]])
    calls = []

    def fail_late(m, i, o):
        calls.append(1)
        if len(calls) > 2:
            raise RuntimeError("late failure")

    for exp in [
        IntegratedGradientsExplainer(net, n_steps=8, batch_size=2),
        GuidedBackpropExplainer(net, batch_size=2),
        SmoothGradExplainer(net, n_samples=5, method="deconvolution", random_state=0, batch_size=2),
    ]:
        exp.fit(X)
        calls.clear()
        user = net.l3.register_forward_hook(fail_late)
        try:
            with pytest.raises(RuntimeError, match="late failure"):
                exp.explain(np.repeat(X, 3, axis=0))
        finally:
            user.remove()
        assert net.training and all(m.training for m in net.modules())
        assert [p.requires_grad for p in net.parameters()] == flags
        for m in net.modules():
            assert not m._forward_hooks and not m._forward_pre_hooks and not m._backward_hooks


def test_input_validation(linear):
    model, X = linear
    exp = GradientExplainer(model).fit(X)
    with pytest.raises(ValueError, match="NaN"):
        exp.transform(np.full((1, 4), np.nan))
    with pytest.raises(ValueError, match="4 features"):
        exp.transform(X[:, :3])
    with pytest.raises(ValueError, match="2-D or more"):
        exp.transform(X[0])
    with pytest.raises(ValueError, match="not a valid output index"):
        GradientExplainer(model, target=3).fit(X)
    with pytest.raises(InvalidParameterError, match="'batch_size' parameter"):
        GradientExplainer(model, batch_size=0).fit(X)
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        GradientExplainer(model).transform(X)


# --------------------------------------------------------------------------- scikit-learn workflows
def _sklearn_checked():
    from sklearn.linear_model import LinearRegression

    return [
        GradientExplainer(LinearRegression()),
        IntegratedGradientsExplainer(LinearRegression(), n_steps=4),
        SmoothGradExplainer(LinearRegression(), n_samples=2, random_state=0),
        DeepShapExplainer(LinearRegression(), max_background=10),
    ]


@parametrize_with_checks(_sklearn_checked())
def test_sklearn_compatible(estimator, check):
    check(estimator)



def _digits_cnn():
    class DigitsCNN(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 6, 3, padding=1)
            self.relu1 = nn.ReLU()
            self.pool = nn.MaxPool2d(2)
            self.conv2 = nn.Conv2d(6, 8, 3, padding=1)
            self.relu2 = nn.ReLU()
            self.flat = nn.Flatten()
            self.fc = nn.Linear(8 * 4 * 4, 10)

        def forward(self, x):
            return self.fc(self.flat(self.relu2(self.conv2(self.pool(self.relu1(self.conv1(x)))))))

    return DigitsCNN


def _to_images(X):
    return (np.asarray(X, dtype=np.float32) / 16.0).reshape(-1, 1, 8, 8)


def test_skorch_cnn_on_digits_in_a_pipeline():
    skorch = pytest.importorskip("skorch")
    from sklearn.datasets import load_digits
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer

    X, y = load_digits(return_X_y=True)
    X, y = X[:600], y[:600]
    net = skorch.NeuralNetClassifier(
        _digits_cnn(),
        criterion=nn.CrossEntropyLoss,
        optimizer=torch.optim.Adam,
        max_epochs=3,
        lr=0.01,
        batch_size=64,
        train_split=None,
        verbose=0,
        iterator_train__shuffle=True,
    )
    torch.manual_seed(0)  # skorch draws its initial weights from torch's global RNG
    pipe = make_pipeline(
        FunctionTransformer(_to_images),
        IntegratedGradientsExplainer(net, n_steps=16, response_method="logits"),
    )
    pipe.fit(X, y)
    assert (pipe.predict(X[:200]) == y[:200]).mean() > 0.5  # trained, and predict is delegated
    phi = pipe.transform(X[:5])
    assert phi.shape == (5, 1, 8, 8) and phi.dtype == np.float64
    exp = pipe[-1].explain(_to_images(X[:5]))
    np.testing.assert_array_equal(exp.targets, pipe.predict(X[:5]).astype(int))
    rel = np.abs(exp.convergence_delta) / np.abs(exp.outputs[np.arange(5), exp.targets] - exp.base_values)
    assert rel.max() < 0.05
    from sklearn.frozen import FrozenEstimator

    sal = GradientExplainer(FrozenEstimator(pipe[-1].estimator_), reduce="abs_max_channel")
    heat = sal.fit(_to_images(X[:50])).transform(_to_images(X[:5]))
    assert heat.shape == (5, 8, 8) and (heat >= 0).all()
    # explaining leaves the net in the mode skorch left it in
    assert pipe[-1].estimator_.module_.training == sal.estimator_.estimator.module_.training


def test_gridsearch_over_smoothgrad_sigma_and_samples(linear):
    from sklearn.model_selection import GridSearchCV

    from skxai.metrics import get_metric_names

    net = _mlp(k=1)
    X = np.random.RandomState(0).normal(size=(40, 4))
    scoring = "infidelity" if "infidelity" in get_metric_names() else None
    search = GridSearchCV(
        SmoothGradExplainer(net, random_state=0, scoring=scoring),
        {"sigma": [0.05, 0.3], "n_samples": [2, 4]},
        cv=2,
    ).fit(X)
    assert len(search.cv_results_["mean_test_score"]) == 4
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    assert search.best_estimator_.transform(X[:3]).shape == (3, 4)


def test_in_place_first_module_neither_fails_nor_changes_the_data():
    net = nn.Sequential(nn.ReLU(inplace=True), nn.Linear(3, 1)).double()
    X = np.random.RandomState(0).normal(size=(5, 3))
    X0 = X.copy()
    w = net[1].weight.detach().numpy()[0]
    np.testing.assert_allclose(GradientExplainer(net).fit(X).transform(X), (X > 0) * w)
    ig = IntegratedGradientsExplainer(net, n_steps=4).fit(X).explain(X)
    np.testing.assert_allclose(ig.values, np.maximum(X, 0) * w)  # relu(a x) = a relu(x)
    for cls in (SmoothGradExplainer, GuidedBackpropExplainer, DeepShapExplainer):
        cls(net).fit(X).transform(X)
    np.testing.assert_array_equal(X, X0)


class _ViewNet(nn.Module):
    """A CNN that .view()s its feature maps: channels-last inputs make it raise."""

    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.conv = nn.Conv2d(3, 4, 3, padding=1)
        self.fc = nn.Linear(4 * 6 * 6, 5)

    def forward(self, x):
        h = torch.tanh(self.conv(x))
        return self.fc(h.view(h.shape[0], -1))


@pytest.mark.parametrize("make", [_ViewNet, lambda: _cnn(1)])
def test_colour_images_gradients_equal_plain_autograd(make):
    # The passes run colour images channels-last where the network takes them and fall back
    # to the usual layout where it cannot (.view()); either way the gradient is autograd's.
    net = make().eval()
    c, dtype = (3, np.float32) if isinstance(net, _ViewNet) else (2, np.float64)
    X = np.random.RandomState(0).normal(size=(7, c, 6 if c == 3 else 8, 6 if c == 3 else 8)).astype(dtype)
    xt = torch.as_tensor(X).requires_grad_(True)
    out = net(xt)
    t = out.argmax(1)
    (ref,) = torch.autograd.grad(out.gather(1, t[:, None]).sum(), xt)
    got = GradientExplainer(net, target="predicted", batch_size=3).fit(X).transform(X)
    assert got.flags["C_CONTIGUOUS"]
    np.testing.assert_allclose(got, ref.numpy(), rtol=1e-5, atol=1e-7)


def test_per_sample_target_labels_resolved_per_sample():
    # Repeated labels (resolved once per distinct label) give each sample its own output.
    net = _mlp(k=3)
    X = np.random.RandomState(1).normal(size=(9, 4))
    labels = np.array([2, 0, 2, 1, 1, 0, 2, 2, 0])
    exp = GradientExplainer(net, target=labels).fit(X).explain(X)
    np.testing.assert_array_equal(exp.targets, labels)
    xt = torch.as_tensor(X).requires_grad_(True)
    (ref,) = torch.autograd.grad(net(xt).gather(1, torch.as_tensor(labels)[:, None]).sum(), xt)
    np.testing.assert_allclose(exp.values, ref.numpy(), rtol=1e-5, atol=1e-7)
    with pytest.raises(ValueError, match="not a valid output index"):
        GradientExplainer(net, target=np.array([0, 5, 0, 0, 0, 0, 0, 0, 0])).fit(X).explain(X)


class _SideBranch(nn.Module):
    """``aux`` runs in every forward pass, but the output does not depend on it."""

    def __init__(self):
        super().__init__()
        self.body, self.act = nn.Linear(3, 4), nn.ReLU()
        self.aux, self.head = nn.Linear(4, 2), nn.Linear(4, 2)

    def forward(self, x):
        h = self.act(self.body(x))
        self.aux(h)
        return self.head(h)


@pytest.mark.parametrize("cls", ["GradientExplainer", "IntegratedGradientsExplainer", "SmoothGradExplainer",
                                 "DeepShapExplainer"])
def test_a_layer_the_output_does_not_depend_on_is_refused_by_name(cls):
    import skxai

    torch.manual_seed(0)
    net = _SideBranch().double().train()
    X = np.random.RandomState(0).normal(size=(5, 3))
    explainer = getattr(skxai, cls)(net, target=0, target_layer="aux").fit(X)
    with pytest.raises(ValueError, match=r"^Layer 'aux' does not reach the explained output: the output does not "
                                         r"depend on its activations\. Choose a layer on the path"):
        explainer.transform(X[:2])
    # the model as it was: mode, gradients, no hooks left
    assert net.training and all(p.requires_grad for p in net.parameters())
    assert not any(m._forward_hooks or m._forward_pre_hooks for m in net.modules())
    # a layer on the path is explained (values, not an error)
    values = getattr(skxai, cls)(net, target=0, target_layer="body").fit(X).transform(X[:2])
    assert np.isfinite(values).all() and np.abs(values).max() > 0
