"""An image map's colour bar is as tall as the image panel it stands beside.

A wide image (32 x 96) in the "split" figure: each colour bar took the height of the panel's
grid cell (189 pixels at 80 dpi) beside an image drawn 63 pixels tall, and the bar's title
floated far above the image. The bar (and the empty room left beside the input panel) now
follows the image's drawn box: same bottom and top, just right of it.
"""

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

from skxai import Explanation  # noqa: E402
from skxai.plot import ImageAttributionDisplay  # noqa: E402


def _bars(fig):
    return [a for a in fig.axes if hasattr(a, "_colorbar")]


def _check(fig, panels):
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    bars = _bars(fig)
    assert len(bars) == len(panels)
    for panel, bar in zip(panels, bars, strict=True):
        p, b = panel.get_window_extent(renderer), bar.get_window_extent(renderer)
        assert b.y0 == pytest.approx(p.y0, abs=1.0), (p, b)
        assert b.height == pytest.approx(p.height, abs=1.0), (p, b)
        # just right of the image: not over it, and no farther than the pad matplotlib leaves
        assert p.x1 < b.x0 <= p.x1 + 0.1 * fig.bbox.width, (p, b)
    return bars


@pytest.mark.parametrize("shape", [(3, 32, 96), (1, 10, 30), (3, 8, 64), (3, 16, 16), (3, 64, 24)])
def test_split_colour_bars_are_as_tall_as_their_image(shape):
    rng = np.random.RandomState(0)
    exp = Explanation(rng.randn(1, *shape), data=rng.rand(1, *shape), method="Demo")
    disp = ImageAttributionDisplay.from_explanation(exp, mode="split")
    bars = _check(disp.figure_, disp.axes_[1:])
    # the panels still do not overlap one another's bars
    for bar, right in zip(bars[:-1], disp.axes_[2:], strict=True):
        assert bar.get_window_extent().x1 < right.get_window_extent().x0


@pytest.mark.parametrize("mode", ["signed", "abs_max", "positive"])
def test_one_panel_colour_bar_is_as_tall_as_its_image(mode):
    rng = np.random.RandomState(1)
    exp = Explanation(rng.randn(1, 3, 20, 80), data=rng.rand(1, 3, 20, 80))
    disp = ImageAttributionDisplay.from_explanation(exp, mode=mode)
    _check(disp.figure_, disp.axes_)


def test_on_the_users_axes_too():
    import matplotlib.pyplot as plt

    rng = np.random.RandomState(2)
    exp = Explanation(rng.randn(1, 3, 12, 48), data=rng.rand(1, 3, 12, 48))
    fig, axes = plt.subplots(1, 3, figsize=(9, 4))
    disp = ImageAttributionDisplay.from_explanation(exp, mode="split", ax=axes)
    _check(fig, disp.axes_[1:])


@pytest.mark.parametrize("size", [(24, 96), (40, 40), (96, 24)])
def test_the_cam_display_colour_bar_is_as_tall_as_its_image(size):
    from skxai.plot import CamDisplay

    rng = np.random.RandomState(3)
    disp = CamDisplay(rng.rand(4, 4), image=rng.rand(*size, 3), method="GradCam", quantity="class 1").plot()
    _check(disp.figure_, [disp.ax_])
