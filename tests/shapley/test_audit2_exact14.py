"""Audit 2 (exact14) of ShapleyRegressionExplainer's empty coalition (issue 14)."""

import itertools
import math

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis, QuadraticDiscriminantAnalysis
from sklearn.naive_bayes import BernoulliNB, ComplementNB, GaussianNB, MultinomialNB
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler
from sklearn.svm import SVC, NuSVC

from skxai import ShapleyRegressionExplainer


def _brute_force(model, X, y, x, empty):
    """Shapley values of ``x`` by retraining ``clone(model)`` on every non-empty subset."""
    p = X.shape[1]
    v = {}
    for code in itertools.product([False, True], repeat=p):
        s = np.array(code)
        v[code] = clone(model).fit(X[:, s], y).predict_proba(x[None, s])[0] if s.any() else np.asarray(empty)
    phi = np.zeros((p, len(np.asarray(empty))))
    for j in range(p):
        for code, value in v.items():
            if not code[j]:
                k = sum(code)
                w = math.factorial(k) * math.factorial(p - k - 1) / math.factorial(p)
                phi[j] += w * (v[code[:j] + (True,) + code[j + 1 :]] - value)
    return phi


@pytest.mark.parametrize(
    "model, prior",
    [
        (GaussianNB(priors=[0.2, 0.3, 0.5]), [0.2, 0.3, 0.5]),
        (LinearDiscriminantAnalysis(priors=[0.2, 0.3, 0.5]), [0.2, 0.3, 0.5]),
        (QuadraticDiscriminantAnalysis(priors=[0.2, 0.3, 0.5]), [0.2, 0.3, 0.5]),
        (make_pipeline(MinMaxScaler(), MultinomialNB(class_prior=[0.2, 0.3, 0.5])), [0.2, 0.3, 0.5]),
        (make_pipeline(MinMaxScaler(), BernoulliNB(fit_prior=False)), [1 / 3, 1 / 3, 1 / 3]),
        (make_pipeline(MinMaxScaler(), ComplementNB()), [1 / 3, 1 / 3, 1 / 3]),
    ],
)
def test_empty_coalition_of_a_classifier_with_fixed_priors_is_its_prior(model, prior):
    # v(empty) was the empirical class prior [0.2, 0.47, 0.33] where these models, trained on
    # no informative feature, predict their own priors [0.2, 0.3, 0.5] (uniform for
    # fit_prior=False): a feature without any information took a share of the gap.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 2))
    y = np.array(["b", "a", "c"])[(X[:, 0] > 0).astype(int) + (X[:, 0] > 0.5)]
    est = ShapleyRegressionExplainer(model, target=0).fit(X, y)
    np.testing.assert_allclose(est.expected_value_, prior, rtol=1e-12)
    rows = X[:3]
    exp = est.explain(rows)
    expected = np.stack([_brute_force(model, X, y, x, prior) for x in rows])
    np.testing.assert_allclose(exp.values, expected, atol=1e-10)
    np.testing.assert_allclose(
        exp.values.sum(axis=1) + est.expected_value_, est.estimator_.predict_proba(rows), atol=1e-10
    )


@pytest.mark.filterwarnings("ignore:The `probability` parameter was deprecated:FutureWarning")
@pytest.mark.parametrize(
    "model, weighted",
    [
        (SVC(probability=True, class_weight="balanced", random_state=0), False),
        (NuSVC(probability=True, nu=0.2, class_weight="balanced", random_state=0), False),
        (make_pipeline(MinMaxScaler(), SVC(probability=True, random_state=0)), True),
    ],
)
def test_empty_coalition_of_a_platt_scaled_svm_is_the_unweighted_prior(model, weighted):
    # libsvm's probabilities are a sigmoid fitted to the plain labels: trained on no informative
    # feature, SVC(probability=True) predicts the class frequencies (0.861-0.887 for "common"
    # over seeds, 0.877 in the data) whatever its class_weight or sample_weight. v(empty) was
    # [0.5, 0.5] for class_weight="balanced" and the weighted prior (0.41 for "rare") with
    # sample_weight: a feature without information took a share of a 0.29-0.38 gap.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(120, 2))
    y = np.where(X[:, 0] + rng.normal(size=120) > 1.5, "rare", "common")
    params = {"svc__sample_weight": np.where(y == "rare", 5.0, 1.0)} if weighted else {}
    est = ShapleyRegressionExplainer(model, target=1).fit(X, y, **params)
    prior = np.array([np.mean(y == "common"), np.mean(y == "rare")])
    np.testing.assert_allclose(est.expected_value_, prior, rtol=1e-12)
    exp = est.explain(X[:3])
    np.testing.assert_allclose(
        exp.values.sum(axis=1) + est.expected_value_, est.estimator_.predict_proba(X[:3]), atol=1e-10
    )


@pytest.mark.parametrize("kind", ["reg", "clf"])
def test_a_constant_column_is_a_null_player_whatever_the_row_order(kind):
    # A model trained on a constant column alone learnt nothing, as on no column: its
    # coalition was the model's own fit on it (k-nearest neighbours: every row tied, the
    # tie-break's pick), so the constant column got 0.354 with the rows in one order and
    # -0.502 in another; SVR's own constant fit gave it -0.14. It now gets v(empty).
    rng = np.random.RandomState(0)
    X = rng.normal(size=(80, 3))
    X[:, 2] = 7.0
    if kind == "reg":
        y, model = X[:, 0] + 2 * X[:, 1] + rng.normal(size=80), KNeighborsRegressor()
    else:
        y, model = np.array(["b", "a", "c"])[(X[:, 0] > 0).astype(int) + (X[:, 1] > 0.5)], KNeighborsClassifier()
    order = rng.permutation(80)
    rows = np.vstack([X[:3], [0.5, -0.5, 3.0]])  # the last row is off the constant
    a = ShapleyRegressionExplainer(model, target=0).fit(X, y)
    b = ShapleyRegressionExplainer(model, target=0).fit(X[order], y[order])
    ea, eb = a.explain(rows), b.explain(rows)
    np.testing.assert_allclose(ea.values, eb.values, atol=1e-12)
    # a constant column adds nothing to the others' distances: kNN on S + {x2} is kNN on S
    np.testing.assert_allclose(ea.values[:, 2], 0.0, atol=1e-12)
    np.testing.assert_allclose(ea.values.sum(axis=1) + a.expected_value_, ea.outputs, atol=1e-12)
