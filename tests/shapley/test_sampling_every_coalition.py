"""Permutation sampling whose permutations have visited every coalition returns the exact
values (no model call more), with std 0; ``tol`` then needs no more permutations (it warned
"raise n_permutations", which could not help)."""

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from skxai import ExactShapleyExplainer, ShapleySamplingExplainer
from tests._enumeration import assert_rounding_only


def game(A):
    return A[:, 0] * A[:, 1] * A[:, 2] + np.sin(A[:, 1])


def test_sampling_that_visited_every_coalition_is_exact():
    rng = np.random.RandomState(0)
    bg, X = rng.normal(size=(4, 3)), rng.normal(size=(5, 3))
    exact = ExactShapleyExplainer(game, max_background=None).fit(bg).explain(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        est = ShapleySamplingExplainer(game, n_permutations=40, tol=1e-9, max_background=None,
                                       random_state=0).fit(bg).explain(X)
    np.testing.assert_allclose(est.values, exact.values, atol=1e-12)
    assert_rounding_only(est.std, np.abs(est.outputs).max() + np.abs(est.base_values).max())


def test_sampling_that_missed_a_coalition_is_an_estimate():
    rng = np.random.RandomState(0)
    bg, X = rng.normal(size=(4, 6)), rng.normal(size=(5, 6))
    est = ShapleySamplingExplainer(game, n_permutations=4, max_background=None, random_state=0).fit(bg).explain(X)
    assert np.all(est.std[:, :3] > 0)
