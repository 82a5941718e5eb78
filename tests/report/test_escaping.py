"""The report's escaping, function by function (issue 17): each user string is escaped exactly once.

Expected HTML is written out by hand with the standard library's ``html.escape``.
"""

import base64
from html import escape

import numpy as np
import pytest

from skxai import Explanation
from skxai.report._page import esc, kv_table, page, png_figure
from skxai.report._sections import SectionBuilder, _short, agreement_section, settings_html

P = '<script>alert("x")</script><b>\'q\'</b>&amp;'
E = escape(P)


def test_esc_escapes_quotes_and_any_value():
    assert esc(P) == "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;b&gt;&#x27;q&#x27;&lt;/b&gt;&amp;amp;"
    assert esc(5) == "5" and esc(None) == "None" and esc(["<"]) == "[&#x27;&lt;&#x27;]"


def test_figure_escapes_caption_and_alt_text():
    png = b"\x89PNG fake bytes"
    data = base64.b64encode(png).decode("ascii")
    assert png_figure(png, P) == (f'<figure><img src="data:image/png;base64,{data}" alt="{E}">'
                                  f"<figcaption>{E}</figcaption></figure>")
    assert png_figure(png, "cap", alt=P) == (f'<figure><img src="data:image/png;base64,{data}" alt="{E}">'
                                             "<figcaption>cap</figcaption></figure>")


def test_kv_table_escapes_keys_and_header_not_values():
    got = kv_table([(P, "<i>v</i>"), ("k", "w")], header=[P, "h"])
    assert got == (f'<table class="kv"><tr><th>{E}</th><th>h</th></tr>'
                   f"<tr><th>{E}</th><td><i>v</i></td></tr><tr><th>k</th><td>w</td></tr></table>")
    assert kv_table([("a", "b")]) == '<table class="kv"><tr><th>a</th><td>b</td></tr></table>'


def test_page_escapes_title_subtitle_and_headings_but_not_built_html():
    from markupsafe import escape as jinja_escape  # the template's autoescape (jinja2's own library)

    M = str(jinja_escape(P))
    got = page(P, P + "2", "<p>intro</p>", [("sid", P + "3", "<b>body</b>"), ("s2", "h", "<i>c</i>")])
    assert "<script>" not in got
    assert f"<title>{M}</title>" in got and f"<header><h1>{M}</h1><p>{M}2</p></header>" in got
    assert f'<li><a href="#sid">{M}3</a></li>' in got
    assert f'<section class="explainer" id="sid"><h2>{M}3</h2><b>body</b></section>' in got
    assert "<p>intro</p>" in got and '<section class="explainer" id="s2"><h2>h</h2><i>c</i></section>' in got
    # the page's own stylesheet (the report's rules and the text highlights) goes in verbatim
    from skxai.plot.rendering import STYLE
    from skxai.report._page import CSS

    assert f"<style>{CSS + STYLE}</style>" in got


def test_notes_are_escaped_with_their_kind():
    sb = SectionBuilder("name", 50, [])
    sb.note(P)
    sb.note("a < b", "error")
    assert sb.parts == [f'<div class="note">{E}</div>', '<div class="error">a &lt; b</div>']
    assert sb.html() == "\n".join(sb.parts)


def test_settings_table_escapes_the_repr_of_each_value_and_shortens_long_ones():
    class Fake:
        def get_params(self, deep=False):
            return {"b": P, "a": 1, "old": "deprecated", "long": "x" * 200, "edge": "y" * 118}

    got = settings_html(Fake())
    long = repr("x" * 200)[:117] + "..."
    rows = [("a", "1"), ("b", repr(P)), ("edge", repr("y" * 118)), ("long", long)]
    assert got == '<table class="kv">' + "".join(
        f"<tr><th>{k}</th><td><code>{escape(v)}</code></td></tr>" for k, v in rows) + "</table>"


def test_short_keeps_120_characters_and_cuts_beyond():
    assert _short("y" * 118) == repr("y" * 118)  # 120 characters with the quotes
    assert _short("y" * 119) == repr("y" * 119)[:117] + "..."
    assert len(_short("y" * 119)) == 120
    assert _short("abc", limit=4) == "'abc'"[:1] + "..."


def test_agreement_table_escapes_names_and_correlates_different_explainers():
    a = Explanation(np.array([[3.0, 2.0, 1.0], [-3.0, 2.0, 1.0]]), feature_names=[P, "b", "c"])
    b = Explanation(np.array([[1.0, 2.0, 3.0]]), feature_names=[P, "b", "c"])
    c = Explanation(np.array([[1.0, 3.0, 2.0]]), feature_names=[P, "b", "c"])
    got = agreement_section([(P, a), ("second", b), ("third", c), ("none", None)])
    assert "<script>" not in got
    assert f"<tr><th></th><th>{E}</th><th>second</th><th>third</th></tr>" in got
    # Spearman of the importances by hand: (3, 2, 1) vs (1, 2, 3): -1; vs (1, 3, 2): -0.5; (1, 2, 3) vs (1, 3, 2): 0.5
    assert f"<tr><th>{E}</th><td>1.000</td><td>-1.000</td><td>-0.500</td></tr>" in got
    assert "<tr><th>second</th><td>-1.000</td><td>1.000</td><td>0.500</td></tr>" in got
    assert "<tr><th>third</th><td>-0.500</td><td>0.500</td><td>1.000</td></tr>" in got
    assert f"<tr><th>{E}</th><td>{E}, b, c</td></tr>" in got
    assert f"<tr><th>second</th><td>c, b, {E}</td></tr>" in got
    assert f"<tr><th>third</th><td>b, c, {E}</td></tr>" in got


def test_agreement_needs_two_comparable_explainers():
    a = Explanation(np.array([[3.0, 2.0, 1.0]]), feature_names=["a", "b", "c"])
    other = Explanation(np.array([[3.0, 2.0, 1.0]]), feature_names=["x", "y", "z"])
    assert agreement_section([("a", a)]) is None
    assert agreement_section([("a", a), ("o", other)]) is None
    flat = Explanation(np.array([[1.0, 1.0, 1.0]]), feature_names=["a", "b", "c"])
    got = agreement_section([("a", a), ("flat", flat)])
    assert "<tr><th>a</th><td>1.000</td><td>nan</td></tr>" in got


@pytest.mark.parametrize("names", [None])
def test_agreement_without_feature_names_uses_x_indices(names):
    a = Explanation(np.array([[1.0, 5.0]]), feature_names=names)
    b = Explanation(np.array([[2.0, 1.0]]), feature_names=names)
    got = agreement_section([("a", a), ("b", b)])
    assert "<tr><th>a</th><td>x1, x0</td></tr>" in got and "<tr><th>b</th><td>x0, x1</td></tr>" in got
