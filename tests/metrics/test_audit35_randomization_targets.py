"""The model randomisation test randomises the model that predicts (session 35, an outside audit;
both fail on the code before).

- ``Pipeline(SelectFromModel(Lasso), RandomForestRegressor)``: the selector's Lasso was
  randomised, the forest left trained, and the test reported that the explanation depends on the
  model's parameters;
- ``SVC(kernel="linear")``: its read-only ``coef_`` failed with a raw AttributeError.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_diabetes
from sklearn.ensemble import RandomForestRegressor
from sklearn.feature_selection import SelectFromModel
from sklearn.linear_model import Lasso, LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from skxai import ExactShapleyExplainer
from skxai.metrics import model_randomization_test

X, y = load_diabetes(return_X_y=True)
X = X[:120, :6]
y = y[:120]


def test_a_selector_before_the_model_is_not_randomised():
    pipe = make_pipeline(SelectFromModel(Lasso(alpha=0.1), max_features=4), RandomForestRegressor(5, random_state=0))
    explainer = ExactShapleyExplainer(pipe.fit(X, y)).fit(X[:20])
    with pytest.raises(TypeError, match="No randomisable model found"):
        model_randomization_test(explainer, X[:5], random_state=0)


def test_a_read_only_coef_is_refused_clearly():
    svc = SVC(kernel="linear").fit(X, y > np.median(y))
    explainer = ExactShapleyExplainer(svc, response_method="decision_function").fit(X[:20])
    with pytest.raises(TypeError, match="No randomisable model found"):
        model_randomization_test(explainer, X[:5], random_state=0)


def test_the_last_step_of_a_pipeline_is_still_found():
    pipe = make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y > np.median(y))
    coef = pipe[-1].coef_.copy()
    explainer = ExactShapleyExplainer(pipe).fit(X[:20])
    result = model_randomization_test(explainer, X[:5], random_state=0)
    assert result is not None
    np.testing.assert_array_equal(pipe[-1].coef_, coef)  # the user's model restored
