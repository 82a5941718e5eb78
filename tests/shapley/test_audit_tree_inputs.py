"""Audit of TreeShapExplainer on inputs and models its first tests did not try: ±inf,
scipy.sparse input, multi-output models."""

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.ensemble import (
    AdaBoostClassifier,
    AdaBoostRegressor,
    BaggingClassifier,
    BaggingRegressor,
    ExtraTreesClassifier,
    ExtraTreesRegressor,
    GradientBoostingClassifier,
    GradientBoostingRegressor,
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    IsolationForest,
    RandomForestClassifier,
    RandomForestRegressor,
    VotingRegressor,
)
from sklearn.linear_model import LinearRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MaxAbsScaler
from sklearn.tree import (
    DecisionTreeClassifier,
    DecisionTreeRegressor,
    ExtraTreeClassifier,
    ExtraTreeRegressor,
)

from skxai import TreeShapExplainer, shapley_values

GAMES = ["tree_path_dependent", "interventional"]


def _data(n=300, p=4, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, p)
    y = X[:, 0] + X[:, 1] * X[:, 2] + 0.1 * rng.randn(n)
    return X, y


def _path_dependent_values(ens, x, masks):
    """v(S) of skxai's parsed trees: features outside S follow the training cover."""
    xp = ens.prepare(x[None, :])
    goes_left = ens.decisions(np.ascontiguousarray(xp.T), np.arange(len(ens.left)))[:, 0]

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
    return np.array([shapley_values(lambda m, x=x: _path_dependent_values(ens, x, m),
                                    ens.n_features) for x in X])


def _brute_interventional(f, X, background):
    """Enumeration of v(S) = mean_b f(x_S, b_rest) with the model's own response ``f``."""
    p = X.shape[1]
    out = []
    for x in X:
        def v(masks, x=x):
            rows = np.where(masks[:, None, :], x[None, None, :], background[None, :, :])
            with np.errstate(over="ignore"):
                pred = np.asarray(f(rows.reshape(-1, p)), dtype=np.float64)
            return pred.reshape(len(masks), len(background), -1).mean(axis=1)

        out.append(shapley_values(v, p))
    return np.array(out)


# ----------------------------------------------------------------------------- ±inf
def _inf_rows(X):
    Z = X[:5].copy()
    Z[0, 0] = np.inf
    Z[1, 1] = -np.inf
    Z[2, [0, 2]] = [np.inf, -np.inf]
    return Z


def _models_accepting_inf(X, y):
    return [
        HistGradientBoostingRegressor(max_iter=10, max_depth=3, random_state=0).fit(X, y),
        HistGradientBoostingClassifier(max_iter=5, max_depth=3, random_state=0).fit(X, y > 0),
        IsolationForest(n_estimators=5, max_samples=64, random_state=0).fit(X),
    ]


@pytest.mark.parametrize("i", range(3))
@pytest.mark.parametrize("game", GAMES)
def test_inf_explained_exactly_where_the_model_accepts_it(i, game):
    # HistGradientBoosting and IsolationForest predict rows holding ±inf; the explainer
    # refused them ("Input contains infinity") although the model gives them an output.
    X, y = _data()
    model = _models_accepting_inf(X, y)[i]
    Z = _inf_rows(X)
    bg = X[:15].copy()
    bg[3, 1] = np.inf  # the model takes them in the background too
    # IsolationForest is explained through its path length: response_method="auto" only
    response = "auto" if i == 2 else "decision_function"
    ex = TreeShapExplainer(model, feature_perturbation=game, max_background=15,
                           response_method=response).fit(bg)
    exp = ex.explain(Z)
    own = ex.model_output(Z)
    np.testing.assert_allclose(exp.outputs, own, rtol=0, atol=1e-12)
    if game == "interventional":
        brute = _brute_interventional(ex.model_output, Z, ex.background_)
    else:
        brute = _brute_path_dependent(ex, Z)
    np.testing.assert_allclose(exp.values, brute, rtol=0, atol=1e-12)


def test_isolation_forest_value_beyond_float32_is_its_inf():
    # IsolationForest casts its input to float32 unchecked: 1e39 becomes inf there, and its
    # score is inf's. Its explanation is the same as inf's, not a refusal.
    X, _ = _data()
    model = IsolationForest(n_estimators=5, random_state=0).fit(X)
    ex = TreeShapExplainer(model).fit(X)
    big, inf = X[:2].copy(), X[:2].copy()
    big[0, 0], inf[0, 0] = 1e39, np.inf
    with np.errstate(over="ignore"):
        np.testing.assert_array_equal(model.score_samples(big), model.score_samples(inf))
        np.testing.assert_array_equal(ex.explain(big).values, ex.explain(inf).values)


def _models_refusing_inf(X, y):
    Xc = X.copy()
    Xc[:, 3] = np.arange(len(X)) % 4
    return [
        (DecisionTreeRegressor(max_depth=3, random_state=0).fit(X, y), X, 0),
        (RandomForestClassifier(3, max_depth=3, random_state=0).fit(X, y > 0), X, 0),
        (GradientBoostingRegressor(n_estimators=3, random_state=0).fit(X, y), X, 0),
        # HistGradientBoosting refuses ±inf in a categorical feature
        (HistGradientBoostingRegressor(max_iter=3, categorical_features=[3]).fit(Xc, y), Xc, 3),
    ]


@pytest.mark.parametrize("i", range(4))
@pytest.mark.parametrize("game", GAMES)
def test_inf_refused_where_the_model_refuses_it(i, game):
    X, y = _data()
    model, data, column = _models_refusing_inf(X, y)[i]
    Z = data[:3].copy()
    Z[1, column] = -np.inf
    with pytest.raises(ValueError, match="infinity"):
        model.predict(Z)
    ex = TreeShapExplainer(model, feature_perturbation=game, max_background=20).fit(data)
    name = type(model).__name__
    with pytest.raises(ValueError, match="infinity") as info:
        ex.transform(Z)
    assert name in str(info.value)
    if game == "interventional":
        with pytest.raises(ValueError, match="infinity") as info:
            TreeShapExplainer(model, feature_perturbation=game).fit(Z)
        assert name in str(info.value)


# ----------------------------------------------------------------------------- sparse
def _sparse_data():
    rng = np.random.RandomState(0)
    X = rng.randn(300, 6)
    X[X < 0.5] = 0.0  # mostly zeros, as sparse data is
    y = X[:, 0] + X[:, 1] * X[:, 2] + X[:, 3]
    return X, y


def _sparse_models(X, y):
    return [
        RandomForestRegressor(4, max_depth=5, random_state=0).fit(sp.csc_matrix(X), y),
        ExtraTreeRegressor(max_depth=6, random_state=0).fit(X, y),
        # interventional probabilities: the enumeration path
        GradientBoostingClassifier(n_estimators=5, random_state=0).fit(sp.csr_matrix(X), y > 0.5),
        IsolationForest(n_estimators=4, random_state=0).fit(sp.csr_matrix(X)),
    ]


@pytest.mark.parametrize("fmt", [sp.csr_matrix, sp.csc_matrix, sp.csr_array])
@pytest.mark.parametrize("i", range(4))
@pytest.mark.parametrize("game", GAMES)
def test_sparse_input_explained_as_its_dense_rows_to_the_bit(fmt, i, game):
    # scikit-learn's trees take scipy.sparse X in fit and predict; the explainer refused it
    # ("Sparse data was passed, but dense data is required").
    X, y = _sparse_data()
    model = _sparse_models(X, y)[i]
    dense = TreeShapExplainer(model, feature_perturbation=game, max_background=40,
                              random_state=0).fit(X)
    sparse = TreeShapExplainer(model, feature_perturbation=game, max_background=40,
                               random_state=0).fit(fmt(X))
    np.testing.assert_array_equal(sparse.background_, dense.background_)
    np.testing.assert_array_equal(sparse.expected_value_, dense.expected_value_)
    rows = fmt(X[:25])
    exp, ref = sparse.explain(rows), dense.explain(X[:25])
    np.testing.assert_array_equal(exp.values, ref.values)
    np.testing.assert_array_equal(exp.base_values, ref.base_values)
    np.testing.assert_array_equal(sparse.transform(rows), dense.transform(X[:25]))
    # data: the dense rows (the values are dense anyway), so every display takes it
    assert isinstance(exp.data, np.ndarray)
    np.testing.assert_array_equal(exp.data, X[:25])
    # local accuracy against the model's own output on the sparse rows
    if isinstance(model, IsolationForest):
        from sklearn.ensemble._iforest import _average_path_length

        c = _average_path_length([model._max_samples])[0]
        own = -np.log2(-model.score_samples(rows)) * c
    elif exp.quantity == "probability":
        own = model.predict_proba(rows)
    elif exp.quantity == "log-odds":
        own = model.decision_function(rows)
    else:
        own = model.predict(rows)
    np.testing.assert_allclose(exp.outputs, np.reshape(own, exp.outputs.shape), rtol=0,
                               atol=1e-12)


def _budget_for_rows(explainer, n, rows_per_chunk, p):
    q, k = explainer.n_players_, explainer.n_outputs_
    width = explainer.ensemble_.n_features
    result = 8 * n * (q * k + p)
    work = 8 * (p + 3 * width + 3 * q * k)
    return result + rows_per_chunk * work


def test_sparse_rows_densified_in_chunks_within_the_working_memory(monkeypatch):
    from skxai.utils import _memory

    X, y = _sparse_data()
    model = RandomForestRegressor(4, max_depth=5, random_state=0).fit(X, y)
    ex = TreeShapExplainer(model, n_jobs=1).fit(X)
    ref = ex.explain(X[:40]).values
    chunks = []
    explain_rows = ex._explain_rows
    monkeypatch.setattr(ex, "_explain_rows", lambda Z: chunks.append(len(Z)) or explain_rows(Z))
    monkeypatch.setattr(_memory, "MAX_WORKING_BYTES", _budget_for_rows(ex, 40, 3, 6))
    values = ex.explain(sp.csr_matrix(X[:40])).values
    assert max(chunks) == 3 and sum(chunks) == 40
    np.testing.assert_array_equal(values, ref)
    # the interaction values likewise
    inter = ex.interaction_values(sp.csr_matrix(X[:7]))
    monkeypatch.undo()
    np.testing.assert_array_equal(inter, ex.interaction_values(X[:7]))


def test_sparse_row_wider_than_the_working_memory_is_refused(monkeypatch):
    from skxai.utils import _memory

    X, y = _sparse_data()
    model = RandomForestRegressor(4, max_depth=5, random_state=0).fit(X, y)
    ex = TreeShapExplainer(model).fit(X)
    monkeypatch.setattr(_memory, "MAX_WORKING_BYTES", 200)
    with pytest.raises(ValueError, match="one row of a sparse X with 6 columns"):
        ex.explain(sp.csr_matrix(X[:2]))
    monkeypatch.setattr(_memory, "MAX_WORKING_BYTES", _budget_for_rows(ex, 1, 1, 6))
    with pytest.raises(ValueError, match="40 rows of a sparse X.*explain fewer rows per call"):
        ex.explain(sp.csr_matrix(X[:40]))


@pytest.mark.parametrize("game", GAMES)
def test_sparse_fit_data_beyond_the_working_memory_densifies_the_background_only(
        game, monkeypatch):
    from skxai.utils import _memory

    X, y = _sparse_data()
    model = RandomForestRegressor(4, max_depth=5, random_state=0).fit(X, y)
    dense = TreeShapExplainer(model, feature_perturbation=game, max_background=30,
                              random_state=3).fit(X)
    densified = []
    to_array = sp.csr_matrix.toarray
    monkeypatch.setattr(sp.csr_matrix, "toarray",
                        lambda self, *a, **k: densified.append(self.shape[0]) or to_array(self))
    monkeypatch.setattr(_memory, "MAX_WORKING_BYTES", 3 * 8 * 100 * 6)  # 100 of 300 rows
    # the trees' tables (tens of KiB) are beyond so small a bound: only the rows are tested here
    from skxai.shapley._treeshap import _run

    monkeypatch.setattr(_run, "build_bytes", lambda *args, **kwargs: 0)
    ex = TreeShapExplainer(model, feature_perturbation=game, max_background=30,
                           random_state=3).fit(sp.csr_matrix(X))
    assert densified == [30]
    np.testing.assert_array_equal(ex.background_, dense.background_)
    np.testing.assert_array_equal(ex.expected_value_, dense.expected_value_)
    # settings that read every row are refused there, naming them
    for kw in ({"background": "kmeans"}, {"max_background": None}):
        with pytest.raises(ValueError, match="sparse fit data.*reads every row"):
            TreeShapExplainer(model, feature_perturbation=game, **kw).fit(sp.csr_matrix(X))


def test_sparse_refused_where_the_model_refuses_it():
    X, y = _sparse_data()
    hgb = HistGradientBoostingRegressor(max_iter=3).fit(X, y)
    with pytest.raises(TypeError, match="Sparse data"):
        hgb.predict(sp.csr_matrix(X[:2]))
    with pytest.raises(ValueError, match="X is sparse and HistGradientBoostingRegressor does "
                                         "not accept sparse input"):
        TreeShapExplainer(hgb).fit(sp.csr_matrix(X))
    ex = TreeShapExplainer(hgb).fit(X)
    with pytest.raises(ValueError, match="does not accept sparse input"):
        ex.transform(sp.csr_matrix(X[:2]))
    # scikit-learn's trees take NaN in dense rows only: sparse rows with NaN are refused
    Xn = X.copy()
    Xn[::7, 1] = np.nan
    tree = DecisionTreeRegressor(max_depth=4, random_state=0).fit(Xn, y)
    ex = TreeShapExplainer(tree).fit(Xn)
    ex.transform(Xn[:8])
    with pytest.raises(ValueError, match="X contains NaN and DecisionTreeRegressor"):
        ex.transform(sp.csr_matrix(Xn[:8]))
    TreeShapExplainer(tree, feature_perturbation="interventional").fit(Xn)
    with pytest.raises(ValueError, match="background contains NaN and DecisionTreeRegressor"):
        TreeShapExplainer(tree, feature_perturbation="interventional").fit(sp.csr_matrix(Xn))
    with pytest.raises(ValueError, match="X has 5 features, but TreeShapExplainer is expecting 6"):
        ex.transform(sp.csr_matrix(X[:2, :5]))


@pytest.mark.parametrize("feature_space", ["input", "model"])
def test_sparse_through_a_pipeline_and_an_unfitted_model(feature_space):
    X, y = _sparse_data()
    Xs = sp.csr_matrix(X)
    pipe = make_pipeline(MaxAbsScaler(), RandomForestRegressor(4, max_depth=4, random_state=0))
    ex = TreeShapExplainer(pipe, feature_space=feature_space).fit(Xs, y)  # fitted here
    np.testing.assert_array_equal(ex.predict(Xs[:5]), ex.estimator_.predict(Xs[:5]))
    exp = ex.explain(Xs[:5])
    np.testing.assert_array_equal(exp.values, ex.explain(X[:5]).values)
    np.testing.assert_allclose(exp.outputs[:, 0], ex.estimator_.predict(Xs[:5]), rtol=0,
                               atol=1e-12)


# ----------------------------------------------------------------------- multi-output
def _public_leaf_value(model, t, u):
    """A leaf's outputs from scikit-learn's public arrays: the predictions, or every output's
    class probabilities side by side (as ``np.hstack(predict_proba)``)."""
    v = np.asarray(t.value[u], dtype=np.float64)  # (n_outputs, max_classes)
    if not hasattr(model, "classes_"):
        return v[:, 0]
    n_classes = np.atleast_1d(model.n_classes_)
    return np.concatenate([v[j, :c] / v[j, :c].sum() for j, c in enumerate(n_classes)])


def _public_path_dependent(model, x, known):
    trees = getattr(model, "estimators_", [model])
    x32 = np.asarray(x, dtype=np.float32)

    def rec(t, u):
        lft, rgt = t.children_left[u], t.children_right[u]
        if lft < 0:
            return _public_leaf_value(model, t, u)
        if known[t.feature[u]]:
            return rec(t, lft if x32[t.feature[u]] <= t.threshold[u] else rgt)
        w = t.weighted_n_node_samples
        return (w[lft] * rec(t, lft) + w[rgt] * rec(t, rgt)) / w[u]

    return np.mean([rec(e.tree_, 0) for e in trees], axis=0)


def _model_outputs(model, rows):
    out = model.predict_proba(rows) if hasattr(model, "classes_") else model.predict(rows)
    return np.hstack(out) if isinstance(out, list) else out


def _multi_output_models():
    rng = np.random.RandomState(0)
    X = rng.randn(300, 4)
    y = X[:, 0] + X[:, 1] * X[:, 2]
    Y = np.column_stack([y, X[:, 3] - X[:, 0], 2 * y])
    labels = np.column_stack([np.array(["lo", "mid", "hi"])[np.digitize(y, [-0.5, 0.5])],
                              np.where(X[:, 3] > 0, "up", "down")])  # 3 and 2 classes
    return X, [
        DecisionTreeRegressor(max_depth=4, random_state=0).fit(X, Y),
        ExtraTreeRegressor(max_depth=5, random_state=0).fit(X, Y),
        RandomForestRegressor(4, max_depth=4, random_state=0).fit(X, Y),
        ExtraTreesRegressor(3, max_depth=4, random_state=0).fit(X, Y),
        DecisionTreeClassifier(max_depth=4, random_state=0).fit(X, labels),
        RandomForestClassifier(4, max_depth=4, random_state=0).fit(X, labels),
        ExtraTreesClassifier(3, max_depth=4, random_state=0).fit(X, labels),
    ]


@pytest.mark.parametrize("i", range(7))
@pytest.mark.parametrize("game", GAMES)
def test_multi_output_models_explain_every_output(i, game):
    # A tree or forest fitted on 2-D y was refused at fit unless a target picked one output
    # ("The model has 3 outputs; choose one with target=..."), and a multi-output classifier
    # always ("Multi-output classifiers are not supported").
    X, models = _multi_output_models()
    model = models[i]
    rows = X[:6]
    ex = TreeShapExplainer(model, feature_perturbation=game, max_background=20,
                           random_state=0).fit(X)
    own = _model_outputs(model, rows)
    k = own.shape[1]
    if hasattr(model, "classes_"):
        assert ex.quantity_ == "probability"
        assert list(ex.output_names_) == ["y0=hi", "y0=lo", "y0=mid", "y1=down", "y1=up"]
    else:
        assert list(ex.output_names_) == [0, 1, 2]
    exp = ex.explain(rows)
    assert exp.values.shape == (6, 4, k) and exp.base_values.shape == (6, k)
    np.testing.assert_array_equal(exp.base_values, np.tile(ex.expected_value_, (6, 1)))
    # local accuracy per output against the model's own outputs
    np.testing.assert_allclose(exp.values.sum(axis=1) + exp.base_values, own, rtol=0, atol=1e-12)
    if game == "interventional":
        brute = _brute_interventional(lambda R: _model_outputs(model, R), rows, ex.background_)
    else:
        brute = np.array([shapley_values(
            lambda masks, x=x: np.array([_public_path_dependent(model, x, m) for m in masks]), 4)
            for x in rows])
    np.testing.assert_allclose(exp.values, brute, rtol=0, atol=1e-12)
    # transform returns one output: target names it; without one it says so
    with pytest.raises(ValueError, match=f"target=None explains all {k} outputs.*pass target="):
        ex.transform(rows)
    for target in (1, ex.output_names_[k - 1]):
        one = TreeShapExplainer(model, feature_perturbation=game, max_background=20,
                                random_state=0, target=target).fit(X)
        j = list(ex.output_names_).index(ex.output_names_[target] if target == 1 else target)
        np.testing.assert_array_equal(one.transform(rows), exp.values[..., j])


def test_multi_output_classifier_refuses_predicted_target():
    X, models = _multi_output_models()
    with pytest.raises(ValueError, match="target='predicted'.*multi-output"):
        TreeShapExplainer(models[5], target="predicted").fit(X)


def test_multi_output_explanation_in_plots_and_report():
    import matplotlib

    matplotlib.use("Agg")
    from skxai.plot import BarDisplay, WaterfallDisplay
    from skxai.report import make_report

    X, models = _multi_output_models()
    ex = TreeShapExplainer(models[2]).fit(X)
    exp = ex.explain(X[:20])
    BarDisplay.from_explanation(exp, output=1)
    disp = WaterfallDisplay.from_explanation(exp[..., 2], index=0)
    assert disp.ax_.get_xlabel() == "prediction of output 2"
    report = make_report(ex, X[:20], n_local=1, metrics=False)
    for j in range(3):
        assert f"<h3>Output {j}</h3>" in report.html
        assert (f"Base value + sum of attributions against the model's own prediction of output "
                f"{j}: largest gap <b>0</b>") in report.html
    assert "Explaining failed" not in report.html


# ---------------------------------------------------------------------- more models
def _public_bagging_path_dependent(model, x, known):
    """Path-dependent game of a bagging ensemble from public arrays: each tree reads its
    feature subset; a classifier tree's probabilities go to its classes' places."""
    clf = hasattr(model, "classes_")
    k = len(model.classes_) if clf else 1
    x32 = np.asarray(x, dtype=np.float32)
    total = np.zeros(k)
    for est, feats in zip(model.estimators_, model.estimators_features_, strict=True):
        t = est.tree_

        def rec(u, t=t, feats=feats, est=est):
            lft, rgt = t.children_left[u], t.children_right[u]
            if lft < 0:
                v = np.asarray(t.value[u, 0], dtype=np.float64)
                if not clf:
                    return v[:1]
                out = np.zeros(k)
                out[np.asarray(est.classes_, dtype=int)] = v / v.sum()
                return out
            f = feats[t.feature[u]]
            if known[f]:
                return rec(lft if x32[f] <= t.threshold[u] else rgt)
            w = t.weighted_n_node_samples
            return (w[lft] * rec(lft) + w[rgt] * rec(rgt)) / w[u]

        total += rec(0)
    return total / len(model.estimators_)


def _bagging_models():
    rng = np.random.RandomState(0)
    X = rng.randn(300, 5)
    y = X[:, 0] + X[:, 1] * X[:, 2]
    labels = np.array(["a", "b", "c", "d"])[np.digitize(y, [-1, 0, 1.5])]
    return X, [
        BaggingRegressor(n_estimators=5, random_state=0).fit(X, y),
        BaggingRegressor(ExtraTreeRegressor(max_depth=4), n_estimators=5, max_features=0.6,
                         bootstrap_features=True, random_state=0).fit(X, y),
        BaggingClassifier(DecisionTreeClassifier(max_depth=4), n_estimators=5, max_samples=0.3,
                          max_features=3, random_state=0).fit(X, labels),
    ]


@pytest.mark.parametrize("i", range(3))
@pytest.mark.parametrize("game", GAMES)
def test_bagged_trees_are_explained_exactly(i, game):
    # BaggingRegressor/Classifier of trees (their default) was refused ("does not support").
    X, models = _bagging_models()
    model = models[i]
    rows = X[:5]
    ex = TreeShapExplainer(model, feature_perturbation=game, max_background=20,
                           random_state=0).fit(X)
    exp = ex.explain(rows)
    own = _model_outputs(model, rows).reshape(len(rows), -1)
    np.testing.assert_allclose(exp.values.sum(axis=1) + exp.base_values, own, rtol=0, atol=1e-12)
    if game == "interventional":
        brute = _brute_interventional(lambda R: _model_outputs(model, R), rows, ex.background_)
    else:
        brute = np.array([shapley_values(lambda masks, x=x: np.array(
            [_public_bagging_path_dependent(model, x, m) for m in masks]), 5) for x in rows])
    np.testing.assert_allclose(exp.values, brute.reshape(exp.values.shape), rtol=0, atol=1e-12)


def test_bagged_tree_missing_classes_placed_as_predict_proba_places_them():
    # scikit-learn's BaggingClassifier puts a tree's probabilities at its own classes' places
    # when the tree knows fewer classes; the explainer does the same.
    X, models = _bagging_models()
    model = models[2]
    encoded = np.searchsorted(model.classes_, _bagging_labels())
    rows = np.flatnonzero(encoded < 3)
    feats = model.estimators_features_[1]
    model.estimators_[1] = DecisionTreeClassifier(max_depth=3, random_state=0).fit(
        X[rows][:, feats], encoded[rows])
    assert len(model.estimators_[1].classes_) == 3
    for game in GAMES:
        ex = TreeShapExplainer(model, feature_perturbation=game, max_background=20).fit(X)
        exp = ex.explain(X[:20])
        np.testing.assert_allclose(exp.outputs, model.predict_proba(X[:20]), rtol=0, atol=1e-12)


def _bagging_labels():
    rng = np.random.RandomState(0)
    X = rng.randn(300, 5)
    y = X[:, 0] + X[:, 1] * X[:, 2]
    return np.array(["a", "b", "c", "d"])[np.digitize(y, [-1, 0, 1.5])]


@pytest.mark.parametrize("model", [BaggingRegressor(LinearRegression()),
                                   BaggingRegressor(RandomForestRegressor(3))])
def test_bagging_of_other_models_is_refused_naming_them(model):
    X, y = _data()
    name = type(model.estimator).__name__
    with pytest.raises(TypeError, match=f"BaggingRegressor of scikit-learn's single trees.*{name}"):
        TreeShapExplainer(model).fit(X, y)
    with pytest.raises(TypeError, match=f"not of {name}"):
        TreeShapExplainer(model.fit(X, y)).fit(X)


def test_gradient_boosting_with_a_random_init_is_refused():
    # DummyClassifier(strategy="stratified") starts every row from a class drawn anew on each
    # call: the model gives the same row different outputs, and the explainer had taken one
    # draw as the constant start.
    X, y = _data()
    model = GradientBoostingClassifier(
        n_estimators=3, init=DummyClassifier(strategy="stratified"), random_state=0
    ).fit(X, y > 0)
    with pytest.raises(ValueError, match="strategy='stratified'.*random class"):
        TreeShapExplainer(model).fit(X)


def _setting(i):
    """Model ``i`` of the settings checked in this audit (exact before it: kept so)."""
    X, y = _data(n=200)
    rng = np.random.RandomState(1)
    labels = np.array(["no", "yes"])[(y > 0).astype(int)]
    make = [
        lambda: ExtraTreeClassifier(max_depth=5, random_state=0).fit(X, labels),
        lambda: HistGradientBoostingRegressor(max_iter=8, max_depth=3, monotonic_cst=[1, 0, 0, -1],
                                              interaction_cst=[[0, 1], [2, 3]]).fit(X, y),
        lambda: HistGradientBoostingRegressor(max_iter=30, max_depth=3, early_stopping=True,
                                              n_iter_no_change=2, loss="quantile", quantile=0.7,
                                              random_state=0).fit(X, y),
        lambda: GradientBoostingRegressor(n_estimators=5, init="zero", loss="huber").fit(X, y),
        lambda: GradientBoostingRegressor(n_estimators=5, init=DummyRegressor(strategy="median"),
                                          loss="absolute_error", subsample=0.5,
                                          random_state=0).fit(X, y),
        lambda: GradientBoostingClassifier(n_estimators=5, init=DummyClassifier(strategy="prior"),
                                           random_state=0).fit(X, labels),
        lambda: RandomForestRegressor(3, max_depth=5, max_samples=0.3, ccp_alpha=0.01,
                                      random_state=0).fit(X, y, sample_weight=rng.rand(len(y))),
        lambda: RandomForestClassifier(3, class_weight="balanced_subsample", max_depth=4,
                                       random_state=0).fit(X, labels),
        lambda: RandomForestClassifier(3, random_state=0).fit(X, np.full(len(y), "only")),
    ]
    return X, make[i]()


@pytest.mark.parametrize("i", range(9))
@pytest.mark.parametrize("game", GAMES)
def test_settings_checked_in_the_audit_stay_exact(i, game):
    X, model = _setting(i)
    rows = X[:4]
    ex = TreeShapExplainer(model, feature_perturbation=game, max_background=15,
                           random_state=0).fit(X)
    exp = ex.explain(rows)
    own = ex.model_output(rows)
    np.testing.assert_allclose(exp.values.sum(axis=1) + exp.base_values, own, rtol=0, atol=1e-12)
    if game == "interventional":
        brute = _brute_interventional(ex.model_output, rows, ex.background_)
    else:
        brute = _brute_path_dependent(ex, rows)
    np.testing.assert_allclose(exp.values, brute, rtol=0, atol=1e-12)


@pytest.mark.parametrize("model", [AdaBoostRegressor(n_estimators=3),
                                   AdaBoostClassifier(n_estimators=3),
                                   VotingRegressor([("t", DecisionTreeRegressor(max_depth=2))])])
def test_ensembles_that_are_not_sums_of_trees_read_here_are_refused(model):
    X, y = _data()
    model.fit(X, y > 0 if isinstance(model, AdaBoostClassifier) else y)
    with pytest.raises(TypeError, match=f"does not support {type(model).__name__}.*KernelShap"):
        TreeShapExplainer(model).fit(X)


def test_pandas_nullable_columns_with_missing_values_reach_the_trees_as_nan():
    pd = pytest.importorskip("pandas")
    from sklearn.ensemble import HistGradientBoostingRegressor

    X = pd.DataFrame({
        "a": pd.array([1, 2, None, 4, 5, 6] * 10, dtype="Int64"),
        "b": np.arange(60.0),
    })
    y = np.arange(60.0)
    model = HistGradientBoostingRegressor(max_iter=5).fit(X, y)
    exp = TreeShapExplainer(model).fit(X).explain(X)
    total = exp.values[..., 0].sum(axis=1) + exp.base_values[:, 0]
    np.testing.assert_allclose(total, model.predict(X), atol=1e-10)
    as_float = TreeShapExplainer(model).fit(X).transform(X.astype("float64"))
    np.testing.assert_array_equal(as_float, exp.values[..., 0])


def test_predicted_target_of_sparse_rows_is_the_models_prediction():
    from sklearn.ensemble import RandomForestClassifier

    rng = np.random.RandomState(0)
    X = rng.rand(200, 5) * (rng.rand(200, 5) > 0.5)
    y = rng.randint(0, 3, 200)
    model = RandomForestClassifier(10, random_state=0).fit(X, y)
    ex = TreeShapExplainer(model, target="predicted").fit(sp.csr_matrix(X))
    rows = sp.csr_matrix(X[:20])
    np.testing.assert_array_equal(ex.target_indices(rows), model.predict(X[:20]))
    np.testing.assert_array_equal(ex.explain(rows).target_index, model.predict(X[:20]))
    np.testing.assert_array_equal(ex.transform(rows), ex.transform(X[:20]))


def test_sparse_rows_for_a_model_fitted_on_a_frame():
    pd = pytest.importorskip("pandas")
    X, y = _sparse_data()
    df = pd.DataFrame(X, columns=[f"c{j}" for j in range(X.shape[1])])
    forest = RandomForestRegressor(5, random_state=0).fit(df, y)
    dense = TreeShapExplainer(forest).fit(df).transform(df.iloc[:3])
    # the model takes sparse rows; the frame of its names was built from them (it failed:
    # "does not accept sparse input: Shape of passed values is (1, 1)")
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        got = TreeShapExplainer(forest).fit(df).transform(sp.csr_matrix(X[:3]))
    np.testing.assert_array_equal(got, dense)
    hgb = HistGradientBoostingRegressor(max_iter=3).fit(df, y)
    with pytest.raises(ValueError, match="does not accept sparse input"):
        TreeShapExplainer(hgb).fit(df).transform(sp.csr_matrix(X[:3]))
