"""BarDisplay's error bars for the conditional game's Gaussian draws (audit 4, acc14)."""

import matplotlib

matplotlib.use("Agg")

import warnings

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression

from skxai import ExactShapleyExplainer
from skxai.plot import BarDisplay


def _gaussian_closed_form(ex, coef, intercept, x):
    """Conditional Shapley values of a linear model under the background's Gaussian."""
    from itertools import combinations
    from math import factorial

    bg, w = ex.background_, ex.background_weights_
    mu = w @ bg
    c = bg - mu
    cov = (c * w[:, None]).T @ c / (1 - w @ w)
    p = len(mu)

    def v(S):
        S = list(S)
        R = [j for j in range(p) if j not in S]
        if not S:
            return intercept + coef @ mu
        cond = mu[R] + cov[np.ix_(R, S)] @ np.linalg.solve(cov[np.ix_(S, S)], x[S] - mu[S])
        return intercept + coef[S] @ x[S] + coef[R] @ cond

    phi = np.zeros(p)
    for i in range(p):
        others = [j for j in range(p) if j != i]
        for k in range(p):
            for S in combinations(others, k):
                weight = factorial(k) * factorial(p - k - 1) / factorial(p)
                phi[i] += weight * (v(tuple(sorted(S + (i,)))) - v(S))
    return phi


def test_bar_error_bars_hold_when_every_row_shares_the_conditional_draws():
    # The Gaussian sampler draws one standard-normal matrix for every row (common random
    # numbers), so the rows' Monte Carlo errors are correlated (identical for a linear model):
    # the bar's sqrt(sum_i std_i^2) / n, which takes them as independent, was sqrt(n) too small
    # and its +-1.96 bars held the true mean |value| in about half of the cases.
    pytest.importorskip("matplotlib")
    import matplotlib.pyplot as plt

    rng = np.random.RandomState(0)
    cov = np.array([[1.0, 0.6, 0.3], [0.6, 2.0, -0.4], [0.3, -0.4, 0.5]])
    X = rng.multivariate_normal([1.0, -2.0, 0.5], cov, size=400)
    model = LinearRegression().fit(X, X @ [1.0, 0.5, -2.0] + 3.0)
    Xe = X[:12] + np.array([3.0, -4.0, 2.0])  # every value of each feature has one sign
    hits = []
    for seed in range(20):
        ex = ExactShapleyExplainer(
            model, game="conditional", n_conditional_samples=16, max_background=400, random_state=seed
        ).fit(X)
        exp = ex.explain(Xe)
        truth = np.array([_gaussian_closed_form(ex, model.coef_, model.intercept_, x) for x in Xe])
        disp = BarDisplay.from_explanation(exp, error_bars=True)
        plt.close("all")
        actual = np.abs(exp.values[:, :, 0]).mean(axis=0) - np.abs(truth).mean(axis=0)
        hits.append(np.abs(actual) <= 1.96 * np.asarray(disp.std))
    assert np.mean(hits) >= 0.9, np.mean(hits)


@pytest.mark.parametrize(
    "params, shared",
    [
        ({"game": "conditional"}, True),
        ({"game": "conditional", "conditional_sampler": "empirical"}, False),
        ({"game": "conditional", "conditional_sampler": lambda xs, S, n, rs: rs.normal(size=(n, 6 - len(S)))}, False),
        ({}, False),
    ],
)
def test_rows_that_share_draws_say_so(params, shared):
    # The exact explainer's only error is the conditional game's: the callable sampler seeds
    # each row from its values, the empirical one does not draw, and the interventional game
    # has no Monte Carlo error. KernelSHAP and permutation sampling fit every row on the same
    # coalitions / permutations, whatever the game: their rows' errors are always shared.
    from skxai import KernelShapExplainer, ShapleySamplingExplainer

    rng = np.random.RandomState(1)
    X = rng.normal(size=(60, 6))
    model = LinearRegression().fit(X, X.sum(axis=1))
    # budgets that sample (all 64 coalitions would be exact, with no sampling error)
    budgets = {
        ExactShapleyExplainer: {},
        KernelShapExplainer: {"n_samples": 20},
        ShapleySamplingExplainer: {"n_permutations": 4},
    }
    for cls, budget in budgets.items():
        extra = dict(n_conditional_samples=16, **params) if params else {}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the small budgets' warnings
            exp = cls(model, random_state=0, **budget, **extra).fit(X).explain(X[:3])
        expected = shared if cls is ExactShapleyExplainer else True
        assert exp.extras.get("std_rows_correlated", False) is expected, cls.__name__


@pytest.mark.parametrize("explainer", ["kernel", "sampling"])
def test_bar_error_bars_hold_for_a_booster_whose_rows_share_the_design(explainer):
    # KernelSHAP's coalitions and sampling's permutations are drawn once for every row, and the
    # bar shows mean |value|: as independent errors, sqrt(sum_i std_i^2) / n, its 95% bars held
    # 0.84 (KernelSHAP, 64 coalitions) and 0.91 (10 permutations) of the exact mean |value| of a
    # gradient boosting regressor over 20 rows (an outside audit, session 26).
    pytest.importorskip("matplotlib")
    import matplotlib.pyplot as plt
    from sklearn.datasets import load_diabetes
    from sklearn.ensemble import GradientBoostingRegressor

    from skxai import KernelShapExplainer, ShapleySamplingExplainer

    X, y = load_diabetes(return_X_y=True)
    X = X[:, :8]
    model = GradientBoostingRegressor(n_estimators=100, max_depth=3, random_state=0).fit(X, y)
    bg, Xe = X[:25], X[100:120]
    truth = ExactShapleyExplainer(model, max_background=25).fit(bg).explain(Xe).values[:, :, 0]
    hits = []
    for seed in range(30):
        if explainer == "kernel":
            ex = KernelShapExplainer(model, n_samples=64, max_order=1, max_background=25, random_state=seed)
        else:
            ex = ShapleySamplingExplainer(model, n_permutations=10, max_background=25, random_state=seed)
        exp = ex.fit(bg).explain(Xe)
        disp = BarDisplay.from_explanation(exp, error_bars=True, max_display=20)
        plt.close("all")
        err = np.asarray(disp.importances) - np.abs(truth).mean(axis=0)
        hits.append(np.abs(err) <= 1.96 * np.asarray(disp.std))
    assert np.mean(hits) >= 0.95, np.mean(hits)


def test_report_caption_says_the_global_bars_are_a_bound_where_rows_share_draws():
    # the report's caption called the bar's error bars "+-1 standard error of the estimates"
    # where the bar draws the mean of the errors, a bound (the rows share KernelSHAP's design)
    from sklearn.datasets import load_diabetes
    from sklearn.ensemble import GradientBoostingRegressor

    from skxai import KernelShapExplainer
    from skxai.report import make_report

    X, y = load_diabetes(return_X_y=True)
    model = GradientBoostingRegressor(n_estimators=20, random_state=0).fit(X, y)
    ex = KernelShapExplainer(model, n_samples=200, random_state=0).fit(X[:40])
    html = make_report(ex, X[:6], n_local=1, metrics=False).html
    assert "at most \u00b11 standard error of the mean" in html
    # the waterfall of one sample keeps its own errors' caption
    assert "\u00b11 standard error of the estimates" in html
