"""Force-style strip: features pushing one prediction up (red) and down (blue) from the base value."""

from __future__ import annotations

import numpy as np

from skxai.plot._base import NEGATIVE, POSITIVE, explain_row, format_value, new_axes
from skxai.plot._waterfall import row_parts


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

    Attributes
    ----------
    prediction_ : float
        ``base_value + sum(attributions)``.
    pos_patches_, neg_patches_ : list of matplotlib Polygon
        Blocks of the positive (largest first, nearest the prediction) and negative
        attributions.
    pos_features_, neg_features_ : list of int
        Feature index of each block.
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

    def __init__(self, attributions, base_value, labels, *, method=None):
        self.attributions = np.asarray(attributions, dtype=np.float64)
        self.base_value = float(base_value)
        self.labels = list(labels)
        self.method = method

    @classmethod
    def from_explanation(cls, explanation, *, index=0, output=None, ax=None, min_label=0.05):
        """Draw the strip of sample ``index``.

        Parameters
        ----------
        explanation : Explanation
        index : int, default=0
        output : str or int, optional
        ax : matplotlib Axes, optional
        min_label : float, default=0.05
            Blocks narrower than this share of the total width get no label.

        Returns
        -------
        ForceDisplay
        """
        phi, base, _, labels = row_parts(explanation, index, output, "ForceDisplay")
        disp = cls(phi, base, labels, method=explanation.method)
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
        # Positive blocks are laid right to left from the prediction, so the largest sits next to it.
        right = self.prediction_
        for j in pos:
            left = right - phi[j]
            poly = Polygon(_chevron(left, right, tip, +1), closed=True, fc=POSITIVE, ec="white", lw=1)
            ax.add_patch(poly)
            self.pos_patches_.append(poly)
            if phi[j] >= min_label * total:
                ax.text((left + right) / 2, -0.55, self.labels[j], ha="center", va="top",
                        fontsize=7, color=POSITIVE, rotation=20)
            right = left
        left = self.prediction_
        for j in neg:
            right_ = left - phi[j]
            poly = Polygon(_chevron(left, right_, tip, -1), closed=True, fc=NEGATIVE, ec="white", lw=1)
            ax.add_patch(poly)
            self.neg_patches_.append(poly)
            if -phi[j] >= min_label * total:
                ax.text((left + right_) / 2, -0.55, self.labels[j], ha="center", va="top",
                        fontsize=7, color=NEGATIVE, rotation=20)
            left = right_
        self.pos_features_ = [int(j) for j in pos]
        self.neg_features_ = [int(j) for j in neg]
        lo = self.prediction_ - phi[pos].sum() if len(pos) else self.prediction_
        hi = self.prediction_ - phi[neg].sum() if len(neg) else self.prediction_
        lo, hi = min(lo, self.base_value), max(hi, self.base_value)
        pad = 0.05 * max(hi - lo, 1e-12)
        ax.set_xlim(lo - pad, hi + pad)
        ax.set_ylim(-1.6, 1.2)
        ax.axvline(self.base_value, color="0.4", ls=":", lw=1)
        ax.text(self.base_value, 0.55, f"base value\n{format_value(self.base_value)}",
                ha="center", va="bottom", fontsize=8, color="0.3")
        ax.text(self.prediction_, 0.55, f"f(x) = {format_value(self.prediction_)}",
                ha="center", va="bottom", fontsize=10, weight="bold")
        ax.set_yticks([])
        for side in ("top", "right", "left"):
            ax.spines[side].set_visible(False)
        ax.set_xlabel("model output (red pushes up, blue pushes down)")
        if self.method:
            ax.set_title(self.method, fontsize=9)
        self.ax_ = ax
        self.figure_ = fig
        return self


def _chevron(a, b, tip, direction):
    """Corners of an arrow-shaped block spanning [a, b] pointing right (+1) or left (-1)."""
    h = 0.4
    tip = min(tip, abs(b - a))
    if direction > 0:
        return [(a, -h), (b - tip, -h), (b, 0), (b - tip, h), (a, h), (a + tip, 0)]
    return [(b, -h), (a + tip, -h), (a, 0), (a + tip, h), (b, h), (b - tip, 0)]
