"""Titles stay inside the figure when long tick labels push the axes right (audit34e).

The waterfall's title wrapped only past 60 characters and was centred on axes that long
feature names pushed to the right: "KernelShapExplainer: probability of Grignolino wine
cultivar" (60 characters) ran past the report figure's right edge.
"""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from skxai import Explanation  # noqa: E402
from skxai.plot import BarDisplay, BeeswarmDisplay, WaterfallDisplay  # noqa: E402

NAMES = [f"very_long_feature_name_number_{j}_measured_in_the_lab" for j in range(6)]


def _explanation(n):
    rng = np.random.default_rng(0)
    return Explanation(
        rng.normal(size=(n, 6)),
        base_values=np.full(n, 0.4),
        data=rng.normal(size=(n, 6)),
        feature_names=NAMES,
        method="KernelShapExplainer",
        quantity="probability of Grignolino wine cultivar",
    )


def _title_inside(fig, ax):
    fig.draw_without_rendering()
    renderer = fig._get_renderer()
    box = ax.title.get_window_extent(renderer)
    return box.x0 >= 0 and box.x1 <= fig.bbox.width and box.y1 <= fig.bbox.height + 0.5


@pytest.mark.parametrize("width", [5.0, 7.0])
@pytest.mark.parametrize(
    "draw",
    [
        lambda exp, ax: WaterfallDisplay.from_explanation(exp, index=0, ax=ax),
        lambda exp, ax: BarDisplay.from_explanation(exp, ax=ax),
        lambda exp, ax: BeeswarmDisplay.from_explanation(exp, ax=ax),
    ],
    ids=["waterfall", "bar", "beeswarm"],
)
def test_titles_stay_inside_the_figure(draw, width):
    fig = Figure(figsize=(width, 5.5), layout="tight")
    display = draw(_explanation(8), fig.subplots())
    assert "KernelShapExplainer" in display.ax_.get_title().replace("\n", " ")
    assert _title_inside(fig, display.ax_)


def test_a_short_title_stays_on_one_line():
    fig = Figure(figsize=(7, 5), layout="tight")
    exp = Explanation(np.ones((1, 2)), base_values=np.zeros(1), feature_names=["a", "b"], method="Exact")
    display = WaterfallDisplay.from_explanation(exp, index=0, ax=fig.subplots())
    assert "\n" not in display.ax_.get_title()


def test_figures_that_do_not_move_their_axes_wrap_to_the_axes_own_width():
    # axes from add_axes, or a figure without a layout engine: the tick labels never push the
    # axes, and measuring room beside them split words and cut the title (review34); wrapped
    # at 60 characters instead, a title ran past a narrow plain figure's edge (review34b)
    exp = _explanation(8)
    plain = Figure(figsize=(5, 4))
    bar = BarDisplay.from_explanation(exp, ax=plain.subplots())
    assert bar.ax_.get_title() == "KernelShapExplainer: global importance"  # fits: whole
    narrow = Figure(figsize=(3.5, 3))
    waterfall = WaterfallDisplay.from_explanation(exp, index=0, ax=narrow.subplots())
    assert "\n" in waterfall.ax_.get_title()
    narrow.draw_without_rendering()
    box = waterfall.ax_.title.get_window_extent(narrow._get_renderer())
    assert box.x0 >= 0 and box.x1 <= narrow.bbox.width  # across: a figure without layout keeps its margins
    boxed = Figure(figsize=(5, 4), layout="tight")
    bar = BarDisplay.from_explanation(exp, ax=boxed.add_axes([0.5, 0.1, 0.45, 0.8]))
    words = bar.ax_.get_title().split()
    assert words == "KernelShapExplainer: global importance".split()  # no word split
