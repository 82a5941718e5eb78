"""ShapleyRegressionExplainer: the values do not depend on the order of the training rows."""

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_diabetes, load_iris
from sklearn.ensemble import RandomForestRegressor
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
    [
        KNeighborsRegressor(5),
        make_pipeline(StandardScaler(), KNeighborsRegressor(7)),
        RandomForestRegressor(5, random_state=0),
    ],
    ids=["knn", "pipeline", "forest"],
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
    np.testing.assert_array_equal(a.transform(X[:5]), b.transform(X[:5]))
    np.testing.assert_allclose(a.expected_value_, np.average(y, weights=w))


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
