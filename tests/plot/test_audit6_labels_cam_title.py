"""A CAM panel's title ("HiResCamExplainer: probability of class 2" and the map's resolution)
is wrapped at the panel's width: in a row of four panels it ran past the figure's edge."""

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

from skxai import Explanation  # noqa: E402
from skxai.plot import CamDisplay  # noqa: E402


def test_cam_titles_of_a_row_of_panels_stay_in_the_figure():
    import matplotlib.pyplot as plt

    rng = np.random.default_rng(0)
    # maps of the gallery's digits: small values, colour bars ticked "0.00" to "0.12"
    exp = Explanation(0.12 * rng.random((4, 4, 4)), data=rng.random((4, 1, 8, 8)), method="HiResCamExplainer",
                      output_names=np.arange(10), target_index=2, quantity="probability")
    fig, axes = plt.subplots(2, 4, figsize=(12, 6))
    for row in axes:
        for i, ax in enumerate(row):
            CamDisplay.from_explanation(exp, index=i, ax=ax)
    fig.tight_layout()
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    whole = fig.bbox
    for ax in axes.ravel():
        title = ax.title
        assert "probability of" in title.get_text() and "class 2" in title.get_text()
        box = title.get_window_extent(renderer)
        assert box.x0 >= whole.x0 and box.x1 <= whole.x1, (title.get_text(), box, whole)
    plt.close(fig)


def test_a_cam_title_that_fits_is_not_wrapped():
    import matplotlib.pyplot as plt

    rng = np.random.default_rng(0)
    exp = Explanation(rng.random((1, 4, 4)), data=rng.random((1, 1, 8, 8)), method="GradCAM",
                      output_names=["ring"], target_index=0, quantity="logit")
    disp = CamDisplay.from_explanation(exp)
    assert disp.ax_.get_title() == "GradCAM: logit of ring\n(map 4x4 -> 8x8)"
    plt.close(disp.figure_)
