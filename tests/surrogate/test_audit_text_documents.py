"""Audit of the text explainers (LIME, Anchors) on documents and settings their authors did not try."""

import numpy as np
import pytest

from skxai.anchors import AnchorTextExplainer
from skxai.surrogate import LimeTextExplainer


def _keyword_model(docs):
    p = np.array([0.9 if "great" in d else 0.2 for d in docs])
    return np.column_stack([1 - p, p])


def test_token_pattern_matching_the_empty_string_gives_no_empty_players():
    # r"\w*" also matches the empty string between two words: "" became a player, with a LIME
    # weight of its own and a place in the anchor ("anchor ('', 'great')"), and a word of the
    # fitted vocabulary.
    corpus = ["a great, great film!", "a dull film", "great cast"]
    lime = LimeTextExplainer(_keyword_model, n_samples=200, target=1, token_pattern=r"\w*", random_state=0)
    exp = lime.fit(corpus).explain(corpus[:1])
    assert exp.words == [["a", "great", "film"]] and exp.tokens == [["a", "great", "great", "film"]]
    assert "" not in lime.vocabulary_
    anchors = AnchorTextExplainer(_keyword_model, token_pattern=r"\w*", random_state=0).fit(corpus)
    aexp = anchors.explain(corpus[:1])
    assert aexp.anchor == [("great",)] and "" not in anchors.vocabulary_
    assert aexp.coverage[0] == pytest.approx(2 / 3)
