"""The conditional game's Monte Carlo error: coverage of the reported ``std`` against closed forms.

A linear model on correlated Gaussian data (4 features), explained with ``game="conditional"``
and the Gaussian sampler: its conditional Shapley values are known in closed form (the
regression of the absent features on the present ones, with the background's mean and
covariance). Exact enumeration and KernelSHAP at a budget covering every coalition have no
coalition-sampling error, so their whole error is the sampler's; permutation sampling (6
permutations) has both. Coverage of ``+-1.96 std`` over rows x seeds, and RMS error / RMS std.

    python benchmarks/probe_conditional_error.py [--seeds 100]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from sklearn.linear_model import LinearRegression

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from skxai import ExactShapleyExplainer, KernelShapExplainer, ShapleySamplingExplainer  # noqa: E402
from tests.shapley.test_conditional import gaussian_conditional_linear_value, permutation_shapley  # noqa: E402


def closed_form(coef, intercept, mu, cov, x):
    """Conditional Shapley values of a linear model on Gaussian data (the tests' reference)."""
    return permutation_shapley(
        lambda S: gaussian_conditional_linear_value(coef, intercept, mu, cov, x, S), len(mu)
    )


def problem():
    rng = np.random.RandomState(0)
    A = rng.normal(size=(4, 4))
    cov = A @ A.T + 0.3 * np.eye(4)
    X = rng.multivariate_normal(np.array([1.0, -2.0, 0.5, 0.0]), cov, size=400)
    model = LinearRegression().fit(X, X @ np.array([1.5, -2.0, 0.7, 3.0]) + 0.25)
    rows = X[:10]
    mu, S = X.mean(axis=0), np.cov(X.T)
    exact = np.stack([closed_form(model.coef_, model.intercept_, mu, S, x) for x in rows])
    return X, model, rows, exact


def coverage(make, X, rows, exact, seeds):
    hits = n = 0
    num = den = 0.0
    for seed in range(seeds):
        exp = make(seed).fit(X).explain(rows)
        err, std = np.abs(exp.values[..., 0] - exact), exp.std[..., 0]
        hits += (err <= 1.96 * std).sum()
        n += err.size
        num += (err**2).sum()
        den += (std**2).sum()
    return hits / n, np.sqrt(num / den)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=100)
    args = ap.parse_args()
    X, model, rows, exact = problem()
    print("| explainer | n_conditional_samples | coverage of +-1.96 std | RMS error / RMS std |")
    print("|---|---:|---:|---:|")
    for K in (10, 100, 1000):
        common = dict(game="conditional", n_conditional_samples=K, max_background=None)
        for name, cls, kw in [
            ("ExactShapleyExplainer", ExactShapleyExplainer, {}),
            ("KernelShapExplainer n_samples=16", KernelShapExplainer, dict(n_samples=16)),
            ("ShapleySamplingExplainer n_permutations=6", ShapleySamplingExplainer, dict(n_permutations=6)),
        ]:
            cov, ratio = coverage(lambda s, cls=cls, kw=kw, common=common: cls(model, random_state=s, **kw, **common),
                                  X, rows, exact, args.seeds)
            print(f"| {name} | {K} | {cov:.3f} | {ratio:.2f} |", flush=True)


if __name__ == "__main__":
    main()
