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
