"""Pictures of numbers far from 1 (an outside audit, session 30): every tick of an axis of values
near 1e-9 read "0.0000000000", a feature value of 7.8e-10 read "= 0", image colour bars wrote
"1e10" over the panel's title, and the notebook table and the text summary wrote exponents."""

import io
import re

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

from skxai import Explanation  # noqa: E402
from skxai.plot import (  # noqa: E402
    BarDisplay,
    CamDisplay,
    ForceDisplay,
    ImageAttributionDisplay,
    WaterfallDisplay,
)


def _tiny_explanation(scale=1e-9):
    rng = np.random.default_rng(0)
    return Explanation(
        rng.normal(size=(10, 4)) * scale,
        base_values=np.zeros(10),
        data=rng.normal(size=(10, 4)) * scale,
        feature_names=list("abcd"),
        method="Manual",
    )


def _drawn(fig):
    fig.savefig(io.BytesIO(), format="png", dpi=72)


@pytest.mark.parametrize("display", [BarDisplay, WaterfallDisplay, ForceDisplay])
def test_the_ticks_of_an_axis_of_tiny_values_tell_them_apart(display):
    import matplotlib.pyplot as plt

    exp = _tiny_explanation()
    disp = display.from_explanation(exp if display is BarDisplay else exp[0])
    try:
        _drawn(disp.figure_)
        labels = [t for t in disp.ax_.get_xticklabels() if t.get_text()]
        shown = [t.get_text() for t in labels]
        assert len(set(shown)) == len(shown) >= 2, shown
        for label in labels:
            text = label.get_text()
            assert "e" not in text
            number = float(text.replace("\N{MINUS SIGN}", "-").replace(",", ""))
            assert number == pytest.approx(label.get_position()[0], abs=1e-12)
    finally:
        plt.close(disp.figure_)


def test_a_tiny_feature_value_is_written_as_itself():
    import matplotlib.pyplot as plt

    exp = _tiny_explanation()
    for display in (WaterfallDisplay, ForceDisplay):
        disp = display.from_explanation(exp[0])
        try:
            _drawn(disp.figure_)
            texts = [t.get_text() for t in disp.ax_.get_yticklabels()] + [t.get_text() for t in disp.ax_.texts]
            value = exp.data[0, 3]  # 7.8e-10: read "d = 0" on the unit scale
            labels = [t for t in texts if "d = " in t]
            assert labels or display is ForceDisplay, texts  # (the force plot labels its largest)
            for label in labels:
                number = label.split("d = ")[1].split()[0].replace("\N{MINUS SIGN}", "-")
                assert float(number) == pytest.approx(value, rel=0.05), texts
        finally:
            plt.close(disp.figure_)


@pytest.mark.parametrize("scale", [1e10, 1e-9])
def test_colour_bars_carry_no_exponent_over_the_title(scale):
    import matplotlib.pyplot as plt

    values = np.random.default_rng(1).normal(size=(3, 12, 12)) * scale
    for disp in (ImageAttributionDisplay(values).plot(mode="signed"), CamDisplay(np.abs(values[0])).plot()):
        try:
            _drawn(disp.figure_)
            bars = [ax for ax in disp.figure_.axes if ax is not disp.ax_]
            assert bars
            for bar in bars:
                assert bar.yaxis.get_offset_text().get_text() == ""
                shown = [t.get_text() for t in bar.get_yticklabels() if t.get_text()]
                assert shown and not any("e" in t for t in shown), shown
        finally:
            plt.close(disp.figure_)


def test_the_notebook_table_and_the_text_summary_write_no_exponents():
    from skxai.plot._html import explanation_html, parts_html
    from skxai.plot._textparts import TextParts

    exp = Explanation(
        np.array([[3e-5, -2e-6, 5e-7]]), base_values=np.array([2e-5]), feature_names=["a", "b", "c"], method="M"
    )
    page = explanation_html(exp)
    cells = re.findall(r">([^<>]*)</td>", page)
    assert "0.00003" in cells and "-0.000002" in cells and "0.0000005" in cells, cells
    assert "0.00002" in cells  # the base, on the row's scale
    assert not re.search(r"\de-\d", page)
    parts = TextParts(document="a great film", tokens=["a", "great", "film"], weights=np.array([4.1e-5, -2.2e-6, 7e-7]))
    summary = parts_html(parts)
    assert "(+0.000041)" in summary and "(-0.0000022)" in summary
    assert 'title="+0.0000007"' in summary  # the hover text too
    # (data-weight keeps the number for scripts, in any notation)
    assert not re.search(r"\de-\d", re.sub(r'data-weight="[^"]*"', "", summary))


def test_the_reports_anchor_chart_gives_wrapped_names_their_room(tmp_path):
    # 0.3 inch a row whatever the names: a name wrapped on three lines ended 3 px above the next
    import struct
    import warnings

    from sklearn.datasets import load_iris
    from sklearn.tree import DecisionTreeClassifier

    from skxai import AnchorTabularExplainer
    from skxai.report import make_report

    X, y = load_iris(return_X_y=True, as_frame=True)
    model = DecisionTreeClassifier(max_depth=3, random_state=0).fit(X.to_numpy(), y)
    heights = []
    for long_name in (False, True):
        frame = X.copy()
        if long_name:
            long = "petal length (cm), the long one with a very long name indeed"
            frame.columns = [*X.columns[:2], long, X.columns[3]]
        explainer = AnchorTabularExplainer(model, random_state=0).fit(frame.sample(40, random_state=0))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            page = tmp_path / f"{long_name}.html"
            report = make_report({"Anchors": explainer}, frame.iloc[::30], metrics=False, path=page)
        png = next(data for name, data in report.figures if "share-of" in name)
        heights.append(struct.unpack(">II", png[16:24])[1])
    assert heights[1] > heights[0] * 1.3, heights


@pytest.mark.parametrize(
    "locs, labels",
    [
        ([0, 0.2, 0.4], ["0.0", "0.2", "0.4"]),
        ([0, 5e-10, 1e-9], ["0.0000000000", "0.0000000005", "0.0000000010"]),
        ([1.6e9, 1.6e9 + 0.2, 1.6e9 + 0.4], ["1,600,000,000.0", "1,600,000,000.2", "1,600,000,000.4"]),
        ([0, 20000, 40000], ["0", "20,000", "40,000"]),
        ([-5e-10, 5.551115123125783e-17, 5e-10], ["\N{MINUS SIGN}0.0000000005", "0.0000000000", "0.0000000005"]),
    ],
)
def test_tick_labels_are_the_ticks_and_tell_them_apart(locs, labels):
    # a tolerance of the largest tick wrote a narrow range at 1.6e9 as "1,600,000,000" thrice
    from skxai.plot._base import _grouped_formatter

    assert _grouped_formatter().format_ticks(locs) == labels
