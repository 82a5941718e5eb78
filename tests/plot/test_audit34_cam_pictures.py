"""CamDisplay pictures (audit34h)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from skxai.plot import CamDisplay  # noqa: E402


@pytest.mark.parametrize("value", [0.0, 2.5])
def test_a_constant_map_has_one_tick_at_its_value(value):
    # an all-zero Grad-CAM map had a bar ticked 0.0 ... 1.0, values the map does not have
    display = CamDisplay(np.full((4, 5), value), image=np.ones((8, 10)), relu=False).plot()
    ticks = display.figure_.axes[-1].get_yticks()
    np.testing.assert_allclose(ticks, [value])
    plt.close("all")


@pytest.mark.parametrize("channels", [2, 5, 6])
def test_images_of_unusual_channel_counts_are_read_channels_first(channels):
    # a (2, 10, 14) image was read as 2 x 10 pixels of 14 channels: the maps were drawn shrunk
    # onto a 2 x 10 strip
    from skxai.plot import ImageAttributionDisplay
    from skxai.plot._image import to_hwc

    image = np.random.default_rng(0).normal(size=(channels, 10, 14))
    assert to_hwc(image).shape == (10, 14, channels)
    assert to_hwc(np.moveaxis(image, 0, -1)).shape == (10, 14, channels)
    cam = CamDisplay(np.ones((5, 7)), image=image).plot()
    assert cam.heatmap_.shape == (10, 14)
    attr = ImageAttributionDisplay(image, image=image).plot()
    assert attr.image_ is not None and attr.image_.get_array().shape == (10, 14)
    plt.close("all")


def test_region_maps_are_not_called_upscaled():
    # make_report drew an ImageShapley map with "upscaled bilinearly" and "(map 10x14 -> 10x14)"
    torch = pytest.importorskip("torch")
    from skxai import ImageShapleyExplainer
    from skxai.report._sections import SectionBuilder, image_views

    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(2 * 6 * 8, 3))
    X = np.random.default_rng(0).normal(size=(3, 2, 6, 8)).astype(np.float32)
    exp = ImageShapleyExplainer(net, method="exact", n_segments=4, target=0).fit(X).explain(X[:1])
    sb = SectionBuilder("shapley", 40, [])
    image_views(sb, exp, 1, None)
    html = sb.html()
    assert "regions" in html and "upscaled" not in html
    display = CamDisplay.from_explanation(exp, index=0)
    assert "->" not in display.ax_.get_title()
    plt.close("all")


def test_split_colour_bar_numbers_stay_off_the_next_panel():
    # four-decimal ticks of a wide image's positive bar ran onto the negative panel's image
    from skxai.plot import ImageAttributionDisplay

    rng = np.random.default_rng(0)
    display = ImageAttributionDisplay(
        rng.normal(size=(3, 10, 14)) * 0.0015, image=rng.uniform(size=(3, 10, 14)), method="Gradient"
    ).plot(mode="split")
    fig = display.figure_
    fig.savefig(__import__("io").BytesIO(), dpi=100)
    renderer = fig.canvas.get_renderer()
    negative = display.axes_[2].get_window_extent(renderer)
    bars = [a for a in fig.axes if a not in display.axes_]
    for label in bars[1].get_yticklabels():
        if label.get_text() and label.get_visible():
            box = label.get_window_extent(renderer)
            assert box.x1 <= negative.x0 or box.y1 <= negative.y0 or box.y0 >= negative.y1, label.get_text()
    plt.close("all")
