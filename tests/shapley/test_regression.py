"""Shapley regression values: the empty coalition, retraining errors, parameter validation."""

import numpy as np
import pytest
from sklearn.datasets import load_diabetes, load_iris
from sklearn.decomposition import PCA
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.pipeline import make_pipeline
from sklearn.utils._param_validation import InvalidParameterError

from skxai import ShapleyRegressionExplainer, shapley_values


def knn_brute_force(X, y, x, empty):
    """Shapley regression values of kNN by retraining on every subset, v(empty) given."""
    p = X.shape[1]

    def v(S):
        out = []
        for s in S:
            if s.any():
                out.append(KNeighborsRegressor().fit(X[:, s], y).predict(x[None, s])[0])
            else:
                out.append(empty)
        return np.array(out)

    return shapley_values(v, p)


def test_empty_coalition_is_the_training_mean_whatever_the_row_order():
    # Continuous features: no ties on non-empty subsets, so only the empty coalition could
    # depend on the row order (every row ties on a constant column).
    rng = np.random.RandomState(0)
    X = rng.normal(size=(150, 4))
    y = X[:, 0] * X[:, 1] + np.abs(X[:, 2]) + 3.0 + 0.1 * rng.normal(size=150)
    order = np.random.RandomState(0).permutation(len(X))
    a = ShapleyRegressionExplainer(KNeighborsRegressor()).fit(X, y)
    b = ShapleyRegressionExplainer(KNeighborsRegressor()).fit(X[order], y[order])
    np.testing.assert_allclose(a.expected_value_, [y.mean()], rtol=1e-12)
    np.testing.assert_allclose(b.expected_value_, [y.mean()], rtol=1e-12)
    rows = X[:3]
    np.testing.assert_allclose(a.transform(rows), b.transform(rows), atol=1e-9)
    expected = np.stack([knn_brute_force(X, y, x, y.mean()) for x in rows])
    np.testing.assert_allclose(a.transform(rows), expected, atol=1e-9)


def test_empty_coalition_is_the_class_prior_for_probabilities():
    X, y = load_iris(return_X_y=True)
    keep = np.r_[0:50, 50:80, 100:150]  # unbalanced classes: prior 50/130, 30/130, 50/130
    X, y = X[keep], y[keep]
    order = np.random.RandomState(1).permutation(len(X))
    prior = np.bincount(y) / len(y)
    for rows in (slice(None), order):
        est = ShapleyRegressionExplainer(KNeighborsClassifier(), target=1).fit(X[rows], y[rows])
        np.testing.assert_allclose(est.expected_value_, prior, rtol=1e-12)
        exp = est.explain(X[:2])
        np.testing.assert_allclose(exp.base_values, np.tile(prior, (2, 1)), rtol=1e-12)


def test_decision_function_keeps_the_constant_fit():
    X, y = load_iris(return_X_y=True)
    X, y = X[:, :3], (y == 2).astype(int)
    est = ShapleyRegressionExplainer(LogisticRegression(), response_method="decision_function").fit(X, y)
    # Logistic regression on a constant column: coefficient 0, intercept the log-odds of the prior.
    p = y.mean()
    np.testing.assert_allclose(est.expected_value_, [np.log(p / (1 - p))], atol=1e-4)


def test_pca_pipeline_says_the_model_is_retrained_on_subsets():
    X, y = load_diabetes(return_X_y=True)
    X = X[:, :4]
    est = ShapleyRegressionExplainer(make_pipeline(PCA(2), LinearRegression()))
    with pytest.raises(ValueError, match=r"retrains the model on every subset.*subset \['x\d'\]") as info:
        est.fit(X, y)
    assert "PCA" in str(info.value)


@pytest.mark.parametrize("bad", [{"max_features": 0}, {"n_jobs": "two"}, {"background": "median"},
                                 {"response_method": "proba_"}, {"max_background": 0}])
def test_bad_parameters_fail_at_fit(bad):
    X, y = load_diabetes(return_X_y=True)
    with pytest.raises(InvalidParameterError, match=next(iter(bad))):
        ShapleyRegressionExplainer(LinearRegression(), **bad).fit(X[:20, :3], y[:20])


@pytest.mark.parametrize("routed", [False, True])
def test_sample_weight_trains_every_subset_model(routed):
    # fit's sample_weight used to reach the full model only: the subset models (the full
    # coalition's too) and the empty coalition's mean ignored it, so the values did not add
    # up to the explainer's own predictions. Compared with retraining by hand.
    from sklearn.preprocessing import StandardScaler

    rng = np.random.RandomState(0)
    X = rng.normal(size=(80, 3))
    y = X @ [1.0, 2.0, -1.0] + X[:, 0] * X[:, 1] + 3.0 * rng.normal(size=80)
    w = rng.uniform(0.1, 5.0, size=80)
    model = make_pipeline(StandardScaler(), LinearRegression()) if routed else LinearRegression()
    params = {"linearregression__sample_weight": w} if routed else {"sample_weight": w}
    est = ShapleyRegressionExplainer(model).fit(X, y, **params)
    rows = X[:4]

    def v(S, x):
        return np.array([LinearRegression().fit(X[:, s], y, sample_weight=w).predict(x[None, s])[0] if s.any()
                         else np.average(y, weights=w) for s in S])

    expected = np.stack([shapley_values(lambda S, x=x: v(S, x), 3) for x in rows])
    np.testing.assert_allclose(est.expected_value_, [np.average(y, weights=w)], rtol=1e-12)
    np.testing.assert_allclose(est.transform(rows), expected, atol=1e-10)
    exp = est.explain(rows)
    np.testing.assert_allclose(exp.outputs[:, 0], est.predict(rows), atol=1e-10)
