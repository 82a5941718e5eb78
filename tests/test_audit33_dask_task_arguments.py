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


def test_a_tasks_own_large_array_is_kept_on_two_workers_not_sent_in_the_graph(monkeypatch):
    from skxai.utils import _parallel

    calls = []
    real_scatter, real_replicate = distributed.Client.scatter, distributed.Client.replicate
    monkeypatch.setattr(
        distributed.Client,
        "scatter",
        lambda self, data, *a, **k: (
            calls.append(("scatter", getattr(data, "nbytes", 0), k.get("broadcast", False)))
            or real_scatter(self, data, *a, **k)
        ),
    )
    monkeypatch.setattr(
        distributed.Client,
        "replicate",
        lambda self, futures, *a, **k: (
            calls.append(("replicate", k.get("n"))) or real_replicate(self, futures, *a, **k)
        ),
    )
    monkeypatch.setattr(_parallel, "TASK_ARRAY_BYTES", 10_000)
    rows = np.arange(8_000.0).reshape(-1, 4)
    tasks = [(rows[:1000], 0), (rows[1000:], 1), (rows[:10], 2)]
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cl,
        distributed.Client(cl),
        joblib.parallel_config(backend="dask"),
    ):
        out = _parallel.map_shared(_sum_plus, 1.0, tasks, n_jobs=2)
    assert out == [float(r.sum()) + k for r, k in tasks]
    big = [c for c in calls if c[0] == "scatter" and c[1] == 32_000]
    assert len(big) == 2 and not any(b for _, _, b in big)  # the two large slices, each to one worker...
    assert calls.count(("replicate", 2)) == 2  # ...then kept on a second one
    assert not any(c[0] == "scatter" and c[1] == 320 for c in calls)  # the small one inside its task


def _sum_plus(shared, rows, k):
    return float(rows.sum()) + shared * k
