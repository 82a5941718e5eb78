"""TreeSHAP's ``n_jobs`` on joblib's Dask backend when a worker process dies mid-call.

Each group of chunks of trees was pinned to one worker with ``allow_other_workers=False``. A
worker that died while running its group (killed by the out-of-memory killer, a node lost)
comes back from its nanny at another address, so the scheduler could run that group nowhere:
the call waited forever, without a word. The groups now prefer their worker and fall back to
another one only when it is gone, so the call ends with the numbers of one process.
"""

import os

import numpy as np
import pytest
from sklearn.ensemble import RandomForestRegressor

from skxai import TreeShapExplainer

dask = pytest.importorskip("dask")
distributed = pytest.importorskip("distributed")


def test_a_worker_dying_mid_call_does_not_hang_tree_shap_n_jobs(tmp_path, monkeypatch):
    from joblib import parallel_config

    from skxai.shapley._treeshap import _run

    monkeypatch.setattr(_run, "_MIN_PARALLEL_WORK", 0)  # a small forest goes to the workers too

    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 4))
    model = RandomForestRegressor(n_estimators=8, max_depth=4, random_state=0).fit(X, X[:, 0] * X[:, 1])
    explainer = TreeShapExplainer(model).fit(X[:20])
    expected = explainer.transform(X[:10])

    # The first worker to explain a group of trees dies (os._exit, as a killed process), once:
    # the runner's bytes carry this closure to the worker processes.
    flag = str(tmp_path / "died")
    parent = os.getpid()
    runner = explainer._runner
    parts = type(runner)._parts

    def dying_parts(group, XT, has_nan, n_jobs):
        if os.getpid() != parent:
            try:
                os.close(os.open(flag, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
            except FileExistsError:
                pass
            else:
                os._exit(3)
        return parts(runner_copy[0], group, XT, has_nan, n_jobs)

    runner_copy = [runner]
    runner._parts = dying_parts
    # on a worker, ``runner_copy[0]`` is that process's copy (pickled with the closure)

    # A group that can run nowhere fails after 20 s instead of waiting forever.
    with (
        dask.config.set({"distributed.scheduler.no-workers-timeout": "20s"}),
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=50
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        explainer.set_params(n_jobs=2)
        with parallel_config(backend="dask", client=client):
            got = explainer.transform(X[:10])
    assert os.path.exists(flag)  # a worker did die part-way
    np.testing.assert_array_equal(got, expected)
