"""Third audit, numerical scale: labels print the numbers of small-unit explanations, and a
map's title its own maximum."""

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from skxai.plot import ImageAttributionDisplay, SigmaSweepDisplay  # noqa: E402
from skxai.plot._base import format_value  # noqa: E402


def test_values_next_to_values_of_their_size_are_not_zero():
    # A floor of 1e-12 made every value below it "0", whatever the scale given: an
    # explanation of outputs in units 1e-13 was labelled with zeros.
    assert format_value(5e-13, scale=1e-12) == "0.0000000000005"
    assert format_value(-2e-15, scale=3e-15) == "-0.000000000000002"
    assert format_value(1e-25, scale=1e-12) == "0"  # a residue next to them still is 0


def _titles(disp):
    return " ".join(a.get_title() for a in disp.figure_.axes)


@pytest.mark.parametrize("scale, text", [(0.0, "max 0"), (5e-10, "max 0.0000000005")])
def test_image_title_gives_the_maps_own_maximum(scale, text):
    # The title printed the colour scale's limit: "max 1" for an all-zero map (the limit's
    # fallback), and "max 0" for a map whose maximum is 5e-10 (no scale given to the label).
    values = np.zeros((1, 6, 6))
    values[0, 2, 3] = scale
    disp = ImageAttributionDisplay(values[0]).plot(mode="signed")
    assert text in _titles(disp)
    sweep = SigmaSweepDisplay([values[0], values[0]], [0.1, 0.2], mode="signed").plot()
    assert _titles(sweep).count(text) == 2
