"""The force strip draws the largest 200 blocks of a sign one by one and the rest as one block
(one polygon a feature: 100,000 features took 52 s and 1.1 GB, session 37)."""

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from skxai import Explanation  # noqa: E402
from skxai.plot import ForceDisplay  # noqa: E402


def test_many_features_are_drawn_in_bounded_blocks():
    rng = np.random.RandomState(0)
    phi = rng.normal(size=(1, 1000))
    disp = ForceDisplay.from_explanation(Explanation(phi, base_values=np.zeros(1)))
    n_pos, n_neg = int((phi > 0).sum()), int((phi < 0).sum())
    assert len(disp.pos_patches_) == 201 and len(disp.neg_patches_) == 201 and min(n_pos, n_neg) > 200
    assert len(disp.pos_features_) == 200 and disp.pos_features_[0] == int(np.argmax(phi))
    # the blocks still span what the attributions add up to: the positive ones from the
    # prediction down by their sum, the negative ones up by theirs
    xs = np.concatenate([p.get_xy()[:, 0] for p in disp.pos_patches_])
    assert np.isclose(xs.min(), disp.prediction_ - phi[phi > 0].sum(), atol=0.02 * np.abs(phi).sum())
    xs = np.concatenate([p.get_xy()[:, 0] for p in disp.neg_patches_])
    assert np.isclose(xs.max(), disp.prediction_ - phi[phi < 0].sum(), atol=0.02 * np.abs(phi).sum())
