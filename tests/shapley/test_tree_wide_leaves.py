"""TreeSHAP on deep trees: leaves too wide for tables, read in batches, and tables written by slice.

Fully grown forests (scikit-learn's default) have thousands of leaves with more than
``MAX_TABLE_BITS`` players; each was read by its own closed form in a Python loop, and the
interventional one compared every row with every background row leaf by leaf. On a 40-tree
forest grown on 5,000 rows that took 2.5 to 39 times shap's time. These leaves are now read in
batches of leaves with the same number of players, and the tables of leaves outside blocks are
written one slice per leaf. These tests check the batched forms against enumeration, that the
batch size and the way tables are written never change a bit, and the fallbacks.
"""

from __future__ import annotations

import itertools
from math import factorial

import numpy as np
import pytest
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor

from skxai.shapley._treeshap import _engine, _interactions, _paths
from skxai.shapley._treeshap._paths import compile_tree, leaves_satisfied
from skxai.shapley._treeshap._run import TreeRunner
from skxai.shapley._treeshap._sklearn import read_model
from tests.shapley._tree_reference import shapley_by_enumeration

GAMES = ["tree_path_dependent", "interventional"]


def _path_dependent_game(a, r):
    return lambda S: np.atleast_1d(np.prod([a[i] if i in S else r[i] for i in range(len(a))]))


def _interventional_game(a, bg, w):
    # the leaf is reached when every player is satisfied by x (in S) or by the background row
    def v(S):
        reached = [all(a[i] if i in S else b[i] for i in range(len(a))) for b in bg]
        return np.atleast_1d(np.dot(w, reached))

    return v


@pytest.mark.parametrize("d", [1, 3, 5])
def test_batched_closed_forms_enumerate_several_leaves_at_once(d):
    """Three leaves of ``d`` players, every pattern as a row, one batch: each leaf's values are
    its own game's Shapley values (a ratio of 0 included, whose unsatisfied player gives 0)."""
    rng = np.random.RandomState(d)
    L = 3
    patterns = np.array([[(alpha >> i) & 1 for i in range(d)] for alpha in range(2**d)], dtype=bool)
    sat = np.repeat(patterns.T[None], L, axis=0)  # (L, d, n)
    r = rng.uniform(0.05, 0.95, size=(L, d))
    r[1, 0] = 0.0
    bg = rng.uniform(size=(L, 7, d)) < 0.6  # (L, m, d)
    w = rng.uniform(0.0, 1.0, size=7)
    w[2] = 0.0
    pd_ = _engine._wide_path_dependent(sat, r)
    iv = _engine._wide_interventional(sat, bg.transpose(0, 2, 1), w)
    assert pd_.shape == iv.shape == (L, d, 2**d)
    for leaf, alpha in itertools.product(range(L), range(2**d)):
        a = patterns[alpha]
        want = shapley_by_enumeration(_path_dependent_game(a, r[leaf]), d).ravel()
        np.testing.assert_allclose(pd_[leaf, :, alpha], want, rtol=0, atol=1e-12)
        want = shapley_by_enumeration(_interventional_game(a, bg[leaf], w), d).ravel()
        np.testing.assert_allclose(iv[leaf, :, alpha], want, rtol=0, atol=1e-12)


def test_pair_weights_are_the_shapley_weights_of_one_pair():
    """B(|P|, |N| + 1) on P and B(|P| + 1, |N|) on N: (|P| - 1)! |N|! / (|P| + |N|)! and so on."""
    Tp, Tn = _engine._pair_weights(6)
    assert not Tp.flags.writeable and not Tn.flags.writeable
    for p, q in itertools.product(range(7), repeat=2):
        want_p = factorial(p - 1) * factorial(q) / factorial(p + q) if p else 0.0
        want_n = factorial(p) * factorial(q - 1) / factorial(p + q) if q else 0.0
        assert Tp[p, q] == pytest.approx(want_p, rel=1e-13, abs=0)
        assert Tn[p, q] == pytest.approx(want_n, rel=1e-13, abs=0)


def _deep_forest(classes=None):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(400, 6))
    if classes is None:
        model = RandomForestRegressor(3, random_state=0).fit(X, X @ np.arange(1.0, 7.0) + np.sin(3 * X[:, 0]))
    else:
        model = RandomForestClassifier(3, random_state=0).fit(X, np.digitize(X[:, 0] + X[:, 1], [-0.5, 0.5]))
    return model, X


@pytest.mark.parametrize("game", GAMES)
@pytest.mark.parametrize("classes", [None, 3])
def test_batch_size_of_wide_leaves_changes_no_bit(game, classes, monkeypatch):
    """One leaf per batch or all of them: the same values to the bit (leaves are added in the
    same order), and they are the values of the tables' path."""
    model, X = _deep_forest(classes)
    bg, w = X[:12], np.full(12, 1 / 12)
    rows = X[100:140]
    monkeypatch.setattr(_paths, "MAX_TABLE_BITS", 2)
    runner = TreeRunner(read_model(model, 6), game, bg, w, block_bits=2)
    plan_d = np.concatenate([p.leaf_d for p in runner.plans])
    assert (plan_d > 2).sum() > 50  # many wide leaves, of several sizes
    assert len(np.unique(plan_d[plan_d > 2])) > 1
    whole = runner.shap_values(rows)
    monkeypatch.setattr(_engine, "WIDE_FLOATS", 1)
    one = TreeRunner(read_model(model, 6), game, bg, w, block_bits=2).shap_values(rows)
    np.testing.assert_array_equal(one, whole)
    monkeypatch.undo()
    tables = TreeRunner(read_model(model, 6), game, bg, w).shap_values(rows)
    np.testing.assert_allclose(whole, tables, rtol=0, atol=1e-10)


@pytest.mark.parametrize("game", GAMES)
@pytest.mark.parametrize("classes", [None, 3])
def test_tables_written_by_slice_or_by_scatter_are_the_same(game, classes, monkeypatch):
    """Leaves outside blocks write their table rows one slice a leaf (many players) or all at
    once (few): the tables are the same to the bit either way."""
    model, X = _deep_forest(classes)
    ens = read_model(model, 6)
    plan = compile_tree(ens, ens.roots, 3)
    assert len(plan.out_leaves) > 100
    bgT = ens.prepare(X[:12]).T.copy()
    w = np.full(12, 1 / 12)
    built = []
    for sliced in (0, 99):
        monkeypatch.setattr(_engine, "_SLICED_BITS", sliced)
        built.append(_engine.build_tables(plan, ens, game, bgT, w))
    np.testing.assert_array_equal(built[0].out_rows, built[1].out_rows)
    np.testing.assert_array_equal(built[0].block_table, built[1].block_table)
    assert np.abs(built[0].out_rows).max() > 0


def _one_leaf_satisfied(plan, DT, li):
    """Satisfied bits ``(n, d)`` of one leaf, node by node along its path."""
    ok = np.ones((DT.shape[1], plan.leaf_d[li]), dtype=bool)
    for k in range(plan.path_col.shape[1]):
        s = plan.path_slot[li, k]
        if s >= 0:
            ok[:, s] &= DT[plan.path_col[li, k]] == plan.path_left[li, k]
    return ok


def test_satisfied_bits_from_integer_patterns_and_from_the_loop_agree(monkeypatch):
    """Leaves of up to 62 players read their bits from integer patterns, wider ones by a loop
    over their paths: both equal the single leaf's reading."""
    model, X = _deep_forest()
    ens = read_model(model, 6)
    plan = compile_tree(ens, ens.roots[:1], 9)
    DT = ens.decisions(ens.prepare(X[:50]).T.copy(), plan.internal, False, plan.runs)
    for d in np.unique(plan.leaf_d[plan.leaf_d > 0]):
        leaves = np.flatnonzero(plan.leaf_d == d)
        want = np.stack([_one_leaf_satisfied(plan, DT, li).T for li in leaves])
        np.testing.assert_array_equal(leaves_satisfied(plan, DT, leaves), want)
        monkeypatch.setattr(_paths, "INT_PATTERN_BITS", 0)
        np.testing.assert_array_equal(leaves_satisfied(plan, DT, leaves), want)
        monkeypatch.undo()


@pytest.mark.parametrize("d", [2, 5, 8])
def test_interaction_values_at_the_rows_patterns_equal_the_tables_to_the_bit(d):
    """Fewer rows than patterns read the leaves at the rows' own patterns instead of tabulating
    all ``2**d``: the same arithmetic per pattern, so the same bits (a zero ratio included)."""
    rng = np.random.RandomState(d)
    r = rng.uniform(size=(4, d))
    r[0, 0] = 0.0
    alpha = rng.randint(0, 2**d, size=(4, 37))
    tables = _interactions.interaction_tables(r)[np.arange(4)[:, None], alpha]
    rows = _interactions._leaf_interactions(((alpha[:, :, None] >> np.arange(d)) & 1).astype(bool), r)
    np.testing.assert_array_equal(rows, tables)


@pytest.mark.parametrize("table_bits", [2, 10])
def test_interaction_values_of_deep_trees_for_few_and_many_rows(table_bits, monkeypatch):
    """Few rows (leaves read at their patterns, wide leaves in batches) and many rows (tables)
    give the same interaction values, which sum to the Shapley values."""
    from skxai import TreeShapExplainer

    model, X = _deep_forest()
    monkeypatch.setattr(_paths, "MAX_TABLE_BITS", table_bits)
    explainer = TreeShapExplainer(model).fit(X)
    rows = X[:3]
    few = explainer.interaction_values(rows)
    many = explainer.interaction_values(np.vstack([rows] * 400))[:3]  # 1,200 rows: tables
    np.testing.assert_allclose(few, many, rtol=0, atol=1e-12)
    np.testing.assert_allclose(few.sum(axis=2), explainer.explain(rows).values, rtol=0, atol=1e-10)
