"""An outside audit (session 30): a plain callable returning string class labels was refused by
the anchors ("must return numbers") though one column is documented as class labels; a text
LIME callable with several outputs was not told of target="predicted"; a document of emoji or
punctuation alone was called empty."""

import numpy as np
import pandas as pd
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.tree import DecisionTreeClassifier

from skxai import AnchorTabularExplainer, AnchorTextExplainer, LimeTextExplainer

DOCS = ["a great film", "great acting", "a dull film", "dull and slow", "so so", "fine enough"] * 5
LABELS = ["pos", "pos", "neg", "neg", "mid", "mid"] * 5


@pytest.fixture(scope="module")
def text_model():
    return make_pipeline(TfidfVectorizer(), LogisticRegression()).fit(DOCS, LABELS)


def test_text_anchors_read_a_callables_string_labels(text_model):
    rows = ["a great film", "dull and slow", "so so"]
    by_labels = AnchorTextExplainer(lambda t: text_model.predict(t), random_state=0).fit(DOCS).explain(rows)
    by_model = AnchorTextExplainer(text_model, random_state=0).fit(DOCS).explain(rows)
    assert by_labels.anchor == by_model.anchor
    np.testing.assert_array_equal(by_labels.precision, by_model.precision)
    assert list(by_labels.prediction) == ["pos", "neg", "mid"]


def test_tabular_anchors_read_a_callables_string_labels():
    X = np.random.RandomState(0).normal(size=(200, 3))
    tree = DecisionTreeClassifier(max_depth=2, random_state=0).fit(X, np.where(X[:, 0] > 0, "hi", "lo"))
    by_labels = AnchorTabularExplainer(lambda A: tree.predict(A), random_state=0).fit(X).explain(X[:4])
    by_model = AnchorTabularExplainer(tree, random_state=0).fit(X).explain(X[:4])
    assert by_labels.anchor == by_model.anchor
    np.testing.assert_array_equal(by_labels.precision, by_model.precision)
    assert list(by_labels.prediction) == list(tree.predict(X[:4]))


def test_a_callables_numbers_in_an_object_array_are_still_scores(text_model):
    scores = AnchorTextExplainer(lambda t: text_model.predict_proba(t).astype(object), random_state=0).fit(DOCS)
    assert scores.n_outputs_ == 3


def test_text_lime_names_target_predicted_for_a_callable_of_several_outputs(text_model):
    with pytest.raises(ValueError, match=r'target=<output index> \(0..2\), or target="predicted"'):
        LimeTextExplainer(lambda t: text_model.predict_proba(t)).fit(DOCS)
    exp = LimeTextExplainer(lambda t: text_model.predict_proba(t), target="predicted", random_state=0).fit(DOCS)
    assert exp.explain(["a great film"]).values.shape[0] == 1


@pytest.mark.parametrize("doc", ["\U0001f600\U0001f600", "!!! ?? ..."])
@pytest.mark.parametrize("cls", [AnchorTextExplainer, LimeTextExplainer])
def test_a_document_no_token_matches_is_not_called_empty(text_model, cls, doc):
    ex = cls(text_model, random_state=0).fit(DOCS)
    with pytest.raises(ValueError, match="no part of .* matches token_pattern") as info:
        ex.explain([doc])
    assert "empty" not in str(info.value)
    with pytest.raises(ValueError, match=r"has no tokens \(empty document\)"):
        ex.explain(["   "])


@pytest.mark.parametrize("wrap", [pd.Series, pd.Categorical])
def test_labels_in_a_pandas_series_or_categorical_are_labels_too(text_model, wrap):
    rows = ["a great film", "dull and slow"]
    wrapped = AnchorTextExplainer(lambda t: wrap(text_model.predict(t)), random_state=0).fit(DOCS).explain(rows)
    plain = AnchorTextExplainer(lambda t: text_model.predict(t), random_state=0).fit(DOCS).explain(rows)
    assert wrapped.anchor == plain.anchor and list(wrapped.prediction) == ["pos", "neg"]


def test_metrics_given_plain_attributions_ask_the_model_nothing_more():
    # the attributions' check asked the explainer for its targets whatever they were: a second
    # model pass, and a label callable's anchors refused ("must return numbers")
    from skxai.metrics import sparseness

    X = np.random.RandomState(0).normal(size=(200, 3))
    tree = DecisionTreeClassifier(max_depth=2, random_state=0).fit(X, np.where(X[:, 0] > 0, "hi", "lo"))
    ex = AnchorTabularExplainer(lambda A: tree.predict(A), random_state=0).fit(X)
    A = ex.transform(X[:4])
    np.testing.assert_array_equal(sparseness(ex, X[:4], attributions=A), sparseness(ex, X[:4]))
