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
