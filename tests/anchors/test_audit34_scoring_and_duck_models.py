"""Anchors' own scores by name, and duck-typed models (audit34d).

- ``scoring="precision"`` / ``"coverage"``, which the anchors' docstrings and constraints name,
  were refused at ``fit`` by the metrics' name check: no anchor explainer could be tuned on
  coverage by name (GridSearchCV failed every fit).
- A plain class with ``fit`` and ``predict`` (no scikit-learn tags) crashed the anchors and
  LIME-text ``fit`` with scikit-learn's own "inherit from BaseEstimator" AttributeError; one
  with ``predict_proba`` only was refused by the tabular families.
"""

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.utils._param_validation import InvalidParameterError

from skxai import AnchorTextExplainer, KernelShapExplainer, LimeTextExplainer
from skxai.anchors import AnchorTabularExplainer

CORPUS = ["the food was superb", "bland food", "superb staff", "slow service", "superb view", "cold soup"] * 3
LABELS = [1, 0, 1, 0, 1, 0] * 3


class _Superb:
    """Says "yes" when a document holds "superb": fit and predict only, no tags."""

    classes_ = np.array(["no", "yes"])

    def fit(self, X, y=None):
        return self

    def predict(self, docs):
        return np.array(["yes" if "superb" in d.split() else "no" for d in docs])


class _IrisRule:
    classes_ = np.array([0, 1, 2])

    def fit(self, X, y=None):
        return self

    def _cls(self, X):
        X = np.asarray(X)
        return np.where(X[:, 2] < 2.5, 0, np.where(X[:, 3] < 1.75, 1, 2))

    def predict(self, X):
        return self._cls(X)

    def predict_proba(self, X):
        return np.eye(3)[self._cls(X)]


def _text_model():
    return make_pipeline(CountVectorizer(), LogisticRegression()).fit(CORPUS, LABELS)


def test_anchor_scores_by_name():
    model = _text_model()
    docs = ["the food was superb", "slow service"]
    kw = dict(random_state=0, max_rows=4000)
    precision = AnchorTextExplainer(model, scoring="precision", **kw).fit(CORPUS)
    default = AnchorTextExplainer(model, **kw).fit(CORPUS)
    assert precision.score(docs) == default.score(docs)
    coverage = AnchorTextExplainer(model, scoring="coverage", **kw).fit(CORPUS)
    assert coverage.score(docs) == pytest.approx(np.mean(coverage.explain(docs).coverage))
    X = load_iris().data
    tab = AnchorTabularExplainer(_IrisRule(), scoring="coverage", random_state=0).fit(X)
    assert tab.score(X[:3]) == pytest.approx(np.mean(tab.explain(X[:3]).coverage))
    # a name that is neither the anchors' nor a metric's is still refused at fit
    with pytest.raises(InvalidParameterError, match="scoring"):
        AnchorTextExplainer(model, scoring="infidelity").fit(CORPUS)


def test_grid_search_over_an_anchor_on_coverage_by_name():
    search = GridSearchCV(
        AnchorTextExplainer(FrozenEstimator(_text_model()), scoring="coverage", random_state=0, max_rows=4000),
        {"threshold": [0.9, 0.95]},
        cv=2,
        error_score="raise",
    ).fit(CORPUS)
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()


def test_duck_typed_models():
    doc = ["the food was superb and kind"]
    anchor = AnchorTextExplainer(_Superb(), random_state=0).fit(CORPUS).explain(doc)
    assert anchor.anchor[0] == ("superb",)
    # LIME explains scores: labels are refused by name, not by scikit-learn's tags error
    with pytest.raises(TypeError, match="must return numbers"):
        LimeTextExplainer(_Superb(), n_samples=200, random_state=0).fit(CORPUS).explain(doc)
    X = load_iris().data
    tab = AnchorTabularExplainer(_IrisRule(), random_state=0).fit(X).explain(X[:2])
    assert tab.success.all()
    # predict_proba and classes_ without tags: a classifier's probabilities
    shap = KernelShapExplainer(_IrisRule(), target=2, random_state=0).fit(X[:20])
    assert shap.quantity_ == "probability"
    phi = shap.transform(X[100:101])
    assert phi.sum() + shap.expected_value_[2] == pytest.approx(1.0)  # class 2, probability 1
