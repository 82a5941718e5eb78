"""Coverage of phi +/- 1.96 std on game shapes the calibration tests do not hold (issue 14).

A max game, a piecewise-constant rounded count of thresholds, a min of three features beside a
linear part, and a scaled logistic regression pipeline; exact values by brute force over all
2**10 coalitions (tests/shapley/test_calibration.py). Issue 14's settings: KernelSHAP at 40,
100 and 300 coalitions with ``max_order="auto"``, permutation sampling with 4 and 10
permutations. ``benchmarks/probe_reviewer_games.py`` measures them over 25 seeds
(``benchmarks/results/calibration.md``, "Games nobody calibrated, at issue 14's settings"). Permutation sampling at 10
permutations on a product game and on the pipeline with 6 background rows, whose pairs' means
are skewed, covered 0.868 and 0.861 here until the row's pooled skewness widened the interval
(0.921 since, and 0.896: still a strict xfail; tests/shapley/test_audit3_skewed_pairs.py).
"""

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skxai import KernelShapExplainer, ShapleySamplingExplainer
from tests.shapley.test_calibration import brute_force_shapley

P = 10
SEEDS = 6


def _callables():
    rng = np.random.RandomState(7)
    thresholds = rng.normal(scale=0.5, size=P)
    weights = rng.choice([1.0, 2.0], size=P)
    return {
        "max": lambda A: A.max(axis=1),
        "steps": lambda A: np.floor((A > thresholds) @ weights / 3.0),
        "min3": lambda A: np.minimum(np.minimum(A[:, 0], A[:, 1]), A[:, 2]) + 0.3 * A[:, 3:].sum(axis=1),
    }


def _scaled_logistic():
    """Pipeline(StandardScaler, LogisticRegression) on 10 breast-cancer features: (f, X, bg)."""
    Xb, yb = load_breast_cancer(return_X_y=True)
    Xb = Xb[:, :P]
    model = make_pipeline(StandardScaler(), LogisticRegression(C=10, max_iter=2000)).fit(Xb, yb)
    idx = np.random.RandomState(3).permutation(len(Xb))
    return lambda A: model.predict_proba(A)[:, 1], Xb[idx[6:16]], Xb[idx[:6]]


@pytest.fixture(scope="module")
def problems():
    """The three callables and the logistic pipeline, with their exact values."""
    rng = np.random.RandomState(11)
    X, bg = rng.normal(size=(10, P)), rng.normal(size=(6, P))
    out = [(f, X, bg) for f in _callables().values()] + [_scaled_logistic()]
    return [(f, X, bg, brute_force_shapley(f, X, bg)) for f, X, bg in out]


def _coverage(make, problems, seeds=SEEDS):
    hit = n = 0
    sq_err = sq_std = 0.0
    for f, X, bg, exact in problems:
        scale = np.abs(exact).max()
        for seed in range(seeds):
            exp = make(f, seed).fit(bg).explain(X)
            phi, std = exp.values[..., 0], exp.std[..., 0]
            err = np.abs(phi - exact)
            live = ~((err < 1e-9 * scale) & np.isfinite(std))  # exact values: covered by any std
            hit += (err[live] <= 1.96 * std[live]).sum()
            n += live.sum()
            sq_err += (err[live] ** 2).sum()
            sq_std += (std[live] ** 2).sum()
    return hit / n, np.sqrt(sq_err / sq_std)


@pytest.mark.parametrize("n_samples", [40, 100, 300])
def test_kernel_shap_covers_unseen_shapes(problems, n_samples):
    cov, ratio = _coverage(
        lambda f, s: KernelShapExplainer(f, n_samples=n_samples, max_background=None, random_state=s), problems
    )
    # 0.868 and 0.864 before the skewness widening, 0.921 and 0.901 with it
    assert cov >= 0.90, cov
    # a std not divided by the units' count would read far below these (0.35-0.7 measured)
    assert ratio > 0.25, ratio


@pytest.mark.parametrize("n_permutations", [4, 10])
def test_sampling_covers_unseen_shapes(problems, n_permutations):
    # the callables only: the logistic pipeline on 6 background rows is a known limit (below)
    cov, ratio = _coverage(
        lambda f, s: ShapleySamplingExplainer(f, n_permutations=n_permutations, max_background=None, random_state=s),
        problems[:3],
    )
    # 0.868 and 0.864 before the skewness widening, 0.921 and 0.901 with it
    assert cov >= 0.90, cov
    if n_permutations >= 10:
        assert ratio > 0.45, ratio


def _product():
    rng = np.random.RandomState(7)
    Xc = rng.normal(size=(24, P))

    def product(A):
        return np.prod(1.0 + 0.8 * np.tanh(A), axis=1)

    return product, Xc[12:24], Xc[:12]


def _sampling_coverage_at_ten_permutations(make, seeds):
    f, X, bg = make()
    cov, _ = _coverage(
        lambda g, s: ShapleySamplingExplainer(g, n_permutations=10, max_background=None, random_state=s),
        [(f, X, bg, brute_force_shapley(f, X, bg))],
        seeds=seeds,
    )
    return cov


def test_sampling_covers_skewed_pair_means_at_ten_permutations():
    # the pairs' means are skewed away from zero (median |skewness| 2): 0.868 before the row's
    # pooled skewness widened the interval, 0.921 with it, 0.940 with it adjusted
    cov = _sampling_coverage_at_ten_permutations(_product, seeds=10)
    assert cov >= 0.90, cov


def test_sampling_covers_skewed_pipeline_on_six_rows_at_ten_permutations():
    # the pipeline predicts its 6 background rows 0.00 and 0.92-1.00: pairs' means of |skewness|
    # 1.1; 0.861 before the skewness widening, 0.896 with the plain sample skewness, 0.906 with
    # the Fisher-Pearson adjusted one
    cov = _sampling_coverage_at_ten_permutations(_scaled_logistic, seeds=30)
    assert cov >= 0.90, cov
