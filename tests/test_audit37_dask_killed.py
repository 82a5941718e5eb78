"""A model that ends the Dask worker process it runs on (``os._exit``, as the out-of-memory
killer or a crash in native code would), on a cluster of worker processes.

Under joblib's Dask backend with ``distributed.scheduler.allowed-failures=1`` the call waited
forever: joblib's backend never tells ``Parallel`` of a batch the scheduler failed
(``KilledWorker``). On the dask.array route the error is distributed's "already forgotten",
which the Scaling out page now quotes (an outside audit)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("distributed")
pytest.importorskip("dask.array")

ROOT = Path(__file__).resolve().parents[1]

# Run in a child process: the hang this guards against cannot be stopped in a thread, and the
# cluster's workers die on purpose. The child stops itself at its deadline (closing its cluster
# first, so no worker process outlives it).
_SCRIPT = """
import os, sys, threading, time
import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from distributed import Client, LocalCluster
from skxai import KernelShapExplainer


class EndsItsProcess(RegressorMixin, BaseEstimator):
    def fit(self, X, y=None):
        self.n_features_in_ = X.shape[1]
        return self

    def predict(self, X):
        if np.any(X[:, 0] > 5):
            os._exit(3)
        return X @ np.arange(1.0, X.shape[1] + 1)


rng = np.random.default_rng(0)
X = np.clip(rng.normal(size=(60, 5)), -3, 2.5)
rows = X[:20].copy()
rows[15, 0] = 10.0
explainer = KernelShapExplainer(EndsItsProcess().fit(X), n_samples=64, max_background=20, random_state=0).fit(X)
cluster = LocalCluster(processes=True, n_workers=2, threads_per_worker=1, dashboard_address=None, silence_logs=50)
client = Client(cluster)


def deadline():
    time.sleep(float(sys.argv[2]))
    print("HANG", flush=True)
    client.close()
    cluster.close()
    os._exit(2)


threading.Thread(target=deadline, daemon=True).start()
try:
    if sys.argv[1] == "joblib":
        from joblib import parallel_config

        with parallel_config(backend="dask"):
            explainer.set_params(n_jobs=-1).transform(rows)
    else:
        import dask.array as da

        explainer.transform(da.from_array(rows, chunks=5)).compute()
    print("NO ERROR", flush=True)
except Exception as exc:
    print(f"{type(exc).__name__}: {' '.join(str(exc).split())}", flush=True)
client.close()
cluster.close()
os._exit(0)
"""


def _run(route, allowed_failures, deadline=40):
    env = {**os.environ, "OMP_NUM_THREADS": "1", "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": str(allowed_failures)}
    run = subprocess.run(
        [sys.executable, "-c", _SCRIPT, route, str(deadline)],
        capture_output=True,
        text=True,
        timeout=deadline + 60,  # the child starts its cluster before its own deadline runs
        env=env,
        cwd=ROOT,
    )
    lines = run.stdout.strip().splitlines()
    assert lines, run.stderr[-3000:]
    return lines[-1]


def test_joblib_dask_call_fails_when_a_batch_kills_its_workers():
    # allowed-failures=1: the batch fails (KilledWorker) as its second worker dies, with the
    # scattered model; joblib's callback never came and the call waited forever
    said = _run("joblib", allowed_failures=1)
    assert said != "HANG", "the call still waited after 40 s"
    assert said.startswith(("KilledWorker:", "RuntimeError:")), said
    assert "died" in said, said


def test_dask_array_error_of_a_killed_block_is_the_documented_one():
    said = _run("array", allowed_failures=3)
    assert said.startswith("FutureCancelledError:") and "cancelled for reason: already forgotten" in said, said
    page = " ".join((ROOT / "doc" / "user_guide" / "scaling.rst").read_text().split())
    # the page quotes what the user sees, and says what it means
    assert "``FutureCancelledError: finalize-... cancelled for reason: already forgotten``" in page
    assert "takes the scattered explainer with the last of them" in page
    assert "lose scattered data, which can't be recovered: {'Shipped-...'}" in page
