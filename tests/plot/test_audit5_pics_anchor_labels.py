"""The anchor search picture's labels on crowded searches (many candidates of one size with
near precisions, long anchors): the labels were written over the points, the star of the
selected anchor and each other, at 7 points (about 8 pixels tall in a report figure)."""

import io

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

from skxai import Explanation  # noqa: E402
from skxai.plot import AnchorSearchDisplay  # noqa: E402


def _crowded(n_per_size=14, long=False, seed=0):
    """Candidates as a beam search leaves them: sizes 1 to 3, many near the threshold."""
    rng = np.random.default_rng(seed)
    words = ["heart", "warming", "story", "simple", "Theirs", "charm", "mirth", "cynical", "full", "of"]
    if long:
        words = [w * 3 for w in words]
    cands = [((), 0.82, 0.7, 0.92)]
    for size in (1, 2, 3):
        for _ in range(n_per_size):
            w = tuple(rng.choice(words, size, replace=False))
            p = float(np.clip(0.80 + 0.07 * size + rng.normal(0, 0.03), 0, 1))
            cands.append({"anchor": w, "precision": p, "lower": p - 0.1, "upper": min(1.0, p + 0.04)})
    best = tuple(words[:3])
    cands.append({"anchor": best, "precision": 0.999, "lower": 0.96, "upper": 1.0})
    return Explanation([None], data=[" ".join(words)], anchor=[list(best)], precision=[0.999],
                       coverage=[0.0057], candidates=[cands], threshold=0.95, method="AnchorTextExplainer")


def _draw(exp, **kw):
    disp = AnchorSearchDisplay.from_explanation(exp, **kw)
    disp.figure_.savefig(io.BytesIO(), format="png", dpi=80)
    return disp, disp.figure_.canvas.get_renderer()


def _marker_boxes(disp, renderer):
    """Pixel boxes of every drawn point (candidates and the star)."""
    from matplotlib.transforms import Bbox

    out = []
    for coll, size in ((disp.scatter_, 25), (disp.selected_marker_, 250)):
        if coll is None:
            continue
        r = np.sqrt(size) / 2 * disp.figure_.dpi / 72  # marker radius in pixels
        for x, y in disp.ax_.transData.transform(coll.get_offsets()):
            out.append(Bbox([[x - r, y - r], [x + r, y + r]]))
    return out


@pytest.mark.parametrize("how", ["display", "report"])
@pytest.mark.parametrize("long", [False, True])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_labels_cover_no_point_no_star_and_no_other_label(long, seed, how):
    exp = _crowded(long=long, seed=seed)
    disp, r = _draw(exp) if how == "display" else _draw_as_the_report(exp)
    labels = [t.get_window_extent(r) for t in disp.ax_.texts]
    assert len(labels) >= 3  # the selected anchor and some of the most precise ones are named
    assert not any(a.overlaps(b) for i, a in enumerate(labels) for b in labels[i + 1:])
    hits = [(t.get_text(), i) for t, box in zip(disp.ax_.texts, labels, strict=True)
            for i, m in enumerate(_marker_boxes(disp, r)) if box.overlaps(m)]
    assert not hits
    frame = disp.ax_.get_window_extent(r)
    assert all(b.x0 >= frame.x0 - 1 and b.x1 <= frame.x1 + 1 and b.y1 <= frame.y1 + 1 for b in labels)
    legend = disp.legend_.get_window_extent(r)
    assert not any(b.overlaps(legend) for b in labels)


def test_labels_are_large_enough_to_read():
    disp, _ = _draw(_crowded())
    assert min(t.get_fontsize() for t in disp.ax_.texts) >= 8


def test_a_shortened_selected_anchor_is_written_in_full_in_the_figure():
    words = [f"word{i}" * 2 for i in range(9)]
    cands = [((), 0.5), (tuple(words[:1]), 0.8), (tuple(words), 0.97)]
    exp = Explanation([None], data=[" ".join(words)], anchor=[words], precision=[0.97], candidates=[cands],
                      threshold=0.95, method="AnchorTextExplainer")
    disp, _ = _draw(exp)
    full = " ".join(words)
    texts = [t.get_text() for t in disp.ax_.texts] + [t.get_text() for t in disp.legend_.get_texts()]
    texts += [disp.ax_.get_title(), disp.figure_._suptitle.get_text() if disp.figure_._suptitle else ""]
    assert any(full in " ".join(t.split()) for t in texts), texts


def _demo_like(seed):
    """A search as the demo's reviews leave it: candidates of every size spread over the whole
    precision range, so that every corner of the axes holds points."""
    rng = np.random.default_rng(seed)
    words = ["heart", "warming", "story", "simple", "Theirs", "charm", "mirth", "cynical", "full", "of"]
    cands = [((), 0.99, 0.9, 1.0)]
    for size in (1, 2):
        for _ in range(20):
            w = tuple(rng.choice(words, size, replace=False))
            p = float(rng.uniform(0.45, 1.0))
            cands.append({"anchor": w, "precision": p, "lower": p - 0.05, "upper": min(1.0, p + 0.03)})
    cands.append({"anchor": ("heart", "of"), "precision": 0.999, "lower": 0.96, "upper": 1.0})
    return Explanation([None], data=[" ".join(words)], anchor=[["heart", "of"]], precision=[0.999],
                       coverage=[0.0057], candidates=[cands], threshold=0.95, method="AnchorTextExplainer")


def _draw_as_the_report(exp):
    """On a plain Figure with a layout engine, saved at 80 dpi (the report's figures): the text
    is measured when drawn at 100 dpi and rendered, hinted, at 80."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.5, 4), layout="tight")
    disp = AnchorSearchDisplay.from_explanation(exp, ax=fig.subplots())
    fig.savefig(io.BytesIO(), format="png", dpi=80)
    fig.set_dpi(80)
    fig.draw_without_rendering()
    return disp, fig._get_renderer()


@pytest.mark.parametrize("how", ["display", "report"])
@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_the_legend_hides_no_point(seed, how):
    # the legend went to the corner covering the fewest points, and every corner held some: a
    # candidate above the threshold was drawn under it
    disp, r = _draw(_demo_like(seed)) if how == "display" else _draw_as_the_report(_demo_like(seed))
    legend = disp.legend_.get_window_extent(r)
    assert not [m for m in _marker_boxes(disp, r) if m.overlaps(legend)]
    labels = [t.get_window_extent(r) for t in disp.ax_.texts]
    assert not any(b.overlaps(legend) for b in labels)
    # no tick promises a precision above 1
    assert max(disp.ax_.get_yticks()[(disp.ax_.get_yticks() <= disp.ax_.get_ylim()[1])]) <= 1.0 + 1e-9


@pytest.mark.parametrize("how", ["display", "report"])
def test_a_long_tabular_rule_is_named_clear_of_the_legend(how):
    # a wine anchor of 9 conditions: its name rose above the points, into the legend's band,
    # and the legend was drawn over it
    pytest.importorskip("sklearn")
    from sklearn.datasets import load_wine
    from sklearn.ensemble import RandomForestClassifier

    from skxai import AnchorTabularExplainer

    X, y = load_wine(return_X_y=True, as_frame=True)
    model = RandomForestClassifier(random_state=0, n_estimators=30).fit(X, y)
    exp = AnchorTabularExplainer(model, random_state=0).fit(X).explain(X.iloc[:1])
    disp, r = _draw(exp) if how == "display" else _draw_as_the_report(exp)
    legend = disp.legend_.get_window_extent(r)
    bold = [t for t in disp.ax_.texts if t.get_weight() == "bold"]
    assert len(bold) == 1
    assert not any(t.get_window_extent(r).overlaps(legend) for t in disp.ax_.texts)
    assert not [m for m in _marker_boxes(disp, r) if m.overlaps(legend)]


@pytest.mark.parametrize("method", [None, "AnchorTextExplainer"])
def test_a_cut_selected_anchor_keeps_the_legend_and_the_names(method):
    # the passes that place the names again for a longer title must end with names and legend
    words = [f"word{i}" * 2 for i in range(9)]
    cands = [((), 0.5), (tuple(words[:1]), 0.8), (tuple(words), 0.97)]
    exp = Explanation([None], data=[" ".join(words)], anchor=[words], precision=[0.97], candidates=[cands],
                      threshold=0.95, method=method)
    disp, _ = _draw(exp)
    assert disp.legend_.axes is disp.ax_
    assert [t.get_weight() for t in disp.ax_.texts].count("bold") == 1
    assert " ".join(words) in " ".join(disp.ax_.get_title().split())
