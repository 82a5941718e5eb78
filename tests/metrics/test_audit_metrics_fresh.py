"""Fresh audit of the metrics and of ``score`` as a search scorer (closed forms, edge cases)."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.dummy import DummyRegressor
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LinearRegression

from skxai import ExactShapleyExplainer
from skxai.metrics import (
    average_drop_increase_gain,
    faithfulness_correlation,
    get_metric_names,
    make_explanation_scorer,
    sparseness,
)


def _constant_model_explainer():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 4))
    model = DummyRegressor().fit(X, X @ [3.0, -2, 1, 0])
    return ExactShapleyExplainer(model).fit(X), X


def test_faithfulness_correlation_of_a_constant_model_is_zero_not_rounding_noise():
    # The background mean of a constant output differs from it by ulps for some subsets
    # (-2.8e-17 here); Pearson's r of those ulps against the attributed masses was -0.10.
    ex, X = _constant_model_explainer()
    phi = np.random.RandomState(1).normal(size=(3, 4))
    r = faithfulness_correlation(ex, X[:3], attributions=phi, n_subsets=10)
    assert np.array_equal(r, np.zeros(3))


@pytest.fixture(scope="module")
def text_explainer():
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    from skxai import LimeTextExplainer

    docs = ["good movie great", "bad movie awful", "great fun", "awful boring bad"] * 4
    model = make_pipeline(TfidfVectorizer(), LogisticRegression()).fit(docs, [1, 0, 1, 0] * 4)
    return LimeTextExplainer(FrozenEstimator(model), n_samples=20, random_state=0).fit(docs), docs[:2]


@pytest.mark.parametrize("name", [n for n in get_metric_names() if n != "sparseness"])
def test_perturbation_metrics_refuse_text_by_name(text_explainer, name):
    # before: "could not convert string to float: np.str_('good movie great')"
    ex, docs = text_explainer
    with pytest.raises(ValueError, match="does not apply to text"):
        make_explanation_scorer(name)(ex, docs)
    with pytest.raises(ValueError, match="does not apply to text"):
        clone(ex).set_params(scoring=name).fit(docs).score(docs)


def test_sparseness_refuses_a_sparse_text_explanation(text_explainer):
    # before: "setting an array element with a sequence."
    ex, docs = text_explainer
    with pytest.raises(ValueError, match="does not apply to sparse attributions"):
        sparseness(ex, docs)


@pytest.mark.parametrize("name", ["average_drop", "increase_in_confidence", "average_gain"])
def test_drop_gain_refuse_a_regressor_under_auto(name):
    # before: a LinearRegression's predictions went through a sigmoid (or, in [0, 1], were
    # read as probabilities): average_drop 0.0095 for a model with no class confidence
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 4))
    model = LinearRegression().fit(X, X @ [3.0, -2, 1, 0])
    ex = ExactShapleyExplainer(model).fit(X)
    with pytest.raises(ValueError, match="explains a regression output"):
        make_explanation_scorer(name)(ex, X[:5])
    # an explicit choice stays the user's
    res = average_drop_increase_gain(ex, X[:5], probabilities="sigmoid")
    assert res.drop.shape == (5,)
