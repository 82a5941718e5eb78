"""Audit 4 (metrics as scores): parameters of the robustness and infidelity metrics that gave
Python internals' errors, a silent NaN, or a perfect score to every explainer."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.linear_model import LinearRegression

from skxai import ExactShapleyExplainer, RandomExplainer
from skxai.metrics import avg_sensitivity, infidelity, make_explanation_scorer, max_sensitivity
from tests.metrics._linear import linear_explainer


@pytest.fixture(scope="module")
def linear_case():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 4))
    model = LinearRegression().fit(X, X @ [1.0, 2.0, -1.0, 0.5])
    return X, model


# ---------------------------------------------------------------- non-finite noise widths
@pytest.mark.parametrize("radius", [np.nan, np.inf])
@pytest.mark.parametrize("metric", [max_sensitivity, avg_sensitivity])
def test_sensitivity_refuses_a_non_finite_radius(linear_case, metric, radius):
    # was numpy's OverflowError "Range exceeds valid bounds" from uniform(-nan, nan)
    X, model = linear_case
    ex = ExactShapleyExplainer(model).fit(X)
    with pytest.raises(ValueError, match="radius must be a positive"):
        metric(ex, X[:2], radius=radius)


@pytest.mark.parametrize("noise_scale", [np.nan, np.inf])
def test_infidelity_refuses_a_non_finite_noise_scale(linear_case, noise_scale):
    # was the model's own "Input X contains NaN" on the perturbed copies: it blamed the user's X
    X, model = linear_case
    ex = ExactShapleyExplainer(model).fit(X)
    with pytest.raises(ValueError, match="noise_scale must be a positive"):
        infidelity(ex, X[:2], perturbation="gaussian", noise_scale=noise_scale)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_explicit_perturbations_must_be_finite(linear_case, bad):
    # NaN in the given perturbations reached the model, whose error named X
    X, model = linear_case
    ex = ExactShapleyExplainer(model).fit(X)
    P = np.zeros((2, 3, 4))
    P[1, 2, 0] = bad
    with pytest.raises(ValueError, match="perturbations contain NaN or infinity"):
        infidelity(ex, X[:2], perturbations=P)
    with pytest.raises(ValueError, match="perturbations contain NaN or infinity"):
        max_sensitivity(ex, X[:2], perturbations=P)


# ---------------------------------------------------------------- norm and normalize
@pytest.mark.parametrize("norm", [np.nan, True, "l2", None])
def test_sensitivity_refuses_a_norm_that_is_not_an_order(linear_case, norm):
    # norm=nan returned NaN for every sample (a NaN score in a search); norm=True read as ord 1
    X, model = linear_case
    ex = ExactShapleyExplainer(model).fit(X)
    with pytest.raises(ValueError, match="norm="):
        max_sensitivity(ex, X[:2], norm=norm)


def test_sensitivity_norms_still_match_numpy(linear_case):
    # the accepted orders are unchanged: phi(x + e) - phi(x) = w * e for a linear model's exact
    # Shapley values against a zero background, so the sensitivity is ||w * e||_p / ||w * x||_p
    X, model = linear_case
    ex = ExactShapleyExplainer(model).fit(np.zeros((1, 4)))
    w = model.coef_
    E = np.random.RandomState(1).uniform(-0.1, 0.1, size=(2, 3, 4))
    phi0 = w * X[:2]
    for norm in ("fro", 1, np.inf, 0.5):
        ord_ = 2 if norm == "fro" else norm
        want = np.linalg.norm(w * E, ord=ord_, axis=2).max(axis=1) / np.linalg.norm(phi0, ord=ord_, axis=1)
        assert_allclose(max_sensitivity(ex, X[:2], perturbations=E, norm=norm), want, rtol=1e-9)


@pytest.mark.parametrize("normalize", ["no", 0, None])
def test_sensitivity_refuses_a_normalize_that_is_not_a_bool(linear_case, normalize):
    # normalize="no" was truthy: divided by ||phi(x)|| as if True (infidelity refuses it)
    X, model = linear_case
    ex = ExactShapleyExplainer(model).fit(X)
    with pytest.raises(ValueError, match="normalize must be True or False"):
        avg_sensitivity(ex, X[:2], normalize=normalize)


# ---------------------------------------------------------------- degenerate infidelity
def test_infidelity_is_not_perfect_for_a_random_map_by_default(linear_case):
    # the reference: with 50 subsets a random map is far from exact Shapley values
    X, model = linear_case
    rand = RandomExplainer(model, random_state=0).fit(X)
    assert infidelity(rand, X[:3]).min() > 1e-3


@pytest.mark.parametrize(
    "kwargs",
    [
        {"n_perturbations": 1},
        {"subset_size": 4},
        {"perturbation": "gaussian", "n_perturbations": 1},
    ],
)
def test_normalized_infidelity_refuses_settings_where_every_map_scores_zero(linear_case, kwargs):
    # One perturbation, or every subset removing all units, leaves one attributed mass per
    # sample: the optimal scale beta fits it exactly and a random map scored 0.0 (perfect),
    # as the exact Shapley values do, so a search on infidelity picked at random.
    X, model = linear_case
    rand = RandomExplainer(model, random_state=0).fit(X)
    with pytest.raises(ValueError, match="infidelity is undefined"):
        infidelity(rand, X[:3], **kwargs)
    scorer = make_explanation_scorer("infidelity", **kwargs)
    with pytest.raises(ValueError, match="infidelity is undefined"):
        scorer(rand, X[:3])


def test_infidelity_refuses_a_single_unit_under_normalize():
    # a one-feature table: every subset is that feature; with normalize the figure is 0 for
    # every map, so it is refused; without normalize it is the squared completeness gap
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 1))
    model = LinearRegression().fit(X, 2 * X[:, 0])
    ex = ExactShapleyExplainer(model).fit(X)
    with pytest.raises(ValueError, match="infidelity is undefined"):
        infidelity(ex, X[:3])
    phi = np.array([[1.0], [0.0], [-1.0]])
    drop = 2 * (X[:3, 0] - X[:, 0].mean())
    assert_allclose(infidelity(ex, X[:3], attributions=phi, normalize=False), (phi[:, 0] - drop) ** 2, rtol=1e-9)


def test_infidelity_unnormalized_single_perturbation_still_works():
    # f = (1, 2, 3, 4) . x on a 1x2x2 image of ones, attributions all 1, every pixel removed to
    # zeros: (4 - 10)^2 whatever the number of perturbations (no optimal scale to overfit)
    ex = linear_explainer(np.array([1.0, 2.0, 3.0, 4.0]), (1, 2, 2))
    X = np.ones((1, 1, 2, 2))
    got = infidelity(
        ex, X, attributions=np.ones_like(X), perturbation="subset", normalize=False, n_perturbations=1, subset_size=4
    )
    assert_allclose(got, [36.0])


def test_normalized_gaussian_infidelity_refuses_one_attribution_per_sample():
    # f = sin(x) on one feature: I . phi = phi * I, and the optimal scale absorbs phi, so phi = 1,
    # phi = -7 and phi = cos(x) (the gradient) all scored the same; a SmoothGrad search on
    # sigma tied everywhere. Unnormalised, the gradient wins, as the closed form says.
    from skxai import ConstantExplainer

    def f(A):
        return np.sin(np.asarray(A, dtype=float)[:, 0])

    X = np.linspace(-1.0, 1.0, 5)[:, None]
    ex = ConstantExplainer(f).fit(X)
    for phi in (np.ones((5, 1)), -7 * np.ones((5, 1)), np.cos(X)):
        with pytest.raises(ValueError, match="infidelity is undefined"):
            infidelity(ex, X, attributions=phi, perturbation="gaussian")
    P = np.random.RandomState(0).normal(0.0, 0.1, size=(5, 20, 1))
    drop = np.sin(X)[:, None, :] - np.sin(X[:, None, :] - P)
    for phi in (np.ones((5, 1)), np.cos(X)):
        want = ((P * phi[:, None, :] - drop) ** 2).mean(axis=(1, 2))
        got = infidelity(ex, X, attributions=phi, perturbations=P, normalize=False)
        assert_allclose(got, want, rtol=1e-9)
    grad = infidelity(ex, X, attributions=np.cos(X), perturbations=P, normalize=False)
    flat = infidelity(ex, X, attributions=np.ones((5, 1)), perturbations=P, normalize=False)
    assert grad.mean() < flat.mean()


def test_infidelity_refuses_explicit_perturbations_with_subset_removal(linear_case):
    # perturbation="subset" with perturbations= was silently switched to the Gaussian-type
    # perturbations: the figure was not the subset one the caller asked for
    X, model = linear_case
    ex = ExactShapleyExplainer(model).fit(X)
    P = np.random.RandomState(0).normal(size=(2, 5, 4))
    with pytest.raises(ValueError, match="perturbation='subset'"):
        infidelity(ex, X[:2], perturbation="subset", perturbations=P)
    # "auto" and "gaussian" take them: the gradient w of a linear model gives I . w = the drop
    grad = np.tile(model.coef_, (2, 1))
    for how in ("auto", "gaussian"):
        got = infidelity(ex, X[:2], attributions=grad, perturbation=how, perturbations=P, normalize=False)
        assert_allclose(got, [0.0, 0.0], atol=1e-20)
