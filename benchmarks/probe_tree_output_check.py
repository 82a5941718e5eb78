"""Cost of TreeSHAP's fit-time check that the model's own outputs are its trees' (session 24).

Usage: ``OMP_NUM_THREADS=1 python benchmarks/probe_tree_output_check.py``: the check alone (min of
5) and the whole ``fit`` (min of 3), 100 background rows, on a 500-tree random forest and a
2,000-tree gradient boosting regressor (2,000 x 10 standard-normal rows).
"""

import time

import numpy as np
from sklearn.ensemble import GradientBoostingRegressor, RandomForestRegressor

from skxai import TreeShapExplainer


def _best(call, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return min(times)


def main():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(2000, 10))
    y = X[:, 0] * X[:, 1] + X[:, 2]
    models = (
        RandomForestRegressor(500, random_state=0, n_jobs=1).fit(X, y),
        GradientBoostingRegressor(n_estimators=2000, random_state=0).fit(X, y),
    )
    for model in models:
        e = TreeShapExplainer(model).fit(X[:100])
        check = _best(lambda e=e: e._check_trees_give_outputs(e.background_, e.tree_background_), 5)
        fit = _best(lambda model=model: TreeShapExplainer(model).fit(X[:100]), 3)
        print(f"{type(model).__name__}: check {check * 1e3:.1f} ms (min of 5), whole fit {fit:.2f} s (min of 3)")


if __name__ == "__main__":
    main()
