"""Peak memory of TreeSHAP where an outside audit found it unbounded (session 27, issue 16).

Each case runs in a fresh process and prints its peak resident memory (``ru_maxrss``):

- ``background N``: ``fit`` of the interventional game on N background rows (a 20-tree forest
  of depth 8 on 10 features, ``max_background=None``), then ``transform`` of 100 rows;
- ``transform N``: ``transform`` of N rows of a 93-class decision tree on 1,000 features
  (every output's values of a row are computed, one is returned);
- ``explain N``: ``explain`` of the same tree (every output returned): refused or run.

Run on the code before through ``PYTHONPATH``:

    OMP_NUM_THREADS=1 python benchmarks/probe_tree_memory.py background 100000 300000
    OMP_NUM_THREADS=1 python benchmarks/probe_tree_memory.py transform 5000
    OMP_NUM_THREADS=1 python benchmarks/probe_tree_memory.py explain 30000
"""

from __future__ import annotations

import argparse
import subprocess
import sys

CASE = r"""
import resource, sys, time, numpy as np
from sklearn.ensemble import RandomForestRegressor
from sklearn.tree import DecisionTreeClassifier
from skxai import TreeShapExplainer
case, n = sys.argv[1], int(sys.argv[2])
rng = np.random.RandomState(0)
t = time.process_time()
try:
    if case == "background":
        X = rng.normal(size=(n, 10))
        y = X[:5000, 0] + X[:5000, 1] * X[:5000, 2]
        model = RandomForestRegressor(20, max_depth=8, random_state=0).fit(X[:5000], y)
        est = TreeShapExplainer(model, feature_perturbation="interventional", max_background=None).fit(X)
        est.transform(X[:100])
        what = "fit and transform of 100 rows"
    else:
        X = rng.normal(size=(3000, 1000))
        y = (X[:, :10].sum(axis=1) * 5).astype(int) % 100
        est = TreeShapExplainer(DecisionTreeClassifier(max_depth=8, random_state=0).fit(X, y)).fit(X[:100])
        Z = np.tile(X, (n // 3000 + 1, 1))[:n]
        out = est.transform(Z) if case == "transform" else est.explain(Z).values
        what = f"returned {out.shape}, {out.nbytes / 2**30:.2f} GiB"
except (ValueError, MemoryError) as exc:
    what = f"{type(exc).__name__}: {str(exc)[:160]}"
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
print(f"| {case} | {n} | {peak:.2f} | {time.process_time() - t:.1f} | {what} |")
"""


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("case", choices=["background", "transform", "explain"])
    parser.add_argument("rows", type=int, nargs="+")
    args = parser.parse_args(argv)
    print("| case | rows | peak RSS (GiB) | CPU s | result |")
    print("|---|---:|---:|---:|---|")
    for n in args.rows:
        subprocess.run([sys.executable, "-c", CASE, args.case, str(n)], check=False)


if __name__ == "__main__":
    main()
