"""ShapleyRegressionExplainer's empty coalition for ``class_weight="balanced"`` with ``sample_weight``.

The empty coalition is the model's fit on no information. scikit-learn's LogisticRegression
(and LogisticRegressionCV) balance the classes on the *weighted* class counts when given
``sample_weight`` (``compute_class_weight(..., sample_weight=...)``): its fit on no feature then
predicts exactly 0.5 / 0.5. ``expected_value_`` was the class shares weighted by
``sample_weight`` times the *unweighted* balanced weights (0.488 / 0.512 here), which is what
trees, forests and histogram boosting do, not logistic regression: a feature without
information took a share of the gap. Compared with the model's own fit on constant columns.
"""

import inspect

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression, LogisticRegressionCV
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils.class_weight import compute_class_weight

from skxai import ShapleyRegressionExplainer


def _data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 3))
    y = np.where(X[:, 0] + rng.normal(size=200) > 0.8, "rare", "common")
    # weights that differ by class, so that weighted and unweighted balancing disagree
    sw = rng.uniform(0.1, 3.0, size=200) * np.where(y == "rare", 2.0, 1.0)
    return X, y, sw


@pytest.mark.parametrize("model", [
    LogisticRegression(class_weight="balanced"),
    LogisticRegressionCV(class_weight="balanced", cv=3),
    DecisionTreeClassifier(class_weight="balanced", random_state=0),
    RandomForestClassifier(n_estimators=5, class_weight="balanced", bootstrap=False, random_state=0),
    RandomForestClassifier(n_estimators=5, class_weight="balanced_subsample", random_state=0),
    HistGradientBoostingClassifier(class_weight="balanced", max_iter=5),
], ids=lambda m: type(m).__name__)
def test_empty_coalition_with_balanced_classes_and_sample_weight_is_the_constant_fit(model):
    X, y, sw = _data()
    est = ShapleyRegressionExplainer(model, random_state=0).fit(X, y, sample_weight=sw)
    # the model's own fit on no information (every column constant), where it is order-free
    Z = np.zeros_like(X)
    own = clone(model).fit(Z, y, sample_weight=sw).predict_proba(Z[:1])[0]
    np.testing.assert_allclose(est.expected_value_, own, atol=1e-4)
    # and the values add up to the predictions
    phi = est.transform(X[:5])
    np.testing.assert_allclose(phi.sum(axis=1) + est.expected_value_[est.target_index_],
                               est.predict_proba(X[:5])[:, est.target_index_], atol=1e-9)


def test_logistic_regression_balances_weighted_counts_here():
    # the premise: this scikit-learn balances logistic regression on the weighted counts
    if "sample_weight" not in inspect.signature(compute_class_weight).parameters:
        pytest.skip("this scikit-learn balances on unweighted counts")
    X, y, sw = _data()
    p = LogisticRegression(class_weight="balanced").fit(np.zeros_like(X), y, sample_weight=sw)
    np.testing.assert_allclose(p.predict_proba(np.zeros((1, 3)))[0], [0.5, 0.5], atol=1e-6)


def test_balanced_sample_weight_with_a_class_of_zero_weight_is_not_nan():
    # every row of a class weighs 0: its balanced weight is inf, and inf * 0 made the prior's
    # sample weights NaN (the fit failed, blaming the model's columns)
    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 3))
    y = np.array(list("abc"))[np.digitize(X[:, 0] + rng.normal(size=300), [0.3, 1.2])]
    sw = rng.uniform(0.1, 3.0, size=300)
    sw[y == "c"] = 0.0
    est = ShapleyRegressionExplainer(LogisticRegression(class_weight="balanced")).fit(X, y, sample_weight=sw)
    # the classes that weigh anything are balanced; the one that weighs nothing gets 0
    np.testing.assert_allclose(est.expected_value_, [0.5, 0.5, 0.0], atol=1e-12)
