"""A TreeSHAP call too small to parallelise runs in the calling process under joblib's Dask
backend too (an outside audit, session 24): ``Parallel(n_jobs=1)`` still sent every chunk of
trees to the cluster with the whole runner, rebuilding its tables per task (0.65-0.88 s on 2
workers for 200 rows, 12 ms in the process)."""

import numpy as np
import pytest

distributed = pytest.importorskip("distributed")

from joblib import parallel_config  # noqa: E402
from sklearn.ensemble import RandomForestRegressor  # noqa: E402

from skxai import TreeShapExplainer  # noqa: E402


@pytest.mark.parametrize("game", ["tree_path_dependent", "interventional"])
def test_small_call_sends_no_task_to_the_cluster(game):
    rng = np.random.RandomState(1)
    X = rng.normal(size=(400, 6))
    model = RandomForestRegressor(n_estimators=20, max_depth=6, random_state=0).fit(X, X[:, 0] * X[:, 1])
    explainer = TreeShapExplainer(model, feature_perturbation=game).fit(X[:50])
    local = explainer.transform(X[:30])
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
    ) as cluster, distributed.Client(cluster) as client:
        with distributed.get_task_stream(client) as stream, parallel_config(backend="dask"):
            remote = explainer.set_params(n_jobs=-1).transform(X[:30])
        assert len(stream.data) == 0
    np.testing.assert_array_equal(remote, local)


def test_n_jobs_one_runs_here_under_the_dask_backend():
    # map_shared (LIME, Anchors, the games) and ShapleyRegression's subset models: n_jobs=1
    # under joblib's Dask backend sent every task, with the model, to the cluster
    from sklearn.linear_model import LinearRegression

    from skxai import LimeExplainer, ShapleyRegressionExplainer

    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 4))
    y = X @ [1.0, -1.0, 0.5, 2.0]
    model = LinearRegression().fit(X, y)
    lime = LimeExplainer(model, n_samples=200, random_state=0, n_jobs=1).fit(X)
    local_lime = lime.transform(X[:6])
    regression = ShapleyRegressionExplainer(LinearRegression(), n_jobs=1)
    local_reg = regression.fit(X, y).transform(X[:6])
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
    ) as cluster, distributed.Client(cluster) as client:
        with distributed.get_task_stream(client) as stream, parallel_config(backend="dask"):
            remote_lime = lime.transform(X[:6])
            remote_reg = regression.fit(X, y).transform(X[:6])
        assert len(stream.data) == 0
    np.testing.assert_array_equal(remote_lime, local_lime)
    np.testing.assert_array_equal(remote_reg, local_reg)


def test_regression_on_one_worker_under_dask_keeps_its_progress_and_no_warning(capfd):
    # run here through scikit-learn's sequential backend: calling its delayed wrappers by hand
    # warned ("should be used with sklearn.utils.parallel.Parallel") and printed no progress
    import warnings

    from sklearn.linear_model import LinearRegression

    from skxai import ShapleyRegressionExplainer

    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 4))
    y = X @ [1.0, -1.0, 0.5, 2.0]
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster, distributed.Client(cluster):
        capfd.readouterr()
        with parallel_config(backend="dask"), warnings.catch_warnings():
            warnings.simplefilter("error", UserWarning)
            ShapleyRegressionExplainer(LinearRegression(), n_jobs=1, verbose=1).fit(X, y)
        assert "Parallel" in capfd.readouterr().err
