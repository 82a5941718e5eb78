"""Loaders of the VADER (ICWSM 2014) review snippets, shipped with their licence note."""

from __future__ import annotations

import csv
import gzip
import html
import io
from importlib import resources

import numpy as np
from sklearn.utils import Bunch

_CITATION = """
Provenance and licence
----------------------
Ground-truth files of Hutto, C.J. & Gilbert, E.E. (2014), "VADER: A Parsimonious Rule-based
Model for Sentiment Analysis of Social Media Text", Eighth International AAAI Conference on
Weblogs and Social Media (ICWSM-14). Published with the VADER project (vaderSentiment, MIT
License, copyright C.J. Hutto). Cite that paper when you use these data; the licence note
(``skxai/datasets/data/README.md``) travels with every copy.
"""

_DESCR = {
    "movie": """Movie review snippets (VADER ICWSM-2014 ground truth)
=====================================================

10,605 one-sentence movie review snippets (Rotten Tomatoes snippets first collected by
Pang & Lee), each with the mean of 20 human sentiment ratings on a -4..+4 scale
(5,242 positive, 5,326 negative, 37 rated exactly 0).

``target`` is 1 for a positive snippet (mean rating > 0) and 0 for a negative one; snippets
rated exactly 0 are dropped unless ``keep_neutral=True`` (then they get target 2, "neutral").
``sentiment`` holds the raw mean rating.
""",
    "amazon": """Product review sentences (VADER ICWSM-2014 ground truth)
=======================================================

3,708 product review sentences from Amazon, each with the mean of 20 human sentiment ratings
on a -4..+4 scale.

``target`` is 1 for a positive sentence (mean rating > 0) and 0 for a negative one; sentences
rated exactly 0 are dropped unless ``keep_neutral=True`` (then they get target 2, "neutral").
``sentiment`` holds the raw mean rating.
""",
}

_FILES = {"movie": "movie_review_snippets.tsv.gz", "amazon": "amazon_review_snippets.tsv.gz"}


def _unescaped(text):
    """The text with the HTML escapes the source left in it read (``&amp;`` as ``&``, and the
    doubly escaped ``&amp;#38;`` too): "amp" was a word of the explanations."""
    for _ in range(3):
        if "&" not in text:
            break
        read = html.unescape(text)
        if read == text:
            break
        text = read
    return text


def _read(kind):
    raw = resources.files("skxai.datasets").joinpath("data", _FILES[kind]).read_bytes()
    text = gzip.decompress(raw).decode("utf-8")
    # QUOTE_NONE: snippets contain bare double quotes (inches, quotations) that are not CSV quoting.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter="\t", quoting=csv.QUOTE_NONE)
    header = next(reader)
    if header != ["id", "sentiment", "text"]:
        raise ValueError(f"Unexpected header {header} in {_FILES[kind]}.")
    ids, sentiment, docs = [], [], []
    for row in reader:
        if not row:
            continue
        ids.append(row[0])
        sentiment.append(float(row[1]))
        docs.append(_unescaped(row[2]))
    return np.asarray(ids, dtype=object), np.asarray(sentiment), docs


def _load(kind, *, return_X_y, as_frame, keep_neutral):
    ids, sentiment, docs = _read(kind)
    target = (sentiment > 0).astype(np.int64)
    neutral = sentiment == 0
    if keep_neutral:
        target[neutral] = 2
        target_names = np.asarray(["negative", "positive", "neutral"], dtype=object)
    else:
        keep = ~neutral
        ids, sentiment, target = ids[keep], sentiment[keep], target[keep]
        docs = [d for d, k in zip(docs, keep, strict=True) if k]
        target_names = np.asarray(["negative", "positive"], dtype=object)
    frame = None
    data = docs
    if as_frame:
        import pandas as pd

        frame = pd.DataFrame({"id": ids, "text": docs, "sentiment": sentiment, "target": target})
        data = frame["text"]
        target = frame["target"]
    if return_X_y:
        return data, target
    return Bunch(
        data=data,
        target=target,
        target_names=target_names,
        sentiment=sentiment,
        ids=ids,
        frame=frame,
        DESCR=_DESCR[kind] + _CITATION,
    )


def load_movie_reviews(*, return_X_y=False, as_frame=False, keep_neutral=False):
    """Load the movie review snippets (binary sentiment, English).

    ============== ==============================
    Samples total  10,568 (10,605 with neutral)
    Classes        2 (3 with ``keep_neutral``)
    Features       text (one sentence)
    ============== ==============================

    Parameters
    ----------
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.
    as_frame : bool, default=False
        Return ``data`` as a pandas Series and ``target`` as a Series, with ``frame``
        holding ``id``, ``text``, ``sentiment`` and ``target``.
    keep_neutral : bool, default=False
        Keep the snippets rated exactly 0, as class 2 ("neutral").

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``data`` (list of str), ``target`` (1 = positive, i.e. mean rating > 0),
        ``target_names``, ``sentiment`` (raw mean rating, -4..4), ``ids``, ``frame``
        (with ``as_frame``) and ``DESCR`` (with the licence and citation note).
    (data, target) : tuple if ``return_X_y`` is True

    Examples
    --------
    >>> from skxai.datasets import load_movie_reviews
    >>> reviews = load_movie_reviews()
    >>> len(reviews.data), reviews.target.shape, list(reviews.target_names)
    (10568, (10568,), ['negative', 'positive'])
    """
    return _load("movie", return_X_y=return_X_y, as_frame=as_frame, keep_neutral=keep_neutral)


def load_product_reviews(*, return_X_y=False, as_frame=False, keep_neutral=False):
    """Load the Amazon product review sentences (binary sentiment, English).

    Parameters
    ----------
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.
    as_frame : bool, default=False
        Return ``data`` and ``target`` as pandas Series, with ``frame`` holding ``id``,
        ``text``, ``sentiment`` and ``target``.
    keep_neutral : bool, default=False
        Keep the sentences rated exactly 0, as class 2 ("neutral").

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Same fields as :func:`load_movie_reviews`.
    (data, target) : tuple if ``return_X_y`` is True

    Examples
    --------
    >>> from skxai.datasets import load_product_reviews
    >>> X, y = load_product_reviews(return_X_y=True)
    >>> len(X) == len(y), sorted(set(y.tolist()))
    (True, [0, 1])
    """
    return _load("amazon", return_X_y=return_X_y, as_frame=as_frame, keep_neutral=keep_neutral)
