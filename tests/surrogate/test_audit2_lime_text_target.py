"""LimeTextExplainer's Explanation says which class it explains in ``target_index``.

doc/user_guide/vocabulary.rst: "Every ``Explanation`` holds the explained class of each sample
in ``target_index``"; LimeTextExplainer's held None there (the class was only in ``target``).
"""

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from skxai import LimeTextExplainer

DOCS = [
    "good fine movie",
    "bad awful film",
    "ok average plot",
    "great good film",
    "terrible bad plot",
    "fine ok movie",
] * 5
LABELS = [2, 0, 1, 2, 0, 1] * 5


def _model():
    return make_pipeline(CountVectorizer(), LogisticRegression()).fit(DOCS, LABELS)


def test_target_index_is_the_predicted_class_per_document():
    model = _model()
    docs = ["good bad ok film", "bad awful plot", "great fine movie"]
    explainer = LimeTextExplainer(model, n_samples=100, random_state=0).fit(DOCS)
    exp = explainer.explain(docs)
    predicted = np.searchsorted(model.classes_, model.predict(docs))
    np.testing.assert_array_equal(exp.target_index, predicted)
    np.testing.assert_array_equal(exp.target_index, exp.target)
    assert exp[1].target_index == predicted[1]


def test_target_index_follows_a_fixed_target():
    model = _model()
    exp = (
        LimeTextExplainer(model, n_samples=100, random_state=0, target=1)
        .fit(DOCS)
        .explain(["good bad ok film", "bad awful plot"])
    )
    np.testing.assert_array_equal(exp.target_index, [1, 1])
