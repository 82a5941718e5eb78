"""A text anchor's coverage of 0 is a real value (no document of the corpus given to ``fit``
holds every anchor word): the pages and pictures must say so, not print a bare "coverage 0"
that reads as a missing value or as "the anchor applies nowhere" (it applies to its own
document)."""

import re

import numpy as np
import pytest

pytest.importorskip("sklearn")
matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

from sklearn.feature_extraction.text import CountVectorizer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402

from skxai import AnchorTextExplainer  # noqa: E402

CORPUS = ["the film", "a plot", "the acting here", "a bad plot"]


@pytest.fixture(scope="module")
def explained():
    train = ["good film", "good plot", "bad film", "bad plot", "good acting", "bad acting"] * 5
    y = [1, 1, 0, 0, 1, 0] * 5
    model = make_pipeline(CountVectorizer(), LogisticRegression(C=10)).fit(train, y)
    # the coverage corpus is not the training set: "good film" appears in none of its documents
    ex = AnchorTextExplainer(model, random_state=0).fit(CORPUS)
    exp = ex.explain(["good film", "bad plot"])
    return ex, exp


def _corpus_share(words):
    """Brute force: share of CORPUS documents holding every word."""
    return np.mean([all(w in d.split() for w in words) for d in CORPUS])


def test_the_coverage_is_a_real_zero(explained):
    _, exp = explained
    assert tuple(exp.anchor[0]) == ("good",)
    assert exp.coverage[0] == _corpus_share(exp.anchor[0]) == 0.0


def test_highlighted_html_says_what_a_zero_coverage_means(explained):
    from skxai.plot import text_html

    _, exp = explained
    out = text_html(exp, 0)
    meta = out.split('class="skxai-meta">')[1].split("</div>")[0]
    text = re.sub(r"<[^>]+>", "", meta)
    assert "coverage 0" in text
    assert "no document of the coverage corpus" in text
    # the definition is at hand on the number itself
    assert re.search(r'title="[^"]*share of the documents[^"]*"[^>]*>coverage 0', meta)


def test_highlight_picture_says_what_a_zero_coverage_means(explained):
    from skxai.plot import TextHighlightDisplay

    _, exp = explained
    disp = TextHighlightDisplay.from_explanation(exp, index=0)
    title = disp.ax_.get_title(loc="left")
    matplotlib.pyplot.close(disp.figure_)
    assert "coverage 0 (no document of the coverage corpus" in title


def test_report_defines_coverage_with_the_corpus_size(explained):
    from skxai.report import make_report

    ex, _ = explained
    html = make_report({"Anchors": ex}, ["good film", "bad plot"], metrics=False, n_local=2).html
    text = re.sub(r"<[^>]+>", "", html)
    assert f"share of the {len(CORPUS)} documents given to fit" in text
    assert "coverage 0 (no document of the coverage corpus holds every anchor word)" in text


def test_anchor_search_legend_says_what_a_zero_coverage_means(explained):
    from skxai.plot import AnchorSearchDisplay

    _, exp = explained
    disp = AnchorSearchDisplay.from_explanation(exp, index=0)
    labels = [t.get_text() for t in disp.legend_.get_texts()]
    matplotlib.pyplot.close(disp.figure_)
    selected = [t for t in labels if t.startswith("selected anchor")]
    assert selected and "in no corpus document" in selected[0], labels
