"""The report's pictures on inputs the demo does not produce: feature names wrapped on several
lines, right-to-left names, HTML in names and class names."""

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

from skxai import Explanation  # noqa: E402
from skxai.report import make_report  # noqa: E402

THREE_LINES = [f"feature {k} measured over a long window of time, in several parts, then averaged" for k in range(8)]


class Fixed:
    """A stand-in explainer returning a fixed tabular explanation (the pictures are what is tested)."""

    def __init__(self, names):
        self.names = names

    def get_params(self, deep=False):
        return {"n_samples": 10}

    def explain(self, X):
        rng = np.random.default_rng(0)
        n, d = np.shape(X)
        return Explanation(
            rng.normal(size=(n, d)),
            base_values=np.zeros(n),
            data=np.asarray(X),
            feature_names=self.names,
            method="Fixed",
        )


@pytest.fixture
def report_figures(monkeypatch):
    """Every matplotlib figure the report draws, kept to be measured."""
    from skxai.report import _sections

    made = []
    original = _sections.new_figure

    def recording(figsize):
        fig = original(figsize)
        made.append(fig)
        return fig

    monkeypatch.setattr(_sections, "new_figure", recording)
    return made


def test_report_rows_make_room_for_names_wrapped_on_several_lines(report_figures):
    # The report sized its bar, beeswarm and waterfall figures at 0.3 to 0.4 inch a row whatever
    # the names: names wrapped on three lines ran into the names of the next rows.
    X = np.random.default_rng(1).normal(size=(6, len(THREE_LINES)))
    make_report(Fixed(THREE_LINES), X, metrics=False, n_local=1)
    checked = 0
    for fig in report_figures:
        for ax in fig.axes:
            labels = [t for t in ax.get_yticklabels() if t.get_text().count("\n") >= 1]
            if len(labels) < 3:
                continue
            fig.canvas.draw()
            renderer = fig.canvas.get_renderer()
            boxes = sorted(
                (t.get_window_extent(renderer) for t in ax.get_yticklabels() if t.get_text()), key=lambda b: b.y0
            )
            for lower, upper in zip(boxes[:-1], boxes[1:], strict=True):
                assert upper.y0 - lower.y1 >= 3, (ax.get_title(), lower, upper)
            checked += 1
    assert checked >= 3  # the bar chart, the beeswarm and the waterfall


class FixedAnchors:
    """A stand-in tabular anchor explainer (the page is what is tested)."""

    threshold = 0.95
    names = ["\u05e9\u05dc\u05d5\u05dd", "<script>alert(1)</script>", "f2"]

    def get_params(self, deep=False):
        return {"threshold": 0.95}

    def explain(self, X):
        n = len(X)
        rules = [("\u05e9\u05dc\u05d5\u05dd < -0.9653", "-0.4 <= <script>alert(1)</script> < 0.02", "f2 >= 1")] * n
        return Explanation(
            np.ones((n, 3)),
            data=np.asarray(X),
            feature_names=self.names,
            anchor=rules,
            precision=[0.97] * n,
            coverage=[0.1] * n,
            prediction=["A&B"] * n,
            method="FixedAnchors",
        )


def test_tabular_anchor_report_escapes_names_isolates_right_to_left_ones_and_fits_its_axis_label(report_figures):
    # The rule "שלום < -0.9653" was shown "0.9653- > שלום" by the browser (the name and the number
    # after it laid out as one right-to-left run: the inequality and the sign read backwards);
    # the bar chart's axis label "share of the explained samples whose anchor uses the feature"
    # ran past the figure's right edge.
    report = make_report(FixedAnchors(), np.zeros((3, 3)), metrics=False)
    assert "<bdi>\u05e9\u05dc\u05d5\u05dd</bdi> &lt; -0.9653" in report.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in report.html
    assert "<script>alert(1)" not in report.html
    assert "A&amp;B" in report.html
    (fig,) = [f for f in report_figures if f.axes and "share" in f.axes[0].get_xlabel()]
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    box = fig.axes[0].xaxis.label.get_window_extent(renderer)
    assert box.x0 >= 0 and box.x1 <= fig.bbox.x1, (box, fig.bbox)
