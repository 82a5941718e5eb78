"""Words of a highlighted document stay apart at any dpi the picture is saved at.

The words were laid out one measured space apart at the figure's dpi (100); saved at 90 dpi,
hinted text ran up to 3% wider and neighbouring words touched ("circumstanceswhatsoever"). They
are now placed at each draw by the widths of that draw's resolution.
"""

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

from skxai import Explanation  # noqa: E402
from skxai.plot import TextHighlightDisplay  # noqa: E402

DOC = ("under no circumstances whatsoever because it is the most extraordinarily uncharacteristic "
       "performance imaginable and nevertheless the cinematography remains breathtaking throughout")  # fmt: skip


@pytest.mark.parametrize("bold", [False, True])
@pytest.mark.parametrize("dpi", [72, 90, 96, 100, 150, 200, 300])
def test_neighbouring_words_do_not_touch(dpi, bold):
    import matplotlib.pyplot as plt

    words = DOC.split()
    weights = np.linspace(-1, 1, len(words))
    exp = Explanation(weights[None, :], base_values=np.zeros(1), data=[DOC], feature_names=words,
                      method="LimeTextExplainer")  # fmt: skip
    disp = TextHighlightDisplay.from_explanation(exp)
    fig = disp.figure_
    try:
        if bold:
            # anchor words are bold: up to 8% wider at 96 dpi than at 100 (boxes overlapped)
            for t in disp.texts_:
                t.set_fontweight("bold")
        fig.set_dpi(dpi)
        fig.canvas.draw()
        r = fig.canvas.get_renderer()
        # the coloured boxes behind the words (every word weighted here): touching, they read
        # as one word
        boxes = [(round(t.get_position()[1], 6), t.get_bbox_patch().get_window_extent(r)) for t in disp.texts_]
        assert len(boxes) == len(words)
        for (line_a, a), (line_b, b) in zip(boxes, boxes[1:], strict=False):
            if line_a == line_b:
                assert b.x0 - a.x1 > 0.5, (dpi, a, b)
    finally:
        plt.close(fig)


def _long_document():
    words = (DOC + " " + DOC + " " + DOC).split()
    weights = np.linspace(-1, 1, len(words))
    return Explanation(weights[None, :], base_values=np.zeros(1), data=[" ".join(words)], feature_names=words,
                       method="LimeTextExplainer")  # fmt: skip


@pytest.mark.parametrize("dpi", [72, 96, 110, 200])
def test_lines_filled_to_the_axes_stay_inside_at_any_dpi(dpi):
    # lines broken at the axes' width by the figure's dpi ran up to 30 points past the figure's
    # edge when drawn at a dpi that draws words wider (the placement keeps the lines)
    import matplotlib.pyplot as plt

    disp = TextHighlightDisplay.from_explanation(_long_document(), width=1000)
    fig = disp.figure_
    try:
        fig.set_dpi(dpi)
        fig.canvas.draw()
        r = fig.canvas.get_renderer()
        right = max(t.get_window_extent(r).x1 for t in disp.texts_)
        assert right <= disp.ax_.get_window_extent(r).x1 + 1, (right, disp.ax_.get_window_extent(r).x1)
    finally:
        plt.close(fig)


def test_a_highlighted_document_pickles():
    import pickle

    import matplotlib.pyplot as plt

    disp = TextHighlightDisplay.from_explanation(_long_document())
    try:
        copy = pickle.loads(pickle.dumps(disp.figure_))
        copy.canvas.draw()
        plt.close(copy)
    finally:
        plt.close(disp.figure_)
