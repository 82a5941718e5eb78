"""Error bars and uncertainty in pictures and the report, in combinations (audit D)."""

import io

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from skxai import Explanation  # noqa: E402
from skxai.plot import BarDisplay, WaterfallDisplay  # noqa: E402


def _words_outside(fig):
    """Texts of a figure that a plain savefig cuts at the figure's edge."""
    fig.savefig(io.BytesIO(), format="png", dpi=72)
    renderer = fig.canvas.get_renderer()
    box = fig.bbox
    out = []
    for ax in fig.axes:
        for t in ax.get_yticklabels() + [ax.title] + ax.texts:
            if not t.get_visible() or not t.get_text():
                continue
            bb = t.get_window_extent(renderer)
            if bb.x0 < box.x0 - 1 or bb.x1 > box.x1 + 1 or bb.y0 < box.y0 - 1 or bb.y1 > box.y1 + 1:
                out.append(t.get_text())
    return out


def _unknown_errors(n_inf):
    # one dominant attribution: its value label sits at the right edge of the axes
    values = np.array([[0.649, 0.00746, 0.00269, 0.00179]])
    std = np.full_like(values, 0.01)
    std[0, :n_inf] = np.inf
    return Explanation(values, base_values=np.array([0.311]), std=std, data=np.array([[1.4, 4.9, 3.0, 0.2]]),
                       feature_names=["x2", "x0", "x1", "x3"], method="ShapleySamplingExplainer",
                       quantity="probability of setosa")


@pytest.mark.parametrize("n_inf", [1, 4])
def test_waterfall_error_unknown_labels_stay_inside_the_figure(n_inf):
    # With inf std (one permutation: no spread to estimate) the value labels read
    # "+0.649 (error unknown)", and the widest was cut at the figure's right edge.
    disp = WaterfallDisplay.from_explanation(_unknown_errors(n_inf), index=0, error_bars=True)
    try:
        assert any("error unknown" in t.get_text() for t in disp.ax_.texts)
        assert _words_outside(disp.figure_) == []
    finally:
        plt.close(disp.figure_)


def test_bar_error_unknown_labels_stay_inside_the_figure():
    exp = _unknown_errors(4)
    disp = BarDisplay.from_explanation(exp, error_bars=True)
    try:
        assert any("error unknown" in t.get_text() for t in disp.ax_.texts)
        assert _words_outside(disp.figure_) == []
    finally:
        plt.close(disp.figure_)
