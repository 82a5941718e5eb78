"""Audit 37: words with combining marks are one token; a model that takes no texts is said."""

import re
import unicodedata

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from skxai import AnchorTextExplainer, LimeTextExplainer
from skxai._text import DEFAULT_TOKEN_PATTERN, compile_pattern, token_matches

NFD = unicodedata.normalize("NFD", "résumé café great")


@pytest.mark.parametrize(
    "text, words",
    [
        (NFD, ["résumé", "café", "great"]),
        ("यह उत्पाद बहुत अच्छा है", ["यह", "उत्पाद", "बहुत", "अच्छा", "है"]),
        ("שָׁלוֹם טוֹב great", ["שָׁלוֹם", "טוֹב", "great"]),
        ("don't stop", ["don't", "stop"]),
    ],
)
def test_a_word_keeps_its_combining_marks(text, words):
    # \w leaves out combining marks: "résumé" (decomposed) was the tokens "re" and "sume"
    tokens = token_matches(compile_pattern(DEFAULT_TOKEN_PATTERN), text)
    nfc = [unicodedata.normalize("NFC", t.group(0)) for t in tokens]
    assert nfc == [unicodedata.normalize("NFC", w) for w in words]
    assert "".join(text[t.start() : t.end()] for t in tokens) == "".join(w for w in text.split())


def _likes_cafe(docs):
    p = np.array([0.9 if "café" in unicodedata.normalize("NFC", d) else 0.2 for d in docs])
    return np.c_[1 - p, p]


def test_lime_and_anchors_take_a_marked_word_as_one_player():
    corpus = [NFD, "great value", unicodedata.normalize("NFD", "café bad")]
    lime = LimeTextExplainer(_likes_cafe, n_samples=200, random_state=0, target=1).fit(corpus).explain([NFD])
    assert [unicodedata.normalize("NFC", w) for w in lime.words[0]] == ["résumé", "café", "great"]
    anchors = AnchorTextExplainer(_likes_cafe, random_state=0).fit(corpus).explain([NFD])
    examples = list(anchors.examples_held[0]) + list(anchors.examples_failed[0])
    assert any("UNK" in e for e in examples)
    for example in examples:  # a masked word leaves no mark behind ("UNK\u0301")
        assert re.search("UNK[\u0300-\u036f]", example) is None, example


@pytest.mark.parametrize("cls", [LimeTextExplainer, AnchorTextExplainer])
def test_a_model_that_takes_no_texts_is_said_by_name(cls):
    numeric = LogisticRegression().fit(np.random.RandomState(0).normal(size=(20, 3)), [0, 1] * 10)
    with pytest.raises(ValueError, match=f"{cls.__name__} cannot run the model on a list of documents") as info:
        cls(numeric).fit(["a fine day", "a bad day"])
    assert "must take a list of str" in str(info.value)
    assert info.value.__cause__ is not None


def test_the_strongest_words_line_wraps_a_long_word():
    # a 300-character URL among the strongest words made a 1100 px page 2409 px wide (the text
    # below it wrapped, the line above it did not)
    from skxai.plot._html import STYLE

    assert re.search(r"\.skxai-meta\{[^}]*overflow-wrap:anywhere", STYLE)


def test_a_text_models_own_error_is_left_as_it_is():
    # a callable on texts that raises its own KeyError was told it "must take a list of str"
    def lookup(docs):
        return np.array([{"fine": 1.0}[d] for d in docs])

    with pytest.raises(KeyError, match="a fine day"):
        LimeTextExplainer(lookup).fit(["a fine day", "a bad day"])


def test_tokens_kept_give_back_the_document():
    # a pattern that matches a mark alone took it twice (a token's marks, then the next token)
    from skxai._text import TokenizedDoc

    for pattern in (DEFAULT_TOKEN_PATTERN, r"\w+|[^\w\s]", r"(?u)\w", r"\S+"):
        for text in ("I ❤️you", "a.\u0301b", NFD + " don't", "यह उत्पाद", "x\u0301"):
            doc = TokenizedDoc(text, compile_pattern(pattern), "token")
            kept = "".join(sep + tok for sep, tok in zip(doc.seps, [*doc.tokens, ""], strict=True))
            assert kept == text, (pattern, text)
            assert all(np.diff(doc.starts) > 0)


def test_the_default_pattern_takes_a_decomposed_word_as_its_composed_form():
    text = "the café's menu"
    for form in ("NFC", "NFD"):
        pattern = compile_pattern(DEFAULT_TOKEN_PATTERN)
        words = [m.group(0) for m in token_matches(pattern, unicodedata.normalize(form, text))]
        assert [unicodedata.normalize("NFC", w) for w in words] == ["the", "café's", "menu"]
