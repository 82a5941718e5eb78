"""Nearest words of a long document: once per distinct word, in groups within a memory bound."""

import numpy as np

from skxai.anchors import _perturb
from skxai.datasets import load_product_reviews


def _vectors():
    docs = load_product_reviews().data[:600]
    return _perturb.WordVectors([d.lower().split() for d in docs], n_components=20)


def _one_row_a_token(vectors, words, k):
    """The neighbours as they were computed: a row of similarities per token, all at once."""
    kk = max(1, min(int(k), len(vectors.words) - 1))
    out = np.full((len(words), kk), None, dtype=object)
    ids = np.asarray([vectors.index.get(w.lower(), -1) for w in words])
    known = np.flatnonzero(ids >= 0)
    sims = vectors.vectors[ids[known]] @ vectors.vectors.T
    sims[np.arange(known.size), ids[known]] = -np.inf
    top = np.argpartition(-sims, kk - 1, axis=1)[:, :kk]
    order = np.argsort(-np.take_along_axis(sims, top, axis=1), axis=1, kind="stable")
    out[known, :kk] = vectors.words[np.take_along_axis(top, order, axis=1)]
    return out


def test_grouped_neighbours_are_those_of_one_row_a_token(monkeypatch):
    vectors = _vectors()
    words = ("the battery is great and the camera is great but the zzunknown screen is awful " * 30).split()
    want = _one_row_a_token(vectors, words, 5)
    np.testing.assert_array_equal(vectors.neighbours(words, 5), want)
    # one distinct word a group: the same words (a document's tokens no longer all at once)
    monkeypatch.setattr(_perturb, "NEIGHBOUR_BYTES", 1)
    np.testing.assert_array_equal(vectors.neighbours(words, 5), want)


def test_similarities_are_computed_once_per_distinct_word(monkeypatch):
    vectors = _vectors()
    rows = []
    real = np.ndarray.__matmul__

    class Counting(np.ndarray):
        def __matmul__(self, other):
            rows.append(self.shape[0])
            return real(np.asarray(self), other)

    monkeypatch.setattr(vectors, "vectors", vectors.vectors.view(Counting))
    words = ("great battery awful screen " * 250).split()
    known = {w for w in words if w in vectors.index}
    assert len(known) >= 2
    vectors.neighbours(words, 3)
    assert sum(rows) == len(known)  # 1,000 tokens, a row per distinct word


def test_similar_replacements_draw_as_from_a_row_per_token():
    # a table of neighbours per token (20,000 tokens x n_similar objects) is no longer built;
    # the draws are those of the per-token table with the same random numbers
    vectors = _vectors()
    tokens = np.asarray(("the battery is great and the zzunknown camera is great " * 20).split(), dtype=object)
    keep = np.random.default_rng(0).random((30, len(tokens))) < 0.5
    got = _perturb.SimilarReplacement(vectors, 4, "UNK")(tokens, keep, np.random.RandomState(3))
    table = vectors.neighbours(list(tokens), 4)
    table = np.where(table == None, "UNK", table)  # noqa: E711
    pick = np.random.RandomState(3).randint(table.shape[1], size=keep.shape)
    np.testing.assert_array_equal(got, table[np.arange(len(tokens))[None, :], pick])
