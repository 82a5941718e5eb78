"""TreeSHAP calls too small to parallelise, under joblib's Dask backend (issue 16, session 24).

A 60-tree depth-9 forest, 20 and 200 rows, both games: the call in one process (n_jobs=1, min of
3) and with ``n_jobs=-1`` under ``parallel_config(backend="dask")`` on a ``LocalCluster`` of 2
worker processes (4 calls), with the tasks the cluster ran per call. Before session 24 such a
call (rows x nodes below 4e6, meant to run in the calling process) sent every chunk of trees to
the cluster with the whole runner.

Usage: ``OMP_NUM_THREADS=1 python benchmarks/probe_dask_small_tree_calls.py`` (``PYTHONPATH=DIR``
from another directory for the package in ``DIR``; the workers inherit it).
"""

import time

import numpy as np
from joblib import parallel_config
from sklearn.ensemble import RandomForestRegressor

from skxai import TreeShapExplainer


def _timed(call):
    start = time.perf_counter()
    out = call()
    return time.perf_counter() - start, out


def main():
    from distributed import Client, LocalCluster, get_task_stream

    rng = np.random.RandomState(1)
    X = rng.normal(size=(1000, 8))
    forest = RandomForestRegressor(n_estimators=60, max_depth=9, random_state=0).fit(X, X[:, 0] * X[:, 1] + X[:, 2])
    for game in ("tree_path_dependent", "interventional"):
        explainer = TreeShapExplainer(forest, feature_perturbation=game, n_jobs=1).fit(X[:100])
        for rows in (20, 200):
            local = explainer.transform(X[:rows])
            best = min(
                _timed(lambda rows=rows, explainer=explainer: explainer.transform(X[:rows]))[0] for _ in range(3)
            )
            print(f"{game} {rows} rows, one process: {best * 1e3:.1f} ms", flush=True)
            cluster = LocalCluster(processes=True, n_workers=2, threads_per_worker=1, dashboard_address=None)
            with cluster, Client(cluster) as client:
                times = []
                for _ in range(4):
                    with get_task_stream(client) as stream, parallel_config(backend="dask"):
                        explainer.set_params(n_jobs=-1)
                        seconds, remote = _timed(lambda rows=rows, explainer=explainer: explainer.transform(X[:rows]))
                    explainer.set_params(n_jobs=1)
                    assert np.array_equal(remote, local)
                    times.append(round(seconds * 1e3))
                print(f"{game} {rows} rows, Dask, 2 workers: {times} ms, {len(stream.data)} tasks per call", flush=True)


if __name__ == "__main__":
    main()
