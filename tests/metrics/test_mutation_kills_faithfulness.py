"""Kill tests for the survivors of ``skxai/metrics/_faithfulness.py`` (issue 17, mutF).

The correlation of rows of any scale, the documented defaults (50 subsets, 1-pixel units, a fixed
seed), every option passed on to the view (patch size, baseline, blur width, channel reduction,
``n_jobs``) and the error messages. References: ``np.corrcoef``, hand-made attributions that are
exact (the drop of a linear model, correlation 1) under one option and not under the other, scipy's
``gaussian_filter1d`` with the documented border rule (``mode="nearest"``).
"""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose

from skxai.metrics import faithfulness_correlation
from skxai.metrics._faithfulness import resolve_subset_size, row_pearson
from tests.metrics._linear import linear_explainer


def test_pearson_of_rows_of_small_scale_is_numpys():
    # denominators below 1 (small spreads) must still divide
    rng = np.random.RandomState(1)
    a, b = 1e-3 * rng.normal(size=(3, 5)), 1e-2 * rng.normal(size=(3, 5))
    ref = [np.corrcoef(x, y)[0, 1] for x, y in zip(a, b, strict=True)]
    assert_allclose(row_pearson(a, b), ref, rtol=1e-12)
    assert_allclose(row_pearson(np.array([[0.0, 0.1, 0.2]]), np.array([[0.0, 0.1, 0.3]])),
                    [np.corrcoef([0, 0.1, 0.2], [0, 0.1, 0.3])[0, 1]], rtol=1e-12)


def test_pearson_of_a_constant_row_is_zero_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no 0/0 on the way to the 0
        got = row_pearson(np.array([[1.0, 1.0, 1.0], [1.0, 2.0, 3.0]]), np.array([[1.0, 2.0, 4.0], [2.0, 2.0, 2.0]]))
    assert_allclose(got, [0.0, 0.0])


def test_integer_parameter_errors_name_the_parameter():
    with pytest.raises(ValueError, match=r"^subset_size must be a positive integer, got 0\.$"):
        resolve_subset_size(0, 5)
    w = np.ones(4)
    ex = linear_explainer(w, (1, 4))
    X = np.ones((1, 1, 4))
    with pytest.raises(ValueError, match=r"^n_subsets must be a positive integer, got 0\.$"):
        faithfulness_correlation(ex, X, attributions=X, n_subsets=0)
    # n_jobs reaches the chunk runner, which refuses 0
    with pytest.raises(ValueError, match=r"^n_jobs must be None or a non-zero integer \(joblib's\), got 0\.$"):
        faithfulness_correlation(ex, X, attributions=X, n_jobs=0)


def test_default_is_50_subsets_of_single_pixels_with_a_fixed_seed():
    # 2 x 2 image, f = w . x, removal to zeros: the drop of a subset S is sum_S w x, the exact
    # attribution of each pixel is w x, so the correlation is 1 with 1-pixel units (4 units, subsets of
    # 2 that vary). With 2 x 2 patches there would be one unit, one subset, and a correlation of 0.
    w = np.array([1.0, 2.0, 3.0, 5.0])
    ex = linear_explainer(w, (1, 2, 2))
    X = np.array([[[[1.0, 2.0], [-1.0, 0.5]]]])
    phi = X * w.reshape(1, 1, 2, 2)
    f = ex.estimator
    f.rows.clear()
    assert_allclose(faithfulness_correlation(ex, X, attributions=phi), [1.0], rtol=1e-12)
    assert sum(f.rows) - 1 == 50  # f(x) once, then one masked row per subset
    # the fixed seed: a wrong explanation scores the same as with random_state=0, not as with 1
    wrong = np.array([[[[3.0, -1.0], [0.5, 2.0]]]])
    got = faithfulness_correlation(ex, X, attributions=wrong)
    assert got == faithfulness_correlation(ex, X, attributions=wrong, random_state=0)
    assert got != faithfulness_correlation(ex, X, attributions=wrong, random_state=1)


def test_patch_size_makes_the_units():
    # 2 x 4 image in two 2 x 2 patches. Attributions that put each patch's whole drop on its first
    # pixel are exact per patch (correlation 1), not per pixel.
    w = np.arange(1.0, 9.0)
    ex = linear_explainer(w, (1, 2, 4))
    X = np.array([[[[1.0, 2.0, 0.5, -1.0], [3.0, -2.0, 1.0, 2.0]]]])
    drop = X * w.reshape(1, 1, 2, 4)
    phi = np.zeros_like(X)
    phi[0, 0, 0, 0] = drop[0, 0, :, :2].sum()
    phi[0, 0, 0, 2] = drop[0, 0, :, 2:].sum()
    got = faithfulness_correlation(ex, X, attributions=phi, patch_size=2, n_subsets=20, subset_size=1)
    assert_allclose(got, [1.0], rtol=1e-12)
    assert faithfulness_correlation(ex, X, attributions=phi, n_subsets=20)[0] < 0.99  # pixels


def test_baseline_and_blur_width_are_those_given():
    from scipy.ndimage import gaussian_filter1d

    # f = w . x on a signal (1, 1, 8); removing S to the baseline b drops sum_S w (x - b): the
    # attributions w (x - b) are exact for that b only.
    w = np.array([1.0, -2.0, 3.0, 0.5, 2.0, -1.0, 4.0, 1.5])
    ex = linear_explainer(w, (1, 8))
    X = np.array([[[0.0, 3.0, 9.0, -2.0, 1.0, 0.0, 4.0, 6.0]]])
    for kw, b in [({"baseline": 0.5}, np.full(8, 0.5)),
                  ({"baseline": "blur"}, gaussian_filter1d(X[0, 0], 5.0, mode="nearest")),  # default width 5
                  ({"baseline": "blur", "blur_sigma": 1.0}, gaussian_filter1d(X[0, 0], 1.0, mode="nearest"))]:
        phi = (w * (X[0, 0] - b))[None, None]
        assert_allclose(faithfulness_correlation(ex, X, attributions=phi, n_subsets=30, **kw), [1.0], rtol=1e-10)
        zeros = faithfulness_correlation(ex, X, attributions=phi, n_subsets=30)  # against zeros instead
        assert zeros[0] < 0.999


def test_channel_reduction_is_the_one_given():
    # The model reads channel 0 only: the drop of pixel u is t_u = w_u x_0u > 0. Attributions t on
    # channel 0 and -2 t on channel 1: their sum is -t (correlation -1), their absolute sum 3 t (1).
    w = np.concatenate([np.array([1.0, 2.0, 3.0, 4.0, 0.5, 1.5]), np.zeros(6)])
    ex = linear_explainer(w, (2, 6))
    X = np.array([[[1.0, 2.0, 1.5, 0.5, 3.0, 1.0], [1.0, 1.0, 1.0, 1.0, 1.0, 1.0]]])
    t = w[:6] * X[0, 0]
    phi = np.stack([t, -2 * t])[None]
    assert_allclose(faithfulness_correlation(ex, X, attributions=phi, n_subsets=20), [-1.0], rtol=1e-12)
    assert_allclose(faithfulness_correlation(ex, X, attributions=phi, n_subsets=20, channel_reduction="abs_sum"),
                    [1.0], rtol=1e-12)
