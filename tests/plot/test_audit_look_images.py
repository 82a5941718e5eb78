"""Image, CAM, sweep, anchor and text-HTML pictures looked at on realistic inputs: what a viewer
stumbled on, checked mechanically (a small digits-like CNN's maps, a colour image, anchor searches)."""

import io

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot  # noqa: E402

from skxai import Explanation  # noqa: E402
from skxai.plot import (  # noqa: E402
    AnchorSearchDisplay,
    CamDisplay,
    ImageAttributionDisplay,
    SigmaSweepDisplay,
    text_html,
)


def _renderer(fig):
    fig.savefig(io.BytesIO(), format="png")
    return fig.canvas.get_renderer()


def _digit_explanation(method="GradientExplainer"):
    rng = np.random.default_rng(0)
    return Explanation(
        rng.normal(size=(2, 1, 8, 8)),
        data=rng.random((2, 1, 8, 8)),
        method=method,
        output_names=np.arange(10).astype(object),
        target_index=7,
    )


def _colour_bars(fig):
    return [a for a in fig.axes if hasattr(a, "_colorbar")]


@pytest.mark.parametrize("mode", ["signed", "abs_max", "positive", "negative", "split"])
def test_every_image_colour_bar_says_what_it_measures(mode):
    # The colour bars of the gradient / IG maps had ticks and no label: 2.5 of what?
    disp = ImageAttributionDisplay.from_explanation(_digit_explanation(), mode=mode)
    bars = _colour_bars(disp.figure_)
    assert bars and all(b.get_ylabel() or b.get_title() for b in bars)


def test_split_colour_bar_labels_do_not_run_into_the_next_panel():
    # The positive part's bar label, written at the bar's right, lay over the negative panel.
    disp = ImageAttributionDisplay.from_explanation(_digit_explanation(), mode="split")
    r = _renderer(disp.figure_)
    panels = [a.get_window_extent(r) for a in disp.axes_]
    for bar in _colour_bars(disp.figure_):
        for t in (bar.yaxis.label, bar.title):
            if t.get_text():
                box = t.get_window_extent(r)
                assert not any(box.overlaps(p) for p in panels)


def test_cam_colour_bar_is_labelled():
    rng = np.random.default_rng(0)
    exp = Explanation(
        rng.random((1, 4, 4)),
        data=rng.random((1, 1, 8, 8)),
        method="GradCamExplainer",
        output_names=np.arange(10).astype(object),
        target_index=3,
    )
    disp = CamDisplay.from_explanation(exp)
    assert [b.get_ylabel() for b in _colour_bars(disp.figure_)] == ["map value"]


@pytest.mark.parametrize("mode", ["signed", "split"])
def test_image_map_names_the_class_it_explains(mode):
    # A digit's gradient map was titled "GradientExplainer" only: the map of which class?
    disp = ImageAttributionDisplay.from_explanation(_digit_explanation(), mode=mode)
    assert "output 7" in disp.figure_._suptitle.get_text()


def test_sweep_panels_give_their_own_scale_and_the_class():
    # Each sigma's map has its own colour scale and no colour bar: panels looked comparable in
    # brightness though sigma = 0.6 had a max 5x smaller than sigma = 0.
    exps = [_digit_explanation("SmoothGradExplainer") for _ in range(3)]
    for e, s in zip(exps, (1.0, 0.5, 0.2), strict=True):
        e.values = np.asarray(e.values) * s
    disp = SigmaSweepDisplay.from_explanations(exps, [0.0, 0.1, 0.3])
    titles = [a.get_title() for a in disp.axes_[1:]]
    assert all("max" in t for t in titles) and len(set(titles)) == 3
    head = disp.figure_._suptitle.get_text()
    assert "output 7" in head and "own max" in head


def _anchor_explanation():
    rng = np.random.default_rng(1)
    words = ["rare", "honest", "and", "keenly", "observed", "issue", "movie", "something"]
    cands = [((), 0.62, 0.45, 0.77)]
    for size in (1, 2, 3):
        for _ in range(12):
            w = tuple(rng.choice(words, size, replace=False))
            p = min(0.999, 0.55 + 0.15 * size + rng.normal(0, 0.05))
            cands.append({"anchor": w, "precision": p, "lower": p - 0.3, "upper": min(1.0, p + 0.1)})
    cands.append({"anchor": ("rare", "honest", "and"), "precision": 0.995, "lower": 0.9, "upper": 1.0})
    return Explanation(
        [None],
        data=["Emerges as something rare, an issue movie that's so honest"],
        anchor=[["rare", "honest", "and"]],
        precision=[0.995],
        coverage=[0.000095],
        candidates=[cands],
        threshold=0.95,
        method="AnchorTextExplainer",
    )


def test_anchor_labels_stay_inside_the_figure_and_do_not_overlap():
    # Labels written rightwards from the largest size ("rare honest a...") were cut at the
    # figure's edge, and labels of near candidates were written on top of each other.
    disp = AnchorSearchDisplay.from_explanation(_anchor_explanation())
    r = _renderer(disp.figure_)
    fig_box = disp.figure_.bbox
    boxes = [t.get_window_extent(r) for t in disp.ax_.texts]
    assert boxes
    assert all(b.x0 >= fig_box.x0 and b.x1 <= fig_box.x1 for b in boxes)
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])


def test_anchor_legend_names_both_point_colours_and_avoids_the_error_bars():
    # One "evaluated candidates" entry took the first point's colour (grey in one picture, green
    # in the next); the legend was put over error bars (loc="best" ignores them).
    disp = AnchorSearchDisplay.from_explanation(_anchor_explanation())
    r = _renderer(disp.figure_)
    labels = [t.get_text() for t in disp.legend_.get_texts()]
    assert any("above threshold" in t for t in labels) and any("below threshold" in t for t in labels)
    box = disp.legend_.get_window_extent(r)
    pts = disp.ax_.transData.transform(disp.scatter_.get_offsets())
    assert not any(box.contains(x, y) for x, y in pts)
    segs = [s for c in disp.ax_.collections if type(c).__name__ == "LineCollection" for s in c.get_segments()]
    hit = 0
    for s in segs:
        (x0, y0), (_, y1) = disp.ax_.transData.transform(s)
        hit += box.x0 <= x0 <= box.x1 and min(y0, y1) <= box.y1 and max(y0, y1) >= box.y0
    assert hit == 0


def test_anchor_coverage_is_not_rounded_to_zero():
    disp = AnchorSearchDisplay.from_explanation(_anchor_explanation())
    assert "coverage 0.00)" not in " ".join(t.get_text() for t in disp.legend_.get_texts())


def test_text_html_lists_each_strong_word_once():
    # LIME weighs a word, so every "to" had the same weight: "strongest: fun, to, to, to, to".
    doc = "If you sometimes like to go to the movies to have fun"
    tokens = doc.split()
    w = np.array([0.05, 0.08, -0.01, -0.05, -0.13, -0.03, -0.13, 0.0, 0.06, -0.13, -0.06, 0.17])
    out = text_html(Explanation([w], data=[doc], tokens=[tokens], method="LimeTextExplainer"))
    strongest = out.split("strongest: ")[1].split("</div>")[0]
    assert strongest.count("<bdi>to</bdi> (") == 1
    assert len(strongest.split(", ")) == 5


def test_anchor_display_draws_on_a_figure_without_a_pyplot_canvas():
    # the report draws on matplotlib.figure.Figure(): its canvas has no get_renderer
    from matplotlib.figure import Figure

    ax = Figure(figsize=(6, 4)).subplots()
    disp = AnchorSearchDisplay.from_explanation(_anchor_explanation(), ax=ax)
    assert disp.legend_ is not None


def test_signed_map_title_gives_both_extremes_and_an_empty_part_no_scale():
    v = np.zeros((1, 1, 8, 8))
    v[0, 0, 2, 2], v[0, 0, 5, 5] = 0.2, -0.9
    img = np.random.default_rng(0).random((1, 1, 8, 8))
    d = ImageAttributionDisplay.from_explanation(Explanation(v, data=img), mode="signed")
    # its largest |value| (0.9, a negative one) was printed as "max 0.9"
    assert d.ax_.get_title().endswith("min -0.9, max 0.2")
    matplotlib.pyplot.close("all")
    d = ImageAttributionDisplay.from_explanation(Explanation(np.abs(v), data=img), mode="split")
    assert d.axes_[2].get_title().endswith("max 0")
    # the empty negative part is drawn on a nominal scale: its bar shows no tick but 0
    bar_axes = [a for a in d.figure_.axes if a not in list(d.axes_)]
    assert [t.get_text() for t in bar_axes[-1].get_yticklabels()] == ["0"]
    matplotlib.pyplot.close("all")


@pytest.mark.parametrize("dpi", [80, 100, 150])
def test_anchor_legend_leaves_the_selected_anchor_readable_at_any_resolution(dpi):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    from skxai import AnchorTextExplainer

    pos = [
        "great wonderful movie loved it",
        "excellent brilliant acting",
        "superb great fun",
        "loved the wonderful cast",
    ]
    neg = ["awful boring film", "terrible dull plot", "bad awful waste", "boring terrible acting"]
    model = make_pipeline(TfidfVectorizer(), LogisticRegression()).fit((pos + neg) * 5, ([1] * 4 + [0] * 4) * 5)
    exp = (
        AnchorTextExplainer(model, random_state=0)
        .fit((pos + neg) * 5)
        .explain(["terrible dull bold émigré naïve café"])
    )
    d = AnchorSearchDisplay.from_explanation(exp, index=0)
    # the legend's edge cut the bold anchor's first letter at 80 and 150 dpi ("errible")
    fig = d.figure_
    fig.set_dpi(dpi)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    legend = d.legend_.get_window_extent(renderer)
    bold = [t.get_window_extent(renderer) for t in d.ax_.texts if t.get_weight() == "bold"]
    assert bold and not any(legend.overlaps(b) for b in bold)
    matplotlib.pyplot.close("all")
