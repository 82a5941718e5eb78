"""Numbers near but not equal to a whole number keep the digits that tell them from it: a
probability of 0.99998 printed "f(x) = 1" (waterfall, force, report) as if the model were sure;
exact whole numbers still print whole."""

import numpy as np
import pytest

from skxai.plot._base import format_value


def _value(text):
    return float(text.replace(",", ""))


@pytest.mark.parametrize("v, text", [
    (0.99998, "0.99998"),
    (-0.99998, "-0.99998"),
    (1.0, "1"),
    (0.5, "0.5"),
    (1e-7, "0.0000001"),
    (123456.7, "123,456.7"),
    (123456.0, "123,456"),
    (2.0004, "2.0004"),
    (999.97, "999.97"),
    (1e6 + 0.4, "1,000,000.4"),
    (0.12345, "0.123"),  # not near a whole number: three significant digits, as before
    (42.0, "42"),
])
def test_format_value(v, text):
    assert format_value(v) == text


def test_floating_point_residues_of_whole_numbers_still_print_whole():
    assert 0.1 * 3 * 10 != 3.0
    assert format_value(0.1 * 3 * 10) == "3"
    assert format_value(1 - 2.0**-52) == "1"
    assert format_value(np.nextafter(1e5, 2e5)) == "100,000"


def test_no_non_whole_value_prints_as_a_whole_number():
    # brute force: values just off a whole number, across magnitudes, never print whole,
    # and the digits printed are the value's own (no digit made up past its rounding)
    rng = np.random.default_rng(0)
    for whole in [0.0, 1.0, 2.0, 7.0, 99.0, 100.0, 999.0, 1e4, 123456.0, 1e6, 5e7]:
        for off in [1e-2, 1e-3, 2e-5, 3e-7, -4e-6, -0.3]:
            v = whole + off * max(1.0, whole) ** 0.5 * rng.uniform(0.5, 1.5)
            if abs(v - round(v)) <= 1e-8 * max(abs(v), 1.0):
                continue
            text = format_value(v)
            assert not _value(text).is_integer(), (v, text)
            # as close to v as the digits shown allow
            decimals = len(text.split(".")[1]) if "." in text else 0
            assert abs(_value(text) - v) <= 0.5 * 10.0**-decimals * (1 + 1e-9), (v, text)


def test_waterfall_and_force_print_f_x_of_a_near_certain_probability():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from skxai import Explanation
    from skxai.plot import ForceDisplay, WaterfallDisplay

    exp = Explanation(np.array([[0.3, 0.19998]]), base_values=np.array([0.5]), output_names=["yes"],
                      feature_names=["a", "b"], quantity="probability", method="Demo")
    for display in (WaterfallDisplay, ForceDisplay):
        disp = display.from_explanation(exp, index=0)
        texts = [t.get_text() for t in disp.figure_.findobj(matplotlib.text.Text)]
        assert any("f(x) = 0.99998" in t for t in texts), texts
        assert not any("f(x) = 1" in t and "f(x) = 1." not in t for t in texts), texts
        plt.close(disp.figure_)
