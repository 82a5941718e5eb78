"""Pictures looked at on varied inputs: what a viewer stumbled on, checked mechanically."""

import io

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

from skxai import Explanation  # noqa: E402
from skxai.plot import (  # noqa: E402
    BarDisplay,
    BeeswarmDisplay,
    DependenceDisplay,
    ForceDisplay,
    TextHighlightDisplay,
    WaterfallDisplay,
)

DOLLARS = "price in $ (USD) & $tax$"
LONG = "f4_measured_quantity_over_a_very_long_window_of_time_abcdefg"


def _explanation(names, values=None, n=20):
    rng = np.random.default_rng(0)
    p = len(names)
    if values is None:
        values = rng.normal(size=(n, p))
    return Explanation(values, base_values=np.full(len(values), 0.5), data=rng.normal(size=(len(values), p)),
                       feature_names=names, method="KernelShapExplainer", quantity="probability of spam")


def _draw(fig):
    fig.savefig(io.BytesIO(), format="png")
    return fig.canvas.get_renderer()


def _texts(fig):
    from matplotlib.text import Text

    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text()]


@pytest.mark.parametrize("display, kwargs", [
    (BarDisplay, {}),
    (BeeswarmDisplay, {}),
    (WaterfallDisplay, {"index": 0}),
    (ForceDisplay, {"index": 0}),
    (DependenceDisplay, {"feature": 0}),
])
def test_dollar_signs_in_names_are_not_typeset_as_math(display, kwargs):
    # The dependence plot wrapped "attribution of price in $ (USD) & $tax$ ..." over lines so that
    # one line held "$tax$": matplotlib typeset it as math (the dollars gone, "tax" in italics).
    # A name "cost $x^2$" was typeset in every display.
    import matplotlib.pyplot as plt

    disp = display.from_explanation(_explanation([DOLLARS, "cost $x^2$", "b", "c"]), **kwargs)
    try:
        _draw(disp.figure_)
        math = [t.get_text() for t in _texts(disp.figure_) if "$" in t.get_text()
                and any(t._preprocess_math(line)[1] for line in t.get_text().split("\n"))]
        assert math == []
    finally:
        plt.close(disp.figure_)


def test_dollar_signs_in_a_document_are_not_typeset_as_math():
    import matplotlib.pyplot as plt

    doc = "I paid $20 for this and $30 for shipping"
    tokens = doc.split()
    exp = Explanation([np.linspace(-1, 1, len(tokens))], data=[doc], tokens=[tokens], method="LimeTextExplainer")
    disp = TextHighlightDisplay.from_explanation(exp)
    try:
        _draw(disp.figure_)
        assert not any(t._preprocess_math(t.get_text())[1] for t in _texts(disp.figure_))
    finally:
        plt.close(disp.figure_)


def test_text_highlight_title_is_inside_the_figure():
    # The title is drawn at the left (loc="left"), which the figure did not measure: at a
    # plain savefig its upper half was cut by the figure's top edge.
    import matplotlib.pyplot as plt

    doc = "a great film with a dull end"
    tokens = doc.split()
    exp = Explanation([np.linspace(-1, 1, len(tokens))], data=[doc], tokens=[tokens],
                      method="LimeTextExplainer", output_names=["bad", "good"])
    disp = TextHighlightDisplay.from_explanation(exp)
    try:
        renderer = _draw(disp.figure_)
        box = disp.figure_.bbox
        ax = disp.ax_
        for t in [*ax.texts, ax.title, ax._left_title, ax._right_title]:
            if not t.get_text():
                continue
            bb = t.get_window_extent(renderer)
            assert box.y0 - 1 <= bb.y0 and bb.y1 <= box.y1 + 1, t.get_text()
            assert box.x0 - 1 <= bb.x0 and bb.x1 <= box.x1 + 1, t.get_text()
    finally:
        plt.close(disp.figure_)


@pytest.mark.parametrize("values", [
    -np.abs(np.random.default_rng(1).normal(size=(5, 6))),  # f(x) at the far left
    np.abs(np.random.default_rng(1).normal(size=(5, 6))) * 0.1,  # E[f(X)] at the far left
])
def test_waterfall_end_labels_stay_clear_of_the_axis(values):
    # "E[f(X)] = 0.689" and "f(x) = -2.58" were centred on their lines: a line near the
    # left edge put half of the label across the y axis (the demo's breast cancer waterfall).
    import matplotlib.pyplot as plt

    disp = WaterfallDisplay.from_explanation(_explanation([f"v{i}" for i in range(6)], values), index=0)
    try:
        renderer = _draw(disp.figure_)
        ax_box = disp.ax_.get_window_extent(renderer)
        ends = [t for t in disp.ax_.texts if t.get_text().startswith(("E[f(X)]", "f(x)"))]
        assert len(ends) == 2
        for t in ends:
            bb = t.get_window_extent(renderer)
            assert ax_box.x0 <= bb.x0 and bb.x1 <= ax_box.x1 + 1, t.get_text()
    finally:
        plt.close(disp.figure_)


def test_dependence_colour_bar_label_of_a_long_name_is_inside_the_figure():
    # A 60-character colouring feature's name ran off the top and the bottom of the figure.
    import matplotlib.pyplot as plt

    disp = DependenceDisplay.from_explanation(_explanation(["a", LONG, "c"]), 0, color=LONG)
    try:
        renderer = _draw(disp.figure_)
        bb = disp.colorbar_.ax.yaxis.label.get_window_extent(renderer)
        box = disp.figure_.bbox
        assert box.y0 - 1 <= bb.y0 and bb.y1 <= box.y1 + 1
        assert bb.x1 <= box.x1 + 1
    finally:
        plt.close(disp.figure_)


def test_bar_tick_labels_of_wrapped_long_names_do_not_overlap():
    # Eleven names wrapped on two lines each were drawn on rows one line apart: the second
    # line of each name ran into the first line of the next.
    import matplotlib.pyplot as plt

    names = [f"f{i}_measured_quantity_over_a_very_long_window_of_time_abcdefg" for i in range(15)]
    disp = BarDisplay.from_explanation(_explanation(names))
    try:
        renderer = _draw(disp.figure_)
        boxes = sorted((t.get_window_extent(renderer) for t in disp.ax_.get_yticklabels() if t.get_text()),
                       key=lambda b: b.y0)
        for lower, upper in zip(boxes[:-1], boxes[1:], strict=True):
            assert lower.y1 <= upper.y0 + 1
    finally:
        plt.close(disp.figure_)


def test_waterfall_value_labels_sit_on_a_white_ground_over_the_lines():
    # The dashed f(x) line ran through a value label in the demo ("+0.0363"): the labels are
    # drawn above the lines, on an opaque enough ground to keep them legible.
    import matplotlib.pyplot as plt

    disp = WaterfallDisplay.from_explanation(_explanation([f"v{i}" for i in range(6)]), index=0)
    try:
        _draw(disp.figure_)
        values = [t for t in disp.ax_.texts if t.get_text().strip()[:1] in "+-0123456789"]
        lines = [ln.get_zorder() for ln in disp.ax_.lines]
        assert len(values) == 6
        for t in values:
            patch = t.get_bbox_patch()
            assert patch is not None and patch.get_facecolor()[:3] == (1.0, 1.0, 1.0), t.get_text()
            # opaque (session 40: at 0.85 the lines still showed through the digits)
            assert patch.get_alpha() in (None, 1.0) and t.get_zorder() > max(lines), t.get_text()
        # the E[f(X)] and f(x) labels too: the other lines ran through their letters
        for t in disp.ax_.texts:
            if "f(x)" in t.get_text() or "E[f(X)]" in t.get_text():
                patch = t.get_bbox_patch()
                assert patch is not None and patch.get_alpha() in (None, 1.0), t.get_text()
                assert t.get_zorder() > max(lines), t.get_text()
    finally:
        plt.close(disp.figure_)


@pytest.mark.parametrize("kind", ["text", "tabular"])
def test_anchor_search_display_reads_the_threshold_from_an_anchors_explanation(kind):
    # from_explanation asked for threshold= on every real anchors explanation: none recorded it
    import matplotlib.pyplot as plt
    from sklearn.linear_model import LogisticRegression

    from skxai import AnchorTabularExplainer, AnchorTextExplainer
    from skxai.plot import AnchorSearchDisplay

    if kind == "text":
        from sklearn.feature_extraction.text import CountVectorizer
        from sklearn.pipeline import make_pipeline

        docs = ["a great film", "great acting", "a dull film", "dull and slow"] * 5
        model = make_pipeline(CountVectorizer(), LogisticRegression()).fit(docs, [1, 1, 0, 0] * 5)
        ex = AnchorTextExplainer(model, threshold=0.9, random_state=0).fit(docs)
        exp = ex.explain(docs[:1])
    else:
        rng = np.random.RandomState(0)
        X = rng.normal(size=(300, 3))
        model = LogisticRegression().fit(X, X[:, 0] > 0)
        ex = AnchorTabularExplainer(model, threshold=0.9, random_state=0).fit(X)
        exp = ex.explain(X[:1])
    assert exp.threshold == 0.9
    disp = AnchorSearchDisplay.from_explanation(exp, index=0)
    try:
        assert disp.threshold == 0.9
    finally:
        plt.close(disp.figure_)


def test_lime_bar_and_beeswarm_axes_say_surrogate_weight():
    # the report's captions said "surrogate weight" while the axes said "attribution"
    import matplotlib.pyplot as plt
    from sklearn.linear_model import LogisticRegression

    from skxai import KernelShapExplainer, LimeExplainer

    rng = np.random.RandomState(0)
    X = rng.normal(size=(80, 3))
    model = LogisticRegression().fit(X, X[:, 0] > 0)
    lime = LimeExplainer(model, n_samples=200, random_state=0).fit(X).explain(X[:6])
    shap = KernelShapExplainer(model, n_samples=8, random_state=0).fit(X).explain(X[:6])
    for display in (BarDisplay, BeeswarmDisplay):
        for exp, word in ((lime, "surrogate weight"), (shap, "attribution")):
            disp = display.from_explanation(exp)
            try:
                label = disp.ax_.get_xlabel().replace("\n", " ")
                assert word in label and ("surrogate" in label) == (word == "surrogate weight"), label
                title = disp.ax_.get_title()  # the bar's "global importance" names neither
                if display is BeeswarmDisplay:
                    assert ("surrogate" in title) == (word == "surrogate weight"), title
            finally:
                plt.close(disp.figure_)


@pytest.mark.parametrize("channels, abs_title, signed_title", [
    (1, "|attribution|", "attribution"),
    (3, "max over channels |attribution|", "attribution (sum over channels)"),
])
def test_image_titles_take_no_max_over_the_one_channel_of_a_grey_image(channels, abs_title, signed_title):
    # a (12, 1, 32, 32) batch's maps read "max over channels" (the demo's look, session 40)
    import matplotlib.pyplot as plt

    from skxai.plot import ImageAttributionDisplay

    values = np.random.RandomState(0).normal(size=(2, channels, 8, 8))
    for mode, title in (("abs_max", abs_title), ("signed", signed_title)):
        disp = ImageAttributionDisplay.from_explanation(Explanation(values), index=0, mode=mode)
        try:
            assert disp.figure_.axes[0].get_title().split("\n")[0] == title
        finally:
            plt.close(disp.figure_)


@pytest.mark.parametrize("precisions, listed", [
    ([0.4, 0.6, 0.7], ["candidate below threshold"]),
    ([0.96, 0.98, 0.99], ["candidate at or above threshold"]),
    ([0.4, 0.97, 0.8], ["candidate at or above threshold", "candidate below threshold"]),
])
def test_anchor_search_legend_lists_only_the_kinds_of_points_drawn(precisions, listed):
    # "candidate at or above threshold (green)" was listed where no point was green (the demo)
    import matplotlib.pyplot as plt

    from skxai.plot import AnchorSearchDisplay

    disp = AnchorSearchDisplay([0, 1, 1], precisions, ["", "a", "b"], threshold=0.95).plot()
    try:
        texts = [t.get_text() for t in disp.legend_.get_texts()]
        assert [t for t in texts if t.startswith("candidate")] == listed
    finally:
        plt.close(disp.figure_)
    # the selected anchor is drawn as a star over its point: its point is no green candidate
    best = int(np.argmax(precisions))
    others = [p for i, p in enumerate(precisions) if i != best]
    disp = AnchorSearchDisplay([0, 1, 1], precisions, ["", "a", "b"], threshold=0.95, selected=best).plot()
    try:
        texts = [t.get_text() for t in disp.legend_.get_texts()]
        green = "candidate at or above threshold" in texts
        assert green == any(p >= 0.95 for p in others)
    finally:
        plt.close(disp.figure_)


def test_force_blocks_narrower_than_their_tip_are_drawn_not_blank():
    # a run of small attributions next to the base value left a blank gap before the first
    # visible arrow (the demo's TreeSHAP force plot): their chevrons had no area and white edges
    import matplotlib.pyplot as plt

    from skxai.plot import ForceDisplay

    phi = np.r_[1.0, np.full(40, 0.0005), -0.3]
    disp = ForceDisplay(phi, 0.2, [f"f{i}" for i in range(len(phi))]).plot()
    try:
        for patch in disp.pos_patches_ + disp.neg_patches_:
            xy = np.asarray(patch.get_xy())
            area = 0.5 * abs(np.dot(xy[:, 0], np.roll(xy[:, 1], 1)) - np.dot(xy[:, 1], np.roll(xy[:, 0], 1)))
            width = np.ptp(xy[:, 0])
            assert area > 0.5 * 0.8 * width, (width, area)  # at least half the block's bar
            if width < 0.015 * np.abs(phi).sum():
                assert patch.get_linewidth() == 0  # no white edge to cover it
    finally:
        plt.close(disp.figure_)
