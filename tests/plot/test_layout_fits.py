"""Pictures saved with a plain ``figure_.savefig(path)`` keep their words inside the figure."""

import io

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

from skxai import Explanation  # noqa: E402
from skxai.plot import BarDisplay, BeeswarmDisplay, ForceDisplay, WaterfallDisplay  # noqa: E402

LONG = "sepal length in centimetres measured at the widest point of the flower"


def _long_names_explanation():
    rng = np.random.default_rng(0)
    values = rng.normal(size=(12, 4))
    values[:, 0] *= 0.1
    return Explanation(values, base_values=np.full(12, 0.3), data=rng.normal(size=(12, 4)),
                       feature_names=[LONG, "sepal width (cm)", "petal length (cm)", "petal width (cm)"],
                       method="KernelShapExplainer", quantity="probability of Iris setosa (bristle-pointed)")


def _words_outside(fig, dpi=72):
    # drawn at the dpi of the picture and measured in its pixels: after savefig(dpi=72), the
    # texts' boxes (from the saved draw) were compared with the figure's box at its own dpi
    # (100), so a text 30% past the edge still counted as inside
    fig.set_dpi(dpi)
    fig.canvas.draw()  # no bbox_inches: what a user's savefig(dpi=dpi) draws
    renderer = fig.canvas.get_renderer()
    box = fig.bbox
    out = []
    for ax in fig.axes:
        lo, hi = sorted(ax.get_xlim())
        drawn = [t for t in ax.get_xticklabels() if lo <= t.get_position()[0] <= hi]
        texts = drawn + ax.get_yticklabels() + [ax.xaxis.label, ax.yaxis.label, ax.title] + ax.texts
        for t in texts:
            if not t.get_visible() or not t.get_text():
                continue
            bb = t.get_window_extent(renderer)
            if bb.x0 < box.x0 - 1 or bb.x1 > box.x1 + 1 or bb.y0 < box.y0 - 1 or bb.y1 > box.y1 + 1:
                out.append(t.get_text())
    return out


@pytest.mark.parametrize("display, kwargs", [
    (BarDisplay, {}),
    (BeeswarmDisplay, {}),
    (WaterfallDisplay, {"index": 0}),
    (ForceDisplay, {"index": 0}),
])
def test_long_feature_names_and_labels_stay_inside_saved_figure(display, kwargs):
    # A 70-character feature name used to push the tick labels, the axis label and the title
    # past the figure's edge: a plain savefig cut them.
    import matplotlib.pyplot as plt

    disp = display.from_explanation(_long_names_explanation(), **kwargs)
    try:
        assert _words_outside(disp.figure_) == []
    finally:
        plt.close(disp.figure_)


def _many_long_names_explanation():
    from sklearn.datasets import load_breast_cancer

    rng = np.random.default_rng(1)
    base = load_breast_cancer().feature_names
    names = [f"{c.replace(' ', '_')}_measured_at_baseline_visit_in_mm_units" for c in base]
    return Explanation(rng.normal(size=(5, 30)), base_values=np.zeros(5), data=rng.normal(size=(5, 30)),
                       feature_names=names, method="KernelShapExplainer", quantity="log-odds of malignant")


@pytest.mark.parametrize("display, kwargs", [
    (BarDisplay, {"max_display": 10}),
    (BeeswarmDisplay, {"max_display": 10}),
    (WaterfallDisplay, {"index": 0, "max_display": 10}),
])
def test_centred_labels_over_a_narrow_axes_stay_inside(display, kwargs):
    # 30 wrapped names of 50 characters push the axes to the right: the x label and the title,
    # centred over it, ran past the figure's right edge ("... the log-odds of malignan")
    import matplotlib.pyplot as plt

    disp = display.from_explanation(_many_long_names_explanation(), **kwargs)
    try:
        for dpi in (72, 90, 150):
            assert _words_outside(disp.figure_, dpi) == []
    finally:
        plt.close(disp.figure_)


def test_user_axes_layout_left_alone():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    try:
        engine = fig.get_layout_engine()
        disp = BarDisplay.from_explanation(_long_names_explanation(), ax=ax)
        assert disp.ax_ is ax and disp.figure_ is fig
        assert fig.get_layout_engine() is engine
    finally:
        plt.close(fig)


def test_a_saved_display_is_drawn_once(monkeypatch):
    """Room for long text is made inside the one draw of savefig (a layout engine would make
    matplotlib draw the figure twice: a third more time per picture, benchmarks/results/plot.md)."""

    import numpy as np

    from skxai import Explanation
    from skxai.plot import BarDisplay
    from skxai.plot._figure import RoomyFigure

    rng = np.random.RandomState(0)
    X = rng.normal(size=(50, 4))
    exp = Explanation(X, base_values=np.zeros(50), data=X, feature_names=["x" * 60, "b", "c", "d"])
    fig = BarDisplay.from_explanation(exp).figure_
    assert fig.get_layout_engine() is None
    draws = []
    real = RoomyFigure.draw
    monkeypatch.setattr(RoomyFigure, "draw", lambda self, r: draws.append(1) or real(self, r))
    fig.savefig(io.BytesIO(), format="png")
    assert len(draws) == 1


def test_a_label_the_user_moves_after_a_draw_stays_where_it_was_put():
    # the label slid inside the figure at the first draw; moved by the user afterwards, the next
    # draw slid it back (to x = -1.56 in axes units)
    import matplotlib.pyplot as plt

    disp = BarDisplay.from_explanation(_many_long_names_explanation(), max_display=10)
    fig, ax = disp.figure_, disp.ax_
    try:
        fig.canvas.draw()
        ax.xaxis.set_label_coords(0.9, -0.1)
        ax.title.set_x(0.2)
        fig.canvas.draw()
        assert ax.xaxis.label.get_position()[0] == 0.9
        assert ax.title.get_position()[0] == 0.2
    finally:
        plt.close(fig)


def test_a_label_set_again_after_a_draw_is_slid_inside_again():
    # set_xlabel puts the label back at x = 0.5; that counted as the user's placement and the
    # next savefig left the long label running past the figure's edge
    import matplotlib.pyplot as plt

    disp = BarDisplay.from_explanation(_many_long_names_explanation(), max_display=10)
    fig, ax = disp.figure_, disp.ax_
    try:
        fig.canvas.draw()
        ax.set_xlabel("another attribution label, long enough to run past the figure's edge")
        assert _words_outside(fig, 100) == []
    finally:
        plt.close(fig)


@pytest.mark.parametrize("engine", ["constrained", "tight", "compressed"])
def test_a_layout_engine_the_user_sets_is_left_to_lay_the_figure_out(engine):
    # the crowded figure's own room-making called subplots_adjust (matplotlib warns that the
    # engine is incompatible with it) or replaced a constrained layout by tight_layout's
    import warnings

    import matplotlib.pyplot as plt
    from matplotlib.layout_engine import LayoutEngine

    disp = BarDisplay.from_explanation(_long_names_explanation())
    fig = disp.figure_
    try:
        fig.set_layout_engine(engine)
        chosen = fig.get_layout_engine()
        assert isinstance(chosen, LayoutEngine)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            fig.savefig(io.BytesIO(), format="png")
        assert fig.get_layout_engine() is chosen
        assert _words_outside(fig, dpi=100) == []
    finally:
        plt.close(fig)
