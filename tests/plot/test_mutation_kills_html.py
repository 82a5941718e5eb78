"""Kill tests for the survivors of ``skxai/plot/_html.py`` (issue 17, mutF).

The escaping tests pin what is escaped; these pin the rest of each display, written out by hand:
the spacing and order of tokens not found in their document, the text before the first token, the
weights, anchors and colours of every span, the "strongest" list, the tabular table (column order,
base and prediction cells, the "+k more" column and "... k more rows" line, the default limits of 10
rows and 12 features), and the default ``<style>`` block. A colour is
``rgba(red or blue, 0.1 + 0.75 |w| / max|w|)`` (0 for a zero weight, which is blue), with two decimals.
"""

import numpy as np
import pytest

from skxai import Explanation
from skxai.plot._html import STYLE, explanation_html, parts_html
from skxai.plot._textparts import TextParts


def _span(tok, rgba=None, title=None, weight=None, anchor=False):
    cls = "skxai-w skxai-anchor" if anchor else "skxai-w"
    if rgba is None:
        return f'<span class="{cls}">{tok}</span>'
    return f'<span class="{cls}" style="background:rgba({rgba})" title="{title}" data-weight="{weight}">{tok}</span>'


RED, BLUE = "214,39,40", "31,119,180"


def _doc(meta, text):
    head = f'<div class="skxai-meta">{meta}</div>' if meta else ""
    return f'<div class="skxai-doc">{head}<div class="skxai-text" dir="auto">{text}</div></div>'


def test_tokens_missing_from_the_document_keep_their_order_spacing_weight_and_anchor():
    # "lost", "[" and "oops" are not in the document: they are placed where they come, with a space
    # only where two tokens shown apart need one ("good" then "[": yes; "[" then "oops": no; nothing
    # before the first token). The text around found tokens is the document's own: "(" before
    # "good" (the document's first character) and ") " before "film".
    parts = TextParts(tokens=["lost", "good", "[", "oops", "film"], weights=np.array([0.2, 1.0, -0.4, 0.0, -0.6]),
                      anchor_positions={2}, document="(good) film")
    text = (_span("lost", f"{RED},0.25", "+0.2", "0.2") + "(" + _span("good", f"{RED},0.85", "+1", "1")
            + " " + _span("[", f"{BLUE},0.40", "-0.4", "-0.4", anchor=True) + _span("oops", f"{BLUE},0.00", "+0", "0")
            + ") " + _span("film", f"{BLUE},0.55", "-0.6", "-0.6"))
    meta = ("strongest: <bdi>good</bdi> (+1), <bdi>film</bdi> (-0.6), <bdi>[</bdi> (-0.4), <bdi>lost</bdi> (+0.2), "
            "<bdi>oops</bdi> (+0)")
    assert parts_html(parts, style=False) == _doc(meta, text)
    # the default prepends the style block
    assert parts_html(parts) == f"<style>{STYLE}</style>" + _doc(meta, text)


def test_tokens_without_a_document_are_spaced_by_their_neighbour_and_weighted():
    # "(" then "a": no space after an opening bracket; "a" then "b": a space; "b" then ",": none before a comma
    parts = TextParts(tokens=["(", "a", "b", ","], weights=np.array([1.0, -0.2, 0.0, 0.4]), anchor_positions={1})
    text = (_span("(", f"{RED},0.85", "+1", "1") + _span("a", f"{BLUE},0.25", "-0.2", "-0.2", anchor=True)
            + " " + _span("b", f"{BLUE},0.00", "+0", "0") + _span(",", f"{RED},0.40", "+0.4", "0.4"))
    assert parts_html(parts, style=False) == _doc(
        "strongest: <bdi>(</bdi> (+1), <bdi>,</bdi> (+0.4), <bdi>a</bdi> (-0.2), <bdi>b</bdi> (+0)", text)


def test_strongest_lists_five_tokens_ties_in_token_order():
    # 20 tokens with tied weights: the five largest |w|, ties by position
    w = np.random.RandomState(0).randint(-2, 3, size=20).astype(float)
    tokens = [f"t{j}" for j in range(20)]
    parts = TextParts(tokens=tokens, weights=w)
    top = sorted(range(20), key=lambda j: (-abs(w[j]), j))[:5]
    listed = ", ".join(f"<bdi>t{j}</bdi> ({w[j]:+.3g})" for j in top)
    got = parts_html(parts, style=False)
    assert f'<div class="skxai-meta">strongest: {listed}</div>' in got


def test_text_explanations_show_at_most_max_rows_documents():
    docs = [f"doc {i}" for i in range(12)]
    exp = Explanation([np.array([1.0, -1.0])] * 12, data=docs, tokens=[d.split() for d in docs])
    got = explanation_html(exp)  # default: 10 documents
    assert got.count('<div class="skxai-doc">') == 10
    assert "doc</span> <span" in got and ">9</span>" in got and ">10</span>" not in got
    assert explanation_html(exp, max_rows=3).count('<div class="skxai-doc">') == 3
    # anchors alone (no weights): the documents are counted from the data
    exp = Explanation(None, data=docs[:2], tokens=[d.split() for d in docs[:2]], anchor=[["doc"], ["1"]],
                      precision=[0.9, 0.8])
    got = explanation_html(exp)
    assert got.count('<div class="skxai-doc">') == 2
    assert _span("1", anchor=True) in got and "precision 0.800" in got
    # tokens and weights without the documents: counted from the weights
    exp = Explanation([np.array([1.0])] * 12, tokens=[[f"w{i}"] for i in range(12)])
    got = explanation_html(exp)
    assert got.count('<div class="skxai-doc">') == 10 and ">w9</span>" in got and ">w10</span>" not in got


def test_tabular_table_by_hand():
    # mean |v| per feature: 2, 11/6, 7/3 -> columns c (2), a (0) shown, b left out ("+1 more");
    # max |v| = 5 sets the colours; rows 0 and 1 shown, row 2 left out ("... 1 more rows");
    # base + sum: 0.5 + 4 = 4.5 and -1 - 2.5 = -3.5
    values = np.array([[5.0, -2.0, 1.0], [0.0, 2.5, -5.0], [1.0, 1.0, 1.0]])
    exp = Explanation(values, base_values=np.array([0.5, -1.0, 2.0]), feature_names=["a<", "b", "c"], method="m")
    got = explanation_html(exp, max_rows=2, max_features=2)
    cell = '<td style="background:rgba({})">{}</td>'.format
    expected = (
        f"<style>{STYLE}</style><div><b>m</b> explanation of 3 sample(s) x 3 feature(s) (red raises the output, "
        'blue lowers it)<table class="skxai-explanation"><tr><th></th><th>base</th><th>base + sum</th>'
        "<th>c</th><th>a&lt;</th><th>+1 more</th></tr>"
        f"<tr><th>0</th><td>0.5</td><td>4.5</td>{cell(f'{RED},0.25', '1')}{cell(f'{RED},0.85', '5')}<td></td></tr>"
        f"<tr><th>1</th><td>-1</td><td>-3.5</td>{cell(f'{BLUE},0.85', '-5')}{cell(f'{BLUE},0.00', '0')}<td></td></tr>"
        "</table><div>... 1 more rows</div></div>"
    )
    assert got == expected


def test_tabular_table_without_base_or_names():
    # no base values: empty base cells; no feature names: x0, x1 ... (the wrong number of names
    # is refused when the Explanation is made)
    with pytest.raises(ValueError, match="feature_names has 1 names"):
        Explanation(np.array([[2.0, -0.5]]), feature_names=["only"], method="m")
    for names in (None,):
        exp = Explanation(np.array([[2.0, -0.5]]), feature_names=names, method="m")
        assert explanation_html(exp) == (
            f"<style>{STYLE}</style><div><b>m</b> explanation of 1 sample(s) x 2 feature(s) (red raises the "
            'output, blue lowers it)<table class="skxai-explanation"><tr><th></th><th>base</th><th>base + sum</th>'
            f'<th>x0</th><th>x1</th></tr><tr><th>0</th><td></td><td></td><td style="background:rgba({RED},0.85)">2'
            f'</td><td style="background:rgba({BLUE},0.29)">-0.5</td></tr></table></div>'
        )


def test_tabular_defaults_are_10_rows_and_12_features():
    got = explanation_html(Explanation(np.ones((11, 13))))
    assert "<tr><th>9</th>" in got and "<tr><th>10</th>" not in got and "<div>... 1 more rows</div>" in got
    assert "<th>x11</th><th>+1 more</th>" in got and "<th>x12</th>" not in got
    got = explanation_html(Explanation(np.ones((10, 12))))  # exactly at the limits: nothing left out
    assert "<tr><th>9</th>" in got and "more rows" not in got and "more</th>" not in got and "<td></td></tr>" not in got


def test_tabular_columns_of_tied_features_keep_their_order():
    # 20 features with tied mean |v|: the 5 largest, ties by index
    v = np.random.RandomState(1).randint(-2, 3, size=(1, 20)).astype(float)
    exp = Explanation(v)
    got = explanation_html(exp, max_features=5)
    top = sorted(range(20), key=lambda j: (-abs(v[0, j]), j))[:5]
    assert "".join(f"<th>x{j}</th>" for j in top) + "<th>+15 more</th>" in got
