"""TreeSHAP on a Dask cluster of threads in this process keeps the explainer's own table cache.

A cluster of threads (``LocalCluster(processes=False)``) shares the explainer's runner itself,
not a copy. Each worker settled "its" copy's cache to its own group of tree chunks, so the
workers overwrote one another's choice on the one runner, and the explainer kept only the
last worker's group: 8 of a forest's 17 chunks, every later call rebuilding the other 9
tables (local transforms 3.7x slower after one call on the cluster).
"""

from unittest import mock

import numpy as np
import pytest
from sklearn.ensemble import RandomForestRegressor
from sklearn.frozen import FrozenEstimator

from skxai import TreeShapExplainer
from skxai.shapley._treeshap import _run

distributed = pytest.importorskip("distributed")


def test_cluster_of_threads_keeps_the_explainers_table_cache():
    from joblib import parallel_config

    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 5))
    y = X[:, 0] + X[:, 1] * X[:, 2]
    rf = RandomForestRegressor(n_estimators=8, max_depth=4, random_state=0, n_jobs=1).fit(X, y)
    ex = TreeShapExplainer(FrozenEstimator(rf), n_jobs=2).fit(X[:50])
    runner = ex._runner
    every_chunk_kept = mock.patch.object(_run, "_kept_chunks", lambda sizes: [True] * len(sizes))
    # the tables, which 20 rows would not build (they take the row path: session 33)
    tables = mock.patch.object(_run, "ROW_PATH", False)
    with mock.patch.object(_run, "_MIN_PARALLEL_WORK", 0), every_chunk_kept, tables:
        # one chunk per tree, so that the two workers get groups of several chunks each
        runner.chunks = [np.array([t]) for t in range(8)]
        runner._sizes = [1] * 8
        runner._keep = [True] * 8
        runner._tables = [None] * 8
        runner._plans = [None] * 8
        runner._row_spent = [0.0] * 8
        expected = ex.transform(X[:20])
        assert all(t is not None for t in runner._tables)
        builds = []
        real = _run.TreeRunner._build

        def counting(self, plan, outside=True):
            builds.append(1)
            return real(self, plan, outside)

        with (
            distributed.LocalCluster(
                n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None, silence_logs=50
            ) as cluster,
            distributed.Client(cluster),
            mock.patch.object(_run.TreeRunner, "_build", counting),
        ):
            with parallel_config(backend="dask"):
                np.testing.assert_array_equal(ex.transform(X[:20]), expected)
                np.testing.assert_array_equal(ex.transform(X[:20]), expected)
            assert runner._keep == [True] * 8
            np.testing.assert_array_equal(ex.transform(X[:20]), expected)
        assert not builds, f"{len(builds)} tables rebuilt"
