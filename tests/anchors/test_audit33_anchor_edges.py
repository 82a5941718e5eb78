"""Anchors at the edges of their settings (an outside audit, session 33): at threshold 1 a model
that decides the same everywhere gets the empty anchor, not an arbitrary feature or word; a text
search whose max_rows is below its first round is refused at fit."""

import numpy as np
import pytest
from sklearn.dummy import DummyClassifier

from skxai.anchors import AnchorTabularExplainer, AnchorTextExplainer


def test_a_model_deciding_the_same_everywhere_gets_the_empty_tabular_anchor_at_threshold_one():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 6))
    model = DummyClassifier(strategy="most_frequent").fit(X, (X[:, 0] > 1).astype(int))
    exp = (
        AnchorTabularExplainer(model, threshold=1.0, epsilon_stop=0.01, random_state=0).fit(X[:200]).explain(X[200:203])
    )
    assert [tuple(a) for a in exp.anchor] == [(), (), ()]
    assert exp.success.all()


def _constant(docs):
    return np.array([[0.1, 0.9]] * len(docs))


def test_a_text_no_masking_flips_gets_the_empty_anchor_at_threshold_one():
    docs = ["It was a long and quiet film about the sea", "While the plot drags the acting is fine"]
    est = AnchorTextExplainer(_constant, threshold=1.0, epsilon_stop=0.05, random_state=0).fit(docs)
    exp = est.explain(docs)
    assert [tuple(a) for a in exp.anchor] == [(), ()]
    assert exp.success.all()


def test_a_max_rows_below_the_first_round_is_refused_at_fit():
    docs = ["a good film", "a bad film"]
    with pytest.raises(ValueError, match=r"max_rows=60 is below the first round of a search \(100 perturbed"):
        AnchorTextExplainer(_constant, max_rows=60).fit(docs)
    AnchorTextExplainer(_constant, max_rows=100).fit(docs)  # the first round fits
