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
import itertools
import math

import numpy as np
from sklearn.linear_model import LinearRegression

from skxai import ExactShapleyExplainer, KernelShapExplainer, ShapleySamplingExplainer


def closed_form(coef, intercept, mu, cov, x):
    p = len(mu)

    def v(S):
        S = sorted(S)
        R = [j for j in range(p) if j not in S]
        filled = np.array(x, dtype=float) if S else mu.copy()
        if S and R:
            filled[R] = mu[R] + cov[np.ix_(R, S)] @ np.linalg.solve(cov[np.ix_(S, S)], x[S] - mu[S])
        return float(coef @ filled + intercept)

    phi = np.zeros(p)
    for order in itertools.permutations(range(p)):
        S = frozenset()
        for j in order:
            phi[j] += v(S | {j}) - v(S)
            S = S | {j}
    return phi / math.factorial(p)


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
