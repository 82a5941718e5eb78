"""HTML text view: right-to-left documents and punctuation next to highlighted words."""

import json
import re

import numpy as np
import pytest

from skxai import Explanation
from skxai.plot import text_html
from skxai.plot._html import STYLE
from skxai.report._browser import find_chromium, inspect_in_browser

HEBREW = "שלום עולם יפה מאוד!"
ENGLISH = "Charlize CHASES Kevin with a GUN. Courtney CHASES Stuart."


def _exp():
    he = ["שלום", "עולם", "יפה", "מאוד"]
    en = ["Charlize", "CHASES", "Kevin", "with", "a", "GUN", "Courtney", "CHASES", "Stuart"]
    return Explanation(
        [np.array([0.5, -0.2, 0.3, 0.4]), np.linspace(-1, 1, len(en))], data=[HEBREW, ENGLISH], tokens=[he, en]
    )


def test_document_direction_is_taken_from_its_text():
    # without dir="auto" a Hebrew document was a left-to-right paragraph: its "!" on the right
    got = text_html(_exp(), style=False)
    assert got.count('<div class="skxai-text" dir="auto">') == 2
    assert 'class="skxai-text">' not in got


def test_strongest_words_are_isolated_from_their_numbers():
    # "שלום (+0.5)" in a left-to-right line was drawn "(0.5+) שלום": the sign after the number
    got = text_html(_exp(), 0, style=False)
    assert "strongest: <bdi>שלום</bdi> (+0.5), <bdi>מאוד</bdi> (+0.4)" in got


def test_word_spans_add_no_horizontal_space():
    # padding 2px each side put "GUN" and its "." apart ("GUN .")
    rule = re.search(r"\.skxai-w\{([^}]*)\}", STYLE).group(1)
    decl = dict(d.split(":", 1) for d in rule.split(";") if d)
    assert "margin" not in decl and "margin-left" not in decl and "margin-right" not in decl
    padding = decl.get("padding", "0").split()
    horizontal = padding[1] if len(padding) > 1 else padding[0]
    assert horizontal in ("0", "0px"), rule


@pytest.mark.skipif(find_chromium() is None, reason="needs Chromium")
def test_in_the_browser(tmp_path):
    probe = """<script>
var d=document.querySelectorAll('.skxai-text'), he=d[0], en=d[1];
function box(node,a,b){var r=document.createRange();r.setStart(node,a);r.setEnd(node,b);
  return r.getBoundingClientRect();}
var last=he.lastChild, first=he.querySelector('.skxai-w');
var gun=[].filter.call(en.querySelectorAll('.skxai-w'),function(s){return s.textContent==='GUN';})[0];
document.title=JSON.stringify({dir:getComputedStyle(he).direction,bang:box(last,0,1).left,
  first:first.getBoundingClientRect().left,
  gap:box(gun.nextSibling,0,1).left-box(gun.firstChild,0,3).right});
</script>"""
    page = tmp_path / "page.html"
    page.write_text(
        f"<!doctype html><html><head><meta charset='utf-8'><title>t</title></head>"
        f"<body style='font-size:20px'>{text_html(_exp())}{probe}</body></html>",
        encoding="utf-8",
    )
    got = json.loads(inspect_in_browser(page)["title"])
    assert got["dir"] == "rtl"
    assert got["bang"] < got["first"]  # the "!" ends the Hebrew sentence: on its left
    assert abs(got["gap"]) < 1.0, got  # "GUN." reads as one: the dot right after the N
