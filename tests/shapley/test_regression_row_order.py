"""ShapleyRegressionExplainer: the subset models do not depend on the order of the training rows,
and the full model is the one the user would fit."""

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_diabetes, load_iris
from sklearn.ensemble import RandomForestRegressor
from sklearn.linear_model import LassoCV
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skxai import ShapleyRegressionExplainer

SHUFFLE = np.random.RandomState(1).permutation


def _diabetes(n=150):
    X, y = load_diabetes(return_X_y=True)
    # age and sex take few values: one-feature coalitions tie many neighbours
    return X[:n, [0, 1, 2, 3]], y[:n]


@pytest.mark.parametrize(
    "model",
    [KNeighborsRegressor(5), make_pipeline(StandardScaler(), KNeighborsRegressor(7))],
    ids=["knn", "pipeline"],
)
def test_values_do_not_depend_on_the_row_order(model):
    X, y = _diabetes()
    perm = SHUFFLE(len(X))
    a = ShapleyRegressionExplainer(model).fit(X, y)
    b = ShapleyRegressionExplainer(model).fit(X[perm], y[perm])
    np.testing.assert_array_equal(a.transform(X[:10]), b.transform(X[:10]))
    np.testing.assert_array_equal(a.expected_value_, b.expected_value_)
    np.testing.assert_array_equal(a.predict(X[:10]), b.predict(X[:10]))


def test_per_row_fit_parameters_follow_the_rows():
    X, y = _diabetes()
    w = np.random.RandomState(0).uniform(0.5, 2.0, len(X))
    perm = SHUFFLE(len(X))
    model = RandomForestRegressor(5, random_state=0)
    a = ShapleyRegressionExplainer(model).fit(X, y, sample_weight=w)
    b = ShapleyRegressionExplainer(model).fit(X[perm], y[perm], sample_weight=w[perm])
    # every subset model the same (a forest draws its bootstrap samples by position), the full
    # model the user's own in each order
    for i in range(1, len(a.subset_estimators_) - 1):
        np.testing.assert_array_equal(a.subset_estimators_[i].predict(X[:5, a._subset_cols[i]]),
                                      b.subset_estimators_[i].predict(X[:5, b._subset_cols[i]]))  # fmt: skip
    np.testing.assert_array_equal(b.predict(X), RandomForestRegressor(5, random_state=0).fit(
        X[perm], y[perm], sample_weight=w[perm]).predict(X))  # fmt: skip
    np.testing.assert_allclose(a.expected_value_, np.average(y, weights=w))


def test_the_full_model_is_the_users_own_fit():
    # sorted rows made LassoCV's in-order folds blocks of the first column: alpha_ 0.20, not 0.035
    X, y = load_diabetes(return_X_y=True)
    X = X[:, :5]
    idx = np.random.default_rng(0).permutation(len(X))
    X, y = X[idx], y[idx]
    user = LassoCV(cv=5).fit(X, y)
    ex = ShapleyRegressionExplainer(LassoCV(cv=5)).fit(X, y)
    assert ex.estimator_.alpha_ == user.alpha_
    np.testing.assert_array_equal(ex.predict(X), user.predict(X))
    np.testing.assert_allclose(ex.transform(X[:3]).sum(1) + ex.expected_value_, user.predict(X[:3]))


def test_frames_and_string_labels_in_any_order():
    X, y = load_iris(return_X_y=True, as_frame=True)
    labels = pd.Series(np.array(["setosa", "versicolor", "virginica"])[y])
    perm = SHUFFLE(len(X))
    model = KNeighborsClassifier(15)  # iris is measured to 0.1 cm: ties everywhere
    a = ShapleyRegressionExplainer(model, target="versicolor").fit(X, labels)
    b = ShapleyRegressionExplainer(model, target="versicolor").fit(X.iloc[perm], labels.iloc[perm])
    rows = X.iloc[[50, 70, 120]]
    np.testing.assert_array_equal(a.transform(rows), b.transform(rows))
    np.testing.assert_allclose(a.transform(rows).sum(1) + a.expected_value_[1], a.predict_proba(rows)[:, 1], atol=1e-12)
