"""Two messages an outside audit of the scikit-learn workflows found unclear (session 26)."""

import re

import numpy as np
import pytest
from sklearn.cluster import DBSCAN
from sklearn.datasets import load_iris, load_wine
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.preprocessing import StandardScaler

import skxai
from skxai import KernelShapExplainer, LimeExplainer, ShapleySamplingExplainer
from skxai.metrics import one_standard_error_rule


@pytest.mark.parametrize("explainer", [KernelShapExplainer, ShapleySamplingExplainer, LimeExplainer])
@pytest.mark.parametrize(
    "make, name, missing",
    [
        (lambda X: DBSCAN().fit(X), "DBSCAN", "predict, predict_proba or decision_function"),
        (lambda X: FrozenEstimator(DBSCAN().fit(X)), "FrozenEstimator(DBSCAN)", "predict, predict_proba"),
        (lambda X: FrozenEstimator(StandardScaler().fit(X)), "FrozenEstimator(StandardScaler)", "predict"),
    ],
)
def test_a_model_with_no_output_is_named_with_what_it_lacks(explainer, make, name, missing):
    # DBSCAN was told it is not "a scikit-learn estimator", and a frozen model's message named
    # the wrapper ("FrozenEstimator has none of ('predict',)")
    X, _ = load_iris(return_X_y=True)
    with pytest.raises((TypeError, ValueError), match=re.escape(f"Cannot explain {name}: it has none of {missing}")):
        explainer(make(X), random_state=0).fit(X[:40])


def test_one_standard_error_rule_given_as_the_class_says_to_name_the_parameter():
    # refit=one_standard_error_rule (as the user guide worded it) built a rule from cv_results_
    # and GridSearchCV died with "best_index_ returned is not an integer"
    X, y = load_wine(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    ig = skxai.IntegratedGradientsExplainer(FrozenEstimator(LogisticRegression(max_iter=500).fit(X, y)))
    search = GridSearchCV(ig, {"n_steps": [2, 8]}, cv=3, refit=one_standard_error_rule)
    with pytest.raises(TypeError, match=re.escape("refit=one_standard_error_rule('n_steps')")):
        search.fit(X[:60])
    search = GridSearchCV(ig, {"n_steps": [2, 8]}, cv=3, refit=one_standard_error_rule("n_steps")).fit(X[:60])
    assert search.best_params_["n_steps"] in (2, 8)
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
