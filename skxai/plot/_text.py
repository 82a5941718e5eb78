"""Text highlighting: word weights as coloured spans and anchor words in bold (HTML and matplotlib)."""

from __future__ import annotations

import numpy as np

from skxai.plot._base import explain, is_right_to_left, literal_text, new_axes
from skxai.plot._html import parts_html, weight_colour
from skxai.plot._textparts import align_tokens, coverage_text, needs_space, text_parts
from skxai.plot._wordorder import _FAMILY, _reorder_right_to_left, _space_points


class TextHighlightDisplay:
    """One document with its explanation: coloured words (weights) and bold anchor words.

    Renders to HTML (:meth:`to_html`, shown inline in notebooks) and to matplotlib
    (:meth:`plot`).

    Parameters
    ----------
    parts : TextParts
        Tokens, weights, anchor, precision and coverage of one document (read from an
        explanation by :meth:`from_explanation`).

    Attributes
    ----------
    texts_ : list of matplotlib Text
        One artist per token, in order.
    anchor_texts_ : list of matplotlib Text
        Artists of the anchor's tokens (bold).
    ax_, figure_

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from skxai import Explanation
    >>> from skxai.plot import TextHighlightDisplay
    >>> exp = Explanation([np.array([0.8, 0.0, -0.3])], data=["a great film"],
    ...                   tokens=[["a", "great", "film"]], anchor=[["great"]],
    ...                   precision=[0.96], coverage=[0.2])
    >>> disp = TextHighlightDisplay.from_explanation(exp)
    >>> [t.get_text() for t in disp.anchor_texts_]
    ['great']
    """

    def __init__(self, parts):
        self.parts = parts

    @classmethod
    def from_explanation(cls, explanation, *, index=0, ax=None, width=80):
        """Draw document ``index`` of a text :class:`~skxai.Explanation`.

        Parameters
        ----------
        explanation : Explanation
        index : int, default=0
        ax : matplotlib Axes, optional
        width : int, default=80
            Characters per line.

        Returns
        -------
        TextHighlightDisplay
        """
        return cls(text_parts(explanation, index, "TextHighlightDisplay")).plot(ax=ax, width=width)

    @classmethod
    def from_explainer(cls, explainer, documents, *, index=0, ax=None, width=80):
        """Explain document ``index`` of ``documents`` and draw it.

        Returns
        -------
        TextHighlightDisplay
        """
        docs = [documents[index]] if not isinstance(documents, str) else [documents]
        exp = explain(explainer, docs, "TextHighlightDisplay")
        return cls.from_explanation(exp, index=0, ax=ax, width=width)

    def to_html(self):
        """Self-contained HTML of the highlighted document (inline style, no scripts).

        Returns
        -------
        str
            An HTML fragment.
        """
        return parts_html(self.parts)

    def _repr_html_(self):
        return self.to_html()

    def plot(self, ax=None, *, width=80, fontsize=11):
        """Lay the document out in lines, in a proportional font, each weighted word on a coloured box.

        The document's own punctuation and spacing are kept where the tokens are found in it.

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Axes to draw on; a new figure when None.
        width : int, default=80
            Characters per line.
        fontsize : float, default=11
            Font size in points.

        Returns
        -------
        self
        """
        from matplotlib.transforms import ScaledTranslation

        from skxai.plot._figure import _margins, _needs

        p = self.parts
        units = _units(p)
        n_chars = sum(len(u[0]) + u[2] for u in units)
        n_lines = max(1, int(np.ceil(n_chars / width)) + 1)
        own = ax is None
        fig, ax = new_axes(ax, "TextHighlightDisplay", figsize=(10, 0.3 * n_lines + 1.0))
        ax.set_axis_off()
        title = []
        if p.method:
            title.append(str(p.method))
        if p.label is not None:
            title.append(p.label)
        if p.anchor_words:
            title.append("anchor: " + " AND ".join(p.anchor_words))
        elif p.precision is not None:
            title.append("anchor: (empty: no word needed)")
        if p.precision is not None:
            title.append(f"precision {p.precision:.2f}")
        if p.coverage is not None:
            title.append(coverage_text(p.coverage, bool(p.anchor_words)))
        if title:
            ax.set_title(_wrap_parts(fig, ax, title, fontsize=9), fontsize=9, loc="left")
        if own:
            # the margins the figure gives its title at the draw, given now: the words were laid
            # out for the default margins, and the axes widened under them spread every gap
            _fit_margins(fig, ax, _margins, _needs)
        if not hasattr(fig.canvas, "get_renderer"):
            from matplotlib.backends.backend_agg import FigureCanvasAgg

            FigureCanvasAgg(fig)
        renderer = fig.canvas.get_renderer()
        box_width = ax.get_window_extent(renderer).width * 72.0 / fig.dpi
        scale = 0.0 if p.weights is None or not len(p.weights) else float(np.abs(p.weights).max())
        line_h = 1.7 * fontsize  # points
        space = _space_points(renderer, fontsize, fig.dpi)
        # Laid out in inches from the axes' top left corner (not in axes fractions): a layout
        # engine or a user's resize that moves the axes keeps the words one space apart.
        corner = fig.dpi_scale_trans + ScaledTranslation(0, 1, ax.transAxes)
        x, line, chars = 0.0, 0, 0
        self.texts_, self.anchor_texts_ = [], []
        laid = []  # (artist, line, x, gap before, width) in the document's order
        for text, i, spaced in units:
            w = None if i is None or p.weights is None else p.weights[i]
            bbox = None
            if w is not None and w != 0:
                bbox = {"boxstyle": f"round,pad={_BOX_PAD}", "lw": 0, "fc": _rgba(weight_colour(w, scale))}
            anchored = i is not None and i in p.anchor_positions
            style = {"transform": corner, "fontsize": fontsize, "family": _FAMILY, "va": "top", "ha": "left"}
            style.update(weight="bold" if anchored else "normal", bbox=bbox)
            t = ax.text(0, 0, text, **style)
            tw = t.get_window_extent(renderer).width * 72.0 / fig.dpi
            # a word longer than a line (a URL, words glued together) in pieces of a line each,
            # highlighted alike: it ran past the figure's edge and was cut
            pieces = _line_pieces(text, tw, _FILLED * box_width, width)
            for k, piece in enumerate(pieces):
                if k:
                    t = ax.text(0, 0, piece, **style)
                if len(pieces) > 1:
                    t.set_text(piece)
                    tw = t.get_window_extent(renderer).width * 72.0 / fig.dpi
                gap = space if spaced and x > 0 and not k else 0.0
                # a new line when the axes or ``width`` characters are full
                # lines leave room for their words drawn wider at another dpi (placed again there)
                if x > 0 and (x + gap + tw > _FILLED * box_width or chars + int(gap > 0) + len(piece) > width):
                    x, line, gap, chars = 0.0, line + 1, 0.0, 0
                t.set_position(((x + gap) / 72, -(0.5 + line) * line_h / 72))
                laid.append((t, line, x + gap, gap, tw))
                x += gap + tw
                chars += int(gap > 0) + len(piece)
                if i is not None and not k:  # one text per token: a piece after the first continues it
                    self.texts_.append(t)
                    if anchored:
                        self.anchor_texts_.append(t)
        rtl = any(is_right_to_left(u[0]) for u in units)
        if rtl:
            _reorder_right_to_left(laid, box_width, space, line_h)
        # placed again at every draw, with the widths of that draw's resolution: hinted text
        # is up to 8% wider at one dpi than another (bold, 96 against 100 dpi), and words laid
        # out at the figure's dpi and saved at another touched ("circumstanceswhatsoever")
        from skxai.plot._placement import WordPlacement

        ax.add_artist(WordPlacement(laid, fontsize, line_h, rtl))
        ax.set_ylim(0, 1)
        if own:
            # as tall as the lines drawn (the height guessed from ``width`` left blank bands)
            need = _needs(ax)
            height = (line + 1.3) * line_h / 72 + need["top"] + need["bottom"]
            fig.set_size_inches(fig.get_size_inches()[0], height)
            _fit_margins(fig, ax, _margins, _needs)
        self.ax_ = ax
        literal_text(ax)
        self.figure_ = fig
        return self


#: The room of a word's coloured box around it, in font sizes.
_BOX_PAD = 0.12

#: Share of the axes' width a line fills at the figure's dpi: hinted text is drawn up to 8%
#: wider at another (bold, 96 against 100 dpi), and the words are placed again at every draw
#: (:class:`skxai.plot._placement.WordPlacement`) along the lines chosen here.
_FILLED = 0.9


def _wrap_parts(fig, ax, parts, fontsize):
    """``parts`` joined by " | " on as few lines as fit the figure's width (a long anchor and an
    explained coverage of 0 ran past the figure's edge on one line)."""
    if not hasattr(fig.canvas, "get_renderer"):
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        FigureCanvasAgg(fig)
    renderer = fig.canvas.get_renderer()
    room = 0.95 * fig.bbox.width
    probe = ax.text(0, 0, "", fontsize=fontsize)
    lines = [parts[0]]
    for part in parts[1:]:
        probe.set_text(lines[-1] + " | " + part)
        if probe.get_window_extent(renderer).width <= room:
            lines[-1] += " | " + part
        else:
            lines.append(part)
    probe.remove()
    return "\n".join(lines)


def _fit_margins(fig, ax, margins, needs):
    """Give ``ax`` the margins a :class:`~skxai.plot._figure.RoomyFigure` gives its text at a draw."""
    fitted = margins(fig, [ax], [needs(ax)])
    if fitted is not None:
        fig.subplots_adjust(**fitted)


def _line_pieces(text, text_width, line_width, most_chars):
    """``text`` in pieces that each fit a line (``line_width`` points, ``most_chars`` characters),
    cut by characters in proportion to its drawn width ``text_width``; whole when it fits."""
    if text_width <= line_width and len(text) <= most_chars:
        return [text]
    per = max(1, min(most_chars, int(len(text) * line_width / max(text_width, 1e-9) * 0.95)))
    return [text[a : a + per] for a in range(0, len(text), per)]


def _units(parts):
    """``(text, token index or None, space before)`` in reading order: tokens and the punctuation between."""
    tokens = parts.tokens
    units = []
    if parts.document:
        doc = parts.document
        spans = align_tokens(doc, tokens, parts.offsets)
        cursor = 0
        for i, (tok, span) in enumerate(zip(tokens, spans, strict=True)):
            if span is None:
                units.append((tok, i, needs_space(tokens[i - 1] if i else "", tok)))
                continue
            _gap_units(doc[cursor : span[0]], units)
            spaced = span[0] > 0 and (doc[span[0] - 1].isspace())
            units.append((doc[span[0] : span[1]], i, spaced))
            cursor = span[1]
        _gap_units(doc[cursor:], units)
        return units
    return [(t, i, needs_space(tokens[i - 1] if i else "", t)) for i, t in enumerate(tokens)]


def _gap_units(gap, units):
    """Words and punctuation between two tokens (kept, unhighlighted)."""
    import re

    for m in re.finditer(r"\S+", gap):
        # a bool: "units and ..." gave the empty list for a document opening with punctuation
        # ('"Great" film'), and the layout's character count then failed on int + list
        units.append((m.group(0), None, m.start() > 0 or (bool(units) and gap[:1].isspace())))


def _rgba(css):
    inner = css[css.index("(") + 1 : css.index(")")]
    r, g, b, a = (float(v) for v in inner.split(","))
    return (r / 255, g / 255, b / 255, a)
