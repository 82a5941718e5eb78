"""x tick labels of five characters ("0.025") were left to matplotlib's own count: beside a long
feature name ("od280/od315_of_diluted_wines") the axis is short and nine labels stood almost
touching ("0.000 0.025 0.050 ... 0.200", a third of a character apart at the report's 80 dpi)."""

import io

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

from skxai import Explanation  # noqa: E402
from skxai.plot import BarDisplay, BeeswarmDisplay  # noqa: E402

NAMES = ["alcohol", "malic_acid", "ash", "alcalinity_of_ash", "magnesium", "total_phenols", "flavanoids",
         "nonflavanoid_phenols", "proanthocyanins", "color_intensity", "hue", "od280/od315_of_diluted_wines",
         "proline"]



def _explanation():
    # the wine TreeSHAP importances of the CLI report (probability of barolo)
    rng = np.random.default_rng(0)
    scale = np.array([0.09, 0.013, 0.001, 0.02, 0.02, 0.05, 0.1, 0.004, 0.01, 0.07, 0.03, 0.08, 0.17])
    values = rng.normal(1.0, 0.2, size=(15, 13)) * scale
    return Explanation(values, base_values=np.full(15, 0.32), data=rng.random((15, 13)), feature_names=NAMES,
                       method="TreeShapExplainer", quantity="probability")


def _gaps(ax, dpi):
    fig = ax.figure
    fig.savefig(io.BytesIO(), format="png", dpi=dpi)
    fig.set_dpi(dpi)
    fig.draw_without_rendering()
    r = fig._get_renderer()
    boxes = sorted((t.get_window_extent(r) for t in ax.get_xticklabels() if t.get_visible() and t.get_text()),
                   key=lambda b: b.x0)
    em = r.points_to_pixels(ax.xaxis.get_ticklabels()[0].get_fontsize())
    return [b.x0 - a.x1 for a, b in zip(boxes, boxes[1:], strict=False)], em


@pytest.mark.parametrize("dpi", [80, 100])
@pytest.mark.parametrize("display", [BarDisplay, BeeswarmDisplay])
def test_x_tick_labels_keep_a_space_between_them(display, dpi):
    from matplotlib.figure import Figure

    for fig in (None, Figure(figsize=(6.5, 4.5), layout="tight")):  # its own figure, and the report's
        ax = None if fig is None else fig.subplots()
        disp = display.from_explanation(_explanation(), ax=ax)
        gaps, em = _gaps(disp.ax_, dpi)
        assert len(gaps) >= 2
        # at least one character's width (0.64 of the font size for a digit) between labels
        assert min(gaps) >= 0.64 * em, (gaps, [t.get_text() for t in disp.ax_.get_xticklabels()])
