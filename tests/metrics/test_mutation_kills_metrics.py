"""Kill tests for the metric formulas (issue 17): deletion/insertion curves and areas,
rank correlations and SSIM, faithfulness correlation, Gini sparseness, completeness gap.

References are hand-worked numbers on linear models, closed forms, numpy/scipy/scikit-image.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy.stats import spearmanr
from sklearn.linear_model import LinearRegression

from skxai import ConstantExplainer, ExactShapleyExplainer
from skxai.metrics import (
    completeness_gap,
    deletion_auc,
    deletion_curve,
    faithfulness_correlation,
    insertion_auc,
    insertion_curve,
    sparseness,
    spearman_similarity,
    ssim_similarity,
)
from skxai.metrics._faithfulness import resolve_subset_size, row_pearson


class Linear:
    """f(x) = x . w on (n, d) arrays (a callable model)."""

    def __init__(self, w):
        self.w = np.asarray(w, dtype=float)

    def __call__(self, A):
        return np.asarray(A, dtype=float).reshape(len(A), -1) @ self.w


def _const(w, X):
    """An explainer of the linear callable whose background is one row of zeros (removed = 0)."""
    return ConstantExplainer(Linear(w)).fit(np.zeros((1, np.shape(X)[1])))


# -- deletion / insertion --------------------------------------------------------------------
def test_equal_relevance_removes_units_in_index_order():
    w = [1.0, 2.0, 4.0, 8.0]
    X = np.ones((1, 4))
    ex = _const(w, X)
    curve, frac = deletion_curve(ex, X, attributions=np.ones((1, 4)))
    assert_allclose(curve, [[15, 14, 12, 8, 0]])
    assert_allclose(frac, [0, 0.25, 0.5, 0.75, 1])
    curve, _ = insertion_curve(ex, X, attributions=np.ones((1, 4)))
    assert_allclose(curve, [[0, 1, 3, 7, 15]])  # from the background, in index order
    # largest relevance first, negative ones last
    curve, _ = deletion_curve(ex, X, attributions=np.array([[-1.0, 5.0, 0.5, 2.0]]))
    assert_allclose(curve, [[15, 13, 5, 1, 0]])


def test_several_samples_and_steps_by_hand():
    w = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    X = np.array([[1.0, 1, 1, 1, 1], [2.0, 0, 1, 0, 2]])
    ex = _const(w, X)
    phi = X * w
    # n_steps=2 on 5 units: cuts rint(0, 2.5, 5) = 0, 2, 5
    curve, frac = deletion_curve(ex, X, attributions=phi, n_steps=2)
    assert_allclose(frac, [0, 0.4, 1])
    assert_allclose(curve, [[15, 6, 0], [15, 2, 0]])
    # the trapezoid over the fractions removed, 0.4 and 0.6 wide
    assert_allclose(deletion_auc(ex, X, attributions=phi, n_steps=2),
                    [21 / 2 * 0.4 + 6 / 2 * 0.6, 17 / 2 * 0.4 + 2 / 2 * 0.6])
    # n_steps=3 on 5 units: cuts rint(0, 5/3, 10/3, 5) = 0, 2, 3, 5
    curve, frac = insertion_curve(ex, X, attributions=phi, n_steps=3)
    assert_allclose(frac, [0, 0.4, 0.6, 1])
    assert_allclose(curve, [[0, 9, 12, 15], [0, 13, 15, 15]])
    assert_allclose(insertion_auc(ex, X, attributions=phi, n_steps=3),
                    [9 / 2 * 0.4 + 21 / 2 * 0.2 + 27 / 2 * 0.4, 13 / 2 * 0.4 + 28 / 2 * 0.2 + 30 / 2 * 0.4])


def test_default_steps_are_one_per_unit_up_to_100():
    for d, steps in [(3, 3), (100, 100), (130, 100)]:
        X = np.ones((1, d))
        ex = _const(np.ones(d), X)
        curve, frac = deletion_curve(ex, X, attributions=np.ones((1, d)))
        assert curve.shape == (1, steps + 1) and frac.shape == (steps + 1,)
        assert curve[0, 0] == d and curve[0, -1] == 0
    # 130 units in 100 steps: step t removes rint(1.3 t) units
    assert_allclose(curve[0], 130 - np.rint(np.arange(101) * 1.3))


def test_more_steps_than_units_is_refused_with_the_count():
    X = np.ones((1, 3))
    ex = _const(np.ones(3), X)
    with pytest.raises(ValueError, match=r"n_steps=4 exceeds the number of units \(3\)"):
        deletion_curve(ex, X, attributions=np.ones((1, 3)), n_steps=4)
    curve, _ = deletion_curve(ex, X, attributions=np.ones((1, 3)), n_steps=3)  # equal is allowed
    assert curve.shape == (1, 4)


def test_tabular_insertion_starts_from_the_background():
    X = np.array([[0.0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]])
    model = LinearRegression().fit(X, X @ [1.0, 2.0, 3.0])
    ex = ExactShapleyExplainer(model).fit(np.full((1, 3), 2.0))  # background at 2: f = 12
    curve, _ = insertion_curve(ex, np.ones((1, 3)))
    # phi = (x - 2) w = -1, -2, -3: inserted in order 0, 1, 2
    assert_allclose(curve, [[12, 11, 9, 6]], atol=1e-10)
    assert_allclose(insertion_auc(ex, np.ones((1, 3))), [(23 + 20 + 15) / 6], atol=1e-10)


# -- rank correlation and SSIM ---------------------------------------------------------------
def test_spearman_with_ties_equals_scipy():
    A = np.array([[1.0, 1, 2, 3, 3, 3], [0, 0, 0, 1, 2, 2]])
    B = np.array([[2.0, 1, 1, 5, 4, 4], [3, 1, 2, 2, 2, 0]])
    ref = [spearmanr(a, b)[0] for a, b in zip(A, B, strict=True)]
    assert_allclose(spearman_similarity(A, B), ref, rtol=1e-12)
    ref = [spearmanr(np.abs(a), np.abs(b))[0] for a, b in zip(A - 1.5, B - 2, strict=True)]
    assert_allclose(spearman_similarity(A - 1.5, B - 2, absolute=True), ref, rtol=1e-12)
    # without absolute the signs count
    assert spearman_similarity(np.array([[-3.0, 1, 2]]), np.array([[3.0, 1, 2]]))[0] == pytest.approx(-0.5)


def test_spearman_of_constant_explanations():
    # identical, even constant: 1; a constant against a varying one: 0; per row
    A = np.array([[2.0, 2, 2], [1, 2, 3], [5, 5, 5]])
    B = np.array([[2.0, 2, 2], [1, 2, 3], [1, 2, 3]])
    assert_allclose(spearman_similarity(A, B), [1.0, 1.0, 0.0])


@pytest.mark.parametrize("absolute", [False, True])
def test_spearman_of_two_different_constant_explanations_is_one(absolute):
    # all elements tied in both maps: the same ranking, so 1 (it was 0, "changed", and a
    # method whose maps degenerate to constants passed the randomisation checks)
    A = np.array([[2.0, 2, 2], [0, 0, 0], [-1, -1, -1]])
    B = np.array([[5.0, 5, 5], [3, 3, 3], [4, 4, 4]])
    assert_allclose(spearman_similarity(A, B, absolute=absolute), [1.0, 1.0, 1.0])
    # tied in one map only: no ranking shared, 0
    assert_allclose(spearman_similarity(A, B + np.array([0.0, 1, 2]), absolute=absolute), 0.0)


def test_row_pearson_is_numpys_correlation_and_zero_when_constant():
    rng = np.random.RandomState(0)
    a, b = rng.normal(size=(4, 9)), rng.normal(size=(4, 9))
    ref = [np.corrcoef(x, y)[0, 1] for x, y in zip(a, b, strict=True)]
    assert_allclose(row_pearson(a, b), ref, rtol=1e-12)
    assert_allclose(row_pearson(np.ones((1, 3)), np.array([[1.0, 2, 3]])), [0.0])
    assert_allclose(row_pearson(np.array([[1.0, 2, 3]]), np.full((1, 3), 2.0)), [0.0])


def test_similarities_refuse_mismatched_shapes():
    with pytest.raises(ValueError, match=r"different shapes: \(2, 3\) and \(2, 4\)"):
        spearman_similarity(np.ones((2, 3)), np.ones((2, 4)))
    with pytest.raises(ValueError, match=r"first axis of samples; got shape \(3,\)"):
        spearman_similarity(np.ones(3), np.ones(3))


def _by_hand_map(a):
    m = np.abs(a).sum(axis=0) if a.ndim == 3 else np.abs(a)
    span = m.max() - m.min()
    return (m - m.min()) / span if span > 0 else np.zeros_like(m)


def test_ssim_window_shrinks_to_the_largest_odd_size_that_fits():
    skm = pytest.importorskip("skimage.metrics")
    rng = np.random.RandomState(1)
    for side, win in [(6, 5), (5, 5), (4, 3), (3, 3), (8, 7)]:
        A, B = rng.normal(size=(2, 2, side, side)), rng.normal(size=(2, 2, side, side))
        ref = [skm.structural_similarity(_by_hand_map(a), _by_hand_map(b), data_range=1.0, win_size=win)
               for a, b in zip(A, B, strict=True)]
        assert_allclose(ssim_similarity(A, B), ref, rtol=1e-12)
    A, B = rng.normal(size=(1, 9, 11)), rng.normal(size=(1, 9, 11))
    ref = skm.structural_similarity(_by_hand_map(A[0]), _by_hand_map(B[0]), data_range=1.0, win_size=3)
    assert_allclose(ssim_similarity(A, B, win_size=3), [ref], rtol=1e-12)
    with pytest.raises(ValueError, match=r"too small for SSIM \(3x3 at least\)"):
        ssim_similarity(np.ones((1, 2, 5)), np.ones((1, 2, 5)))


def test_ssim_maps_are_absolute_and_rescaled_per_sample():
    skm = pytest.importorskip("skimage.metrics")
    rng = np.random.RandomState(2)
    A = rng.normal(size=(2, 8, 8))
    # sign, scale and the other samples do not matter: |A| rescaled to [0, 1] per sample
    assert_allclose(ssim_similarity(A, -3 * A), [1.0, 1.0])
    B = rng.normal(size=(2, 8, 8)) + 4.0  # positive: no sign flips, its own min-max scaling
    ref = [skm.structural_similarity(_by_hand_map(a), _by_hand_map(b), data_range=1.0, win_size=7)
           for a, b in zip(A, B, strict=True)]
    assert_allclose(ssim_similarity(A, B), ref, rtol=1e-12)
    # a constant map becomes all zeros
    C = np.full((1, 8, 8), 3.0)
    ref = skm.structural_similarity(np.zeros((8, 8)), _by_hand_map(A[0]), data_range=1.0, win_size=7)
    assert_allclose(ssim_similarity(C, A[:1]), [ref], rtol=1e-12)
    with pytest.raises(ValueError, match=r"\(n, H, W\) or \(n, C, H, W\); got \(2, 5\)"):
        ssim_similarity(np.ones((2, 5)), np.ones((2, 5)))


# -- faithfulness correlation ----------------------------------------------------------------
def test_subset_size_resolution():
    assert resolve_subset_size(None, 9) == 4 and resolve_subset_size(None, 1) == 1
    assert resolve_subset_size(0.5, 9) == 4 and resolve_subset_size(0.3, 10) == 3
    assert resolve_subset_size(0.01, 10) == 1 and resolve_subset_size(5, 5) == 5
    for bad in [0.0, 1.0, 1.5]:
        with pytest.raises(ValueError, match=rf"subset_size={bad!r}: a fraction must lie in \(0, 1\)"):
            resolve_subset_size(bad, 10)
    with pytest.raises(ValueError, match=r"subset_size=6 exceeds the number of units \(5\)"):
        resolve_subset_size(6, 5)


def test_faithfulness_correlation_signs_on_a_linear_model():
    rng = np.random.RandomState(0)
    w = rng.normal(size=8)
    X = rng.normal(size=(3, 8))
    ex = _const(w, X)
    exact = X * w  # the drop of removing S (to zeros) is the sum of these over S
    assert_allclose(faithfulness_correlation(ex, X, attributions=exact, n_subsets=20), 1.0)
    assert_allclose(faithfulness_correlation(ex, X, attributions=-exact, n_subsets=20), -1.0)
    # an affine change with a constant per unit keeps a fixed-size subset's sum affine: still 1
    assert_allclose(faithfulness_correlation(ex, X, attributions=2 * exact + 7, n_subsets=20), 1.0)
    # a constant explanation has no variance: 0
    assert_allclose(faithfulness_correlation(ex, X, attributions=np.ones_like(X), n_subsets=20), 0.0)
    # a wrong explanation: below 1 (the subsets vary)
    wrong = faithfulness_correlation(ex, X, attributions=rng.normal(size=X.shape), n_subsets=50)
    assert (wrong < 0.95).all()


# -- sparseness and completeness -------------------------------------------------------------
def test_gini_edge_rows():
    A = np.array([[0.0, 0, 0], [0, 0, 2], [1, 1, 1], [1, 2, 3]])
    # G = sum (2k - d - 1) a_(k) / (d sum a): [1, 2, 3]: (-2 + 0 + 6) / 18
    assert_allclose(sparseness(None, None, attributions=A), [0.0, 2 / 3, 0.0, 4 / 18])
    assert_allclose(sparseness(None, None, attributions=np.array([[5.0]])), [0.0])
    with pytest.raises(ValueError, match=r"first axis of samples; got shape \(3,\)"):
        sparseness(None, None, attributions=np.ones(3))
    with pytest.raises(ValueError, match="NaN or infinity"):
        sparseness(None, None, attributions=np.array([[1.0, np.nan]]))


def test_completeness_gap_by_hand():
    X = np.array([[0.0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]])
    model = LinearRegression().fit(X, X @ [1.0, 2.0, 3.0])
    ex = ExactShapleyExplainer(model).fit(np.zeros((1, 3)))
    x = np.array([[1.0, 1, 1], [0, 0, 0]])
    assert_allclose(completeness_gap(ex, x), [0, 0], atol=1e-10)
    phi = np.array([[1.0, 2, 4], [0, 0, 0.5]])  # sums 7 and 0.5 against changes 6 and 0
    assert_allclose(completeness_gap(ex, x, attributions=phi), [1.0, 0.5], atol=1e-10)
    rel = completeness_gap(ex, x, attributions=phi, relative=True)
    assert rel[0] == pytest.approx(1 / 6) and np.isinf(rel[1])
    assert_allclose(completeness_gap(ex, x, attributions=np.array([[1.0, 2, 3], [0, 0, 0]]), relative=True),
                    [0.0, 0.0], atol=1e-10)
    with pytest.raises(ValueError, match="attributions hold 1 samples but X holds 2"):
        completeness_gap(ex, x, attributions=phi[:1])


def test_completeness_gap_of_a_callable_uses_its_background():
    w = np.array([1.0, -2.0, 3.0])
    X = np.array([[1.0, 1, 1], [2.0, 0, 0]])
    ex = _const(w, X)
    # f(x) - f(background 0) = 2 and 2; phi sums to 5 and 1
    phi = np.array([[1.0, 1, 3], [0.5, 0.5, 0]])
    assert_allclose(completeness_gap(ex, X, attributions=phi), [3.0, 1.0])
    # a tabular explainer ignores ``baseline`` (its background is the baseline)
    assert_allclose(completeness_gap(ex, X, attributions=phi, baseline=1.0), [3.0, 1.0])
    assert_allclose(completeness_gap(ex, X, attributions=phi, relative=True), [1.5, 0.5])


def test_ssim_of_small_attributions_is_scale_free_and_silent():
    skm = pytest.importorskip("skimage.metrics")
    rng = np.random.RandomState(3)
    A, B = 0.01 * rng.normal(size=(2, 2, 8, 8)), 0.003 * rng.normal(size=(2, 2, 8, 8))  # spans below 1
    ref = [skm.structural_similarity(_by_hand_map(a), _by_hand_map(b), data_range=1.0, win_size=7)
           for a, b in zip(A, B, strict=True)]
    assert_allclose(ssim_similarity(A, B), ref, rtol=1e-12)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a constant map is all zeros, without a 0/0 warning
        ssim_similarity(np.full((1, 8, 8), 2.0), A[:1, 0])


def test_ssim_errors_name_the_shape_and_the_missing_package(monkeypatch):
    pytest.importorskip("skimage.metrics")
    with pytest.raises(ValueError, match=r"Maps of shape \(2, 5\) are too small for SSIM \(3x3 at least\)"):
        ssim_similarity(np.ones((1, 2, 5)), np.ones((1, 2, 5)))
    import sys

    monkeypatch.setitem(sys.modules, "skimage.metrics", None)  # as if scikit-image were not installed
    with pytest.raises(ImportError, match=r"^ssim_similarity needs scikit-image \(pip install scikit-image\)\.$"):
        ssim_similarity(np.ones((1, 8, 8)), np.ones((1, 8, 8)))
