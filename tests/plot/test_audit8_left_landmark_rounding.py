"""A printed number never rounds onto a whole number or a half that the value is not.

A probability of 0.49999 printed "0.5" beside a 0.5 threshold (format_value's three significant
digits kept the digits of values near whole numbers only), and the report's metrics table printed
a score of 0.99996 as "1" (``.4g``). The rule (``unrounded_landmark``): a shown value reads as a
whole number or a half only when the value is that number up to a floating-point residue;
otherwise decimals are added until it does not. Every other rounding is as before.
"""

import numpy as np
import pytest

from skxai.plot._base import format_value
from skxai.plot.rendering import unrounded_landmark
from skxai.report._sections import mean_pm_sem, metrics_html


def _value(text):
    return float(text.replace(",", "").replace("\u2212", "-"))


def _is_landmark(x):
    return float(2 * x).is_integer()


@pytest.mark.parametrize("v, text", [
    (0.49999, "0.49999"),
    (-0.49999, "-0.49999"),
    (0.50001, "0.50001"),
    (0.99996, "0.99996"),
    (2.4999, "2.4999"),
    (150.46, "150.46"),  # "150.5" is a half
    (123456.49, "123,456.49"),
    (123456.5, "123,456.5"),  # a half stays a half (",.0f" rounds it to even: 123,456)
    (0.5, "0.5"),
    (7.5, "7.5"),
    (0.5 + 1e-12, "0.5"),  # a residue of rounding: the half
    (0.12345, "0.123"),  # no landmark near: three significant digits, as before
    (0.24999, "0.25"),  # quarters are not landmarks: as before
])
def test_format_value(v, text):
    assert format_value(v) == text


def test_no_value_off_a_whole_number_or_half_prints_as_one():
    # brute force across magnitudes and offsets: never a landmark the value is not, and the
    # digits shown are as close to the value as their count allows
    rng = np.random.default_rng(0)
    for mark in [0.0, 0.5, 1.0, 1.5, 2.5, 7.0, 49.5, 99.5, 100.5, 999.5, 1e4 + 0.5, 123456.5, 1e6]:
        for off in [1e-2, 1e-3, 2e-5, 3e-7, -4e-6, -0.3, 5e-9]:
            for sign in (1, -1):
                v = sign * (mark + off * max(1.0, mark) ** 0.5 * rng.uniform(0.5, 1.5))
                if abs(2 * v - round(2 * v)) <= 2e-9 * max(abs(v), 1.0) or abs(v) < 1e-3:
                    continue
                text = format_value(v)
                assert not _is_landmark(_value(text)), (v, text)
                decimals = len(text.split(".")[1]) if "." in text else 0
                assert abs(_value(text) - v) <= 0.5 * 10.0**-decimals * (1 + 1e-9), (v, text)


@pytest.mark.parametrize("v", [0.0, 0.5, -0.5, 1.0, 3.0, 2.5, 42.0, 1e4, 123456.5])
def test_landmarks_print_as_themselves(v):
    assert _value(format_value(v)) == v


def test_an_exponent_text_rounded_onto_a_whole_number_gets_its_digits():
    assert unrounded_landmark(99999.7, f"{99999.7:.4g}") == "99999.7"  # .4g: "1e+05"
    assert unrounded_landmark(4.99999e-6, f"{4.99999e-6:.4g}") == "5e-06"  # not a landmark


def test_the_report_mean_without_an_error_keeps_its_digits():
    assert mean_pm_sem(0.99996, 0.0) == "0.99996 ± 0"
    assert mean_pm_sem(0.25, 0.0) == "0.25 ± 0"


class _Scored:
    """The least an explainer needs for the report's score row."""

    scoring = "infidelity"

    def __init__(self, value):
        self.value = value

    def score(self, X):
        return self.value


class _Exp:
    output_names = None
    target_values = np.zeros((3, 2))


@pytest.mark.parametrize("value, text", [(0.99996, "0.99996"), (0.49999, "0.49999"), (0.5, "0.5"),
                                         (0.123456, "0.1235")])
def test_the_report_score_row(value, text):
    html = metrics_html(_Scored(value), np.zeros((3, 2)), _Exp(), [], 3)
    assert f"<td>{text}</td>" in html, html
