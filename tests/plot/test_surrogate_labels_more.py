"""LIME's values are a local surrogate's weights in every picture, not only the bar and beeswarm.

The demo's LIME dependence plot labelled its y axis "attribution of worst perimeter ..." under a
caption saying "surrogate weight", and the text report's LIME bar chart read "mean |attribution|"
under "Words with the largest total |weight|".
"""

import numpy as np
import pytest

pytest.importorskip("matplotlib")
import matplotlib.pyplot as plt  # noqa: E402
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402

from skxai import Explanation, LimeExplainer, LimeTextExplainer  # noqa: E402
from skxai.plot import DependenceDisplay  # noqa: E402
from skxai.report._sections import SectionBuilder, text_views  # noqa: E402


def test_dependence_of_lime_says_surrogate_weight():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 3))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    model = LogisticRegression().fit(X, y)
    exp = LimeExplainer(model, n_samples=200, max_background=20, random_state=0).fit(X).explain(X[:10])
    disp = DependenceDisplay.from_explanation(exp, 0, color=None)
    label = disp.ax_.get_ylabel().replace("\n", " ")
    assert label.startswith("surrogate weight of") and "attribution" not in label
    plt.close("all")


def test_dependence_of_attributions_still_says_attribution():
    X = np.random.RandomState(0).normal(size=(20, 2))
    disp = DependenceDisplay.from_explanation(Explanation(X, data=X, feature_names=["a", "b"]), "a", color=None)
    assert disp.ax_.get_ylabel().startswith("attribution of a")
    plt.close("all")


class _Recorder(SectionBuilder):
    """Draws each figure as the report does and keeps its axes' labels."""

    def __init__(self):
        super().__init__("s", 40, [])
        self.xlabels = []

    def figure(self, draw, caption, figsize=(6.5, 4.0), n_axes=1, literal=True):
        fig = plt.figure(figsize=figsize)
        ax = fig.subplots()
        draw(ax)
        self.xlabels.append(ax.get_xlabel().replace("\n", " "))
        plt.close(fig)


def test_text_report_bar_of_lime_says_surrogate_weight():
    docs = ["good fun film", "bad dull film", "good great story", "dull bad plot", "great fun", "bad plot"] * 3
    y = [1, 0, 1, 0, 1, 0] * 3
    model = make_pipeline(TfidfVectorizer(), LogisticRegression()).fit(docs, y)
    ex = LimeTextExplainer(model, n_samples=100, random_state=0).fit(docs)
    exp = ex.explain(docs[:3])
    sb = _Recorder()
    text_views(sb, exp, 0, ex)
    # the bar shows each document's total over a word's occurrences, averaged over the documents
    assert sb.xlabels and sb.xlabels[0].startswith("total |surrogate weight| per document"), sb.xlabels


class _BarRecorder(SectionBuilder):
    """Keeps the first figure's bars: ``{tick label: bar length}``."""

    def __init__(self):
        super().__init__("s", 40, [])
        self.bars = None

    def figure(self, draw, caption, figsize=(6.5, 4.0), n_axes=1, literal=True):
        fig = plt.figure(figsize=figsize)
        ax = fig.subplots()
        draw(ax)
        if self.bars is None:
            ys = np.asarray(ax.get_yticks(), dtype=float)
            labels = [t.get_text() for t in ax.get_yticklabels()]
            self.bars = {
                labels[int(np.argmin(np.abs(ys - (r.get_y() + r.get_height() / 2))))]: abs(r.get_width())
                for r in ax.patches
            }
        plt.close(fig)


@pytest.mark.parametrize("unit", ["word", "token"])
def test_text_report_bar_counts_each_player_of_a_document_once(unit):
    pos = ["great wonderful movie loved it", "excellent brilliant acting", "superb great fun"] * 5
    neg = ["awful boring film", "terrible dull plot", "bad awful waste"] * 5
    model = make_pipeline(TfidfVectorizer(), LogisticRegression()).fit(pos + neg, [1] * 15 + [0] * 15)
    ex = LimeTextExplainer(model, n_samples=300, unit=unit, random_state=0).fit(pos + neg)
    docs = ["the " * 10 + "great boring", "great boring"]
    exp = ex.explain(docs)
    sb = _BarRecorder()
    text_views(sb, exp, 0, ex)
    # expected: each document's sum of |weight| over the players that are this word, / 2 documents
    expected = {}
    for words, weights in zip(exp.extras["words"], exp.extras["weights"], strict=True):
        for w, v in zip(words, weights, strict=True):
            expected[w.lower()] = expected.get(w.lower(), 0.0) + abs(v) / len(docs)
    assert set(sb.bars) <= set(expected)
    for word, length in sb.bars.items():
        assert length == pytest.approx(expected[word], rel=1e-9), (word, length, expected[word])
    if unit == "word":  # "the" is one player with one weight, not ten
        assert len([w for w in exp.extras["words"][0] if w == "the"]) == 1
