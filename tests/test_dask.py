"""Real Dask workers: separate processes, pickled models, identical numbers, the model shipped once."""

import numpy as np
import pytest

distributed = pytest.importorskip("distributed")
da = pytest.importorskip("dask.array")

from joblib import parallel_config  # noqa: E402
from sklearn.ensemble import RandomForestRegressor  # noqa: E402

from skxai import KernelShapExplainer, LimeExplainer, TreeShapExplainer  # noqa: E402
from tests import _counting  # noqa: E402
from tests.shapley._tree_reference import kept_prefix  # noqa: E402


@pytest.fixture(scope="module")
def client(dask_process_client):
    return dask_process_client


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


def test_lime_on_dask_workers_is_identical_and_ships_the_model_once_per_worker(client, data):
    # The model and background went with each of its 4 x workers tasks (an outside audit: a
    # forest unpickled 2-4 times per worker at every call); now once per worker, then never again.
    X, y = data
    model = _counting.CountingRidge().fit(X, y)
    ex = LimeExplainer(model, n_samples=200, max_background=30, random_state=0, n_jobs=1).fit(X)
    expected = ex.transform(X[:120])
    ex.set_params(n_jobs=-1, batch_size=1000)  # several model calls, so several tasks
    _reset_loads(client)
    with parallel_config(backend="dask"):
        got = ex.transform(X[:120])
        np.testing.assert_array_equal(got, expected)
        assert all(n <= 1 for n in _worker_loads(client))
        _reset_loads(client)
        np.testing.assert_array_equal(ex.transform(X[:120]), expected)
    assert sum(_worker_loads(client)) == 0


def test_anchors_and_text_lime_ship_their_explainer_once_per_worker(client, data):
    # Tabular anchors, text anchors and text LIME sent the explainer (and its model) with every
    # chunk of rows, at every call (an outside audit, session 23); now once per worker.
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.pipeline import make_pipeline

    from skxai import AnchorTabularExplainer, LimeTextExplainer

    X, y = data
    model = _counting.CountingLogistic().fit(X, y > 0)
    anchors = AnchorTabularExplainer(model, random_state=0, n_jobs=1).fit(X)
    docs = ["good fine film", "bad awful film", "good great plot", "awful bad plot", "fine good acting",
            "bad dull acting"] * 4
    text_model = make_pipeline(CountVectorizer(), _counting.CountingLogistic()).fit(docs, [1, 0] * 12)
    lime = LimeTextExplainer(text_model, n_samples=60, random_state=0, n_jobs=1).fit(docs)
    for explainer, rows in ((anchors, X[:24]), (lime, docs[:12])):
        expected = explainer.explain(rows)
        explainer.set_params(n_jobs=-1)
        with parallel_config(backend="dask"):
            _reset_loads(client)
            got = explainer.explain(rows)
            assert all(n <= 1 for n in _worker_loads(client)), type(explainer).__name__
            _reset_loads(client)
            explainer.explain(rows)
            assert sum(_worker_loads(client)) == 0, type(explainer).__name__
        np.testing.assert_array_equal(np.asarray(got.values, dtype=object).ravel().tolist(),
                                      np.asarray(expected.values, dtype=object).ravel().tolist())


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


def test_dask_array_ships_the_explainer_once_across_computes_and_again_after_a_refit(client, data, monkeypatch):
    """With a client, the explainer is scattered to the workers once and kept there: a second
    graph on the same explainer sends nothing (so TreeSHAP's tables built by the first compute
    stay on the workers), and a refitted explainer is sent again (never a stale copy)."""
    from skxai.utils import _parallel

    X, y = data
    forest = RandomForestRegressor(n_estimators=10, max_depth=4, random_state=0).fit(X, y)
    ex = TreeShapExplainer(forest, feature_perturbation="interventional", max_background=30).fit(X)
    scatters = []
    scatter = client.scatter
    monkeypatch.setattr(client, "scatter", lambda *a, **k: scatters.append(1) or scatter(*a, **k))
    for _ in range(2):
        got = ex.transform(da.from_array(X, chunks=(60, 6))).compute()
        np.testing.assert_allclose(got, ex.transform(X), rtol=0, atol=1e-12)
    assert len(scatters) == 1
    token = _parallel._SCATTERED[ex][1]

    def tables_kept(token=token):
        from skxai.utils import _parallel

        held = _parallel._PROCESS_CACHE.get(token)  # a worker that ran no block has none
        return -1 if held is None else sum(tab is not None for tab in held._runner._tables)

    assert max(client.run(tables_kept).values()) > 0  # the workers' copies kept their tables
    ex.fit(X[:100] + 1.0)  # a new background: other values
    got = ex.transform(da.from_array(X, chunks=(60, 6))).compute()
    assert len(scatters) == 2
    np.testing.assert_allclose(got, ex.transform(X), rtol=0, atol=1e-12)


def _frame_explainer(data):
    """A DataFrame of the data and a KernelSHAP explainer fitted on it."""
    pd = pytest.importorskip("pandas")
    X, y = data
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(6)])
    model = _counting.CountingRidge().fit(frame, y)
    return frame, KernelShapExplainer(model, n_samples=64, max_background=20, random_state=0).fit(frame)


def test_dask_dataframe_gives_a_lazy_dataframe(client, data):
    dd = pytest.importorskip("dask.dataframe")
    frame, ex = _frame_explainer(data)
    lazy = ex.transform(dd.from_pandas(frame, npartitions=4))
    out = lazy.compute()
    assert list(out.columns) == list(ex.get_feature_names_out())
    np.testing.assert_array_equal(out.to_numpy(), ex.transform(frame))


def test_empty_blocks_and_partitions_are_explained_as_empty(client, data):
    """A filter leaves empty blocks or partitions; they hold nothing to explain and must not fail
    the compute (explainers refuse 0 samples)."""
    dd = pytest.importorskip("dask.dataframe")
    X, _ = data
    frame, ex = _frame_explainer(data)
    expected = ex.transform(frame)
    got = ex.transform(da.from_array(X, chunks=((0, 100, 0, 140), 6))).compute()
    np.testing.assert_array_equal(got, expected)
    parts = dd.from_pandas(frame, npartitions=4)
    kept = parts.map_partitions(lambda f: f[f.index >= 120])  # the first two partitions are empty
    out = ex.transform(kept).compute()
    assert list(out.columns) == list(ex.get_feature_names_out())
    np.testing.assert_array_equal(out.index, frame.index[120:])
    np.testing.assert_array_equal(out.to_numpy(), expected[120:])


def test_a_random_state_instance_gives_every_block_the_draw_of_one_call(client, data):
    """With a RandomState instance, each block used to draw the next seed from the shared copy
    (in the order the worker ran its blocks): the values depended on the chunks and on the
    scheduling. Every block now starts from the state before the call, as one in-memory call."""
    import copy

    from skxai import LimeExplainer

    X, y = data
    model = _counting.CountingRidge().fit(X, y)
    ex = LimeExplainer(model, n_samples=32, random_state=np.random.RandomState(0)).fit(X)
    expected = copy.deepcopy(ex).transform(X)
    for chunks in (60, 7, ((1, 200, 39), 6)):
        got = copy.deepcopy(ex).transform(da.from_array(X, chunks=chunks)).compute()
        np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12)
    # The instance still advances, once per call: another call draws other numbers.
    again = copy.deepcopy(ex)
    again.transform(X[:1])
    assert not np.allclose(again.transform(da.from_array(X, chunks=60)).compute(), expected)


def test_explain_refuses_dask_collections_with_a_clear_error(data):
    """``explain`` returns an Explanation in memory: a dask collection is refused (not computed
    whole behind the user's back, nor failing deep inside), pointing at ``transform``."""
    dd = pytest.importorskip("dask.dataframe")
    pd = pytest.importorskip("pandas")
    X, y = data
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(6)])
    ex = KernelShapExplainer(_counting.CountingRidge().fit(frame, y), n_samples=64, max_background=20).fit(frame)
    for lazy in (da.from_array(X, chunks=(60, 6)), dd.from_pandas(frame, npartitions=2)):
        with pytest.raises(TypeError, match=r"explain takes data in memory, not a dask .*use transform"):
            ex.explain(lazy)


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


def _cached_chunks(client, token):
    """Per worker: which chunks' tables its copy of the shipped tree runner keeps (the copy its
    process keeps, whatever Dask does with the scattered key's replicas)."""

    def cached(token=token):
        from skxai.utils import _parallel

        runner = _parallel._PROCESS_CACHE[token]
        return [c for c, tab in enumerate(runner._tables) if tab is not None]

    return client.run(cached)


def _set_cache(client, floats):
    from skxai.shapley._treeshap import _run

    client.run(lambda: setattr(_run, "CACHE_FLOATS", floats))


def test_tree_shap_n_jobs_pins_chunks_of_trees_to_workers(client, data, monkeypatch):
    """Under joblib's Dask backend each worker always gets the same chunks of trees and keeps
    their tables up to its own cache: the numbers are identical to one process, the runner is
    scattered once, no table is built on two workers, and a second call builds nothing the
    caches hold."""
    from skxai.shapley._treeshap import _run
    from skxai.utils import _parallel

    monkeypatch.setattr(_run, "_MIN_PARALLEL_WORK", 0)  # chunks of trees go to the cluster at any size
    X, y = data
    forest = RandomForestRegressor(n_estimators=24, max_depth=6, random_state=0).fit(X, y)
    scatters = []
    scatter = client.scatter
    monkeypatch.setattr(client, "scatter", lambda *a, **k: scatters.append(1) or scatter(*a, **k))
    for perturbation in ("interventional", "tree_path_dependent"):
        ex = TreeShapExplainer(forest, feature_perturbation=perturbation, max_background=40).fit(X)
        expected = ex.transform(X)
        runner = ex._runner
        groups = _run._balanced_groups(runner._sizes, 2)
        assert len(groups) == 2 and groups[0][-1] + 1 == groups[1][0]
        ex.set_params(n_jobs=-1)
        scatters.clear()
        try:
            with parallel_config(backend="dask"):
                for _ in range(2):
                    np.testing.assert_array_equal(ex.transform(X), expected)
            token = _parallel._SCATTERED[runner][1]
            cached = sorted(_cached_chunks(client, token).values())
            assert cached == groups  # all fit the default cache, each on its own worker
            assert len(scatters) == 1
            # A cache of about two chunks per worker (with room for one rebuilt): each keeps the
            # first chunks of its own group (not the forest's first ones) and drops the tables
            # it held beyond them.
            sizes = runner._sizes
            budget = max(sizes[g[0]] + sizes[g[1]] + max(sizes[c] for c in g[2:]) for g in groups)
            _set_cache(client, budget)
            with parallel_config(backend="dask"):
                np.testing.assert_array_equal(ex.transform(X), expected)
            kept = sorted(_cached_chunks(client, token).values())

            wanted = [g[: kept_prefix([sizes[c] for c in g], budget)] for g in groups]
            assert kept == wanted and all(len(w) >= 2 for w in wanted)
            assert sum(map(len, wanted)) < len(runner.chunks)
        finally:
            _set_cache(client, 1 << 24)


def test_balanced_groups_are_contiguous_non_empty_and_balanced():
    from skxai.shapley._treeshap._run import _balanced_groups

    assert _balanced_groups([1] * 10, 2) == [list(range(5)), list(range(5, 10))]
    assert _balanced_groups([5, 1, 1, 1, 1, 1], 2) == [[0], [1, 2, 3, 4, 5]]
    assert _balanced_groups([1, 1, 1, 1, 1, 9], 3) == [[0, 1, 2, 3], [4], [5]]
    assert _balanced_groups([1, 2], 5) == [[0], [1]]
    assert _balanced_groups([3], 2) == [[0]]
    rng = np.random.RandomState(0)
    for _ in range(50):
        sizes = rng.randint(1, 100, size=rng.randint(1, 30))
        k = rng.randint(1, 8)
        groups = _balanced_groups(sizes, k)
        assert [c for g in groups for c in g] == list(range(len(sizes)))
        assert len(groups) == min(k, len(sizes)) and all(groups)


def test_worker_threads_follows_n_jobs(client):
    from skxai.utils._parallel import worker_threads

    with parallel_config(backend="dask"):
        every = worker_threads(client, -1)
        assert len(every) == 2 and all(threads == 1 for _, threads in every)
        assert [a for a, _ in every] == sorted(client.nthreads())
        assert worker_threads(client, None) == every
        assert worker_threads(client, 1) == every[:1]


def test_unfitted_explainer_on_a_dask_array_is_refused_before_anything_is_sent(client, data, monkeypatch):
    from sklearn.exceptions import NotFittedError

    X, y = data
    scatters = []
    scatter = client.scatter
    monkeypatch.setattr(client, "scatter", lambda *a, **k: scatters.append(1) or scatter(*a, **k))
    ex = KernelShapExplainer(_counting.CountingRidge().fit(X, y))
    with pytest.raises(NotFittedError):
        ex.transform(da.from_array(X, chunks=(60, 6)))
    assert scatters == []


def test_a_shipped_handle_is_unpickled_once_per_process_however_often_it_travels(data, monkeypatch):
    """Dask may drop a scattered key's replicas and copy it again between workers (its active
    memory manager does, every 2 s): each copy arrives as bytes, and the model inside is
    unpickled once per process and token, then kept (the last PROCESS_CACHE_SIZE)."""
    import pickle

    from skxai.utils import _parallel

    X, y = data
    model = _counting.CountingRidge().fit(X, y)
    monkeypatch.setattr(_parallel, "_PROCESS_CACHE", type(_parallel._PROCESS_CACHE)())
    handle = _parallel.Shipped(model, "token-a")
    assert _parallel.unwrap(handle) is model  # where it was made: the object itself
    _counting.LOADS[0] = 0
    copies = [pickle.loads(pickle.dumps(pickle.loads(pickle.dumps(handle)))) for _ in range(3)]
    assert all(isinstance(c, _parallel.Shipped) for c in copies)  # still handles: they travel as bytes
    got = [_parallel.unwrap(c) for c in copies]
    assert _counting.LOADS[0] == 1 and all(g is got[0] for g in got)
    np.testing.assert_array_equal(got[0].coef_, model.coef_)
    assert _parallel.unwrap(model) is model
    # bounded: the least recently used token goes first
    for i in range(_parallel.PROCESS_CACHE_SIZE):
        _parallel.unwrap(pickle.loads(pickle.dumps(_parallel.Shipped(model, f"other-{i}"))))
    assert "token-a" not in _parallel._PROCESS_CACHE
    assert len(_parallel._PROCESS_CACHE) == _parallel.PROCESS_CACHE_SIZE


def test_tree_shap_n_jobs_on_one_worker_process_with_two_threads(monkeypatch):
    """One worker of two threads: one group of chunks, run on the worker's two threads; the
    numbers of one process."""
    from skxai.shapley._treeshap import _run

    monkeypatch.setattr(_run, "_MIN_PARALLEL_WORK", 0)
    rng = np.random.RandomState(0)
    X = rng.normal(size=(120, 5))
    forest = RandomForestRegressor(n_estimators=16, max_depth=5, random_state=0).fit(X, X[:, 0] * X[:, 1])
    ex = TreeShapExplainer(forest, feature_perturbation="interventional", max_background=30).fit(X)
    expected = ex.transform(X)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=True, dashboard_address=None,
                                  silence_logs=40) as cluster, distributed.Client(cluster) as client:
        from skxai.utils._parallel import worker_threads

        with parallel_config(backend="dask"):
            assert [threads for _, threads in worker_threads(client, -1)] == [2]
            np.testing.assert_array_equal(ex.set_params(n_jobs=-1).transform(X), expected)
