"""Audit 4: SSIM's window size was blamed on the maps."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from skxai.metrics import ssim_similarity

pytest.importorskip("skimage")


@pytest.mark.parametrize("win_size", [0, 1, 2.5, True, "a", 4])
def test_ssim_refuses_a_window_that_is_no_odd_integer_of_3_or_more(win_size):
    # 0, 1, 2.5 and True said "Maps of shape (8, 8) are too small for SSIM": the maps were fine
    A = np.random.RandomState(0).normal(size=(2, 8, 8))
    with pytest.raises(ValueError, match="win_size must be an odd integer of at least 3"):
        ssim_similarity(A, A**2, win_size=win_size)


def test_ssim_identical_maps_and_window_clipped_to_small_maps():
    A = np.random.RandomState(0).normal(size=(2, 5, 5))
    assert_allclose(ssim_similarity(A, A), [1.0, 1.0])
    # a window larger than the map shrinks to the largest odd side (5): same as asking for 5
    assert_allclose(ssim_similarity(A, A**2, win_size=9), ssim_similarity(A, A**2, win_size=5))
    with pytest.raises(ValueError, match="too small for SSIM"):
        ssim_similarity(np.ones((1, 2, 8)), np.ones((1, 2, 8)))
