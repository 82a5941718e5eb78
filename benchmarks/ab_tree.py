"""A/B timing of this checkout's TreeSHAP against another checkout of skxai, in one process.

The other checkout is imported under another name (``skxai_main``: a copy of its ``skxai``
package with its imports renamed, as for ``ab_torch.py``), so both run interleaved on the same
machine load. Diabetes (442 x 10); 5,000 resampled rows (500 for the interventional game, 100
background rows); process CPU time, minimum over the rounds.

    OMP_NUM_THREADS=1 python benchmarks/ab_tree.py --old /tmp/ab --repeats 9
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

warnings.filterwarnings("ignore")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--old", required=True)
    parser.add_argument("--repeats", type=int, default=9)
    args = parser.parse_args()
    sys.path.insert(0, args.old)
    from sklearn.datasets import load_diabetes
    from sklearn.ensemble import HistGradientBoostingRegressor, RandomForestRegressor

    X, y = load_diabetes(return_X_y=True)
    rng = np.random.RandomState(0)
    rows = X[rng.randint(0, len(X), 5000)] + 0.05 * X.std(0) * rng.randn(5000, 10)
    models = {
        "RandomForestRegressor(100, max_depth=8)": RandomForestRegressor(100, max_depth=8, random_state=0).fit(X, y),
        "HistGradientBoostingRegressor(max_iter=100)":
            HistGradientBoostingRegressor(max_iter=100, random_state=0).fit(X, y),
    }
    mods = {"new": importlib.import_module("skxai.shapley"), "old": importlib.import_module("skxai_main.shapley")}
    print("| model | game | rows | this checkout s | other s | ratio | max abs diff |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for name, model in models.items():
        for game in ("tree_path_dependent", "interventional"):
            n = 5000 if game == "tree_path_dependent" else 500
            explainers = {k: mod.TreeShapExplainer(model, feature_perturbation=game, max_background=100,
                                                   random_state=0).fit(X) for k, mod in mods.items()}
            times = {k: [] for k in explainers}
            out = {}
            for _ in range(args.repeats):
                for k, ex in explainers.items():
                    t0 = time.process_time()
                    out[k] = ex.transform(rows[:n])
                    times[k].append(time.process_time() - t0)
            new, old = min(times["new"]), min(times["old"])
            print(f"| {name} | {game} | {n} | {new:.3f} | {old:.3f} | {new / old:.3f} | "
                  f"{np.abs(out['new'] - out['old']).max():.1e} |")


if __name__ == "__main__":
    main()
