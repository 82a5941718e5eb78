"""TreeSHAP's row path: leaves read at the rows' own patterns, to the bit (both games).

Chunks of trees whose tables are not kept between calls had every pattern of every block
(``2**block_bits`` a block) and of every leaf outside blocks (``2**d``) tabulated at each
call, whatever the number of rows: 10 rows of a default random forest cost as much as 200.
For few rows, ``engine.explain_tree_rows`` now reads each leaf at the rows' own patterns.
A row's values must not depend on the rows explained with it (n_jobs, Dask blocks and the
streaming CLI split rows differently), so both paths must give the same float64 bits: these
tests force each path (``_run.ROW_PATH``) and compare with ``np.array_equal``.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest
from sklearn.datasets import load_diabetes, load_wine, make_regression
from sklearn.ensemble import (
    ExtraTreesRegressor,
    GradientBoostingClassifier,
    RandomForestClassifier,
    RandomForestRegressor,
)

from skxai.shapley import TreeShapExplainer
from skxai.shapley._treeshap import _engine, _paths, _run, _tables
from skxai.shapley._treeshap._paths import compile_tree, leaf_patterns
from skxai.shapley._treeshap._sklearn import read_model

ROWS = [1, 7, 50, 300]


@cache
def _data(name):
    rng = np.random.RandomState(0)
    if name == "diabetes":
        X, y = load_diabetes(return_X_y=True)
    elif name == "wine":
        X, y = load_wine(return_X_y=True)
    elif name == "wide":  # more than MAX_TABLE_BITS distinct players on many paths
        X, y = make_regression(600, 30, n_informative=30, noise=5, random_state=0)
    elif name == "nan":
        X, y = load_diabetes(return_X_y=True)
        X = X.copy()
        X[rng.rand(*X.shape) < 0.1] = np.nan
    X = np.vstack([X, X])[:300] if len(X) < 300 else X[:300]
    return X, y[: len(X)] if len(y) >= len(X) else np.concatenate([y, y])[: len(X)]


@cache
def _model(case):
    X, y = _data(CASES[case][0])
    return CASES[case][1]().fit(X, y)


CASES = {
    "rf_diabetes": ("diabetes", lambda: RandomForestRegressor(n_estimators=8, random_state=0)),
    "rf_wine": ("wine", lambda: RandomForestClassifier(n_estimators=8, random_state=0)),
    "gb_wine": ("wine", lambda: GradientBoostingClassifier(n_estimators=10, max_depth=5, random_state=0)),
    "et_diabetes": ("diabetes", lambda: ExtraTreesRegressor(n_estimators=6, random_state=0)),
    "rf_nan": ("nan", lambda: RandomForestRegressor(n_estimators=6, random_state=0)),
    "rf_wide": ("wide", lambda: RandomForestRegressor(n_estimators=3, random_state=0)),
}


GAMES = ["tree_path_dependent", "interventional"]


def _values(monkeypatch, case, n, row_path, n_jobs=None, game="tree_path_dependent"):
    X, _ = _data(CASES[case][0])
    monkeypatch.setattr(_run, "ROW_PATH", row_path)
    ex = TreeShapExplainer(_model(case), n_jobs=n_jobs, feature_perturbation=game).fit(X[:100])
    return ex.explain(X[:n]).values


def _counting(monkeypatch):
    """Count the chunks explained by the row path."""
    calls = []
    real = _run.explain_tree_rows

    def spy(plan, ens, XT, has_nan, phi, background=None):
        calls.append(XT.shape[1])
        return real(plan, ens, XT, has_nan, phi, background)

    monkeypatch.setattr(_run, "explain_tree_rows", spy)
    return calls


@pytest.mark.parametrize("game", GAMES)
@pytest.mark.parametrize("n", ROWS)
@pytest.mark.parametrize("case", list(CASES))
def test_row_path_gives_the_tables_bits(monkeypatch, case, n, game):
    calls = _counting(monkeypatch)
    tables = _values(monkeypatch, case, n, False, game=game)
    assert calls == []
    rows = _values(monkeypatch, case, n, True, game=game)
    assert len(calls) > 0  # the row path ran
    assert np.array_equal(tables, rows), np.abs(tables - rows).max()


def test_the_cases_cover_what_they_claim():
    """Deep trees: leaves outside blocks and leaves too wide for tables; NaN in the rows;
    several outputs with dense tables."""
    for case in ["rf_diabetes", "rf_wide"]:
        ens = read_model(_model(case), _data(CASES[case][0])[0].shape[1])
        plan = compile_tree(ens, ens.roots, 9)
        assert len(plan.out_leaves) > 0
        if case == "rf_wide":
            assert (plan.leaf_d > _paths.MAX_TABLE_BITS).any()
    assert np.isnan(_data("nan")[0][:7]).any()
    assert _model("rf_wine").n_classes_ == 3 and 13 * 3 <= _engine.DENSE_COLUMNS


def test_sparse_tables_stay_on_tables(monkeypatch):
    """Players times outputs beyond DENSE_COLUMNS: no row path, even forced."""
    X, y = make_regression(400, 40, n_informative=40, random_state=0)
    yc = np.digitize(y, np.quantile(y, [0.2, 0.4, 0.6, 0.8]))
    model = RandomForestClassifier(n_estimators=2, random_state=0).fit(X, yc)
    calls = _counting(monkeypatch)
    monkeypatch.setattr(_run, "ROW_PATH", True)
    ex = TreeShapExplainer(model).fit(X[:50])
    ex.explain(X[:5])
    ens = read_model(model, X.shape[1])
    dense = sum(len(compile_tree(ens, ens.roots[[t]], 9).players) * 5 <= _engine.DENSE_COLUMNS for t in range(2))
    assert dense == 0 and calls == []


def test_leaf_patterns_are_the_block_patterns():
    """The row path reads a block leaf's pattern from the decisions (leaf_patterns); the
    tables read it off the row's block index (_block_patterns): the same integers."""
    X, _ = _data("nan")
    ens = read_model(_model("rf_nan"), X.shape[1])
    plan = compile_tree(ens, ens.roots, 9)
    XT = np.ascontiguousarray(ens.prepare(X[:60]).T)
    DT = ens.decisions(XT, plan.internal, True, plan.runs)
    idx = (plan.STd @ DT.astype(plan.index_dtype) + plan.cd).astype(np.int64)  # (n_blocks, n)
    order = _engine._block_order(plan)
    pats = leaf_patterns(plan, DT, order)  # (n, L)
    for bits in np.unique(plan.block_bits):
        sel = np.flatnonzero(plan.block_bits[plan.leaf_block[order]] == bits)
        group = order[sel]
        table = _engine._block_patterns(plan, group, int(bits)).reshape(len(group), -1)
        expect = np.take_along_axis(table, idx[plan.leaf_block[group]], axis=1)  # (L, n)
        assert np.array_equal(expect, pats[:, sel].T)


@pytest.mark.parametrize("d", [1, 2, 5, 8, 10])
def test_a_leaf_table_does_not_depend_on_the_leaves_built_with_it(d, monkeypatch):
    """The row path builds the tables of the leaves it reads, in groups other than the
    tables': each leaf's table must have the same bits alone, with others, and in the
    function's own steps (a leaf's matrix product has the same shapes in every case)."""
    rng = np.random.RandomState(d)
    r = rng.uniform(size=(7, d))
    r[0, 0] = 0.0
    r[1, -1] = 1.0
    whole = _tables.path_dependent_tables(r)  # (L, 2**d, d)
    for j in range(len(r)):
        assert np.array_equal(_tables.path_dependent_tables(r[j : j + 1])[0], whole[j])
    assert np.array_equal(_tables.path_dependent_tables(r[2:5]), whole[2:5])
    monkeypatch.setattr(_tables, "_TEMP_FLOATS", 1)  # one leaf a step
    assert np.array_equal(_tables.path_dependent_tables(r), whole)


@pytest.mark.parametrize("d", [1, 2, 5, 8, 10])
def test_an_interventional_leaf_table_does_not_depend_on_the_leaves_built_with_it(d, monkeypatch):
    """As above, the interventional tables from each leaf's background histogram."""
    rng = np.random.RandomState(d)
    h = rng.uniform(size=(7, 2**d)) * (rng.uniform(size=(7, 2**d)) < 0.3)
    h[0] = 0.0
    whole = _tables.interventional_tables(h, d)
    for j in range(len(h)):
        assert np.array_equal(_tables.interventional_tables(h[j : j + 1], d)[0], whole[j])
    assert np.array_equal(_tables.interventional_tables(h[2:5], d), whole[2:5])
    monkeypatch.setattr(_tables, "_TEMP_FLOATS", 1)
    assert np.array_equal(_tables.interventional_tables(h, d), whole)


def _uncached(monkeypatch):
    """No chunk's tables kept: every chunk rebuilt per call, so the automatic choice applies
    (to chunks with leaves outside blocks)."""
    monkeypatch.setattr(_run, "CACHE_FLOATS", 0)
    monkeypatch.setattr(_run, "ROW_PATH", None)


@pytest.mark.parametrize("game", GAMES)
@pytest.mark.parametrize("case", ["rf_diabetes", "rf_nan", "rf_wide"])
def test_automatic_choice_never_shows_in_the_bits(monkeypatch, case, game):
    """A 1200-row call (tables) against the same rows 300, 7 and 1 at a time (row path), and
    n_jobs=2 against n_jobs=1."""
    _uncached(monkeypatch)
    X, _ = _data(CASES[case][0])
    calls = _counting(monkeypatch)
    ex = TreeShapExplainer(_model(case), feature_perturbation=game).fit(X[:100])
    big = np.vstack([X[:300]] * 4)
    whole = ex.explain(big).values[:300]
    if case != "rf_wide":  # (its deep, wide trees take the row path for these rows too)
        assert len(big) not in calls  # tables for many rows
    assert np.array_equal(ex.explain(X[:300]).values, whole)
    ones = np.concatenate([ex.explain(X[i : i + 1]).values for i in range(20)])
    assert 1 in calls  # the row path for one row
    assert np.array_equal(ones, whole[:20])
    sevens = np.concatenate([ex.explain(X[i : i + 7]).values for i in range(0, 300, 7)])
    assert np.array_equal(sevens, whole)
    two = TreeShapExplainer(_model(case), n_jobs=2, feature_perturbation=game).fit(X[:100])
    assert np.array_equal(two.explain(X[:7]).values, whole[:7])
    assert np.array_equal(two.explain(X[:300]).values, whole)


@pytest.mark.parametrize("case", ["rf_diabetes", "rf_wine", "et_diabetes", "rf_wide"])
def test_row_path_matches_shap_and_adds_up(monkeypatch, case):
    shap = pytest.importorskip("shap")
    _uncached(monkeypatch)
    monkeypatch.setattr(_run, "ROW_PATH", True)  # (wine's trees have all their leaves in blocks)
    X, _ = _data(CASES[case][0])
    model = _model(case)
    calls = _counting(monkeypatch)
    ex = TreeShapExplainer(model).fit(X[:100])
    e = ex.explain(X[:7])
    assert calls and set(calls) == {7}
    ref = shap.TreeExplainer(model).shap_values(X[:7])
    ref = np.asarray(ref).reshape(e.values.shape)
    np.testing.assert_allclose(e.values, ref, rtol=0, atol=1e-10)
    pred = model.predict_proba(X[:7]) if hasattr(model, "predict_proba") else model.predict(X[:7])[:, None]
    np.testing.assert_allclose(e.values.sum(axis=1) + ex.expected_value_, pred, rtol=0, atol=1e-10)


@pytest.mark.parametrize("case", ["rf_diabetes", "rf_wine", "et_diabetes"])
def test_interventional_row_path_matches_enumeration_and_adds_up(monkeypatch, case):
    from skxai import ExactShapleyExplainer

    _uncached(monkeypatch)
    monkeypatch.setattr(_run, "ROW_PATH", True)
    X, _ = _data(CASES[case][0])
    model = _model(case)
    calls = _counting(monkeypatch)
    ex = TreeShapExplainer(model, feature_perturbation="interventional", max_background=20, random_state=0)
    e = ex.fit(X[:100]).explain(X[:7])
    assert calls and set(calls) == {7}
    method = "predict_proba" if hasattr(model, "predict_proba") else "predict"
    ref = ExactShapleyExplainer(model, response_method=method, max_background=20, random_state=0).fit(X[:100])
    np.testing.assert_array_equal(ref.background_, ex.background_)
    np.testing.assert_allclose(e.values, ref.explain(X[:7]).values, rtol=0, atol=1e-10)
    pred = model.predict_proba(X[:7]) if method == "predict_proba" else model.predict(X[:7])[:, None]
    np.testing.assert_allclose(e.values.sum(axis=1) + ex.expected_value_, pred, rtol=0, atol=1e-10)


@pytest.mark.parametrize("game", GAMES)
@pytest.mark.parametrize("case", ["rf_diabetes", "rf_wine", "rf_wide"])
def test_row_path_in_steps_gives_the_same_bits(monkeypatch, case, game):
    """Under a small budget the row path takes rows and leaves in several steps (each leaf's
    table built again per step of rows): the same bits as the tables."""
    tables = _values(monkeypatch, case, 50, False, game=game)
    monkeypatch.setattr(_engine, "ROW_FLOATS", 2000)
    calls = _counting(monkeypatch)
    rows = _values(monkeypatch, case, 50, True, game=game)
    assert len(calls) > 0
    assert np.array_equal(tables, rows), np.abs(tables - rows).max()


def test_plans_of_rebuilt_chunks_are_kept_within_their_budget(monkeypatch):
    """compile_tree ran for every rebuilt chunk at every call (half of a 10-row call on a
    default forest): their plans are kept up to PLAN_CACHE_BYTES, dropped on pickling."""
    import pickle

    monkeypatch.setattr(_run, "CACHE_FLOATS", 0)  # no chunk's tables kept
    X, _ = _data("diabetes")
    compiled = []
    real = _run.compile_tree

    def spy(*args):
        compiled.append(1)
        return real(*args)

    monkeypatch.setattr(_run, "compile_tree", spy)
    ex = TreeShapExplainer(_model("rf_diabetes")).fit(X[:100])
    runner = ex._runner
    first = ex.transform(X[:10])
    compiled.clear()
    assert np.array_equal(ex.transform(X[:10]), first)
    assert compiled == []  # every plan kept: no compile in the second call
    held = runner._plan_bytes_held
    assert 0 < held == sum(_run._plan_bytes(p) for p in runner._plans if p is not None)
    # a budget that holds none: compiled at every call, the same values
    monkeypatch.setattr(_run, "PLAN_CACHE_BYTES", 0)
    ex2 = TreeShapExplainer(_model("rf_diabetes")).fit(X[:100])
    ex2.transform(X[:10])
    compiled.clear()
    assert np.array_equal(ex2.transform(X[:10]), first)
    assert len(compiled) > 0
    restored = pickle.loads(pickle.dumps(ex))
    assert np.array_equal(restored.transform(X[:10]), first)


def test_scatter_slots_writes_only_into_slot_tables_and_their_rows():
    """Pad slots go to the buffer's cell after the table (``_slot_table``): a table that is not
    such a view (one cell in, transposed, plain, another width) is refused, and so is a row
    past the table's end, which would otherwise meet the pad cell silently (a review)."""
    p_t, k = 3, 2
    rows = np.array([[0, 1]])
    loc = np.array([[[0, 3], [2, 3]]])  # one leaf, two rows, two slots, pads = p_t
    vals = np.arange(1.0, 9.0).reshape(1, 2, 2, k)
    table = _engine._slot_table(2, p_t * k)
    _engine._scatter_slots(table, rows, vals, loc, p_t)
    want = np.zeros((2, p_t, k))
    want[0, 0], want[1, 2] = vals[0, 0, 0], vals[0, 1, 0]
    assert np.array_equal(table, want.reshape(2, -1))
    one_in = np.zeros(2 * p_t * k + 1)[1:].reshape(2, p_t * k)
    others = [one_in, _engine._slot_table(p_t * k, 2).T, np.zeros((2, p_t * k)), _engine._slot_table(3, 4)]
    for other in others:
        with pytest.raises(ValueError, match="_slot_table"):
            _engine._scatter_slots(other, rows, vals, loc, p_t)
    for kk in (1, 2):
        with pytest.raises(IndexError, match="outside a table of 2"):
            past = _engine._slot_table(2, p_t * kk)
            _engine._scatter_slots(past, np.array([[2]]), np.ones((1, 1, 1, kk)), np.array([[[0]]]), p_t)
