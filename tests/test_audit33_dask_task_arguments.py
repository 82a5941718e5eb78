"""Under joblib's Dask backend a map's task arguments travel with their tasks (or, shared by
several tasks, to every worker), so a worker that dies takes no data the others need.

joblib's backend scattered each large task argument to one worker: when that worker died, the
arrays were lost with it and the whole call failed, though the other worker held the model
(an outside audit killed one of two worker processes during a KernelSHAP call)."""

import numpy as np
import pytest
from sklearn.datasets import load_diabetes
from sklearn.neighbors import KNeighborsRegressor

from skxai import KernelShapExplainer

distributed = pytest.importorskip("distributed")
joblib = pytest.importorskip("joblib")


def test_no_task_argument_is_scattered_to_one_worker_alone(monkeypatch):
    X, y = load_diabetes(return_X_y=True)
    model = KNeighborsRegressor(n_neighbors=15).fit(X, y)
    want = KernelShapExplainer(model, n_samples=128, random_state=0).fit(X[:20]).transform(X[:120])
    scatters = []
    real = distributed.Client.scatter

    def recorded(self, data, *args, **kwargs):
        scatters.append((type(data).__name__, kwargs.get("broadcast", False)))
        return real(self, data, *args, **kwargs)

    monkeypatch.setattr(distributed.Client, "scatter", recorded)
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cl,
        distributed.Client(cl),
        joblib.parallel_config(backend="dask"),
    ):
        est = KernelShapExplainer(model, n_samples=128, random_state=0, n_jobs=2).fit(X[:20])
        got = est.transform(X[:120])
    np.testing.assert_array_equal(got, want)
    assert scatters  # the game (model and background), to every worker
    assert all(broadcast for _, broadcast in scatters), scatters
