"""KernelSHAP below the budget that enumerates the one-player coalitions (an outside audit, session 23).

There the single players' coalitions are sampled pairs among others, and the linear fit often
interpolates every sampled pair although the game is not additive: every jackknife replicate
agrees and the spread is zero, while the values are off by up to 0.7 (an ignored feature got
-2.1 with std 4e-13). The rule that took such zero spreads for unknown errors held only at 1-2
residual degrees of freedom; these had 3-5. ``tol`` then stopped at its first quarter step on
those values as if they had converged.
"""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.tree import DecisionTreeRegressor

from skxai import ExactShapleyExplainer, KernelShapExplainer
from skxai._estimate import linear_unproven_zero_errors_message

P = 10
rng = np.random.RandomState(0)
BG = rng.normal(size=(12, P))
ROWS = rng.normal(size=(6, P))


def sparse(A):  # three live features, seven ignored ones
    return (np.sin(2 * A[:, 0]) * A[:, 1] + A[:, 0] * A[:, 1] * A[:, 2] + np.exp(-((A[:, 2] - A[:, 1]) ** 2)))[:, None]


def _tree():
    A = np.random.RandomState(3).normal(size=(300, P))
    y = np.sin(2 * A[:, 0]) * A[:, 1] + A[:, 0] * A[:, 1] * A[:, 2] + (A[:, 3] > 0)
    return DecisionTreeRegressor(max_depth=3, random_state=0).fit(A, y)


@pytest.mark.parametrize("n_samples", [26, 28])  # 3 and 4 residual degrees of freedom
@pytest.mark.parametrize("game", ["sparse", "tree"])
def test_no_zero_error_on_a_value_that_is_off(game, n_samples):
    model = sparse if game == "sparse" else _tree()
    exact = ExactShapleyExplainer(model, max_background=None).fit(BG).explain(ROWS).values
    scale = np.abs(exact).max()
    zero_but_off = finite = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for seed in range(15):
            ex = KernelShapExplainer(model, n_samples=n_samples, max_order=1, max_background=None,
                                     random_state=seed).fit(BG).explain(ROWS)
            err, std = np.abs(ex.values - exact), ex.std
            zero_but_off += int(((std < 1e-9 * scale) & (err > 1e-6 * scale)).sum())
            finite += int(np.isfinite(std).sum())
    assert zero_but_off == 0
    assert finite > 0  # the rule leaves the values with a real spread their errors


def test_once_the_single_players_are_enumerated_an_exact_value_keeps_its_zero_error():
    def linear(A):
        return (A @ np.arange(1.0, P + 1))[:, None]

    # (this budget samples 4 pairs beside the one-player coalitions: it warns that so few make
    # unstable errors, not that a zero error is unproven)
    with pytest.warns(UserWarning, match="n_samples=30 samples 4 coalition pairs of 10 features beside"):
        ex = KernelShapExplainer(linear, n_samples=30, max_order=1, max_background=None, random_state=0)
        ex = ex.fit(BG).explain(ROWS)
    assert np.all(ex.std < 1e-12 * np.abs(ex.values).max())  # rounding, not inf
    below = KernelShapExplainer(linear, n_samples=28, max_order=1, max_background=None, random_state=0)
    with pytest.warns(UserWarning, match="n_samples=28 samples the one-player coalitions of 10 features"):
        below.fit(BG)
    assert np.all(np.isinf(below.explain(ROWS).std))


@pytest.mark.parametrize("p, budget, enough", [(10, 22, 30), (10, 28, 30), (6, 14, 18), (12, 34, 36)])
def test_the_fit_warns_below_the_budget_that_enumerates_the_single_players(p, budget, enough):
    message = linear_unproven_zero_errors_message("auto", p, budget)
    assert f"n_samples={budget} samples the one-player coalitions of {p} features" in message
    # the advice: a budget that enumerates them and samples enough pairs beside them
    from skxai._estimate import _enough_pairs_budget

    advised = _enough_pairs_budget(p, budget)
    assert advised > enough
    assert f"n_samples={advised} enumerates them and samples 8 pairs" in message
    assert linear_unproven_zero_errors_message("auto", p, enough) is None
    assert linear_unproven_zero_errors_message(3, p, budget) is None  # not a linear fit
    assert linear_unproven_zero_errors_message("auto", 3, 8) is None  # every coalition


def test_tol_does_not_stop_on_an_unproven_zero_spread():
    exact = ExactShapleyExplainer(sparse, max_background=None).fit(BG).explain(ROWS[2:3]).values
    for seed in (6, 31):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            ex = KernelShapExplainer(sparse, n_samples=104, tol=1e-3, max_background=None,
                                     random_state=seed).fit(BG).explain(ROWS[2:3])
        converged = not any(issubclass(w.category, ConvergenceWarning) for w in caught)
        if converged:  # then its promise holds: every error within tol of the row's largest value
            assert np.all(np.abs(ex.values - exact) <= 1e-3 * np.abs(ex.values).max() * 1.5)
        else:
            assert ex.extras["n_evaluations"] > 26
