"""ShapleyRegressionExplainer: a shuffling CV splitter inside the model is seeded (values differed
between fits and n_jobs, and the global generator moved), a model that refuses constant columns
is said so for decision functions, and fit_intercept=False keeps the model's own constant fit."""

import numpy as np
import pytest
from sklearn.feature_selection import VarianceThreshold
from sklearn.linear_model import LassoCV, LogisticRegression, Ridge
from sklearn.model_selection import KFold
from sklearn.pipeline import make_pipeline

from skxai import ShapleyRegressionExplainer
from skxai.utils._random import global_generator_marks


def test_a_shuffling_cv_splitter_is_seeded():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(80, 4))
    y = X[:, 0] - 2 * X[:, 1] + 0.5 * rng.normal(size=80)
    splitter = KFold(5, shuffle=True)
    model = LassoCV(cv=splitter)

    def values(n_jobs):
        return ShapleyRegressionExplainer(model, random_state=0, n_jobs=n_jobs).fit(X, y).transform(X[:5])

    before = global_generator_marks()
    first = values(1)
    assert global_generator_marks() == before  # the global generator was drawn from
    np.testing.assert_array_equal(values(1), first)
    np.testing.assert_array_equal(values(2), first)
    assert splitter.random_state is None  # the user's splitter is left as given


def test_a_model_refusing_constant_columns_is_said_so():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 4))
    y = (X[:, 0] > 0).astype(int)
    model = make_pipeline(VarianceThreshold(), LogisticRegression())
    with pytest.raises(
        ValueError, match=r"empty coalition's decision function.*No feature in X meets.*0\.00000\. Use .*predict_proba"
    ):
        ShapleyRegressionExplainer(model, response_method="decision_function", random_state=0).fit(X, y)
    ShapleyRegressionExplainer(model, response_method="predict_proba", target=1, random_state=0).fit(X, y)


def test_without_intercept_the_empty_coalition_is_the_models_own_constant_fit():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 2))
    y = 5 + X[:, 0]
    ex = ShapleyRegressionExplainer(Ridge(fit_intercept=False), random_state=0).fit(X, y)
    np.testing.assert_allclose(ex.expected_value_, 0.0, atol=1e-12)
    clf = ShapleyRegressionExplainer(
        make_pipeline(LogisticRegression(fit_intercept=False)), response_method="predict_proba", target=1
    ).fit(X, (rng.uniform(size=200) < 0.85).astype(int))
    np.testing.assert_allclose(clf.expected_value_, 0.5, atol=1e-12)
    # with an intercept: the training mean, as before
    np.testing.assert_allclose(ShapleyRegressionExplainer(Ridge()).fit(X, y).expected_value_, y.mean())


def test_without_intercept_through_wrappers_and_constant_refusing_steps():
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.model_selection import GridSearchCV

    rng = np.random.RandomState(1)
    X = rng.normal(size=(150, 2))
    y = 5 + X[:, 0]
    for model in (
        TransformedTargetRegressor(Ridge(fit_intercept=False)),
        make_pipeline(VarianceThreshold(), Ridge(fit_intercept=False)),  # no fit on constant columns
        TransformedTargetRegressor(make_pipeline(VarianceThreshold(), Ridge(fit_intercept=False))),  # identity
    ):
        ex = ShapleyRegressionExplainer(model, random_state=0).fit(X, y)
        np.testing.assert_allclose(ex.expected_value_, 0.0, atol=1e-12, err_msg=type(model).__name__)
        np.testing.assert_allclose(ex.transform(X[:5]).sum(axis=1), ex.estimator_.predict(X[:5]), atol=1e-9)
    # a search may set fit_intercept itself, and a target transformer moves the constant: the
    # first keeps the training mean, the second its own fit (the inverse transform of 0)
    from sklearn.preprocessing import StandardScaler

    search = GridSearchCV(Ridge(fit_intercept=False), {"fit_intercept": [False, True]}, cv=3)
    np.testing.assert_allclose(ShapleyRegressionExplainer(search).fit(X, y).expected_value_, y.mean())
    scaled = TransformedTargetRegressor(make_pipeline(Ridge(fit_intercept=False)), transformer=StandardScaler())
    np.testing.assert_allclose(ShapleyRegressionExplainer(scaled).fit(X, y).expected_value_, y.mean(), rtol=1e-9)
    refusing = TransformedTargetRegressor(
        make_pipeline(VarianceThreshold(), Ridge(fit_intercept=False)), transformer=StandardScaler()
    )
    with pytest.raises(ValueError, match="value, for a model without intercept, is the model.*No feature in X"):
        ShapleyRegressionExplainer(refusing).fit(X, y)
    labels = (X[:, 0] > -1).astype(int)
    proba = ShapleyRegressionExplainer(
        make_pipeline(VarianceThreshold(), LogisticRegression(fit_intercept=False)),
        response_method="predict_proba",
        target=1,
    ).fit(X, labels)
    np.testing.assert_allclose(proba.expected_value_, 0.5)
