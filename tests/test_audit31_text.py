"""Findings of a text audit: LIME text's fit-time parameters, a repeated vocabulary word, one
score per document read as a decision, numeric replacements, and the report's anchor quantity."""

import warnings

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from skxai.anchors import AnchorTextExplainer
from skxai.surrogate import LimeTextExplainer

DOCS = [
    "a witty and warm film", "dull plot and flat acting", "great fun from start to end",
    "boring dull film", "a warm great story", "flat and boring", "witty great acting", "dull and slow plot",
] * 3  # fmt: skip
LABELS = ["pos", "neg", "pos", "neg", "pos", "neg", "pos", "neg"] * 3


@pytest.fixture(scope="module")
def model():
    return make_pipeline(TfidfVectorizer(), LogisticRegression()).fit(DOCS, LABELS)


@pytest.mark.parametrize("change", [{"response_method": "decision_function"}, {"token_pattern": r"\S+"}])
def test_lime_text_refuses_a_fit_time_parameter_changed_after_fit(model, change):
    lime = LimeTextExplainer(model, n_samples=50, random_state=0).fit(DOCS)
    lime.set_params(**change)
    (name,) = change
    for call in (lime.explain, lime.transform):
        with pytest.raises(ValueError, match=rf"{name}=.*set after fit"):
            call(["a witty film"])
    lime.fit(DOCS)  # a refit takes the new value
    assert lime.transform(["a witty film"]).shape[0] == 1


def test_lime_text_refuses_a_vocabulary_that_repeats_a_word(model):
    with pytest.raises(ValueError, match=r"vocabulary repeats \['film'\]"):
        LimeTextExplainer(model, vocabulary=["film", "witty", "film"]).fit(DOCS)
    lime = LimeTextExplainer(model, n_samples=50, vocabulary=["film", "witty"], random_state=0).fit(DOCS)
    lime.set_params(vocabulary=["film", "witty", "film"])  # read at transform: checked there too
    with pytest.raises(ValueError, match=r"vocabulary repeats \['film'\]"):
        lime.transform(["a witty film"])


def test_anchors_warn_that_one_probability_per_document_is_read_as_labels(model):
    # each document's exact probability was its own "class": the anchor kept every word, precision 1
    def p_pos(texts):
        return model.predict_proba(list(texts))[:, 1]

    with pytest.warns(UserWarning, match="read as its class label, and some are not integers"):
        AnchorTextExplainer(p_pos, random_state=0).fit(DOCS)

    def labels(texts):  # one column of labels is a decision
        return (p_pos(texts) > 0.5).astype(float)

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        exp = AnchorTextExplainer(labels, random_state=0).fit(DOCS).explain(["a witty film"])
    assert exp.prediction[0] == 1.0


def test_anchors_name_a_perturbation_that_returns_numbers(model):
    def numbers(tokens, keep, rng):
        return np.where(keep, 0, 1)

    with pytest.raises(ValueError, match="returned int 1 as a replacement; replacements are strings"):
        AnchorTextExplainer(model, random_state=0, perturbation=numbers).fit(DOCS).explain(["a witty film"])

    def unk(tokens, keep, rng):  # string arrays take the fast path
        return np.where(keep, np.asarray(tokens, dtype=object), "UNK").astype(str)

    assert AnchorTextExplainer(model, random_state=0, perturbation=unk).fit(DOCS).explain(["a witty film"]).success[0]


def test_the_report_says_anchors_explain_the_models_decision(model, tmp_path):
    pytest.importorskip("matplotlib")
    from skxai.report import make_report

    anchors = AnchorTextExplainer(model, random_state=0).fit(DOCS)
    make_report(anchors, ["a dull film", "a witty film"], path=tmp_path / "r.html")
    page = (tmp_path / "r.html").read_text()
    row = page[page.index("quantity explained") :][:300]
    assert "decision" in row and "predict" in row and "probability" not in row
