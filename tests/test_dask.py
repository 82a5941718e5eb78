"""Real Dask workers: separate processes, pickled models, identical numbers, the model shipped once."""

import numpy as np
import pytest

distributed = pytest.importorskip("distributed")
da = pytest.importorskip("dask.array")

from joblib import parallel_config  # noqa: E402
from sklearn.ensemble import RandomForestRegressor  # noqa: E402

from skxai import KernelShapExplainer, TreeShapExplainer  # noqa: E402
from tests import _counting  # noqa: E402


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=40
    )
    with cluster, distributed.Client(cluster) as c:
        yield c


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(240, 6))
    y = X[:, 0] + 2 * X[:, 1] * X[:, 2] + np.sin(X[:, 3])
    return X, y


def _worker_loads(client):
    client.run(lambda: None)  # every worker is up
    return sorted(client.run(_counting.loads).values())


def _reset_loads(client):
    client.run(lambda: _counting.LOADS.__setitem__(0, 0))


def test_kernel_shap_on_dask_workers_is_identical_and_ships_the_model_once(client, data):
    X, y = data
    model = _counting.CountingRidge().fit(X, y)
    ex = KernelShapExplainer(model, n_samples=128, max_background=30, random_state=0, n_jobs=1).fit(X)
    expected = ex.transform(X[:120])
    _reset_loads(client)
    with parallel_config(backend="dask"):
        got = ex.set_params(n_jobs=-1).transform(X[:120])
    np.testing.assert_array_equal(got, expected)
    # Each worker unpickles the model at most once, however many tasks it ran.
    assert all(n <= 1 for n in _worker_loads(client))


def test_dask_array_input_is_explained_lazily_block_by_block(client, data):
    X, y = data
    model = _counting.CountingRidge().fit(X, y)
    ex = KernelShapExplainer(model, n_samples=64, max_background=20, random_state=0).fit(X)
    lazy = ex.transform(da.from_array(X, chunks=(30, 6)))
    assert isinstance(lazy, da.Array) and lazy.shape == (240, 6)
    _reset_loads(client)
    got = lazy.compute()
    np.testing.assert_array_equal(got, ex.transform(X))
    loads = _worker_loads(client)
    assert sum(loads) <= 2 and all(n <= 1 for n in loads)  # 8 blocks, the explainer sent once per worker


def test_tree_shap_on_a_dask_array_matches_numpy(client, data):
    X, y = data
    forest = RandomForestRegressor(n_estimators=10, max_depth=4, random_state=0).fit(X, y)
    ex = TreeShapExplainer(forest).fit(X)
    got = ex.transform(da.from_array(X, chunks=(60, 6))).compute()
    np.testing.assert_allclose(got, ex.transform(X), rtol=0, atol=1e-12)


def test_dask_dataframe_gives_a_lazy_dataframe(client, data):
    dd = pytest.importorskip("dask.dataframe")
    pd = pytest.importorskip("pandas")
    X, y = data
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(6)])
    model = _counting.CountingRidge().fit(frame, y)
    ex = KernelShapExplainer(model, n_samples=64, max_background=20, random_state=0).fit(frame)
    lazy = ex.transform(dd.from_pandas(frame, npartitions=4))
    out = lazy.compute()
    assert list(out.columns) == list(ex.get_feature_names_out())
    np.testing.assert_array_equal(out.to_numpy(), ex.transform(frame))


def test_torch_explainer_on_a_dask_array(client):
    torch = pytest.importorskip("torch")
    from skxai import IntegratedGradientsExplainer

    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(5, 8), torch.nn.Tanh(), torch.nn.Linear(8, 3)).double()
    X = np.random.RandomState(1).normal(size=(64, 5))
    ex = IntegratedGradientsExplainer(net, target=1).fit(X)
    got = ex.transform(da.from_array(X, chunks=(16, 5))).compute()
    np.testing.assert_allclose(got, ex.transform(X), rtol=0, atol=1e-12)


def test_tree_shap_n_jobs_on_a_one_worker_dask_cluster(monkeypatch):
    """joblib runs the tasks in the calling process when the cluster has one worker thread: the
    tree runner must reach them as itself, not as the future of its scatter."""
    from skxai.shapley._treeshap import _run

    monkeypatch.setattr(_run, "_MIN_PARALLEL_WORK", 0)  # chunks of trees go to joblib at any size
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 5))
    forest = RandomForestRegressor(n_estimators=20, max_depth=6, random_state=0).fit(X, X[:, 0] * X[:, 1])
    for perturbation in ("interventional", "tree_path_dependent"):
        ex = TreeShapExplainer(forest, feature_perturbation=perturbation, max_background=50).fit(X)
        expected = ex.transform(X)
        ex.set_params(n_jobs=-1)
        with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None,
                                      silence_logs=40) as cluster, distributed.Client(cluster):
            with parallel_config(backend="dask"):
                np.testing.assert_array_equal(ex.transform(X), expected)
