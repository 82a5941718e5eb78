"""Tokenisation shared by the text explainers: tokens, the text between them, and units."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import re
import unicodedata

import numpy as np

from skxai.utils._random import seed_from

#: Words (letters, digits, underscores, inner apostrophes); punctuation stays in the separators.
DEFAULT_TOKEN_PATTERN = r"(?u)\b\w+(?:'\w+)*\b"


def token_matches(pattern, text):
    """The matches of ``pattern`` in ``text`` that are tokens: every non-empty one.

    An empty match is no token: a pattern such as ``r"\\w*"`` matches between every two words,
    and the empty string became a player (a LIME weight, a word of an anchor).
    """
    return [m for m in pattern.finditer(text) if m.end() > m.start()]


@functools.lru_cache(maxsize=1)
def _combining_marks():
    """A character class body of every combining mark (Unicode categories Mn, Mc, Me)."""
    ranges, first, last = [], None, None
    for code in (*range(0x20000), *range(0xE0000, 0xE1000)):
        if unicodedata.category(chr(code)).startswith("M"):
            if last is not None and code == last + 1:
                last = code
                continue
            if first is not None:
                ranges.append((first, last))
            first = last = code
    ranges.append((first, last))
    return "".join(re.escape(chr(a)) + ("" if a == b else "-" + re.escape(chr(b))) for a, b in ranges)


def _default_pattern():
    """:data:`DEFAULT_TOKEN_PATTERN` with a word's combining marks inside it.

    Python's ``\\w`` leaves out combining marks (a decomposed "résumé", Devanagari vowel signs,
    Arabic and Hebrew vowel points): a word was cut at each, its pieces became players of their
    own and the marks were left between them (masked: "UNK\u0301"). Words here start with a
    ``\\w`` character and go on over letters and marks, as the default's words and inner
    apostrophes do over letters.
    """
    word = f"[\\w{_combining_marks()}]"
    return re.compile(rf"(?u)\b\w{word}*(?:'{word}+)*")


class TokenizedDoc:
    """A document split as ``seps[0] tok[0] seps[1] tok[1] ... tok[L-1] seps[L]``.

    Attributes
    ----------
    text : str
    tokens : ndarray of object, shape (L,)
    starts : ndarray of int, shape (L,)
        Character offset of each token.
    seps : ndarray of object, shape (L + 1,)
    units : ndarray of object, shape (F,)
        The players: distinct words in order of first occurrence (``unit="word"``) or every
        token (``unit="token"``).
    unit_of_pos : ndarray of int, shape (L,)
    """

    def __init__(self, text, pattern, unit):
        matches = token_matches(pattern, text)
        self.text = text
        self.tokens = np.asarray([m.group(0) for m in matches], dtype=object)
        self.starts = np.asarray([m.start() for m in matches], dtype=np.intp)
        ends = [m.end() for m in matches]
        cuts = [0, *[c for pair in zip(self.starts, ends, strict=True) for c in pair], len(text)]
        self.seps = np.asarray([text[cuts[2 * i] : cuts[2 * i + 1]] for i in range(len(matches) + 1)], dtype=object)
        if unit == "word":
            first = {}
            unit_of_pos = [first.setdefault(t, len(first)) for t in self.tokens.tolist()]
            self.units = np.asarray(list(first), dtype=object)
            self.unit_of_pos = np.asarray(unit_of_pos, dtype=np.intp)
        else:
            self.units = self.tokens.copy()
            self.unit_of_pos = np.arange(len(self.tokens), dtype=np.intp)

    @property
    def n_units(self):
        return len(self.units)

    def render(self, keep_pos, replacements):
        """Texts of perturbed copies: ``keep_pos`` (n, L) bool, ``replacements`` (n, L) or a str."""
        lead = self.seps[:-1]
        if isinstance(replacements, str):
            pieces = np.where(keep_pos, lead + self.tokens, lead + replacements)
        else:
            pieces = np.where(keep_pos, lead + self.tokens, lead + replacements.astype(object))
        tail = self.seps[-1]
        return ["".join(row) + tail for row in pieces.tolist()]


def compile_pattern(token_pattern):
    """Compile ``token_pattern``; capturing groups are refused (tokens are whole matches)."""
    if not isinstance(token_pattern, str):
        raise TypeError(f"token_pattern must be a str, got {type(token_pattern).__name__}.")
    if token_pattern == DEFAULT_TOKEN_PATTERN:
        return _default_pattern()
    try:
        pattern = re.compile(token_pattern)
    except re.error as exc:  # not a ValueError, and it names neither the parameter nor its value
        raise ValueError(f"token_pattern={token_pattern!r} is not a valid regular expression: {exc}.") from exc
    if pattern.groups:
        raise ValueError(f"token_pattern={token_pattern!r} has capturing groups; use (?:...) groups.")
    return pattern


def check_corpus(docs, what="docs"):
    """A list of str from a list, array, Series or tuple of strings (a lone str is refused)."""
    if isinstance(docs, str | bytes):
        raise TypeError(f"{what} must be a list of documents, not a single string.")
    if hasattr(docs, "to_numpy"):
        docs = docs.to_numpy()
    docs = list(docs) if not isinstance(docs, list) else docs
    if not docs:
        raise ValueError(f"{what} is empty: pass at least one document.")
    bad = [i for i, d in enumerate(docs) if not isinstance(d, str)]
    if bad:
        raise TypeError(f"{what} must hold strings; item {bad[0]} is {type(docs[bad[0]]).__name__}.")
    return docs


def doc_seeds(random_state, docs):
    """One seed per document from ``random_state`` and the document's own text.

    The base seed is drawn once per call (:func:`~skxai.utils._random.seed_from`) and mixed with
    a stable hash of the text (``hash(str)`` changes from process to process), so a document's
    explanation does not depend on its position nor on which documents are explained with it
    (nor on ``n_jobs``); two identical documents get the same seed, hence the same explanation.
    Lone surrogates (``surrogatepass``) hash like any other text instead of raising.
    """
    base = seed_from(random_state).to_bytes(4, "little")
    return np.array(
        [
            int.from_bytes(hashlib.blake2b(base + d.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little")
            & 0x7FFFFFFF
            for d in docs
        ],
        dtype=np.int64,
    )


def tokenize_docs(docs, pattern, unit):
    """Tokenise documents for explanation; an empty document is a clear error."""
    out = []
    for i, d in enumerate(docs):
        tok = TokenizedDoc(d, pattern, unit)
        if len(tok.tokens) == 0:
            # "empty" only for what is: emoji or punctuation alone are text the pattern skips
            shown = getattr(pattern, "pattern", pattern)
            why = "empty document" if not d.strip() else f"no part of {d[:40]!r} matches token_pattern={shown!r}"
            raise ValueError(
                f"Document {i} has no tokens ({why}); an explanation needs at least one word matching token_pattern."
            )
        out.append(tok)
    return out


def unique_outputs(func, texts, batch_size):
    """``func`` on the distinct ``texts`` only, ``batch_size`` texts per call.

    Returns the outputs of the distinct texts (in order of first occurrence) and, per text,
    the index of its distinct text: ``out[inv]`` gives one output per text.
    """
    index = {}
    inv = np.fromiter((index.setdefault(t, len(index)) for t in texts), np.intp, len(texts))
    unique = list(index)
    out = np.concatenate([func(unique[s : s + batch_size]) for s in range(0, len(unique), batch_size)])
    return out, inv


@contextlib.contextmanager
def model_takes_documents(owner):
    """Turn the model's own failure on a list of documents (at ``fit``'s first call) into a
    ValueError naming ``owner`` and what a text explainer's model must take: a numeric
    classifier gave scikit-learn's "Expected 2D array, got 1D array ... Reshape your data",
    advice the user cannot follow on inputs the explainer builds. skxai's own errors pass."""
    from skxai._adapters import _raised_in_skxai

    try:
        yield
    except (ValueError, TypeError, AttributeError) as exc:
        # only a failure on the kind of input: a text callable's own KeyError stays as it is
        if _raised_in_skxai(exc) or not _NOT_TEXTS.search(str(exc)):
            raise
        reason = " ".join(str(exc).split()).rstrip(".")
        raise ValueError(
            f"{owner} cannot run the model on a list of documents: it raised {type(exc).__name__}: {reason}. "
            "A text explainer's model must take a list of str (a Pipeline that starts with a vectoriser "
            "such as TfidfVectorizer, or a callable on texts)."
        ) from exc


#: What a model that takes no texts says of a list of str (scikit-learn's checks, numpy's casts).
_NOT_TEXTS = re.compile(r"Expected 2D array|1D array|could not convert string|Reshape your data|\bstr\b|string")


def fit_vocabulary(docs, token_pattern, **params):
    """Binary ``CountVectorizer`` (case kept) fitted on ``docs``, and its document x word matrix.

    ``params`` go to the vectoriser; a corpus without any token is a clear error.
    """
    from sklearn.feature_extraction.text import CountVectorizer

    pattern = compile_pattern(token_pattern)

    def analyzer(doc):
        # the tokens the explainers perturb (empty matches left out), case kept
        return [m.group(0) for m in token_matches(pattern, doc)]

    cv = CountVectorizer(analyzer=analyzer, token_pattern=None, lowercase=False, binary=True, **params)
    try:
        X = cv.fit_transform(docs)
    except ValueError as exc:
        raise ValueError(f"The corpus has no token matching token_pattern: {exc}") from exc
    return cv, X


def perturbed_doc_bytes(doc, n_samples, per_unit):
    """Bytes held while ``n_samples`` perturbed copies of a tokenized document exist at once: the
    draws (``per_unit`` bytes a unit and copy), the rendered pieces (per token) and the texts
    themselves (up to 4 bytes a character)."""
    return int(n_samples) * (per_unit * doc.n_units + 25 * len(doc.tokens) + 4 * len(doc.text) + 100)
