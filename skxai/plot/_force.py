"""Force-style strip: features pushing one prediction up (red) and down (blue) from the base value."""

from __future__ import annotations

import numpy as np

from skxai.plot._base import (
    NEGATIVE,
    POSITIVE,
    explain_row,
    format_value,
    literal_text,
    new_axes,
    plain_ticks,
    spread,
    wrap_label,
)
from skxai.plot._waterfall import as_batch, row_context, row_parts, short_title

#: A label's own white ground, so that a line drawn across it does not run through its letters.
_ON_WHITE = {"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none"}


#: Blocks of a sign drawn one by one; the smaller rest is one block (see ForceDisplay.plot).
_MOST_BLOCKS = 200


class ForceDisplay:
    """One sample's attributions as arrows on a single axis of model output.

    Positive attributions are red blocks that end at the prediction from the left, negative
    ones blue blocks that start at the prediction and reach to the right, so the red span
    minus the blue span is the distance from the base value to the prediction.

    Parameters
    ----------
    attributions : ndarray of shape (n_features,)
    base_value : float
    labels : list of str
    method : str, optional
    quantity : str, optional
        What is explained, e.g. "probability of malignant".
    surrogate : bool, default=False
        The attributions are a surrogate's (LIME): its prediction is labelled g(x).
    model_output : float, optional
        The model's own output, marked when it differs from where the strip ends.

    Attributes
    ----------
    prediction_ : float
        ``base_value + sum(attributions)``.
    pos_patches_, neg_patches_ : list of matplotlib Polygon
        Blocks of the positive (largest first, nearest the prediction) and negative
        attributions; past the largest 200 of a sign, the rest are one block at the far end.
    pos_features_, neg_features_ : list of int
        Feature index of each block drawn alone.
    ax_, figure_

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from skxai import Explanation
    >>> from skxai.plot import ForceDisplay
    >>> exp = Explanation(np.array([[2.0, -0.5, 1.0]]), base_values=np.array([10.0]))
    >>> disp = ForceDisplay.from_explanation(exp)
    >>> float(disp.prediction_), len(disp.pos_patches_), len(disp.neg_patches_)
    (12.5, 2, 1)
    """

    def __init__(
        self, attributions, base_value, labels, *, method=None, quantity=None, surrogate=False, model_output=None
    ):
        self.attributions = np.asarray(attributions, dtype=np.float64)
        self.base_value = float(base_value)
        self.labels = list(labels)
        self.method = method
        self.quantity = quantity
        self.surrogate = surrogate
        self.model_output = model_output

    @classmethod
    def from_explanation(cls, explanation, *, index=0, output=None, ax=None, min_label=0.05):
        """Draw the strip of sample ``index``.

        Parameters
        ----------
        explanation : Explanation
            Of several samples, or of one (``exp[i]``, as the waterfall takes it).
        index : int, default=0
        output : str or int, optional
            Output to show: a class label or output name, or a position when the labels are not
            numbers (as ``target`` reads it); default the explanation's target.
        ax : matplotlib Axes, optional
        min_label : float, default=0.05
            Blocks narrower than this share of the total width get no label.

        Returns
        -------
        ForceDisplay
        """
        explanation = as_batch(explanation)
        phi, base, model_out, labels = row_parts(explanation, index, output, "ForceDisplay")
        quantity, surrogate, _ = row_context(explanation, index, output)
        disp = cls(
            phi,
            base,
            labels,
            method=explanation.method_title,
            quantity=quantity,
            surrogate=surrogate,
            model_output=model_out,
        )
        return disp.plot(ax=ax, min_label=min_label)

    @classmethod
    def from_explainer(cls, explainer, X, *, index=0, output=None, ax=None, min_label=0.05):
        """Explain row ``index`` of ``X`` and draw its strip.

        Returns
        -------
        ForceDisplay
        """
        exp = explain_row(explainer, X, index, "ForceDisplay")
        return cls.from_explanation(exp, index=0, output=output, ax=ax, min_label=min_label)

    def plot(self, ax=None, *, min_label=0.05):
        """Draw the strip.

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Axes to draw on; a new figure when None.
        min_label : float, default=0.05
            Blocks narrower than this share of the total width get no label.

        Returns
        -------
        self
        """
        from matplotlib.patches import Polygon

        fig, ax = new_axes(ax, "ForceDisplay", figsize=(9, 2.2))
        phi = self.attributions
        self.prediction_ = self.base_value + float(phi.sum())
        pos = np.flatnonzero(phi > 0)
        neg = np.flatnonzero(phi < 0)
        pos = pos[np.argsort(-phi[pos], kind="stable")]
        neg = neg[np.argsort(phi[neg], kind="stable")]
        total = float(np.abs(phi).sum()) or 1.0
        tip = 0.015 * total
        self.pos_patches_, self.neg_patches_ = [], []
        blocks = []  # (start, end, label, colour, feature) of the blocks wide enough to be named
        # Positive blocks are laid right to left from the prediction, so the largest sits next to it.
        # One polygon a feature cost 10 KiB and 0.5 ms: 100,000 features took 52 s and 1.1 GB (a
        # report drew three such strips). The smallest beyond _MOST_BLOCKS of a sign, each too
        # narrow to see or name, are drawn as one block.
        right = self.prediction_
        for j in pos[:_MOST_BLOCKS]:
            left = right - phi[j]
            poly = Polygon(_chevron(left, right, tip, +1), closed=True, fc=POSITIVE, **_edge(phi[j], tip))
            ax.add_patch(poly)
            self.pos_patches_.append(poly)
            if phi[j] >= min_label * total:
                blocks.append((left, right, self.labels[j], POSITIVE, int(j)))
            right = left
        if len(pos) > _MOST_BLOCKS:
            rest = Polygon(_chevron(right - phi[pos[_MOST_BLOCKS:]].sum(), right, tip, +1), closed=True, fc=POSITIVE)
            self.pos_patches_.append(ax.add_patch(rest))
        left = self.prediction_
        for j in neg[:_MOST_BLOCKS]:
            right_ = left - phi[j]
            poly = Polygon(_chevron(left, right_, tip, -1), closed=True, fc=NEGATIVE, **_edge(-phi[j], tip))
            ax.add_patch(poly)
            self.neg_patches_.append(poly)
            if -phi[j] >= min_label * total:
                blocks.append((left, right_, self.labels[j], NEGATIVE, int(j)))
            left = right_
        if len(neg) > _MOST_BLOCKS:
            rest = Polygon(_chevron(left, left - phi[neg[_MOST_BLOCKS:]].sum(), tip, -1), closed=True, fc=NEGATIVE)
            self.neg_patches_.append(ax.add_patch(rest))
        self.pos_features_ = [int(j) for j in pos[:_MOST_BLOCKS]]
        self.neg_features_ = [int(j) for j in neg[:_MOST_BLOCKS]]
        lo = self.prediction_ - phi[pos].sum() if len(pos) else self.prediction_
        hi = self.prediction_ - phi[neg].sum() if len(neg) else self.prediction_
        lo, hi = min(lo, self.base_value), max(hi, self.base_value)
        if self.model_output is not None:
            lo, hi = min(lo, self.model_output), max(hi, self.model_output)
        pad = 0.05 * spread(hi - lo, lo, hi)
        ax.set_xlim(lo - pad, hi + pad)
        self.label_rows_ = _place_labels(ax, blocks, lo - pad, hi + pad)
        n_rows = max(self.label_rows_.values(), default=0) + 1
        scale = max(np.abs(phi).max(initial=0.0), abs(self.base_value))
        base_name, end_name = ("surrogate intercept", "g(x)") if self.surrogate else ("base value", "f(x)")
        ax.axvline(self.base_value, color="0.4", ls=":", lw=1)
        # Above the blocks, on rows so that none covers another or the blocks: the prediction
        # first, next to its blocks; the base value beside it or a row higher (it lies inside the
        # blocks when the attributions have mixed signs); the model's own output above them.
        above = [
            (
                self.prediction_,
                f"{end_name} = {format_value(self.prediction_, scale)}",
                {"fontsize": 10, "weight": "bold"},
                0,
            ),
            (
                self.base_value,
                f"{base_name} = {format_value(self.base_value, scale)}",
                {"fontsize": 8, "color": "0.3"},
                0,
            ),
        ]
        model_shown = self.model_output is not None and (
            self.surrogate or not np.isclose(self.model_output, self.prediction_)
        )
        if model_shown:
            above.append(
                (
                    self.model_output,
                    f"model f(x) = {format_value(self.model_output, scale)}",
                    {"fontsize": 8, "color": "green"},
                    1,
                )
            )
        bottom = -0.75 - 0.42 * n_rows
        ys, top = _place_above(ax, above, lo - pad, hi + pad, bottom)
        if model_shown:
            ax.plot([self.model_output] * 2, [-0.5, ys[-1]], color="green", lw=1)
        ax.set_ylim(bottom, top)
        ax.set_yticks([])
        for side in ("top", "right", "left"):
            ax.spines[side].set_visible(False)
        what = self.quantity or "model output"
        what = f"surrogate's {what}" if self.surrogate else what
        ax.set_xlabel(wrap_label(f"{what} (red pushes up, blue pushes down)", 90))
        plain_ticks(ax, "x")
        if self.method:
            ax.set_title(short_title(self.method, what, width=90), fontsize=9)
        self.ax_ = ax
        literal_text(ax)
        self.figure_ = fig
        return self


def _edge(width, tip):
    """The white edge that parts a block from the next, except on a block narrower than its
    arrow's tip: drawn as a bar (:func:`_chevron`), without the edge that would cover it, so that
    a run of small attributions reads as a strip, not as blank space between the base value and
    the first visible arrow."""
    return {"ec": "white", "lw": 1} if width >= tip else {"ec": "none", "lw": 0}


def _chevron(a, b, tip, direction):
    """Corners of an arrow-shaped block spanning [a, b] pointing right (+1) or left (-1); a
    plain bar when the block is narrower than ``tip`` (its arrow had no area: the notch took it
    all)."""
    h = 0.4
    tip = tip if abs(b - a) >= tip else 0.0
    if direction > 0:
        return [(a, -h), (b - tip, -h), (b, 0), (b - tip, h), (a, h), (a + tip, 0)]
    return [(b, -h), (a + tip, -h), (a, 0), (a + tip, h), (b, h), (b - tip, 0)]


def _place_labels(ax, blocks, lo, hi, max_rows=3, cap=0.2):
    """Horizontal labels under the blocks, on as many rows as needed so none overlaps another.

    A label is centred on its block and is no wider than the block, or than ``cap`` of the
    strip for a narrow block: a longer name is cut with an ellipsis, its value kept (an
    80-character name ran under the neighbouring blocks). Widths are measured with the
    figure's renderer (an estimate from the number of characters let wide glyphs overlap). A
    label that does not fit on ``max_rows`` rows is left out (its block stays). Each text gets
    the gid ``"force-label-<feature>"``. Returns ``{label: row}`` of the labels drawn.
    """
    renderer = ax.figure._get_renderer()  # also for a Figure without a pyplot canvas (the report)
    per_px = (hi - lo) / max(ax.get_window_extent(renderer).width, 1e-6)
    gap = 4 * per_px  # a little white between labels on the same row
    shared = _shared_ends([label.rpartition(" = ")[0] or label for _, _, label, _, _ in blocks])
    ends, placed = [], {}
    for a, b, label, colour, j in sorted(blocks, key=lambda blk: (blk[0] + blk[1]) / 2):
        # on white: the base value's dotted line ran through the label it met ("sex = 1")
        at = (a + b) / 2
        style = {"ha": "center", "va": "top", "fontsize": 7, "color": colour, "bbox": _ON_WHITE}
        text = ax.text(at, 0, label, gid=f"force-label-{j}", **style)
        text.set_parse_math(False)
        room = max(abs(b - a), cap * (hi - lo))
        width = _fit_label(text, label, room, renderer, per_px, shared)
        if width is None:
            text.remove()
            continue
        half = width / 2
        centre = min(max((a + b) / 2, lo + half), hi - half)
        for row in range(max_rows):
            if row == len(ends):
                ends.append(-np.inf)
            if centre - half > ends[row]:
                ends[row] = centre + half + gap
                placed[text.get_text()] = row
                text.set_position((centre, -0.55 - 0.42 * row))
                break
        else:
            text.remove()
    return placed


_SEPARATORS = "_- .:/"


def _shared_ends(names):
    """Characters ``(start, end)`` that every one of ``names`` shares at its start and its end,
    taken back to a separator (``_``, ``-``, space ...) so that no name loses part of the word
    that tells it from the others, and leaving every name some characters of its own."""
    import os

    # the names as _fit_label cuts them: without a right-to-left name's isolate marks
    names = [str(n).strip("\u2068\u2069") for n in names]
    if len(set(names)) < 2:
        return 0, 0
    start = os.path.commonprefix(names)
    start = max(start.rfind(c) for c in _SEPARATORS) + 1
    end = os.path.commonprefix([n[::-1] for n in names])
    end = max(end.rfind(c) for c in _SEPARATORS) + 1
    shortest = min(len(n) for n in names)
    if start + end >= shortest:
        end = 0
    if start >= shortest:
        start = 0
    return start, end


def _fit_label(text, label, room, renderer, per_px, shared=(0, 0)):
    """Shorten ``text`` (showing ``label``) until it is at most ``room`` wide; its width, or None.

    What all the shown names share at their start and end (``shared``, from
    :func:`_shared_ends`) goes first, then the middle of what is left, each with an ellipsis: a
    name cut in its middle alone lost the part that told it from the others ("sensor_re…_celsius"
    for five stations). The " = value" part is kept whole. None when even one character of the
    name does not fit.
    """

    def width():
        return text.get_window_extent(renderer).width * per_px

    w = width()
    if w <= room:
        return w
    name, sep, value = label.rpartition(" = ")
    if not sep:
        name, value = label, ""
    opens, closes = "", ""
    if name.startswith("\u2068") and name.endswith("\u2069"):  # bidi isolate marks of a RTL name
        opens, closes, name = "\u2068", "\u2069", name[1:-1]

    start, end = shared
    before, after = ("\u2026" if start else ""), ("\u2026" if end else "")
    own = name[start : len(name) - end] if start + end < len(name) else name
    if own is not name:
        text.set_text(opens + before + own + after + closes + sep + value)
        w = width()
        if w <= room:
            return w
        name = own

    def cut(k):
        # the start and the end of the name, the middle left out
        tail = k // 2
        middle = name[: k - tail].rstrip() + "\u2026" + (name[len(name) - tail :].lstrip() if tail else "")
        return before + middle + after if own is name else middle

    lo_k, hi_k, best = 1, len(name) - 1, None
    while lo_k <= hi_k:  # the most characters that fit
        k = (lo_k + hi_k) // 2
        text.set_text(opens + cut(k) + closes + sep + value)
        if width() <= room:
            best, lo_k = k, k + 1
        else:
            hi_k = k - 1
    if best is None:
        return None
    text.set_text(opens + cut(best) + closes + sep + value)
    return width()


_ABOVE_Y = 0.5  # first row of labels above the blocks (which reach 0.4)


def _char_width(ax, lo, hi, fontsize, bold=False):
    """Estimated width of one character of ``fontsize`` pt text, in data units of the x axis."""
    width_in = ax.figure.get_figwidth() * ax.get_position().width
    return (hi - lo) * (fontsize * (0.62 if bold else 0.55) / 72) / max(width_in, 1e-6)


def _place_above(ax, items, lo, hi, bottom):
    """Centre each ``(x, text, style, first_row)`` above the blocks on the lowest free row from ``first_row``.

    A label is moved sideways, if need be, to stay inside ``[lo, hi]`` (so inside the figure),
    and gets a white box, so the dotted base-value line does not run through its digits. Rows
    are about 14 pt apart whatever the axes' size: the y limits (from ``bottom``) are chosen to
    hold them. Returns the y of each label and the top y limit.
    """
    taken, placed = [], []
    for x, text, style, first in items:
        half = 0.5 * _char_width(ax, lo, hi, style["fontsize"], style.get("weight") == "bold") * (len(text) + 1)
        x = min(max(x, lo + half), hi - half) if hi - lo > 2 * half else (lo + hi) / 2
        row = first
        while any(r == row and x - half < b and a < x + half for r, a, b in taken):
            row += 1
        taken.append((row, x - half, x + half))
        placed.append((x, text, style, row))
    n_rows = max(row for *_, row in placed) + 1
    # Rows of ~14 pt: the y span is chosen so that (span / axes height) * 14 pt per row fits,
    # the height taken at 70% of the axes' share of the figure (a tight layout shrinks it).
    height_pt = 0.7 * ax.figure.get_figheight() * ax.get_position().height * 72
    fixed = _ABOVE_Y + 0.1 - bottom
    span = fixed / max(1.0 - 14.0 * n_rows / max(height_pt, 1e-6), 0.25)
    step = max((span - fixed) / n_rows, 0.3)
    ys = []
    for x, text, style, row in placed:
        ys.append(_ABOVE_Y + step * row)
        ax.text(
            x,
            ys[-1],
            text,
            ha="center",
            va="bottom",
            bbox={"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none"},
            **style,
        )
    return ys, max(1.45, _ABOVE_Y + step * n_rows + 0.1)
