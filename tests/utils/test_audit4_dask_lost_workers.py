"""``n_jobs`` on joblib's Dask backend when a task kills every worker that runs it.

The model is scattered to the workers once; a task that kills its worker (the out-of-memory
killer on a too large call, a crash in a model's native code) is retried on the other worker,
which dies too, and the scattered model goes with the last worker that held it. The call then
failed with distributed's "FutureCancelledError: batch_of__call_1_calls-... cancelled for
reason: already forgotten", which names neither the model nor the dead workers (a task without
scattered data ends in KilledWorker, "all those workers died while running it").
"""

import os

import numpy as np
import pytest
from sklearn.base import BaseEstimator, RegressorMixin

from skxai import KernelShapExplainer

distributed = pytest.importorskip("distributed")


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


def test_a_task_that_kills_its_workers_is_named_as_such():
    from joblib import parallel_config

    X = np.random.RandomState(0).normal(size=(8, 3))
    model = _KillsItsWorker(parent=os.getpid()).fit(X)
    explainer = KernelShapExplainer(model, n_samples=16, random_state=0, n_jobs=2).fit(X[:4])
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=50
        ) as cluster,
        distributed.Client(cluster) as client,
        parallel_config(backend="dask", client=client),
        pytest.raises(RuntimeError, match=r"lost the model and data .* the workers that held it died"),
    ):
        explainer.transform(X)
