"""Figures that make room for their text when drawn, without matplotlib's layout engines.

A layout engine makes ``savefig`` draw the figure twice (once to measure every text); the
displays' figures instead estimate, from the characters, the room their tick labels, axis labels
and titles need, and move the axes' edges before the one draw (microseconds). Figures that are
not one grid of axes fall back to ``tight_layout``.
"""

from __future__ import annotations

from matplotlib.figure import Figure

#: Height of a line of text, in font sizes.
_LINE_HEIGHT = 1.35

#: Room between an axes' edge and its tick labels, and around the figure's text (inches).
_PAD = 0.12


def _em(ch):
    """Width of a character in font sizes: DejaVu Sans, rounded up (digits 0.64, lower case
    0.5-0.62, capitals up to 0.8); wide scripts count double."""
    if ch == " ":
        return 0.32
    if ch.isdigit():
        return 0.64
    if ch.isupper():
        return 0.75
    if ord(ch) >= 0x2E80:
        return 1.0
    return 0.6


def _text_inches(text, size):
    """``(width, height)`` in inches a text would take, estimated from its characters (no font
    is opened and nothing is rendered)."""
    lines = str(text).split("\n") if text else []
    width = max((sum(_em(c) for c in line) for line in lines), default=0.0) * size / 72
    return width, len(lines) * size * _LINE_HEIGHT / 72


def _width_inches(text, renderer):
    """Width in inches of a drawn text (every line), measured with ``renderer``: the font's own
    advances, hinted at the resolution being drawn. The estimate from the characters is short
    for wide letters: 80 "a"s or "m"s wrapped on 30-character lines ran past the figure's edge."""
    prop = text.get_fontproperties()
    lines = text.get_text().split("\n")
    width = max(renderer.get_text_width_height_descent(line, prop, ismath=False)[0] for line in lines)
    return width / renderer.points_to_pixels(72.0)


def _needs(ax, renderer=None):
    """Inches the text around ``ax`` needs on each side: ``{left, right, bottom, top}``.

    An axes drawn without its axis (a document, an image) needs room for its title only; the
    title may be drawn at the left or the right (``set_title(loc=...)``) as well as centred.
    The widths of the tick labels are measured with ``renderer`` when given (at a draw), else
    estimated from their characters."""

    def width(t):
        if renderer is not None:
            return _width_inches(t, renderer)
        return _text_inches(t.get_text(), t.get_fontsize())[0]

    titles = (ax.title, ax._left_title, ax._right_title)
    top = max(_text_inches(t.get_text(), t.get_fontsize())[1] for t in titles) + _PAD
    if not ax.axison:
        return {"left": _PAD, "right": _PAD, "bottom": _PAD, "top": top}
    side = "right" if ax.yaxis.get_ticks_position() == "right" else "left"
    ticks = [t for t in ax.get_yticklabels() if t.get_text()]
    widest = max((width(t) for t in ticks), default=0.0)
    label = ax.yaxis.label
    need = {"left": _PAD, "right": _PAD, "bottom": _PAD, "top": _PAD}
    need[side] = widest + _text_inches(label.get_text(), label.get_fontsize())[1] + 2 * _PAD
    xticks = [t for t in ax.get_xticklabels() if t.get_text()]
    # a tick at either end of the x axis is centred on the axes' edge: half its label lies
    # beyond it ("0.12" at the right end was cut in half by the figure's edge)
    half = max((width(t) for t in xticks), default=0.0) / 2 + _PAD / 2
    need["left"], need["right"] = max(need["left"], half), max(need["right"], half)
    tick_height = max((_text_inches(t.get_text(), t.get_fontsize())[1] for t in xticks), default=0.0)
    label = ax.xaxis.label
    need["bottom"] = tick_height + _text_inches(label.get_text(), label.get_fontsize())[1] + 2 * _PAD
    need["top"] = top
    return need


def _room(ax):
    fig_w, fig_h = ax.figure.get_size_inches()
    box = ax.get_position()
    return {
        "left": box.x0 * fig_w,
        "right": (1 - box.x1) * fig_w,
        "bottom": box.y0 * fig_h,
        "top": (1 - box.y1) * fig_h,
    }


def _margins(fig, axes, needs):
    """Subplot parameters that give every side the room its text ``needs`` (one dict per axes),
    or None when the axes are not laid out on one grid or the figure is too small for an
    estimate to be safe."""
    if len(axes) > 2 or any(ax.get_subplotspec() is None for ax in axes):
        return None
    fig_w, fig_h = fig.get_size_inches()
    left = max(n["left"] for n in needs) / fig_w
    right = 1 - max(n["right"] for n in needs) / fig_w
    bottom = max(n["bottom"] for n in needs) / fig_h
    top = 1 - max(n["top"] for n in needs) / fig_h
    if right - left < 0.3 or top - bottom < 0.3:
        return None
    return {"left": left, "right": right, "bottom": bottom, "top": top}


class RoomyFigure(Figure):
    """A figure that, at each draw, gives its text the room it needs when the margins may not
    hold it (short names fit the default margins: nothing is done); a plain
    ``figure.savefig(path)`` keeps every text inside the picture."""

    def draw(self, renderer):
        if self.get_layout_engine() is not None:
            # the user's own layout engine (constrained, tight, compressed) lays the figure out:
            # the fallback below replaced a constrained layout by tight_layout's
            super().draw(renderer)
            return
        axes = [ax for ax in self.axes if ax.get_visible()]
        for ax in axes:
            # axes placed by a locator (a colour bar as tall as its image) where the draw will
            # put them: their ticks, and so the room their labels need, depend on their length
            locator = ax.get_axes_locator()
            if locator is not None:
                ax.apply_aspect(locator(ax, renderer))
        needs = [_needs(ax, renderer) for ax in axes]
        title = self._suptitle
        if title is not None and title.get_visible() and title.get_text():
            # the figure's own title sits above every axes' title: left out of the room, it was
            # drawn over the title of a tall image's panel
            extra = _text_inches(title.get_text(), title.get_fontsize())[1] + _PAD / 2
            for need in needs:
                need["top"] += extra
        # crowded: the text around some axes may not fit the room the figure gives it
        if any(need[k] > room[k] for need, room in zip(needs, map(_room, axes), strict=True) for k in need):
            margins = _margins(self, axes, needs)
            if margins is not None:
                self.subplots_adjust(**margins)
            else:
                self.tight_layout()
        for ax in axes:
            _keep_centred_text_inside(ax, renderer)
        super().draw(renderer)


def _keep_centred_text_inside(ax, renderer):
    """Slide an axes' centred title and x label sideways, as little as needed, so they stay
    inside the figure: long tick labels on the left leave a narrow axes at the right, and a
    label centred over it ran past the figure's edge ("... log-odds of malignan")."""
    fig_w = ax.figure.get_size_inches()[0]
    box = ax.get_position()
    x0, w = box.x0 * fig_w, box.width * fig_w
    if w <= 0:
        return
    for text in (ax.title, ax.xaxis.label):
        if not text.get_text() or text.get_ha() != "center":
            continue
        x = text.get_position()[0]
        if x != 0.5 and x != getattr(text, "_skxai_slid_to", None):
            # placed by its display, or moved by the user since the last draw: left there
            # (0.5 is centred: also where set_xlabel puts a label again, to be slid inside)
            continue
        half = _width_inches(text, renderer) / 2
        centre = x0 + 0.5 * w
        low, high = _PAD + half, fig_w - _PAD - half
        # wider than the figure: centred on it, cut the same on both sides
        centre = min(max(centre, low), high) if low <= high else fig_w / 2
        text._skxai_slid_to = (centre - x0) / w
        text.set_x(text._skxai_slid_to)
