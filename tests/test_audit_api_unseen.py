"""Audit of the scikit-learn integration on inputs its authors did not try: every bug found has a test here."""

import numpy as np
import pytest
import sklearn
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import GridSearchCV

from skxai import ExactShapleyExplainer, KernelShapExplainer
from skxai.metrics import deletion_auc, infidelity, make_explanation_scorer, sparseness

rng = np.random.RandomState(0)
X = rng.normal(size=(40, 3))
model = LinearRegression().fit(X, X @ [1.0, 2.0, 3.0])


def test_explanation_score_refuses_sample_weight_without_y():
    # score(X, sample_weight=w) used to return the unweighted explanation quality
    ex = ExactShapleyExplainer(model).fit(X)
    with pytest.raises(ValueError, match="sample_weight without y"):
        ex.score(X[:5], sample_weight=np.r_[1.0, np.zeros(4)])
    # with y the weights still reach the model's score
    w = np.r_[np.ones(3), np.zeros(2)]
    assert ex.score(X[:5], X[:5] @ [1.0, 2.0, 3.0], sample_weight=w) == pytest.approx(1.0)


def test_routed_score_weight_in_a_search_without_y_is_refused_not_dropped():
    with sklearn.config_context(enable_metadata_routing=True):
        ex = KernelShapExplainer(FrozenEstimator(model), n_samples=16, random_state=0)
        ex.set_score_request(sample_weight=True)
        search = GridSearchCV(ex, {"max_background": [5, 10]}, cv=2, error_score="raise")
        with pytest.raises(ValueError, match="sample_weight without y"):
            search.fit(X, sample_weight=np.ones(len(X)))


@pytest.mark.parametrize("metric", [sparseness, infidelity, deletion_auc])
def test_scoring_parameter_takes_skxai_metric_functions(metric):
    # scoring=skxai.metrics.sparseness used to fail at score with "sparseness() takes 2
    # positional arguments but 3 were given" (GridSearchCV: NaN scores and a warning)
    ex = ExactShapleyExplainer(model, scoring=metric).fit(X)
    expected = make_explanation_scorer(metric)(ex, X[:4])
    assert ex.score(X[:4]) == expected
    assert ExactShapleyExplainer(model, scoring=metric.__name__).fit(X).score(X[:4]) == expected
