"""Run a script with figures drawn off screen, then list what a reader would stumble on.

``python tests/_figure_check.py SCRIPT`` runs SCRIPT (``plt.show`` does nothing) and prints one
line per problem of every figure it left open, then ``FIGURES CLEAN`` when there is none:

- a text (title, axis label, tick label, annotation, legend entry) that leaves the figure, so
  the saved picture cuts it;
- two texts of a figure whose boxes overlap by more than a few pixels.

Only the tick labels matplotlib draws count (of ticks inside the axis' view, on an axis that is
on): the Text objects of the others exist but are never drawn.
"""

from __future__ import annotations

import itertools
import runpy
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.text import Text  # noqa: E402

#: Overlaps of at most this many square pixels (at the figure's dpi) are antialiasing, not clutter.
OVERLAP_PX2 = 4.0


def _undrawn_tick_labels(fig):
    """Tick label Texts matplotlib does not draw: of ticks outside their axis' view, or of an
    axis turned off."""
    hidden = set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            shown = ax.axison and axis.get_visible()
            drawn = {id(t) for t in axis._update_ticks()} if shown else set()
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                if id(tick) not in drawn:
                    hidden.update((id(tick.label1), id(tick.label2)))
    return hidden


def figure_problems(fig, name="figure"):
    """Texts of ``fig`` that leave it or overlap one another, as readable lines."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    hidden = _undrawn_tick_labels(fig)
    frame = fig.bbox
    boxes, problems = [], []
    for text in fig.findobj(Text):
        if id(text) in hidden or not text.get_visible() or not text.get_text().strip():
            continue
        box = text.get_window_extent(renderer)
        if box.x0 < frame.x0 - 1 or box.x1 > frame.x1 + 1 or box.y0 < frame.y0 - 1 or box.y1 > frame.y1 + 1:
            problems.append(f"{name}: {text.get_text()!r} leaves the figure")
        boxes.append((text.get_text(), box))
    for (a, box_a), (b, box_b) in itertools.combinations(boxes, 2):
        width = min(box_a.x1, box_b.x1) - max(box_a.x0, box_b.x0)
        height = min(box_a.y1, box_b.y1) - max(box_a.y0, box_b.y0)
        if width > 0 and height > 0 and width * height > OVERLAP_PX2:
            problems.append(f"{name}: {a!r} overlaps {b!r} ({width * height:.0f} px2)")
    return problems


def main(script):
    plt.show = lambda *args, **kwargs: None
    runpy.run_path(script, run_name="__main__")
    problems = []
    for num in plt.get_fignums():
        problems += figure_problems(plt.figure(num), name=f"figure {num}")
    print("\n".join(problems) if problems else "FIGURES CLEAN")


if __name__ == "__main__":
    main(sys.argv[1])
