"""scikit-learn integration of the tabular explainers: metadata routing and fit parameters."""

import numpy as np
import pytest
import sklearn
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skxai import KernelShapExplainer, LimeExplainer, ShapleyRegressionExplainer

rng = np.random.RandomState(0)
X = rng.normal(size=(60, 3))
y = (X[:, 0] + X[:, 1] > 0).astype(int)
w = np.r_[np.ones(30), np.full(30, 1e-6)]

EXPLAINERS = [
    lambda est: KernelShapExplainer(est, n_samples=32, random_state=0),
    lambda est: LimeExplainer(est, n_samples=50, random_state=0),
    lambda est: ShapleyRegressionExplainer(est, random_state=0),
]


@pytest.mark.parametrize("make", EXPLAINERS)
def test_metadata_routing_sends_sample_weight_to_the_estimator(make):
    expected = LogisticRegression().fit(StandardScaler().fit_transform(X), y, sample_weight=w).coef_
    with sklearn.config_context(enable_metadata_routing=True):
        explainer = make(LogisticRegression().set_fit_request(sample_weight=True))
        pipe = make_pipeline(StandardScaler().set_fit_request(sample_weight=False), explainer)
        pipe.fit(X, y, sample_weight=w)
        np.testing.assert_allclose(pipe[-1].estimator_.coef_, expected)
        # not requested by the estimator: sample_weight is refused, as scikit-learn does
        explainer = make(LogisticRegression())
        with pytest.raises(Exception, match="sample_weight"):
            explainer.fit(X, y, sample_weight=w)


def test_metadata_routing_keeps_the_score_request():
    with sklearn.config_context(enable_metadata_routing=True):
        explainer = KernelShapExplainer(LogisticRegression(), n_samples=32).set_score_request(sample_weight=True)
        pipe = make_pipeline(StandardScaler(), explainer).fit(X, y)
        half = np.r_[np.ones(30), np.zeros(30)]
        expected = pipe[-1].estimator_.score(pipe[0].transform(X), y, sample_weight=half)
        assert pipe.score(X, y, sample_weight=half) == pytest.approx(expected)


@pytest.mark.parametrize("wrap", [lambda m: m, FrozenEstimator], ids=["fitted", "frozen"])
def test_fit_params_for_a_model_used_as_is_are_refused_not_ignored(wrap):
    model = wrap(LogisticRegression().fit(X, y))
    with pytest.raises(ValueError, match="sample_weight.*would be ignored"):
        KernelShapExplainer(model, n_samples=32).fit(X, sample_weight=w)


@pytest.mark.parametrize("family", ["kernel", "torch"])
def test_grid_search_over_a_plain_fitted_model_names_frozen_estimator(family):
    # clone unfits a plain fitted model, so GridSearchCV hands every fold an unfitted one: the
    # error must say why and what to do, and the FrozenEstimator route must then work.
    from sklearn.frozen import FrozenEstimator
    from sklearn.linear_model import LinearRegression
    from sklearn.model_selection import GridSearchCV

    from skxai import KernelShapExplainer, SmoothGradExplainer

    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 3))
    model = LinearRegression().fit(X, X @ [1.0, -2.0, 0.5])
    if family == "kernel":
        make, grid = (lambda m: KernelShapExplainer(m, n_samples=8, random_state=0)), {"max_background": [5, 10]}
    else:
        pytest.importorskip("torch")
        make, grid = (lambda m: SmoothGradExplainer(m, n_samples=2, random_state=0)), {"sigma": [0.1, 0.2]}
    search = GridSearchCV(make(model), grid, cv=2, error_score="raise")
    with pytest.raises(ValueError, match="FrozenEstimator.*clone"):
        search.fit(X)
    search = GridSearchCV(make(FrozenEstimator(model)), grid, cv=2).fit(X)
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
