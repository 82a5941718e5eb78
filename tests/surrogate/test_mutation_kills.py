"""Tests written to kill the mutants of the LIME engine that survived `tools/mutation.sh` (issue 17).

References are closed forms and a weighted ridge solved here from the normal equations.
"""

import numpy as np
import pytest

from skxai._lime_engine import cosine_distance, euclidean_distance, fit_surrogate, lime_kernel, removal_masks


def hand_ridge(Z, Y, w, alpha):
    """Weighted ridge with an unpenalised intercept, and its weighted R^2, from the normal equations."""
    D = np.hstack([np.ones((len(Z), 1)), Z])
    P = alpha * np.eye(D.shape[1])
    P[0, 0] = 0.0
    beta = np.linalg.solve(D.T @ (D * w[:, None]) + P, D.T @ (Y * w))
    resid = Y - D @ beta
    ybar = w @ Y / w.sum()
    r2 = 1 - w @ resid**2 / (w @ (Y - ybar) ** 2)
    return beta[1:], beta[0], r2


def test_distances_are_the_closed_forms():
    keep = np.array([[1, 1, 1, 1], [1, 0, 1, 1], [0, 0, 1, 0], [0, 0, 0, 0]], dtype=bool)
    np.testing.assert_allclose(euclidean_distance(keep), [0.0, 1.0, np.sqrt(3.0), 2.0])
    np.testing.assert_allclose(cosine_distance(keep), 100 * (1 - np.sqrt([1.0, 0.75, 0.25, 0.0])))
    # integer 0/1 input means the same
    np.testing.assert_allclose(euclidean_distance(keep.astype(int)), [0.0, 1.0, np.sqrt(3.0), 2.0])
    np.testing.assert_allclose(cosine_distance(keep.astype(int)), 100 * (1 - np.sqrt([1.0, 0.75, 0.25, 0.0])))


def test_kernel_is_the_square_root_of_the_exponential():
    d = np.array([0.0, 0.5, 1.0, 2.5])
    for width in (0.7, 1.0, 3.0):
        np.testing.assert_allclose(lime_kernel(d, width), np.exp(-(d**2) / (2 * width**2)), rtol=1e-13)
    np.testing.assert_allclose(lime_kernel([0, 3], 2), [1.0, np.exp(-9 / 8)], rtol=1e-13)  # integer width


@pytest.mark.parametrize("alpha", [0.0, 0.4, 3.0])
def test_surrogate_is_the_kernel_weighted_ridge(alpha):
    rng = np.random.RandomState(0)
    keep = removal_masks(4, 60, rng)
    Z = keep.astype(float)
    Y = np.stack([np.sin(Z @ [1.0, 2.0, -1.0, 0.5]) + Z[:, 0] * Z[:, 2], (Z @ [0.3, 0.0, 1.0, -2.0]) ** 2], axis=1)
    d = np.sqrt((~keep).sum(axis=1))
    width = 1.3
    w = np.sqrt(np.exp(-(d**2) / width**2))
    coef, intercept, r2 = fit_surrogate(keep, d, width, Y, alpha)
    for r in range(2):
        c, b, s = hand_ridge(Z, Y[:, r], w, alpha)
        np.testing.assert_allclose(coef[:, r], c, atol=1e-10)
        np.testing.assert_allclose(intercept[r], b, atol=1e-10)
        np.testing.assert_allclose(r2[r], s, atol=1e-10)


def test_design_rows():
    rng = np.random.RandomState(3)
    one = removal_masks(5, 1, rng)
    assert one.shape == (1, 5) and one.all()
    for seed in range(20):
        two = removal_masks(5, 2, np.random.RandomState(seed))
        assert two[0].all() and 1 <= (~two[1]).sum() <= 5
    keep = removal_masks(1, 50, np.random.RandomState(0))  # one unit: every other row removes it
    assert keep[0, 0] and not keep[1:].any()


def test_design_removes_each_unit_equally_often_and_independently_of_its_position():
    keep = removal_masks(6, 6001, np.random.RandomState(0))[1:]
    # k uniform on 1..6 then k units uniform: each unit removed with probability E[k]/6 = 7/12
    frac = (~keep).mean(axis=0)
    np.testing.assert_allclose(frac, 7 / 12, atol=0.03)
    # given k removed, every pair of units is removed together with probability k(k-1)/30
    removed = (~keep).sum(axis=1)
    rows = removed == 3
    both = (~keep[rows][:, 0]) & (~keep[rows][:, 5])
    assert both.mean() == pytest.approx(3 * 2 / 30, abs=0.05)
