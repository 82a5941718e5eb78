"""A boosted multi-class model's trees each add to one class: TreeSHAP runs one runner per class."""

import pickle
import warnings

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.ensemble import GradientBoostingClassifier, HistGradientBoostingClassifier, RandomForestClassifier

from skxai import TreeShapExplainer
from skxai.shapley._treeshap import _run


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(
        400, 6, n_informative=5, n_redundant=0, n_classes=10, n_clusters_per_class=1, random_state=0
    )
    return X, y


def _whole(monkeypatch, model, X, **kw):
    # the runner of the whole ensemble, as before
    monkeypatch.setattr(
        _run, "tree_runner", lambda ens, game, bg, w, n_jobs=None: _run.TreeRunner(ens, game, bg, w, n_jobs=n_jobs)
    )
    from skxai.shapley import _tree

    monkeypatch.setattr(_tree, "tree_runner", _run.tree_runner)
    return TreeShapExplainer(model, **kw).fit(X)


@pytest.mark.parametrize(
    "make",
    [
        lambda: HistGradientBoostingClassifier(max_iter=15, early_stopping=False, random_state=0),
        lambda: GradientBoostingClassifier(n_estimators=10, max_depth=3, random_state=0),
    ],
)
@pytest.mark.parametrize("game", ["tree_path_dependent", "interventional"])
def test_one_runner_per_class_gives_the_values_of_the_whole_ensemble(monkeypatch, data, make, game):
    X, y = data
    model = make().fit(X, y)
    # (the interventional game of probabilities enumerates coalitions: the raw scores here)
    kw = {"feature_perturbation": game, "target": 3, "response_method": "decision_function"}
    split = TreeShapExplainer(model, **kw).fit(X[:50])
    assert isinstance(split._runner, _run.OutputRunners) and len(split._runner.runners) == 10
    values = split.explain(X[:7])
    whole = _whole(monkeypatch, model, X[:50], **kw)
    assert isinstance(whole._runner, _run.TreeRunner)
    expected = whole.explain(X[:7])
    np.testing.assert_allclose(values.values, expected.values, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(split.expected_value_, whole.expected_value_, rtol=1e-13, atol=1e-13)
    # a row's values do not depend on the rows explained with it, nor on n_jobs, nor on pickling
    np.testing.assert_array_equal(split.transform(X[2:3]), split.transform(X[:7])[2:3])
    again = pickle.loads(pickle.dumps(split.set_params(n_jobs=2)))
    np.testing.assert_array_equal(again.transform(X[:7]), split.transform(X[:7]))


def test_interaction_values_per_class_match_the_whole_ensemble(monkeypatch, data):
    X, y = data
    model = HistGradientBoostingClassifier(max_iter=8, early_stopping=False, random_state=0).fit(X, y)
    split = TreeShapExplainer(model).fit(X[:50]).interaction_values(X[:4])
    whole = _whole(monkeypatch, model, X[:50]).interaction_values(X[:4])
    np.testing.assert_allclose(split, whole, rtol=1e-12, atol=1e-12)


def test_each_class_keeps_its_tables_where_the_whole_ensemble_rebuilt_them(data):
    # the whole ensemble's tables (every tree, every class) were sparse, past the cache and
    # rebuilt at every call: 4.5 s for 1 row of a 10-class, 50-round model (0.03 s now)
    X, y = data
    model = HistGradientBoostingClassifier(max_iter=50, early_stopping=False, random_state=0).fit(X, y)
    runner = TreeShapExplainer(model).fit(X[:50])._runner
    assert all(all(r._keep) for r in runner.runners)


def test_a_forest_keeps_one_runner(data):
    X, y = data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = RandomForestClassifier(n_estimators=5, max_depth=4, random_state=0).fit(X, y)
    assert isinstance(TreeShapExplainer(model).fit(X[:50])._runner, _run.TreeRunner)


def test_raw_scores_of_one_output_trees_read_one_value_a_tree(data):
    # every tree's row of k values (k - 1 of them 0) was gathered: 50 classes took 2.2 GiB and
    # 51 s for the interventional game of probabilities on 2 rows
    X, y = data
    model = HistGradientBoostingClassifier(max_iter=6, early_stopping=False, random_state=0).fit(X, y)
    ens = TreeShapExplainer(model).fit(X[:50]).ensemble_
    assert ens._outputs_of_trees() is not None
    np.testing.assert_allclose(ens.predict_raw(X[:30]), model.decision_function(X[:30]), rtol=1e-12, atol=1e-12)
    whole = ens.offset + ens.value[ens.apply(X[:30])].sum(axis=1)
    np.testing.assert_allclose(ens.predict_raw(X[:30]), whole, rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("kind", ["hgb_categorical_nan", "forest", "gbc"])
def test_walking_tree_by_tree_reaches_the_same_leaves(monkeypatch, kind):
    from sklearn.ensemble import GradientBoostingRegressor, RandomForestRegressor

    from skxai.shapley._treeshap import _model

    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 4))
    if kind == "hgb_categorical_nan":
        X[:, 0] = rng.integers(0, 6, 300)
        X[rng.random(300) < 0.1, 1] = np.nan
        X[rng.random(300) < 0.05, 0] = np.nan
        model = HistGradientBoostingClassifier(max_iter=5, categorical_features=[0], random_state=0)
        model.fit(X, (X[:, 0] > 2).astype(int) + (np.nan_to_num(X[:, 1]) > 0))
    elif kind == "forest":
        model = RandomForestRegressor(n_estimators=5, max_depth=6, random_state=0).fit(X, X[:, 0] - X[:, 2])
    else:
        model = GradientBoostingRegressor(n_estimators=5, random_state=0).fit(X, X[:, 1])
    ens = TreeShapExplainer(model).fit(X[:50]).ensemble_
    monkeypatch.setattr(_model, "_ROWS_TREE_BY_TREE", 10**9)
    whole = ens.apply(X)
    monkeypatch.setattr(_model, "_ROWS_TREE_BY_TREE", 1)
    np.testing.assert_array_equal(ens.apply(X), whole)


def test_a_class_runners_refusal_names_the_models_trees_and_the_class(monkeypatch, data):
    from skxai.utils import _memory

    X, y = data
    model = HistGradientBoostingClassifier(max_iter=4, early_stopping=False, random_state=0).fit(X, y)
    monkeypatch.setattr(_memory, "MAX_WORKING_BYTES", 1000)
    # class 0's trees are the model's trees 0, 10, 20, ... (a tree per class and round)
    with pytest.raises(ValueError, match=r"trees 0\.\.\d+ .*output 0 of 10\).*fewer trees") as caught:
        TreeShapExplainer(model).fit(X[:50])
    assert "fewer classes" not in str(caught.value)
