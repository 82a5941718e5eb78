"""KernelSHAP's interaction fits past 2,560 coalitions: coverage and accuracy of each order,
with the errors the package reports and with the jackknife forced (session 25, issue 14).

An outside audit found "auto" (order 5) at 3,300 coalitions on 12 features covering 0.38 with
the leave-one-out sandwich used past ``KADD_JACKKNIFE_MAX`` coalitions, and 0.65 with the
jackknife forced. Games: 12 features, a forest reading 3 of them (the audit's), a k-NN
classifier on 12, a forest on 16. Exact values from ExactShapleyExplainer on the same 20
background rows.

    OMP_NUM_THREADS=1 python benchmarks/probe_kadd_large_budgets.py [--force-jackknife] [--no-bound] [--seeds 10]
"""

import argparse
import time
import warnings

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import RandomForestRegressor
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline

import skxai
import skxai._estimate as E


def games():
    rng = np.random.RandomState(123)
    X = rng.normal(size=(300, 12))
    y = np.sin(2 * X[:, 0]) * X[:, 5] + (X[:, 9] > 0)
    rf3 = make_pipeline(
        ColumnTransformer([("k", "passthrough", [0, 5, 9])]), RandomForestRegressor(30, max_depth=6, random_state=0)
    ).fit(X, y)
    yield "forest reading 3 of 12", rf3, X[:20], X[200:205], {}
    knn = KNeighborsClassifier(7).fit(X, (X[:, :4].sum(1) + X[:, 4] * X[:, 7] > 0).astype(int))
    yield "k-NN classifier, 12", knn, X[:20], X[200:205], {"target": 1}
    X16 = np.random.RandomState(7).normal(size=(300, 16))
    y16 = X16[:, 0] * X16[:, 1] + np.abs(X16[:, 2]) - X16[:, 3:8].sum(1) * (X16[:, 8] > 0)
    rf16 = RandomForestRegressor(30, max_depth=6, random_state=0).fit(X16, y16)
    yield "forest on 16", rf16, X16[:20], X16[200:203], {}
    X11 = np.random.RandomState(11).normal(size=(300, 11))
    y11 = np.tanh(X11[:, 0] * X11[:, 1] * X11[:, 2]) + X11[:, 3:6].prod(1) + X11[:, 6]
    mlp = lambda A: np.tanh(A[:, 0] * A[:, 1] * A[:, 2]) + A[:, 3:6].prod(1) + np.sin(A[:, 6] * A[:, 7]) * A[:, 8]  # noqa: E731
    yield "smooth 3- and 4-way terms, 11", mlp, X11[:20], X11[200:205], {}
    rf11 = RandomForestRegressor(30, max_depth=8, random_state=0).fit(X11, y11)
    yield "forest on 11", rf11, X11[:20], X11[200:205], {}


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--force-jackknife", action="store_true")
    ap.add_argument("--no-bound", action="store_true", help="without the ridge-bias bound (_ridge_bias_unseen)")
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--budgets", type=int, nargs="*", default=None)
    ap.add_argument("--orders", nargs="*", default=["1", "3", "5", "auto"])
    ap.add_argument("--games", nargs="*", default=None, help="game names (default: all)")
    args = ap.parse_args(argv)
    if args.force_jackknife:
        E.KADD_JACKKNIFE_MAX = 10**9
    if args.no_bound:
        E._ridge_bias_unseen = lambda design, order: False
    print("| game | budget | max_order | order | coverage | RMSE | RMSE / RMS std | s per fit+explain |")
    print("|---|---:|---|---:|---:|---:|---:|---:|")
    for name, model, bg, rows, kw in games():
        if args.games and name not in args.games:
            continue
        p = bg.shape[1]
        exact = skxai.ExactShapleyExplainer(model, **kw).fit(bg).explain(rows).values
        default = {12: [2500, 2600, 3000, 3300, 3700, 4050], 11: [1750, 1900, 2040]}.get(p, [2500, 3000, 6000])
        budgets = args.budgets or default
        for budget in budgets:
            for order in args.orders:
                order = order if order == "auto" else int(order)
                err, std, used, t = [], [], set(), 0.0
                for seed in range(args.seeds):
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        t0 = time.process_time()
                        ex = skxai.KernelShapExplainer(
                            model, n_samples=budget, max_order=order, random_state=seed, **kw
                        ).fit(bg)
                        r = ex.explain(rows)
                        t += time.process_time() - t0
                    used.add(r.extras.get("order"))
                    err.append(r.values - exact)
                    std.append(r.std)
                err, std = np.ravel(err), np.ravel(std)
                cov = np.mean(np.abs(err) <= 1.96 * std)
                rmse = np.sqrt(np.mean(err**2))
                print(
                    f"| {name} | {budget} | {order} | {sorted(used)} | {cov:.3f} | {rmse:.2e} | "
                    f"{rmse / np.sqrt(np.mean(std**2)):.2f} | {t / args.seeds:.2f} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
