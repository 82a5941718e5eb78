"""Pictures drawn from inputs the demo does not produce (80-character names, all-zero attributions,
60 features, wrapped names, long documents, right-to-left words), looked at and then checked
mechanically: every text inside the picture, no label over another, nothing hidden unsaid."""

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

from skxai import Explanation  # noqa: E402
from skxai.plot import (  # noqa: E402
    BarDisplay,
    BeeswarmDisplay,
    ForceDisplay,
    TextHighlightDisplay,
    WaterfallDisplay,
)

LONG_NAMES = [
    "a" * 80,
    "m" * 40 + "w" * 40,
    "very long feature name with spaces that goes on and on and on and on for eighty c",
    "b",
    "c",
]


def _explanation(names, values=None, n=5, base=0.0):
    rng = np.random.default_rng(0)
    if values is None:
        values = rng.normal(size=(n, len(names)))
    return Explanation(values, base_values=np.full(len(values), base), feature_names=names, method="KernelSHAP")


def _render(fig, dpi=80):
    """Draw ``fig`` at ``dpi`` (as ``savefig(dpi=...)`` does) and return the renderer that drew it:
    text widths do not scale with the resolution (hinting), so the extents are measured at it."""
    fig.set_dpi(dpi)
    fig.canvas.draw()
    return fig.canvas.get_renderer()


def _visible_texts(fig):
    from matplotlib.text import Text

    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


def _shown_tick_labels(ax, renderer):
    """The x tick labels matplotlib draws (those of ticks inside the view)."""
    lo, hi = sorted(ax.get_xlim())
    return [
        t
        for t in ax.get_xticklabels()
        if t.get_text() and lo - 1e-12 * max(1, abs(hi)) <= t.get_position()[0] <= hi + 1e-12 * max(1, abs(hi))
    ]


def _outside(fig, texts, renderer, tol=1.0):
    box = fig.bbox
    out = []
    for t in texts:
        b = t.get_window_extent(renderer)
        if b.x0 < box.x0 - tol or b.x1 > box.x1 + tol or b.y0 < box.y0 - tol or b.y1 > box.y1 + tol:
            out.append((t.get_text()[:30], [round(v) for v in b.extents]))
    return out


@pytest.mark.parametrize("display", [BarDisplay, WaterfallDisplay, BeeswarmDisplay])
@pytest.mark.parametrize("dpi", [80])
def test_long_names_of_wide_letters_stay_inside_the_figure(display, dpi):
    # 80 "a"s, or "m"s and "w"s, were estimated at 0.6 of the font size a letter: the wrapped
    # names ran 6 to 60 px past the figure's left edge (cut) in a plain savefig.
    import matplotlib.pyplot as plt

    disp = display.from_explanation(_explanation(LONG_NAMES))
    try:
        renderer = _render(disp.figure_, dpi)
        texts = [t for t in disp.ax_.get_yticklabels() if t.get_text()]
        assert _outside(disp.figure_, texts, renderer) == []
    finally:
        plt.close(disp.figure_)


THREE_LINES = [f"feature {k} measured over a long window of time, in several parts, then averaged" for k in range(6)]


@pytest.mark.parametrize("display", [WaterfallDisplay, BeeswarmDisplay])
@pytest.mark.parametrize("names", [LONG_NAMES, THREE_LINES])
def test_names_wrapped_on_several_lines_do_not_run_into_each_other(display, names):
    # The waterfall and the beeswarm drew rows 0.4 inch apart whatever the names: a name wrapped
    # on three lines ran over the names of the rows above and below (the bar chart made room).
    import matplotlib.pyplot as plt

    disp = display.from_explanation(_explanation(names))
    try:
        renderer = _render(disp.figure_)
        boxes = sorted(
            (t.get_window_extent(renderer) for t in disp.ax_.get_yticklabels() if t.get_text()), key=lambda b: b.y0
        )
        assert len(boxes) == len(names)
        # between two names, clearly more room than between the lines of one name: the waterfall's
        # third line "c" of a wrapped name sat one line-gap above the next name "b" (read as a row)
        gap = 0.5 * 10 * 80 / 72
        for lower, upper in zip(boxes[:-1], boxes[1:], strict=True):
            assert upper.y0 - lower.y1 >= gap, (lower, upper)
    finally:
        plt.close(disp.figure_)


@pytest.mark.parametrize("display", [BarDisplay, WaterfallDisplay, BeeswarmDisplay, ForceDisplay])
@pytest.mark.parametrize("case", ["one feature", "all zero", "huge"])
def test_every_tick_label_is_inside_the_figure(display, case):
    # A tick at the right end of the x axis ("0.12", "1.0", "1200000") was cut in half by the
    # figure's edge: the figure made room on the left and the bottom, and left 0.12 inch on the right.
    import matplotlib.pyplot as plt

    exp = {
        "one feature": _explanation(["age"], values=np.array([[0.1]])),
        "all zero": _explanation(list("abcd"), values=np.zeros((3, 4)), base=1.0),
        "huge": _explanation(list("abcd"), values=np.array([[1e-6, 1e6, -2e-6, 3.0]] * 3), base=1.0),
    }[case]
    disp = display.from_explanation(exp)
    try:
        for dpi in (80, 150):
            renderer = _render(disp.figure_, dpi)
            ticks = _shown_tick_labels(disp.ax_, renderer)
            assert _outside(disp.figure_, ticks, renderer) == []
    finally:
        plt.close(disp.figure_)


@pytest.mark.parametrize("display", [WaterfallDisplay, ForceDisplay])
def test_all_zero_attributions_get_readable_ticks(display):
    # With every attribution 0 the axis spanned 1e-12 around the base value: its ticks read
    # "1.0000000000000", "1.0000000000001" (and ran out of the figure).
    import matplotlib.pyplot as plt

    disp = display.from_explanation(_explanation(list("abcd"), values=np.zeros((3, 4)), base=1.0))
    try:
        renderer = _render(disp.figure_)
        labels = [t.get_text() for t in _shown_tick_labels(disp.ax_, renderer)]
        assert labels
        assert max(len(s) for s in labels) <= 6, labels
        lo, hi = disp.ax_.get_xlim()
        assert lo < 1.0 < hi  # the base value (where everything is) is on the axis
    finally:
        plt.close(disp.figure_)


def test_beeswarm_says_how_many_features_it_leaves_out():
    # 60 features drew the 12 strongest rows and nothing said that 48 were left out (the bar
    # chart and the waterfall sum them into a last row).
    import matplotlib.pyplot as plt

    names = [f"feat_{i}" for i in range(60)]
    disp = BeeswarmDisplay.from_explanation(_explanation(names))
    try:
        renderer = _render(disp.figure_)
        texts = [t for t in _visible_texts(disp.figure_) if "not shown" in t.get_text()]
        assert texts, [t.get_text() for t in _visible_texts(disp.figure_)]
        assert "48 other features" in texts[0].get_text()
        assert _outside(disp.figure_, texts, renderer) == []
    finally:
        plt.close(disp.figure_)
    full = BeeswarmDisplay.from_explanation(_explanation(names[:5]))
    try:
        assert not [t for t in _visible_texts(full.figure_) if "not shown" in t.get_text()]
    finally:
        plt.close(full.figure_)


def _document(doc, weights=None):
    tokens = doc.split()
    if weights is None:
        weights = np.where(np.arange(len(tokens)) % 3 == 0, 0.0, np.linspace(-1, 1, len(tokens)))
    return Explanation(
        [np.asarray(weights, dtype=float)],
        data=[doc],
        tokens=[tokens],
        method="LimeTextExplainer",
        target=[1],
        output_names=["neg", "pos"],
    )


def _word_gaps(disp, renderer):
    """Pixels between consecutive words on the first line."""
    boxes = [t.get_window_extent(renderer) for t in disp.ax_.texts]
    first = [b for b in boxes if abs(b.y1 - boxes[0].y1) < 1]
    return [b.x0 - a.x1 for a, b in zip(first[:-1], first[1:], strict=True)]


@pytest.mark.parametrize("where", ["own figure", "tight user figure"])
def test_text_words_keep_one_space_between_them_when_the_figure_makes_room_for_the_title(where):
    # The words were placed for the axes of matplotlib's default margins; at the draw the figure
    # made room for the title by widening the axes (its own, or a user's tight layout), and every
    # gap between words grew with it (10 to 35 px): a sentence read as scattered words.
    import matplotlib.pyplot as plt

    ax = None if where == "own figure" else plt.figure(figsize=(8, 1.2), layout="tight").subplots()
    disp = TextHighlightDisplay.from_explanation(_document('the movie was & "great" <b>bold</b> it\'s ok'), ax=ax)
    try:
        renderer = _render(disp.figure_, 100)
        gaps = _word_gaps(disp, renderer)
        assert len(gaps) == 7
        assert max(gaps) - min(gaps) <= 3, gaps
        assert max(gaps) <= 8, gaps
        assert _outside(disp.figure_, [*disp.ax_.texts, disp.ax_.title], renderer) == []
    finally:
        plt.close(disp.figure_)


def test_long_document_fills_its_figure_without_blank_bands():
    # 200 words (2,000 alike): the figure was sized for 80 characters a line but the words ran over the whole
    # width, so the last third of the 50-inch picture was blank, and the default top margin
    # left 5 inches blank over the title.
    import matplotlib.pyplot as plt

    rng = np.random.default_rng(0)
    doc = " ".join(rng.choice(["the", "movie", "good", "bad", "plot", "was", "<script>x</script>", "a&b"], 200))
    disp = TextHighlightDisplay.from_explanation(_document(doc))
    try:
        renderer = _render(disp.figure_, 80)
        fig_box = disp.figure_.bbox
        words = [t.get_window_extent(renderer) for t in disp.ax_.texts]
        title = disp.ax_.title.get_window_extent(renderer)
        top_blank = fig_box.y1 - title.y1
        bottom_blank = min(b.y0 for b in words) - fig_box.y0
        assert top_blank < 0.4 * 80, top_blank
        assert bottom_blank < 0.6 * 80, bottom_blank
        assert _outside(disp.figure_, [*disp.ax_.texts, disp.ax_.title], renderer) == []
    finally:
        plt.close(disp.figure_)


@pytest.mark.parametrize("width", [20, 40])
def test_text_width_sets_the_characters_per_line(width):
    # width ("Characters per line") only sized the figure's height: the words ran over the
    # whole axes whatever it was.
    import matplotlib.pyplot as plt

    doc = " ".join(["word"] * 60)
    disp = TextHighlightDisplay.from_explanation(_document(doc), width=width)
    try:
        renderer = _render(disp.figure_, 100)
        lines = {}
        for t in disp.ax_.texts:
            lines.setdefault(round(t.get_window_extent(renderer).y1), []).append(t.get_text())
        chars = [len(" ".join(words)) for words in lines.values()]
        assert max(chars) <= width, chars
        assert max(chars) > width - 6, chars
    finally:
        plt.close(disp.figure_)


def test_right_to_left_words_are_drawn_with_a_font_that_has_their_letters():
    # Hebrew and Arabic words were drawn in DejaVu Serif, which has no such letters: each letter
    # was a box (and matplotlib warned "Glyph 1513 missing from font(s) DejaVu Serif").
    import warnings

    import matplotlib.pyplot as plt

    disp = TextHighlightDisplay.from_explanation(_document("שלום עולם movie good مرحبا"))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            _render(disp.figure_, 80)
    finally:
        plt.close(disp.figure_)


def _visual_order(text):
    """The characters of ``text`` in the order matplotlib draws them, left to right."""
    from matplotlib import _text_helpers
    from matplotlib.font_manager import FontProperties, fontManager, get_font

    font = get_font(fontManager._find_fonts_by_props(FontProperties(family="DejaVu Sans")))
    return "".join(item.char for item in _text_helpers.layout(text, font))


@pytest.mark.parametrize("display", [WaterfallDisplay, ForceDisplay])
def test_a_right_to_left_name_keeps_the_sign_of_its_value(display):
    # "שלום = -1.93" was laid out right to left as a whole (its first letter is Hebrew): it was
    # drawn "1.93- = שלום", the minus after the number.
    import matplotlib.pyplot as plt

    if _visual_order("\u05d0\u05d1") != "\u05d1\u05d0":
        pytest.skip("this matplotlib draws text in logical order (no bidirectional layout)")
    exp = Explanation(
        np.array([[2.0, -1.0]]),
        base_values=np.zeros(1),
        data=np.array([[-1.93, 4.0]]),
        feature_names=["\u05e9\u05dc\u05d5\u05dd", "b"],
    )
    disp = display.from_explanation(exp)
    try:
        labels = [t.get_text() for t in [*disp.ax_.get_yticklabels(), *disp.ax_.texts] if "-1.93" in t.get_text()]
        assert labels
        for label in labels:
            drawn = _visual_order(label)
            assert "-1.93" in drawn, drawn
            assert drawn.index("\u05dd") < drawn.index("="), drawn  # the name left of "= -1.93"
    finally:
        plt.close(disp.figure_)


RULE_NAMES = ["\u05e9\u05dc\u05d5\u05dd", "<script>alert(1)</script>", "x" * 80] + [f"f{i}" for i in range(9)]


def _tabular_anchor(n_conditions=9):
    """An anchor of ``n_conditions`` conditions on 12 features, and the candidates of its search."""
    rng = np.random.default_rng(0)
    conds = [f"-0.4173 <= {name} < 0.02096" for name in RULE_NAMES]
    candidates = [
        {"anchor": (), "features": (), "size": 0, "precision": 0.5, "precision_lower": 0.45, "precision_upper": 0.56}
    ]
    for size in range(1, n_conditions + 1):
        for k in range(6):
            picked = tuple(conds[(size + k + j) % len(conds)] for j in range(size))
            prec = min(1.0, 0.5 + 0.06 * size + 0.02 * rng.random())
            candidates.append(
                {
                    "anchor": picked,
                    "features": (),
                    "size": size,
                    "precision": prec,
                    "precision_lower": prec - 0.1,
                    "precision_upper": min(1.0, prec + 0.05),
                }
            )
    anchor = candidates[-1]["anchor"]
    return Explanation(
        np.ones((1, len(RULE_NAMES))),
        data=rng.normal(size=(1, len(RULE_NAMES))),
        feature_names=RULE_NAMES,
        anchor=[anchor],
        candidates=[candidates],
        threshold=0.95,
        precision=[candidates[-1]["precision"]],
        coverage=[0.0025],
        method="AnchorTabularExplainer",
    )


def test_anchor_search_of_a_long_tabular_rule_stays_readable_and_inside_the_figure():
    # A rule of 9 conditions: the selected anchor's label ran past both edges of the figure and
    # over the title, candidates' labels past the right edge; its conditions were joined by
    # spaces ("f3 >= 0.8443 0.49 <= f4 < 1.044"), and the axis counted "words".
    import matplotlib.pyplot as plt

    from skxai.plot import AnchorSearchDisplay

    disp = AnchorSearchDisplay.from_explanation(_tabular_anchor())
    try:
        renderer = _render(disp.figure_, 80)
        notes = [t for t in disp.ax_.texts if t.get_text()]
        assert notes
        assert _outside(disp.figure_, notes, renderer) == []
        title = disp.ax_.title.get_window_extent(renderer)
        assert not any(t.get_window_extent(renderer).overlaps(title) for t in notes)
        assert any(" AND " in t.get_text() for t in notes), [t.get_text() for t in notes]
        assert "conditions" in disp.ax_.get_xlabel()
    finally:
        plt.close(disp.figure_)


@pytest.mark.parametrize(
    "doc, reading",
    [
        # a Hebrew sentence reads right to left: its first word is the rightmost
        ("\u05d6\u05d4 \u05e1\u05e8\u05d8 \u05d8\u05d5\u05d1 \u05de\u05d0\u05d5\u05d3", "rtl"),
        # English with a Hebrew phrase: the sentence left to right, the phrase's two words right to left
        ("the film \u05e9\u05dc\u05d5\u05dd \u05e2\u05d5\u05dc\u05dd was good", "mixed"),
        ("a plain English sentence", "ltr"),
    ],
)
def test_text_words_of_a_right_to_left_document_are_in_reading_order(doc, reading):
    # The words were laid out left to right in the order of the document: a Hebrew sentence
    # read (right to left) backwards, last word first.
    import matplotlib.pyplot as plt

    words = doc.split()
    disp = TextHighlightDisplay.from_explanation(_document(doc, np.linspace(-1, 1, len(words))))
    try:
        renderer = _render(disp.figure_, 100)
        x = {t.get_text(): t.get_window_extent(renderer).x0 for t in disp.ax_.texts}
        left_to_right = sorted(words, key=x.get)
        if reading == "rtl":
            assert left_to_right == words[::-1]
            # right-aligned, as a right-to-left paragraph is
            right = max(t.get_window_extent(renderer).x1 for t in disp.ax_.texts)
            assert disp.ax_.get_window_extent(renderer).x1 - right < 20
        elif reading == "mixed":
            assert left_to_right == ["the", "film", words[3], words[2], "was", "good"]
        else:
            assert left_to_right == words
    finally:
        plt.close(disp.figure_)


def _image_explanation(h, w, channels=3):
    yy, xx = np.mgrid[:h, :w]
    img = np.stack([xx / w, yy / h, 0.5 * np.ones((h, w)), np.ones((h, w))][:channels])[None]
    blob = np.exp(-((yy - h / 2) ** 2 / 50 + (xx - w * 0.7) ** 2 / 200)) - 0.3 * np.exp(-((yy - 5) ** 2 + xx**2) / 30)
    return Explanation(
        np.repeat(blob[None, None], channels, axis=1),
        data=img,
        output_names=["tabby cat", "dog"],
        target_index=0,
        method="IntegratedGradients",
    )


@pytest.mark.parametrize("shape, channels", [((120, 37), 1), ((120, 37), 4), ((37, 120), 4), ((40, 40), 3)])
@pytest.mark.parametrize("mode", ["signed", "split"])
def test_image_titles_and_colour_bar_labels_do_not_overlap(shape, mode, channels):
    # A tall image (120 x 37): the figure's title (method and class) was drawn over the panel's
    # title, and in "split" mode each colour bar's title sat beside the panel's "max 3" (read
    # "max 3 attribution").
    import matplotlib.pyplot as plt

    from skxai.plot import ImageAttributionDisplay

    disp = ImageAttributionDisplay.from_explanation(_image_explanation(*shape, channels), mode=mode)
    fig = disp.figure_
    try:
        renderer = _render(fig, 80)
        texts = [fig._suptitle] if fig._suptitle is not None else []
        for ax in fig.axes:
            texts += [ax.title, ax.xaxis.label, ax.yaxis.label]
        texts = [t for t in texts if t.get_text()]
        assert any("tabby cat" in t.get_text() for t in texts)
        assert _outside(fig, texts, renderer) == []
        boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in texts]
        for k, (a, box_a) in enumerate(boxes):
            for b, box_b in boxes[k + 1 :]:
                assert not box_a.overlaps(box_b), (a, b)
    finally:
        plt.close(fig)


@pytest.mark.parametrize("feature", [0, 1, 2])
def test_dependence_axis_labels_of_long_names_stay_inside_the_figure(feature):
    # The x axis label is the feature's name, unwrapped: 80 characters ran past both edges of
    # the figure ("ery long feature name ... eighty c").
    import matplotlib.pyplot as plt

    from skxai.plot import DependenceDisplay

    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 5))
    exp = Explanation(
        X * [1.0, -2.0, 0.5, 0.1, 0.3], base_values=np.zeros(30), data=X, feature_names=LONG_NAMES, method="KernelSHAP"
    )
    disp = DependenceDisplay.from_explanation(exp, feature)
    try:
        renderer = _render(disp.figure_, 80)
        texts = [disp.ax_.xaxis.label, disp.ax_.yaxis.label, disp.ax_.title]
        if disp.colorbar_ is not None:
            texts.append(disp.colorbar_.ax.yaxis.label)
        assert _outside(disp.figure_, texts, renderer) == []
    finally:
        plt.close(disp.figure_)


@pytest.mark.parametrize("n", [1, 2, 3, 10])
def test_waterfall_base_value_label_clears_the_x_axis(n):
    # "E[f(X)] = 0" was written from y=-0.9 down, in data units, with the axis at -1.2: on a
    # waterfall of 1 to 3 bars (rows about 0.3 inch) its brackets crossed the x axis line.
    import matplotlib.pyplot as plt

    exp = _explanation([f"f{k}" for k in range(n)], values=np.arange(1, n + 1)[None] * 0.1)
    disp = WaterfallDisplay.from_explanation(exp)
    try:
        renderer = _render(disp.figure_, 100)
        (label,) = [t for t in disp.ax_.texts if t.get_text().startswith("E[f(X)]")]
        box = label.get_window_extent(renderer)
        assert box.y0 >= disp.ax_.get_window_extent(renderer).y0 + 1
        lowest_bar = min(p.get_window_extent(renderer).y0 for p in disp.patches_)
        assert box.y1 <= lowest_bar + 1
    finally:
        plt.close(disp.figure_)
