"""Audit of text anchors on long documents: row budget, memory, examples replayed."""

import tracemalloc

import numpy as np
import pytest

from skxai.anchors import AnchorTextExplainer

WORDS = [f"w{i}" for i in range(400)]


def _unk_share_model(docs):
    """Class 1 while fewer than 30% of the words are UNK: an anchor needs many words."""
    out = []
    for d in docs:
        toks = d.split()
        out.append(int(sum(t == "UNK" for t in toks) < 0.3 * len(toks)))
    return np.asarray(out)


class _Counted:
    def __init__(self, func):
        self.func, self.rows = func, 0

    def __call__(self, docs):
        self.rows += len(docs)
        return self.func(docs)


def test_a_long_search_stops_at_max_rows_with_a_warning():
    # A document whose decision needs many of its 400 words: the search drew rows size after
    # size with nothing but the round caps to stop it (a 5,000-word review: 112,500 rows and
    # 11 minutes for one document, 7.8 GB resident).
    doc = " ".join(WORDS)
    model = _Counted(_unk_share_model)
    ex = AnchorTextExplainer(model, max_rows=3000, random_state=0).fit([doc, "w1 w2"])
    model.rows = 0
    with pytest.warns(UserWarning, match=r"max_rows=3000.*success=False"):
        exp = ex.explain([doc])
    assert exp.max_rows_reached.tolist() == [True] and exp.success.tolist() == [False]
    assert exp.n_rows[0] <= 3000 and model.rows <= 3000 + 1
    # a short document is not affected, and says so; the budget is per document (the same
    # anchor alone, among others, for any n_jobs)
    both = AnchorTextExplainer(model, max_rows=3000, random_state=0, n_jobs=2).fit([doc])
    with pytest.warns(UserWarning, match=r"document\(s\) \[1\]"):
        two = both.explain(["w1 w2 w3", doc])
    assert two.max_rows_reached.tolist() == [False, True] and two.success.tolist() == [True, False]
    assert two.anchor[1] == exp.anchor[0] and two.n_rows[1] == exp.n_rows[0]


def test_a_search_holds_no_copy_of_the_document_per_row():
    # Every perturbed text of the search was kept (for n_examples examples): rows x document
    # length, 4.6 GB of texts for the 5,000-word review.
    doc = " ".join(WORDS * 3)  # 1,200 tokens, 3,500 characters
    ex = AnchorTextExplainer(_unk_share_model, max_rows=6000, batch_size=500, random_state=0)
    ex.fit([doc])
    tracemalloc.start()
    try:
        with pytest.warns(UserWarning, match="max_rows"):
            exp = ex.explain([doc])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    texts = int(exp.n_rows[0]) * len(doc)
    assert exp.n_rows[0] > 5000 and peak < texts / 3, (peak, texts)
    assert len(exp.examples_failed[0]) == 10  # examples are still given


def test_a_max_rows_that_cannot_fit_is_refused_before_any_work():
    doc = " ".join(f"x{i}" for i in range(3000))
    model = _Counted(_unk_share_model)
    ex = AnchorTextExplainer(model, max_rows=10**7).fit([doc])
    model.rows = 0
    with pytest.raises(ValueError,
                       match=r"document 1 \(3000 tokens, 3000 words\) at max_rows=10000000.*lower max_rows"):
        ex.explain(["short one", doc])
    assert model.rows == 0


@pytest.mark.parametrize("seeded", [True, False])
def test_examples_of_a_random_perturbation_are_the_texts_the_model_labelled(seeded):
    # Texts are no longer kept but replayed from the generator's state: every example must be
    # one the model labelled as reported (held / failed), even for a callable that ignores the
    # rng it is given (its replays differ and are left out rather than shown).
    noise = np.random.RandomState(0)

    def fill(tokens, keep, rng):
        r = rng if seeded else noise
        return r.choice(np.array(["UNK", "w1", "zz"], dtype=object), size=keep.shape)

    doc = " ".join(WORDS[:30])
    exp = AnchorTextExplainer(_unk_share_model, perturbation=fill, random_state=0).fit([doc]).explain([doc])
    held, failed = exp.examples_held[0], exp.examples_failed[0]
    assert all(_unk_share_model(held) == exp.prediction[0]) and all(_unk_share_model(failed) != exp.prediction[0])
    if seeded:
        assert len(held) == 10
    anchor = set(exp.anchor[0])
    assert all(anchor <= set(t.split()) for t in held + failed)


def test_threshold_one_accepts_an_anchor_of_precision_one_in_a_longer_document():
    # With threshold + epsilon_stop above 1 every upper bound is below it, so an anchor was
    # rejected after two batches of fresh samples unless 100 samples already put its lower
    # bound over 0.95; with 13 words or more (beta > 5.13) that never happened: here the one
    # word the model reads got success=False and a 20-word "anchor" after 2,900 rows.
    def model(docs):
        return np.array([int("great" in d.split()) for d in docs])

    doc = " ".join(["great"] + WORDS[:25])
    ex = AnchorTextExplainer(model, threshold=1.0, random_state=0).fit([doc, "w1 w2"])
    exp = ex.explain([doc])
    assert exp.anchor == [("great",)] and exp.success.tolist() == [True]
    assert exp.precision[0] == 1.0 and exp.precision_lower[0] >= 0.95
    assert ex.estimate_precision([doc], exp, n_samples=500, random_state=1)[0] == 1.0
    # an anchor with failures is still rejected at threshold=1
    noisy = AnchorTextExplainer(lambda d: model(d) & (np.arange(len(d)) % 50 != 7), threshold=1.0,
                                max_anchor_size=1, random_state=0).fit([doc])
    assert noisy.explain([doc]).success.tolist() == [False]
