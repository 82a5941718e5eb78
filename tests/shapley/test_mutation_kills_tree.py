"""Fast TreeSHAP engine tests against brute force (issue 17: mutation score of the engine).

Two kinds of reference, neither computed by skxai:

* the leaf games of ``_tables`` enumerated coalition by coalition with the factorial
  weights (``v(S) = prod_{i in S} a_i prod_{i not in S} r_i`` for the path-dependent game,
  a weighted sum over background patterns for the interventional one);
* whole models: both games written out as recursions over scikit-learn's PUBLIC ``tree_``
  arrays (``tests/shapley/_tree_reference.py``) and enumerated over every coalition.

The engine is driven through ``TreeRunner`` with every storage path forced in turn (blocks of
1 to 9 bits, leaves outside blocks, leaves too wide for tables, dense and sparse tables,
table construction in chunks of one leaf), so each path is compared to the reference.
"""

from itertools import combinations
from math import factorial

import numpy as np
import pytest
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from skxai.shapley._treeshap import _engine, _interactions, _paths, _tables
from skxai.shapley._treeshap._run import TreeRunner
from skxai.shapley._treeshap._sklearn import read_model
from tests.shapley._tree_reference import (
    path_dependent_value,
    public_trees,
    raw_output,
    shapley_by_enumeration,
)

ATOL = 1e-10
GAMES = ["tree_path_dependent", "interventional"]


# ------------------------------------------------------------------ leaf games, enumerated
def _enumerate(v, d):
    """Shapley values (d,) of ``v(frozenset)`` by the factorial formula."""
    phi = np.zeros(d)
    for i in range(d):
        others = [j for j in range(d) if j != i]
        for size in range(d):
            w = factorial(size) * factorial(d - size - 1) / factorial(d)
            for S in combinations(others, size):
                S = frozenset(S)
                phi[i] += w * (v(S | {i}) - v(S))
    return phi


def _pd_leaf(alpha_bits, r):
    d = len(r)
    return _enumerate(lambda S: np.prod([alpha_bits[i] if i in S else r[i] for i in range(d)]), d)


def _iv_leaf(alpha_bits, h):
    d = len(alpha_bits)
    betas = np.array([[(b >> i) & 1 for i in range(d)] for b in range(2**d)])
    alpha = np.asarray(alpha_bits)

    def v(S):
        inside = np.isin(np.arange(d), list(S))
        return h @ np.where(inside, alpha, betas).prod(axis=1)

    return _enumerate(v, d)


def _bits_of(alpha, d):
    return [(alpha >> i) & 1 for i in range(d)]


@pytest.mark.parametrize("d", [1, 2, 3, 4, 5])
def test_path_dependent_tables_enumerate_the_leaf_game(d):
    rng = np.random.RandomState(d)
    r = rng.uniform(0.05, 0.95, size=(3, d))
    r[1, 0] = 0.0  # a player whose path never reaches the leaf under the cover
    r[2, -1] = 1.0  # a player whose split sends all the cover this way
    T = _tables.path_dependent_tables(r)
    assert T.shape == (3, 2**d, d)
    for leaf in range(3):
        for alpha in range(2**d):
            ref = _pd_leaf(_bits_of(alpha, d), r[leaf])
            np.testing.assert_allclose(T[leaf, alpha], ref, rtol=0, atol=1e-12)


@pytest.mark.parametrize("d", [1, 2, 3, 4, 5])
def test_interventional_tables_enumerate_the_leaf_game(d):
    rng = np.random.RandomState(10 + d)
    h = rng.uniform(0, 1, size=(3, 2**d))
    h[1, : 2 ** (d - 1)] = 0.0  # patterns no background row has
    h[2] = 0.0
    h[2, -1] = 0.7  # every background row reaches the leaf
    T = _tables.interventional_tables(h, d)
    assert T.shape == (3, 2**d, d)
    for leaf in range(3):
        for alpha in range(2**d):
            ref = _iv_leaf(_bits_of(alpha, d), h[leaf])
            np.testing.assert_allclose(T[leaf, alpha], ref, rtol=0, atol=1e-12)


@pytest.mark.parametrize("d", [6, 7])
def test_leaf_tables_of_six_and_seven_players(d):
    """Wider leaves than the models above reach: efficiency at every pattern (closed form:
    ``v(all) - v(empty)``) and the enumeration at a few patterns."""
    rng = np.random.RandomState(30 + d)
    r = rng.uniform(0.05, 0.95, size=(2, d))
    h = rng.uniform(0, 1, size=(2, 2**d))
    Tp = _tables.path_dependent_tables(r)
    Ti = _tables.interventional_tables(h, d)
    full = 2**d - 1
    for leaf in range(2):
        for alpha in range(2**d):
            bits = np.array(_bits_of(alpha, d))
            np.testing.assert_allclose(Tp[leaf, alpha].sum(), bits.prod() - r[leaf].prod(), atol=1e-12)
            np.testing.assert_allclose(Ti[leaf, alpha].sum(), h[leaf].sum() * (alpha == full) - h[leaf, full],
                                       atol=1e-12)
    for alpha in (5, full - 2):
        bits = _bits_of(alpha, d)
        np.testing.assert_allclose(Tp[1, alpha], _pd_leaf(bits, r[1]), atol=1e-12)
        np.testing.assert_allclose(Ti[1, alpha], _iv_leaf(bits, h[1]), atol=1e-12)


@pytest.mark.parametrize("d", [1, 2, 3])
def test_tables_of_a_single_leaf(d):
    """One leaf per call (a plan with one leaf of that many players): its own game, not zeros."""
    rng = np.random.RandomState(40 + d)
    r = rng.uniform(0.1, 0.9, size=(1, d))
    h = rng.uniform(0.1, 1.0, size=(1, 2**d))
    Tp = _tables.path_dependent_tables(r)
    Ti = _tables.interventional_tables(h, d)
    assert Tp.shape == Ti.shape == (1, 2**d, d)
    for alpha in range(2**d):
        bits = _bits_of(alpha, d)
        np.testing.assert_allclose(Tp[0, alpha], _pd_leaf(bits, r[0]), rtol=0, atol=1e-12)
        np.testing.assert_allclose(Ti[0, alpha], _iv_leaf(bits, h[0]), rtol=0, atol=1e-12)


def test_tables_in_chunks_of_one_leaf(monkeypatch):
    """Leaves processed in groups: every group's slice is written to its own leaves."""
    rng = np.random.RandomState(0)
    d = 3
    r = rng.uniform(0.1, 0.9, size=(4, d))
    h = rng.uniform(0, 1, size=(4, 2**d))
    monkeypatch.setattr(_tables, "_TEMP_FLOATS", 1)
    Tp = _tables.path_dependent_tables(r)
    Ti = _tables.interventional_tables(h, d)
    for leaf in range(4):
        for alpha in range(2**d):
            bits = _bits_of(alpha, d)
            np.testing.assert_allclose(Tp[leaf, alpha], _pd_leaf(bits, r[leaf]), atol=1e-12)
            np.testing.assert_allclose(Ti[leaf, alpha], _iv_leaf(bits, h[leaf]), atol=1e-12)


def test_empty_tables_have_the_right_shape():
    assert _tables.path_dependent_tables(np.zeros((2, 0))).shape == (2, 1, 0)
    assert _tables.path_dependent_tables(np.zeros((0, 3))).shape == (0, 8, 3)
    assert _tables.interventional_tables(np.zeros((2, 1)), 0).shape == (2, 1, 0)
    assert _tables.interventional_tables(np.zeros((0, 4)), 2).shape == (0, 4, 2)


@pytest.mark.parametrize("d", range(1, 13))
def test_gauss_nodes_integrate_polynomials_below_degree_d(d):
    """The Shapley weights' Beta integrand has degree d - 1: int_0^1 t^k = 1 / (k + 1)."""
    t, w = _tables.gauss01(d)
    assert np.all((t > 0) & (t < 1))
    # the fewest nodes: q Gauss nodes are exact up to degree 2q - 1, so ceil(d / 2) suffice
    assert len(t) == len(w) == -(-d // 2)
    for k in range(d):
        np.testing.assert_allclose(np.sum(w * t**k), 1.0 / (k + 1), rtol=1e-13)


def test_bits_matrix_is_binary_counting():
    B = _tables._bits(3)
    assert B.dtype == np.float64
    np.testing.assert_array_equal(B, [[(a >> i) & 1 for i in range(3)] for a in range(8)])


@pytest.mark.parametrize("d", [1, 2, 3, 4])
def test_closed_forms_of_wide_leaves_enumerate_the_leaf_game(d):
    rng = np.random.RandomState(20 + d)
    a = np.array([_bits_of(alpha, d) for alpha in range(2**d)], dtype=bool)
    r = rng.uniform(0.05, 0.95, size=d)
    r[0] = 0.0 if d > 1 else r[0]
    pd_ = _engine._wide_path_dependent(a.T[None], r[None])[0].T
    # background: every pattern once, one weight zero (dropped), one twice as heavy
    b = a.copy()
    w = rng.uniform(0.1, 1.0, size=len(b))
    w[0] = 0.0
    iv = _engine._wide_interventional(a.T[None], b.T[None], w)[0].T
    h = np.zeros(2**d)
    for bi, wi in zip(range(2**d), w, strict=True):
        h[bi] += wi
    for alpha in range(2**d):
        bits = _bits_of(alpha, d)
        np.testing.assert_allclose(pd_[alpha], _pd_leaf(bits, r), rtol=0, atol=1e-12)
        np.testing.assert_allclose(iv[alpha], _iv_leaf(bits, h), rtol=0, atol=1e-12)


# ------------------------------------------------------------------ whole models, public arrays
def _weighted_interventional(model, rows, background, weights):
    """Shapley values of ``v(S) = sum_b w_b f(x_S, b_rest)`` with ``f`` walked on tree_ arrays."""
    p = rows.shape[1]
    k = len(raw_output(model, rows[0], np.zeros(_n_out(model))))
    out = []
    for x in rows:
        def value(S, x=x):
            cols = np.zeros(p, dtype=bool)
            cols[list(S)] = True
            mixed = np.where(cols[None, :], x[None, :], background)
            return weights @ np.array([raw_output(model, m, np.zeros(k)) for m in mixed])

        out.append(shapley_by_enumeration(value, p))
    return np.array(out)


def _n_out(model):
    trees, proba = public_trees(model)
    v = trees[0][0].value[0]
    return v.shape[1] if proba else v.shape[0]


def _path_dependent(model, rows):
    p = rows.shape[1]
    k = _n_out(model)
    out = []
    for x in rows:
        def value(S, x=x):
            known = np.zeros(p, dtype=bool)
            known[list(S)] = True
            return path_dependent_value(model, x, known, np.zeros(k))

        out.append(shapley_by_enumeration(value, p))
    return np.array(out)


def _data(n=80, p=4, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, p)).round(2)
    y = X[:, 0] * X[:, 1] + np.sin(2 * X[:, 2]) + 0.5 * (X[:, 3] > 0) + 0.1 * rng.normal(size=n)
    w = rng.uniform(0.2, 3.0, size=n)  # sample weights: cover != counts
    return X, y, w


def _models():
    X, y, w = _data()
    labels = np.digitize(y, np.quantile(y, [0.33, 0.66]))
    return {
        "forest_reg": (RandomForestRegressor(n_estimators=3, max_depth=6, min_samples_leaf=2,
                                             random_state=0).fit(X, y, sample_weight=w), X),
        "tree_clf": (DecisionTreeClassifier(max_depth=5, random_state=0).fit(X, labels, sample_weight=w), X),
        "forest_clf": (RandomForestClassifier(n_estimators=2, max_depth=4, random_state=1).fit(X, labels), X),
        "two_outputs": (DecisionTreeRegressor(max_depth=5, random_state=0).fit(
            X, np.column_stack([y, X[:, 1] - y]), sample_weight=w), X),
    }


_MODELS = _models()
_REFS = {}


def _rows_and_background(X):
    rows = np.vstack([X[[0, 7, 33]], [[0.0, 0.0, 0.0, 0.0], [3.0, -3.0, 3.0, -3.0]]])
    bg = X[[1, 2, 5, 40, 61]]
    weights = np.array([0.1, 0.3, 0.25, 0.05, 0.3])
    return rows, bg, weights


def _reference(name, game):
    key = (name, game)
    if key not in _REFS:
        model, X = _MODELS[name]
        rows, bg, weights = _rows_and_background(X)
        if game == "interventional":
            _REFS[key] = _weighted_interventional(model, rows, bg, weights)
        else:
            _REFS[key] = _path_dependent(model, rows)
    return _REFS[key]


# (block_bits, MAX_TABLE_BITS, DENSE_COLUMNS): blocks only; blocks and leaves outside them;
# leaves outside blocks and wide leaves (closed forms); everything wide; sparse tables.
CONFIGS = [(9, 10, 64), (3, 10, 64), (2, 3, 64), (1, 1, 64), (9, 10, 0), (2, 3, 0), (4, 10, 0)]


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: f"bits{c[0]}-table{c[1]}-dense{c[2]}")
@pytest.mark.parametrize("game", GAMES)
@pytest.mark.parametrize("name", list(_MODELS))
def test_engine_paths_equal_public_tree_games(name, game, config, monkeypatch):
    bits, table_bits, dense = config
    monkeypatch.setattr(_paths, "MAX_TABLE_BITS", table_bits)
    monkeypatch.setattr(_engine, "DENSE_COLUMNS", dense)
    model, X = _MODELS[name]
    rows, bg, weights = _rows_and_background(X)
    run = TreeRunner(read_model(model, X.shape[1]), game, bg, weights, block_bits=bits)
    phi = run.shap_values(rows)
    np.testing.assert_allclose(phi, _reference(name, game), rtol=0, atol=ATOL)
    # the empty coalition: the cover-weighted mean, or the background's weighted mean
    k = phi.shape[2]
    if game == "interventional":
        base = weights @ np.array([raw_output(model, b, np.zeros(k)) for b in bg])
    else:
        base = path_dependent_value(model, rows[0], np.zeros(X.shape[1], dtype=bool), np.zeros(k))
    np.testing.assert_allclose(run.expected_value(), base, rtol=0, atol=ATOL)


@pytest.mark.parametrize("game", GAMES)
def test_many_rows_read_through_blocks_and_closed_forms(game, monkeypatch):
    """300 rows (more than one closed-form chunk of 256): rows keep their own values."""
    model, X = _MODELS["forest_reg"]
    _, bg, weights = _rows_and_background(X)
    rows = np.vstack([X] * 4)[:300]
    ref_run = TreeRunner(read_model(model, 4), game, bg, weights)
    ref = ref_run.shap_values(rows)
    # a few rows against the public reference first, so ref is itself checked
    idx = [0, 7, 33]
    pub = _reference("forest_reg", game)[:3]
    np.testing.assert_allclose(ref[idx], pub, rtol=0, atol=ATOL)
    monkeypatch.setattr(_paths, "MAX_TABLE_BITS", 1)
    wide = TreeRunner(read_model(model, 4), game, bg, weights, block_bits=1).shap_values(rows)
    np.testing.assert_allclose(wide, ref, rtol=0, atol=ATOL)
    np.testing.assert_allclose(wide[[80, 87, 113]], pub, rtol=0, atol=ATOL)


@pytest.mark.parametrize("game", GAMES)
def test_explain_tree_adds_into_phi(game):
    """``explain_tree`` adds a tree's values into ``phi`` (blocks, then the leaves outside
    them): values already there are kept."""
    from skxai.shapley._treeshap._paths import compile_tree

    model, X = _MODELS["two_outputs"]
    rows, bg, weights = _rows_and_background(X)
    ens = read_model(model, 4)
    plan = compile_tree(ens, ens.roots, 4)
    assert len(plan.block_bits) and len(plan.out_leaves)  # both kinds of leaves
    tab = _engine.build_tables(plan, ens, game, ens.prepare(bg).T.copy(), weights)
    phi = np.full((len(rows), 4, 2), 0.5)
    _engine.explain_tree(plan, tab, ens, ens.prepare(rows).T.copy(), False, phi)
    np.testing.assert_allclose(phi, 0.5 + _reference("two_outputs", game), rtol=0, atol=ATOL)


def _stump():
    X = np.array([[0.0, 5.0], [1.0, 5.0], [2.0, 5.0], [3.0, 5.0]])
    y = np.array([1.0, 1.0, 4.0, 4.0])
    w = np.array([1.0, 1.0, 1.0, 3.0])
    return DecisionTreeRegressor(max_depth=1).fit(X, y, sample_weight=w), X


@pytest.mark.parametrize("game", GAMES)
def test_stump_hand_worked(game):
    """One split on column 0 (threshold 1.5): leaves 1 (cover 2) and 4 (cover 4).

    Path-dependent: base = (2 * 1 + 4 * 4) / 6 = 3, phi_0 = f(x) - 3, phi_1 = 0.
    Interventional, background rows 0 and 3 with weights 0.25, 0.75: base = 3.25,
    phi_0 = f(x) - 3.25.
    """
    model, X = _stump()
    bg = X[[0, 3]]
    weights = np.array([0.25, 0.75])
    run = TreeRunner(read_model(model, 2), game, bg, weights)
    phi = run.shap_values(np.array([[0.5, 9.0], [2.5, -1.0]]))
    base = 3.0 if game == "tree_path_dependent" else 3.25
    np.testing.assert_allclose(run.expected_value(), [base], atol=1e-12)
    np.testing.assert_allclose(phi[:, :, 0], [[1.0 - base, 0.0], [4.0 - base, 0.0]], atol=1e-12)


@pytest.mark.parametrize("block_bits", [1, 9])
@pytest.mark.parametrize("game", GAMES)
def test_one_column_tree_hand_worked(game, block_bits):
    """Splits x <= 1.5, then x <= 0.5 / x <= 2.5: four leaves 0, 10, 20, 30 of equal cover,
    every path one player (d = 1). With 1-bit blocks every leaf lies outside the blocks.
    One player takes everything: phi = f(x) - base; base 15 (cover), or the background's
    weighted mean 0.25 * 0 + 0.75 * 30 = 22.5."""
    X = np.array([[0.0], [1.0], [2.0], [3.0]])
    model = DecisionTreeRegressor().fit(X, [0.0, 10.0, 20.0, 30.0])
    assert model.tree_.max_depth == 2
    run = TreeRunner(read_model(model, 1), game, X[[0, 3]], np.array([0.25, 0.75]), block_bits=block_bits)
    phi = run.shap_values(np.array([[0.2], [1.2], [2.2], [9.0]]))
    base = 15.0 if game == "tree_path_dependent" else 22.5
    np.testing.assert_allclose(run.expected_value(), [base], atol=1e-12)
    np.testing.assert_allclose(phi[:, 0, 0], np.array([0.0, 10.0, 20.0, 30.0]) - base, atol=1e-12)


@pytest.mark.parametrize("game", GAMES)
def test_single_leaf_tree_beside_a_stump_in_one_plan(game):
    """One plan over two trees (as the runner's chunks hold many trees): a single leaf of
    value 2.5 and the weighted stump above. The leaf adds 2.5 to the base and nothing to phi."""
    from skxai.shapley._treeshap._model import TreeEnsemble
    from skxai.shapley._treeshap._paths import compile_tree

    stump, X = _stump()
    leaf = DecisionTreeRegressor().fit(X, np.full(4, 2.5))
    ens = TreeEnsemble(2, 1, float32=True)
    for model in (leaf, stump):  # read here from the public arrays
        t = model.tree_
        ens.add_tree(left=t.children_left, right=t.children_right, feature=t.feature, threshold=t.threshold,
                     missing_left=np.zeros(t.node_count, dtype=bool), value=t.value[:, :, 0],
                     cover=t.weighted_n_node_samples)
    ens.finish()
    plan = compile_tree(ens, ens.roots, 9)
    bg = X[[0, 3]]
    tab = _engine.build_tables(plan, ens, game, ens.prepare(bg).T.copy(), np.array([0.25, 0.75]))
    rows = np.array([[0.5, 9.0], [2.5, -1.0]])
    phi = np.zeros((2, 2, 1))
    _engine.explain_tree(plan, tab, ens, ens.prepare(rows).T.copy(), False, phi)
    base = 3.0 if game == "tree_path_dependent" else 3.25
    np.testing.assert_allclose(tab.base, [2.5 + base], atol=1e-12)
    np.testing.assert_allclose(phi[:, :, 0], [[1.0 - base, 0.0], [4.0 - base, 0.0]], atol=1e-12)


@pytest.mark.parametrize("game", GAMES)
def test_single_leaf_tree_gives_zero_values(game):
    X = np.arange(12.0).reshape(6, 2)
    model = DecisionTreeRegressor().fit(X, np.full(6, 2.5))
    assert model.tree_.node_count == 1
    run = TreeRunner(read_model(model, 2), game, X[:3], np.full(3, 1 / 3))
    phi = run.shap_values(X)
    np.testing.assert_array_equal(phi, np.zeros((6, 2, 1)))
    np.testing.assert_allclose(run.expected_value(), [2.5], atol=1e-12)


@pytest.mark.parametrize("game", GAMES)
def test_duplicated_feature_on_a_path_hand_worked(game):
    """Splits x0 <= 1.5 then x0 <= 0.5 (one player twice on the left path), x1 elsewhere.

    Leaves: x0 <= 0.5 -> 0, 0.5 < x0 <= 1.5 -> 10, x0 > 1.5 split on x1 -> 20 / 30.
    Everything is enumerated by hand below from the fitted tree_ arrays' covers.
    """
    X = np.array([[0.0, 0.0], [1.0, 0.0], [2.0, 0.0], [2.0, 1.0], [3.0, 1.0]])
    y = np.array([0.0, 10.0, 20.0, 30.0, 30.0])
    model = DecisionTreeRegressor(random_state=0).fit(X, y)
    t = model.tree_
    assert list(t.feature[t.children_left >= 0]).count(0) >= 2
    rows = np.array([[0.0, 1.0], [1.0, 0.0], [3.0, 0.0], [2.0, 1.0]])
    bg = X[[0, 4]]
    weights = np.array([0.5, 0.5])
    run = TreeRunner(read_model(model, 2), game, bg, weights, block_bits=2)
    phi = run.shap_values(rows)[:, :, 0]

    def f(x):
        return raw_output(model, x, np.zeros(1))[0]

    for x, ph in zip(rows, phi, strict=True):
        if game == "interventional":
            def v(S, x=x):
                return sum(w * f(np.where([0 in S, 1 in S], x, b)) for b, w in zip(bg, weights, strict=True))
        else:
            def v(S, x=x):
                return path_dependent_value(model, x, np.array([0 in S, 1 in S]), np.zeros(1))[0]
        e, a, b, ab = v(frozenset()), v({0}), v({1}), v({0, 1})
        np.testing.assert_allclose(ph, [0.5 * (a - e) + 0.5 * (ab - b), 0.5 * (b - e) + 0.5 * (ab - a)],
                                   atol=1e-12)


@pytest.mark.parametrize("game", GAMES)
def test_missing_values_follow_the_trees_missing_direction(game, monkeypatch):
    X, y, _ = _data(n=60, seed=3)
    X[::4, 1] = np.nan
    model = DecisionTreeRegressor(max_depth=4, random_state=0).fit(X, y)
    assert model.tree_.missing_go_to_left[model.tree_.feature == 1].any()
    rows = X[[0, 4, 5, 9]]  # rows 0 and 4 miss column 1
    bg = X[[1, 8, 13]]  # row 8 misses column 1
    weights = np.array([0.5, 0.2, 0.3])
    ref = (_weighted_interventional(model, rows, bg, weights) if game == "interventional"
           else _path_dependent(model, rows))
    for bits, table_bits in ((9, 10), (1, 1)):
        monkeypatch.setattr(_paths, "MAX_TABLE_BITS", table_bits)
        run = TreeRunner(read_model(model, 4), game, bg, weights, block_bits=bits)
        np.testing.assert_allclose(run.shap_values(rows), ref, rtol=0, atol=ATOL)


# ------------------------------------------------------------------ interactions
def _interaction_index(v, p, shape=()):
    """Off-diagonal Shapley interaction index of the game ``v`` on ``p`` players, enumerated with the
    weights ``|S|! (p - |S| - 2)! / (2 (p - 1)!)``."""
    out = np.zeros((p, p) + shape)
    for i, j in combinations(range(p), 2):
        others = [m for m in range(p) if m not in (i, j)]
        for size in range(p - 1):
            w = factorial(size) * factorial(p - size - 2) / factorial(p - 1) / 2
            for S in combinations(others, size):
                S = set(S)
                out[i, j] += w * (v(S | {i, j}) - v(S | {i}) - v(S | {j}) + v(S))
        out[j, i] = out[i, j]
    return out


def _interaction_reference(model, x):
    p = len(x)
    k = _n_out(model)

    def v(S):
        known = np.zeros(p, dtype=bool)
        known[list(S)] = True
        return path_dependent_value(model, x, known, np.zeros(k))

    return _interaction_index(v, p, (k,))


# 10: every leaf by its table; 1: every leaf by the closed form; 2 and 3: leaves of exactly that many
# path players by their tables, wider ones by the closed form (each leaf counted once)
@pytest.mark.parametrize("table_bits", [10, 3, 2, 1])
@pytest.mark.parametrize("name", ["forest_reg", "tree_clf"])
def test_interaction_values_equal_public_enumeration(name, table_bits, monkeypatch):
    monkeypatch.setattr(_interactions, "MAX_TABLE_BITS", table_bits)
    monkeypatch.setattr(_interactions, "_TEMP_FLOATS", 1)  # one leaf per group
    model, X = _MODELS[name]
    rows, _, _ = _rows_and_background(X)
    rows = rows[:3]
    run = TreeRunner(read_model(model, 4), "tree_path_dependent", None, None)
    widths = np.concatenate([plan.leaf_d for plan in run.plans])
    assert {2, 3, 4} <= set(widths.tolist())  # leaves on both sides of the boundary
    phi = run.shap_values(rows)
    inter = _interactions.interaction_values(run, rows, phi)
    off = ~np.eye(4, dtype=bool)
    for r, x in enumerate(rows):
        ref = _interaction_reference(model, x)
        np.testing.assert_allclose(inter[r][off], ref[off], rtol=0, atol=ATOL)
    np.testing.assert_allclose(inter.sum(axis=2), _reference(name, "tree_path_dependent")[:3], atol=ATOL)


def _leaf_interactions(alpha_bits, r):
    """Off-diagonal interaction index (d, d) of one leaf's game ``v(S) = prod_{S} a prod_{not S} r``."""
    d = len(r)

    def v(S):
        return np.prod([float(alpha_bits[k]) if k in S else r[k] for k in range(d)])

    return _interaction_index(v, d)


# cover fractions with 0 (a child no training weight reached: its g vanishes off the path) and 1
_LEAF_R = [np.array([0.3, 0.7]), np.array([0.0, 0.45, 1.0]), np.array([0.25, 0.0, 0.6, 0.9]),
           np.array([0.1, 0.35, 0.5, 0.8, 0.0])]


@pytest.mark.parametrize("r", _LEAF_R, ids=lambda r: f"d{len(r)}")
def test_interaction_tables_equal_leaf_enumeration(r):
    """Every pattern's table (diagonal 0) and the row-by-row closed form against the enumerated game."""
    d = len(r)
    T = _interactions.interaction_tables(np.vstack([r, r[::-1]]))
    assert T.shape == (2, 2**d, d, d)
    patterns = np.array([[(b >> i) & 1 for i in range(d)] for b in range(2**d)])
    for b, bits in enumerate(patterns):
        np.testing.assert_allclose(T[0, b], _leaf_interactions(bits, r), rtol=0, atol=1e-13)
        np.testing.assert_allclose(T[1, b], _leaf_interactions(bits, r[::-1]), rtol=0, atol=1e-13)
    direct = _interactions._direct(patterns.astype(bool), r)
    assert direct.shape == (2**d, d, d)
    for b, bits in enumerate(patterns):
        np.testing.assert_allclose(direct[b], _leaf_interactions(bits, r), rtol=0, atol=1e-13)


def test_interaction_tables_by_hand():
    """d = 2: Phi_01 = (a_0 - r_0)(a_1 - r_1) / 2 (no other player: the integral is 1)."""
    T = _interactions.interaction_tables(np.array([[0.25, 0.6]]))
    # patterns 0b00, 0b01 (player 0 on the path), 0b10, 0b11
    expected = 0.5 * np.array([0.25 * 0.6, -0.75 * 0.6, -0.25 * 0.4, 0.75 * 0.4])
    np.testing.assert_allclose(T[0, :, 0, 1], expected, rtol=0, atol=1e-15)
    np.testing.assert_allclose(T[0, :, 1, 0], expected, rtol=0, atol=1e-15)
    np.testing.assert_array_equal(T[0, :, [0, 1], [0, 1]], 0.0)


def _check_interactions(model, rows, table_bits, monkeypatch):
    monkeypatch.setattr(_interactions, "MAX_TABLE_BITS", table_bits)
    p = rows.shape[1]
    run = TreeRunner(read_model(model, p), "tree_path_dependent", None, None)
    phi = run.shap_values(rows)
    inter = _interactions.interaction_values(run, rows, phi)
    phi_ref = _path_dependent(model, rows)
    for r, x in enumerate(rows):
        ref = _interaction_reference(model, x)  # its diagonal is 0
        for i in range(p):  # the diagonal: phi_i minus the row's off-diagonal terms
            ref[i, i] = phi_ref[r, i] - ref[i].sum(axis=0)
        np.testing.assert_allclose(inter[r], ref, rtol=0, atol=ATOL)
    return inter


@pytest.mark.parametrize("table_bits", [10, 1])
def test_interaction_values_with_missing_values(table_bits, monkeypatch):
    """Rows with NaN follow each node's missing direction (to the left here, where x <= t is False)."""
    X, y, _ = _data(n=60, seed=3)
    X[::4, 1] = np.nan
    model = DecisionTreeRegressor(max_depth=4, random_state=0).fit(X, y)
    assert model.tree_.missing_go_to_left[model.tree_.feature == 1].any()
    rows = X[[0, 4, 5, 9]]  # rows 0 and 4 miss column 1
    _check_interactions(model, rows, table_bits, monkeypatch)


@pytest.mark.parametrize("table_bits", [10, 1])
def test_interaction_values_after_a_tree_without_splits(table_bits, monkeypatch):
    """A forest whose first tree is a single leaf (its bootstrap saw one label): the trees after it count."""
    X = np.array([[0.0, 0.0, 1.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [2.0, 0.0, 1.0], [2.0, 2.0, 0.0]])
    y = np.array([0.0, 0.0, 0.0, 1.0, 3.0])  # x0 then x1 split the last two rows: an interaction
    model = next(m for s in range(500) if (m := RandomForestRegressor(n_estimators=3, random_state=s).fit(X, y))
                 and m.estimators_[0].tree_.node_count == 1
                 and min(e.tree_.max_depth for e in m.estimators_[1:]) >= 2)
    run = TreeRunner(read_model(model, 3), "tree_path_dependent", None, None)
    assert any(len(plan.internal) == 0 for plan in run.plans[:1])
    inter = _check_interactions(model, X, table_bits, monkeypatch)
    assert np.abs(inter[:, 0, 1]).max() > 0.05  # the second tree: x1 then x0


def test_interaction_tables_never_read_uninitialised_memory():
    """Where a factor g vanishes (a = 0 on a zero-cover child) the quotient (a - r) / g is set to 0,
    not left as whatever the memory held: numpy's cache of small blocks is filled with NaN blocks
    of the quotient's size first, so an output allocated without initialising would read them."""
    r = np.array([[0.0, 0.4], [0.3, 0.0]])  # L = 2, 4 patterns, d = 2: 16 floats per quotient
    patterns = np.array([[0, 0], [1, 0], [0, 1], [1, 1]])
    for _ in range(3):
        poison = [np.full(16, np.nan) for _ in range(7)]
        del poison
        T = _interactions.interaction_tables(r)
        for b, bits in enumerate(patterns):
            np.testing.assert_allclose(T[0, b], _leaf_interactions(bits, r[0]), rtol=0, atol=1e-15)
            np.testing.assert_allclose(T[1, b], _leaf_interactions(bits, r[1]), rtol=0, atol=1e-15)
        rows = np.vstack([patterns, patterns]).astype(bool)  # 8 rows x 2 players: 16 floats
        poison = [np.full(16, np.nan) for _ in range(7)]
        del poison
        direct = _interactions._direct(rows, r[0])
        for b, bits in enumerate(rows):
            np.testing.assert_allclose(direct[b], _leaf_interactions(bits.astype(int), r[0]), rtol=0, atol=1e-15)


# ------------------------------------------------------------------ table storage (mutK)
def test_sparse_rows_hand_worked():
    """Values (m, width, k) of players ``loc`` placed in ``rows``: pads (loc == p_t) dropped,
    duplicates summed, player j's outputs in columns j * k .. j * k + k - 1."""
    vals = np.arange(1.0, 13.0).reshape(3, 2, 2)  # [[1,2],[3,4]], [[5,6],[7,8]], [[9,10],[11,12]]
    loc = np.array([[0, 2], [1, 0], [3, 0]])  # p_t = 3: slot (2, 0) is a pad
    out = _engine._sparse_rows(vals, loc, [1, 1, 3], 4, 3, 2)
    assert out.shape == (4, 6) and hasattr(out, "nnz")
    expected = np.zeros((4, 6))
    expected[1, [0, 1]] = [1 + 7, 2 + 8]  # player 0 from rows 0 and 1
    expected[1, [4, 5]] = [3, 4]  # player 2
    expected[1, [2, 3]] = [5, 6]  # player 1
    expected[3, [0, 1]] = [11, 12]
    np.testing.assert_array_equal(out.toarray(), expected)
    one = _engine._sparse_rows(vals[:, :, :1], loc, [0, 2, 2], 3, 3, 1)
    np.testing.assert_array_equal(one.toarray(), [[1, 0, 3], [0, 0, 0], [7 + 11, 5, 0]])


@pytest.mark.parametrize("game", GAMES)
def test_tables_dense_up_to_dense_columns_then_sparse(game, monkeypatch):
    """``DENSE_COLUMNS`` bounds the dense tables' columns (players x outputs): 4 players x 2
    outputs = 8 columns are dense at 8, sparse at 7 (block and outside tables alike), with the
    same numbers."""
    from skxai.shapley._treeshap._paths import compile_tree

    model, X = _MODELS["two_outputs"]
    _, bg, weights = _rows_and_background(X)
    ens = read_model(model, 4)
    plan = compile_tree(ens, ens.roots, 4)
    assert len(plan.players) == 4 and len(plan.out_leaves) and len(plan.block_bits)
    bgT = ens.prepare(bg).T.copy()
    monkeypatch.setattr(_engine, "DENSE_COLUMNS", 8)
    dense = _engine.build_tables(plan, ens, game, bgT, weights)
    assert isinstance(dense.block_table, np.ndarray) and isinstance(dense.out_rows, np.ndarray)
    monkeypatch.setattr(_engine, "DENSE_COLUMNS", 7)
    sparse = _engine.build_tables(plan, ens, game, bgT, weights)
    assert hasattr(sparse.block_table, "nnz") and hasattr(sparse.out_rows, "nnz")
    np.testing.assert_allclose(sparse.block_table.toarray(), dense.block_table, rtol=0, atol=1e-13)
    np.testing.assert_allclose(sparse.out_rows.toarray(), dense.out_rows, rtol=0, atol=1e-13)
    # one table row per block index value: 2**bits rows per block, blocks one after the other
    rows = 2 ** plan.block_bits
    for tab in (dense, sparse):
        assert tab.block_table.shape == (rows.sum(), 8)
        np.testing.assert_array_equal(tab.block_off, np.cumsum(rows) - rows)


def test_sparse_tables_never_hold_a_dense_table():
    """Sparse tables exist so that memory does not grow with players x entries: building them
    for one plan of 400 two-level trees over 2,000 columns (about 900 players) peaks well below
    the dense table's size."""
    import tracemalloc

    from skxai.shapley._treeshap._paths import compile_tree

    rng = np.random.RandomState(0)
    p = 2000
    X = rng.normal(size=(200, p))
    model = RandomForestRegressor(n_estimators=400, max_depth=2, max_features=1, random_state=0).fit(
        X, X @ rng.normal(size=p))
    ens = read_model(model, p)
    plan = compile_tree(ens, ens.roots, 9)
    dense_bytes = (2**plan.block_bits).sum() * len(plan.players) * 8
    assert len(plan.players) > 800 and dense_bytes > 20e6
    bgT = ens.prepare(X[:20]).T.copy()
    for game in GAMES:
        tracemalloc.start()
        try:
            tab = _engine.build_tables(plan, ens, game, bgT, np.full(20, 0.05))
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert hasattr(tab.block_table, "nnz")
        assert peak < dense_bytes / 3


def _public_blocks(t, offset, block_bits):
    """Blocks of one tree by the definition of ``_paths`` on scikit-learn's arrays: a node fits when its
    depth plus the number of internal nodes of its subtree (itself included) is at most ``block_bits``;
    a leaf's block is its highest ancestor (or itself) that fits. Returns {leaf id: (block root, bits)},
    root None for leaves outside blocks."""
    left, right = t.children_left, t.children_right
    depth = np.zeros(t.node_count, dtype=int)
    parent = np.full(t.node_count, -1)
    for u in range(t.node_count):  # scikit-learn numbers parents before children
        if left[u] >= 0:
            for c in (left[u], right[u]):
                depth[c], parent[c] = depth[u] + 1, u

    def internal(u):
        return 0 if left[u] < 0 else 1 + internal(left[u]) + internal(right[u])

    out = {}
    for leaf in np.flatnonzero(left < 0):
        path = [leaf]
        while parent[path[-1]] >= 0:
            path.append(parent[path[-1]])
        fitting = [u for u in path[::-1] if depth[u] + internal(u) <= block_bits]
        u = fitting[0] if fitting else None
        out[offset + leaf] = (None, 0) if u is None else (offset + u, depth[u] + internal(u))
    return out


@pytest.mark.parametrize("block_bits", [2, 4, 7, 9])
def test_blocks_are_the_highest_nodes_that_fit(block_bits):
    """Block structure of ``compile_tree`` against the module's definition on the public arrays: a tree
    of depth 3 (7 internal nodes) is one block from 7 bits on; deeper trees are cut into blocks, leaves
    deeper than any fitting node outside them. One plan for two trees, and one for the second tree alone
    given as a single root."""
    from skxai.shapley._treeshap._paths import compile_tree

    X, y, _ = _data(n=200, seed=5)
    small = DecisionTreeRegressor(max_depth=3, random_state=0).fit(X, y)
    forest = RandomForestRegressor(n_estimators=2, max_depth=7, random_state=0).fit(X, y)
    cases = [(small, None), (forest, None), (forest, 1)]
    for model, only in cases:
        ens = read_model(model, 4)
        trees = [small.tree_] if model is small else [e.tree_ for e in forest.estimators_]
        offsets = np.concatenate([[0], np.cumsum([t.node_count for t in trees])[:-1]])
        roots = ens.roots if only is None else ens.roots[only]  # one root: a scalar
        plan = compile_tree(ens, roots, block_bits)
        expected = {}
        for i, (t, o) in enumerate(zip(trees, offsets, strict=True)):
            if only is None or i == only:
                expected.update(_public_blocks(t, o, block_bits))
        assert sorted(plan.leaf_ids.tolist()) == sorted(expected)
        groups, got = {}, {}
        for leaf, b in zip(plan.leaf_ids.tolist(), plan.leaf_block.tolist(), strict=True):
            root, bits = expected[leaf]
            assert (b >= 0) == (root is not None)
            if b >= 0:
                assert plan.block_bits[b] == bits
                groups.setdefault(root, set()).add(leaf)
                got.setdefault(b, set()).add(leaf)
        assert sorted(map(sorted, groups.values())) == sorted(map(sorted, got.values()))
        assert len(plan.block_bits) == len(got)  # no block without leaves
    if block_bits >= 7:  # the depth-3 tree is one block
        plan = compile_tree(read_model(small, 4), read_model(small, 4).roots, block_bits)
        assert plan.block_bits.tolist() == [7] and (plan.leaf_block == 0).all() and len(plan.out_leaves) == 0


def test_cover_ratios_of_small_weights():
    """Sample weights summing below 1 (covers under 1 at every node): the cover ratios are still
    child / parent, against the path-dependent game on the public arrays."""
    X, y, w = _data(n=80, seed=6)
    model = DecisionTreeRegressor(max_depth=4, random_state=0).fit(X, y, sample_weight=w / 1000)
    assert model.tree_.weighted_n_node_samples[0] < 1
    rows = X[[0, 3, 11]]
    phi = TreeRunner(read_model(model, 4), "tree_path_dependent", None, None).shap_values(rows)
    np.testing.assert_allclose(phi, _path_dependent(model, rows), rtol=0, atol=ATOL)
