"""Shared pieces of the Display objects: lazy matplotlib, reading explanations, colours."""

from __future__ import annotations

import numbers
import re

import numpy as np

from skxai.plot._columns import coded, column_kinds

# Red for attributions that push the output up, blue for those that pull it down (the
# convention of the course and of shap's pictures).
POSITIVE = "#d62728"
NEGATIVE = "#1f77b4"


def check_matplotlib(caller):
    """Import matplotlib or say how to install it."""
    try:
        import matplotlib  # noqa: F401
    except ImportError as exc:  # pragma: no cover - matplotlib is a declared extra
        raise ImportError(f"{caller} needs matplotlib; install it with `pip install skxai[plot]`.") from exc


def new_axes(ax, caller, figsize=None):
    """Return ``(figure, ax)``: ``ax``'s figure, or a new pyplot figure when ``ax`` is None.

    A new figure makes room for its text at every draw (:class:`skxai.plot._figure.RoomyFigure`),
    so ``figure_.savefig(path)`` keeps long tick labels, axis labels and titles inside the
    picture; a user's ``ax`` is left as it is.
    """
    check_matplotlib(caller)
    if ax is not None:
        return ax.figure, ax
    import matplotlib.pyplot as plt

    from skxai.plot._figure import RoomyFigure

    fig, ax = plt.subplots(figsize=figsize, FigureClass=RoomyFigure)
    return fig, ax


def right_limit_for_labels(ax, lo, hi, starts, texts, fontsize=8):
    """The right x limit (at least ``hi``) that keeps texts written from ``starts`` inside axes
    spanning ``lo`` to it: their widths are estimated from their characters (a value label
    followed by " (error unknown)" ran past the figure's edge).

    The width is the axes' once the figure has made room for the text around them: a
    :class:`~skxai.plot._figure.RoomyFigure` widens its left margin for long tick labels when
    drawn, and labels placed for the wider axes ran past the edge (13 px for "(error unknown)"
    beside 30-character feature names)."""
    from skxai.plot._figure import RoomyFigure, _needs, _text_inches

    fig_width = ax.figure.get_size_inches()[0]
    width = ax.get_position().width * fig_width
    if isinstance(ax.figure, RoomyFigure) and len(ax.figure.axes) == 1:
        need = _needs(ax)
        width = min(width, fig_width - need["left"] - need["right"])
    for x, text in zip(starts, texts, strict=True):
        share = min(_text_inches(text, fontsize)[0] / max(width, 1e-9), 0.6)
        if x + share * (hi - lo) > hi:
            hi = (x - share * lo) / (1.0 - share)
    return hi


def spread(span, *values):
    """Width of an x axis around ``values`` that spread over ``span``: ``span``, or a tenth of the
    values' size (at least 0.1) when they do not spread (every attribution 0).

    An axis 1e-12 wide around a base value of 1 was ticked "1.0000000000000", "1.0000000000001".
    """
    size = max((abs(float(v)) for v in values), default=0.0)
    if span > 1e-9 * size and span > 0:
        return span
    return 0.1 * max(size, 1.0)


def literal_text(*artists):
    """Draw every text of ``artists`` (a display's axes) that holds a ``$`` as it is, not as
    matplotlib mathtext.

    Feature names, class names and the words of documents are data: "price in $ (USD) & $tax$"
    or "cost $x^2$" keep their dollars (a wrapped label whose one line held two ``$`` was
    typeset in italics, the dollars gone). Called at the end of a display's ``plot`` on the
    axes it drew (the rest of a user's figure is left alone); tick labels a formatter writes
    later are left to matplotlib.
    """
    from matplotlib.text import Text

    for t in (t for a in artists for t in a.findobj(Text)):
        if "$" in t.get_text():
            t.set_parse_math(False)


def wrap_label(text, width=30):
    """``text`` on lines of at most ``width`` characters (long names break too).

    A feature name or an axis label longer than the figure is wide cannot be laid out inside it:
    wrapped, it stays whole and the axes keep their room.
    """
    import textwrap

    return "\n".join(textwrap.wrap(str(text), width, break_long_words=True, break_on_hyphens=False)) or str(text)


def isolated(name):
    """``name`` as a unit of its own inside a left-to-right label ("name = value").

    A label opening with a right-to-left name ("שלום = -1.93") is laid out right to left as a
    whole by a matplotlib that shapes text (libraqm): it was drawn "1.93- = שלום", the sign after
    the number. Between first-strong-isolate and pop-directional-isolate marks the name keeps its
    own direction and the rest of the label reads left to right. Left as it is by a matplotlib
    that draws text in logical order (the marks would be drawn as missing glyphs there).
    """
    name = str(name)
    if is_right_to_left(name) and _lays_out_bidi():
        return "\u2068" + name + "\u2069"
    return name


def is_right_to_left(text):
    """Whether ``text`` holds a right-to-left letter (Hebrew, Arabic, ...)."""
    import unicodedata

    return any(unicodedata.bidirectional(c) in ("R", "AL") for c in str(text))


def isolate_names(text, names):
    """``text`` (a rule such as "0.3 <= שלום < 0.5") with the right-to-left name of ``names``
    that it holds isolated (see :func:`isolated`): without it the name and the number after it
    were laid out as one right-to-left run, drawn "0.5 > שלום" (the inequality read backwards)."""
    text = str(text)
    rtl = [name for name in names if isolated(name) != name and name in text]
    if not rtl:
        return text
    name = max(rtl, key=len)
    at = text.index(name)
    return "\u2066" + text[:at] + isolated(name) + text[at + len(name) :] + "\u2069"


def _lays_out_bidi():
    """Whether this matplotlib lays text out in visual order (Hebrew letters drawn right to left)."""
    global _BIDI
    if _BIDI is None:
        try:
            from matplotlib import _text_helpers
            from matplotlib.font_manager import FontProperties, fontManager, get_font

            font = get_font(fontManager._find_fonts_by_props(FontProperties(family="DejaVu Sans")))
            _BIDI = "".join(item.char for item in _text_helpers.layout("\u05d0\u05d1", font)) == "\u05d1\u05d0"
        except Exception:  # a private helper of matplotlib: without it, no marks
            _BIDI = False
    return _BIDI


_BIDI = None


def name_lines(names, width=30):
    """Most lines a name of ``names`` takes once wrapped at ``width`` characters (rows are made
    taller by it: names wrapped on three lines ran into the names of the next rows)."""
    return max((wrap_label(name, width).count("\n") + 1 for name in names), default=1)


def wrap_to(text, width_pt, fontsize):
    """``text`` wrapped on lines that fit ``width_pt`` points at ``fontsize``, as measured in
    matplotlib's font (at least 10 characters a line).

    A count of characters does not fit: 40 "m"s are 1.6 times as wide as 40 "a"s, and the labels
    of wide letters ran off the figure.
    """
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import text_to_path

    prop = FontProperties(size=fontsize)
    room = 0.92 * width_pt  # hinting at low resolutions widens the letters a little

    def widest(wrapped):
        return max(
            text_to_path.get_text_width_height_descent(line, prop, ismath=False)[0] for line in wrapped.split("\n")
        )

    if widest(text) <= room:  # it fits as it is: a count of characters wrapped it all the same
        return text
    chars = max(10, int(width_pt / (0.6 * fontsize)))
    wrapped = wrap_label(text, chars)
    while chars > 10 and widest(wrapped) > room:
        chars = max(10, int(chars * 0.85))
        wrapped = wrap_label(text, chars)
    return wrapped


def axes_room_pt(ax):
    """Width in points a centred title or x label of ``ax`` may take: the axes' own width where
    the figure does not move its axes for their labels (no layout engine, ``add_axes``).

    Where a layout engine (or the displays' own figure) lays the axes out beside their y tick
    labels, long labels push the axes right: a 60-character title over a waterfall of long
    feature names ran past the figure's right edge. The room is then the axes' share of the
    figure (the grid columns they span, by the grid's width ratios, times their share of that
    cell where a grid nests in it, as beside a colour bar) less the widest y tick label and a
    margin, measured in matplotlib's font before any layout.
    """
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import text_to_path

    fig = ax.figure
    spec = ax.get_subplotspec() if hasattr(ax, "get_subplotspec") else None
    moves = getattr(fig, "get_layout_engine", lambda: None)() is not None or type(fig).__name__ == "RoomyFigure"
    fig_pt = fig.bbox.width / fig.dpi * 72.0
    if spec is None or not moves:
        # the axes stay where they are (their labels outside them): their own width
        return fig_pt * ax.get_position().width
    top = spec.get_topmost_subplotspec()
    grid = top.get_gridspec()
    ratios = np.asarray(grid.get_width_ratios() or [1.0] * grid.ncols, dtype=float)
    share = spec.get_position(fig).width / top.get_position(fig).width
    cell_pt = fig_pt * ratios[top.colspan].sum() / ratios.sum() * share
    labels = ax.get_yticklabels()
    prop = FontProperties(size=labels[0].get_fontsize() if labels else 10)
    widest = max(
        (
            text_to_path.get_text_width_height_descent(line, prop, ismath=False)[0]
            for label in labels
            for line in label.get_text().split("\n")
            if line
        ),
        default=0.0,
    )
    return max(cell_pt - widest - 12.0, 0.3 * cell_pt)


def set_fitted_title(ax, text, fontsize=9):
    """``ax.set_title(text)`` wrapped to :func:`axes_room_pt` (a text that fits stays whole)."""
    return ax.set_title(wrap_to(text, axes_room_pt(ax), fontsize), fontsize=fontsize)


def fitted_xlabel(ax, text):
    """``text`` wrapped to :func:`axes_room_pt` at the x label's font size."""
    from matplotlib import rcParams
    from matplotlib.font_manager import FontProperties

    size = FontProperties(size=rcParams["axes.labelsize"]).get_size_in_points()
    room = axes_room_pt(ax)
    return "\n".join(wrap_to(line, room, size) for line in text.split("\n"))


def require_samples(exp, caller, takes_index=False, axis="sample"):
    """Refuse an explanation whose sample axis an integer index dropped (``exp[i]``): its image
    ``(C, H, W)`` was read as C images, a CAM map's rows as samples (a table of 12 "samples"),
    one document's tokens as several documents. ``takes_index``: the display draws one sample
    of many (``index=i``); ``axis`` names the samples ("document")."""
    has_samples = getattr(exp, "_has_samples", None)
    if has_samples is not None and not has_samples():
        raise ValueError(
            f"{caller} needs an explanation with a {axis} axis; exp[i] drops it: pass exp[i:i + 1]"
            + (", or the whole explanation with index=i." if takes_index else ".")
        )


def _names_output(name, output):
    if isinstance(output, str) and not isinstance(name, str):
        return str(name) == output
    return isinstance(name, str) == isinstance(output, str) and bool(name == output)


def _select_output(exp, output):
    """Values ``(n, ...)`` and base values ``(n,)`` of the output ``output`` (name or index)."""
    values = getattr(exp, "values", None)
    if isinstance(values, np.ndarray) and values.dtype == object:
        # one array per document: numpy's "setting an array element with a sequence" said nothing
        raise ValueError(
            "This explanation holds one array of values per document (text); draw it with "
            "TextHighlightDisplay (or the bar of the text report)."
        )
    if output is None:
        return np.asarray(exp.target_values, dtype=np.float64), exp.target_base_values, None
    if exp.output_axis is None:
        raise ValueError("This explanation has a single output; leave output=None.")
    values = np.asarray(exp.values, dtype=np.float64)
    names = exp.output_names
    idx = None
    numeric_names = False
    if names is not None:
        # read as ``target`` reads it (skxai._targets): a label equal to it, the text of a
        # number naming it ("7" for the class 7), and for labels that are not numbers an integer
        # is a position. Matching texts ("2" for output=2) drew the class '2' where target=2
        # and exp[..., 2] explain the third class of ['10', '2', '3'].
        matches = [k for k, name in enumerate(names) if _names_output(name, output)]
        if len(matches) > 1:
            raise ValueError(f"output={output!r} names the outputs at positions {matches}; pick one by position.")
        idx = matches[0] if matches else None
        numeric_names = any(isinstance(name, numbers.Number) and not isinstance(name, bool) for name in names)
    position = isinstance(output, numbers.Integral) and not isinstance(output, bool)
    if idx is None and position and not numeric_names and 0 <= output < values.shape[-1]:
        idx = int(output)
    if idx is None:
        known = list(names) if names is not None else list(range(values.shape[-1]))
        known = [k.item() if isinstance(k, np.generic) else k for k in known]
        why = " (labels that are numbers are read as labels, not positions)" if position and numeric_names else ""
        raise ValueError(f"output={output!r} is not an output of this explanation{why}; outputs: {known}.")
    base = exp.base_values
    if base is not None:
        base = np.asarray(base, dtype=np.float64)
        base = base[..., idx] if base.ndim == 2 else base
    return np.moveaxis(values, exp.output_axis, -1)[..., idx], base, idx


def unpicked_outputs(exp):
    """True for values of several outputs, none of them the explained one: tabular ``(n, p, k)``
    or images ``(n, *image, k)``, or one sample's ``(p, k)`` (``exp[0]``), from a multi-output
    model explained with ``target=None``."""
    values = exp.values
    return (
        getattr(exp, "target_index", None) is None
        and not exp.__dict__.get("_target_dropped")  # exp[..., kept]: the explained output cut away
        and exp.output_axis is not None
        and isinstance(values, np.ndarray)
        and values.ndim >= (3 if exp._has_samples() else 2)
        and values.shape[-1] > 1
    )


def outputs_in_turn(exp, most):
    """The outputs of an explanation of several (:func:`unpicked_outputs`) drawn one after the
    other: their count ``k``, ``(index, name)`` of the first ``most``, and how the text says so
    ("each is" or "the first 4 are")."""
    k = np.shape(exp.values)[-1]
    names = exp.output_names
    shown = [(j, names[j] if names is not None and len(names) == k else j) for j in range(min(k, most))]
    return k, shown, "each is" if len(shown) == k else f"the first {len(shown)} are"


def is_anchor_explanation(exp):
    """An anchor explanation: its ``values`` only mark the features (words) its rules use."""
    extras = getattr(exp, "extras", None) or {}
    return "anchor" in extras and "precision" in extras


def tabular_parts(exp, output=None, caller="This display", anchors_ok=False):
    """Read a tabular explanation.

    An anchor explanation is refused unless ``anchors_ok``: its values are no attributions (a
    beeswarm of them was labelled "impact on the output").

    Returns
    -------
    values : ndarray (n, d)
    base : ndarray (n,) or None
    data : ndarray (n, d) of float (NaN where a cell is not numeric) or None
    raw : ndarray (n, d) of objects or None (the cells as given, for labels)
    names : list of str
    kinds : list of ColumnKind or None (what each column holds, by its dtype in a frame)
    """
    require_samples(exp, caller)
    if not anchors_ok and is_anchor_explanation(exp):
        raise ValueError(
            f"{caller} draws attributions; the values of an anchor explanation only mark the features "
            "its rule uses (1), they are not attributions. Draw BarDisplay (the share of the samples "
            "whose anchor uses each feature) or read the rules (explanation.anchor, .precision, "
            ".coverage)."
        )
    values, base, _ = _select_output(exp, output)
    if values.ndim != 2:
        raise ValueError(
            f"{caller} needs tabular attributions of shape (n_samples, n_features) for one "
            f"output; this explanation has values of shape {values.shape} after selecting the "
            "output (use the image or text displays for such explanations)."
        )
    if 0 in values.shape:
        # a filter that kept nothing drew NaN bars (numpy's "Mean of empty slice"), or failed
        # on max() of an empty sequence
        axis = "samples" if values.shape[0] == 0 else "features"
        raise ValueError(f"{caller} has nothing to draw: this explanation holds 0 {axis} (an index that kept none).")
    if not np.isfinite(np.asarray(values, dtype=np.float64)).all():
        # a NaN bar is drawn as no bar (a feature shown as unimportant), a NaN step stops a
        # waterfall with an OverflowError: say what is wrong instead
        raise ValueError(f"{caller} needs finite attributions; this explanation's values contain NaN or infinity.")
    n, d = values.shape
    names = exp.feature_names
    names = [f"x{j}" for j in range(d)] if names is None else [str(v) for v in names]
    if len(names) != d:
        names = [f"x{j}" for j in range(d)]
    base = None if base is None else np.broadcast_to(np.asarray(base, dtype=np.float64), (n,))
    data, raw, kinds = None, None, None
    if exp.data is not None:
        raw = exp.data.to_numpy(dtype=object) if hasattr(exp.data, "iloc") else np.asarray(exp.data)
        if raw.ndim == 2 and raw.shape == (n, d):
            kinds = column_kinds(exp.data, raw)
            data = numeric_cells(raw, kinds)
        else:
            raw = None
    return values, base, data, raw, names, kinds


def numeric_cells(raw, kinds=None):
    """Float copy of a table, NaN where a cell holds no value; a column of categories or text
    holds their codes (categories in their declared order, text sorted), dates and durations
    their numbers (:func:`skxai.plot._columns.coded`)."""
    raw = np.asarray(raw)
    if kinds is None:
        kinds = column_kinds(None, raw)
    out = np.full(raw.shape, np.nan)
    for j, kind in enumerate(kinds):
        out[:, j] = coded(raw[:, j], kind)[0]
    return out


def explain(explainer, X, caller):
    """Explanation of ``X`` by an explainer or a fitted Pipeline ending in one (its steps applied first)."""
    from skxai._explain import final_explainer, named_by_the_steps

    given = explainer
    try:
        explainer, X = final_explainer(explainer, X)
    except TypeError:
        raise TypeError(
            f"{caller}.from_explainer needs a skxai explainer, or a fitted Pipeline ending in one; got "
            f"{type(explainer).__name__}."
        ) from None
    # a pipeline's features under the names its steps give them, as skxai.explain shows them
    exp = named_by_the_steps(explainer.explain(X), given, explainer)
    if "quantity" not in exp.extras:
        # Older explainers do not record it: name it from the explainer, for the labels.
        quantity = explained_quantity(exp, explainer)
        if quantity:
            exp.extras["quantity"] = quantity
    return exp


def explain_row(explainer, X, index, caller):
    """Explanation of row ``index`` of ``X`` (a frame keeps its columns), as from :func:`explain`."""
    X_row = X.iloc[[index]] if hasattr(X, "iloc") else np.asarray(X)[[index]]
    return explain(explainer, X_row, caller)


def _is_landmark(x):
    """Whether ``x`` is a whole number or a half (0, 0.5, 1, 1.5, ...)."""
    return float(2.0 * x).is_integer()


def unrounded_landmark(v, text):
    """``text`` (a rounding of ``v``), with decimals added while it reads as a whole number or a
    half that ``v`` is not.

    The rule of every number skxai prints: a rounded value never lands on a whole number or a
    half (0, 0.5, 1, 2.5, ...) unless the value is that number up to a floating-point residue
    (``1e-9`` relative). Those are the values a reader compares a number with (a probability
    beside the 0.5 threshold, a certainty of 1, a count), so a probability of 0.49999 prints
    "0.49999", not "0.5", and 0.99996 prints "0.99996", not "1"; any other rounding keeps the
    digits given. Thousands separators in ``text`` are kept.

    Examples
    --------
    >>> unrounded_landmark(0.49999, "0.5"), unrounded_landmark(0.5, "0.5"), unrounded_landmark(0.4321, "0.432")
    ('0.49999', '0.5', '0.432')
    """
    v = float(v)
    try:
        shown = float(text.replace(",", ""))
    except ValueError:
        return text
    if not (np.isfinite(v) and _is_landmark(shown)):
        return text
    if abs(shown - v) <= 1e-9 * max(abs(v), 1.0):
        return text  # the value is that landmark, up to a residue of rounding
    comma = "," if "," in text else ""
    for decimals in range(1, 18):
        text = f"{v:{comma}.{decimals}f}".rstrip("0").rstrip(".")
        if not _is_landmark(float(text.replace(",", ""))):
            break
    return text


def format_value(v, scale=None):
    """Short, human number for labels: no exponents; values that are zero up to rounding print 0.

    ``scale`` is the size of the numbers shown alongside (e.g. the largest attribution): a value
    below ``1e-9`` of it, such as a floating-point residue ``1.11e-16``, prints as ``0``. A value
    near a whole number or a half but not one keeps the digits that tell them apart (0.99998,
    not 1; 0.49999, not 0.5; 123,456.7, not 123,457); see :func:`unrounded_landmark`. Whole
    numbers and halves print as such.
    """
    v = float(v)
    if not np.isfinite(v):
        return str(v)
    a = abs(v)
    # relative to the scale given, with no absolute floor (a floor of 1e-12 printed every
    # value of an explanation in units of 1e-13 as "0"); a number alone is read on the unit scale
    tiny = 1e-9 * (abs(float(scale)) if scale else 1.0)
    if a <= tiny:
        return "0"
    if a >= 1e-3:
        if a >= 1e4:
            text = f"{v:,.0f}"
        elif a >= 100:
            text = f"{v:.1f}"
        else:
            text = f"{v:.3g}"  # three significant digits; never an exponent between 1e-3 and 100
        # near a whole number or a half but not one (beyond rounding residues): a probability of
        # 0.99998 printed "1", as if the model were sure, and 0.49999 "0.5", on the threshold
        return unrounded_landmark(v, text)
    # Small but not a residue (4e-08 next to values of the same size): fixed point with enough
    # decimals for three significant digits as above 1e-3, "0.0000000400" -> "0.00000004", not
    # "4e-08" (two digits printed an output of 1.0164e-07 "0.0000001" beside its 0.000000102)
    decimals = 2 - int(np.floor(np.log10(a)))
    return f"{v:.{decimals}f}".rstrip("0").rstrip(".")


def plain_ticks(ax, axis="x"):
    """Tick labels of ``axis`` in plain numbers: no exponent or offset text ("1e-8") beside the axis.

    Plain labels of tiny or huge numbers are long ("0.00000002"): on the x axis, the ticks are
    thinned until their labels fit side by side (short ones too: nine labels "0.000" to "0.200"
    on an axis shortened by a long feature name stood almost touching).
    """
    try:
        ax.ticklabel_format(axis=axis, style="plain", useOffset=False)
    except AttributeError:  # a user's axes with another formatter (log scale): theirs to keep
        return
    target = ax.xaxis if axis == "x" else ax.yaxis
    if type(target.get_major_formatter()).__name__ == "ScalarFormatter":
        target.set_major_formatter(_grouped_formatter())
    if axis == "x" and type(ax.xaxis.get_major_locator()).__name__ == "AutoLocator":
        ax.xaxis.set_major_locator(_fitting_locator())


def _grouped_formatter():
    """Plain tick labels with thousands grouped from 10,000 on, as :func:`format_value` writes
    the numbers beside them (ticks read "390000" next to "f(x) = 443,475.6").

    Its own decimals, not ScalarFormatter's: that one writes any tick under 1e-8 as 0 (an axis of
    values near 1e-9 read "0.0000000000" at every tick), and matplotlib 3.11 deprecates the
    attributes a subclass would read.
    """
    import matplotlib
    from matplotlib.ticker import Formatter

    class GroupedFormatter(Formatter):
        decimals = None
        tolerance = 0.0

        def set_locs(self, locs):
            values = sorted({float(v) for v in locs if np.isfinite(v)})
            gaps = [b - a for a, b in zip(values, values[1:], strict=False) if b > a]
            # ticks are round multiples of their step (0.25, 5e-10, 2,000; 0.2 apart at 1.6e9):
            # a ten-thousandth of it tells them apart, and a tick closer to 0 is a rounding residue
            step = min(gaps) if gaps else max((abs(v) for v in values), default=0.0) or 1.0
            self.tolerance = 1e-4 * step
            self.decimals = None
            for decimals in range(0, 31):
                if all(abs(round(v, decimals) - v) <= self.tolerance for v in values):
                    self.decimals = decimals
                    break

        def __call__(self, x, pos=None):
            x = float(x)
            if getattr(self, "decimals", None) is None:
                return format_value(x)
            text = f"{0.0 if abs(x) < self.tolerance else x:.{self.decimals}f}"
            if abs(x) >= 1e4:
                # the integer digits grouped, whatever the decimals (123,455.8 beside 123,456.0)
                text = re.sub(r"\d+", lambda m: f"{int(m[0]):,}", text, count=1)
            if text.startswith("-") and matplotlib.rcParams["axes.unicode_minus"]:
                text = "\N{MINUS SIGN}" + text[1:]
            return text

    return GroupedFormatter()


def _fitting_locator():
    """matplotlib's automatic ticks, fewer where their plain labels would run into each other."""
    from matplotlib.ticker import MaxNLocator

    class FittingLocator(MaxNLocator):
        def __init__(self):
            super().__init__(nbins="auto", steps=[1, 2, 2.5, 5, 10])

        def tick_values(self, vmin, vmax):
            locs = super().tick_values(vmin, vmax)
            axis = self.axis
            if axis is None or axis.axes is None:
                return locs
            lo, hi = sorted((vmin, vmax))
            for nbins in range(len(locs), 0, -1):
                shown = locs[(locs >= lo) & (locs <= hi)]
                fmt = _grouped_formatter()
                fmt.set_axis(axis)
                longest = max((len(t) for t in fmt.format_ticks(shown)), default=0)
                ends = axis.axes.transAxes.transform([[0, 0], [1, 0]])
                length = abs(ends[1][0] - ends[0][0]) / axis.axes.figure.dpi * 72  # points
                size = axis._get_tick_label_size("x")
                width = (longest + 1.5) * 0.64 * size
                # the labels share the axis, and neighbours stand a step apart, which is less than
                # length / (n - 1) where the ticks do not span the view (three 12-character labels
                # at -5e-9, 0, 5e-9 on a view of +-6e-9 ran into each other)
                step = float(np.diff(shown).min()) if len(shown) > 1 else hi - lo
                spacing = length * step / (hi - lo) if hi > lo else length
                if len(shown) * width <= length and spacing >= width:
                    return locs
                if nbins == 1 or len(shown) <= 2:
                    # matplotlib keeps two ticks in view, whose labels may still not fit: every
                    # k-th of them, the first kept (the view's extent, not a lone "0.00000000")
                    k = max(1, int(np.ceil(width / max(spacing, 1e-12))))
                    return shown[::k] if len(shown) > 1 else locs
                locs = MaxNLocator(nbins=nbins, steps=[1, 2, 2.5, 5, 10]).tick_values(vmin, vmax)
            return locs

    return FittingLocator()


# Names of the explained quantity, by the model method (or torch response) that produced it.
_QUANTITY_BY_METHOD = {
    "predict_proba": "probability",
    "proba": "probability",
    "decision_function": "decision function",
    "logits": "logit",
    "predict": "prediction",
    "__call__": "output",
}


def explained_quantity(exp, explainer=None):
    """Name of the model output that ``exp`` explains: "probability", "logit", "log-odds" ...

    Read from ``exp.quantity`` when the explainer records it, else inferred from the explainer's
    response; None when unknown.
    """
    quantity = getattr(exp, "extras", {}).get("quantity") if exp is not None else None
    if quantity:
        return str(quantity)
    if explainer is None:
        return None
    response = getattr(explainer, "output_", None)
    model = getattr(explainer, "model_", None)
    for source in (getattr(model, "response", None), getattr(response, "method", None)):
        if source in _QUANTITY_BY_METHOD:
            return _QUANTITY_BY_METHOD[source]
    kind = getattr(explainer, "_kind", None)  # TreeSHAP: boosted classifiers' raw score
    if kind == "margin":
        if getattr(explainer, "response_method", None) == "predict_proba":
            return "probability"
        classes = getattr(getattr(explainer, "tree_model_", None), "classes_", ())
        return "log-odds" if len(classes) <= 2 else "logit"
    if kind in ("proba",):
        return "probability"
    if kind in ("regression", "hgb_regression"):
        return "prediction"
    return None


def is_surrogate(exp):
    """Whether ``exp`` holds a local surrogate's weights: LIME for tables records the model's own
    outputs apart from the surrogate's (``model_outputs``), LIME for text the surrogate's own
    prediction (``local_pred``)."""
    extras = getattr(exp, "extras", {})
    return "model_outputs" in extras or "local_pred" in extras


def _is_number(name):
    """Whether an output's name is a number (a class ``7`` of digits, an output index) rather than
    a word: numbers are named as classes or outputs, words as themselves."""
    return isinstance(name, numbers.Number | np.number) and not isinstance(name, bool | np.bool_)


def _of(quantity, name):
    """``quantity`` of the output ``name``: "probability of setosa", "probability of class 7" (a
    number alone, "probability of 7", read as a value), "output 1" for an output of a plain module
    (which has no classes) and "prediction of output 2" for a regressor's output."""
    if not _is_number(name):
        return f"{quantity} of {name!s}"
    if quantity == "output":
        return f"output {name!s}"
    if quantity == "prediction":
        return f"{quantity} of output {name!s}"
    return f"{quantity} of class {name!s}"


#: Quantities that belong to a class of a classifier (a regressor's "prediction" names none).
_CLASS_QUANTITIES = frozenset({"log-odds", "logit", "probability", "log-probability", "decision function"})


def _is_class_label(explainer, name):
    """Whether ``name`` is one of the classes of the model ``explainer`` explains (an outlier
    detector's one decision function is named by its position 0, no class)."""
    from skxai._estimators import unwrap_frozen

    if explainer is None:
        return False
    model = getattr(explainer, "estimator_", None)
    model = unwrap_frozen(model if model is not None else getattr(explainer, "estimator", None))
    classes = getattr(model, "classes_", None)
    if classes is None:
        return False
    try:
        return bool(np.any(np.asarray(classes, dtype=object) == name))
    except (TypeError, ValueError):
        return False


def output_label(exp, explainer=None, index=None, output=None):
    """Which output, by name, and which quantity: "probability of 'malignant'"; "" when unknown.

    ``index`` picks a sample when the explained output varies per sample. ``output`` is the
    output a display was asked for (a name or an index), named as the class it picks.
    """
    quantity = explained_quantity(exp, explainer) or "output"
    names = getattr(exp, "output_names", None)
    if names is not None and np.ndim(names) == 0:
        # one output picked by its name or position (exp[..., "setosa"]): the name is a scalar;
        # a regressor's outputs are unnamed positions, a classifier's integers are its classes
        name = names.item() if hasattr(names, "item") else names
        return _of(quantity, name)
    if output is not None:
        try:
            _, _, idx = _select_output(exp, output)
        except (ValueError, TypeError, AttributeError):
            idx = None
        # the class's name, not the index the user typed: output=2 is "virginica"
        name = names[idx] if idx is not None and names is not None and idx < len(names) else output
        return _of(quantity, name)
    target = getattr(exp, "target_index", None)
    if isinstance(target, str) and target == "predicted" and getattr(exp, "outputs", None) is not None:
        # each sample's predicted class is known from the outputs: name it, not "the predicted class"
        try:
            target = exp._target_positions()
        except (ValueError, TypeError, IndexError):
            pass
    extras = getattr(exp, "extras", {})
    if target is None and extras.get("target") is not None:
        target = extras["target"]  # text explainers record the explained output per document
    if target is not None and not isinstance(target, int | np.integer | str):
        per_sample = np.ravel(target)
        if index is not None and len(per_sample) > index:
            target = int(per_sample[index])
        elif len(np.unique(per_sample)) == 1:
            target = int(per_sample[0])
        else:
            shown = [
                str(names[int(t)]) if names is not None and 0 <= int(t) < len(names) else str(t)
                for t in np.unique(per_sample)
            ]
            # every class, or the first six and how many more: a list cut at six read as complete
            listed = ", ".join(shown[:6]) + (f" and {len(shown) - 6} more" if len(shown) > 6 else "")
            if quantity == "output":  # a plain module's outputs are no classes
                return f"each sample's own output ({listed})"
            return f"{quantity} of each sample's own class ({listed})"
    if isinstance(target, str):
        return f"{quantity} of the predicted class"
    if names is not None and len(names) == 1 and isinstance(names[0], int | np.integer):
        if quantity in _CLASS_QUANTITIES and _is_class_label(explainer, names[0]):
            # a binary classifier's one score belongs to a class, integer labels too ({3, 7}: the
            # captions said "log-odds" without saying of which class)
            return _of(quantity, names[0])
        return quantity  # one unlabeled output (a regressor): nothing to name
    if names is not None and target is not None and 0 <= int(target) < len(names):
        return _of(quantity, names[int(target)])
    if names is not None and len(names) == 1:
        return _of(quantity, names[0])
    return quantity


def fig_to_png_bytes(fig, dpi=100, tight=True):
    """PNG bytes of a figure (through the Agg canvas, no pyplot state involved)."""
    import io

    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight" if tight else None)
    return buf.getvalue()


def other_features(n):
    """``"1 other feature"``, ``"N other features"``: the remainder's label in bars, beeswarms and
    waterfalls (it read "1 other features")."""
    return f"{n} other feature" + ("" if n == 1 else "s")
