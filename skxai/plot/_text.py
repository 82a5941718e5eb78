"""Text highlighting: word weights as coloured spans and anchor words in bold (HTML and matplotlib)."""

from __future__ import annotations

import numpy as np

from skxai.plot._base import explain, new_axes
from skxai.plot._html import parts_html, weight_colour
from skxai.plot._textparts import text_parts


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
        return cls(text_parts(explanation, index)).plot(ax=ax, width=width)

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
        """Self-contained HTML of the highlighted document (inline style, no scripts)."""
        return parts_html(self.parts)

    def _repr_html_(self):
        return self.to_html()

    def plot(self, ax=None, *, width=80, fontsize=11):
        """Lay the tokens out in lines, each on a coloured box.

        Returns
        -------
        self
        """
        p = self.parts
        tokens = p.tokens
        n_lines = max(1, int(np.ceil(sum(len(t) + 1 for t in tokens) / width)) + 1)
        fig, ax = new_axes(ax, "TextHighlightDisplay", figsize=(10, 0.35 * n_lines + 1.0))
        ax.set_axis_off()
        scale = 0.0 if p.weights is None or not len(p.weights) else float(np.abs(p.weights).max())
        line_h = 1.0 / (n_lines + 2)
        x, y = 0.0, 1.0 - line_h
        self.texts_, self.anchor_texts_ = [], []
        for i, tok in enumerate(tokens):
            step = (len(tok) + 1) / width
            if x > 0 and x + step > 1.0:
                x, y = 0.0, y - line_h
            bbox = None
            if p.weights is not None and p.weights[i] != 0:
                bbox = {"boxstyle": "round,pad=0.15", "lw": 0,
                        "fc": _rgba(weight_colour(p.weights[i], scale))}
            anchored = i in p.anchor_positions
            t = ax.text(x, y, tok, transform=ax.transAxes, fontsize=fontsize, family="monospace",
                        weight="bold" if anchored else "normal", va="top", ha="left", bbox=bbox)
            self.texts_.append(t)
            if anchored:
                self.anchor_texts_.append(t)
            x += step
        title = []
        if p.method:
            title.append(str(p.method))
        if p.label is not None:
            title.append(p.label)
        if p.anchor_words:
            title.append("anchor: " + " AND ".join(p.anchor_words))
        if p.precision is not None:
            title.append(f"precision {p.precision:.2f}")
        if p.coverage is not None:
            title.append(f"coverage {p.coverage:.2f}")
        if title:
            ax.set_title(" | ".join(title), fontsize=9, loc="left")
        self.ax_ = ax
        self.figure_ = fig
        return self


def _rgba(css):
    inner = css[css.index("(") + 1 : css.index(")")]
    r, g, b, a = (float(v) for v in inner.split(","))
    return (r / 255, g / 255, b / 255, a)
