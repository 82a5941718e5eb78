"""TreeSHAP's refusals say what works (session 35, an outside audit; both fail on the code before).

- GradientBoosting started from an estimator (init=DecisionTreeRegressor()) was refused as "not
  a tree" (it is one) with a ValueError and no way forward;
- the negative class of a boosted binary classifier, path-dependent, was refused with advice
  (response_method='predict_proba') that the next fit refused in turn.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import GradientBoostingClassifier, GradientBoostingRegressor
from sklearn.tree import DecisionTreeRegressor

from skxai import TreeShapExplainer

X, y = load_breast_cancer(return_X_y=True)
X = X[:200, :5]
y = y[:200]


def test_an_estimator_as_init_is_refused_with_the_way_forward():
    model = GradientBoostingRegressor(n_estimators=5, init=DecisionTreeRegressor(max_depth=2)).fit(X, y)
    with pytest.raises(TypeError, match="depends on the input.*KernelShapExplainer or ExactShapleyExplainer"):
        TreeShapExplainer(model).fit(X[:20])


def test_the_negative_class_advice_works_in_the_path_dependent_game():
    labels = np.where(y == 1, "benign", "malignant")
    model = GradientBoostingClassifier(n_estimators=5, random_state=0).fit(X, labels)
    with pytest.raises(ValueError, match="feature_perturbation='interventional'") as caught:
        TreeShapExplainer(model, target="benign").fit(X[:20])
    assert "negatives of these" in str(caught.value)
    # the advice, followed, explains the class asked for
    ex = TreeShapExplainer(
        model, target="benign", response_method="predict_proba", feature_perturbation="interventional"
    ).fit(X[:20])
    assert ex.output_names_[ex.target_index_] == "benign"
