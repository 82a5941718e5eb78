"""Two defects an outside audit found (session 27): the working-memory bound counted one
process while ``n_jobs`` workers each built their own conditional samples (6.6 GiB held at
settings admitted for 4), and the command line called a model its Dask workers cannot import
an internal error (exit 1) instead of the cluster's set-up (exit 2, saying so)."""

import sys
import textwrap

import joblib
import numpy as np
import pytest
from sklearn.linear_model import LinearRegression

from skxai import ExactShapleyExplainer, KernelShapExplainer
from skxai.utils._memory import MAX_WORKING_BYTES, check_working_memory, concurrent_workers


def _conditional(n_jobs, samples=25_000_000):
    X = np.random.RandomState(0).normal(size=(200, 2))
    model = LinearRegression().fit(X, X.sum(axis=1))
    return ExactShapleyExplainer(model, game="conditional", n_conditional_samples=samples, n_jobs=n_jobs), X


def test_each_worker_holding_its_own_samples_is_counted():
    est, X = _conditional(1)
    est.fit(X)  # about 3.2 GiB of samples for one value: within the bound in one process
    fixed, _ = est._working_bytes()
    assert 0.6 * MAX_WORKING_BYTES < fixed < MAX_WORKING_BYTES
    refused = r"2 workers of n_jobs hold about 3\.\d GiB each.*use fewer workers \(n_jobs\)"
    with pytest.raises(ValueError, match=refused):
        _conditional(2)[0].fit(X)
    # set after fit, or given by a parallel_config: refused before any work as well
    with pytest.raises(ValueError, match="2 workers"):
        est.set_params(n_jobs=2).transform(X[:2])
    est.set_params(n_jobs=None)
    with joblib.parallel_config(n_jobs=2), pytest.raises(ValueError, match="2 workers"):
        est.transform(X[:2])


def test_rows_per_chunk_leave_room_for_every_worker():
    X = np.random.RandomState(1).normal(size=(50, 30))
    est = KernelShapExplainer(lambda A: A.sum(axis=1), n_samples=200_000, max_background=None).fit(X[:5])
    fixed, per_row = est._working_bytes()
    one = check_working_memory(est, 10**9)
    two = check_working_memory(est.set_params(n_jobs=2), 10**9)
    assert one == (MAX_WORKING_BYTES - fixed) // per_row
    assert two == (MAX_WORKING_BYTES - 2 * fixed) // per_row < one


def test_workers_that_only_call_the_model_add_nothing():
    # the interventional game's workers make model calls (bounded by batch_size): the exact
    # explainer's coalitions and KernelSHAP's design with tol stay in the caller's process
    # (a first version refused both at n_jobs=-1 on 2 cores)
    X = np.random.RandomState(0).normal(size=(30, 24))
    exact = ExactShapleyExplainer(lambda A: A.sum(axis=1), max_features=24, max_background=5, n_jobs=2)
    fixed, _ = exact.fit(X)._working_bytes()
    assert fixed > 0.6 * MAX_WORKING_BYTES and exact._worker_bytes() == 0
    wide = np.random.RandomState(1).normal(size=(10, 800))
    kernel = KernelShapExplainer(lambda A: A.sum(axis=1), n_samples=50_000, tol=0.01, max_background=5, n_jobs=2)
    assert kernel.fit(wide)._worker_bytes() == 0
    # without tol, each worker fits its rows on its own copy of the design
    assert kernel.set_params(tol=None)._worker_bytes() == kernel._working_bytes()[0]


def test_workers_are_capped_at_the_cores(monkeypatch):
    est = KernelShapExplainer(lambda A: A.sum(axis=1), n_jobs=64)
    monkeypatch.setattr("os.cpu_count", lambda: 3)
    assert concurrent_workers(est) == 3
    assert concurrent_workers(est.set_params(n_jobs=None)) == 1


MODULE = textwrap.dedent(
    """
    import numpy as np
    from sklearn.base import BaseEstimator, RegressorMixin

    class WeightedSum(RegressorMixin, BaseEstimator):
        def fit(self, X, y):
            self.n_features_in_ = np.asarray(X).shape[1]
            return self

        def predict(self, X):
            return np.asarray(X, dtype=float) @ np.arange(1.0, self.n_features_in_ + 1)
    """
)


def test_a_model_the_workers_cannot_import_is_named_as_the_clusters_set_up(tmp_path, monkeypatch, capsys):
    distributed = pytest.importorskip("distributed")
    from skxai._cli import main

    with distributed.LocalCluster(processes=True, n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster:
        # the worker started before the module's folder is on this process's path: it cannot
        # import the module, which the command line's process can
        (tmp_path / "audit13_model.py").write_text(MODULE)
        monkeypatch.syspath_prepend(str(tmp_path))
        from audit13_model import WeightedSum

        X = np.random.RandomState(0).normal(size=(400, 3))
        joblib.dump(WeightedSum().fit(X, X.sum(axis=1)), tmp_path / "model.joblib")
        np.savetxt(tmp_path / "rows.csv", X, delimiter=",", header="a,b,c", comments="")
        out = tmp_path / "out.csv"
        code = main(
            [
                "explain", str(tmp_path / "model.joblib"), str(tmp_path / "rows.csv"), "--out", str(out),
                "--trust-pickle", "--quiet", "--method", "kernel-shap", "--n-samples", "64",
                "--background", "20", "--chunk-size", "100", "--scheduler", cluster.scheduler_address,
            ]
        )
    sys.modules.pop("audit13_model", None)
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Dask workers of --scheduler" in err and "cannot import" in err and "audit13_model" in err, err
    assert "internal error" not in err
