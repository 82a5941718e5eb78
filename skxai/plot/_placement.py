"""The artist that places a highlighted document's words at each draw (imported by
:meth:`skxai.plot.TextHighlightDisplay.plot` only: ``skxai.plot`` imports matplotlib on use)."""

from __future__ import annotations

from matplotlib.artist import Artist

from skxai.plot._wordorder import _reorder_right_to_left, _space_points


class WordPlacement(Artist):
    """Places the words of a highlighted document at each draw, one space apart by the widths
    that draw gives them, before they are drawn (the lowest ``zorder``: it is drawn first).

    Hinted text is up to 8% wider at one dpi than another (bold, 96 against 100 dpi): laid out
    once at the figure's dpi and saved at another, two words' coloured boxes touched
    ("circumstanceswhatsoever"). The lines stay those of the layout, which leaves them room;
    only the positions along them follow the resolution. A module-level class: a figure that
    holds it pickles.

    Parameters
    ----------
    laid : list of tuple
        ``(text, line, x, gap before, width)`` of every word, in the document's order.
    fontsize : float
        The document's font size (its space is measured at each draw).
    line_h : float
        Height of a line, in points.
    rtl : bool
        Whether lines are reordered right to left.
    """

    def __init__(self, laid, fontsize, line_h, rtl):
        super().__init__()
        self.set_zorder(-100)
        self._laid = [(t, line, gap > 0) for t, line, _, gap, _ in laid]
        self._fontsize, self._line_h, self._rtl = fontsize, line_h, rtl

    def draw(self, renderer):
        if not self._laid:
            return
        dpi = self.figure.dpi
        to_points = 72.0 / dpi
        space = _space_points(renderer, self._fontsize, dpi)
        laid, x, current = [], 0.0, None
        for t, line, spaced in self._laid:
            if line != current:
                x, current = 0.0, line
            gap = space if spaced and x > 0 else 0.0
            width = t.get_window_extent(renderer).width * to_points
            t.set_position(((x + gap) / 72, -(0.5 + line) * self._line_h / 72))
            laid.append((t, line, x + gap, gap, width))
            x += gap + width
        if self._rtl:
            box_width = self.axes.get_window_extent(renderer).width * to_points
            _reorder_right_to_left(laid, box_width, space, self._line_h)
