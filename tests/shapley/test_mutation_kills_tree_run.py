"""The TreeSHAP runner's plumbing (issue 17: mutation score of ``_treeshap/_run.py``).

What is checked, each against something the runner does not compute itself:

* the chunks of trees: contiguous, in order, balanced, as many as the documented rule asks
  (at least ``N_CHUNKS``, at most one per tree, about ``PLAN_NODES`` nodes each beyond that);
* the cache: the kept chunks' tables are the ones whose memory (numpy's and scipy's own
  ``nbytes``) fits ``CACHE_FLOATS`` float64 entries, dense or sparse;
* where the work runs: tables built once per chunk in this process (threads, not processes),
  threads only above ``_MIN_PARALLEL_WORK``, the ``n_jobs`` given at construction or per call;
* joblib's Dask backend (a stand-in client and ``map_shared``): plans and bases made one chunk
  at a time with no table built (dense) or kept, the chunks sent as tasks, the partial sums added in chunk order;
* BLAS limited to one thread inside the runner's threads.

Values are compared to the brute-force games of ``tests/shapley/_tree_reference.py`` or, for
the plumbing, to the same runner on its plain path (bit for bit: same chunks, same order).
"""

import pickle
import tracemalloc

import numpy as np
import pytest
from joblib import Parallel
from sklearn.ensemble import RandomForestRegressor
from threadpoolctl import threadpool_info, threadpool_limits

from skxai.shapley._treeshap import _engine, _paths
from skxai.shapley._treeshap import _run as _tree_run
from skxai.shapley._treeshap._run import TreeRunner
from skxai.shapley._treeshap._sklearn import read_model
from skxai.utils import _parallel
from tests.shapley._tree_reference import kept_prefix, path_dependent_value, raw_output, shapley_by_enumeration

GAMES = ["tree_path_dependent", "interventional"]


@pytest.fixture(scope="module")
def forest():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 4)).round(2)
    y = X[:, 0] * X[:, 1] + np.sin(2 * X[:, 2]) + (X[:, 3] > 0)
    model = RandomForestRegressor(n_estimators=24, max_depth=5, random_state=0).fit(X, y)
    return model, X


def _runner(model, X, game, **kw):
    bg = X[:20]
    run = TreeRunner(read_model(model, X.shape[1]), game, bg, np.full(len(bg), 1 / len(bg)), **kw)
    if _tree_run.dask_client() is None:
        # path-dependent, the kept tables are built by the calls that need them: here, as the
        # interventional game's fit builds them
        run.build_kept_tables()
    return run


class _Builds:
    """Counts ``TreeRunner._build`` calls made in this process."""

    def __init__(self, monkeypatch):
        self.n = 0
        build = TreeRunner._build

        def counted(runner, plan, outside=True):
            self.n += 1
            return build(runner, plan, outside)

        monkeypatch.setattr(TreeRunner, "_build", counted)


class _Parallel(Parallel):
    """joblib's Parallel, recording the ``n_jobs`` of every pool the runner opens."""

    calls = []

    def __init__(self, *args, **kw):
        self.calls.append(kw.get("n_jobs"))
        super().__init__(*args, **kw)


@pytest.fixture
def recorded(monkeypatch):
    _Parallel.calls = []
    monkeypatch.setattr(_tree_run, "Parallel", _Parallel)
    return _Parallel.calls


# ------------------------------------------------------------------ chunks of trees
def _check_chunks(chunks, T):
    assert np.array_equal(np.concatenate(chunks), np.arange(T))  # every tree once, in order
    sizes = [len(c) for c in chunks]
    assert min(sizes) >= 1 and max(sizes) - min(sizes) <= 1  # balanced


def test_chunks_at_least_n_chunks_at_most_one_per_tree(forest):
    model, X = forest
    run = _runner(model, X, "tree_path_dependent")
    assert len(run.chunks) == _tree_run.N_CHUNKS == 16  # 24 small trees (< 16 * 512 nodes)
    _check_chunks(run.chunks, 24)
    few = RandomForestRegressor(n_estimators=5, max_depth=3, random_state=0).fit(X, X[:, 0])
    run = _runner(few, X, "tree_path_dependent")
    assert len(run.chunks) == 5  # one tree per chunk, no empty chunk
    _check_chunks(run.chunks, 5)


def test_chunks_of_about_plan_nodes_nodes_beyond_n_chunks(forest, monkeypatch):
    """Beyond N_CHUNKS chunks: the fewest chunks with at most PLAN_NODES nodes each on average."""
    model, X = forest
    nodes = sum(e.tree_.node_count for e in model.estimators_)
    per_chunk = nodes // 20  # 20 chunks would hold just over this many: 21 needed
    monkeypatch.setattr(_tree_run, "PLAN_NODES", per_chunk)
    run = _runner(model, X, "tree_path_dependent")
    n = len(run.chunks)
    assert 16 < n < 24
    assert n * per_chunk >= nodes > (n - 1) * per_chunk
    _check_chunks(run.chunks, 24)
    monkeypatch.setattr(_tree_run, "PLAN_NODES", 1)  # more chunks than trees asked: one per tree
    assert len(_runner(model, X, "tree_path_dependent").chunks) == 24


def test_block_bits_above_the_table_limit_are_capped(monkeypatch):
    """Blocks wider than MAX_TABLE_BITS would hold leaves without tables: the runner caps them,
    and the values stay the brute-force game's."""
    rng = np.random.RandomState(1)
    X = rng.normal(size=(60, 4)).round(2)
    y = X[:, 0] * X[:, 1] + X[:, 2] - X[:, 3] ** 2
    model = RandomForestRegressor(n_estimators=2, max_depth=5, random_state=0).fit(X, y)
    monkeypatch.setattr(_paths, "MAX_TABLE_BITS", 2)
    run = TreeRunner(read_model(model, 4), "tree_path_dependent", None, None, block_bits=9)
    assert run.block_bits == 2
    rows = X[[0, 5, 17]]
    phi = run.shap_values(rows)
    for x, ph in zip(rows, phi, strict=True):

        def v(S, x=x):
            known = np.zeros(4, dtype=bool)
            known[list(S)] = True
            return path_dependent_value(model, x, known, np.zeros(1))

        np.testing.assert_allclose(ph, shapley_by_enumeration(v, 4), rtol=0, atol=1e-10)


# ------------------------------------------------------------------ the cache, by memory
def _bytes(a):
    if hasattr(a, "nnz"):  # scipy's CSR: values and column indices (the row pointers are small)
        return a.data.nbytes + a.indices.nbytes
    return a.nbytes


@pytest.mark.parametrize("dense", [64, 0], ids=["dense", "sparse"])
@pytest.mark.parametrize("game", GAMES)
def test_cache_keeps_the_chunks_whose_tables_fit_by_memory(forest, game, dense, monkeypatch):
    """Tables of chunks (2-bit blocks: leaves also outside them, so both tables count) kept in
    chunk order while their memory, with the largest of the others', fits CACHE_FLOATS * 8
    bytes."""
    model, X = forest
    monkeypatch.setattr(_engine, "DENSE_COLUMNS", dense)
    full = _runner(model, X, game, block_bits=2)
    tabs = full._tables
    assert all(t.out_rows.shape[0] > 0 for t in tabs)  # leaves outside the blocks in every chunk
    assert all(hasattr(t.block_table, "nnz") == (not dense) for t in tabs)
    floats = [(_bytes(t.block_table) + _bytes(t.out_rows)) / 8 for t in tabs]
    # three kept, and room for the largest of the others, rebuilt at every call
    three = sum(floats[:3]) + max(floats[3:])
    if dense:
        bounds = {int(three): 3, int(three) - 1: 2}
    else:  # 12 bytes an entry: 1.5 floats, each table's count rounded down (at most 4 halves lost)
        assert min(floats) > 4
        bounds = {int(three): 3, int(np.ceil(three)) - 4: 2}
    for budget, kept in bounds.items():
        monkeypatch.setattr(_tree_run, "CACHE_FLOATS", budget)
        run = _runner(model, X, game, block_bits=2)
        assert run._keep == [True] * kept + [False] * (len(tabs) - kept)
        assert [t is not None for t in run._tables] == run._keep


# ------------------------------------------------------------------ where the work runs
@pytest.mark.parametrize("game", GAMES)
def test_fit_builds_every_chunk_once_in_this_process(forest, game, recorded, monkeypatch):
    """Threads (not processes): each chunk's tables built once, here; the thread pool only when
    the table entries to fill (nodes x 2**block_bits) reach _MIN_PARALLEL_WORK."""
    model, X = forest
    work = sum(e.tree_.node_count for e in model.estimators_) * 2**4
    builds = _Builds(monkeypatch)
    monkeypatch.setattr(_tree_run, "_MIN_PARALLEL_WORK", work)
    run = _runner(model, X, game, n_jobs=2, block_bits=4)
    assert recorded == [2] and builds.n == len(run.chunks) == 16
    assert all(t is not None for t in run._tables)
    monkeypatch.setattr(_tree_run, "_MIN_PARALLEL_WORK", work + 1)
    _runner(model, X, game, n_jobs=2, block_bits=4)
    # one worker: built here, without joblib (whose Dask backend ships even n_jobs=1)
    assert recorded == [2] and builds.n == 32


def test_shap_values_n_jobs_from_construction_or_call_above_the_work_threshold(forest, recorded, monkeypatch):
    model, X = forest
    rows = X[:30]
    run = _runner(model, X, "interventional", n_jobs=2)
    expected = run.shap_values(rows, n_jobs=1)
    work = len(rows) * len(run.ensemble.left)  # rows x nodes
    monkeypatch.setattr(_tree_run, "_MIN_PARALLEL_WORK", work)
    monkeypatch.setattr(_tree_run, "_THREAD_WORK_FACTOR", 1)  # (threads' own rule: test_audit39_tree_threads.py)
    recorded.clear()
    np.testing.assert_array_equal(run.shap_values(rows), expected)  # "fit": the constructor's 2
    np.testing.assert_array_equal(run.shap_values(rows, n_jobs=3), expected)
    assert recorded == [2, 3]
    monkeypatch.setattr(_tree_run, "_MIN_PARALLEL_WORK", work + 1)
    np.testing.assert_array_equal(run.shap_values(rows), expected)
    assert recorded == [2, 3]  # below the threshold: here, without joblib


@pytest.mark.parametrize("game", GAMES)
def test_threads_fill_the_cache_of_this_runner(forest, game, monkeypatch):
    """A runner without its tables (unpickled) explaining with threads: the kept tables land in
    this runner's cache (a process pool would fill its workers' copies) and are not rebuilt."""
    model, X = forest
    monkeypatch.setattr(_tree_run, "ROW_PATH", False)  # the tables, which 30 rows would not build
    run = _runner(model, X, game)
    rows = X[:30]
    expected = run.shap_values(rows, n_jobs=1)
    monkeypatch.setattr(_tree_run, "_MIN_PARALLEL_WORK", 0)
    builds = _Builds(monkeypatch)
    again = pickle.loads(pickle.dumps(run))
    assert all(t is None for t in again._tables)
    np.testing.assert_array_equal(again.shap_values(rows, n_jobs=2), expected)
    assert builds.n == len(run.chunks) and all(t is not None for t in again._tables)
    np.testing.assert_array_equal(again.shap_values(rows, n_jobs=2), expected)
    assert builds.n == len(run.chunks)


def test_one_blas_thread_inside_the_runners_threads():
    np.ones((4, 4)) @ np.ones((4, 4))  # BLAS loaded
    if not any(i["user_api"] == "blas" for i in threadpool_info()):
        pytest.skip("no BLAS library that threadpoolctl controls")
    with threadpool_limits(limits=2, user_api="blas"):
        with _parallel.one_blas_thread():
            assert {i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"} == {1}
        assert {i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"} == {2}


# ------------------------------------------------------------------ joblib's Dask backend
class _FakeClient:
    """A stand-in for the ``distributed.Client`` of joblib's Dask backend: two one-thread workers
    (two processes), each task run at once on that worker's own unpickled copy of the scattered
    object."""

    id = "fake"

    def __init__(self):
        self.calls, self.copies = [], {}

    def nthreads(self):
        return {"tcp://w1": 1, "tcp://w0": 1}

    def scatter(self, obj, broadcast=False, hash=True):
        assert broadcast and not hash
        return obj

    def submit(self, func, remote, *args, workers, allow_other_workers, pure):
        # pinned, as a preference: a group whose worker died runs on another (no hang)
        assert len(workers) == 1 and allow_other_workers and not pure
        if workers[0] not in self.copies:
            handle = pickle.loads(pickle.dumps(remote))  # what the worker receives: bytes and a token
            self.copies[workers[0]] = pickle.loads(handle._payload)  # its own process's copy
        copy = self.copies[workers[0]]
        self.calls.append((workers[0], list(args[0]), args[-1]))
        return func(copy, *args)

    def gather(self, futures):
        return list(futures)


@pytest.fixture
def fake_dask(monkeypatch):
    client = _FakeClient()
    monkeypatch.setattr(_tree_run, "dask_client", lambda: client)
    return client


def test_kept_chunks_leave_room_for_the_largest_rebuilt_one(monkeypatch):
    monkeypatch.setattr(_tree_run, "CACHE_FLOATS", 10)
    assert _tree_run._kept_chunks([3, 3, 3]) == [True] * 3  # all fit: none rebuilt
    assert _tree_run._kept_chunks([3, 3, 3, 3]) == [True, True, False, False]  # 6 kept + 3
    assert _tree_run._kept_chunks([2, 2, 9]) == [False] * 3  # 9 rebuilt leaves room for none
    assert _tree_run._kept_chunks([9, 1]) == [True, True]
    assert _tree_run._kept_chunks([11, 1]) == [False, False]
    assert _tree_run._kept_chunks([]) == []
    rng = np.random.RandomState(0)
    for _ in range(200):
        sizes = list(rng.randint(0, 6, size=rng.randint(1, 8)))
        m = kept_prefix(sizes, 10)
        assert _tree_run._kept_chunks(sizes) == [c < m for c in range(len(sizes))]


@pytest.mark.parametrize("game", GAMES)
def test_dask_runner_plans_one_chunk_at_a_time_and_sends_the_chunks(forest, game, fake_dask, monkeypatch):
    model, X = forest
    monkeypatch.setattr(_tree_run, "ROW_PATH", False)  # the tables, which 30 rows would not build
    rows = X[:30].copy()
    rows[::3, 1] = np.nan  # rows the trees send by their missing direction
    monkeypatch.setattr(_tree_run, "dask_client", lambda: None)
    plain = _runner(model, X, game)
    sizes = [_tree_run._table_floats(t) for t in plain._tables]
    budget = sum(sizes[:3]) + max(sizes[3:])  # three kept, and room for one rebuilt
    monkeypatch.setattr(_tree_run, "CACHE_FLOATS", budget)
    plain = _runner(model, X, game)
    expected = plain.shap_values(rows, n_jobs=1)
    right = plain.shap_values(np.nan_to_num(rows, nan=1e9), n_jobs=1)
    assert not np.allclose(expected, right)  # NaN goes left somewhere
    monkeypatch.setattr(_tree_run, "dask_client", lambda: fake_dask)
    builds = _Builds(monkeypatch)
    run = _runner(model, X, game, n_jobs=2)
    # plans, bases and dense tables' sizes come from the trees: no table is built here
    assert builds.n == 0 and len(run.chunks) == 16
    assert run._sizes == plain._sizes
    assert all(t is None for t in run._tables)  # nothing kept here: the workers build their own
    assert run._keep == plain._keep == [True] * 3 + [False] * 13
    np.testing.assert_array_equal(run.bases, plain.bases)
    np.testing.assert_array_equal(run.expected_value(), plain.expected_value())
    assert len(run.plans) == 16
    monkeypatch.setattr(_tree_run, "_MIN_PARALLEL_WORK", 0)  # any work goes to the workers
    # n_jobs=1: this process, no task sent
    np.testing.assert_array_equal(run.shap_values(rows, n_jobs=1), expected)
    assert fake_dask.calls == []
    # n_jobs=2 (the constructor's): one task per worker, each with its own contiguous group of
    # chunks (balanced by table size), the first worker (in address order) the first group;
    # the chunks' values summed in chunk order
    groups = _tree_run._balanced_groups(run._sizes, 2)
    assert len(groups) == 2 and groups[0] + groups[1] == list(range(16))
    for _ in range(2):
        np.testing.assert_array_equal(run.shap_values(rows), expected)
    assert fake_dask.calls == [("tcp://w0", groups[0], 1), ("tcp://w1", groups[1], 1)] * 2
    # each worker keeps its own group's first chunks up to the cache (with room for one rebuilt)
    for worker, group in zip(("tcp://w0", "tcp://w1"), groups, strict=True):
        held = [c for c, tab in enumerate(fake_dask.copies[worker]._tables) if tab is not None]
        assert held == group[: kept_prefix([sizes[c] for c in group], budget)] and held


def test_interventional_values_equal_the_weighted_background_game(forest):
    """The runner's interventional values against the game written on the public tree arrays, with
    unequal background weights (weights kept as given, as float64)."""
    model, X = forest
    bg = X[:4]
    w = [0.1, 0.2, 0.3, 0.4]  # a list: converted by the runner
    run = TreeRunner(read_model(model, 4), "interventional", bg, w)
    rows = X[[50, 60]]
    phi = run.shap_values(rows)
    for x, ph in zip(rows, phi, strict=True):

        def v(S, x=x):
            mixed = np.where(np.isin(np.arange(4), list(S))[None, :], x[None, :], bg)
            return np.asarray(w) @ np.array([raw_output(model, m, np.zeros(1)) for m in mixed])

        np.testing.assert_allclose(ph, shapley_by_enumeration(v, 4), rtol=0, atol=1e-10)


def test_weights_are_read_as_float64(forest, monkeypatch):
    """Background weights given in float32: the base of leaves read by the closed forms (every leaf
    here) is their float64 weighted sum, not a float32 one."""
    model, X = forest
    monkeypatch.setattr(_paths, "MAX_TABLE_BITS", 1)
    bg = X[:5]
    w = np.array([0.1, 0.2, 0.3, 0.15, 0.25], dtype=np.float32)
    run = TreeRunner(read_model(model, 4), "interventional", bg, w, block_bits=1)
    base = w.astype(np.float64) @ np.array([raw_output(model, b, np.zeros(1)) for b in bg])
    np.testing.assert_allclose(run.expected_value(), base, rtol=1e-13, atol=0)


def test_chunks_are_summed_as_they_come():
    """The chunks' partial values are added as each chunk finishes (joblib's generator), not all
    held at once: with many players the output dominates, and the peak stays a few outputs, not one
    per chunk (16)."""
    rng = np.random.RandomState(0)
    p = 200
    X = rng.normal(size=(300, p))
    model = RandomForestRegressor(n_estimators=16, max_depth=2, random_state=0).fit(X, X[:, 0] + X[:, 1] * X[:, 2])
    run = TreeRunner(read_model(model, p), "tree_path_dependent", None, None)
    assert len(run.chunks) == 16
    rows = np.repeat(X, 4, axis=0)
    run.shap_values(rows)
    tracemalloc.start()
    try:
        phi = run.shap_values(rows)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 * phi.nbytes


def test_blas_libraries_are_scanned_again_after_new_imports(monkeypatch):
    """A BLAS loaded after the first scan (with a later import, e.g. torch's) is limited too;
    without new imports the scan is kept (it costs about a millisecond)."""
    import sys
    import types

    with _parallel.one_blas_thread():
        pass
    first = _parallel._CONTROLLER[0][1]
    with _parallel.one_blas_thread():
        pass
    assert _parallel._CONTROLLER[0][1] is first
    monkeypatch.setitem(sys.modules, "skxai_test_new_extension", types.ModuleType("skxai_test_new_extension"))
    with _parallel.one_blas_thread():
        pass
    assert _parallel._CONTROLLER[0][1] is not first
