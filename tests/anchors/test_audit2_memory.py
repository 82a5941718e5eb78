"""Text anchors with perturbation="similar" and more neighbours than the vocabulary holds:
the neighbour table was n_similar wide whatever the vocabulary (n_similar=10**9 died with
numpy's 'Unable to allocate 29.8 GiB' for a 4-word document), and its columns past the
vocabulary were UNK, drawn as often as any neighbour."""

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from skxai import AnchorTextExplainer

DOCS = ["good movie great fun", "bad movie awful boring", "great acting good plot", "boring plot bad acting"] * 10
LABELS = [1, 0, 1, 0] * 10


def _anchor(model, n_similar):
    explainer = AnchorTextExplainer(model, perturbation="similar", n_similar=n_similar, random_state=0)
    explainer.fit(DOCS)
    return explainer, explainer.explain(["good movie awful plot"])


def test_more_neighbours_than_words_draw_from_every_other_word():
    model = make_pipeline(TfidfVectorizer(), LogisticRegression()).fit(DOCS, LABELS)
    explainer, every = _anchor(model, 10**6)
    n_words = len(explainer.word_vectors_.words)  # 10 words: 9 neighbours each
    assert explainer.word_vectors_.neighbours(["good"], 10**6).shape == (1, n_words - 1)
    _, nine = _anchor(model, n_words - 1)
    # the same draws from the same 9 neighbours: the same anchor, precision and examples
    assert every.extras["anchor"] == nine.extras["anchor"]
    np.testing.assert_array_equal(every.extras["precision"], nine.extras["precision"])
