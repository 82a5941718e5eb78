"""The shared adapters: response vocabulary, explained quantity, targets, output checks, background summaries."""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_classification
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.multioutput import MultiOutputClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from skxai import ExactShapleyExplainer, KernelShapExplainer, LimeExplainer
from skxai._adapters import (
    ModelOutput,
    explained_quantity,
    is_frozen,
    resolve_target,
    select_target,
    unwrap_frozen,
)
from skxai.utils._param_validation import InvalidParameterError


@pytest.fixture(scope="module")
def three_class():
    X, y = make_classification(n_samples=120, n_features=4, n_informative=3, n_redundant=0, n_classes=3,
                               n_clusters_per_class=1, random_state=0)
    return X, y, LogisticRegression(max_iter=500).fit(X, y)


# ---------------------------------------------------------------- vocabulary and quantity
@pytest.mark.parametrize("old, new", [("proba", "predict_proba"), ("logits", "decision_function"),
                                      ("raw", "decision_function")])
def test_deprecated_response_method_names_map_with_future_warning(three_class, old, new):
    X, _, model = three_class
    with pytest.warns(FutureWarning, match=f"response_method='{old}' is deprecated"):
        out = ModelOutput(model, old)
    assert out.method == new
    np.testing.assert_array_equal(out(X[:5]), getattr(model, new)(X[:5]))


def test_explained_quantity_names_what_the_model_returns(three_class):
    X, y, model = three_class
    binary = LogisticRegression().fit(X, y == 0)
    assert ModelOutput(model, "auto").quantity == "probability"
    assert ModelOutput(binary, "decision_function").quantity == "log-odds"
    assert ModelOutput(model, "decision_function").quantity == "logit"
    assert ModelOutput(HistGradientBoostingClassifier(max_iter=5).fit(X, y == 0), "decision_function").quantity \
        == "log-odds"
    assert ModelOutput(SVC().fit(X, y), "decision_function").quantity == "decision function"
    assert ModelOutput(Ridge().fit(X, y), "auto").quantity == "prediction"
    assert ModelOutput(lambda A: A.sum(1), "auto").quantity == "output"
    assert explained_quantity(make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y == 0),
                              "decision_function") == "log-odds"


def test_explanation_records_quantity(three_class):
    X, y, model = three_class
    exp = ExactShapleyExplainer(model, response_method="decision_function", max_background=20).fit(X).explain(X[:3])
    assert exp.quantity == "logit"
    exp = ExactShapleyExplainer(model, max_background=20).fit(X).explain(X[:3])
    assert exp.quantity == "probability"
    assert list(exp.output_names) == [0, 1, 2]


# ---------------------------------------------------------------- frozen
def test_frozen_by_isinstance():
    inner = Ridge()
    assert is_frozen(FrozenEstimator(inner))
    assert not is_frozen(inner)

    class FrozenEstimatorLookalike:  # a name is not enough
        estimator = inner

    assert not is_frozen(FrozenEstimatorLookalike())
    assert unwrap_frozen(FrozenEstimator(FrozenEstimator(inner))) is inner
    assert unwrap_frozen(inner) is inner


# ---------------------------------------------------------------- targets
def test_resolve_target_labels_indices_and_per_sample():
    names = np.asarray(["cat", "dog", "eel"], dtype=object)
    assert resolve_target("dog", names, is_clf=True, method="predict_proba") == 1
    assert resolve_target(2, names, is_clf=True) == 2  # an index where labels are not numbers
    assert resolve_target("predicted", names, is_clf=True) == "predicted"
    assert resolve_target(None, names, is_clf=True) == "predicted"
    np.testing.assert_array_equal(resolve_target(np.array(["eel", "cat", "eel"]), names, is_clf=True), [2, 0, 2])
    with pytest.raises(ValueError, match="'fox' is not a class"):
        resolve_target(["cat", "fox"], names, is_clf=True)
    with pytest.raises(ValueError, match="1-D"):
        resolve_target(np.zeros((2, 2), dtype=int), names, is_clf=True)
    # numeric labels are labels, never positions
    with pytest.raises(ValueError, match="not a class"):
        resolve_target(0, np.asarray([1, 2, 3], dtype=object), is_clf=True)
    assert resolve_target(1, np.arange(3).astype(object), is_clf=False) == 1
    with pytest.raises(ValueError, match="choose one with target"):
        resolve_target(None, np.arange(3).astype(object), is_clf=False)


def test_select_target_per_sample_and_length_check():
    values = np.arange(2 * 3 * 4, dtype=float).reshape(2, 3, 4)
    np.testing.assert_array_equal(select_target(values, np.array([3, 1])), np.stack([values[0, :, 3],
                                                                                      values[1, :, 1]]))
    np.testing.assert_array_equal(select_target(values, 2), values[..., 2])
    with pytest.raises(ValueError, match="3 entries .* but 2 samples"):
        select_target(values, np.array([0, 1, 2]))


@pytest.mark.parametrize("cls, kw", [(ExactShapleyExplainer, {}), (KernelShapExplainer, {"n_samples": 64})])
def test_per_sample_target_array_matches_closed_form(three_class, cls, kw):
    # Linear decision function: phi[i, j] = coef[t_i, j] * (x_ij - mean(background)_j) exactly.
    X, y, model = three_class
    bg, Xe = X[:40], X[40:46]
    labels = np.array([2, 0, 1, 1, 0, 2])
    ex = cls(model, target=labels, response_method="decision_function", max_background=None, random_state=0, **kw)
    phi = ex.fit(bg).transform(Xe)
    expected = model.coef_[labels] * (Xe - bg.mean(axis=0))
    np.testing.assert_allclose(phi, expected, atol=1e-8)
    np.testing.assert_array_equal(ex.target_indices(Xe), labels)
    with pytest.raises(ValueError, match="6 entries .* but 2 samples"):
        ex.transform(Xe[:2])


def test_predicted_means_the_models_prediction_for_lime():
    # LIME's surrogate can rank classes differently from the model: "predicted" must follow the model.
    X, y = make_classification(n_samples=300, n_features=5, n_informative=4, n_redundant=0, n_classes=3,
                               random_state=1)
    rf = RandomForestClassifier(n_estimators=20, random_state=0).fit(X, y)
    lime = LimeExplainer(rf, target="predicted", n_samples=200, max_background=30, random_state=0).fit(X)
    Xe = X[:200]
    pred = np.searchsorted(rf.classes_, rf.predict(Xe))
    np.testing.assert_array_equal(lime.target_indices(Xe), pred)
    exp = lime.explain(Xe)
    np.testing.assert_array_equal(lime.transform(Xe), exp.values[np.arange(len(Xe)), :, pred])


# ---------------------------------------------------------------- output checks (issue 13, items 8 and 10)
def test_nan_or_inf_output_names_rows_and_output():
    def model(A):
        out = np.stack([A[:, 0], A[:, 1]], axis=1)
        out[A[:, 2] > 1.0, 1] = np.nan
        out[A[:, 2] < -1.0, 1] = np.inf
        return out

    A = np.zeros((6, 3))
    A[[1, 4], 2] = 2.0
    A[5, 2] = -2.0
    with pytest.raises(ValueError, match=r"NaN or inf on 3 of 6 rows \(row indices \[1, 4, 5\].*output \[1\]"):
        ModelOutput(model, "auto")(A)
    X = np.random.RandomState(0).normal(size=(50, 3))
    with pytest.raises(ValueError, match="NaN or inf"):
        KernelShapExplainer(model, target=1, n_samples=16, max_background=10).fit(X).transform(X[:5] * 0.1 + 3)


def test_output_row_count_scalar_and_non_numbers():
    A = np.zeros((5, 2))
    with pytest.raises(ValueError, match="returned 4 rows for 5 input rows"):
        ModelOutput(lambda Z: Z[:-1].sum(1), "auto")(A)
    with pytest.raises(ValueError, match="returned a scalar for 5 rows"):
        ModelOutput(lambda Z: float(Z.sum()), "auto")(A)
    with pytest.raises(TypeError, match="must return numbers"):
        ModelOutput(lambda Z: np.array(["a"] * len(Z)), "auto")(A)
    X = np.random.RandomState(0).normal(size=(30, 2))
    with pytest.raises(ValueError, match="returned a scalar"):
        KernelShapExplainer(lambda Z: 1.0, max_background=10).fit(X)


def test_multi_output_classifier_is_refused_clearly():
    X = np.random.RandomState(0).normal(size=(60, 3))
    Y = np.stack([X[:, 0] > 0, X[:, 1] > 0], axis=1).astype(int)
    moc = MultiOutputClassifier(LogisticRegression()).fit(X, Y)
    with pytest.raises(ValueError, match="MultiOutputClassifier is not supported.*estimators_"):
        KernelShapExplainer(moc, max_background=10).fit(X)


def test_feature_group_errors_name_the_columns():
    rs = np.random.RandomState(0)
    df = pd.DataFrame(rs.normal(size=(40, 4)), columns=["age", "bmi", "bp", "s1"])
    model = LinearRegression().fit(df, df.sum(axis=1))
    with pytest.raises(ValueError, match=r"in no group: \['bp', 's1'\]"):
        ExactShapleyExplainer(model, feature_groups=[["age"], ["bmi"]]).fit(df)
    with pytest.raises(ValueError, match=r"listed more than once: \['bmi \(2 times\)'\]"):
        ExactShapleyExplainer(model, feature_groups=[["age", "bmi"], ["bmi", "bp", "s1"]]).fit(df)
    with pytest.raises(ValueError, match="unknown column 'chol'; columns are"):
        ExactShapleyExplainer(model, feature_groups=[["chol"]]).fit(df)


# ---------------------------------------------------------------- background summaries (issue 13, item 6)
def test_kmeans_on_int_and_bool_columns_uses_real_weighted_rows():
    rs = np.random.RandomState(0)
    df = pd.DataFrame({"count": rs.randint(0, 10, 300), "x": rs.normal(size=300), "flag": rs.rand(300) > 0.5})
    lin = Ridge().fit(df, df["count"] + df["x"] + 3 * df["flag"])
    ex = KernelShapExplainer(lin, background="kmeans", max_background=10, random_state=0).fit(df)
    bg = ex.background_
    assert bg.shape[0] <= 10
    # every summary row is a row of the data: the model sees exactly background_
    rows = {tuple(r) for r in df.to_numpy(dtype=float)}
    assert all(tuple(r) in rows for r in bg)
    seen = pd.DataFrame(bg, columns=df.columns).astype(df.dtypes.to_dict())
    np.testing.assert_array_equal(seen.to_numpy(dtype=float), bg)
    # expected value = weighted mean prediction over the rows the model sees
    np.testing.assert_allclose(ex.expected_value_[0], ex.background_weights_ @ lin.predict(seen), rtol=1e-12)
    # weights are the cluster sizes
    assert np.allclose(ex.background_weights_ * 300, np.round(ex.background_weights_ * 300))
    # and the summary stays close to the data's mean prediction (the issue saw 6.971 vs 6.108)
    assert abs(ex.expected_value_[0] - lin.predict(df).mean()) < 0.3


def test_kmeans_on_float_data_keeps_centroids_and_the_mean():
    rs = np.random.RandomState(0)
    X = rs.normal(size=(200, 3))
    lin = LinearRegression().fit(X, X @ [1.0, 2.0, -1.0])
    ex = KernelShapExplainer(lin, background="kmeans", max_background=8, random_state=0).fit(X)
    np.testing.assert_allclose(ex.expected_value_[0], lin.predict(X).mean(), rtol=1e-9)


# ---------------------------------------------------------------- checks at fit
def test_bad_parameters_fail_at_fit_naming_them():
    X = np.random.RandomState(0).normal(size=(30, 3))
    model = LinearRegression().fit(X, X[:, 0])
    for kw, name in [({"scoring": "foo"}, "scoring"), ({"background": "bogus"}, "background"),
                     ({"max_background": 0}, "max_background"), ({"batch_size": 0}, "batch_size"),
                     ({"response_method": "probability"}, "response_method"), ({"verbose": -1}, "verbose")]:
        with pytest.raises(InvalidParameterError, match=f"'{name}' parameter"):
            ExactShapleyExplainer(model, **kw).fit(X)
    # background is checked even when no summary is made
    with pytest.raises(InvalidParameterError, match="'background' parameter"):
        ExactShapleyExplainer(model, background="bogus", max_background=None).fit(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ExactShapleyExplainer(model, scoring="deletion_auc").fit(X)


def test_predict_proba_outside_the_unit_interval_is_refused():
    """A classifier whose predict_proba returns log-probabilities: explained and labelled as
    probabilities before (Average Drop and reports read them as such)."""
    from sklearn.linear_model import LogisticRegression

    X = np.random.RandomState(0).normal(size=(30, 3))
    y = (X[:, 0] > 0).astype(int)

    class LogProba(LogisticRegression):
        def predict_proba(self, X):
            return np.log(super().predict_proba(X))

    out = ModelOutput(LogProba().fit(X, y), "auto")
    with pytest.raises(ValueError, match=r"LogProba.predict_proba returned values from -\d.* outside \[0, 1\]"):
        out(X)
    np.testing.assert_allclose(ModelOutput(LogisticRegression().fit(X, y), "auto")(X).sum(axis=1), 1.0)
