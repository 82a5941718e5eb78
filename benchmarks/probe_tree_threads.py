"""TreeShapExplainer with one thread against two (``n_jobs``), fit included.

The depth-8 forest and the boosted model of ``bench_tree.py`` (diabetes), both games, 2,000 and
10,000 rows (diabetes rows with 1% noise), 100 background rows; best of ``--repeats`` wall times.

Usage::

    python benchmarks/probe_tree_threads.py --repeats 3
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from sklearn.datasets import load_diabetes
from sklearn.ensemble import GradientBoostingRegressor, RandomForestRegressor

from skxai import TreeShapExplainer


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    X, y = load_diabetes(return_X_y=True)
    rng = np.random.default_rng(0)
    R = X[rng.choice(len(X), 10000)] + 0.01 * rng.standard_normal((10000, X.shape[1]))
    models = {
        "RandomForestRegressor(100, max_depth=8)": RandomForestRegressor(100, max_depth=8, random_state=0),
        "GradientBoostingRegressor(200)": GradientBoostingRegressor(n_estimators=200, random_state=0),
    }
    print("| model | game | rows | n_jobs=1 (s) | n_jobs=2 (s) | two / one |")
    print("|---|---|---:|---:|---:|---:|")
    for name, model in models.items():
        model.fit(X, y)
        for game in ("tree_path_dependent", "interventional"):
            for n in (2000, 10000):
                best = {}
                for _ in range(args.repeats):
                    for n_jobs in (1, 2):
                        t = time.perf_counter()
                        TreeShapExplainer(model, feature_perturbation=game, n_jobs=n_jobs).fit(X[:100]).transform(R[:n])
                        best[n_jobs] = min(best.get(n_jobs, np.inf), time.perf_counter() - t)
                cells = f"{best[1]:.3f} | {best[2]:.3f} | {best[2] / best[1]:.2f}"
                print(f"| {name} | {game} | {n} | {cells} |", flush=True)


if __name__ == "__main__":
    main()
