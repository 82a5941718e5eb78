"""Waterfall: one sample, from the base value to the prediction, one feature at a time."""

from __future__ import annotations

import numpy as np

from skxai.plot._base import NEGATIVE, POSITIVE, explain_row, format_value, new_axes, tabular_parts


def row_parts(explanation, index, output, caller):
    """Attributions, base value, model output and labels of one explained sample."""
    values, base, data, raw, names = tabular_parts(explanation, output, caller)
    n = values.shape[0]
    if not -n <= index < n:
        raise IndexError(f"index={index} is out of range for an explanation of {n} sample(s).")
    phi = values[index]
    if base is None:
        raise ValueError(
            f"{caller} needs base values (the expected output the attributions start from); "
            "this explanation has none."
        )
    b = float(base[index])
    model_out = None
    if explanation.outputs is not None and output is None:
        from skxai._adapters import select_target

        outs = np.asarray(explanation.outputs, dtype=np.float64)
        if outs.ndim == 2:
            model_out = float(select_target(outs, explanation.target_index, outs)[index])
    labels = list(names)
    if raw is not None:
        labels = [f"{name} = {_cell(raw[index, j])}" for j, name in enumerate(names)]
    return phi, b, model_out, labels


def _cell(v):
    try:
        return format_value(float(v))
    except (TypeError, ValueError):
        return str(v)


class WaterfallDisplay:
    """Waterfall of one sample's attributions, from the base value to the prediction.

    Each bar starts where the previous one ended: the first at the base value (the
    expected output over the background), the last ends at ``base + sum(attributions)``,
    which is the model's prediction for additive (Shapley) attributions.

    Parameters
    ----------
    attributions : ndarray of shape (n_features,)
    base_value : float
    labels : list of str
        One label per feature (``name = value``).
    model_output : float, optional
        The model's output for the sample, marked when given.
    method : str, optional

    Attributes
    ----------
    prediction_ : float
        Where the waterfall ends, ``base_value + sum(attributions)``.
    ends_ : ndarray
        Running total after each drawn bar, bottom to top; ``ends_[-1] == prediction_``.
    patches_ : list of matplotlib Rectangle
        The bars, bottom to top.
    order_ : list
        Feature index of each bar, bottom to top (-1 for the grouped remainder).
    ax_, figure_

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from skxai import Explanation
    >>> from skxai.plot import WaterfallDisplay
    >>> exp = Explanation(np.array([[2.0, -0.5, 1.0]]), base_values=np.array([10.0]),
    ...                   feature_names=["a", "b", "c"])
    >>> disp = WaterfallDisplay.from_explanation(exp, index=0)
    >>> float(disp.prediction_), float(disp.ends_[-1])
    (12.5, 12.5)
    """

    def __init__(self, attributions, base_value, labels, *, model_output=None, method=None):
        self.attributions = np.asarray(attributions, dtype=np.float64)
        self.base_value = float(base_value)
        self.labels = list(labels)
        self.model_output = model_output
        self.method = method

    @classmethod
    def from_explanation(cls, explanation, *, index=0, output=None, max_display=10, ax=None):
        """Draw the waterfall of sample ``index`` of an :class:`~skxai.Explanation`.

        Parameters
        ----------
        explanation : Explanation
        index : int, default=0
            Sample to draw.
        output : str or int, optional
            Output to show; default the explanation's target.
        max_display : int, default=10
            Most bars; the smallest attributions are grouped in one bar.
        ax : matplotlib Axes, optional

        Returns
        -------
        WaterfallDisplay
        """
        phi, base, model_out, labels = row_parts(explanation, index, output, "WaterfallDisplay")
        disp = cls(phi, base, labels, model_output=model_out, method=explanation.method)
        return disp.plot(ax=ax, max_display=max_display)

    @classmethod
    def from_explainer(cls, explainer, X, *, index=0, output=None, max_display=10, ax=None):
        """Explain row ``index`` of ``X`` and draw its waterfall.

        Returns
        -------
        WaterfallDisplay
        """
        exp = explain_row(explainer, X, index, "WaterfallDisplay")
        return cls.from_explanation(exp, index=0, output=output, max_display=max_display, ax=ax)

    def plot(self, ax=None, *, max_display=10):
        """Draw the waterfall.

        Parameters
        ----------
        ax : matplotlib Axes, optional
        max_display : int, default=10

        Returns
        -------
        self
        """
        if max_display < 1:
            raise ValueError(f"max_display must be at least 1, got {max_display}.")
        phi = self.attributions
        order = np.argsort(-np.abs(phi), kind="stable")
        shown, rest = order[:max_display], order[max_display:]
        # Bottom to top: the grouped remainder first, then from small to large.
        steps = [float(phi[j]) for j in shown[::-1]]
        names = [self.labels[j] for j in shown[::-1]]
        self.order_ = [int(j) for j in shown[::-1]]
        if len(rest):
            steps.insert(0, float(phi[rest].sum()))
            names.insert(0, f"{len(rest)} other features")
            self.order_.insert(0, -1)
        fig, ax = new_axes(ax, "WaterfallDisplay", figsize=(7, 0.4 * len(steps) + 1.5))
        starts = self.base_value + np.concatenate([[0.0], np.cumsum(steps)[:-1]])
        self.ends_ = self.base_value + np.cumsum(steps)
        self.prediction_ = self.base_value + float(phi.sum())
        self.patches_ = []
        span = max(np.ptp(np.concatenate([starts, self.ends_])), 1e-12)
        for y, (s, w) in enumerate(zip(starts, steps, strict=True)):
            colour = POSITIVE if w >= 0 else NEGATIVE
            (patch,) = ax.barh(y, w, left=s, color=colour, height=0.7)
            self.patches_.append(patch)
            sign = "+" if w >= 0 else "-"
            ax.text(
                max(s, s + w) + 0.01 * span, y, f"{sign}{format_value(abs(w))}",
                va="center", ha="left", fontsize=8,
            )
        for y in range(len(steps) - 1):
            ax.plot([self.ends_[y]] * 2, [y + 0.35, y + 0.65], color="0.5", lw=0.8)
        ax.axvline(self.base_value, color="0.4", ls=":", lw=1)
        ax.axvline(self.prediction_, color="0.2", ls="--", lw=1)
        top = len(steps) - 0.4
        ax.text(self.base_value, -0.9, f"E[f(X)] = {format_value(self.base_value)}",
                ha="center", va="top", fontsize=8)
        ax.text(self.prediction_, top + 0.1, f"f(x) = {format_value(self.prediction_)}",
                ha="center", va="bottom", fontsize=9)
        if self.model_output is not None and not np.isclose(
            self.model_output, self.prediction_, rtol=1e-6, atol=1e-9 * max(1.0, abs(self.model_output))
        ):
            ax.axvline(self.model_output, color="green", lw=1)
            ax.text(self.model_output, top + 0.6, f"model output {format_value(self.model_output)}",
                    color="green", ha="center", fontsize=8)
        ax.set_yticks(np.arange(len(steps)), names)
        ax.set_ylim(-1.2, len(steps) + 0.5)
        lo = min(starts.min(), self.ends_.min())
        hi = max(starts.max(), self.ends_.max())
        ax.set_xlim(lo - 0.05 * span, hi + 0.2 * span)
        ax.set_xlabel("model output")
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        if self.method:
            ax.set_title(f"From the base value to the prediction ({self.method})")
        self.ax_ = ax
        self.figure_ = fig
        return self
