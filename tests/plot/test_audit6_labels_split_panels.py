"""The image "split" figure draws its three panels (input, positive part, negative part) at one
size: the attribution panels' colour bars took their room from those panels only, and a wide
image's input panel was drawn larger than its maps."""

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

from skxai import Explanation  # noqa: E402
from skxai.plot import ImageAttributionDisplay  # noqa: E402


@pytest.mark.parametrize("shape", [(3, 16, 16), (3, 16, 40), (3, 40, 16), (1, 10, 30), (3, 8, 64)])
def test_split_panels_have_one_size(shape):
    rng = np.random.RandomState(0)
    exp = Explanation(rng.randn(1, *shape), data=rng.rand(1, *shape), method="Demo")
    disp = ImageAttributionDisplay.from_explanation(exp, mode="split")
    fig = disp.figure_
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = [a.get_window_extent(renderer) for a in disp.axes_]
    for box in boxes[1:]:
        assert box.width == pytest.approx(boxes[0].width, abs=0.5)
        assert box.height == pytest.approx(boxes[0].height, abs=0.5)
        # and in a row: the input panel's top and bottom are those of the maps
        assert box.y0 == pytest.approx(boxes[0].y0, abs=0.5)
    # the panels do not overlap one another
    for left, right in zip(boxes[:-1], boxes[1:], strict=True):
        assert left.x1 < right.x0


def test_split_panels_on_the_users_axes_have_one_size():
    import matplotlib.pyplot as plt

    rng = np.random.RandomState(1)
    exp = Explanation(rng.randn(1, 3, 12, 36), data=rng.rand(1, 3, 12, 36))
    fig, axes = plt.subplots(1, 3, figsize=(9, 3))
    disp = ImageAttributionDisplay.from_explanation(exp, mode="split", ax=axes)
    fig.canvas.draw()
    boxes = [a.get_window_extent() for a in disp.axes_]
    assert all(b.width == pytest.approx(boxes[0].width, abs=0.5) for b in boxes)
