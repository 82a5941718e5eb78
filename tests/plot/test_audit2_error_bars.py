"""Error bars of the bar and waterfall displays on explanations nobody drew before (audit 2):
values written past an unknown error stay inside the picture when the feature names are long."""

import io

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

from skxai import Explanation  # noqa: E402
from skxai.plot import BarDisplay, WaterfallDisplay  # noqa: E402


def _explanation(names):
    values = np.array([[0.5, -3.0, 0.1, 2.0, -0.05, 1.0, 0.0, 0.3, -0.7, 0.02, 0.4, -1.5]])
    values = np.vstack([values, 0.8 * values])
    std = np.full_like(values, 0.1)
    std[:, 1] = np.inf  # unknown errors: the value is written with " (error unknown)"
    std[:, 3] = np.nan
    return Explanation(values, base_values=np.ones(2), feature_names=names, std=std, method="KernelSHAP")


def _right_overflow(disp):
    """Pixels by which the display's texts run past the figure's right edge (a user's savefig)."""
    fig = disp.figure_
    fig.savefig(io.BytesIO(), format="png", dpi=100)
    renderer = fig.canvas.get_renderer()
    return max(t.get_window_extent(renderer).x1 for t in disp.ax_.texts) - fig.bbox.x1


@pytest.mark.parametrize("display", [BarDisplay, WaterfallDisplay])
def test_unknown_error_labels_stay_inside_with_long_feature_names(display):
    # The x limit that keeps the value labels inside was computed from the axes' width before
    # the figure widened its left margin for the long names: "2.7 (error unknown)" ran 13 px past
    # the bar chart's edge, "-3 (error unknown)" 6 px past the waterfall's.
    exp = _explanation([f"a rather long feature name {i}" for i in range(12)])
    disp = display.from_explanation(exp, error_bars=True, max_display=8)
    assert _right_overflow(disp) <= 0.5
    # the short names' picture was already inside, and still is
    short = display.from_explanation(_explanation([f"f{i}" for i in range(12)]), error_bars=True, max_display=8)
    assert _right_overflow(short) <= 0.5
