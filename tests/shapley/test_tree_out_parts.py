"""TreeSHAP explains the leaves outside blocks part by part, and builds a rebuilt chunk's parts one at a time.

A fully grown tree of a 40-tree forest (5,000 rows, 20 columns) held 200 MiB of table rows for
its leaves outside blocks; tables beyond the cache are rebuilt at every call, so the streaming
command line peaked at 478 MiB whatever the cache. The rows of those leaves are now explained in
parts of at most ``OUT_PART_FLOATS`` (:func:`~skxai.shapley._treeshap._engine.out_parts`), the
same parts whether the tables are kept or built by the call, so:

- kept and rebuilt tables give the same values to the bit;
- a rebuilt chunk holds its block tables and one part at a time;
- more chunks fit the cache, and the memory check asks for what a call holds.
"""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor

from skxai.shapley import TreeShapExplainer
from skxai.shapley._treeshap import _engine
from skxai.shapley._treeshap import _run as _tree_run
from skxai.shapley._treeshap._paths import compile_tree
from skxai.shapley._treeshap._sklearn import read_model
from skxai.utils import _memory

GAMES = ["tree_path_dependent", "interventional"]


def _deep(n_trees=3, p=12, classes=0, depth=14, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(2500, p))
    y = X @ rng.normal(size=p) + np.sin(X[:, 0])
    if classes:
        model = RandomForestClassifier(n_trees, max_depth=depth, random_state=0)
        return model.fit(X, np.digitize(y, np.quantile(y, np.linspace(0, 1, classes + 1)[1:-1]))), X
    return RandomForestRegressor(n_trees, max_depth=depth, random_state=0).fit(X, y), X


def _explain(model, X, game, rows):
    ex = TreeShapExplainer(model, feature_perturbation=game, max_background=40, random_state=0).fit(X)
    return ex, ex.transform(rows)


@pytest.mark.parametrize("game", GAMES)
@pytest.mark.parametrize("shape", ["dense", "sparse"])
def test_rebuilt_part_by_part_equals_kept_to_the_bit(monkeypatch, game, shape):
    """Several parts per tree: values with every table kept, none kept, and some kept are the
    same to the bit, and the same as one part per tree up to rounding."""
    # sparse tables: 3 classes x 30 columns is over DENSE_COLUMNS
    model, X = _deep(p=12, classes=0) if shape == "dense" else _deep(p=30, classes=3, depth=10)
    rows = X[:60]
    _, one_part = _explain(model, X, game, rows)
    monkeypatch.setattr(_engine, "OUT_PART_FLOATS", 1 << 14)
    ex, kept = _explain(model, X, game, rows)
    runner = ex._runner
    plans = runner.plans
    k = runner.ensemble.n_outputs
    assert all(runner._keep)
    assert sum(len(_engine.out_parts(plan, k)) for plan in plans) >= 2 * len(plans)
    assert (_engine.dense_floats(plans[0], k) is None) == (shape == "sparse")
    monkeypatch.setattr(_tree_run, "CACHE_FLOATS", 0)
    ex_none, rebuilt = _explain(model, X, game, rows)
    assert not any(ex_none._runner._keep)
    np.testing.assert_array_equal(rebuilt, kept)
    monkeypatch.setattr(_tree_run, "CACHE_FLOATS", runner._sizes[0] + max(runner._rebuilt[1:]))
    ex_some, some = _explain(model, X, game, rows)
    assert ex_some._runner._keep[0] and not all(ex_some._runner._keep)
    np.testing.assert_array_equal(some, kept)
    np.testing.assert_allclose(kept, one_part, rtol=0, atol=1e-12)
    if shape == "dense":  # and additive: each row's values sum to the prediction
        np.testing.assert_allclose(kept.sum(axis=1) + ex.expected_value_, model.predict(rows), atol=1e-9)


@pytest.mark.parametrize("game", GAMES)
def test_parts_cover_the_leaves_outside_blocks_in_order(game, monkeypatch):
    model, X = _deep(n_trees=1, depth=16)
    ens = read_model(model, X.shape[1])
    plan = compile_tree(ens, ens.roots, 9)
    out = plan.out_leaves
    assert len(out) > 50
    for floats in (1 << 10, 1 << 16, 1 << 40):
        monkeypatch.setattr(_engine, "OUT_PART_FLOATS", floats)
        parts = _engine.out_parts(plan, 1)
        assert parts[0][0] == 0 and parts[-1][1] == len(out)
        assert all(a[1] == b[0] and a[0] < a[1] for a, b in zip(parts[:-1], parts[1:], strict=True))
        size = (2.0 ** plan.leaf_d[out]) * len(plan.players)
        for lo, hi in parts:
            assert size[lo:hi].sum() <= floats or hi == lo + 1
        assert _engine.part_floats(plan, 1) == max(size[lo:hi].sum() for lo, hi in parts)
        if floats == 1 << 40:
            assert parts == [(0, len(out))]


@pytest.mark.parametrize("game", GAMES)
def test_kept_tables_read_by_part_equal_the_parts_built_alone(game, monkeypatch):
    model, X = _deep(n_trees=1, depth=16)
    ens = read_model(model, X.shape[1])
    plan = compile_tree(ens, ens.roots, 9)
    bgT = ens.prepare(X[:30]).T.copy()
    w = np.full(30, 1 / 30)
    monkeypatch.setattr(_engine, "OUT_PART_FLOATS", 1 << 15)
    whole = _engine.build_tables(plan, ens, game, bgT, w)
    lazy = _engine.build_tables(plan, ens, game, bgT, w, outside=False)
    assert lazy.out_rows is None and lazy.base is None
    np.testing.assert_array_equal(lazy.block_table, whole.block_table)
    parts = _engine.out_parts(plan, 1)
    assert len(parts) > 3
    for lo, hi in parts:
        (a, off_a), (b, off_b) = whole.outside(lo, hi), lazy.outside(lo, hi)
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(off_a, off_b)
        assert off_a[0] == 0 and a.shape[0] == int((2 ** plan.leaf_d[plan.out_leaves[lo:hi]]).sum())


@pytest.mark.parametrize("game", GAMES)
def test_a_rebuilt_chunk_holds_one_part_at_a_time(game, monkeypatch):
    """One depth-16 tree, no cache: a call's traced peak stays far under the tree's tables."""
    model, X = _deep(n_trees=1, depth=16)
    ex = TreeShapExplainer(model, feature_perturbation=game, max_background=20, random_state=0).fit(X)
    runner = ex._runner
    tables = 8 * runner._sizes[0]
    assert tables > 24 * 2**20, tables / 2**20
    monkeypatch.setattr(_engine, "OUT_PART_FLOATS", 1 << 18)  # 2 MiB parts
    monkeypatch.setattr(_tree_run, "CACHE_FLOATS", 0)
    monkeypatch.setattr(_engine, "BUILD_FLOATS", 1 << 18)
    cold = TreeShapExplainer(model, feature_perturbation=game, max_background=20, random_state=0).fit(X)
    assert not any(cold._runner._keep)
    rows = X[:200]
    tracemalloc.start()
    try:
        values = cold.transform(rows)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < tables / 3, (peak / 2**20, tables / 2**20)
    np.testing.assert_allclose(values.sum(axis=1) + cold.expected_value_, model.predict(rows), atol=1e-9)


def test_rebuilt_size_lets_more_chunks_be_kept(monkeypatch):
    monkeypatch.setattr(_tree_run, "CACHE_FLOATS", 10)
    assert _tree_run._kept_chunks([4, 4, 9]) == [False] * 3  # 9 rebuilt whole leaves no room
    assert _tree_run._kept_chunks([4, 4, 9], [4, 4, 2]) == [True, True, False]  # 8 kept + 2
    assert _tree_run._kept_chunks([4, 4, 9], [4, 4, 3]) == [True, False, False]
    assert _tree_run._kept_chunks([4, 4], [1, 1]) == [True, True]


@pytest.mark.parametrize("game", GAMES)
def test_the_memory_check_asks_for_what_a_call_holds(game, monkeypatch):
    """A tree whose whole tables exceed the working memory but whose parts fit is explained
    (part by part, never kept); one whose parts cannot fit either is refused before any work."""
    model, X = _deep(n_trees=1, depth=16)
    ens = read_model(model, X.shape[1])
    plan = compile_tree(ens, ens.roots, 9)
    n_bg = 20 if game == "interventional" else 0
    monkeypatch.setattr(_engine, "OUT_PART_FLOATS", 1 << 18)
    whole = _engine.build_bytes(plan, 1, game, n_bg)
    parted = _engine.build_bytes(plan, 1, game, n_bg, outside=False)
    assert parted < whole / 2
    expected = TreeShapExplainer(model, feature_perturbation=game, max_background=20, random_state=0).fit(X)
    monkeypatch.setattr(_memory, "MAX_WORKING_BYTES", (parted + whole) // 2)
    ex = TreeShapExplainer(model, feature_perturbation=game, max_background=20, random_state=0).fit(X)
    np.testing.assert_allclose(ex.transform(X[:20]), expected.transform(X[:20]), rtol=0, atol=1e-12)
    monkeypatch.setattr(_memory, "MAX_WORKING_BYTES", parted // 2)
    with pytest.raises(ValueError, match="TreeShapExplainer: building the game tables of tree 0"):
        TreeShapExplainer(model, feature_perturbation=game, max_background=20, random_state=0).fit(X)


@pytest.mark.parametrize("game", GAMES)
def test_fit_builds_sparse_rows_beyond_the_cache_as_a_call_would(game, monkeypatch):
    """Sparse tables are built at fit to learn their size. A chunk whose rows outside blocks
    alone exceed the cache is never kept: fit builds its blocks only, and knows its size all
    the same (those rows' entries are known from the plan)."""
    model, X = _deep(n_trees=2, p=30, classes=3, depth=10)
    ex = TreeShapExplainer(model, feature_perturbation=game, max_background=20, random_state=0).fit(X)
    runner = ex._runner
    k = runner.ensemble.n_outputs
    tabs = [runner._table(c, plan) for c, plan in enumerate(runner.plans)]
    assert all(runner._keep) and all(_engine.dense_floats(plan, k) is None for plan in runner.plans)
    for tab, size, plan in zip(tabs, runner._sizes, runner.plans, strict=True):
        assert size == tab.block_table.nnz * 3 // 2 + tab.out_rows.nnz * 3 // 2
        assert tab.out_rows.nnz * 3 // 2 == _engine.part_floats(plan, k, whole=True)
    expected = ex.transform(X[:25])
    outside = []
    build = _tree_run.TreeRunner._build
    monkeypatch.setattr(
        _tree_run.TreeRunner, "_build", lambda self, plan, whole=True: outside.append(whole) or build(self, plan, whole)
    )
    monkeypatch.setattr(_tree_run, "CACHE_FLOATS", min(_engine.part_floats(p, k, whole=True) for p in runner.plans) - 1)
    cold = TreeShapExplainer(model, feature_perturbation=game, max_background=20, random_state=0).fit(X)
    assert outside == [False, False] and cold._runner._sizes == runner._sizes
    assert not any(cold._runner._keep)
    np.testing.assert_array_equal(cold.transform(X[:25]), expected)


def test_sparse_pieces_are_joined_as_one_coo_matrix_would_join_them():
    """``_stack_rows`` copies each piece's entries into place (no COO of the whole): the same
    CSR as the sum of the pieces placed at their rows, with rows that other pieces fill."""
    import scipy.sparse as sp

    rng = np.random.RandomState(0)
    for _ in range(100):
        n, m = rng.randint(1, 40), rng.randint(1, 20)
        owner = rng.randint(0, 4, size=n)
        pieces, expected = [], np.zeros((n, m))
        for piece in range(4):
            rows = np.flatnonzero(owner == piece)
            if len(rows) == 0:
                continue
            lo, hi = rows.min(), rows.max() + 1
            block = np.zeros((hi - lo, m))
            for r in rows:
                cols = rng.choice(m, rng.randint(0, m + 1), replace=False)
                block[r - lo, cols] = rng.normal(size=len(cols))
            pieces.append((int(lo), sp.csr_matrix(block)))
            expected[lo:hi] += block
        order = rng.permutation(len(pieces))
        joined = _engine._stack_rows([pieces[i] for i in order], (n, m))
        assert sp.isspmatrix_csr(joined) and joined.nnz == np.count_nonzero(expected)
        assert joined.has_sorted_indices
        np.testing.assert_array_equal(joined.toarray(), expected)
    assert _engine._stack_rows([], (3, 4)).nnz == 0


@pytest.mark.parametrize("game", GAMES)
@pytest.mark.parametrize("block_bits", [2, 9])
def test_sparse_rows_outside_blocks_are_written_in_place_as_a_canonical_csr(game, block_bits, monkeypatch):
    """The sparse rows of leaves outside blocks are written straight into a CSR whose structure
    the plan gives (every row holds its leaf's players times the outputs, columns ascending):
    the same numbers as the dense rows, explicit zeros kept."""
    import scipy.sparse as sp

    model, X = _deep(n_trees=1, p=30, classes=3, depth=13)
    ens = read_model(model, X.shape[1])
    plan = compile_tree(ens, ens.roots, block_bits)
    bgT = ens.prepare(X[:20]).T.copy()
    w = np.full(20, 0.05)
    sparse = _engine.build_tables(plan, ens, game, bgT, w)
    monkeypatch.setattr(_engine, "DENSE_COLUMNS", 10**6)
    dense = _engine.build_tables(plan, ens, game, bgT, w)
    rows = sparse.out_rows
    k = ens.n_outputs
    assert sp.isspmatrix_csr(rows) and not isinstance(dense.out_rows, sp.spmatrix)
    d = plan.leaf_d[plan.out_leaves]
    assert rows.nnz == int(((2**d) * d * k).sum()) > 0
    assert rows.has_sorted_indices
    np.testing.assert_array_equal(np.diff(rows.indptr), np.repeat(d * k, 2**d))
    np.testing.assert_array_equal(rows.toarray(), dense.out_rows)
    # (a block's sparse rows sum a cell's leaves through the COO conversion, in another order)
    np.testing.assert_allclose(sparse.block_table.toarray(), dense.block_table, rtol=0, atol=1e-15)
