"""Audit of the datasets: the smallest documented canvas, clear parameter errors."""

import numpy as np
import pytest

from skxai.datasets import make_shapes_localisation


def test_smallest_documented_canvas_works():
    # size=(3, 3) on canvas=5 satisfies the documented 3 <= min <= max <= canvas - 2; the
    # distractors' positions were drawn from randint(0, canvas - 5): "ValueError: high <= 0"
    b = make_shapes_localisation(20, canvas=5, size=(3, 3), random_state=0)
    assert b.data.shape == (20, 1, 5, 5)
    assert (b.shape_masks <= b.masks).all()
    same = make_shapes_localisation(20, canvas=5, size=(3, 3), random_state=0)
    np.testing.assert_array_equal(b.data, same.data)


def test_distractors_unchanged_on_the_usual_canvas():
    # the fix must not change what a seed generates on canvases wide enough before
    b = make_shapes_localisation(3, random_state=0)
    assert b.boxes.tolist() == [[13, 12, 23, 22], [5, 14, 14, 23], [7, 20, 19, 32]]
    assert float(b.data.sum()) == pytest.approx(219.260498046875)


@pytest.mark.parametrize("bad, match", [
    ({"n_samples": True}, "n_samples"),
    ({"n_samples": 2.0}, "n_samples"),
    ({"size": (8.7, 12)}, "size"),
    ({"size": 8}, "size"),
    ({"noise": "a"}, "noise"),
    ({"canvas": 32.0}, "canvas"),
])
def test_parameters_get_clear_errors(bad, match):
    with pytest.raises(ValueError, match=match):
        make_shapes_localisation(**{"n_samples": 5, "random_state": 0, **bad})
