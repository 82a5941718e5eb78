"""Test-wide settings: hypothesis draws the same examples on every run (CI is reproducible)."""

from hypothesis import settings

settings.register_profile("skxai", derandomize=True, deadline=None)
settings.load_profile("skxai")


import pytest  # noqa: E402


@pytest.fixture(scope="module")
def dask_process_client():
    """A real Dask cluster for one test module: 2 worker processes of 1 thread, so models and
    data are pickled and shipped as on a cluster (a cluster of threads would share them)."""
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=50
    )
    with cluster, distributed.Client(cluster) as client:
        yield client
