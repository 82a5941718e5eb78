"""The report's bar of the words of a text explanation: the axis said "mean |surrogate weight|"
for a total over each document's occurrences averaged over the documents (the caption said
"total |weight| per document"), and the last bar was "sum of 119 other features" for words."""

import numpy as np
import pytest

pytest.importorskip("matplotlib")
pytest.importorskip("sklearn")

from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402

from skxai import LimeTextExplainer  # noqa: E402
from skxai.plot import BarDisplay  # noqa: E402
from skxai.report import make_report  # noqa: E402

WORDS = "good fine great bad dull awful film plot acting story cast score music pace ending twist".split()


def test_text_bar_names_words_and_its_quantity(monkeypatch):
    rng = np.random.default_rng(0)
    docs = [" ".join(rng.choice(WORDS, 6)) for _ in range(40)]
    y = [int(sum(w in ("good", "fine", "great") for w in d.split()) >= sum(w in ("bad", "dull", "awful")
                                                                            for w in d.split())) for d in docs]
    model = make_pipeline(TfidfVectorizer(), LogisticRegression()).fit(docs, y)
    ex = LimeTextExplainer(model, n_samples=60, random_state=0).fit(docs)
    seen = []
    draw = BarDisplay.plot

    def spy(self, *a, **k):
        out = draw(self, *a, **k)
        seen.append(out)
        return out

    monkeypatch.setattr(BarDisplay, "plot", spy)
    shown = [" ".join(rng.permutation(WORDS)) for _ in range(3)]  # 16 words: one past the 15 bars
    html = make_report(ex, shown, n_local=1, metrics=False, output_names=["negative", "positive"]).html
    assert "total |weight| per document" in html
    assert len(seen) == 1
    ax = seen[0].ax_
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert "sum of 1 other word" in ticks, ticks  # 16 words, 15 bars: one word in the remainder
    assert not any("features" in t for t in ticks)
    label = " ".join(ax.get_xlabel().split())
    assert "per document" in label and "mean |surrogate weight|" not in label, label
