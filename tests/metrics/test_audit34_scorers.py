"""Scorers in scikit-learn searches (audit34m)."""

import pickle

import numpy as np
import pytest
from sklearn.datasets import load_diabetes
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import Ridge
from sklearn.model_selection import GridSearchCV, cross_validate

from skxai import KernelShapExplainer
from skxai.metrics import get_metric_names, make_explanation_scorer


@pytest.mark.parametrize("name", get_metric_names())
def test_every_scorer_pickles(name):
    # the Average Drop / Gain scorers wrapped a nested function: a fitted search scored on them
    # could not be saved
    scorer = make_explanation_scorer(name)
    again = pickle.loads(pickle.dumps(scorer))
    assert repr(again) == repr(scorer)


def test_a_fitted_search_is_scored_through_its_best_estimator():
    # nested cross-validation of a tuned explainer: every outer score was NaN
    X, y = load_diabetes(return_X_y=True)
    X, y = X[:80, :5], y[:80]
    scorer = make_explanation_scorer("infidelity", n_perturbations=8)
    explainer = KernelShapExplainer(FrozenEstimator(Ridge().fit(X, y)), random_state=0)
    search = GridSearchCV(explainer, {"n_samples": [16, 32]}, scoring=scorer, cv=2).fit(X)
    assert scorer(search, X[:10]) == scorer(search.best_estimator_, X[:10])
    outer = cross_validate(search, X, scoring=scorer, cv=2, error_score="raise")
    assert np.isfinite(outer["test_score"]).all()
    pickle.loads(pickle.dumps(search))
    with pytest.raises(TypeError, match="scores a fitted skxai explainer"):
        scorer(Ridge().fit(X, y), X[:10])


def test_integrated_gradients_default_score_is_named_as_relative():
    torch = pytest.importorskip("torch")
    from skxai import IntegratedGradientsExplainer
    from skxai.metrics import completeness_gap
    from skxai.report._sections import _signed_name

    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 2))
    X = np.random.default_rng(0).normal(size=(10, 4)).astype(np.float32)
    ig = IntegratedGradientsExplainer(net, n_steps=4, method="riemann_left").fit(X)
    relative = -np.mean(completeness_gap(ig, X, relative=True))
    assert ig.score(X) == pytest.approx(relative, rel=1e-5)
    assert _signed_name(ig._default_scoring) == "\u2212relative completeness_gap"


def test_a_search_without_refit_is_said_so():
    X, y = load_diabetes(return_X_y=True)
    X, y = X[:60, :4], y[:60]
    scorer = make_explanation_scorer("infidelity", n_perturbations=4)
    explainer = KernelShapExplainer(FrozenEstimator(Ridge().fit(X, y)), random_state=0)
    search = GridSearchCV(explainer, {"n_samples": [16, 32]}, scoring=scorer, cv=2, refit=False).fit(X)
    with pytest.raises(TypeError, match="refit=False"):
        scorer(search, X[:10])
