"""``response_method="predict"`` on a classifier: refused by the torch families too.

A classifier's ``predict`` gives labels, which have no additive decomposition; the tabular
families refuse it (the vocabulary page says so). The gradient and CAM explainers mapped it
to the logits and explained those, recording ``quantity="logit"``, for a LogisticRegression
converted to torch or a skorch classifier. Regressors and plain modules keep ``"predict"``
(their output).
"""

import numpy as np
import pytest
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LinearRegression, LogisticRegression

from skxai import GradientExplainer, IntegratedGradientsExplainer, KernelShapExplainer, SmoothGradExplainer

RS = np.random.RandomState(0)
X = RS.normal(size=(40, 3))
CLF = LogisticRegression().fit(X, (X[:, 0] > 0).astype(int))
REG = LinearRegression().fit(X, X @ [1.0, -2.0, 0.5])


@pytest.mark.parametrize(
    "cls",
    [GradientExplainer, IntegratedGradientsExplainer, SmoothGradExplainer, KernelShapExplainer],
    ids=lambda c: c.__name__,
)
def test_predict_of_a_classifier_is_refused(cls):
    with pytest.raises(ValueError, match=r"response_method='predict' returns class labels"):
        cls(FrozenEstimator(CLF), response_method="predict").fit(X)


def test_predict_of_a_regressor_is_its_output():
    exp = GradientExplainer(FrozenEstimator(REG), response_method="predict").fit(X)
    assert exp.quantity_ == "prediction"
    np.testing.assert_allclose(exp.transform(X[:2]), np.tile(REG.coef_, (2, 1)), rtol=1e-10)
