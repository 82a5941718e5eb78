"""Tests written against the surviving mutants of infidelity, sensitivity and the randomisation checks (issue 17).

Every reference is a closed form or a hand-worked number, never a figure of the code under test.
"""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.base import BaseEstimator
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LinearRegression

from skxai import ExactShapleyExplainer
from skxai.metrics import avg_sensitivity, infidelity, max_sensitivity
from skxai.metrics._infidelity import infidelity_from_terms
from tests.metrics._linear import linear_explainer


def test_infidelity_from_terms_hand_worked():
    # a = (1, 2), b = (2, 4): beta = 10 / 5 = 2 fits exactly; unnormalised ((1-2)^2 + (2-4)^2) / 2 = 2.5
    a, b = np.array([[1.0, 2.0]]), np.array([[2.0, 4.0]])
    assert_allclose(infidelity_from_terms(a, b, normalize=True), [0.0], atol=1e-30)
    assert_allclose(infidelity_from_terms(a, b, normalize=False), [2.5])


# ----------------------------------------------------------------------------- sensitivity
class SquareExplainer(BaseEstimator):
    """phi(x) = x ** 2 elementwise: a fitted non-tabular explainer with a closed form.

    Records the rows of every ``transform`` call.
    """

    def __init__(self, batch_size=None):
        self.batch_size = batch_size
        self.calls = []

    def fit(self, X=None, y=None):
        self.fitted_ = True
        return self

    def transform(self, X):
        X = np.asarray(X, dtype=np.float64)
        self.calls.append(len(X))
        return X**2


def test_sensitivity_hand_worked_square_explainer():
    # x = (1, 2): phi = (1, 4), ||phi|| = sqrt(17). e1 = (0.5, 0): phi = (2.25, 4), change 1.25;
    # e2 = (0, -1): phi = (1, 1), change 3 (every norm: one non-zero entry each)
    ex = SquareExplainer().fit()
    X = np.array([[1.0, 2.0]])
    E = np.array([[[0.5, 0.0], [0.0, -1.0]]])
    assert_allclose(max_sensitivity(ex, X, perturbations=E), [3 / np.sqrt(17)])
    assert_allclose(avg_sensitivity(ex, X, perturbations=E), [2.125 / np.sqrt(17)])
    assert_allclose(max_sensitivity(ex, X, perturbations=E, normalize=False), [3.0])
    # ord 1 / inf of phi(x) = (1, 4): 5 and 4
    assert_allclose(max_sensitivity(ex, X, perturbations=E, norm=1), [3 / 5])
    assert_allclose(avg_sensitivity(ex, X, perturbations=E, norm=np.inf), [2.125 / 4])
    # two entries moved at once: e = (1, 1) -> phi = (4, 9), change (3, 5): 2-norm sqrt(34), 1-norm 8
    E2 = np.array([[[1.0, 1.0]]])
    assert_allclose(max_sensitivity(ex, X, perturbations=E2, normalize=False), [np.sqrt(34)])
    assert_allclose(max_sensitivity(ex, X, perturbations=E2, normalize=False, norm=2), [np.sqrt(34)])
    assert_allclose(max_sensitivity(ex, X, perturbations=E2, normalize=False, norm=1), [8.0])


def test_sensitivity_of_a_zero_explanation_is_divided_by_one():
    # x = 0: phi(x) = 0, so the change (1, 4) of e = (1, 2) is divided by 1: sqrt(17)
    ex = SquareExplainer().fit()
    X = np.zeros((1, 2))
    E = np.array([[[1.0, 2.0]]])
    assert_allclose(max_sensitivity(ex, X, perturbations=E), [np.sqrt(17)])
    assert_allclose(max_sensitivity(ex, X, perturbations=E, norm=1), [5.0])


def test_sensitivity_of_images_is_per_sample():
    # two 1x2x2 images, one perturbation each: sample 0 at 0 moved by 1 in one pixel (change 1,
    # divided by 1), sample 1 at 1 everywhere moved by 1 in every pixel (change 3 per pixel:
    # 2-norm 6, divided by ||phi|| = 2)
    ex = SquareExplainer().fit()
    X = np.stack([np.zeros((1, 2, 2)), np.ones((1, 2, 2))])
    E = np.zeros((2, 1, 1, 2, 2))
    E[0, 0, 0, 0, 0] = 1.0
    E[1] = 1.0
    assert_allclose(max_sensitivity(ex, X, perturbations=E), [1.0, 3.0])
    assert_allclose(max_sensitivity(ex, X, perturbations=E, normalize=False, norm=1), [1.0, 12.0])


def test_sensitivity_noise_is_uniform_on_minus_radius_radius():
    # x = 1, phi = x^2: the change |2e + e^2| has mean r (not r + r^2/3 as for e in [0, r]) and
    # sup 2r + r^2 for e uniform on [-r, r]; r = 0.5: mean 0.5, sup 1.25
    ex = SquareExplainer().fit()
    X = np.ones((1, 1))
    s = avg_sensitivity(ex, X, radius=0.5, n_perturbations=20000, random_state=0)
    assert abs(s[0] - 0.5) < 0.015  # standard error 0.002
    top = max_sensitivity(ex, X, radius=0.5, n_perturbations=20000, random_state=0)
    assert 1.2 < top[0] <= 1.25
    # the seed matters, and is used: another seed, other draws
    s1 = avg_sensitivity(ex, np.ones((3, 1)), radius=0.5, n_perturbations=5, random_state=1)
    s2 = avg_sensitivity(ex, np.ones((3, 1)), radius=0.5, n_perturbations=5, random_state=2)
    assert not np.allclose(s1, s2)
    # one seed per sample: equal samples get different draws
    assert len(np.unique(s1)) == 3


def test_sensitivity_transform_calls_follow_batch_size():
    # 5 samples x 4 perturbations, 8 rows per call: 2 samples per call (8, 8, 4) after phi(X) (5 rows)
    X = np.ones((5, 2))
    ex = SquareExplainer(batch_size=8).fit()
    max_sensitivity(ex, X, n_perturbations=4)
    assert ex.calls == [5, 8, 8, 4]
    ex = SquareExplainer(batch_size=4096).fit()
    max_sensitivity(ex, X, n_perturbations=4, batch_size=8)  # the argument over the explainer's
    assert ex.calls == [5, 8, 8, 4]
    ex = SquareExplainer().fit()  # neither: the default 4096, one call
    max_sensitivity(ex, X, n_perturbations=4)
    assert ex.calls == [5, 20]


def test_sensitivity_errors_name_the_problem():
    ex = SquareExplainer().fit()
    X = np.ones((2, 2))
    with pytest.raises(ValueError, match=r"attributions hold 3 samples but X holds 2"):
        max_sensitivity(ex, X, attributions=np.ones((3, 2)))
    with pytest.raises(ValueError, match=r"norm='x'; use 'fro' or a number"):
        max_sensitivity(ex, X, norm="x")
    with pytest.raises(ValueError, match=r"norm='nuc'"):  # a matrix norm: not for flattened vectors
        max_sensitivity(ex, X, norm="nuc")
    with pytest.raises(ValueError, match=r"perturbations have shape \(2, 3, 3\); expected"):
        max_sensitivity(ex, X, perturbations=np.zeros((2, 3, 3)))
    with pytest.raises(ValueError, match=r"perturbations have shape \(1, 3, 2\)"):
        max_sensitivity(ex, X, perturbations=np.zeros((1, 3, 2)))
    with pytest.raises(ValueError, match=r"perturbations have shape \(2, 3\)"):
        max_sensitivity(ex, X, perturbations=np.zeros((2, 3)))
    for bad in (0, 0.0, -0.1, "x"):
        with pytest.raises(ValueError, match="radius must be a positive number"):
            max_sensitivity(ex, X, radius=bad)
    with pytest.raises(ValueError, match="n_perturbations must be a positive integer"):
        avg_sensitivity(ex, X, n_perturbations=0)
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        avg_sensitivity(ex, X, batch_size=-2)
    with pytest.raises(ValueError, match=r"^X contains NaN or infinity; metrics need finite inputs\.$"):
        avg_sensitivity(ex, np.array([[1.0, np.nan]]))
    with pytest.raises(NotFittedError):
        avg_sensitivity(SquareExplainer(), X)


# ----------------------------------------------------------------------------- infidelity
def test_infidelity_from_terms_normalises_by_default_and_a_zero_row_gets_beta_zero():
    a, b = np.array([[1.0, 2.0]]), np.array([[2.0, 4.0]])
    assert_allclose(infidelity_from_terms(a, b), [0.0], atol=1e-30)  # default: the optimal scale 2
    # a = 0: beta = sum(ab) = 0 (not 0 / 0), so the error is the mean of b^2 = (9 + 16) / 2
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = infidelity_from_terms(np.zeros((2, 2)), np.array([[3.0, 4.0], [1.0, 1.0]]))
    assert_allclose(got, [12.5, 1.0])
    # aa = 1 is divided like any other: a = (1, 0), b = (3, 1): beta 3, error (0 + 1) / 2
    assert_allclose(infidelity_from_terms(np.array([[1.0, 0.0]]), np.array([[3.0, 1.0]])), [0.5])
    # three perturbations, two rows: the mean is over axis 1 (3 terms)
    a3 = np.array([[1.0, 1.0, 1.0], [1.0, 0.0, 0.0]])
    b3 = np.array([[0.0, 0.0, 3.0], [0.0, 3.0, 0.0]])
    assert_allclose(infidelity_from_terms(a3, b3, normalize=False), [(1 + 1 + 4) / 3, (1 + 9) / 3])
    # normalised: beta = 1 and 0: (1 + 1 + 4) / 3 and 9 / 3
    assert_allclose(infidelity_from_terms(a3, b3), [2.0, 3.0])


def test_infidelity_subset_hand_worked_and_normalize_passed_on():
    # f = x . (1, 2, 3) at x = 1, background zeros: removing all 3 units drops 6; phi = 2 w puts 12
    # on them: unnormalised (12 - 6)^2 = 36; normalised, beta = 1/2 fits the one mass exactly (0
    # for every map), which is refused (audit 4): the default normalize=True reaches the check
    X = np.array([[0.0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]])
    model = LinearRegression().fit(X, X @ [1.0, 2.0, 3.0])
    ex = ExactShapleyExplainer(model).fit(np.zeros((1, 3)))
    x = np.ones((1, 3))
    phi = 2 * np.array([[1.0, 2.0, 3.0]])
    kw = dict(attributions=phi, subset_size=3, n_perturbations=4)
    assert_allclose(infidelity(ex, x, normalize=False, **kw), [36.0])
    with pytest.raises(ValueError, match="infidelity is undefined with normalize=True"):
        infidelity(ex, x, **kw)
    assert_allclose(infidelity(ex, x, normalize=np.bool_(False), **kw), [36.0])  # numpy booleans too
    # the default for a tabular explainer is "subset" (a Gaussian draw would not give 36)
    assert_allclose(infidelity(ex, x, normalize=False, attributions=phi, subset_size=3), [36.0])
    # one unit of the three: (2 w_j - w_j)^2 = w_j^2, every draw one of 1, 4, 9
    one = infidelity(ex, x, normalize=False, attributions=phi, subset_size=1, n_perturbations=1)
    assert np.isclose(one[0], [1.0, 4.0, 9.0]).any()


def test_infidelity_subset_units_patches_baseline_and_channels():
    # f = (1, 2, 3, 4) . x on a 1x2x2 image of ones, attributions all 1, every unit removed to the
    # baseline: pixels (default patch 1): attributed 4, drop 10 - 10 b
    w = np.array([1.0, 2.0, 3.0, 4.0])
    ex = linear_explainer(w, (1, 2, 2))
    X = np.ones((1, 1, 2, 2))
    ones = np.ones_like(X)
    kw = dict(attributions=ones, perturbation="subset", normalize=False, n_perturbations=3)
    assert_allclose(infidelity(ex, X, subset_size=4, **kw), [(4 - 10) ** 2])
    assert_allclose(infidelity(ex, X, subset_size=4, baseline=0.5, **kw), [(4 - 5) ** 2])
    # default half of the units: 2 pixels of 4 (attributed 2, drop w_i + w_j in 3..7), never one
    # 2x2 patch (attributed 4, drop 10)
    got = infidelity(ex, X, **kw)[0]
    assert 1.0 <= got <= 25.0
    assert_allclose(infidelity(ex, X, patch_size=2, **kw), [36.0])
    # channels reduced as asked: channel 0 attributions 1, channel 1 attributions -3 on a 2-channel
    # image whose model reads channel 0 only
    ex2 = linear_explainer(np.concatenate([w, np.zeros(4)]), (2, 2, 2))
    X2 = np.ones((1, 2, 2, 2))
    A2 = np.concatenate([np.ones((1, 1, 2, 2)), -3 * np.ones((1, 1, 2, 2))], axis=1)
    kw2 = dict(attributions=A2, perturbation="subset", normalize=False, subset_size=4, n_perturbations=2)
    assert_allclose(infidelity(ex2, X2, **kw2), [(-8 - 10) ** 2])  # sum: 4 (1 - 3) = -8
    assert_allclose(infidelity(ex2, X2, channel_reduction="abs_sum", **kw2), [(16 - 10) ** 2])
    assert_allclose(infidelity(ex2, X2, channel_reduction="max_abs", **kw2), [(12 - 10) ** 2])


def test_infidelity_blur_baseline_width():
    from scipy.ndimage import gaussian_filter1d

    # every unit of a signal removed to its blur, attributions 0: the error is the drop squared
    w = np.array([1.0, -2.0, 3.0, 0.5, 2.0, -1.0, 4.0, 1.5])
    ex = linear_explainer(w, (1, 8))
    X = np.array([[[0.0, 3.0, 9.0, -2.0, 1.0, 0.0, 4.0, 6.0]]])
    kw = dict(attributions=np.zeros_like(X), perturbation="subset", normalize=False, subset_size=8,
              baseline="blur", n_perturbations=2)
    for sigma, extra in [(5.0, {}), (1.0, {"blur_sigma": 1.0})]:
        drop = w @ (X[0, 0] - gaussian_filter1d(X[0, 0], sigma, mode="nearest"))
        assert_allclose(infidelity(ex, X, **kw, **extra), [drop**2], rtol=1e-10)


def test_infidelity_gaussian_defaults_noise_scale_and_count():
    # phi = 2 w, unnormalised: the error of a draw I is (2 I.w - I.w)^2 = (I.w)^2, of mean
    # s^2 |w|^2 = 0.01 * 14 for the default s = 0.1 (400 samples x 50 draws: standard error 1%)
    w = np.array([1.0, 2.0, 3.0])
    ex = linear_explainer(w, (3,))
    X = np.zeros((400, 3))
    got = infidelity(ex, X, attributions=np.tile(2 * w, (400, 1)), perturbation="gaussian", normalize=False)
    assert abs(got.mean() / 0.14 - 1) < 0.06
    got = infidelity(ex, X, attributions=np.tile(2 * w, (400, 1)), perturbation="gaussian", normalize=False,
                     noise_scale=0.5)
    assert abs(got.mean() / (0.25 * 14) - 1) < 0.06
    # the default is 50 draws per sample: f(X) (2 rows), then 2 x 50 perturbed rows in one call
    ex.estimator.rows.clear()
    infidelity(ex, X[:2], attributions=np.tile(w, (2, 1)), perturbation="gaussian")
    assert ex.estimator.rows == [2, 100]
    # the seed: default 0, another seed other draws
    A = np.tile(2 * w, (2, 1))
    d0 = infidelity(ex, X[:2], attributions=A, perturbation="gaussian", normalize=False)
    assert_allclose(d0, infidelity(ex, X[:2], attributions=A, perturbation="gaussian", normalize=False,
                                   random_state=0))
    assert not np.allclose(d0, infidelity(ex, X[:2], attributions=A, perturbation="gaussian",
                                          normalize=False, random_state=1))


def test_infidelity_errors_name_the_parameter():
    w = np.array([1.0, 2.0, 3.0])
    ex = linear_explainer(w, (3,))
    X = np.zeros((2, 3))
    A = np.ones((2, 3))
    with pytest.raises(ValueError, match=r"^normalize must be True or False, got 'yes'\.$"):
        infidelity(ex, X, attributions=A, normalize="yes")
    with pytest.raises(ValueError, match=r"^perturbation='salt'; use 'auto', 'gaussian' or 'subset'\.$"):
        infidelity(ex, X, attributions=A, perturbation="salt")
    for perturbation in ("subset", "gaussian"):
        with pytest.raises(ValueError, match=r"^n_perturbations must be a positive integer, got 0\.$"):
            infidelity(ex, X, attributions=A, perturbation=perturbation, n_perturbations=0)
    for bad in (0, 0.0, -1.0, "x"):
        with pytest.raises(ValueError, match=r"^noise_scale must be a positive number"):
            infidelity(ex, X, attributions=A, perturbation="gaussian", noise_scale=bad)
    with pytest.raises(ValueError, match=r"perturbations have shape \(2, 4, 2\); expected \(n_samples, "
                                         r"n_perturbations, \*\(3,\)\) with n_samples=2\."):
        infidelity(ex, X, attributions=A, perturbations=np.zeros((2, 4, 2)))
    with pytest.raises(ValueError, match=r"perturbations have shape \(3, 4, 3\)"):
        infidelity(ex, X, attributions=A, perturbations=np.zeros((3, 4, 3)))
    with pytest.raises(ValueError, match=r"perturbations have shape \(2, 3\)"):
        infidelity(ex, X, attributions=A, perturbations=np.zeros((2, 3)))


def _string_column_explainer():
    """A frame with a numeric and a string column, and an explainer of a pipeline fitted on it."""
    pd = pytest.importorskip("pandas")
    from sklearn.compose import make_column_transformer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder

    rng = np.random.RandomState(0)
    df = pd.DataFrame({"a": rng.normal(size=30), "c": rng.choice(["x", "y"], size=30)})
    model = make_pipeline(make_column_transformer((OneHotEncoder(), ["c"]), remainder="passthrough"),
                          LinearRegression()).fit(df, df["a"] * 2 + (df["c"] == "x"))
    return df, ExactShapleyExplainer(model, max_background=5).fit(df)


def test_infidelity_gaussian_needs_numeric_columns_one_attribution_each_and_checks_n_jobs():
    df, ex = _string_column_explainer()
    with pytest.raises(ValueError, match=r"^Gaussian perturbations need numeric features; "
                                         r"use perturbation='subset'\.$"):
        infidelity(ex, df.iloc[:2], perturbation="gaussian")
    rng = np.random.RandomState(0)
    rng.normal(size=30), rng.choice(["x", "y"], size=30)  # the draws of the frame above, as before
    X = rng.normal(size=(30, 3))
    lin = LinearRegression().fit(X, X @ [1.0, 2.0, 3.0])
    grouped = ExactShapleyExplainer(lin, feature_groups=[[0, 1], [2]], max_background=5).fit(X)
    with pytest.raises(ValueError, match=r"^Gaussian perturbations need one attribution per column; with "
                                         r"feature_groups use perturbation='subset'\.$"):
        infidelity(grouped, X[:2], perturbation="gaussian")
    # n_jobs reaches the chunk runner of both perturbations (which names a bad one)
    plain = ExactShapleyExplainer(lin, max_background=5).fit(X)
    for explainer, perturbation in ((grouped, "subset"), (plain, "gaussian")):
        with pytest.raises(ValueError, match="n_jobs must be None or a non-zero integer"):
            infidelity(explainer, X[:2], perturbation=perturbation, n_jobs="x")


# ----------------------------------------------------------------------------- randomisation checks
def test_report_verdict_is_the_lowest_finite_mean_strictly_below_the_threshold():
    from skxai.metrics._randomization import RandomizationReport

    recs = [{"mode": "cascading", "layer": "a", "spearman": 0.7, "spearman_abs": 0.1},
            {"mode": "cascading", "layer": "b", "spearman": np.nan, "spearman_abs": 0.9},
            {"mode": "cascading", "layer": "c", "spearman": 0.3, "spearman_abs": 0.95}]
    r = RandomizationReport("model", recs, "spearman", 0.5)
    assert r.min_similarity == 0.3 and r.passed is True
    assert r.test == "model" and r.records is recs and r.criterion == "spearman"
    assert RandomizationReport("model", recs, "spearman", 0.3).passed is False  # strictly below
    assert RandomizationReport("model", recs, "spearman", 0.31).passed is True
    abs_report = RandomizationReport("data", recs, "spearman_abs", 1)
    assert abs_report.min_similarity == 0.1 and abs_report.passed
    assert isinstance(abs_report.threshold, float) and abs_report.threshold == 1.0
    none = RandomizationReport("model", [{"spearman": np.nan}], "spearman", 0.5)
    assert np.isnan(none.min_similarity) and none.passed is False
    empty = RandomizationReport("model", [], "spearman", 0.5)
    assert np.isnan(empty.min_similarity) and empty.passed is False


def test_similarities_checked_and_hand_worked():
    from skxai.metrics._randomization import _check_criterion, _check_similarities, _similarities
    from skxai.metrics._similarity import ssim_available

    A2 = np.zeros((2, 3))
    assert _check_similarities("spearman", A2) == ("spearman",)
    assert _check_similarities(("spearman", "ssim"), A2) == ("spearman",)  # no SSIM of 1-D rows
    assert _check_similarities(["spearman_abs", "ssim"], np.zeros((2, 1, 1, 2, 2))) == ("spearman_abs",)
    if ssim_available():
        assert _check_similarities(("spearman", "ssim"), np.zeros((2, 4, 4))) == ("spearman", "ssim")
        assert _check_similarities(("ssim",), np.zeros((2, 1, 4, 4))) == ("ssim",)
    with pytest.raises(ValueError, match=r"^Unknown similarity \['x'\]; choose among \('spearman', "
                                         r"'spearman_abs', 'ssim'\)\.$"):
        _check_similarities(("spearman", "x"), A2)
    # rows (1, 2, 3) against (-1, -2, -3) and (3, 1, 2): ranks reversed (-1), absolute values in
    # the same order (1); ranks (3, 1, 2): 1 - 6 (4 + 1 + 1) / 24 = -0.5 for both
    A0 = np.array([[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]])
    A = np.array([[-1.0, -2.0, -3.0], [3.0, 1.0, 2.0]])
    out = _similarities(A0, A, ("spearman", "spearman_abs"))
    assert_allclose(out["spearman_values"], [-1.0, -0.5])
    assert_allclose(out["spearman_abs_values"], [1.0, -0.5])
    assert_allclose([out["spearman"], out["spearman_abs"]], [-0.75, 0.25])
    assert isinstance(out["spearman"], float)
    if ssim_available():
        B = np.random.RandomState(0).uniform(size=(2, 8, 8))
        got = _similarities(B, B, ("ssim",))
        assert_allclose(got["ssim_values"], [1.0, 1.0]) and got["ssim"] == 1.0
    with pytest.raises(ValueError, match=r"^criterion='ssim' must be one of the similarities computed "
                                         r"\('spearman',\)\.$"):
        _check_criterion("ssim", ("spearman",), 0.5)
    for bad in (np.nan, np.inf):
        with pytest.raises(ValueError, match=r"^threshold must be a finite number, got"):
            _check_criterion("spearman", ("spearman",), bad)
    _check_criterion("spearman", ("spearman",), 0.5)


def test_resolve_layers():
    from skxai.metrics._randomization import _resolve_layers

    assert _resolve_layers(["a", "b", "c"], None) == ["c", "b", "a"]  # output first
    assert _resolve_layers(["a", "b"], "a") == ["a"]
    assert _resolve_layers(["a", "b"], ("a", "b")) == ["a", "b"]
    with pytest.raises(ValueError, match=r"^Unknown layer\(s\) \['z'\]; randomisable layers are \['a', 'b'\]\.$"):
        _resolve_layers(["a", "b"], ["a", "z"])


class _Mlp:
    """An MLP-like estimator: ``coefs_`` and ``intercepts_`` as scikit-learn's MLPs hold them."""

    def __init__(self, coefs, intercepts):
        self.coefs_, self.intercepts_ = coefs, intercepts


def test_sklearn_layers_redraw_with_the_scale_they_replace():
    from skxai.metrics._randomization import _SklearnLayers

    rng = np.random.RandomState(0)
    c0, c1 = rng.normal(0, 3.0, (40, 50)), rng.normal(5.0, 0.5, (50, 2))
    mlp = _Mlp([c0.copy(), c1.copy()], [np.zeros(400), np.ones(2)])
    layers = _SklearnLayers(mlp)
    assert layers.names == ["layer_0", "layer_1"]
    layers.randomize("layer_0", 7)
    new = mlp.coefs_[0]
    assert new.shape == (40, 50) and abs(new.std() / 3.0 - 1) < 0.05 and abs(new.mean()) < 0.2
    # the intercepts are drawn with the scale of the weights (their own may be 0)
    assert mlp.intercepts_[0].shape == (400,) and abs(mlp.intercepts_[0].std() / 3.0 - 1) < 0.1
    assert np.array_equal(mlp.coefs_[1], c1) and np.array_equal(mlp.intercepts_[1], np.ones(2))
    layers.randomize("layer_1", 7)
    assert abs(mlp.coefs_[1].std() / 0.5 - 1) < 0.25 and abs(mlp.coefs_[1].mean()) < 0.5  # centred at 0
    # seeded: the same seed (modulo 2^32) draws the same values, another seed others
    twin = _Mlp([c0.copy(), c1.copy()], [np.zeros(400), np.ones(2)])
    _SklearnLayers(twin).randomize("layer_0", 7 + 2**32)
    assert np.array_equal(twin.coefs_[0], new)
    other = _Mlp([c0.copy(), c1.copy()], [np.zeros(400), np.ones(2)])
    _SklearnLayers(other).randomize("layer_0", 8)
    assert not np.allclose(other.coefs_[0], new)
    # constant weights have no scale: unit draws
    flat = _Mlp([np.zeros((40, 50))], [np.zeros(400)])
    _SklearnLayers(flat).randomize("layer_0", 1)
    assert abs(flat.coefs_[0].std() - 1) < 0.05 and abs(flat.intercepts_[0].std() - 1) < 0.1


def test_sklearn_linear_layer_redraw():
    from skxai.metrics._randomization import _SklearnLayers

    X = np.random.RandomState(0).normal(size=(50, 400))
    lin = LinearRegression().fit(X, X @ np.linspace(-4, 4, 400) + 3.0)
    scale = lin.coef_.std()
    layers = _SklearnLayers(lin)
    assert layers.names == ["coef_"]
    layers.randomize("coef_", 3)
    assert lin.coef_.shape == (400,) and abs(lin.coef_.std() / scale - 1) < 0.1
    assert np.shape(lin.intercept_) == () and lin.intercept_ != 3.0
    two = LinearRegression().fit(X[:, :3], np.c_[X[:, 0], X[:, 1]])  # intercept of shape (2,)
    _SklearnLayers(two).randomize("coef_", 3)
    assert two.coef_.shape == (2, 3) and np.shape(two.intercept_) == (2,)


def test_torch_layers_redraw_with_the_scale_they_replace():
    torch = pytest.importorskip("torch")
    from skxai.metrics._randomization import _TorchLayers

    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(40, 300), torch.nn.ReLU(), torch.nn.Linear(300, 1))
    with torch.no_grad():
        net[0].weight.mul_(30.0)  # weight std about 30 * U(-1/sqrt(40), ..)'s 0.091
        net[0].bias.fill_(0.0).add_(torch.linspace(-2.0, 2.0, 300))
    w0, b0, w2, b2 = (p.detach().clone() for p in (net[0].weight, net[0].bias, net[2].weight, net[2].bias))
    layers = _TorchLayers(net)
    assert layers.names == ["0", "2"]  # the ReLU owns no parameters
    layers.randomize("0", 5)
    w, b = net[0].weight.detach().double(), net[0].bias.detach().double()
    assert abs(float(w.std() / w0.double().std()) - 1) < 0.05 and abs(float(w.mean())) < 0.05
    assert abs(float(b.std() / b0.double().std()) - 1) < 0.15  # its own scale, 1.16
    assert net[0].weight.dtype == torch.float32
    assert torch.equal(net[2].weight, w2) and torch.equal(net[2].bias, b2)
    layers.randomize("2", 5)
    # the top layer's weight (300 values) keeps its spread (its one-value bias: see the next tests)
    assert abs(float(net[2].weight.detach().double().std() / w2.double().std()) - 1) < 0.15
    # seeded: same seed, same draws; another seed, others
    twin = torch.nn.Sequential(torch.nn.Linear(40, 300))
    with torch.no_grad():
        twin[0].weight.copy_(w0)
        twin[0].bias.copy_(b0)
    _TorchLayers(twin).randomize("0", 5)
    assert torch.equal(twin[0].weight, net[0].weight)
    _TorchLayers(twin).randomize("0", 6)
    assert not torch.allclose(twin[0].weight, net[0].weight)

    class Root(torch.nn.Module):  # parameters on the root module itself: the layer ""
        def __init__(self):
            super().__init__()
            self.w = torch.nn.Parameter(torch.zeros(500, dtype=torch.float64))
            self.s = torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))

    root = Root()
    layers = _TorchLayers(root)
    assert layers.names == [""]
    layers.randomize("", 1)  # every scale is 0: unit draws
    assert abs(float(root.w.detach().std()) - 1) < 0.1 and float(root.s.detach()) != 0.0


class _ParamExplainer(BaseEstimator):
    """Explains every sample by the top layer's weights of its MLP-like ``estimator``."""

    def __init__(self, estimator=None):
        self.estimator = estimator

    def fit(self, X=None, y=None):
        self.estimator_ = self.estimator
        return self

    def transform(self, X):
        return np.tile(self.estimator_.coefs_[1].ravel(), (len(X), 1))


def test_model_randomization_cascades_or_randomises_one_layer():
    from skxai.metrics import model_randomization_test

    rng = np.random.RandomState(0)
    mlp = _Mlp([rng.normal(size=(3, 4)), rng.normal(size=(4, 30))], [np.zeros(4), np.zeros(30)])
    top = mlp.coefs_[1].copy()
    ex = _ParamExplainer(mlp).fit()
    X = np.zeros((2, 3))
    report = model_randomization_test(ex, X, mode="both", similarity="spearman")
    assert [(r["mode"], r["layer"]) for r in report.records] == [
        ("cascading", "layer_1"), ("cascading", "layer_0"), ("independent", "layer_1"), ("independent", "layer_0")]
    sims = [r["spearman"] for r in report.records]
    # the explanation is the top layer: random in both cascading records (layer_1 stays random),
    # untouched when layer_0 alone is randomised
    assert abs(sims[0]) < 0.6 and sims[1] == sims[0] and sims[2] == sims[0]
    assert sims[3] == 1.0
    assert report.passed and report.test == "model" and report.threshold == 0.5
    only = model_randomization_test(ex, X, mode="independent", layers="layer_0", similarity="spearman")
    assert [r["layer"] for r in only.records] == ["layer_0"] and not only.passed
    cas = model_randomization_test(ex, X, similarity="spearman")  # the default: cascading
    assert [r["mode"] for r in cas.records] == ["cascading"] * 2
    assert cas.records[0]["spearman"] == sims[0]  # seeded (default 0): the same draws again
    assert model_randomization_test(ex, X, similarity="spearman", random_state=1).records[0]["spearman"] != sims[0]
    assert model_randomization_test(ex, X, similarity="spearman", threshold=-2).passed is False
    assert model_randomization_test(ex, X, similarity=("spearman", "spearman_abs"),
                                    criterion="spearman_abs").criterion == "spearman_abs"
    # the user's model is untouched
    assert np.array_equal(mlp.coefs_[1], top)
    with pytest.raises(ValueError, match=r"^mode='all'; use 'cascading', 'independent' or 'both'\.$"):
        model_randomization_test(ex, X, mode="all")
    # attributions given: compared with those
    given = model_randomization_test(ex, X, attributions=-ex.transform(X), mode="independent",
                                     layers="layer_0", similarity="spearman")
    assert given.records[0]["spearman"] == -1.0


class _Recording(BaseEstimator):
    """A non-tabular explainer of f = sum of the sample's values that records the rows and dtype of
    every model call (its ``model_output`` sees exactly what the metric built)."""

    def fit(self, X=None, y=None):
        self.calls_ = []
        return self

    def target_indices(self, X):
        return np.zeros(len(X), dtype=int)

    def model_output(self, A):
        self.calls_.append((len(A), A.dtype))
        return A.reshape(len(A), -1).sum(axis=1)


def test_infidelity_gaussian_chunks_and_dtype():
    # 5 float32 images, 4 draws each, 3 rows per call: f(X) in calls of 3 and 2 rows, then one
    # sample at a time (3 // 4 = 0 -> 1 sample: calls of 3 and 1 rows); the draws keep float32
    ex = _Recording().fit()
    X = np.ones((5, 1, 2, 2), dtype=np.float32)
    infidelity(ex, X, attributions=np.ones((5, 1, 2, 2)), n_perturbations=4, batch_size=3)
    assert [r for r, _ in ex.calls_] == [3, 2] + [3, 1] * 5
    assert {d for _, d in ex.calls_} == {np.dtype(np.float32)}


@pytest.mark.parametrize("metric, reduce", [(max_sensitivity, np.max), (avg_sensitivity, np.mean)])
def test_sensitivity_defaults_and_every_option_passed_on(metric, reduce):
    ex = SquareExplainer().fit()
    # defaults: 10 draws uniform on [-0.02, 0.02]; at x = 1 the change |2e + e^2| has mean 0.02 and
    # sup 0.0404 (||phi(x)|| = 1)
    X = np.ones((300, 1))
    ex.calls.clear()
    s = metric(ex, X)
    assert ex.calls == [300, 3000]
    assert s.max() <= 0.0404 and (reduce is np.max or abs(s.mean() / 0.02 - 1) < 0.03)
    assert_allclose(s, metric(ex, X, random_state=0))  # the default seed is 0
    assert not np.allclose(s, metric(ex, X, random_state=1))
    # hand-worked options, x = (1, 2) (phi = (1, 4)), draws (0.5, 0) and (1, 1): changes (1.25, 0)
    # and (3, 5)
    x = np.array([[1.0, 2.0]])
    E = np.array([[[0.5, 0.0], [1.0, 1.0]]])
    two = np.array([1.25, np.sqrt(34)])
    assert_allclose(metric(ex, x, perturbations=E), [reduce(two / np.sqrt(17))])
    assert_allclose(metric(ex, x, perturbations=E, normalize=False), [reduce(two)])
    assert_allclose(metric(ex, x, perturbations=E, norm=3), [reduce(np.array([1.25, 152 ** (1 / 3)]) / 65 ** (1 / 3))])
    # given attributions are phi(x): zeros are divided by 1, so the change is phi(x + e) itself
    # ((2.25, 4) and (4, 9))
    got = metric(ex, x, perturbations=E, attributions=np.zeros((1, 2)))
    assert_allclose(got, [reduce(np.array([np.sqrt(2.25**2 + 16), np.sqrt(97)]))])
    with pytest.raises(ValueError, match="n_jobs must be None or a non-zero integer"):
        metric(ex, x, n_jobs="x")
    ex = SquareExplainer().fit()
    metric(ex, np.ones((5, 2)), n_perturbations=4, batch_size=8)
    assert ex.calls == [5, 8, 8, 4]
    ex.calls.clear()
    metric(ex, np.ones((2, 2)), radius=0.5, n_perturbations=3)
    assert ex.calls == [2, 6]


def test_sensitivity_needs_numeric_features():
    df, ex = _string_column_explainer()
    with pytest.raises(ValueError, match=r"^Sensitivity adds noise to the inputs: it needs numeric features\.$"):
        max_sensitivity(ex, df.iloc[:2])


class _LeastSquares(BaseEstimator):
    """y = X coef without intercept; every fit is recorded (on the class: clones fit too)."""

    fits = []

    def fit(self, X, y, sample_weight=None):
        X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
        _LeastSquares.fits.append((X, y, sample_weight))
        self.coef_ = np.linalg.lstsq(X, y, rcond=None)[0]
        return self

    def predict(self, X):
        return np.asarray(X) @ self.coef_


class _CoefExplainer(BaseEstimator):
    """phi(x) = coef * (x - mean of the background); every background is recorded."""

    backgrounds = []
    estimators = []

    def __init__(self, estimator=None):
        self.estimator = estimator

    def fit(self, X, y=None):
        self.background_ = np.asarray(X, dtype=float)
        _CoefExplainer.backgrounds.append(self.background_)
        _CoefExplainer.estimators.append(self.estimator)
        return self

    def transform(self, X):
        return self.estimator.coef_ * (np.asarray(X) - self.background_.mean(axis=0))


def test_data_randomization_retrains_on_permuted_labels_and_refits_the_explainer():
    from skxai.metrics import data_randomization_test

    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 3))
    y = X @ [1.0, 2.0, 3.0]
    model = _LeastSquares().fit(X, y)
    ex = _CoefExplainer(model).fit(X)
    report = data_randomization_test(ex, X[:6], X_train=X, y_train=y, similarity="spearman")
    Xf, yf, sw = _LeastSquares.fits[-1]
    assert np.array_equal(Xf, X) and sw is None
    assert np.array_equal(np.sort(yf), np.sort(y)) and not np.array_equal(yf, y)  # a permutation
    assert np.array_equal(_CoefExplainer.backgrounds[-1], X)  # not tabular: refitted on X_train
    assert report.test == "data" and report.records[0]["mode"] == "data" and report.records[0]["layer"] is None
    assert report.records[0]["spearman_values"].shape == (6,)
    # the default seed is 0; another seed, another permutation
    data_randomization_test(ex, X[:6], X_train=X, y_train=y, similarity="spearman", random_state=0)
    assert np.array_equal(_LeastSquares.fits[-1][1], yf)
    data_randomization_test(ex, X[:6], X_train=X, y_train=y, similarity="spearman", random_state=1)
    assert not np.array_equal(_LeastSquares.fits[-1][1], yf)
    # fit_params and background reach the refit
    w = np.arange(40.0)
    bg = X[:7]
    data_randomization_test(ex, X[:6], X_train=X, y_train=y, fit_params={"sample_weight": w}, background=bg,
                            similarity="spearman")
    assert _LeastSquares.fits[-1][2] is w and np.array_equal(_CoefExplainer.backgrounds[-1], bg)
    # a train callable gets a copy of the model, X_train and the permuted labels; its model is explained:
    # coefficients -(1, 2, 3) and the same background give -phi: Spearman -1 for every sample
    seen = []

    def train(m, Xt, yt):
        seen.append((m, Xt, yt))
        out = _LeastSquares()
        out.coef_ = -m.coef_
        return out

    flipped = data_randomization_test(ex, X[:6], X_train=X, y_train=y, train=train, similarity="spearman",
                                      threshold=-0.5)
    m, Xt, yt = seen[0]
    assert m is not model and np.array_equal(m.coef_, model.coef_) and Xt is X
    assert np.array_equal(yt, yf)
    assert_allclose(flipped.records[0]["spearman_values"], -1.0)
    assert flipped.min_similarity == -1.0 and flipped.passed  # below -0.5
    # given attributions are the reference
    same = data_randomization_test(ex, X[:6], X_train=X, y_train=y, train=train, similarity="spearman",
                                   attributions=-ex.transform(X[:6]))
    assert_allclose(same.records[0]["spearman_values"], 1.0)
    with pytest.raises(ValueError, match=r"^criterion='ssim' must be one of"):
        data_randomization_test(ex, X[:6], X_train=X, y_train=y, similarity="spearman", criterion="ssim")

    class Bare:  # neither fit nor get_params
        coef_ = np.ones(3)

    bare = _CoefExplainer(Bare()).fit(X)
    with pytest.raises(TypeError, match=r"^Cannot retrain Bare with scikit-learn's clone/fit: pass "
                                        r"train=callable\(model, X, y\)"):
        data_randomization_test(bare, X[:6], X_train=X, y_train=y, similarity="spearman")


class _SquareNoBatch(BaseEstimator):
    """phi(x) = x ** 2 from an explainer without a ``batch_size`` attribute (rows of calls recorded)."""

    def fit(self, X=None, y=None):
        self.calls_ = []
        return self

    def transform(self, X):
        self.calls_.append(len(X))
        return np.asarray(X, dtype=np.float64) ** 2


def test_sensitivity_chunks_without_an_explainer_batch_size():
    ex = _SquareNoBatch().fit()
    X = np.array([[1.0, 2.0]])
    E = np.array([[[0.5, 0.0], [0.0, -1.0]]])
    assert_allclose(max_sensitivity(ex, X, perturbations=E), [3 / np.sqrt(17)])
    assert ex.calls_ == [1, 2]
    # 4 draws but 3 rows per call: one sample per call (never two: 8 rows)
    ex = _SquareNoBatch().fit()
    avg_sensitivity(ex, np.ones((3, 2)), n_perturbations=4, batch_size=3)
    assert ex.calls_ == [3, 4, 4, 4]


def test_data_randomization_label_types_model_types_and_tabular_background():
    from sklearn.linear_model import LogisticRegression

    from skxai.metrics import data_randomization_test

    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 3))
    # string labels are permuted as they are (never cast to float)
    ys = np.where(X[:, 0] > 0, "yes", "no")
    clf = LogisticRegression().fit(X, ys)
    ex = ExactShapleyExplainer(clf, max_background=10, random_state=0).fit(X)
    rep = data_randomization_test(ex, X[:4], X_train=X, y_train=ys, similarity="spearman")
    assert rep.records[0]["spearman_values"].shape == (4,)
    # a torch tensor of labels that requires grad is read through detach
    torch = pytest.importorskip("torch")
    y = X @ [1.0, 2.0, 3.0]
    model = _LeastSquares().fit(X, y)
    coef_ex = _CoefExplainer(model).fit(X)
    seen = []

    def train(m, Xt, yt):
        seen.append(yt)
        return m

    yt = torch.tensor(y, requires_grad=True)
    data_randomization_test(coef_ex, X[:4], X_train=X, y_train=yt, train=train, similarity="spearman")
    assert isinstance(seen[-1], np.ndarray) and np.array_equal(np.sort(seen[-1]), np.sort(y))

    # a trained torch module reaches the explainer's clone as it is (not frozen)
    class Module(torch.nn.Module):
        coef_ = np.array([-1.0, -2.0, -3.0])

    mod = Module()
    got = data_randomization_test(coef_ex, X[:4], X_train=X, y_train=y, train=lambda m, a, b: mod,
                                  similarity="spearman")
    assert _CoefExplainer.estimators[-1] is mod
    assert_allclose(got.records[0]["spearman_values"], -1.0)

    class FitOnly:  # fit but no get_params: scikit-learn cannot clone it
        coef_ = np.ones(3)

        def fit(self, X, y):
            return self

    with pytest.raises(TypeError, match=r"^Cannot retrain FitOnly with scikit-learn's clone/fit"):
        data_randomization_test(_CoefExplainer(FitOnly()).fit(X), X[:4], X_train=X, y_train=y, similarity="spearman")

    # a tabular explainer is refitted on its own background (here 10 rows shifted by 10), not on
    # X_train: the model trained to -coef then explains -phi exactly (Spearman -1 for each sample)
    lin = LinearRegression().fit(X, y)
    bg = X[:10] + 10.0
    shap = ExactShapleyExplainer(lin).fit(bg)

    def flip(m, Xt, yt):
        return LinearRegression().fit(X, -y)

    rep = data_randomization_test(shap, X[:6], X_train=X, y_train=y, train=flip, similarity="spearman")
    assert_allclose(rep.records[0]["spearman_values"], -1.0)


def test_sklearn_layer_redraw_scale_seed_and_storage_dtype():
    from skxai.metrics._randomization import _SklearnLayers

    # two weights of std 100: the redraw has that scale (two N(0, 1) draws both above 10 never happen)
    lin = LinearRegression()
    lin.coef_, lin.intercept_ = np.array([-100.0, 100.0]), np.array([0.0, 0.0])
    _SklearnLayers(lin).randomize("coef_", 0)
    assert np.abs(lin.coef_).min() > 10  # N(0, 100) draws 176.4, 40.0 for this seed
    # distinct seeds below 2^32 draw differently (7 and 71 agree modulo 64)
    a = _Mlp([np.ones((4, 5)) * np.arange(5)], [np.zeros(5)])
    b = _Mlp([np.ones((4, 5)) * np.arange(5)], [np.zeros(5)])
    _SklearnLayers(a).randomize("layer_0", 7)
    _SklearnLayers(b).randomize("layer_0", 71)
    assert not np.allclose(a.coefs_[0], b.coefs_[0])
    # the scale is the values' (float64) spread, whatever their storage: float32 weights redraw as float64 ones
    w = np.random.RandomState(1).normal(size=(300, 7)).astype(np.float32)
    c32 = _Mlp([w.copy()], [np.zeros(7, dtype=np.float32)])
    c64 = _Mlp([w.astype(np.float64)], [np.zeros(7)])
    _SklearnLayers(c32).randomize("layer_0", 3)
    _SklearnLayers(c64).randomize("layer_0", 3)
    assert np.array_equal(c32.coefs_[0], c64.coefs_[0])


def test_torch_single_values_take_the_scale_of_the_layers_weights():
    torch = pytest.importorskip("torch")
    from skxai.metrics._randomization import _TorchLayers

    # Linear(2, 1) with weights of spread 1.4e-3: its one-element bias is redrawn at that scale (a unit
    # draw would be about 1)
    lin = torch.nn.Sequential(torch.nn.Linear(2, 1))
    with torch.no_grad():
        lin[0].weight.copy_(torch.tensor([[1e-3, -1e-3]]))
    _TorchLayers(lin).randomize("0", 0)
    assert abs(float(lin[0].bias.detach())) < 0.01

    class Mixed(torch.nn.Module):  # a one-element parameter listed before the weights; a child layer
        def __init__(self):
            super().__init__()
            self.s = torch.nn.Parameter(torch.ones(1, dtype=torch.float64))
            self.w = torch.nn.Parameter(1e-3 * torch.randn(500, dtype=torch.float64,
                                                           generator=torch.Generator().manual_seed(0)))
            self.child = torch.nn.Linear(3, 3)

    net = Mixed()
    child = [p.detach().clone() for p in net.child.parameters()]
    layers = _TorchLayers(net)
    assert layers.names == ["", "child"]
    layers.randomize("", 4)
    assert abs(float(net.s.detach())) < 0.01  # the scale of w, not of s alone (none) nor 1
    assert all(torch.equal(a, b) for a, b in zip(child, net.child.parameters(), strict=True))  # own only

    class Scalar(torch.nn.Module):  # no parameter of more than one value: unit draws
        def __init__(self):
            super().__init__()
            self.s = torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))

    sc = Scalar()
    _TorchLayers(sc).randomize("", 2)
    assert float(sc.s.detach()) != 0.0


def test_sklearn_intercepts_are_centred():
    from skxai.metrics._randomization import _SklearnLayers

    flat = _Mlp([np.zeros((40, 50))], [np.zeros(400)])
    _SklearnLayers(flat).randomize("layer_0", 1)
    assert abs(flat.intercepts_[0].mean()) < 0.3  # N(0, 1): standard error 0.05


def test_torch_redraw_scales_of_flat_pairs_and_single_values():
    torch = pytest.importorskip("torch")
    from skxai.metrics._randomization import _TorchLayers

    # a zero bias (no spread of its own) takes the weights' scale 1e-3, not 1
    net = torch.nn.Sequential(torch.nn.Linear(40, 300))
    with torch.no_grad():
        net[0].weight.mul_(0.0).add_(1e-3 * torch.randn(300, 40, generator=torch.Generator().manual_seed(0)))
        net[0].bias.zero_()
    _TorchLayers(net).randomize("0", 1)
    assert abs(float(net[0].bias.detach().double().std()) / 1e-3 - 1) < 0.15
    # a two-value bias has its own spread (100), not the weights' (1.4e-3)
    pair = torch.nn.Sequential(torch.nn.Linear(1, 2))
    with torch.no_grad():
        pair[0].weight.copy_(torch.tensor([[1e-3], [-1e-3]]))
        pair[0].bias.copy_(torch.tensor([-100.0, 100.0]))
    _TorchLayers(pair).randomize("0", 0)
    assert float(pair[0].bias.detach().abs().max()) > 10

    class Singles(torch.nn.Module):  # 200 one-value parameters and nothing larger: unit draws each
        def __init__(self):
            super().__init__()
            for i in range(200):
                self.register_parameter(f"p{i}", torch.nn.Parameter(torch.zeros(1, dtype=torch.float64)))

    singles = Singles()
    _TorchLayers(singles).randomize("", 3)
    values = torch.cat([p.detach() for p in singles.parameters()]).numpy()
    assert abs(values.std() - 1) < 0.15
    # float64 parameters get double-precision draws (not float32 values widened)
    big = torch.nn.Sequential(torch.nn.Linear(30, 30).double())
    _TorchLayers(big).randomize("0", 5)
    w = big[0].weight.detach().numpy()
    assert not np.array_equal(w, w.astype(np.float32).astype(np.float64))


def test_torch_redraw_of_a_one_value_bias_warns_nothing():
    torch = pytest.importorskip("torch")
    from skxai.metrics._randomization import _TorchLayers

    net = torch.nn.Sequential(torch.nn.Linear(30, 1))  # the bias is one value: no spread of its own to take
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # torch warns on the std of one value
        _TorchLayers(net).randomize("0", 0)
    assert torch.isfinite(net[0].bias).all()
