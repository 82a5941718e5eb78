"""Per-call cost of the Dask by-content key (pickle the game, sha256 its bytes) for a 100-tree forest.

Under joblib's Dask backend, ``map_shared`` pickles the coalition game and hashes its bytes on
every call to decide whether the workers hold it already. Times both (wall, best of 7) for a
KernelSHAP game on a 100-tree forest, next to one ``transform`` of 20 rows.

    OMP_NUM_THREADS=1 python benchmarks/probe_dask_hash_cost.py
"""

from __future__ import annotations

import hashlib
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
warnings.filterwarnings("ignore")


def main():
    from sklearn.ensemble import RandomForestRegressor

    from skxai import KernelShapExplainer
    from skxai.utils._parallel import Shipped

    rng = np.random.RandomState(0)
    X = rng.normal(size=(2000, 20))
    y = X[:, 0] + np.sin(3 * X[:, 1]) + X[:, 2] * X[:, 3]
    print("| model | game pickle | pickle ms | sha256 ms | one `transform` of 20 rows, 256 coalitions, ms |")
    print("|---|---:|---:|---:|---:|")
    for depth in (8, None):
        model = RandomForestRegressor(n_estimators=100, max_depth=depth, random_state=0, n_jobs=1).fit(X, y)
        ex = KernelShapExplainer(model, n_samples=256, max_background=50, random_state=0).fit(X)
        game = ex._game()
        pickle_ms, hash_ms = [], []
        for _ in range(7):
            t = time.perf_counter()
            payload = Shipped(game, None).payload()
            pickle_ms.append(1000 * (time.perf_counter() - t))
            t = time.perf_counter()
            hashlib.sha256(payload).hexdigest()
            hash_ms.append(1000 * (time.perf_counter() - t))
        t = time.perf_counter()
        ex.transform(X[:20])
        call_ms = 1000 * (time.perf_counter() - t)
        print(
            f"| RandomForestRegressor(100, max_depth={depth}) | {len(payload) / 1e6:.1f} MB | {min(pickle_ms):.1f} "
            f"| {min(hash_ms):.1f} | {call_ms:.0f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
