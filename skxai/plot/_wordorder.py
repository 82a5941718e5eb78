"""Where the words of a highlighted document's line go: their visual order (right-to-left
words among left-to-right ones) and the width of a space, shared by
:class:`skxai.plot.TextHighlightDisplay` and the artist that places the words at each draw
(:mod:`skxai.plot._placement`)."""

from __future__ import annotations


def _space_points(renderer, fontsize, dpi):
    """The width in points of a space between two words of the document's font, drawn by
    ``renderer`` (at ``dpi``)."""
    from matplotlib.font_manager import FontProperties

    prop = FontProperties(family=_FAMILY, size=fontsize)
    wide = renderer.get_text_width_height_descent("a a", prop, ismath=False)[0]
    return (wide - renderer.get_text_width_height_descent("aa", prop, ismath=False)[0]) * 72.0 / dpi


#: The document's font: a serif, and DejaVu Sans for the letters it lacks (DejaVu Serif has no
#: Hebrew or Arabic: each letter of such a word was drawn as a box).
_FAMILY = ["serif", "DejaVu Sans"]


def _direction(text):
    """ "R", "L" (the first strong letter's direction), "EN" (a number) or "N" (punctuation)."""
    import unicodedata

    for c in text:
        kind = unicodedata.bidirectional(c)
        if kind in ("R", "AL"):
            return "R"
        if kind == "L":
            return "L"
    return "EN" if any(unicodedata.bidirectional(c) in ("EN", "AN") for c in text) else "N"


def _visual_order(directions, rtl):
    """Visual order (left to right) of words of the given directions, in a paragraph that reads
    right to left when ``rtl``: the Unicode bidirectional algorithm (UAX #9) at the level of
    words. Numbers keep their place among letters; punctuation takes the direction of the words
    around it when they agree, else the paragraph's."""
    base = "R" if rtl else "L"
    n = len(directions)
    strong = ["R" if d == "EN" else d for d in directions]
    resolved = list(directions)
    for k, d in enumerate(directions):
        if d != "N":
            continue
        before = next((strong[j] for j in range(k - 1, -1, -1) if strong[j] != "N"), base)
        after = next((strong[j] for j in range(k + 1, n) if strong[j] != "N"), base)
        resolved[k] = before if before == after else base
    levels = []
    for k, d in enumerate(resolved):
        if d == "EN":
            # a number after a left-to-right word is part of it (W7); otherwise it sits at
            # level 2, read left to right inside the right-to-left run
            previous = next((directions[j] for j in range(k - 1, -1, -1) if directions[j] in ("L", "R")), base)
            levels.append(0 if previous == "L" and not rtl else 2)
        elif d == "R":
            levels.append(1)
        else:
            levels.append(2 if rtl else 0)
    order = list(range(n))
    for level in range(max(levels, default=0), 0, -1):
        k = 0
        while k < n:
            if levels[order[k]] >= level:
                end = k
                while end < n and levels[order[end]] >= level:
                    end += 1
                order[k:end] = order[k:end][::-1]
                k = end
            else:
                k += 1
    return order


def _reorder_right_to_left(laid, box_width, space, line_h):
    """Place the words of each line in their visual order: a document with right-to-left words
    was laid out left to right in the document's order, and a Hebrew sentence read backwards.
    A paragraph whose first letter reads right to left is right-aligned."""
    first = next((d for d in (_direction(t.get_text()) for t, *_ in laid) if d in ("R", "L")), "L")
    rtl = first == "R"
    for line in sorted({item[1] for item in laid}):
        items = [item for item in laid if item[1] == line]
        order = _visual_order([_direction(t.get_text()) for t, *_ in items], rtl)
        total = sum(item[4] for item in items) + sum(item[3] for item in items[1:])
        x = box_width - total if rtl else 0.0
        for k, at in enumerate(order):
            t, _, _, gap, tw = items[at]
            if k:
                # the space the document had between the two words (or one, when the words were
                # not neighbours in the document)
                nxt, prev = max(at, order[k - 1]), min(at, order[k - 1])
                x += items[nxt][3] if nxt - prev == 1 else space
            t.set_position((x / 72, -(0.5 + line) * line_h / 72))
            x += tw
