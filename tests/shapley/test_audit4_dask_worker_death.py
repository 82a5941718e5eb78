"""``n_jobs`` on joblib's Dask backend when worker processes die mid-call.

Each group of chunks of trees was pinned to one worker with ``allow_other_workers=False``. A
worker that died while running its group (killed by the out-of-memory killer, a node lost)
comes back from its nanny at another address, so the scheduler could run that group nowhere:
the call waited forever, without a word. The groups now prefer their worker and fall back to
another one only when it is gone, so the call ends with the numbers of one process. A group
that kills every worker it runs on takes the scattered runner with the last one: that is now
said, where distributed's "cancelled for reason: already forgotten" said nothing of it; and
so is a model that kills every worker it runs on, under KernelSHAP's ``n_jobs`` (a task without
scattered data ends in distributed's ``KilledWorker``, "all those workers died").
"""

import os

import numpy as np
import pytest
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.ensemble import RandomForestRegressor

from skxai import KernelShapExplainer, TreeShapExplainer

dask = pytest.importorskip("dask")
distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client():
    # A group that can run nowhere fails after 20 s instead of waiting forever.
    with (
        dask.config.set({"distributed.scheduler.no-workers-timeout": "20s"}),
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=50
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


@pytest.fixture
def forest(monkeypatch):
    from skxai.shapley._treeshap import _run

    monkeypatch.setattr(_run, "_MIN_PARALLEL_WORK", 0)  # a small forest goes to the workers too
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 4))
    model = RandomForestRegressor(n_estimators=8, max_depth=4, random_state=0).fit(X, X[:, 0] * X[:, 1])
    return TreeShapExplainer(model).fit(X[:20]), X[:10]


def _dying_runner(explainer, flag=None):
    """Make the explainer's runner end the worker process that explains a group of trees: the
    first one only (``flag``: a file made by the one that dies), or every one. The runner's bytes
    carry the closure to the worker processes, where ``runner[0]`` is that process's copy."""
    parent = os.getpid()
    runner = [explainer._runner]
    parts = type(runner[0])._parts

    def dying_parts(group, XT, has_nan, n_jobs):
        if os.getpid() != parent:
            if flag is None:
                os._exit(3)
            try:
                os.close(os.open(flag, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
            except FileExistsError:
                pass
            else:
                os._exit(3)
        return parts(runner[0], group, XT, has_nan, n_jobs)

    runner[0]._parts = dying_parts


def test_a_worker_dying_mid_call_does_not_hang_tree_shap_n_jobs(client, forest, tmp_path):
    from joblib import parallel_config

    explainer, X = forest
    client.wait_for_workers(2)  # (the worker that died in another test is back)
    expected = explainer.transform(X)
    flag = str(tmp_path / "died")
    _dying_runner(explainer, flag)
    explainer.set_params(n_jobs=2)
    with parallel_config(backend="dask", client=client):
        got = explainer.transform(X)
    assert os.path.exists(flag)  # a worker did die part-way
    np.testing.assert_array_equal(got, expected)


def test_trees_that_kill_every_worker_are_named_as_such(client, forest):
    from joblib import parallel_config

    explainer, X = forest
    client.wait_for_workers(2)  # (the worker that died in another test is back)
    _dying_runner(explainer)
    explainer.set_params(n_jobs=2)
    with (
        parallel_config(backend="dask", client=client),
        pytest.raises(RuntimeError, match=r"lost the model and data .*\(TreeRunner\).* the workers that held it died"),
    ):
        explainer.transform(X)


class _KillsItsWorker(RegressorMixin, BaseEstimator):
    """Predicts in the process that made it; ends any other process that calls it."""

    def __init__(self, parent=None):
        self.parent = parent

    def fit(self, X, y=None):
        self.n_features_in_ = np.shape(X)[1]
        return self

    def predict(self, X):
        if os.getpid() != self.parent:
            os._exit(3)
        return np.asarray(X)[:, 0]


def test_a_model_that_kills_every_worker_is_named_as_such(client):
    from joblib import parallel_config

    client.wait_for_workers(2)
    X = np.random.RandomState(0).normal(size=(8, 3))
    model = _KillsItsWorker(parent=os.getpid()).fit(X)
    explainer = KernelShapExplainer(model, n_samples=16, random_state=0, n_jobs=2).fit(X[:4])
    with (
        parallel_config(backend="dask", client=client),
        pytest.raises(RuntimeError, match=r"lost the model and data .* the workers that held it died"),
    ):
        explainer.transform(X)
