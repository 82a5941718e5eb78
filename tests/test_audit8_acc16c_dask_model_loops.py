"""Under joblib's Dask backend, the model's own joblib loops run as without it.

A forest's ``predict`` (``n_jobs=None``) runs a joblib loop over its trees. Called by the
explainer in the calling process under ``parallel_config(backend="dask")`` (the base values, the
explained rows' outputs, LIME's and KernelSHAP's calls that stay in the caller), that loop took
the Dask backend: the trees were summed by several threads in a varying order, so the numbers
changed in their last digits from run to run and differed from ``n_jobs=1`` without Dask (even
with ``n_jobs=1`` on the explainer). Only ``skxai explain --scheduler`` kept the model's loops
out of the Dask backend. The workers always did."""

import os

import numpy as np
import pytest

distributed = pytest.importorskip("distributed")

from joblib import parallel_config  # noqa: E402
from joblib.parallel import get_active_backend  # noqa: E402
from sklearn.base import BaseEstimator, RegressorMixin  # noqa: E402
from sklearn.ensemble import RandomForestClassifier  # noqa: E402

from skxai import KernelShapExplainer, LimeExplainer, ShapleySamplingExplainer  # noqa: E402

_MAIN = os.getpid()  # imported again in the workers: another pid there
_SEEN = []


class BackendProbe(RegressorMixin, BaseEstimator):
    """A linear model recording joblib's active backend whenever it is called in this process."""

    def fit(self, X, y=None):
        self.coef_ = np.arange(1.0, X.shape[1] + 1)
        self.n_features_in_ = X.shape[1]
        return self

    def predict(self, X):
        if os.getpid() == _MAIN:
            _SEEN.append(type(get_active_backend()[0]).__name__)
        return np.asarray(X, dtype=float) @ self.coef_


@pytest.fixture(scope="module")
def client(dask_process_client):
    return dask_process_client


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 5))
    y = (X[:, 0] + X[:, 1] > 0).astype(int) + (X[:, 2] > 1)
    return X, y


def _explainers(model):
    return {
        "kernel": KernelShapExplainer(model, n_samples=64, max_background=15, random_state=1, target="predicted"),
        "sampling": ShapleySamplingExplainer(model, n_permutations=4, max_background=15, random_state=1),
        "lime": LimeExplainer(model, n_samples=100, max_background=15, random_state=1, target="predicted"),
    }


@pytest.mark.parametrize("name", ["kernel", "sampling", "lime"])
def test_the_model_is_never_called_under_the_dask_backend_in_this_process(client, data, name):
    X, _ = data
    model = BackendProbe().fit(X)
    ex = _explainers(model)[name]
    _SEEN.clear()
    with parallel_config(backend="dask"):
        ex.set_params(n_jobs=-1).fit(X).transform(X[:6])
        ex.set_params(n_jobs=1).transform(X[:2])
    assert _SEEN, "the probe saw no call in this process"
    assert "DaskDistributedBackend" not in _SEEN, _SEEN


@pytest.mark.parametrize("name", ["kernel", "sampling", "lime"])
def test_a_forest_gives_the_numbers_of_one_process(client, data, name):
    X, y = data
    forest = RandomForestClassifier(40, max_depth=5, random_state=0).fit(X, y)
    alone = _explainers(forest)[name].set_params(n_jobs=1).fit(X).transform(X[:10])
    for n_jobs in (-1, 1):
        with parallel_config(backend="dask"):
            on_dask = _explainers(forest)[name].set_params(n_jobs=n_jobs).fit(X).transform(X[:10])
        np.testing.assert_array_equal(on_dask, alone)
