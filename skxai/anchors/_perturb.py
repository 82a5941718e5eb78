"""Text perturbations: UNK, drop, similar-word replacement (vectors learned in fit), callables.

Every perturbation has the signature ``perturbation(tokens, keep, rng) -> replacements``:
``tokens`` (L,) the document's tokens, ``keep`` (n, L) bool the positions kept (the anchor
always is), ``rng`` a ``numpy.random.RandomState``; it returns an (n, L) array of replacement
tokens (entries at kept positions are ignored). Which positions are kept is decided by the
explainer, independently per unit with probability ``1 - mask_proba``, which is what lets
Anchors reuse samples across candidates; a callable decides only what to put in the holes
(it may look at the kept words, e.g. a masked language model).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.utils.extmath import randomized_svd


class ConstantReplacement:
    """Replace every removed token by one string ("UNK", or "" to drop it)."""

    def __init__(self, token):
        self.token = token

    def __call__(self, tokens, keep, rng):
        return np.full(keep.shape, self.token, dtype=object)


class WordVectors:
    """Word vectors from a corpus: positive PMI of windowed co-occurrences, truncated SVD.

    Parameters
    ----------
    token_lists : list of list of str
    window : int
        Co-occurrence window (tokens either side), weighted 1/distance.
    n_components : int
    min_count : int
        Words seen fewer times get no vector (they are replaced by ``unk_token``).
    random_state : int or RandomState
    """

    def __init__(self, token_lists, *, window=4, n_components=50, min_count=2, random_state=0):
        lowered = [[t.lower() for t in toks] for toks in token_lists]
        counts = {}
        for toks in lowered:
            for t in toks:
                counts[t] = counts.get(t, 0) + 1
        words = sorted(w for w, c in counts.items() if c >= min_count)
        self.index = {w: i for i, w in enumerate(words)}
        self.words = np.asarray(words, dtype=object)
        V = len(words)
        if V < 3:
            raise ValueError(
                f"perturbation='similar' needs a corpus with at least 3 words seen {min_count}+ "
                f"times; this one has {V}."
            )
        ids = np.concatenate([np.asarray([self.index.get(t, -1) for t in toks], dtype=np.int64) for toks in lowered])
        doc = np.concatenate([np.full(len(toks), i, dtype=np.int64) for i, toks in enumerate(lowered)])
        rows, cols, vals = [], [], []
        for d in range(1, window + 1):
            a, b = ids[:-d], ids[d:]
            ok = (doc[:-d] == doc[d:]) & (a >= 0) & (b >= 0)
            rows += [a[ok], b[ok]]
            cols += [b[ok], a[ok]]
            vals.append(np.full(2 * ok.sum(), 1.0 / d))
        C = sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(V, V))
        C.sum_duplicates()
        total = C.sum()
        row = np.asarray(C.sum(axis=1)).ravel()
        ctx = np.asarray(C.sum(axis=0)).ravel() ** 0.75
        ctx = ctx / ctx.sum()
        coo = C.tocoo()
        with np.errstate(divide="ignore"):
            pmi = np.log(coo.data / total) - np.log(row[coo.row] / total) - np.log(ctx[coo.col])
        keep = pmi > 0
        ppmi = sp.csr_matrix((pmi[keep], (coo.row[keep], coo.col[keep])), shape=(V, V))
        k = int(min(n_components, V - 1))
        U, S, _ = randomized_svd(ppmi, k, n_iter=3, random_state=random_state)
        vec = U * np.sqrt(S)
        norm = np.linalg.norm(vec, axis=1, keepdims=True)
        self.vectors = vec / np.where(norm > 0, norm, 1.0)

    def neighbours(self, words, k):
        """``(len(words), min(k, n_words - 1))`` nearest words by cosine (excluding the word),
        None where unknown (one column at least).

        No wider than the other words: an ``n_similar`` beyond them gave columns of None, read
        as UNK and drawn as often as any neighbour (and ``n_similar=10**9`` asked numpy for
        29.8 GiB of them on a 4-word document)."""
        table, row = self.neighbour_rows(words, k)
        return table[row]

    def neighbour_rows(self, words, k):
        """The neighbours of :meth:`neighbours` once per distinct word: ``(table, row)``, the
        table ``(n_distinct + 1, kk)`` (its last row None, for unknown words) and each word's
        row in it.

        Once per distinct word, in groups whose similarities (and their copies) stay within
        :data:`NEIGHBOUR_BYTES`: a row per token of the document took a 20,000-token document
        4.4 GiB beyond any estimate, and a row of neighbours per token 6.4 GiB at a large
        ``n_similar``."""
        kk = max(1, min(int(k), len(self.words) - 1))
        ids = np.asarray([self.index.get(w.lower(), -1) for w in words], dtype=np.int64)
        distinct, where = np.unique(ids[ids >= 0], return_inverse=True)
        table = np.full((len(distinct) + 1, kk), None, dtype=object)
        row = np.full(len(ids), len(distinct), dtype=np.int64)
        row[ids >= 0] = where
        if not len(distinct) or len(self.words) < 2:
            return table, row
        step = max(1, NEIGHBOUR_BYTES // (4 * 8 * len(self.words)))
        for start in range(0, len(distinct), step):
            group = distinct[start : start + step]
            sims = self.vectors[group] @ self.vectors.T
            sims[np.arange(len(group)), group] = -np.inf
            top = np.argpartition(-sims, kk - 1, axis=1)[:, :kk]
            order = np.argsort(-np.take_along_axis(sims, top, axis=1), axis=1, kind="stable")
            table[start : start + len(group)] = self.words[np.take_along_axis(top, order, axis=1)]
        return table, row


#: Bytes the similarities of a group of words (and their copies) may take at once
NEIGHBOUR_BYTES = 64 * 2**20


class SimilarReplacement:
    """Replace a token by one of its ``n_similar`` nearest words, uniformly; UNK if unknown."""

    def __init__(self, vectors, n_similar, unk_token):
        self.vectors = vectors
        self.n_similar = n_similar
        self.unk_token = unk_token
        self._cache = {}

    def __call__(self, tokens, keep, rng):
        key = tuple(tokens.tolist())
        cached = self._cache.get(key)
        if cached is None:
            table, row = self.vectors.neighbour_rows(list(tokens), self.n_similar)
            cached = (np.where(table == None, self.unk_token, table), row)  # noqa: E711
            if len(self._cache) > 1024:
                self._cache.clear()
            self._cache[key] = cached
        table, row = cached
        pick = rng.randint(table.shape[1], size=keep.shape)
        return table[row[None, :], pick]


def resolve_perturbation(perturbation, unk_token, vectors=None, n_similar=10):
    """The perturbation callable (or constant replacement string) for a parameter value."""
    if callable(perturbation):
        return perturbation
    if perturbation == "unk":
        return unk_token
    if perturbation == "drop":
        return ""
    if perturbation == "similar":
        return SimilarReplacement(vectors, n_similar, unk_token)
    raise ValueError(
        f"perturbation={perturbation!r} is not supported; use 'unk', 'drop', 'similar' or a "
        "callable(tokens, keep, rng) -> replacements."
    )


def perturb_doc(doc, perturb, keep_units, rng):
    """Texts of perturbed copies of ``doc`` given unit keep decisions (n, F)."""
    keep_pos = keep_units[:, doc.unit_of_pos]
    if isinstance(perturb, str):
        return doc.render(keep_pos, perturb)
    raw = perturb(doc.tokens, keep_pos, rng)
    # a list is read as objects: numpy would turn its numbers into strings ([[0, "a"]] -> "0")
    given = raw if isinstance(raw, np.ndarray) else np.asarray(raw, dtype=object)
    repl = given.astype(object)
    if repl.shape != keep_pos.shape:
        raise ValueError(
            f"The perturbation returned shape {repl.shape}; expected {keep_pos.shape} "
            "(one replacement per sample and token)."
        )
    # only the replaced tokens are read (kept ones may hold anything); strings need no look
    wrong = [] if given.dtype.kind in "US" else [r for r in repl[~keep_pos] if not isinstance(r, str)]
    if wrong:
        raise ValueError(
            f"The perturbation returned {type(wrong[0]).__name__} {wrong[0]!r} as a replacement; "
            "replacements are strings (a word, or '' to drop the token)."
        )
    return doc.render(keep_pos, repl)
