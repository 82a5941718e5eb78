"""Beeswarm: every sample's attribution per feature, coloured by the feature's value."""

from __future__ import annotations

import numpy as np

from skxai.plot._base import (
    explain,
    fitted_xlabel,
    is_surrogate,
    literal_text,
    new_axes,
    other_features,
    output_label,
    plain_ticks,
    set_fitted_title,
    tabular_parts,
    wrap_label,
)


def swarm_offsets(x, n_bins=50, width=0.4):
    """Vertical offsets that spread points with close ``x`` into a swarm (no overlaps in a bin).

    Points in the same bin of ``x`` get offsets 0, +h, -h, +2h, -2h, ... scaled so the busiest
    bin spans ``[-width, width]``.
    """
    x = np.asarray(x, dtype=np.float64)
    n = len(x)
    if n == 0:
        return np.zeros(0)
    span = np.ptp(x)
    bins = np.zeros(n, dtype=int) if span == 0 else np.minimum((x - x.min()) / span * n_bins, n_bins - 1).astype(int)
    order = np.argsort(bins, kind="stable")
    sorted_bins = bins[order]
    starts = np.searchsorted(sorted_bins, sorted_bins, side="left")
    rank = np.empty(n, dtype=int)
    rank[order] = np.arange(n) - starts
    level = (rank + 1) // 2
    sign = np.where(rank % 2 == 1, 1.0, -1.0)
    biggest = max(1, int(level.max()))
    return sign * level * (width / biggest)


class BeeswarmDisplay:
    """Per-sample attributions of each feature, one row per feature, coloured by feature value.

    Red points are samples where the feature's value is high, blue where it is low, so the
    picture shows both how much a feature matters and in which direction.

    Parameters
    ----------
    values : ndarray of shape (n_samples, n_features)
    data : ndarray of shape (n_samples, n_features) or None
        Feature values used for the colour (NaN cells are drawn grey).
    feature_names : list of str
    method : str, optional
        Name of the explainer, shown in the title.
    quantity : str, optional
        What the attributions explain (``Explanation.quantity``), shown in the axis label.
    surrogate : bool, default=False
        The values are a local surrogate's weights (LIME), labelled as such.

    Attributes
    ----------
    order_ : ndarray
        Features drawn, top row first (by mean absolute attribution).
    collections_ : list of matplotlib PathCollection
        One scatter per drawn feature, in ``order_``.
    colorbar_ : matplotlib Colorbar or None
    ax_, figure_

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from skxai import Explanation
    >>> from skxai.plot import BeeswarmDisplay
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(50, 3))
    >>> exp = Explanation(X * [3.0, 1.0, 0.1], data=X, feature_names=["a", "b", "c"])
    >>> disp = BeeswarmDisplay.from_explanation(exp)
    >>> [disp.feature_names[j] for j in disp.order_]
    ['a', 'b', 'c']
    """

    def __init__(self, values, data, feature_names, *, method=None, quantity=None, surrogate=False):
        self.values = np.asarray(values, dtype=np.float64)
        self.data = None if data is None else np.asarray(data, dtype=np.float64)
        self.feature_names = list(feature_names)
        self.method = method
        self.quantity = quantity
        self.surrogate = surrogate

    @classmethod
    def from_explanation(cls, explanation, *, output=None, max_display=12, ax=None):
        """Draw the beeswarm of a tabular :class:`~skxai.Explanation` of several samples.

        Parameters
        ----------
        explanation : Explanation
        output : str or int, optional
            Output to show: a class label or output name, or a position when the labels are not
            numbers (as ``target`` reads it); default the explanation's target.
        max_display : int, default=12
            Most feature rows (the most important ones).
        ax : matplotlib Axes, optional

        Returns
        -------
        BeeswarmDisplay
        """
        values, _, data, raw, names, kinds = tabular_parts(explanation, output, "BeeswarmDisplay")
        if data is not None and kinds is not None:
            # Text and unordered categories have no low or high: grey them (as shap does) rather
            # than colour their codes; ordered categories, dates and durations are coloured
            data = data.copy()
            data[:, [not kind.has_order for kind in kinds]] = np.nan
        disp = cls(
            values,
            data,
            names,
            method=explanation.method_title,
            quantity=output_label(explanation, output=output),
            surrogate=is_surrogate(explanation),
        )
        return disp.plot(ax=ax, max_display=max_display)

    @classmethod
    def from_explainer(cls, explainer, X, *, output=None, max_display=12, ax=None):
        """Explain ``X`` with a fitted ``explainer`` and draw the beeswarm.

        Returns
        -------
        BeeswarmDisplay
        """
        exp = explain(explainer, X, "BeeswarmDisplay")
        return cls.from_explanation(exp, output=output, max_display=max_display, ax=ax)

    def plot(self, ax=None, *, max_display=12, cmap="coolwarm", size=12):
        """Draw one swarm per feature.

        Parameters
        ----------
        ax : matplotlib Axes, optional
        max_display : int, default=12
        cmap : str, default="coolwarm"
            Colour map from low (first colour) to high feature values.
        size : float, default=12
            Marker area.

        Returns
        -------
        self
        """
        if max_display < 1:
            raise ValueError(f"max_display must be at least 1, got {max_display}.")
        n, d = self.values.shape
        k = min(max_display, d)
        order = np.argsort(-np.abs(self.values).mean(axis=0), kind="stable")[:k]
        # a row per feature, taller for names wrapped on more lines (as the bar chart's): three-line
        # names on rows 0.4 inch apart ran into the names above and below
        lines = max((wrap_label(self.feature_names[j]).count("\n") + 1 for j in order), default=1)
        fig, ax = new_axes(ax, "BeeswarmDisplay", figsize=(7, (0.4 + 0.2 * (lines - 1)) * k + 1.5))
        import matplotlib as mpl

        colormap = mpl.colormaps[cmap]
        norm = mpl.colors.Normalize(0.0, 1.0)
        self.collections_ = []
        for row, j in enumerate(order):
            y = k - 1 - row
            x = self.values[:, j]
            offsets = swarm_offsets(x)
            if self.data is None:
                colors = np.full(n, 0.5)
            else:
                colors = _scaled(self.data[:, j])
            grey = np.isnan(colors)
            rgba = colormap(norm(np.where(grey, 0.5, colors)))
            rgba[grey] = (0.6, 0.6, 0.6, 1.0)
            self.collections_.append(ax.scatter(x, y + offsets, c=rgba, s=size, linewidths=0, rasterized=n > 500))
        ax.axvline(0.0, color="0.5", lw=0.8, zorder=0)
        ax.set_yticks(np.arange(k)[::-1], [wrap_label(self.feature_names[j]) for j in order])
        ax.set_ylim(-0.7, k - 0.3)
        what = "surrogate weight" if self.surrogate else "attribution"
        xlabel = fitted_xlabel(ax, f"{what} (impact on the {self.quantity or 'model output'})")
        if d > k:
            # the bar chart and the waterfall sum the others into a last row; a swarm cannot, so say
            # so: 60 features drew 12 rows and nothing told that 48 were left out
            xlabel += f"\n({other_features(d - k)} not shown)"
        ax.set_xlabel(xlabel)
        plain_ticks(ax, "x")
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        self.colorbar_ = None
        if self.data is not None:
            mappable = mpl.cm.ScalarMappable(norm=norm, cmap=colormap)
            # a bar as thick on a one-row swarm as on a tall one (aspect 40 drew a hairline there)
            self.colorbar_ = fig.colorbar(mappable, ax=ax, ticks=[0, 1], aspect=min(40, 10 * k), pad=0.02)
            self.colorbar_.ax.set_yticklabels(["low", "high"])
            # what grey means, in the bar's own label: a note under the axes stood on its ticks
            label = "feature value"
            if np.isnan(self.data[:, order]).any():
                label += "\n(grey: category or missing)"
            if k < 3:
                # beside a bar shorter than the words, "feature value" stood taller than the bar
                self.colorbar_.ax.set_title(label, fontsize=8)
            else:
                self.colorbar_.set_label(label)
        if self.method:
            set_fitted_title(
                ax, f"{self.method}: {'surrogate weights' if self.surrogate else 'attributions'} per sample"
            )
        self.order_ = order
        self.ax_ = ax
        literal_text(ax)
        self.figure_ = fig
        return self


def _scaled(col):
    """Feature values mapped to [0, 1] between their 5th and 95th percentiles (robust colour)."""
    col = np.asarray(col, dtype=np.float64)
    ok = ~np.isnan(col)
    if not ok.any():
        return col
    lo, hi = np.percentile(col[ok], [5, 95])
    if hi <= lo:
        lo, hi = col[ok].min(), col[ok].max()
    if hi <= lo:
        return np.where(ok, 0.5, np.nan)
    return np.clip((col - lo) / (hi - lo), 0.0, 1.0)
