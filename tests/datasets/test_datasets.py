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


def test_shapes_localisation_boxes_hold_the_shapes():
    from skxai.datasets import make_shapes_localisation

    b = make_shapes_localisation(60, canvas=24, size=(5, 9), noise=0.0, random_state=3)
    assert b.data.shape == (60, 1, 24, 24) and b.data.dtype == np.float32
    assert b.masks.shape == (60, 24, 24) and b.masks.dtype == bool
    assert set(np.unique(b.target)) <= {0, 1, 2, 3} and list(b.target_names) == ["square", "cross", "ring", "triangle"]
    for i in range(60):
        r0, c0, r1, c1 = b.boxes[i]
        assert 5 <= r1 - r0 == c1 - c0 <= 9 and 0 <= r0 and r1 <= 24 and 0 <= c0 and c1 <= 24
        # The mask is exactly the box; the shape lies inside it and touches all four sides.
        box = np.zeros((24, 24), dtype=bool)
        box[r0:r1, c0:c1] = True
        np.testing.assert_array_equal(b.masks[i], box)
        assert (b.shape_masks[i] <= box).all()
        inside = b.shape_masks[i][r0:r1, c0:c1]
        assert inside[0].any() and inside[-1].any() and inside[:, 0].any() and inside[:, -1].any()
        # Without noise the bright pixels inside the box are the shape's (distractors stay outside).
        img = b.data[i, 0]
        np.testing.assert_array_equal(img[box] > 0.5, b.shape_masks[i][box])
        assert (img[~box] >= 0).all() and (img[~box] > 0.5).sum() > 0  # the distractor strokes
    square = b.shape_masks[b.target == 0]
    assert all(m.sum() == (m.any(axis=1).sum()) ** 2 for m in square)


def test_shapes_localisation_is_reproducible_and_checks_parameters():
    from skxai.datasets import make_shapes_localisation

    a = make_shapes_localisation(10, random_state=0)
    b = make_shapes_localisation(10, random_state=0)
    np.testing.assert_array_equal(a.data, b.data)
    np.testing.assert_array_equal(a.boxes, b.boxes)
    assert not np.array_equal(a.data, make_shapes_localisation(10, random_state=1).data)
    assert not make_shapes_localisation(5, distractors=False, noise=0.0, random_state=0).data[
        ~make_shapes_localisation(5, distractors=False, noise=0.0, random_state=0).masks[:, None]].any()
    for bad in ({"n_samples": 0}, {"size": (2, 4)}, {"size": (8, 40)}, {"n_classes": 5}, {"noise": -1.0}):
        kw = {"n_samples": 5, **bad}
        with pytest.raises(ValueError):
            make_shapes_localisation(**kw)


def test_the_corpora_ship_with_their_licence_text():
    # MIT asks for its notice in every copy: the note names it, the text sits beside the files
    from importlib.resources import files

    data = files("skxai.datasets") / "data"
    licence = (data / "LICENSE-VADER.txt").read_text(encoding="utf-8")
    assert "Copyright (c) 2016 C.J. Hutto" in licence and "Permission is hereby granted" in licence
    assert "LICENSE-VADER.txt" in (data / "README.md").read_text(encoding="utf-8")
