"""skxai.metrics on tabular explainers and array models: closed forms, hand-computed curves,
calibration against the controls, reproducibility and errors."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.neural_network import MLPRegressor

from skxai import ConstantExplainer, ExactShapleyExplainer, KernelShapExplainer, RandomExplainer
from skxai.metrics import (
    average_drop_increase_gain,
    avg_sensitivity,
    completeness_gap,
    data_randomization_test,
    deletion_auc,
    deletion_curve,
    faithfulness_correlation,
    infidelity,
    insertion_auc,
    insertion_curve,
    max_sensitivity,
    model_randomization_test,
    sparseness,
    spearman_similarity,
    ssim_similarity,
)
from skxai.metrics._view import resize_bilinear

W3 = np.array([1.0, 2.0, 3.0])


@pytest.fixture(scope="module")
def tiny():
    """f(x) = x . [1, 2, 3], background one row of zeros, explained at x = 1."""
    X = np.array([[0.0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]])
    model = LinearRegression().fit(X, X @ W3)
    return ExactShapleyExplainer(model).fit(np.zeros((1, 3))), np.ones((1, 3))


@pytest.fixture(scope="module")
def linear():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 6))
    coef = np.array([3.0, -2.0, 1.5, 1.0, -0.5, 0.25])
    model = LinearRegression().fit(X, X @ coef)
    shap = ExactShapleyExplainer(model, max_background=30, random_state=0).fit(X)
    rand = RandomExplainer(model, max_background=30, random_state=0).fit(X)
    return shap, rand, X[:25]


class SumModel:
    """f(x) = sum(w * x) over an image (n, 1, 2, 2) (a callable, as metrics accept)."""

    w = np.array([[1.0, 2.0], [3.0, 4.0]])

    def __call__(self, A):
        return (A[:, 0] * self.w).sum(axis=(1, 2))


# ----------------------------------------------------------------------------- hand-computed AUCs
def test_deletion_insertion_hand_computed_tabular(tiny):
    ex, x = tiny
    curve, frac = deletion_curve(ex, x)
    assert_allclose(curve, [[6, 3, 1, 0]], atol=1e-12)
    assert_allclose(frac, [0, 1 / 3, 2 / 3, 1])
    assert_allclose(deletion_auc(ex, x), [(4.5 + 2 + 0.5) / 3])
    curve, _ = insertion_curve(ex, x)
    assert_allclose(curve, [[0, 3, 5, 6]], atol=1e-12)
    assert_allclose(insertion_auc(ex, x), [(1.5 + 4 + 5.5) / 3])
    # two steps: cuts at round(0, 1.5, 3) = 0, 2, 3 units removed, at fractions 0, 2/3, 1 (the
    # trapezoid over the fraction removed: even weights gave (6 + 1) / 4 + (1 + 0) / 4 = 2.0)
    assert_allclose(deletion_auc(ex, x, n_steps=2), [(6 + 1) / 2 * (2 / 3) + (1 + 0) / 2 * (1 / 3)])
    assert_allclose(deletion_auc(ex, x, n_steps=1), [3.0])
    # reversed attributions remove the least important first: larger area
    worse = deletion_auc(ex, x, attributions=np.array([[3.0, 2.0, 1.0]]))
    assert_allclose(worse, [((6 + 5) / 2 + (5 + 3) / 2 + 3 / 2) / 3])


def test_deletion_hand_computed_image_pixels_and_patches():
    X = np.ones((1, 1, 2, 2))
    ex = ConstantExplainer(SumModel()).fit(X)
    phi = SumModel.w[None, None] * X  # gradient x input of a linear model
    # pixels removed in order 4, 3, 2, 1: outputs 10, 6, 3, 1, 0
    assert_allclose(deletion_auc(ex, X, attributions=phi), [(16 + 9 + 4 + 1) / 8])
    # rows as patches: bottom row (7) first, then top (3): outputs 10, 3, 0
    assert_allclose(deletion_auc(ex, X, attributions=phi, patch_size=(1, 2)), [(13 + 3) / 4])
    # insertion towards an explicit baseline of 0.5 everywhere: 5, 7, 8.5, 9.5, 10
    base = np.full_like(X, 0.5)
    assert_allclose(insertion_auc(ex, X, attributions=phi, baseline=base),
                    [(12 + 15.5 + 18 + 19.5) / 8])
    # a (n, H, W) heatmap is used per pixel over the channels
    assert_allclose(deletion_auc(ex, X, attributions=phi[:, 0]), [30 / 8])


def test_blur_baseline_and_patch_count():
    X = np.random.RandomState(0).uniform(size=(2, 3, 8, 8))
    ex = ConstantExplainer(lambda A: A.reshape(len(A), -1).mean(axis=1)).fit(X)
    curve, frac = insertion_curve(ex, X, patch_size=4)  # 4 patches of 4 x 4
    assert curve.shape == (2, 5)
    from scipy.ndimage import gaussian_filter

    blurred = np.stack([gaussian_filter(x, sigma=(0, 5, 5), mode="nearest") for x in X])
    assert_allclose(curve[:, 0], blurred.reshape(2, -1).mean(axis=1))
    assert_allclose(curve[:, -1], X.reshape(2, -1).mean(axis=1))


def test_resize_bilinear_matches_torch():
    torch = pytest.importorskip("torch")
    maps = np.random.RandomState(0).normal(size=(3, 4, 5))
    ref = torch.nn.functional.interpolate(torch.as_tensor(maps)[:, None], size=(9, 13),
                                          mode="bilinear", align_corners=False)[:, 0].numpy()
    assert_allclose(resize_bilinear(maps, (9, 13)), ref, atol=1e-12)


# ----------------------------------------------------------------------------- calibration
def test_shapley_beats_random_control_on_linear_model(linear):
    shap, rand, X = linear
    assert deletion_auc(shap, X).mean() < deletion_auc(rand, X).mean()
    assert insertion_auc(shap, X).mean() > insertion_auc(rand, X).mean()
    inf_s, inf_r = infidelity(shap, X), infidelity(rand, X)
    assert inf_s.max() < 1e-18 < inf_r.min()
    fc_s, fc_r = faithfulness_correlation(shap, X), faithfulness_correlation(rand, X)
    assert_allclose(fc_s, 1.0, atol=1e-12)
    assert fc_r.mean() < 0.6
    assert_allclose(completeness_gap(shap, X), 0.0, atol=1e-10)
    assert completeness_gap(rand, X).min() > 1e-3


def test_deletion_is_optimal_for_exact_shapley_of_linear_model(linear):
    """On an additive model removing the largest contributions first is the best order."""
    shap, _, X = linear
    phi = shap.transform(X)
    ours = deletion_auc(shap, X, attributions=phi)
    rng = np.random.RandomState(1)
    for _ in range(5):
        perm = np.stack([rng.permutation(6) for _ in range(len(X))])
        other = deletion_auc(shap, X, attributions=np.take_along_axis(phi, perm, axis=1))
        assert np.all(ours <= other + 1e-12)


def test_constant_map_has_perfect_sensitivity(linear):
    shap, _, X = linear
    const = ConstantExplainer(shap.estimator_).fit(X)
    assert_allclose(max_sensitivity(const, X), 0.0)
    assert_allclose(avg_sensitivity(const, X), 0.0)
    assert max_sensitivity(shap, X).min() > 0
    assert_allclose(sparseness(const, X), 0.0)
    assert_allclose(faithfulness_correlation(const, X), 0.0)


def test_sensitivity_closed_form_for_linear_shapley(linear):
    """phi(x) = w (x - mu): a perturbation e moves it by w e exactly."""
    shap, _, X = linear
    X = X[:4]
    w = shap.estimator_.coef_
    E = np.random.RandomState(3).uniform(-0.1, 0.1, size=(4, 7, 6))
    phi = shap.transform(X)
    expected = np.linalg.norm(E * w, axis=2) / np.linalg.norm(phi, axis=1)[:, None]
    assert_allclose(max_sensitivity(shap, X, perturbations=E), expected.max(axis=1))
    assert_allclose(avg_sensitivity(shap, X, perturbations=E), expected.mean(axis=1))
    un = max_sensitivity(shap, X, perturbations=E, normalize=False, norm=np.inf)
    assert_allclose(un, np.abs(E * w).max(axis=2).max(axis=1))


def test_infidelity_closed_form_gaussian_tabular(linear):
    """Unnormalised, with phi = w: I . w equals the drop, so infidelity is 0; with phi = 2w the
    error is (I . w)^2; normalising rescales 2w back to w."""
    shap, _, X = linear
    X = X[:3]
    w = shap.estimator_.coef_
    E = np.random.RandomState(0).normal(size=(3, 5, 6))
    grads = np.tile(w, (3, 1))
    kw = dict(perturbations=E, normalize=False)
    assert_allclose(infidelity(shap, X, attributions=grads, **kw), 0.0, atol=1e-20)
    expected = ((E @ w) ** 2).mean(axis=1)
    assert_allclose(infidelity(shap, X, attributions=2 * grads, **kw), expected)
    assert_allclose(infidelity(shap, X, attributions=2 * grads, perturbations=E), 0.0,
                    atol=1e-20)


def test_metric_reproducible_for_any_n_jobs_and_batch(linear):
    _, rand, X = linear
    X = X[:9]
    from joblib import parallel_config

    ref = faithfulness_correlation(rand, X, random_state=3)
    with parallel_config(backend="threading"):  # process start-up would dominate the test
        par = faithfulness_correlation(rand, X, random_state=3, n_jobs=2, batch_size=64)
        inf_par = infidelity(rand, X, random_state=3, n_jobs=2, batch_size=64)
    assert_allclose(par, ref)
    assert_allclose(inf_par, infidelity(rand, X, random_state=3))
    assert not np.allclose(faithfulness_correlation(rand, X, random_state=4), ref)


def test_kernel_shap_on_classifier_with_predicted_target():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(80, 4))
    y = (X[:, 0] + X[:, 1] > 0).astype(int) + (X[:, 2] > 1)
    clf = LogisticRegression(max_iter=500).fit(X, y)
    ex = KernelShapExplainer(clf, n_samples=64, max_background=20, random_state=0).fit(X)
    res = average_drop_increase_gain(ex, X[:10])
    assert res.drop.shape == (10,)
    assert np.all((res.drop >= 0) & (res.drop <= 1) & (res.gain >= 0) & (res.gain <= 1))
    assert deletion_auc(ex, X[:10]).shape == (10,)


# ----------------------------------------------------------------------------- drop / gain
def test_average_drop_increase_gain_hand_computed():
    """One pixel map on f = sigmoid(sum w x): M = [0, 1/3; 2/3, 1] after min-max."""
    X = np.ones((1, 1, 2, 2))
    phi = np.array([[[1.0, 2.0], [3.0, 4.0]]])

    def model(A):
        return (A[:, 0] * SumModel.w).sum(axis=(1, 2)) - 8.0

    ex = ConstantExplainer(model).fit(X)
    res = average_drop_increase_gain(ex, X, attributions=phi)  # single logit -> sigmoid
    z_full = 10 - 8.0
    z_mask = (0 * 1 + 2 * 1 / 3 + 3 * 2 / 3 + 4 * 1) - 8.0
    Y, O = 1 / (1 + np.exp(-z_full)), 1 / (1 + np.exp(-z_mask))
    assert_allclose(res.drop, [(Y - O) / Y])
    assert_allclose(res.increase, [0.0])
    assert_allclose(res.gain, [0.0])
    summary = res.summary()
    assert_allclose(summary["average_drop"], 100 * (Y - O) / Y)
    # inverted map on a model that prefers dark pixels: confidence rises
    res = average_drop_increase_gain(ConstantExplainer(lambda A: -model(A)).fit(X), X,
                                     attributions=phi)
    assert_allclose(res.increase, [1.0])
    # sigmoid(-z) = 1 - sigmoid(z): Y' = 1 - Y, O' = 1 - O > Y'
    assert_allclose(res.gain, [(Y - O) / Y])
    assert_allclose(res.drop, [0.0])


# ----------------------------------------------------------------------------- complexity, similarity
def test_sparseness_gini():
    A = np.array([[1.0, 1, 1, 1], [0, 0, 0, 5], [0, 0, 0, 0], [-1, 0, 0, 1]])
    assert_allclose(sparseness(None, None, attributions=A), [0.0, 0.75, 0.0, 0.5])
    # the mean-absolute-difference form of the Gini index, by brute force
    B = np.random.RandomState(0).normal(size=(3, 2, 5, 5))
    flat = np.abs(B.reshape(3, -1))
    ref = [np.abs(a[:, None] - a[None, :]).sum() / (2 * len(a) * a.sum()) for a in flat]
    assert_allclose(sparseness(None, None, attributions=B), ref)
    # Quantus' Sparseness is this formula (it adds 1e-7 to every value); the benchmark
    # benchmarks/bench_metrics.py checks the two agree and times them.


def test_spearman_and_ssim_similarity():
    rng = np.random.RandomState(0)
    A = rng.normal(size=(4, 2, 8, 8))
    assert_allclose(spearman_similarity(A, 3 * A + 1), 1.0)
    assert_allclose(spearman_similarity(A, -A), -1.0)
    assert_allclose(spearman_similarity(A, -A, absolute=True), 1.0)
    assert_allclose(spearman_similarity(np.ones((1, 5)), np.ones((1, 5))), 1.0)
    from scipy.stats import spearmanr

    B = rng.normal(size=A.shape)
    ref = [spearmanr(a.ravel(), b.ravel())[0] for a, b in zip(A, B, strict=True)]
    assert_allclose(spearman_similarity(A, B), ref)
    pytest.importorskip("skimage")
    assert_allclose(ssim_similarity(A, A), 1.0)
    assert ssim_similarity(A, B).max() < 0.5


# ----------------------------------------------------------------------------- sanity checks
def test_model_randomization_on_sklearn_mlp_leaves_model_untouched():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(80, 4))
    mlp = MLPRegressor(hidden_layer_sizes=(8,), max_iter=1500, random_state=0)
    mlp.fit(X, X @ [2.0, -1.0, 0.5, 0.0])
    coefs = [c.copy() for c in mlp.coefs_]
    ex = ExactShapleyExplainer(mlp).fit(X[:20])
    report = model_randomization_test(ex, X[:10], mode="both")
    assert [r["mode"] for r in report.records] == ["cascading"] * 2 + ["independent"] * 2
    assert [r["layer"] for r in report.records] == ["layer_1", "layer_0"] * 2
    assert report.passed
    assert report.records[0]["spearman_values"].shape == (10,)
    for a, b in zip(coefs, mlp.coefs_, strict=True):
        assert np.array_equal(a, b)
    assert "layer_1" in repr(report)
    with pytest.raises(ValueError, match="Unknown layer"):
        model_randomization_test(ex, X[:3], layers=["conv9"])


def test_randomization_controls_fail(linear):
    shap, _, X = linear
    const = ConstantExplainer(shap.estimator_).fit(X)
    report = data_randomization_test(const, X[:10], X_train=X, y_train=X[:, 0])
    assert not report.passed and report.min_similarity == 1.0


def test_data_randomization_test_logistic():
    from sklearn.datasets import load_breast_cancer

    X, y = load_breast_cancer(return_X_y=True)
    X = (X[:, :6] - X[:, :6].mean(0)) / X[:, :6].std(0)
    model = LogisticRegression().fit(X, y)
    ex = ExactShapleyExplainer(model, max_background=20, random_state=0).fit(X)
    report = data_randomization_test(ex, X[:20], X_train=X, y_train=y)
    assert report.passed and report["test"] == "data"
    assert report.to_frame().shape[0] == 1


# ----------------------------------------------------------------------------- errors
def test_clear_errors(tiny, linear):
    ex, x = tiny
    shap, _, X = linear
    with pytest.raises(ValueError, match="n_steps=5 exceeds"):
        deletion_auc(ex, x, n_steps=5)
    with pytest.raises(ValueError, match="attributions have shape"):
        deletion_auc(ex, x, attributions=np.ones((1, 4)))
    with pytest.raises(ValueError, match="NaN"):
        infidelity(shap, np.full((2, 6), np.nan))
    with pytest.raises(ValueError, match="6 features"):
        faithfulness_correlation(shap, np.ones((2, 5)))
    with pytest.raises(ValueError, match="subset_size"):
        faithfulness_correlation(shap, X[:2], subset_size=7)
    with pytest.raises(ValueError, match="perturbation="):
        infidelity(shap, X[:2], perturbation="salt")
    Xi = np.ones((1, 1, 2, 2))
    img = ConstantExplainer(SumModel()).fit(Xi)
    with pytest.raises(ValueError, match="baseline="):
        deletion_auc(img, Xi, baseline="grey")
    with pytest.raises(ValueError, match="does not broadcast"):
        deletion_auc(img, Xi, baseline=np.zeros(3))
    with pytest.raises(ValueError, match="noise_scale"):
        infidelity(img, Xi, noise_scale=-1)


class CountingModel:
    """A linear image model that records the rows of every call."""

    def __init__(self):
        self.calls = []

    def __call__(self, A):
        self.calls.append(len(A))
        return A.reshape(len(A), -1).sum(axis=1)


def test_model_calls_are_bounded_by_batch_size():
    X = np.random.RandomState(0).uniform(size=(5, 1, 4, 4))
    model = CountingModel()
    ex = RandomExplainer(model, random_state=0).fit(X)
    model.calls.clear()
    deletion_auc(ex, X, batch_size=7)
    faithfulness_correlation(ex, X, n_subsets=9, batch_size=7)
    infidelity(ex, X, n_perturbations=4, batch_size=7)
    assert max(model.calls) <= 7
    # and many perturbations of several samples go together in one call
    model.calls.clear()
    deletion_auc(ex, X, batch_size=4096)
    assert len(model.calls) <= 3


def test_tabular_metrics_on_mixed_dataframe_pipeline():
    pd = pytest.importorskip("pandas")
    from sklearn.compose import make_column_transformer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder

    rng = np.random.RandomState(0)
    df = pd.DataFrame({"a": rng.normal(size=80), "b": rng.normal(size=80),
                       "colour": rng.choice(["red", "green", "blue"], size=80)})
    y = df["a"] * 2 - df["b"] + (df["colour"] == "red") * 3.0
    model = make_pipeline(
        make_column_transformer((OneHotEncoder(), ["colour"]), remainder="passthrough"),
        LinearRegression(),
    ).fit(df, y)
    ex = ExactShapleyExplainer(model, max_background=20, random_state=0).fit(df)
    assert_allclose(faithfulness_correlation(ex, df.iloc[:6]), 1.0, atol=1e-10)
    assert infidelity(ex, df.iloc[:6]).max() < 1e-20
    assert deletion_auc(ex, df.iloc[:6]).shape == (6,)
    assert_allclose(completeness_gap(ex, df.iloc[:6]), 0.0, atol=1e-10)
    with pytest.raises(ValueError, match="numeric"):
        infidelity(ex, df.iloc[:6], perturbation="gaussian")
    with pytest.raises(ValueError, match="numeric"):
        max_sensitivity(ex, df.iloc[:6])


def test_ssim_similarity_uses_every_channel_against_skimage_by_hand():
    """Issue 17: SSIM computed on one channel passed every test. Reference by hand: absolute
    attributions summed over the channels, scaled to [0, 1] per sample, scikit-image SSIM."""
    skimage_metrics = pytest.importorskip("skimage.metrics")
    from skxai.metrics import ssim_similarity

    rng = np.random.RandomState(0)
    A = rng.normal(size=(3, 3, 12, 12))
    B = A.copy()
    B[:, 1:] = rng.normal(size=(3, 2, 12, 12))  # channel 0 identical, the others not

    def by_hand(a, b):
        ma, mb = np.abs(a).sum(axis=0), np.abs(b).sum(axis=0)
        ma = (ma - ma.min()) / (ma.max() - ma.min())
        mb = (mb - mb.min()) / (mb.max() - mb.min())
        return skimage_metrics.structural_similarity(ma, mb, data_range=1.0, win_size=7)

    expected = [by_hand(a, b) for a, b in zip(A, B, strict=True)]
    got = ssim_similarity(A, B)
    assert_allclose(got, expected, rtol=1e-12)
    assert (got < 0.9).all()  # a one-channel SSIM would give 1.0 here


@pytest.mark.parametrize(
    "metric, kwargs, match",
    [
        ("deletion_auc", {"n_steps": 0}, "n_steps"),
        ("deletion_auc", {"channel_reduction": "x"}, "channel_reduction"),
        ("deletion_auc", {"batch_size": -1}, "batch_size"),
        ("deletion_auc", {"n_jobs": "x"}, "n_jobs"),
        ("insertion_auc", {"baseline": "bogus"}, "baseline='bogus'"),
        ("faithfulness_correlation", {"n_subsets": 0}, "n_subsets"),
        ("faithfulness_correlation", {"subset_size": 10}, "subset_size"),
        ("infidelity", {"perturbation": "x"}, "perturbation"),
        ("infidelity", {"normalize": "yes"}, "normalize"),
        ("max_sensitivity", {"radius": -1}, "radius"),
        ("max_sensitivity", {"norm": "x"}, "norm"),
    ],
)
def test_bad_metric_parameters_are_named(metric, kwargs, match):
    import skxai.metrics

    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 3))
    ex = ExactShapleyExplainer(LinearRegression().fit(X, X @ [1.0, 2.0, 3.0])).fit(X)
    with pytest.raises(ValueError, match=match):
        getattr(skxai.metrics, metric)(ex, X[:4], **kwargs)


def test_auc_is_the_trapezoid_over_the_fraction_removed():
    # Petsiuk et al.'s x axis: with n_steps not dividing the units the steps differ in width,
    # and weighing them evenly gave 6.125 where the curve's area is 5.6 (an outside audit)
    w = np.array([5.0, 4.0, 3.0, 2.0, 1.0])
    X = np.ones((1, 5))
    ex = ExactShapleyExplainer(LinearRegression().fit(np.r_[np.zeros((1, 5)), np.eye(5)], np.r_[0.0, w])).fit(
        np.zeros((1, 5))
    )
    curve, frac = deletion_curve(ex, X, n_steps=4)
    assert_allclose(frac, [0, 0.2, 0.4, 0.8, 1])
    assert_allclose(curve, [[15, 10, 6, 1, 0]], atol=1e-9)
    assert_allclose(deletion_auc(ex, X, n_steps=4), [np.trapezoid(curve[0], frac)])
    assert_allclose(deletion_auc(ex, X, n_steps=4), [5.6], atol=1e-9)
