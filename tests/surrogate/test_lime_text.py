"""LimeTextExplainer: exact recovery on a linear bag-of-words model, lime's design, API."""

import numpy as np
import pytest
import scipy.sparse as sp
from joblib import parallel_config
from scipy.stats import spearmanr
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from skxai._lime_engine import removal_masks
from skxai.datasets import load_movie_reviews
from skxai.surrogate import LimeTextExplainer

CV_PATTERN = r"(?u)\b\w\w+\b"  # CountVectorizer's tokens: the model's features exactly


@pytest.fixture(scope="module")
def reviews():
    X, y = load_movie_reviews(return_X_y=True)
    rng = np.random.RandomState(0)
    idx = rng.permutation(len(X))
    # lowercase, so that every word of a document is exactly one feature of the model
    train = [X[i].lower() for i in idx[:2000]]
    test = [X[i].lower() for i in idx[2000:2012]]
    return train, y[idx[:2000]], test


@pytest.fixture(scope="module")
def linear_bow(reviews):
    train, y, test = reviews
    model = make_pipeline(CountVectorizer(binary=True), LogisticRegression(max_iter=1000))
    return model.fit(train, y)


def test_linear_bag_of_words_model_is_recovered(reviews, linear_bow):
    train, y, test = reviews
    vec, lr = linear_bow[0], linear_bow[-1]
    # the decision function is exactly linear in which words are kept: the surrogate
    # (nearly unpenalised) recovers its coefficients, 0 for words the model ignores
    lime = LimeTextExplainer(
        linear_bow, response_method="decision_function", alpha=1e-8, n_samples=600,
        token_pattern=CV_PATTERN, random_state=0,
    ).fit(train)
    exp = lime.explain(test)
    for i, doc in enumerate(test):
        coef = np.array([lr.coef_[0][vec.vocabulary_[w]] if w in vec.vocabulary_ else 0.0
                         for w in exp.words[i]])
        np.testing.assert_allclose(exp.weights[i], coef, atol=1e-6)
        assert exp.local_pred[i] == pytest.approx(linear_bow.decision_function([doc])[0], abs=1e-6)
        assert exp.score[i] == pytest.approx(1.0, abs=1e-9)


def test_weights_rank_like_the_linear_model(reviews, linear_bow):
    train, y, test = reviews
    vec, lr = linear_bow[0], linear_bow[-1]
    lime = LimeTextExplainer(
        linear_bow, n_samples=1000, token_pattern=CV_PATTERN, random_state=0
    ).fit(train)
    exp = lime.explain(test)
    rhos = []
    for i in range(len(test)):
        coef = [lr.coef_[0][vec.vocabulary_.get(w, 0)] if w in vec.vocabulary_ else 0.0
                for w in exp.words[i]]
        rhos.append(spearmanr(exp.weights[i], coef).statistic)
    # probabilities bend the linear model a little; the ranking stays
    assert np.mean(rhos) > 0.95 and np.min(rhos) > 0.8
    assert (exp.target == 1).all()


def test_design_follows_lime():
    rng = np.random.RandomState(0)
    keep = removal_masks(8, 4001, rng)
    assert keep[0].all()
    removed = (~keep[1:]).sum(axis=1)
    assert removed.min() == 1 and removed.max() == 8
    # number removed uniform on 1..8
    counts = np.bincount(removed, minlength=9)[1:]
    assert counts.min() > 400 and counts.max() < 600


def test_transform_determinism_and_n_jobs(reviews, linear_bow):
    train, y, test = reviews
    lime = LimeTextExplainer(linear_bow, n_samples=300, random_state=0).fit(train)
    M = lime.transform(test[:4])
    assert sp.issparse(M) and M.shape == (4, len(lime.get_feature_names_out()))
    exp = lime.explain(test[:4])
    words = lime.get_feature_names_out()
    w0 = dict(zip(exp.words[0], exp.weights[0], strict=True))
    for j in M[0].indices:
        assert M[0, j] == pytest.approx(w0[words[j]])
    with parallel_config(backend="threading"):
        M2 = LimeTextExplainer(linear_bow, n_samples=300, random_state=0, n_jobs=2).fit(
            train
        ).transform(test[:4])
    assert (M != M2).nnz == 0
    M3 = LimeTextExplainer(linear_bow, n_samples=300, random_state=0, batch_size=100).fit(
        train
    ).transform(test[:4])
    assert abs(M - M3).max() < 1e-12
    dense = LimeTextExplainer(
        linear_bow, n_samples=300, random_state=0, vocabulary=["good", "bad", "zzz"]
    ).fit(train).transform(test[:4])
    assert dense.shape == (4, 3) and (dense[:, 2] == 0).all()
    assert len(exp.values[0]) == len(exp.tokens[0])
    assert exp.total_model_calls == 1


def test_a_document_gets_the_same_weights_alone_or_in_a_batch(reviews, linear_bow):
    # seeds come from random_state and each document's text, not its position in the call
    # (a seed per position gave a document other weights once other documents came before it)
    train, y, test = reviews
    lime = LimeTextExplainer(linear_bow, n_samples=300, random_state=0).fit(train)
    docs = test[:4]
    batch = lime.explain(docs)
    moved = lime.explain([docs[3], docs[1], docs[0], docs[2]])
    for i, j in enumerate([2, 1, 3, 0]):
        alone = lime.explain([docs[i]])
        # the model's outputs do not depend on the other rows of a call: equal up to rounding
        for other in (batch.weights[i], moved.weights[j]):
            np.testing.assert_allclose(other, alone.weights[0], rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(batch.values[i], alone.values[0], rtol=1e-12, atol=1e-12)
        assert batch.intercept[i] == pytest.approx(alone.intercept[0], rel=1e-12, abs=1e-12)
        assert batch.score[i] == pytest.approx(alone.score[0], rel=1e-12, abs=1e-12)
    # the same text twice: the same weights (intended); another random_state: other weights
    twice = lime.explain([docs[1], docs[1]])
    np.testing.assert_array_equal(twice.weights[0], twice.weights[1])
    other = LimeTextExplainer(linear_bow, n_samples=300, random_state=1).fit(train).explain(docs[:1])
    assert not np.allclose(other.weights[0], batch.weights[0])


def test_random_state_instance_draws_one_base_seed_per_call(reviews, linear_bow):
    # a RandomState's first call is random_state=0's (one draw: the base seed); the next call
    # draws again, so it gives other weights
    train, y, test = reviews
    fixed = LimeTextExplainer(linear_bow, n_samples=200, random_state=0).fit(train).explain(test[:3])
    rs = np.random.RandomState(0)
    lime = LimeTextExplainer(linear_bow, n_samples=200, random_state=rs).fit(train)
    a = lime.explain(test[:3])
    assert rs.randint(np.iinfo(np.int32).max) == np.random.RandomState(0).randint(np.iinfo(np.int32).max, size=2)[1]
    b = lime.explain(test[:3])
    for wa, wb, wf in zip(a.weights, b.weights, fixed.weights, strict=True):
        np.testing.assert_allclose(wa, wf, rtol=1e-12, atol=1e-12)
        assert not np.allclose(wb, wf)


def test_validation_and_api(reviews, linear_bow):
    train, y, test = reviews
    lime = LimeTextExplainer(linear_bow, n_samples=200, random_state=0).fit(train)
    with pytest.raises(ValueError, match="no tokens"):
        lime.explain(["fine", "?!"])
    with pytest.raises(ValueError, match="n_samples"):
        LimeTextExplainer(linear_bow, n_samples=1).fit(train)
    assert lime.model_output(test[:3]).shape == (3, 2)
    np.testing.assert_array_equal(lime.target_indices(test[:3]), [1, 1, 1])
    assert 0.0 <= lime.score(test[:3]) <= 1.0
    one = lime.explain(["wonderful"])
    assert one.words == [["wonderful"]] and one.weights[0].shape == (1,)
    unfitted = make_pipeline(TfidfVectorizer(), LogisticRegression())
    fitted = LimeTextExplainer(unfitted, n_samples=50).fit(train[:200], y[:200])
    assert fitted.estimator_ is not unfitted


@pytest.mark.peer
def test_lime_peer_gives_the_same_weights(reviews, linear_bow):
    from tests._peers import import_peer

    lime_text = import_peer("lime.lime_text")
    train, y, test = reviews
    docs = [d for d in test if "'" not in d][:3]  # same word split as lime's \W+
    ours = LimeTextExplainer(linear_bow, n_samples=3000, random_state=0).fit(train).explain(docs)
    peer = lime_text.LimeTextExplainer(class_names=["neg", "pos"], random_state=0)
    for i, doc in enumerate(docs):
        e = peer.explain_instance(doc, linear_bow.predict_proba, labels=(1,),
                                  num_features=len(ours.words[i]), num_samples=3000)
        theirs = dict(e.as_list(label=1))
        w = np.array([theirs.get(word, 0.0) for word in ours.words[i]])
        # Same design and kernel, independent draws: the two differ by Monte-Carlo error only.
        # Measured at 3,000 samples over 3 seeds x 3 documents: 1 - correlation <= 6.3e-4, max
        # |weight difference| <= 0.0048 (weights up to 0.19), |score difference| <= 0.0048 --
        # the same sizes as between two of skxai's own seeds. Bands: about 4x those.
        assert 1.0 - np.corrcoef(w, ours.weights[i])[0, 1] < 3e-3
        np.testing.assert_allclose(w, ours.weights[i], atol=0.02)
        assert e.score == pytest.approx(ours.score[i], abs=0.02)


def test_surrogate_is_lime_weighted_ridge_on_a_nonlinear_model(monkeypatch):
    import re

    import skxai.surrogate._lime_text as lime_text_module

    texts_seen = []

    def all_outputs(func, texts, batch_size):
        # Same numbers as the de-duplicating helper, but every perturbed text is kept in order.
        texts_seen.extend(texts)
        return func(list(texts)), np.arange(len(texts))

    monkeypatch.setattr(lime_text_module, "unique_outputs", all_outputs)

    def model(docs):
        has = [set(re.findall(r"\w+", d)) for d in docs]
        s = np.array([2.0 * ("good" in h) - 1.5 * ("bad" in h) * ("plot" in h) + 0.8 * ("fun" in h) * ("cast" in h)
                      + 0.3 * len(h) for h in has])
        p = 1.0 / (1.0 + np.exp(-(s - 2.0)))
        return np.column_stack([1 - p, p])

    doc = "a good cast but bad plot and fun score with cast"
    for kernel_width, alpha in ((25, 1.0), (40, 0.2)):
        texts_seen.clear()
        exp = LimeTextExplainer(model, n_samples=400, kernel_width=kernel_width, alpha=alpha, target=1,
                                random_state=0).fit([doc]).explain([doc])
        words = exp.words[0]
        Z = np.array([[w in set(re.findall(r"\w+", t)) for w in words] for t in texts_seen], dtype=float)
        assert len(Z) == 400 and Z[0].all()
        y = model(texts_seen)[:, 1]
        # lime's text kernel: distance 100 * (1 - cosine(z, 1)), weight sqrt(exp(-d^2 / width^2)).
        d = 100.0 * (1.0 - np.sqrt(Z.sum(axis=1) / Z.shape[1]))
        w = np.sqrt(np.exp(-(d**2) / kernel_width**2))
        D = np.hstack([np.ones((len(Z), 1)), Z])
        P = alpha * np.eye(D.shape[1])
        P[0, 0] = 0.0
        beta = np.linalg.solve(D.T @ (D * w[:, None]) + P, D.T @ (w * y))
        np.testing.assert_allclose(exp.weights[0], beta[1:], atol=1e-9)
        assert exp.intercept[0] == pytest.approx(beta[0], abs=1e-9)
        # Without the square root the weights would be far off: the check can see the kernel.
        beta2 = np.linalg.solve(D.T @ (D * (w**2)[:, None]) + P, D.T @ (w**2 * y))
        assert np.abs(beta2[1:] - beta[1:]).max() > 1e-3


def test_parameters_fail_at_fit_naming_them(reviews, linear_bow):
    from sklearn.utils._param_validation import InvalidParameterError

    train = reviews[0][:50]
    for bad in ({"kernel_width": float("nan")}, {"kernel_width": 0}, {"kernel_width": float("inf")},
                {"alpha": -0.5}, {"batch_size": 0}, {"unit": "char"}, {"n_samples": 1}):
        with pytest.raises(InvalidParameterError, match=next(iter(bad))):
            LimeTextExplainer(linear_bow, **bad).fit(train)


def test_model_batch_size_is_deprecated_and_batch_size_bounds_calls(reviews, linear_bow):
    train, y, test = reviews
    sizes = []

    def model(docs):
        sizes.append(len(docs))
        return linear_bow.predict_proba(docs)

    with pytest.warns(FutureWarning, match="batch_size"):
        old = LimeTextExplainer(model, n_samples=120, model_batch_size=50, target=1, random_state=0).fit(train)
    assert old.explain(test[:2]).total_model_calls >= 4 and max(sizes) <= 50
    sizes.clear()
    new = LimeTextExplainer(model, n_samples=120, batch_size=50, target=1, random_state=0).fit(train)
    a, b = old.explain(test[:2]), new.explain(test[:2])
    assert max(sizes) <= 50
    for wa, wb in zip(a.weights, b.weights, strict=True):
        np.testing.assert_array_equal(wa, wb)


def test_verbose_shows_progress(reviews, linear_bow, capsys):
    train, y, test = reviews
    LimeTextExplainer(linear_bow, n_samples=100, batch_size=100, verbose=1, random_state=0).fit(train).explain(
        test[:3])
    assert "LIME text" in capsys.readouterr().err


def test_other_class_of_a_binary_decision_function_is_a_clear_error():
    # A LinearSVC's one output scores its positive class; asking for the other class said
    # "'neg' is not a class of the model; classes are ['pos']", which is false.
    from sklearn.svm import LinearSVC

    docs = ["a great film", "great acting", "a dull film", "dull and slow"] * 5
    labels = ["pos", "pos", "neg", "neg"] * 5
    model = make_pipeline(CountVectorizer(), LinearSVC()).fit(docs, labels)
    with pytest.raises(ValueError, match=r"one output scores the class 'pos'.*decision function"):
        LimeTextExplainer(model, target="neg").fit(docs)
    assert LimeTextExplainer(model, target="pos").fit(docs).target_index_ == 0
