"""TreeSHAP on a forest whose tables exceed the 128 MiB cache: seconds per call in one process.

300 depth-10 trees grown on 2,000 noisy copies of the wine rows (575 MiB of tables), path-dependent
game, 300 rows, ``n_jobs`` 1 and 2 (threads). Run it under glibc settings to compare them, e.g.::

    python benchmarks/probe_tree_tables.py
    MALLOC_TRIM_THRESHOLD_=65536 python benchmarks/probe_tree_tables.py
    MALLOC_TRIM_THRESHOLD_=268435456 MALLOC_MMAP_THRESHOLD_=268435456 python benchmarks/probe_tree_tables.py

(results in benchmarks/results/dask.md).
"""

import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np
from sklearn.datasets import load_wine
from sklearn.ensemble import RandomForestClassifier
from sklearn.preprocessing import StandardScaler

from skxai import TreeShapExplainer


def main():
    X, y = load_wine(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    rng = np.random.RandomState(1)
    idx = rng.randint(0, len(X), 2000)
    Xn = X[idx] + 0.3 * rng.normal(size=(2000, X.shape[1]))
    forest = RandomForestClassifier(n_estimators=300, max_depth=10, random_state=0).fit(Xn, y[idx])
    ex = TreeShapExplainer(forest).fit(Xn)
    for n_jobs in (1, 2, 1, 2):
        ex.set_params(n_jobs=n_jobs)
        t0, c0 = time.perf_counter(), time.process_time()
        ex.transform(Xn[:300])
        print(f"n_jobs={n_jobs}: wall {time.perf_counter() - t0:.2f} s, cpu {time.process_time() - c0:.2f} s")


if __name__ == "__main__":
    main()
