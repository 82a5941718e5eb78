"""scikit-learn's estimator checks over every tabular explainer."""

from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.utils.estimator_checks import parametrize_with_checks

from skxai import (
    ExactShapleyExplainer,
    KernelShapExplainer,
    LimeExplainer,
    ShapleyRegressionExplainer,
    ShapleySamplingExplainer,
)

# Checks that do not apply to explainers: they transform to attributions of a *model's*
# output, so fitting on a y of another kind than the wrapped model's is not meaningful.
EXPECTED_FAILURES = {}

EXPLAINERS = [
    ExactShapleyExplainer(LinearRegression(), max_background=20, random_state=0),
    KernelShapExplainer(LinearRegression(), n_samples=64, max_background=20, random_state=0),
    ShapleySamplingExplainer(LinearRegression(), n_permutations=8, max_background=20, random_state=0),
    LimeExplainer(LinearRegression(), n_samples=200, max_background=20, random_state=0),
    ShapleyRegressionExplainer(LinearRegression(), max_features=12, random_state=0),
    KernelShapExplainer(LogisticRegression(), n_samples=64, max_background=20, random_state=0),
]


@parametrize_with_checks(EXPLAINERS, expected_failed_checks=lambda est: EXPECTED_FAILURES)
def test_sklearn_compatible(estimator, check):
    check(estimator)
