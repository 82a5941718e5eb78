"""Review-corpus loaders: shapes, labels, neutral handling, frames, licence note."""

import gzip
from importlib import resources

import numpy as np
import pytest

from skxai.datasets import load_movie_reviews, load_product_reviews


@pytest.mark.parametrize(
    "loader, n_all, n_neutral",
    [(load_movie_reviews, 10605, 37), (load_product_reviews, 3708, 98)],
)
def test_shapes_and_labels(loader, n_all, n_neutral):
    b = loader()
    n = n_all - n_neutral
    assert isinstance(b.data, list) and len(b.data) == n and all(isinstance(d, str) for d in b.data)
    assert b.target.shape == (n,) and b.sentiment.shape == (n,) and b.ids.shape == (n,)
    np.testing.assert_array_equal(b.target, (b.sentiment > 0).astype(int))
    assert list(b.target_names) == ["negative", "positive"]
    assert (b.sentiment != 0).all() and np.abs(b.sentiment).max() <= 4
    assert "Hutto" in b.DESCR and "MIT" in b.DESCR
    kept = loader(keep_neutral=True)
    assert len(kept.data) == n_all and (kept.target == 2).sum() == n_neutral
    np.testing.assert_array_equal(kept.sentiment[kept.target == 2], 0.0)
    assert list(kept.target_names) == ["negative", "positive", "neutral"]
    X, y = loader(return_X_y=True)
    assert X == b.data and np.array_equal(y, b.target)


def test_movie_counts_and_first_rows():
    b = load_movie_reviews()
    assert int(b.target.sum()) == 5242 and int((b.target == 0).sum()) == 5326
    assert b.data[0].startswith("The Rock is destined to be the 21st Century's new")
    assert b.sentiment[0] == pytest.approx(2.26666666667)
    # bare double quotes belong to the text (no CSV quoting)
    assert any('9" black and white' in d for d in b.data)


def test_as_frame():
    pytest.importorskip("pandas")
    b = load_product_reviews(as_frame=True)
    assert list(b.frame.columns) == ["id", "text", "sentiment", "target"]
    assert b.frame.shape == (3610, 4)
    assert b.data.name == "text" and b.target.name == "target"
    X, y = load_movie_reviews(return_X_y=True, as_frame=True)
    assert len(X) == len(y) == 10568


def test_licence_note_ships_with_the_data():
    data = resources.files("skxai.datasets").joinpath("data")
    note = data.joinpath("README.md").read_text()
    assert "MIT License" in note and "ICWSM" in note
    raw = gzip.decompress(data.joinpath("movie_review_snippets.tsv.gz").read_bytes())
    assert raw.startswith(b"id\tsentiment\ttext")
