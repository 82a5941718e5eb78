"""Tests written against mutants of tabular and text LIME (issue 17, second wave).

References: a kernel-weighted ridge solved here from the normal equations on the design read
back from the rows the model was asked about, hand-rendered perturbed texts, counts.
"""

import os
import re

import numpy as np
import pytest

from skxai import LimeExplainer
from skxai.surrogate import LimeTextExplainer


def hand_ridge(Z, y, w, alpha):
    """Weighted ridge (unpenalised intercept) and its weighted R^2, from the normal equations."""
    D = np.hstack([np.ones((len(Z), 1)), Z])
    P = alpha * np.eye(D.shape[1])
    P[0, 0] = 0.0
    beta = np.linalg.solve(D.T @ (D * w[:, None]) + P, D.T @ (w * y))
    resid = y - D @ beta
    ybar = w @ y / w.sum()
    return beta[1:], beta[0], 1 - w @ resid**2 / (w @ (y - ybar) ** 2)


class Recorder:
    """A nonlinear model with two outputs that keeps every row it is asked about."""

    def __init__(self):
        self.rows = []

    def __call__(self, A):
        A = np.asarray(A, dtype=float)
        self.rows.append(A.copy())
        return np.stack([np.tanh(A[:, 0] * A[:, 1]) + np.exp(0.5 * A[:, 2]) - A[:, 3],
                         np.sin(A[:, 1]) * A[:, 3] + A[:, 0] ** 2], axis=1)


# -- skxai/surrogate/_lime.py ------------------------------------------------------------------

@pytest.mark.parametrize("batch_size", [7, 50_000])
def test_tabular_lime_on_several_rows_and_outputs_is_the_hand_ridge(batch_size):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 4))
    rows = rng.normal(size=(3, 4))
    model = Recorder()
    m, alpha = 60, 0.5
    lime = LimeExplainer(model, n_samples=m, alpha=alpha, max_background=6, target=0, batch_size=batch_size,
                         random_state=0).fit(X)
    model.rows.clear()
    exp = lime.explain(rows)
    seen = np.concatenate(model.rows)
    assert len(seen) == 3 * m and max(len(r) for r in model.rows) <= batch_size
    assert exp.n_model_rows == m
    width = 0.75 * np.sqrt(4)
    for i, x in enumerate(rows):
        block = seen[i * m : (i + 1) * m]  # row i's perturbations, in order
        Z = block == x
        w = np.sqrt(np.exp(-(~Z).sum(axis=1) / width**2))
        y = model(block)
        for k in range(2):
            c, b, r2 = hand_ridge(Z.astype(float), y[:, k], w, alpha)
            np.testing.assert_allclose(exp.values[i, :, k], c, atol=1e-9)
            np.testing.assert_allclose(exp.base_values[i, k], b, atol=1e-9)
            np.testing.assert_allclose(exp.intercept[i, k], b, atol=1e-9)
            np.testing.assert_allclose(exp.score[i, k], r2, atol=1e-9)
        np.testing.assert_allclose(exp.outputs[i], model(x[None])[0], atol=1e-12)
        np.testing.assert_allclose(exp.surrogate_outputs[i], exp.base_values[i] + exp.values[i].sum(axis=0),
                                   atol=1e-12)


def test_tabular_lime_players_are_feature_groups():
    rng = np.random.RandomState(1)
    X = rng.normal(size=(30, 4))
    x = rng.normal(size=(1, 4))
    model = Recorder()
    groups = [[0, 2], [1], [3]]
    lime = LimeExplainer(model, n_samples=80, feature_groups=groups, max_background=5, target=0,
                         random_state=0).fit(X)
    model.rows.clear()
    exp = lime.explain(x)
    seen = np.concatenate(model.rows)
    kept = seen == x
    np.testing.assert_array_equal(kept[:, 0], kept[:, 2])  # a group is switched off as a whole
    Z = kept[:, [0, 1, 3]]
    w = np.sqrt(np.exp(-(~Z).sum(axis=1) / (0.75**2 * 3)))  # width 0.75 sqrt(3 players)
    c, b, _ = hand_ridge(Z.astype(float), model(seen)[:, 0], w, 1.0)
    np.testing.assert_allclose(exp.values[0, :, 0], c, atol=1e-9)


def test_tabular_lime_draws_background_rows_by_their_weights():
    rng = np.random.RandomState(2)
    sizes = [12, 36, 72]  # three tight clusters: k-means weights 0.1, 0.3, 0.6
    centres = np.array([[0.0, 0.0, 10.0], [10.0, 0.0, 0.0], [0.0, 10.0, 0.0]])
    X = np.concatenate([c + 0.01 * rng.normal(size=(s, 3)) for c, s in zip(centres, sizes, strict=True)])
    seen = []

    def model(A):
        seen.append(np.asarray(A, dtype=float).copy())
        return A.sum(axis=1)

    lime = LimeExplainer(model, n_samples=3000, max_background=3, background="kmeans", random_state=0).fit(X)
    np.testing.assert_allclose(np.sort(lime.background_weights_), [0.1, 0.3, 0.6])
    seen.clear()
    x = np.array([[100.0, 100.0, 100.0]])
    lime.explain(x)
    A = np.concatenate(seen)
    off = A != x
    drawn = np.full(len(A), -1)
    for b, row in enumerate(lime.background_):
        drawn[np.all(np.where(off, A == row, True), axis=1) & off.any(axis=1)] = b
    freq = np.bincount(drawn[drawn >= 0], minlength=3) / (drawn >= 0).sum()
    # 2999 draws: binomial standard deviation at most 0.009
    np.testing.assert_allclose(freq, lime.background_weights_, atol=0.04)


def test_tabular_lime_default_batch_is_fifty_thousand_rows():
    X = np.random.RandomState(3).normal(size=(20, 3))
    sizes = []

    def model(A):
        sizes.append(len(A))
        return A.sum(axis=1)

    lime = LimeExplainer(model, n_samples=5000, batch_size=None, random_state=0).fit(X)
    sizes.clear()
    lime.explain(X[:11])  # 55,000 model rows
    assert sizes == [50_000, 5_000]


def test_tabular_lime_needs_p_plus_two_samples():
    X = np.random.RandomState(4).normal(size=(20, 3))
    LimeExplainer(lambda A: A.sum(axis=1), n_samples=5).fit(X)  # p + 2 = 5: allowed
    with pytest.raises(ValueError, match=r"^n_samples=4 is too small: LIME needs at least n_players \+ 2 = 5 "
                       r"perturbations\.$"):
        LimeExplainer(lambda A: A.sum(axis=1), n_samples=4).fit(X)


def test_tabular_lime_average_perturbation_counts_its_rows():
    X = np.random.RandomState(5).normal(size=(20, 3))
    lime = LimeExplainer(lambda A: A.sum(axis=1), n_samples=40, max_background=7, perturbation="average",
                         random_state=0).fit(X)
    assert lime.explain(X[:2]).n_model_rows == 40 * 7


@pytest.mark.parametrize("n_samples, batch_size", [(50, 5), (10, 15)])  # 30 calls in 8 tasks; 2 calls
def test_tabular_lime_runs_in_workers_and_is_quiet_unless_verbose(capfd, n_samples, batch_size):
    main, armed = os.getpid(), [False]

    def model(A):
        if armed[0] and os.getpid() == main:
            raise AssertionError("n_jobs=2 ran the model in the calling process")
        return np.asarray(A).sum(axis=1)

    X = np.random.RandomState(6).normal(size=(20, 3))
    lime = LimeExplainer(model, n_samples=n_samples, batch_size=batch_size, n_jobs=2, random_state=0).fit(X)
    armed[0] = True
    par = lime.transform(X[:3])
    assert capfd.readouterr().err == ""
    armed[0] = False
    lime.set_params(verbose=1)
    lime.transform(X[:3])
    assert "Parallel(n_jobs=2)" in capfd.readouterr().err
    serial = LimeExplainer(model, n_samples=n_samples, batch_size=batch_size, random_state=0).fit(X).transform(X[:3])
    np.testing.assert_array_equal(par, serial)


def test_tabular_lime_average_perturbation_runs_in_workers_and_is_quiet_unless_verbose(capfd):
    main, armed = os.getpid(), [False]

    def model(A):
        if armed[0] and os.getpid() == main:
            raise AssertionError("n_jobs=2 ran the model in the calling process")
        return np.tanh(np.asarray(A)).sum(axis=1)

    X = np.random.RandomState(8).normal(size=(20, 3))
    kw = dict(n_samples=20, max_background=5, batch_size=10, perturbation="average", random_state=0)
    lime = LimeExplainer(model, n_jobs=2, **kw).fit(X)
    armed[0] = True
    par = lime.transform(X[:3])  # 3 x 20 x 5 = 300 model rows in calls of at most 10
    assert capfd.readouterr().err == ""
    armed[0] = False
    lime.set_params(verbose=1).transform(X[:3])
    assert "Parallel(n_jobs=2)" in capfd.readouterr().err
    serial = LimeExplainer(model, verbose=1, **kw).fit(X)
    np.testing.assert_array_equal(serial.transform(X[:3]), par)
    assert "explaining" in capfd.readouterr().err  # the serial game's progress bar over its calls


# -- skxai/surrogate/_lime_text.py -------------------------------------------------------------

WORDS = re.compile(r"\w+")


def bow_model(docs):
    """Three classes from which words a text holds (nonlinear in the words)."""
    out = []
    for d in docs:
        h = set(WORDS.findall(d))
        s = np.array([1.0 * ("good" in h) + 0.5 * ("fun" in h) * ("cast" in h),
                      1.2 * ("bad" in h) + 0.2 * len(h) / 5,
                      0.7 * ("plot" in h) - 0.4 * ("good" in h) * ("plot" in h) + 0.3 * ("UNK" in h)])
        e = np.exp(s - s.max())
        out.append(e / e.sum())
    return np.array(out)


class TextRecorder:
    def __init__(self):
        self.calls = []

    def __call__(self, docs):
        self.calls.append(list(docs))
        return bow_model(docs)


def text_ridge(doc, texts, words, width, alpha, col):
    """The lime text surrogate of one document from its perturbed texts, fitted here."""
    Z = np.array([[w in set(WORDS.findall(t)) for w in words] for t in texts], dtype=float)
    d = 100.0 * (1.0 - np.sqrt(Z.sum(axis=1) / Z.shape[1]))
    w = np.sqrt(np.exp(-(d**2) / width**2))
    return hand_ridge(Z, bow_model(texts)[:, col], w, alpha)


def test_text_lime_predicted_class_outputs_score_and_local_prediction(monkeypatch):
    import skxai.surrogate._lime_text as lime_text_module

    seen = []

    def all_outputs(func, texts, batch_size):  # keep every perturbed text, in order
        seen.extend(texts)
        return func(list(texts)), np.arange(len(texts))

    monkeypatch.setattr(lime_text_module, "unique_outputs", all_outputs)
    docs = ["a good cast and fun plot", "bad plot bad cast", "the plot is the plot"]
    m = 150
    lime = LimeTextExplainer(bow_model, n_samples=m, kernel_width=30, alpha=0.3, target="predicted",
                             random_state=0).fit(docs)
    exp = lime.explain(docs)
    predicted = bow_model(docs).argmax(axis=1)
    assert len(set(predicted)) == 3  # the three documents are predicted as three classes
    np.testing.assert_array_equal(exp.target, predicted)
    np.testing.assert_array_equal(lime.target_indices(docs), predicted)
    np.testing.assert_allclose(exp.outputs, bow_model(docs), atol=1e-12)
    scores = []
    for i, doc in enumerate(docs):
        c, b, r2 = text_ridge(doc, seen[i * m : (i + 1) * m], exp.words[i], 30, 0.3, predicted[i])
        np.testing.assert_allclose(exp.weights[i], c, atol=1e-9)
        assert exp.intercept[i] == pytest.approx(b, abs=1e-9)
        assert exp.score[i] == pytest.approx(r2, abs=1e-9)
        assert exp.local_pred[i] == pytest.approx(b + c.sum(), abs=1e-9)
        scores.append(r2)
    assert lime.score(docs) == pytest.approx(np.mean(scores), abs=1e-9)
    fixed = LimeTextExplainer(bow_model, n_samples=m, target=2, random_state=0).fit(docs)
    np.testing.assert_array_equal(fixed.explain(docs).target, [2, 2, 2])
    np.testing.assert_array_equal(fixed.target_indices(docs), [2, 2, 2])


def test_text_lime_mask_string_replaces_removed_words():
    model = TextRecorder()
    doc = "good cast, bad plot."
    LimeTextExplainer(model, n_samples=60, mask_string="UNK", target=0, random_state=0).fit([doc]).explain([doc])
    texts = [t for call in model.calls[1:] for t in call]  # calls[0] is fit's look at the output
    words = ["good", "cast", "bad", "plot"]
    assert doc in texts
    for t in texts:
        m = re.fullmatch(r"(\w+) (\w+), (\w+) (\w+)\.", t)
        assert m, t
        assert all(g in (w, "UNK") for g, w in zip(m.groups(), words, strict=True))
    assert any("UNK" in t for t in texts)
    removed = LimeTextExplainer(model, n_samples=60, target=0, random_state=0).fit([doc])
    model.calls.clear()
    removed.explain([doc])
    assert all("UNK" not in t for call in model.calls for t in call)
    assert any(re.fullmatch(r"good , bad plot\.", t) for call in model.calls for t in call)


def _owners(calls):
    """The documents (w<i> words) whose perturbed texts each call holds."""
    return [sorted({int(d) for t in call for d in re.findall(r"w(\d)", t)}) for call in calls]


def test_text_lime_counts_calls_and_distinct_rows():
    model = TextRecorder()
    docs = ["w0a w0b", "w1a w1b w1c w1d w1e"]  # at most 4 and 32 distinct perturbed texts
    lime = LimeTextExplainer(model, n_samples=200, batch_size=3, target=0, random_state=0).fit(docs)
    model.calls.clear()
    exp = lime.explain(docs)
    sizes = [len(c) for c in model.calls]
    texts = [t for c in model.calls for t in c]
    assert len(texts) == len(set(texts))  # each distinct text sent once
    assert exp.total_model_calls == len(sizes) and exp.total_rows == sum(sizes) == len(texts)
    owners = _owners(model.calls)
    assert all(len(o) <= 1 for o in owners)  # batch_size < n_samples: one document per call
    per_doc = [sum(len(c) for c, o in zip(model.calls, owners, strict=True) if o == [i]) for i in range(2)]
    assert 2 < per_doc[0] <= 4 and 16 < per_doc[1] <= 32
    assert len(sizes) == sum(-(-u // 3) for u in per_doc) + sum(o == [] for o in owners)


def test_text_lime_groups_documents_to_fill_a_call():
    model = TextRecorder()
    docs = [f"w{i}a w{i}b w{i}c w{i}d w{i}e w{i}f" for i in range(5)]
    lime = LimeTextExplainer(model, n_samples=100, batch_size=250, target=0, random_state=0).fit(docs)
    model.calls.clear()
    lime.explain(docs)
    # 250 // 100 = 2 documents per group, each group in its own call(s)
    assert _owners(model.calls) == [[0, 1], [2, 3], [4]]
    model.calls.clear()
    lime.set_params(batch_size=60).fit(docs)  # fewer rows than n_samples: one document per group
    model.calls.clear()
    lime.explain(docs)
    owners = _owners(model.calls)
    assert all(len(o) <= 1 for o in owners) and sorted({o[0] for o in owners if o}) == list(range(5))


def test_text_lime_transform_adds_a_words_tokens_and_drops_unseen_words():
    docs = ["good plot good cast", "bad fun"]
    lime = LimeTextExplainer(bow_model, n_samples=200, unit="token", target=0, random_state=0).fit(docs)
    exp = lime.explain(["good plot good zzz"])
    M = lime.transform(["good plot good zzz"])
    vocab = lime.vocabulary_
    assert M.shape == (1, len(vocab)) and "zzz" not in vocab
    w = exp.weights[0]
    assert exp.words[0] == ["good", "plot", "good", "zzz"]
    assert M[0, vocab["good"]] == pytest.approx(w[0] + w[2], abs=1e-12)
    assert M[0, vocab["plot"]] == pytest.approx(w[1], abs=1e-12)
    assert M.nnz == 2
    dense = LimeTextExplainer(bow_model, n_samples=200, unit="token", vocabulary=["zzz", "plot", "good"],
                              target=0, random_state=0).fit(docs)
    np.testing.assert_allclose(dense.transform(["good plot good zzz"]), [[w[3], w[1], w[0] + w[2]]], atol=1e-12)
    np.testing.assert_array_equal(dense.get_feature_names_out(), ["zzz", "plot", "good"])


def test_text_lime_runs_in_workers():
    main, armed = os.getpid(), [False]

    def model(docs):
        if armed[0] and os.getpid() == main:
            raise AssertionError("n_jobs=2 ran the model in the calling process")
        if os.getpid() != main:  # verbose=0: no progress bar in a worker either (tqdm's live bars)
            from tqdm.std import tqdm

            assert not list(getattr(tqdm, "_instances", ())), "a progress bar was started in a worker"
        return bow_model(docs)

    docs = ["a good cast and fun plot", "bad plot bad cast", "the plot is the plot", "good fun"]
    lime = LimeTextExplainer(model, n_samples=50, n_jobs=2, target=0, random_state=0).fit(docs)
    armed[0] = True
    par = lime.explain(docs)
    armed[0] = False
    serial = LimeTextExplainer(model, n_samples=50, target=0, random_state=0).fit(docs).explain(docs)
    for a, b in zip(par.weights, serial.weights, strict=True):
        np.testing.assert_array_equal(a, b)


def test_tabular_lime_progress_bar_counts_model_calls(capfd):
    X = np.random.RandomState(7).normal(size=(20, 3))
    LimeExplainer(lambda A: A.sum(axis=1), n_samples=40, batch_size=30, verbose=1, random_state=0).fit(X).transform(
        X[:3])
    err = capfd.readouterr().err
    assert re.search(r"(?<![A-Za-z])LIME: .*\| 0/4 \[.*call/s", err), err  # 120 rows in calls of 30


def test_text_lime_scoring_callable_gets_the_documents_and_y():
    docs = ["a good cast and fun plot", "bad plot bad cast"]
    seen = []

    def scoring(explainer, X, y):
        seen.append((list(X), y))
        return 0.25

    lime = LimeTextExplainer(bow_model, n_samples=20, target=0, scoring=scoring, random_state=0).fit(docs)
    assert lime._score_explanation(docs, [1, 0]) == 0.25
    assert lime._score_explanation(docs) == 0.25
    assert seen == [(docs, [1, 0]), (docs, None)]


def test_text_lime_progress_bar_counts_model_calls(capfd):
    docs = ["a good cast", "bad plot", "fun cast"]
    LimeTextExplainer(bow_model, n_samples=20, batch_size=20, target=0, verbose=1, random_state=0).fit(docs).explain(
        docs)
    err = capfd.readouterr().err
    assert re.search(r"(?<![A-Za-z])LIME text: .*\| 0/3 \[.*call/s", err), err  # one document per call


def test_text_lime_explanation_records_documents_tokens_classes_and_method():
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    train = ["good fun film", "good cast", "bad plot", "bad dull film"] * 3
    labels = ["pos", "pos", "neg", "neg"] * 3
    model = make_pipeline(CountVectorizer(), LogisticRegression()).fit(train, labels)
    docs = ["good plot, good fun", "bad cast"]
    exp = LimeTextExplainer(model, n_samples=40, target="pos", random_state=0).fit(train).explain(docs)
    assert exp.method == "LimeTextExplainer"
    assert list(exp.data) == docs
    assert list(exp.output_names) == ["neg", "pos"]
    assert exp.tokens == [["good", "plot", "good", "fun"], ["bad", "cast"]]
    assert exp.words == [["good", "plot", "fun"], ["bad", "cast"]]  # unit="word": distinct words
    for vals, toks, words, w in zip(exp.values, exp.tokens, exp.words, exp.weights, strict=True):
        # one value per token: the weight of its word (both "good" tokens carry the same weight)
        np.testing.assert_array_equal(vals, [w[words.index(t)] for t in toks])
