"""HTML displays escape every user string exactly once (issue 17's escaping mutants).

The expected pages are written out by hand with the standard library's ``html.escape``; markup
goes into documents, tokens, anchors, labels, methods and feature names.
"""

from html import escape

import numpy as np

from skxai import Explanation
from skxai.plot._html import _token_html, explanation_html, parts_html
from skxai.plot._textparts import TextParts

P = '<script>alert("x")</script><b>\'q\'</b>&amp;'
E = escape(P)  # &lt;script&gt;alert(&quot;x&quot;)...&amp;amp;


def test_token_span_is_escaped_and_carries_its_weight():
    got = _token_html(P, 1.0, 1.0, True)
    assert got == (f'<span class="skxai-w skxai-anchor" style="background:rgba(214,39,40,0.85)" title="+1" '
                   f'data-weight="1">{E}</span>')
    assert _token_html(P, None, 0.0, False) == f'<span class="skxai-w">{E}</span>'
    assert _token_html("a&b", -0.5, 1.0, False) == (
        '<span class="skxai-w" style="background:rgba(31,119,180,0.47)" title="-0.5" data-weight="-0.5">a&amp;b</span>')


def test_document_text_between_tokens_and_every_label_is_escaped():
    doc = f"good {P} film <i>"
    parts = TextParts(tokens=["good", "film"], weights=np.array([0.5, -1.0]), anchor_positions={1},
                      anchor_words=[P, "film"], precision=0.9, coverage=0.25, document=doc, label=P, method=P)
    got = parts_html(parts, style=False)
    spans = ['<span class="skxai-w" style="background:rgba(214,39,40,0.47)" title="+0.5" data-weight="0.5">good</span>',
             '<span class="skxai-w skxai-anchor" style="background:rgba(31,119,180,0.85)" title="-1" '
             'data-weight="-1">film</span>']
    text = spans[0] + escape(f" {P} ") + spans[1] + escape(" <i>")
    meta = " &middot; ".join([f"<b>{E}</b>", f"<b>{E}</b>", f"anchor: <b>{escape(P + ' AND film')}</b>",
                              "precision 0.900",
                              '<span title="coverage: the share of the documents given to fit (the coverage '
                              'corpus) that contain every anchor word">coverage 0.25</span>',
                              "strongest: <bdi>film</bdi> (-1), <bdi>good</bdi> (+0.5)"])
    head = f'<div class="skxai-meta">{meta}</div>'
    assert got == f'<div class="skxai-doc">{head}<div class="skxai-text" dir="auto">{text}</div></div>'


def test_tokens_not_found_in_the_document_and_tokens_alone_are_escaped():
    parts = TextParts(tokens=["good", P], weights=np.array([1.0, 0.0]), document="good day")
    got = parts_html(parts, style=False)
    assert E in got and "<script>" not in got
    assert f"strongest: <bdi>good</bdi> (+1), <bdi>{E}</bdi> (+0)" in got
    parts = TextParts(tokens=[P, "x"], weights=None)
    got = parts_html(parts, style=False)
    assert got == (f'<div class="skxai-doc"><div class="skxai-text" dir="auto"><span class="skxai-w">{E}</span> '
                   '<span class="skxai-w">x</span></div></div>')


def test_tabular_display_escapes_feature_names_and_method():
    exp = Explanation(np.array([[2.0, -1.0]]), base_values=np.array([0.5]), feature_names=[P, "b<"], method=P)
    got = explanation_html(exp)
    assert "<script>" not in got and "<b>'q'</b>" not in got
    assert f"<b>{E}</b> explanation of 1 sample(s) x 2 feature(s)" in got
    assert f"<th>{E}</th><th>b&lt;</th>" in got


def test_image_summary_and_unreadable_explanations_escape_the_method():
    exp = Explanation(np.ones((2, 3, 4, 4)), method=P)
    got = explanation_html(exp)
    assert got.startswith(f"<div><b>{E}</b>: attributions of 2 input(s) of shape (3, 4, 4), |max| 1</div>")

    class Odd(Explanation):
        def __repr__(self):
            return P

        @property
        def target_values(self):
            raise ValueError(f"no target {P}")

    got = explanation_html(Odd(np.ones((1, 2)), method="m"))
    assert got == f"<pre>{E}</pre><div>no target {E}</div>"  # the repr, and why it is all there is


def test_a_small_coverage_is_not_printed_as_zero():
    from skxai.plot._textparts import TextParts as Parts

    small = parts_html(Parts(tokens=["good"], anchor_positions={0}, anchor_words=["good"], precision=0.98,
                             coverage=0.00017, document="good"), style=False)
    assert "coverage 0.00017" in small
    none = parts_html(Parts(tokens=["good"], anchor_positions={0}, anchor_words=["good"], precision=0.98,
                            coverage=0.0, document="good"), style=False)
    import re

    assert re.search(r"coverage 0(?![.\d])", none)
