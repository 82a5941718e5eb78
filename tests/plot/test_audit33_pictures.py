"""What an outside look at the pictures found (session 33): weak map values over bright pixels
looked like strong ones, one-panel image titles were cut, force labels lost the part of a name
that tells it apart, unordered categories were coloured on a low-to-high scale, long words ran
off the text figure, and tiny values lost their third digit."""

import matplotlib
import numpy as np
import pandas as pd
import pytest

matplotlib.use("Agg")

from skxai import Explanation  # noqa: E402
from skxai.plot import (  # noqa: E402
    DependenceDisplay,
    ForceDisplay,
    ImageAttributionDisplay,
    TextHighlightDisplay,
)
from skxai.plot._base import format_value  # noqa: E402


def _pixel(fig, x, y):
    fig.canvas.draw()
    rgba = np.asarray(fig.canvas.buffer_rgba())
    return rgba[y, x, :3].astype(int)


def test_a_weak_value_over_a_bright_pixel_never_looks_like_the_maps_top():
    import matplotlib.pyplot as plt

    image = np.zeros((1, 8, 8))
    image[0, :, 6] = 1.0  # a bright stroke where the map is 0
    attributions = np.zeros((1, 8, 8))
    attributions[0, 2:6, 1:3] = 1.0
    fig, ax = plt.subplots(figsize=(4, 4), dpi=50)
    ImageAttributionDisplay(attributions, image=image, channel_axis=0).plot(ax=ax, mode="abs_max")
    box = ax.get_window_extent()
    height = fig.canvas.get_width_height()[1]
    # the centre of the stroke's column, and of the map's strongest block
    y = int(height - (box.y0 + box.height * 0.5))
    stroke = _pixel(fig, int(box.x0 + box.width * 6.5 / 8), y)
    top = np.array(matplotlib.colormaps["inferno"](1.0)[:3]) * 255
    assert stroke.max() <= 0.5 * 255 + 2  # dimmed grey
    assert np.abs(stroke - top).max() > 80
    plt.close(fig)


@pytest.mark.parametrize("mode", ["signed", "abs_max"])
def test_a_one_panel_image_title_names_the_class_inside_the_figure(mode):
    rng = np.random.default_rng(0)
    disp = ImageAttributionDisplay(
        rng.normal(size=(1, 8, 8)),
        image=rng.random((1, 8, 8)),
        channel_axis=0,
        method="IntegratedGradientsExplainer",
        quantity="probability of grignolino",
    ).plot(mode=mode)
    fig = disp.figure_
    fig.canvas.draw()
    title = fig._suptitle
    box = title.get_window_extent()
    assert "grignolino" in title.get_text()
    assert box.x0 >= 0 and box.x1 <= fig.bbox.width


def test_force_labels_keep_the_part_of_the_name_that_tells_features_apart():
    names = [f"sensor_reading_station_{s}_temperature_celsius" for s in ["north", "south", "east", "west", "centre"]]
    values = np.array([[0.13, -0.13, 0.64, 0.11, -0.54]])
    exp = Explanation(values, base_values=0.1, data=np.ones((1, 5)), feature_names=names)
    disp = ForceDisplay.from_explanation(exp, index=0)
    labels = [t.get_text() for t in disp.ax_.texts if (t.get_gid() or "").startswith("force-label")]
    shown = [label.rpartition(" = ")[0] for label in labels]
    assert len(set(shown)) == len(shown) == 5
    for station in ["north", "south", "east", "west", "centre"]:
        assert any(station in name for name in shown)


def test_unordered_categories_colour_the_dependence_plot_with_a_legend():
    rng = np.random.default_rng(0)
    x = rng.normal(size=40)
    frame = pd.DataFrame({"x": x, "city": pd.Categorical(rng.choice(["Lyon", "Nice", "Paris"], size=40))})
    exp = Explanation(np.c_[x, 0.1 * x], data=frame, feature_names=["x", "city"])
    disp = DependenceDisplay.from_explanation(exp, "x", color="city")
    assert disp.colorbar_ is None
    assert [t.get_text() for t in disp.legend_.get_texts()] == ["Lyon", "Nice", "Paris"]
    colours = {tuple(np.round(c, 3)) for c in disp.scatter_.get_facecolors()}
    assert len(colours) == 3
    assert all(max(c[:3]) - min(c[:3]) > 0.2 for c in colours)  # colours, none a grey
    disp.figure_.canvas.draw()
    assert disp.legend_.get_window_extent().x1 <= disp.figure_.bbox.width
    ordered = frame.assign(city=pd.Categorical(frame["city"], ["Lyon", "Nice", "Paris"], ordered=True))
    exp = Explanation(np.c_[x, 0.1 * x], data=ordered, feature_names=["x", "city"])
    disp = DependenceDisplay.from_explanation(exp, "x", color="city")
    assert disp.legend_ is None and disp.colorbar_ is not None


def test_a_word_longer_than_a_line_is_broken_inside_the_figure():
    word = "averyveryverylongunbrokentoken" * 5
    tokens = ["good", word, "bad"]
    exp = Explanation([np.array([0.5, 0.2, -0.4])], data=[" ".join(tokens)], tokens=[tokens])
    disp = TextHighlightDisplay.from_explanation(exp)
    fig = disp.figure_
    fig.canvas.draw()
    assert len(disp.texts_) == 3  # one text per token still
    for t in disp.ax_.texts:
        assert t.get_window_extent().x1 <= fig.bbox.width
    assert "".join(t.get_text() for t in disp.ax_.texts if t.get_text() in word) == word


def test_tiny_values_keep_three_significant_digits():
    assert format_value(1.0163602731968309e-07) == "0.000000102"
    assert format_value(4e-08) == "0.00000004"
    assert format_value(-2.345e-5) == "-0.0000235"


def test_the_category_legend_fits_a_long_title_and_missing_values_and_constrained_layouts():
    import matplotlib.pyplot as plt

    rng = np.random.default_rng(1)
    x = rng.normal(size=40)
    colour = pd.Categorical(rng.choice(["red", "green", "blue", "violet"], size=40))
    colour[:3] = np.nan
    frame = pd.DataFrame({"f": x, "customer_segment_code": colour})
    exp = Explanation(np.c_[x, 0.1 * x], data=frame, feature_names=["f", "customer_segment_code"])
    fig, ax = plt.subplots(figsize=(6, 4))
    disp = DependenceDisplay.from_explanation(exp, "f", color="customer_segment_code", ax=ax)
    fig.canvas.draw()
    assert "(grey: missing)" in disp.legend_.get_title().get_text()
    assert disp.legend_.get_window_extent().x1 <= fig.bbox.width
    plt.close(fig)
    fig, axes = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
    disp = DependenceDisplay.from_explanation(exp, "f", color="customer_segment_code", ax=axes[0])
    fig.canvas.draw()
    assert disp.legend_ is not None
    plt.close(fig)


def test_shared_name_ends_are_read_without_the_isolate_marks_of_right_to_left_names():
    from skxai.plot._force import _shared_ends

    names = ["\u2068" + n + "\u2069" for n in ("מדידה_צפון", "מדידה_דרום", "מדידה_מזרח")]
    assert _shared_ends(names) == (len("מדידה_"), 0)
    assert _shared_ends(["sensor_north_c", "sensor_south_c"]) == (len("sensor_"), len("_c"))
    assert _shared_ends(["a", "b"]) == (0, 0)
