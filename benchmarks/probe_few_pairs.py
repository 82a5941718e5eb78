"""KernelSHAP with 4-7 sampled pairs beside the enumerated one-player coalitions (session 27,
issue 14): coverage of ``phi +/- 1.96 std`` against exact values, with no tolerance.

Four models on 10 standardised features (an outside audit's games): a HistGradientBoosting
classifier of wine, a saturating logistic regression on breast_cancer (``predict_proba``, class
1), a 7-NN classifier on breast_cancer, and a tanh network (torch, float32, random weights
doubled). 15 background rows, 6 explained rows, 20 seeds; exact values by
``ExactShapleyExplainer``. Budgets 30-38 sample 4-8 pairs. ``--synthetic`` runs a boosted
regressor and an MLP on 8, 12 and 14 generated features at ``3 p``, ``3 p + 4`` and
``3 p + 8`` (10 background rows, 5 explained rows). Infinite errors are left out. Run on the
code before through ``PYTHONPATH``:

    OMP_NUM_THREADS=1 python benchmarks/probe_few_pairs.py [--synthetic]
    OMP_NUM_THREADS=1 python benchmarks/probe_few_pairs.py --review

``--review``: an outside review's cells still under 0.93 (generated features, 12 background
rows, 5 explained rows, 15 seeds): a boosted regressor, an MLP and a saturating logistic model
on 11, 13 and 16 features at 5-8 pairs.
"""

from __future__ import annotations

import sys
import warnings

import numpy as np
from sklearn.datasets import load_breast_cancer, load_wine
from sklearn.ensemble import GradientBoostingRegressor, HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.neural_network import MLPRegressor
from sklearn.preprocessing import StandardScaler

from skxai import ExactShapleyExplainer, KernelShapExplainer


def _split(X, seed):
    idx = np.random.RandomState(seed).permutation(len(X))
    return X[idx[:15]], X[idx[15:21]]


def games():
    X, y = load_wine(return_X_y=True)
    X = StandardScaler().fit_transform(X)[:, :10]
    yield "boosted wine", HistGradientBoostingClassifier(max_iter=60, random_state=0).fit(X, y), *_split(X, 0), {}
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    Xs = X[:, [0, 1, 4, 6, 7, 10, 13, 20, 21, 27]]
    logistic = LogisticRegression(C=100.0, max_iter=5000).fit(Xs, y)
    yield "saturating logistic", logistic, *_split(Xs, 6), {"response_method": "predict_proba", "target": 1}
    Xk = X[:, 10:20]
    yield "7-NN", KNeighborsClassifier(7).fit(Xk, y), *_split(Xk, 3), {}
    import torch

    torch.manual_seed(0)
    net = torch.nn.Sequential(
        torch.nn.Linear(10, 16), torch.nn.Tanh(), torch.nn.Linear(16, 16), torch.nn.Tanh(), torch.nn.Linear(16, 1)
    )
    with torch.no_grad():
        for w in net.parameters():
            w.mul_(2.0)
    Xt = np.random.RandomState(7).randn(200, 10).astype(np.float32)
    yield "tanh network", net.eval(), *_split(Xt, 7), {}


def coverage(model, bg, rows, kw, budget, seeds=20):
    exact = ExactShapleyExplainer(model, max_background=None, max_features=20, **kw).fit(bg).explain(rows).values
    hits = []
    for seed in range(seeds):
        exp = KernelShapExplainer(model, n_samples=budget, max_background=None, random_state=seed, **kw)
        exp = exp.fit(bg).explain(rows)
        values, std = exp.values.reshape(exact.shape), exp.std.reshape(exact.shape)
        finite = np.isfinite(std)
        hits.append((np.abs(values - exact) <= 1.96 * std)[finite])
    hits = np.concatenate(hits)
    return hits.mean(), hits.size


def synthetic():
    print("| features | model | budget | coverage | estimates |")
    print("|---:|---|---:|---:|---:|")
    for p in (8, 12, 14):
        rng = np.random.RandomState(p)
        X = rng.normal(size=(600, p))
        y = X[:, 0] * X[:, 1] + np.sin(X[:, 2]) * X[:, 3] + X[:, 4:].sum(1) * 0.3 + np.tanh(X[:, 0] * X[:, 5])
        models = {
            "boosted": GradientBoostingRegressor(n_estimators=40, max_depth=3, random_state=0).fit(X, y),
            "MLP": MLPRegressor(hidden_layer_sizes=(20,), max_iter=800, random_state=0).fit(X, y),
        }
        for name, model in models.items():
            for budget in (3 * p, 3 * p + 4, 3 * p + 8):
                cov, n = coverage(model, X[:10], X[100:105], {}, budget)
                print(f"| {p} | {name} | {budget} | {cov:.3f} | {n} |", flush=True)


def review():
    print("| features | model | budget (pairs) | coverage | estimates |")
    print("|---:|---|---:|---:|---:|")
    for p, budgets in ((11, (34,)), (13, (42,)), (16, (48, 50))):
        rng = np.random.RandomState(100 + p)
        X = rng.normal(size=(500, p))
        y = X[:, 0] * X[:, 1] + np.sin(2 * X[:, 2]) * X[:, 3] + 0.3 * X[:, 4:].sum(1) + np.tanh(X[:, 0] * X[:, 5])
        yc = (X[:, 0] + X[:, 1] * X[:, 2] + 0.5 * X[:, 3:].sum(1) > 0).astype(int)
        models = (
            ("boosted", GradientBoostingRegressor(n_estimators=50, max_depth=3, random_state=0).fit(X, y), {}),
            ("MLP", MLPRegressor(hidden_layer_sizes=(24,), max_iter=600, random_state=0).fit(X, y), {}),
            (
                "logistic",
                LogisticRegression(C=100.0, max_iter=5000).fit(X, yc),
                {"response_method": "predict_proba", "target": 1},
            ),
        )
        for name, model, kw in models:
            for budget in budgets:
                cov, n = coverage(model, X[:12], X[200:205], kw, budget, seeds=15)
                print(f"| {p} | {name} | {budget} ({(budget - 2 - 2 * p) // 2}) | {cov:.3f} | {n} |", flush=True)


def main():
    warnings.simplefilter("ignore")
    if "--synthetic" in sys.argv[1:]:
        return synthetic()
    if "--review" in sys.argv[1:]:
        return review()
    print("| game | budget (pairs) | coverage | estimates |")
    print("|---|---:|---:|---:|")
    for name, model, bg, rows, kw in games():
        for budget in (30, 32, 34, 36, 38):
            cov, n = coverage(model, bg, rows, kw, budget)
            print(f"| {name} | {budget} ({(budget - 22) // 2}) | {cov:.3f} | {n} |", flush=True)


if __name__ == "__main__":
    main()
