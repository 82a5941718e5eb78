"""TreeShapExplainer: brute-force enumeration of both games, efficiency, peers, errors."""

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.datasets import load_diabetes, load_iris
from sklearn.ensemble import (
    ExtraTreesClassifier,
    ExtraTreesRegressor,
    GradientBoostingClassifier,
    GradientBoostingRegressor,
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    IsolationForest,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
from sklearn.utils.estimator_checks import parametrize_with_checks

from skxai import ExactShapleyExplainer, TreeShapExplainer, shapley_values
from skxai.shapley._treeshap import _engine as _tree_engine
from skxai.shapley._treeshap import _paths as _tree_paths
from skxai.shapley._treeshap._run import TreeRunner
from tests._peers import import_peer

GAMES = ["tree_path_dependent", "interventional"]


@pytest.fixture(scope="module")
def reg_data():
    X, y = load_diabetes(return_X_y=True)
    return X[:200, :5], y[:200]


@pytest.fixture(scope="module")
def clf_data():
    X, y = load_iris(return_X_y=True)
    return X, y


# ----------------------------------------------------------------- brute force
# The brute force below walks skxai's own parsed trees (``ensemble_``): it checks the ENGINE
# (tables, blocks, closed forms) against the game of the parsed trees, and HGB, whose nodes
# are not public. Whether the trees are parsed right is checked against scikit-learn's public
# arrays in test_tree_reference.py.
def _path_dependent_values(ens, x, masks):
    """v(S) for every mask: features outside S follow the training cover (recursion)."""
    xp = ens.prepare(x[None, :])
    XT = np.ascontiguousarray(xp.T)
    goes_left = ens.decisions(XT, np.arange(len(ens.left)))[:, 0]

    def rec(u, S):
        if ens.left[u] < 0:
            return ens.value[u]
        lft, rgt = ens.left[u], ens.right[u]
        if S[ens.feature[u]]:
            return rec(lft if goes_left[u] else rgt, S)
        c = ens.cover[u]
        return ens.cover[lft] / c * rec(lft, S) + ens.cover[rgt] / c * rec(rgt, S)

    return np.array([ens.offset + sum(rec(r, S) for r in ens.roots) for S in masks])


def _brute_path_dependent(explainer, X):
    ens = explainer.ensemble_
    p = ens.n_features
    out = []
    for x in X:
        out.append(shapley_values(lambda m, x=x: _path_dependent_values(ens, x, m), p))
    return np.array(out)  # (n, p, k)


def _brute_interventional(f, X, background):
    """Enumeration of v(S) = mean_b f(x_S, b_rest) with the model's own response ``f``."""
    p = X.shape[1]
    out = []
    for x in X:
        def v(masks, x=x):
            rows = np.where(masks[:, None, :], x[None, None, :], background[None, :, :])
            pred = np.asarray(f(rows.reshape(-1, p)), dtype=np.float64)
            return pred.reshape(len(masks), len(background), -1).mean(axis=1)

        out.append(shapley_values(v, p))
    return np.array(out)


def _models(reg_data, clf_data):
    Xr, yr = reg_data
    Xc, yc = clf_data
    return [
        (DecisionTreeRegressor(max_depth=4, random_state=0), Xr, yr),
        (RandomForestRegressor(n_estimators=4, max_depth=4, random_state=0), Xr, yr),
        (ExtraTreesRegressor(n_estimators=3, max_depth=3, random_state=0), Xr, yr),
        (GradientBoostingRegressor(n_estimators=8, max_depth=3, random_state=0), Xr, yr),
        (DecisionTreeClassifier(max_depth=3, random_state=0), Xc, yc),
        (RandomForestClassifier(n_estimators=3, max_depth=3, random_state=0), Xc, yc),
        (GradientBoostingClassifier(n_estimators=4, max_depth=2, random_state=0), Xc, yc),
        (GradientBoostingClassifier(n_estimators=5, max_depth=2, random_state=0), Xc, yc > 0),
        (HistGradientBoostingRegressor(max_iter=5, max_depth=3, random_state=0), Xr, yr),
        (HistGradientBoostingClassifier(max_iter=3, max_depth=3, random_state=0), Xc, yc),
    ]


@pytest.mark.parametrize("i", range(10))
def test_engine_path_dependent_matches_enumeration_of_parsed_trees(i, reg_data, clf_data):
    model, X, y = _models(reg_data, clf_data)[i]
    model.fit(X, y)
    ex = TreeShapExplainer(model).fit(X)
    rows = X[::50][:3]
    phi = ex.explain(rows).values
    np.testing.assert_allclose(phi, _brute_path_dependent(ex, rows), rtol=0, atol=1e-9)


@pytest.mark.parametrize("i", range(10))
def test_interventional_matches_exact_explainer(i, reg_data, clf_data):
    model, X, y = _models(reg_data, clf_data)[i]
    model.fit(X, y)
    ex = TreeShapExplainer(model, feature_perturbation="interventional", max_background=20,
                           random_state=0).fit(X)
    rows = X[1::50][:3]
    # "auto": probabilities of every classifier (boosted ones through the link, enumerated)
    method = {"probability": "predict_proba", "prediction": "predict"}[ex.quantity_]
    ref = ExactShapleyExplainer(model, response_method=method, max_background=20,
                                random_state=0).fit(X)
    np.testing.assert_array_equal(ref.background_, ex.background_)
    exp_ref = ref.explain(rows)
    exp = ex.explain(rows)
    np.testing.assert_allclose(exp.values, exp_ref.values, rtol=0, atol=1e-9)
    np.testing.assert_allclose(exp.base_values, exp_ref.base_values, rtol=0, atol=1e-9)


def test_deep_trees_and_wide_leaves_match(reg_data, monkeypatch):
    """Leaves outside blocks and leaves too wide for tables (closed forms) agree."""
    X, y = reg_data
    model = RandomForestRegressor(n_estimators=2, random_state=0).fit(X, y)
    for game in GAMES:
        ex = TreeShapExplainer(model, feature_perturbation=game, max_background=15,
                               random_state=1).fit(X)
        rows = X[:20]
        ref = ex.explain(rows).values
        for bits, table_bits in ((3, 3), (2, 10)):
            monkeypatch.setattr(_tree_paths, "MAX_TABLE_BITS", table_bits)
            run = TreeRunner(ex.ensemble_, game, ex.tree_background_, ex.background_weights_,
                             block_bits=bits)
            np.testing.assert_allclose(run.shap_values(rows), ref, rtol=0, atol=1e-9)
            np.testing.assert_allclose(run.expected_value(), ex.expected_value_, atol=1e-9)
        monkeypatch.undo()
    brute = _brute_path_dependent(TreeShapExplainer(model).fit(X), X[:1])
    np.testing.assert_allclose(TreeShapExplainer(model).fit(X).explain(X[:1]).values, brute,
                               atol=1e-9)


@pytest.mark.parametrize("game", GAMES)
def test_sparse_tables_match_dense(game, reg_data, monkeypatch):
    """Many players: tables hold only each block's players (sparse), same values."""
    X, y = reg_data
    model = RandomForestRegressor(n_estimators=4, random_state=0).fit(X, y)
    kw = dict(feature_perturbation=game, max_background=15, random_state=0)
    dense = TreeShapExplainer(model, **kw).fit(X).explain(X[:30]).values
    monkeypatch.setattr(_tree_engine, "DENSE_COLUMNS", 0)
    ex = TreeShapExplainer(model, **kw).fit(X)
    assert hasattr(ex._runner._tables[0].block_table, "nnz")
    np.testing.assert_allclose(ex.explain(X[:30]).values, dense, atol=1e-9)


def test_isolation_forest_path_length_games(reg_data):
    """IsolationForest: the explained response is the mean path length E[h(x)]."""
    from sklearn.ensemble._iforest import _average_path_length

    X, _ = reg_data
    model = IsolationForest(n_estimators=4, max_samples=64, max_features=0.8,
                            random_state=0).fit(X)
    c = _average_path_length([model._max_samples])[0]

    def path_length(rows):
        return -np.log2(-model.score_samples(rows)) * c

    rows = X[:3]
    ex = TreeShapExplainer(model, feature_perturbation="interventional", max_background=10,
                           random_state=0).fit(X)
    brute = _brute_interventional(path_length, rows, ex.background_)
    np.testing.assert_allclose(ex.explain(rows).values, brute, atol=1e-9)
    pd_ex = TreeShapExplainer(model).fit(X)
    np.testing.assert_allclose(pd_ex.explain(rows).values, _brute_path_dependent(pd_ex, rows),
                               atol=1e-9)
    assert list(ex.output_names_) == ["path_length"]


# ----------------------------------------------------------------- efficiency
def _all_models(reg_data, clf_data):
    Xr, yr = reg_data
    Xc, yc = clf_data
    models = _models(reg_data, clf_data) + [
        (ExtraTreesClassifier(n_estimators=3, random_state=0), Xc, yc),
        (HistGradientBoostingRegressor(loss="poisson", max_iter=5, random_state=0), Xr, yr),
        (IsolationForest(n_estimators=5, max_features=0.6, random_state=0), Xr, None),
        (RandomForestRegressor(n_estimators=3, max_depth=3, random_state=0), Xr,
         np.column_stack([yr, -yr])),
    ]
    return models


@pytest.mark.parametrize("game", GAMES)
def test_efficiency_every_model(game, reg_data, clf_data):
    for model, X, y in _all_models(reg_data, clf_data):
        model.fit(X, y)
        target = 1 if y is not None and np.ndim(y) == 2 else None
        ex = TreeShapExplainer(model, feature_perturbation=game, max_background=30,
                               target=target).fit(X)
        exp = ex.explain(X[:25])
        total = exp.values.sum(axis=1) + exp.base_values
        np.testing.assert_allclose(total, ex.model_output(X[:25]), rtol=1e-12, atol=1e-9,
                                   err_msg=type(model).__name__)


def test_expected_values(reg_data):
    X, y = reg_data
    model = GradientBoostingRegressor(n_estimators=10, random_state=0).fit(X, y)
    ex = TreeShapExplainer(model, feature_perturbation="interventional",
                           max_background=40, random_state=0).fit(X)
    np.testing.assert_allclose(ex.expected_value_, model.predict(ex.background_).mean(), atol=1e-9)
    pd = TreeShapExplainer(model).fit(X)
    # Path-dependent base: training-cover expectation; for a single stump-free tree of GB
    # it is init + lr * weighted mean of leaf values.
    tree = model.estimators_[0, 0].tree_
    leaves = tree.children_left < 0
    per_tree = [
        (e.tree_.value[:, 0, 0] * e.tree_.weighted_n_node_samples)[e.tree_.children_left < 0].sum()
        / e.tree_.weighted_n_node_samples[0]
        for e in model.estimators_[:, 0]
    ]
    assert leaves.any()
    expected = model.init_.constant_[0, 0] + model.learning_rate * np.sum(per_tree)
    np.testing.assert_allclose(pd.expected_value_, [expected], atol=1e-9)


# ----------------------------------------------------------------- HGB specifics
def test_hgb_nan_and_categorical_interventional():
    rng = np.random.RandomState(0)
    n = 300
    X = np.column_stack([
        rng.randint(0, 6, n).astype(float),  # categorical codes
        rng.normal(size=n),
        rng.normal(size=n),
        rng.uniform(size=n),
    ])
    y = (X[:, 0] % 3 == 0) * 2.0 + X[:, 1] + np.sin(3 * X[:, 3]) + rng.normal(scale=0.1, size=n)
    X[rng.rand(n) < 0.15, 1] = np.nan
    X[rng.rand(n) < 0.1, 0] = np.nan
    model = HistGradientBoostingRegressor(max_iter=15, max_depth=4, categorical_features=[0],
                                          random_state=0).fit(X, y)
    assert model.is_categorical_[0]
    Xt = X[:6].copy()
    Xt[1, 0] = 17.0  # unknown category: follows the missing-value direction
    Xt[2, 2] = np.nan  # missing where training had none
    ex = TreeShapExplainer(model, feature_perturbation="interventional", max_background=12,
                           random_state=0).fit(X)
    brute = _brute_interventional(model.predict, Xt, ex.background_)
    np.testing.assert_allclose(ex.explain(Xt).values, brute, atol=1e-9)
    np.testing.assert_allclose(ex.ensemble_.predict_raw(Xt)[:, 0], model.predict(Xt), atol=1e-12)
    pd_ex = TreeShapExplainer(model).fit(X)
    np.testing.assert_allclose(pd_ex.explain(Xt).values, _brute_path_dependent(pd_ex, Xt),
                               atol=1e-9)


def test_hgb_pandas_categories_keep_column_order():
    pd = pytest.importorskip("pandas")
    rng = np.random.RandomState(1)
    n = 200
    df = pd.DataFrame({
        "num": rng.normal(size=n),
        "color": pd.Categorical(rng.choice(["red", "green", "blue"], n)),
        "size": rng.uniform(size=n),
    })
    y = (df["color"] == "red").astype(int).to_numpy() ^ (df["num"] > 0.3).to_numpy()
    model = HistGradientBoostingClassifier(max_iter=10, categorical_features="from_dtype",
                                           random_state=0).fit(df, y)
    ex = TreeShapExplainer(model, feature_perturbation="interventional", max_background=10,
                           response_method="decision_function", random_state=0).fit(df)
    assert ex.quantity_ == "log-odds"
    assert list(ex.get_feature_names_out()) == ["num", "color", "size"]
    phi = ex.transform(df.iloc[:8])
    np.testing.assert_allclose(phi.sum(axis=1) + ex.expected_value_[0],
                               model.decision_function(df.iloc[:8]), atol=1e-9)
    # the colour drives the model: it gets the largest attributions on average
    assert np.argmax(np.abs(ex.transform(df)).mean(axis=0)) in (0, 1)
    codes = ex._tree_space(ex._schema.to_array(df.iloc[:5]))
    bg = ex.tree_background_

    def f(rows):
        frame = pd.DataFrame({
            "num": rows[:, 0],
            "color": pd.Categorical.from_codes(rows[:, 1].astype(int),
                                               model._preprocessor.named_transformers_["encoder"]
                                               .categories_[0]),
            "size": rows[:, 2],
        })
        return model.decision_function(frame)

    brute = _brute_interventional(f, codes, bg)
    np.testing.assert_allclose(ex.explain(df.iloc[:5]).values, brute, atol=1e-9)


# ----------------------------------------------------------------- pipelines, outputs
def test_pipeline_explained_in_tree_space():
    pd = pytest.importorskip("pandas")
    rng = np.random.RandomState(0)
    n = 150
    df = pd.DataFrame({"a": rng.normal(size=n), "city": rng.choice(["x", "y", "z"], n),
                       "b": rng.normal(size=n)})
    y = df["a"] * 2 + (df["city"] == "y") * 3 + rng.normal(scale=0.1, size=n)
    pre = ColumnTransformer([("num", StandardScaler(), ["a", "b"]),
                             ("cat", OneHotEncoder(), ["city"])])
    pipe = make_pipeline(pre, RandomForestRegressor(n_estimators=5, max_depth=4,
                                                    random_state=0))
    ex = TreeShapExplainer(pipe, feature_perturbation="interventional", max_background=20,
                           feature_space="model", random_state=0).fit(df, y)
    names = list(ex.get_feature_names_out())
    assert names == ["num__a", "num__b", "cat__city_x", "cat__city_y", "cat__city_z"]
    exp = ex.explain(df.iloc[:10])
    assert exp.values.shape == (10, 5, 1)
    assert exp.data.shape == (10, 5)
    np.testing.assert_allclose(exp.outputs[:, 0], ex.estimator_.predict(df.iloc[:10]), atol=1e-9)
    Z = ex._tree_space(ex._schema.to_array(df.iloc[:3]))
    brute = _brute_interventional(ex.tree_model_.predict, Z, ex.tree_background_)
    np.testing.assert_allclose(exp.values[:3], brute, atol=1e-9)
    # the metrics' view is in the trees' space too: rows, players, background, response
    view = ex.perturbation_view(df.iloc[:10])
    np.testing.assert_array_equal(view.X, exp.data)
    assert [list(g) for g in view.groups] == [[0], [1], [2], [3], [4]]
    np.testing.assert_array_equal(view.background, ex.tree_background_)
    np.testing.assert_allclose(view.output(view.X), exp.outputs, atol=1e-9)


def test_classifier_targets_and_probabilities(clf_data):
    X, y = clf_data
    rf = RandomForestClassifier(n_estimators=5, max_depth=3, random_state=0).fit(X, y == 2)
    ex = TreeShapExplainer(rf).fit(X)
    assert ex.target_index_ == 1  # positive class of a binary probability
    np.testing.assert_allclose(ex.transform(X[:5]).sum(axis=1) + ex.expected_value_[1],
                               rf.predict_proba(X[:5])[:, 1], atol=1e-12)
    gb = GradientBoostingClassifier(n_estimators=5, max_depth=2, random_state=0).fit(X[:, :3], y)
    ex = TreeShapExplainer(gb, feature_perturbation="interventional",
                           response_method="predict_proba", max_background=10,
                           random_state=0).fit(X[:, :3])
    ref = ExactShapleyExplainer(gb, response_method="predict_proba", max_background=10,
                                random_state=0).fit(X[:, :3])
    np.testing.assert_allclose(ex.explain(X[:4, :3]).values, ref.explain(X[:4, :3]).values,
                               atol=1e-9)
    assert ex.target_index_ == "predicted"
    assert ex.transform(X[:4, :3]).shape == (4, 3)
    # the model's own link: the exponential loss gives sigmoid(2 f)
    expo = GradientBoostingClassifier(n_estimators=5, loss="exponential", random_state=0)
    expo.fit(X[:, :3], y > 0)
    ex = TreeShapExplainer(expo, feature_perturbation="interventional",
                           response_method="predict_proba", max_background=10).fit(X[:, :3])
    np.testing.assert_allclose(ex.explain(X[:4, :3]).outputs, expo.predict_proba(X[:4, :3]),
                               atol=1e-12)


# ----------------------------------------------------------------- peers
@pytest.mark.peer
@pytest.mark.parametrize("kind", ["rf", "gb", "gbc"])
def test_equals_shap_tree_explainer(kind, reg_data, clf_data):
    shap = import_peer("shap")
    if kind == "rf":
        X, y = reg_data
        model = RandomForestRegressor(n_estimators=10, max_depth=6, random_state=0).fit(X, y)
    elif kind == "gb":
        X, y = reg_data
        model = GradientBoostingRegressor(n_estimators=30, random_state=0).fit(X, y)
    else:
        X, y = clf_data
        y = y == 1  # shap reads binary GradientBoostingClassifier only
        model = GradientBoostingClassifier(n_estimators=10, random_state=0).fit(X, y)
    ours = TreeShapExplainer(model).fit(X).explain(X[:40]).values
    theirs = np.asarray(shap.TreeExplainer(model).shap_values(X[:40], check_additivity=False))
    theirs = theirs.reshape(ours.shape)
    np.testing.assert_allclose(ours, theirs, atol=1e-6)
    # interventional, on float32-exact data (shap compares float32 copies of thresholds)
    Xq = np.round(X * 64) / 64
    model = clone(model).fit(Xq, y)
    bg = Xq[:30]
    ex = TreeShapExplainer(model, feature_perturbation="interventional",
                           response_method="decision_function", max_background=30).fit(bg)
    ref = shap.TreeExplainer(model, data=bg, feature_perturbation="interventional")
    theirs = np.asarray(ref.shap_values(Xq[40:60], check_additivity=False))
    np.testing.assert_allclose(ex.explain(Xq[40:60]).values, theirs.reshape(20, X.shape[1], -1),
                               atol=1e-6)


# ----------------------------------------------------------------- interactions
def _brute_interactions(explainer, x):
    from math import factorial

    from skxai._games._background import all_coalitions

    ens = explainer.ensemble_
    p = ens.n_features
    masks = all_coalitions(p)
    v = _path_dependent_values(ens, x, masks)[:, 0]
    code = {tuple(m): i for i, m in enumerate(masks)}
    out = np.zeros((p, p))
    for i in range(p):
        for j in range(p):
            if i == j:
                continue
            for m in masks:
                if m[i] or m[j]:
                    continue
                s = int(m.sum())
                w = factorial(s) * factorial(p - s - 2) / factorial(p - 1) / 2
                mi, mj, mij = m.copy(), m.copy(), m.copy()
                mi[i] = mj[j] = True
                mij[i] = mij[j] = True
                out[i, j] += w * (v[code[tuple(mij)]] - v[code[tuple(mi)]]
                                  - v[code[tuple(mj)]] + v[code[tuple(m)]])
    return out


@pytest.mark.parametrize("wide", [False, True])
def test_interaction_values_match_enumeration(wide, reg_data, monkeypatch):
    from skxai.shapley._treeshap import _interactions as _tree_interactions

    if wide:  # leaves evaluated row by row by the closed form
        monkeypatch.setattr(_tree_interactions, "MAX_TABLE_BITS", 1)
    X, y = reg_data
    model = RandomForestRegressor(n_estimators=3, max_depth=4, random_state=0).fit(X, y)
    ex = TreeShapExplainer(model).fit(X)
    rows = X[:2]
    inter = ex.interaction_values(rows)
    for r in range(2):
        brute = _brute_interactions(ex, rows[r])
        off = ~np.eye(X.shape[1], dtype=bool)
        np.testing.assert_allclose(inter[r, :, :, 0][off], brute[off], atol=1e-9)
    np.testing.assert_allclose(inter.sum(axis=2), ex.explain(rows).values, atol=1e-9)
    with pytest.raises(ValueError, match="tree_path_dependent"):
        TreeShapExplainer(model, feature_perturbation="interventional").fit(X).interaction_values(rows)


@pytest.mark.peer
def test_interaction_values_equal_shap(reg_data):
    shap = import_peer("shap")
    X, y = reg_data
    model = GradientBoostingRegressor(n_estimators=20, random_state=0).fit(X, y)
    ours = TreeShapExplainer(model).fit(X).interaction_values(X[:15])[..., 0]
    theirs = shap.TreeExplainer(model).shap_interaction_values(X[:15])
    np.testing.assert_allclose(ours, theirs, atol=1e-6)


# ----------------------------------------------------------------- errors, API
def test_errors(reg_data, clf_data):
    X, y = reg_data
    with pytest.raises(TypeError, match="does not support LinearRegression"):
        TreeShapExplainer(LinearRegression()).fit(X, y)
    with pytest.raises(TypeError, match="LogisticRegression"):
        TreeShapExplainer(make_pipeline(StandardScaler(), LogisticRegression())).fit(X, y > 100)
    rf = RandomForestRegressor(n_estimators=2, max_depth=2, random_state=0).fit(X, y)
    ex = TreeShapExplainer(rf).fit(X)
    with pytest.raises(ValueError, match="3 features.*5 features"):
        ex.transform(X[:, :3])
    with pytest.raises(ValueError, match="feature_perturbation"):
        TreeShapExplainer(rf, feature_perturbation="causal").fit(X)
    with pytest.raises(ValueError, match="needs a classifier"):
        TreeShapExplainer(rf, response_method="predict_proba").fit(X)
    gb = GradientBoostingRegressor(n_estimators=3, random_state=0).fit(X, y)
    Xn = X[:3].copy()
    Xn[0, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        TreeShapExplainer(gb).fit(X).transform(Xn)
    gbc = GradientBoostingClassifier(n_estimators=3, random_state=0).fit(*clf_data)
    with pytest.raises(ValueError, match="interventional"):
        TreeShapExplainer(gbc, response_method="predict_proba").fit(clf_data[0])
    custom = GradientBoostingRegressor(n_estimators=2, init=LinearRegression()).fit(X, y)
    # an unsupported model, as the others above (a ValueError before session 35)
    with pytest.raises(TypeError, match="init"):
        TreeShapExplainer(custom).fit(X)


def test_n_jobs_identical_and_pickle(reg_data, monkeypatch):
    from skxai.shapley._treeshap import _run as _tree_run

    monkeypatch.setattr(_tree_run, "_MIN_PARALLEL_WORK", 0)  # threads even for small work
    X, y = reg_data
    model = RandomForestRegressor(n_estimators=20, max_depth=5, random_state=0).fit(X, y)
    for game in GAMES:
        a = TreeShapExplainer(model, feature_perturbation=game, n_jobs=1, max_background=25,
                              random_state=0).fit(X).transform(X)
        ex = TreeShapExplainer(model, feature_perturbation=game, n_jobs=2, max_background=25,
                               random_state=0).fit(X)
        np.testing.assert_array_equal(a, ex.transform(X))
        again = pickle.loads(pickle.dumps(ex))
        np.testing.assert_array_equal(a, again.transform(X))
    assert clone(ex).get_params()["feature_perturbation"] == "interventional"


def test_tables_kept_up_to_the_cache_and_built_per_chunk_beyond_it(reg_data, monkeypatch):
    """Over the cache, the chunks whose tables fit are kept and only the others are rebuilt per
    call; a Dask worker's task builds the tables of its own chunks only (it built every chunk's
    for each task, quadratic in the number of chunks, when the whole did not fit)."""
    from skxai.shapley._treeshap import _run as _tree_run

    X, y = reg_data
    model = RandomForestRegressor(n_estimators=24, max_depth=5, random_state=0).fit(X, y)
    for game in GAMES:
        full = TreeShapExplainer(model, feature_perturbation=game, max_background=25, random_state=0).fit(X)
        runner = full._runner
        runner.build_kept_tables()  # (path-dependent, the calls that need them build them)
        sizes = [_tree_run._table_floats(tab) for tab in runner._tables]
        assert len(sizes) >= 4 and all(tab is not None for tab in runner._tables)
        expected = full.transform(X[:30])
        budget = sum(sizes[:3]) + max(sizes[3:])  # three kept, and room for one rebuilt
        monkeypatch.setattr(_tree_run, "CACHE_FLOATS", budget)
        part = TreeShapExplainer(model, feature_perturbation=game, max_background=25, random_state=0).fit(X)
        part._runner.build_kept_tables()
        monkeypatch.setattr(_tree_run, "ROW_PATH", False)  # the tables, which 30 rows would not build
        assert part._runner._keep == [True] * 3 + [False] * (len(sizes) - 3)
        assert [tab is None for tab in part._runner._tables] == [False] * 3 + [True] * (len(sizes) - 3)
        built = []
        build = _tree_run.TreeRunner._build
        monkeypatch.setattr(_tree_run.TreeRunner, "_build",
                            lambda self, plan, outside=True, built=built, build=build: built.append(plan)
                            or build(self, plan, outside))
        for _ in range(2):
            np.testing.assert_array_equal(part.transform(X[:30]), expected)
        assert len(built) == 2 * (len(sizes) - 3)  # the kept three never again
        # A runner shipped without its tables (a Dask worker's copy): one build per chunk task.
        remote = pickle.loads(pickle.dumps(part._runner))
        assert all(tab is None for tab in remote._tables)
        XT = np.ascontiguousarray(part._runner.ensemble.prepare(X[:30]).T)
        built.clear()
        parts = _tree_run._dask_group_values(remote, list(range(len(sizes))), XT, False, 1)
        total = _tree_run._sum_in_order(parts)
        assert len(built) == len(sizes)
        np.testing.assert_array_equal(total, remote.shap_values(X[:30], n_jobs=1))
        assert len(built) == len(sizes) + len(sizes) - 3  # the kept three were kept by the tasks
        monkeypatch.setattr(_tree_run, "CACHE_FLOATS", 1 << 24)
        monkeypatch.setattr(_tree_run, "ROW_PATH", None)
        monkeypatch.setattr(_tree_run.TreeRunner, "_build", build)


def test_fits_unfitted_model_and_scores(reg_data):
    X, y = reg_data
    ex = TreeShapExplainer(GradientBoostingRegressor(n_estimators=5, random_state=0),
                           feature_perturbation="interventional", max_background=20)
    ex.fit(X, y)
    assert ex.estimator_ is not ex.estimator
    assert ex.predict(X[:3]).shape == (3,)
    assert -1.0 <= ex.score(X[:10]) <= 1.0


@parametrize_with_checks([
    TreeShapExplainer(DecisionTreeRegressor(max_depth=3, random_state=0), max_background=20,
                      random_state=0),
    TreeShapExplainer(RandomForestRegressor(n_estimators=3, max_depth=3, random_state=0),
                      feature_perturbation="interventional", max_background=20, random_state=0),
])
def test_sklearn_compatible(estimator, check):
    check(estimator)
