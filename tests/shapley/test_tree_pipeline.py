"""TreeSHAP on the same terms as KernelSHAP (issue 12) and the shared vocabulary (issue 11).

Players are the input columns (or feature groups) through Pipelines that expand them, the
explained quantity is recorded and can be the probabilities KernelSHAP explains, parameters
are validated at fit, and the metrics see the explainer through ``perturbation_view``.
"""

import pickle
import warnings

import numpy as np
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.datasets import load_diabetes, load_iris
from sklearn.ensemble import (
    GradientBoostingClassifier,
    HistGradientBoostingClassifier,
    IsolationForest,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, PolynomialFeatures
from sklearn.utils._param_validation import InvalidParameterError

from skxai import ExactShapleyExplainer, KernelShapExplainer, TreeShapExplainer

GAMES = ["tree_path_dependent", "interventional"]


@pytest.fixture(scope="module")
def mixed():
    """A raw mixed-type frame, one-hot encoded in a ColumnTransformer, then HGB."""
    pd = pytest.importorskip("pandas")
    rng = np.random.RandomState(0)
    n = 400
    df = pd.DataFrame({
        "age": rng.normal(40, 10, n),
        "city": rng.choice(["a", "b", "c", "d"], n),
        "income": rng.lognormal(3, 1, n),
        "job": rng.choice(["v", "w", "x", "y", "z"], n),
        "hours": rng.uniform(10, 60, n),
    })
    y = (((df.age > 40) ^ (df.city == "b")) | (df.job == "x")).astype(int).to_numpy()
    pre = ColumnTransformer([("cat", OneHotEncoder(handle_unknown="ignore"), ["city", "job"])],
                            remainder="passthrough")
    pipe = make_pipeline(pre, HistGradientBoostingClassifier(max_iter=30, random_state=0))
    return pipe.fit(df, y), df, y


def test_pipeline_probabilities_equal_exact_and_kernel(mixed):
    """Interventional TreeSHAP of the pipeline = ExactShapley = KernelSHAP (full budget)."""
    pipe, df, _ = mixed
    rows = df.iloc[:15]
    ex = TreeShapExplainer(pipe, feature_perturbation="interventional", max_background=40,
                           random_state=0).fit(df)
    exp = ex.explain(rows)
    assert list(exp.feature_names) == list(df.columns)
    assert exp.values.shape == (15, 5, 2)
    assert exp.quantity == "probability" and ex.quantity_ == "probability"
    assert list(exp.output_names) == [0, 1]
    ref = ExactShapleyExplainer(pipe, max_background=40, random_state=0).fit(df).explain(rows)
    np.testing.assert_allclose(exp.values, ref.values, rtol=0, atol=1e-10)
    np.testing.assert_allclose(exp.base_values, ref.base_values, rtol=0, atol=1e-10)
    np.testing.assert_allclose(exp.outputs, pipe.predict_proba(rows), rtol=0, atol=1e-10)
    kernel = KernelShapExplainer(pipe, n_samples=64, max_background=40, random_state=0).fit(df)
    np.testing.assert_allclose(exp.values, kernel.explain(rows).values, rtol=0, atol=1e-10)
    np.testing.assert_allclose(ex.transform(rows), kernel.transform(rows), rtol=0, atol=1e-10)


def test_pipeline_log_odds_equal_exact_decision_function(mixed):
    """The polynomial-time engine with grouped one-hot columns is exact too."""
    pipe, df, _ = mixed
    rows = df.iloc[20:30]
    ex = TreeShapExplainer(pipe, feature_perturbation="interventional", max_background=30,
                           response_method="decision_function", random_state=0).fit(df)
    assert ex._runner is not None and ex.quantity_ == "log-odds"
    ref = ExactShapleyExplainer(pipe, response_method="decision_function", max_background=30,
                                random_state=0).fit(df)
    np.testing.assert_allclose(ex.explain(rows).values, ref.explain(rows).values, rtol=0,
                               atol=1e-10)


@pytest.mark.parametrize("response", ["auto", "decision_function"])
def test_feature_groups_through_pipeline(mixed, response):
    pipe, df, _ = mixed
    groups = {"person": ["age", "city"], "work": ["job", "income", "hours"]}
    kw = dict(max_background=30, random_state=0, response_method=response, feature_groups=groups)
    exp = TreeShapExplainer(pipe, feature_perturbation="interventional", **kw).fit(df).explain(
        df.iloc[:10])
    assert list(exp.feature_names) == ["person", "work"]
    ref = ExactShapleyExplainer(pipe, **kw).fit(df).explain(df.iloc[:10])
    np.testing.assert_allclose(exp.values, ref.values, rtol=0, atol=1e-10)


def test_path_dependent_on_pipeline_explains_log_odds(mixed):
    """The documented exception: the path-dependent game of boosting explains log-odds."""
    pipe, df, _ = mixed
    ex = TreeShapExplainer(pipe).fit(df)
    exp = ex.explain(df.iloc[:8])
    assert exp.quantity == "log-odds" and exp.values.shape == (8, 5, 1)
    assert list(exp.output_names) == [1]
    np.testing.assert_allclose(exp.outputs[:, 0], pipe.decision_function(df.iloc[:8]), atol=1e-10)
    with pytest.raises(ValueError, match="interventional"):
        TreeShapExplainer(pipe, response_method="predict_proba").fit(df)


def test_group_is_one_player_not_a_sum(mixed):
    """Grouped interventional values are the group game's, which differs from summing the
    per-column values (the game is not additive across a group's columns)."""
    pipe, df, _ = mixed
    kw = dict(feature_perturbation="interventional", max_background=30, random_state=0,
              response_method="decision_function")
    single = TreeShapExplainer(pipe, **kw).fit(df).transform(df.iloc[:30])
    grouped = TreeShapExplainer(pipe, feature_groups=[["age", "city"], ["income"], ["job"],
                                                      ["hours"]], **kw).fit(df).transform(df.iloc[:30])
    np.testing.assert_allclose(grouped.sum(axis=1), single.sum(axis=1), atol=1e-10)
    assert np.abs(grouped[:, 0] - single[:, :2].sum(axis=1)).max() > 1e-3


def test_columns_mixing_players_are_refused_with_advice():
    X, y = load_diabetes(return_X_y=True)
    X = X[:150, :3]
    pipe = make_pipeline(PolynomialFeatures(2), RandomForestRegressor(n_estimators=3,
                                                                      max_depth=3,
                                                                      random_state=0))
    pipe.fit(X, y[:150])
    with pytest.raises(ValueError, match="feature_groups.*feature_space='model'"):
        TreeShapExplainer(pipe).fit(X)
    ex = TreeShapExplainer(pipe, feature_space="model").fit(X)
    assert ex.n_players_ == 10
    one = TreeShapExplainer(pipe, feature_groups=[[0, 1, 2]]).fit(X)
    np.testing.assert_allclose(one.transform(X[:4])[:, 0] + one.expected_value_[0],
                               pipe.predict(X[:4]), atol=1e-10)


def test_quantity_and_output_names_per_model():
    X, y = load_iris(return_X_y=True)
    rf = RandomForestClassifier(n_estimators=3, max_depth=3, random_state=0).fit(X, y)
    for game in GAMES:
        ex = TreeShapExplainer(rf, feature_perturbation=game, max_background=10).fit(X)
        assert ex.quantity_ == "probability"
        assert list(ex.explain(X[:2]).output_names) == [0, 1, 2]
    gb = GradientBoostingClassifier(n_estimators=3, max_depth=2, random_state=0).fit(X, y == 1)
    assert TreeShapExplainer(gb).fit(X).explain(X[:2]).quantity == "log-odds"
    expo = GradientBoostingClassifier(n_estimators=3, loss="exponential", random_state=0)
    assert TreeShapExplainer(expo.fit(X, y == 1)).fit(X).quantity_ == "decision function"
    iso = IsolationForest(n_estimators=3, random_state=0).fit(X)
    assert TreeShapExplainer(iso).fit(X).quantity_ == "output"
    Xr, yr = load_diabetes(return_X_y=True)
    reg = RandomForestRegressor(n_estimators=2, max_depth=2, random_state=0).fit(Xr, yr)
    assert TreeShapExplainer(reg).fit(Xr).explain(Xr[:1]).quantity == "prediction"


def test_auto_with_many_players_falls_back_to_log_odds_with_a_warning():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 14))
    y = (X[:, 0] + X[:, 13] > 0).astype(int)
    gb = GradientBoostingClassifier(n_estimators=5, max_depth=2, random_state=0).fit(X, y)
    with pytest.warns(UserWarning, match="raw score"):
        ex = TreeShapExplainer(gb, feature_perturbation="interventional",
                               max_background=10).fit(X)
    assert ex.quantity_ == "log-odds"
    with pytest.raises(ValueError, match="exceeds 12"):
        TreeShapExplainer(gb, feature_perturbation="interventional",
                          response_method="predict_proba", max_background=10).fit(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        TreeShapExplainer(gb, feature_perturbation="interventional",
                          response_method="decision_function", max_background=10).fit(X)


def test_raw_is_deprecated_decision_function():
    X, y = load_iris(return_X_y=True)
    gb = GradientBoostingClassifier(n_estimators=3, max_depth=2, random_state=0).fit(X, y)
    with pytest.warns(FutureWarning, match="'decision_function'"):
        old = TreeShapExplainer(gb, response_method="raw").fit(X).transform(X[:5])
    new = TreeShapExplainer(gb, response_method="decision_function").fit(X).transform(X[:5])
    np.testing.assert_array_equal(old, new)


@pytest.mark.parametrize("param,value", [
    ("feature_perturbation", "causal"),
    ("feature_space", "raw"),
    ("response_method", "logit"),
    ("max_background", 0),
    ("background", "bogus"),
    ("batch_size", 0),
    ("n_jobs", "two"),
    ("feature_groups", "age"),
])
def test_bad_parameters_fail_at_fit_naming_them(param, value):
    X, y = load_diabetes(return_X_y=True)
    model = RandomForestRegressor(n_estimators=2, max_depth=2, random_state=0).fit(X, y)
    with pytest.raises(InvalidParameterError, match=param):
        TreeShapExplainer(model, **{param: value}).fit(X)


def test_perturbation_view_and_score_in_input_space(mixed):
    pipe, df, _ = mixed
    ex = TreeShapExplainer(pipe, feature_perturbation="interventional", max_background=20,
                           random_state=0).fit(df)
    view = ex.perturbation_view(df.iloc[:6])
    assert view.X.shape == (6, 5)
    assert [list(g) for g in view.groups] == [[0], [1], [2], [3], [4]]
    assert view.background.shape == (20, 5)
    np.testing.assert_allclose(view.output(view.X), pipe.predict_proba(df.iloc[:6]), atol=1e-12)
    # the path-dependent game perturbs with the fit data's summary
    pd_ex = TreeShapExplainer(pipe, max_background=20, random_state=0).fit(df)
    np.testing.assert_array_equal(pd_ex.perturbation_view(df.iloc[:6]).background, ex.background_)
    np.testing.assert_allclose(pd_ex.perturbation_view(df.iloc[:6]).output(view.X)[:, 0],
                               pipe.decision_function(df.iloc[:6]), atol=1e-12)
    assert -1.0 <= ex.score(df.iloc[:10]) <= 1.0


def test_verbose_progress_and_pickle_of_enumeration(mixed, capsys):
    pipe, df, _ = mixed
    ex = TreeShapExplainer(pipe, feature_perturbation="interventional", max_background=10,
                           random_state=0, verbose=1).fit(df)
    a = ex.transform(df.iloc[:5])
    assert "%" in capsys.readouterr().err
    again = pickle.loads(pickle.dumps(ex))
    np.testing.assert_array_equal(again.transform(df.iloc[:5]), a)
    quiet = TreeShapExplainer(pipe, max_background=10, random_state=0, verbose=1,
                              batch_size=3).fit(df)
    quiet.transform(df.iloc[:7])
    assert "TreeSHAP" in capsys.readouterr().err


def test_changed_sklearn_internals_give_one_clear_error(monkeypatch):
    """Private tree attributes are read in one module; a missing one names the version."""
    import copy

    import sklearn

    from skxai.shapley._treeshap import _sklearn

    X, y = load_iris(return_X_y=True)
    hgb = HistGradientBoostingClassifier(max_iter=2, random_state=0).fit(X, y)
    broken = copy.deepcopy(hgb)
    del broken._predictors
    with pytest.raises(RuntimeError, match=f"_predictors.*{sklearn.__version__}"):
        TreeShapExplainer(broken).fit(X)
    monkeypatch.setattr(_sklearn, "MIN_SKLEARN", (99, 0))
    with pytest.raises(ImportError, match="scikit-learn >= 99.0"):
        TreeShapExplainer(hgb).fit(X)


@pytest.mark.parametrize("game", GAMES)
def test_a_refitted_search_is_explained_through_its_best_estimator(game):
    from sklearn.model_selection import GridSearchCV
    from sklearn.preprocessing import StandardScaler

    X, y = load_iris(return_X_y=True)
    search = GridSearchCV(
        make_pipeline(StandardScaler(), RandomForestClassifier(n_estimators=4, random_state=0)),
        {"randomforestclassifier__max_depth": [2, 3]},
        cv=2,
    ).fit(X, y)
    exp = TreeShapExplainer(search, feature_perturbation=game).fit(X[::5]).explain(X[:4])
    np.testing.assert_allclose(exp.values.sum(1) + exp.base_values, search.predict_proba(X[:4]), atol=1e-10)
    # unfitted: fitted on (X, y) like any other estimator, then unwrapped the same way
    fitted = TreeShapExplainer(GridSearchCV(RandomForestClassifier(n_estimators=3, random_state=0),
                                            {"max_depth": [2]}, cv=2), feature_perturbation=game).fit(X, y)
    np.testing.assert_allclose(fitted.explain(X[:2]).values.sum(1) + fitted.explain(X[:2]).base_values,
                               fitted.estimator_.predict_proba(X[:2]), atol=1e-10)
    no_refit = GridSearchCV(RandomForestClassifier(n_estimators=3), {"max_depth": [2]}, cv=2, refit=False).fit(X, y)
    with pytest.raises(TypeError, match="refitted searches"):
        TreeShapExplainer(no_refit).fit(X)
