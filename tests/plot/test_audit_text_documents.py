"""Audit of the text pictures (highlight display, HTML) on documents their authors did not try."""

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

from skxai import Explanation  # noqa: E402
from skxai.plot import TextHighlightDisplay, text_html  # noqa: E402


@pytest.mark.parametrize("document", ['"Great" film', "<b>great</b> film", "...great film", "(great) film"])
def test_highlight_display_draws_documents_opening_with_punctuation(document):
    # A document whose first character is neither a space nor part of a token failed with
    # "TypeError: unsupported operand type(s) for +: 'int' and 'list'" (the flag saying whether
    # the opening punctuation follows a space was the empty list instead of False).
    exp = Explanation([np.array([0.8, -0.3])], data=[document], tokens=[["great", "film"]])
    disp = TextHighlightDisplay.from_explanation(exp)
    assert [t.get_text().lower() for t in disp.texts_] == ["great", "film"]
    shown = "".join(t.get_text() for t in disp.ax_.texts)
    assert shown.replace(" ", "") == document.replace(" ", "")


def _shown(html_text):
    """The text of the highlighted document as a browser shows it, and the highlighted spans."""
    import html
    import re

    body = html_text.split('<div class="skxai-text" dir="auto">', 1)[1].rsplit("</div></div>", 1)[0]
    spans = [html.unescape(s) for s in re.findall(r"<span[^>]*>(.*?)</span>", body)]
    return html.unescape(re.sub(r"<[^>]+>", "", body)), spans


@pytest.mark.parametrize("draw", ["html", "plot"])
def test_highlight_keeps_tokens_in_place_after_a_length_changing_lowercase(draw):
    # "İ".lower() is two characters: the spans found in document.lower() were shifted by one
    # per "İ" on the document itself, and the pictures highlighted "zmir ", "eat m", "vie b".
    document = "İstanbul İzmir great movie bad plot"
    tokens = document.split()
    exp = Explanation([np.linspace(-1, 1, len(tokens))], data=[document], tokens=[tokens])
    if draw == "html":
        text, spans = _shown(text_html(exp, style=False))
        assert text == document
    else:
        spans = [t.get_text() for t in TextHighlightDisplay.from_explanation(exp).texts_]
    assert spans == tokens


def test_highlight_keeps_the_reading_order_of_tokens_far_apart():
    # A token more than 200 characters after the previous one was treated as missing: drawn
    # right after the previous token, with the text up to it (the token again) shown after.
    document = "great " + "!" * 300 + " movie bad"
    exp = Explanation([np.array([0.5, -0.2, -0.4])], data=[document], tokens=[["great", "movie", "bad"]])
    text, spans = _shown(text_html(exp, style=False))
    assert text == document and spans == ["great", "movie", "bad"]
    disp = TextHighlightDisplay.from_explanation(exp)
    shown = [t.get_text() for t in disp.ax_.texts]
    # the 300 marks, longer than a line, in pieces of a line each (session 33: they ran off the figure)
    assert shown[0] == "great" and shown[-2:] == ["movie", "bad"] and "".join(shown[1:-2]) == "!" * 300
    assert all(len(piece) <= 80 for piece in shown)


def test_explainers_record_token_offsets_and_the_pictures_use_them():
    # With token_pattern="[a-z]+" the capitalised "GREAT" is text between tokens: searching the
    # token "great" ignoring case highlighted "GREAT" instead of the token the weights are of.
    from skxai.anchors import AnchorTextExplainer
    from skxai.surrogate import LimeTextExplainer

    def model(docs):
        p = np.array([0.9 if "great" in d else 0.2 for d in docs])
        return np.column_stack([1 - p, p])

    document = "GREAT <great> film"
    for explainer in (LimeTextExplainer(model, n_samples=50, target=1, token_pattern="[a-z]+", random_state=0),
                      AnchorTextExplainer(model, token_pattern="[a-z]+", random_state=0)):
        exp = explainer.fit([document, "a film"]).explain([document])
        assert exp.token_offsets == [[7, 14]] and exp[0:1].token_offsets == [[7, 14]]
        text, spans = _shown(text_html(exp, style=False))
        assert text == document and spans == ["great", "film"]
        assert [t.get_text() for t in TextHighlightDisplay.from_explanation(exp).texts_] == ["great", "film"]
