"""Audit of the conditional game and of ``tol`` (early stop on the reported errors).

Each test pins a case where the numbers, their errors or the stopping rule were wrong, and
fails without its fix.
"""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression

from skxai import KernelShapExplainer
from tests._enumeration import assert_rounding_only


@pytest.fixture(scope="module")
def correlated_linear():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 4))
    X[:, 1] += X[:, 0]
    return X, LinearRegression().fit(X, X @ [1.0, 2.0, 3.0, 4.0])


def test_tol_missed_by_the_monte_carlo_error_warns_when_the_budget_covers_every_coalition(correlated_linear):
    """KernelSHAP at ``n_samples >= 2**p`` enumerates every coalition: on the conditional game the
    values still carry the sampler's error, which ``tol`` must be checked on. A tol the error
    misses (1.96 std was 0.28 of the row's largest value for tol=1e-4) returned silently."""
    X, model = correlated_linear
    est = KernelShapExplainer(model, n_samples=16, game="conditional", n_conditional_samples=16, tol=1e-4,
                              random_state=0).fit(X)
    with pytest.warns(ConvergenceWarning, match="n_conditional_samples"):
        exp = est.explain(X[:3])
    assert np.max(1.96 * exp.std / np.abs(exp.values).max(axis=1, keepdims=True)) > 1e-4
    # met: no warning; the interventional game is exact there (std 0): no warning either
    for game, tol in (("conditional", 10.0), ("interventional", 1e-4)):
        est.set_params(game=game, tol=tol).fit(X)
        with warnings.catch_warnings():
            warnings.simplefilter("error", ConvergenceWarning)
            est.explain(X[:3])


@pytest.mark.parametrize("p, n_permutations", [(2, 4), (2, 8), (3, 6), (4, 24)])
def test_permutations_that_walk_every_order_equally_report_exact_values(p, n_permutations):
    """On 2 players every antithetic pair walks both orders, and distinct pairs reaching
    ``p!`` permutations walk every order once: the values are the Shapley values themselves.
    Their std was reported as 2.9 (2 players, 4 permutations), 0.69 (3 players, 6), so that no
    tol could ever be met and the warning claimed it was not."""
    from skxai import ExactShapleyExplainer, ShapleySamplingExplainer

    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, p))

    def f(A):
        return np.prod(np.tanh(A), axis=1) + A[:, 0] ** 2 * A[:, -1]

    truth = ExactShapleyExplainer(f, max_background=None).fit(X).transform(X[:3])
    est = ShapleySamplingExplainer(f, n_permutations=n_permutations, max_background=None, tol=0.01,
                                   random_state=0).fit(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        exp = est.explain(X[:3])
    np.testing.assert_allclose(exp.values[..., 0], truth, atol=1e-12)
    assert_rounding_only(exp.std, np.abs(exp.outputs).max() + np.abs(exp.base_values).max())
