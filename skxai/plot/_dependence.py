"""Dependence scatter: a feature's value against its attribution, coloured by a second feature."""

from __future__ import annotations

import numpy as np

from skxai.plot._base import (
    explain,
    is_surrogate,
    literal_text,
    new_axes,
    output_label,
    plain_ticks,
    tabular_parts,
    wrap_to,
)
from skxai.plot._columns import coded


def _feature_index(feature, names, d):
    if isinstance(feature, str):
        if feature not in names:
            raise ValueError(f"feature={feature!r} is not a feature of this explanation; names: {names[:20]}")
        return names.index(feature)
    if isinstance(feature, int | np.integer) and -d <= feature < d:
        return int(feature) % d
    raise ValueError(f"feature={feature!r} is neither a feature name nor an index below {d}.")


def strongest_interaction(values, data, j):
    """Feature whose value best explains the spread of feature ``j``'s attribution at fixed x_j.

    The residual of ``values[:, j]`` after a per-bin mean over ``x_j`` is correlated with each
    other feature; the largest absolute correlation wins (an inexpensive proxy for the
    interaction strength, as shap's scatter plot does).
    """
    n, d = data.shape
    if d < 2 or n < 3:
        return None
    x = data[:, j]
    y = values[:, j]
    ok = ~np.isnan(x)
    bins = np.digitize(x, np.unique(np.nanpercentile(x[ok], np.linspace(0, 100, 11)))) if ok.any() else np.zeros(n)
    resid = y.copy()
    for b in np.unique(bins):
        sel = bins == b
        resid[sel] -= y[sel].mean()
    best, best_score = None, -1.0
    for k in range(d):
        if k == j:
            continue
        z = data[:, k]
        keep = ~np.isnan(z)
        if keep.sum() < 3 or np.ptp(z[keep]) == 0 or np.ptp(resid[keep]) == 0:
            continue
        score = abs(np.corrcoef(z[keep], resid[keep])[0, 1])
        if score > best_score:
            best, best_score = k, score
    return best


class DependenceDisplay:
    """Scatter of one feature's value (x) against its attribution (y) over many samples.

    Parameters
    ----------
    feature_values : ndarray of shape (n_samples,)
    attributions : ndarray of shape (n_samples,)
    feature_name : str
    color_values : ndarray of shape (n_samples,), optional
    color_name : str, optional
    method : str, optional
    quantity : str, optional
        What the attributions explain, e.g. "probability of virginica" (the y axis label).
    surrogate : bool, default=False
        The values are a local surrogate's weights (LIME), labelled as such.
    categories : list of str, optional
        Names of the feature's categories when ``feature_values`` hold their codes (0, 1, ...):
        the x axis then names them.
    color_categories : list of str, optional
        The same for the colouring feature (the colour bar names them).
    unit : str, optional
        ``"date"`` when ``feature_values`` are dates as matplotlib's day numbers (the axis then
        reads dates), or the unit of a duration (``"hours"``, shown beside the feature's name).
    color_unit : str, optional
        The same for the colouring feature.
    color_ordered : bool, default=True
        Whether the colouring feature's categories have an order. Unordered ones (at most 20)
        get a palette of distinct colours and a legend: a low-to-high scale read an order into
        them, and drew the middle category in a grey the white axes hid.

    Attributes
    ----------
    scatter_ : matplotlib PathCollection
    colorbar_ : matplotlib Colorbar or None
    legend_ : matplotlib Legend or None
        The colouring feature's categories, where they have no order.
    ax_, figure_

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from skxai import Explanation
    >>> from skxai.plot import DependenceDisplay
    >>> X = np.random.RandomState(0).normal(size=(30, 2))
    >>> exp = Explanation(X * [2.0, 1.0], data=X, feature_names=["a", "b"])
    >>> disp = DependenceDisplay.from_explanation(exp, feature="a")
    >>> disp.scatter_.get_offsets().shape
    (30, 2)
    """

    def __init__(
        self,
        feature_values,
        attributions,
        feature_name,
        *,
        color_values=None,
        color_name=None,
        method=None,
        quantity=None,
        surrogate=False,
        categories=None,
        color_categories=None,
        unit=None,
        color_unit=None,
        color_ordered=True,
    ):
        self.feature_values = np.asarray(feature_values, dtype=np.float64)
        self.attributions = np.asarray(attributions, dtype=np.float64)
        self.feature_name = feature_name
        self.color_values = color_values
        self.color_name = color_name
        self.method = method
        self.quantity = quantity
        self.surrogate = surrogate
        self.categories = categories
        self.color_categories = color_categories
        self.unit = unit
        self.color_unit = color_unit
        self.color_ordered = color_ordered

    @classmethod
    def from_explanation(cls, explanation, feature, *, color="auto", output=None, ax=None):
        """Draw the dependence scatter of ``feature``.

        Parameters
        ----------
        explanation : Explanation
            Tabular explanation holding ``data``.
        feature : str or int
            Feature on the x axis.
        color : "auto", str, int or None, default="auto"
            Feature whose value colours the points; "auto" picks the strongest interaction.
        output : str or int, optional
            Output to show: a class label or output name, or a position when the labels are not
            numbers (as ``target`` reads it); default the explanation's target.
        ax : matplotlib Axes, optional

        Returns
        -------
        DependenceDisplay
        """
        values, _, data, raw, names, kinds = tabular_parts(explanation, output, "DependenceDisplay")
        if data is None and explanation.data is not None:
            # feature groups: a player spans several columns, so it has no one value to plot
            shape = getattr(explanation.data, "shape", None)
            raise ValueError(
                f"DependenceDisplay plots each attribution against its feature's value, but the "
                f"explanation has {values.shape[1]} attribution columns (players) and data of shape "
                f"{shape}: explanations of feature_groups have no single value per player."
            )
        if data is None:
            raise ValueError("DependenceDisplay needs the explained samples (explanation.data).")
        d = values.shape[1]
        j = _feature_index(feature, names, d)
        k = None
        if isinstance(color, str) and color == "auto":
            k = strongest_interaction(values, data, j)
        elif color is not None:
            k = _feature_index(color, names, d)
        x, categories, unit = coded(raw[:, j], kinds[j]) if raw is not None else (data[:, j], None, None)
        colour, colour_categories, colour_unit = None, None, None
        if k is not None:
            colour, colour_categories, colour_unit = (
                coded(raw[:, k], kinds[k]) if raw is not None else (data[:, k], None, None)
            )
        disp = cls(
            x,
            values[:, j],
            names[j],
            color_values=colour,
            color_name=None if k is None else names[k],
            method=explanation.method_title,
            quantity=output_label(explanation, output=output),
            surrogate=is_surrogate(explanation),
            categories=categories,
            color_categories=colour_categories,
            unit=unit,
            color_unit=colour_unit,
            color_ordered=True if k is None or raw is None else kinds[k].has_order,
        )
        return disp.plot(ax=ax)

    @classmethod
    def from_explainer(cls, explainer, X, feature, *, color="auto", output=None, ax=None):
        """Explain ``X`` and draw the dependence scatter of ``feature``.

        Returns
        -------
        DependenceDisplay
        """
        exp = explain(explainer, X, "DependenceDisplay")
        return cls.from_explanation(exp, feature, color=color, output=output, ax=ax)

    def plot(self, ax=None, *, cmap="coolwarm", size=14):
        """Draw the scatter.

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Axes to draw on; a new figure when None.
        cmap : str, default="coolwarm"
            Colormap of the colouring feature's values (when there is one).
        size : float, default=14
            Marker area (matplotlib's ``s``).

        Returns
        -------
        self
        """
        import matplotlib
        from matplotlib.font_manager import FontProperties

        fig, ax = new_axes(ax, "DependenceDisplay", figsize=(6, 4))
        x = self.feature_values.copy()
        missing = np.isnan(x)
        if missing.any():
            # samples without a value stand in a column of their own left of the others (a NaN
            # position drew nothing: a third of the samples vanished without a word)
            known = x[~missing]
            lo, hi = (known.min(), known.max()) if known.size else (0.0, 0.0)
            x[missing] = lo - (1.0 if self.categories is not None or hi == lo else 0.12 * (hi - lo))
        self.legend_ = None
        unordered = (
            self.color_categories is not None
            and not getattr(self, "color_ordered", True)
            and len(self.color_categories) <= _MOST_LEGEND_CATEGORIES
        )
        if self.color_values is None:
            self.scatter_ = ax.scatter(x, self.attributions, s=size, color="#1f77b4")
            self.colorbar_ = None
        elif unordered:
            self.scatter_, self.legend_ = _categories_scatter(ax, x, self.attributions, self, size)
            self.colorbar_ = None
        else:
            import matplotlib as mpl

            # a sample whose colouring value is missing drawn grey (matplotlib's default for a NaN
            # colour is transparent: the point vanished)
            colormap = mpl.colormaps[cmap].with_extremes(bad=(0.6, 0.6, 0.6, 1.0))
            colour = np.asarray(self.color_values, dtype=np.float64)
            self.scatter_ = ax.scatter(x, self.attributions, s=size, c=colour, cmap=colormap, plotnonfinite=True)
            self.colorbar_ = fig.colorbar(self.scatter_, ax=ax, pad=0.02)
            if self.color_categories is not None:
                self.colorbar_.set_ticks(np.arange(len(self.color_categories)), labels=self.color_categories)
            elif getattr(self, "color_unit", None) == "date":
                _date_ticks(self.colorbar_.ax.yaxis)
            else:
                plain_ticks(self.colorbar_.ax, "y")
        if self.categories is not None:
            ax.set_xticks(np.arange(len(self.categories)), labels=self.categories)
        ax.axhline(0.0, color="0.6", lw=0.8, zorder=0)
        fontsize = FontProperties(size=matplotlib.rcParams["axes.labelsize"]).get_size_in_points()
        # wrapped to the axes' width: an 80-character name ran past both edges of the figure
        width_pt = fig.get_figwidth() * ax.get_position().width * 72
        ax.set_xlabel(wrap_to(_with_unit(self.feature_name, getattr(self, "unit", None)), width_pt, fontsize))
        ylabel = f"{'surrogate weight' if self.surrogate else 'attribution'} of {self.feature_name}"
        if self.quantity:
            ylabel += f" to the {self.quantity}"  # as the bar's and beeswarm's labels
        # wrapped to the axes' height, so a small figure keeps the whole label
        height_pt = fig.get_figheight() * ax.get_position().height * 72
        ax.set_ylabel(wrap_to(ylabel, height_pt, fontsize))
        if self.colorbar_ is not None:  # a long colouring feature's name ran off the figure's top and bottom
            label = _with_unit(self.color_name, getattr(self, "color_unit", None))
            if np.isnan(np.asarray(self.color_values, dtype=np.float64)).any():
                label += " (grey: missing)"
            self.colorbar_.set_label(wrap_to(label, height_pt, fontsize))
        plain_ticks(ax, "y")
        if getattr(self, "unit", None) == "date":
            _date_ticks(ax.xaxis)
        elif self.categories is None:
            plain_ticks(ax, "x")
        if missing.any():
            _missing_column(ax, x[missing][0], np.nanmin(self.feature_values) if (~missing).any() else None)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        if self.method:  # the feature named (a page of these read "Dependence (KernelShapExplainer)" alike)
            ax.set_title(wrap_to(f"Dependence on {self.feature_name} ({self.method})", width_pt, 10), fontsize=10)
        self.ax_ = ax
        literal_text(ax, *([self.colorbar_.ax] if self.colorbar_ is not None else []))
        self.figure_ = fig
        return self

    def _colour_codes(self):
        return np.asarray(self.color_values, dtype=np.float64)


#: Most unordered categories a dependence plot colours with distinct colours (a legend entry each).
_MOST_LEGEND_CATEGORIES = 20


def _categories_scatter(ax, x, y, disp, size):
    """The points coloured by an unordered category, distinct colours and a legend beside the
    axes (where a colour bar stands); a missing category grey. Returns ``(scatter, legend)``."""
    import matplotlib as mpl
    from matplotlib.lines import Line2D

    names = disp.color_categories
    palette = mpl.colormaps["tab10" if len(names) <= 10 else "tab20"]
    codes = disp._colour_codes()
    grey = (0.6, 0.6, 0.6, 1.0)
    colours = np.array([grey if np.isnan(c) else palette(int(c)) for c in codes])
    scatter = ax.scatter(x, y, s=size, c=colours)
    handles = [
        Line2D([], [], linestyle="", marker="o", markersize=5, color=palette(i), label=str(name))
        for i, name in enumerate(names)
    ]
    # room beside the axes taken as a colour bar takes it (fig.colorbar(ax=ax, pad=0.02)), as
    # wide as the longest name or title line: a legend drawn outside the axes fell off the figure
    import textwrap

    from matplotlib import colorbar

    fig = ax.figure
    title = disp.color_name + (" (grey: missing)" if np.isnan(codes).any() else "")
    longest = max(len(str(n)) for n in names)
    words = max((len(w) for w in str(title).split()), default=0)
    title = "\n".join(textwrap.wrap(str(title), max(14, longest + 3, min(words, 24)))) or str(title)
    need = max(18 + 4.2 * longest, 5.2 * max(len(line) for line in title.split("\n")))
    width_pt = fig.get_figwidth() * ax.get_position().width * 72
    fraction = min(0.45, need / max(width_pt, 1.0))
    # as Figure.colorbar chooses: the grid cell's room where the layout engine takes it
    engine = fig.get_layout_engine()
    gridspec = ax.get_subplotspec() is not None and (engine is None or engine.colorbar_gridspec)
    lax, _ = (colorbar.make_axes_gridspec if gridspec else colorbar.make_axes)(ax, fraction=fraction, pad=0.02)
    lax.axis("off")
    legend = lax.legend(
        handles=handles, title=title, loc="upper left", borderaxespad=0.0, fontsize=7, title_fontsize=8, frameon=False
    )
    legend._legend_box.align = "left"
    return scatter, legend


def _with_unit(name, unit):
    """A feature's name with the unit its durations are shown in (dates read as dates)."""
    return str(name) if unit is None or unit == "date" else f"{name} ({unit})"


def _date_ticks(axis):
    """Dates on an axis of matplotlib's day numbers, as few and as short as they read."""
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter

    locator = AutoDateLocator()
    axis.set_major_locator(locator)
    axis.set_major_formatter(ConciseDateFormatter(locator))


def _missing_column(ax, at, lowest):
    """The x axis's column of samples without a value: its tick reads "missing", a dotted line
    parts it from the values, and no value's tick stands in the gap (the column at -3.0 read as
    samples whose value is -3)."""
    from matplotlib.ticker import Formatter, Locator

    values_locator, values_formatter = ax.xaxis.get_major_locator(), ax.xaxis.get_major_formatter()
    start = at if lowest is None else lowest - 0.25 * (lowest - at)
    if lowest is not None:
        ax.axvline((at + lowest) / 2, color="0.7", lw=0.8, ls=":", zorder=0)

    class WithMissing(Locator):
        def __call__(self):
            if lowest is None:  # no sample has a value: no value's tick either
                return [at]
            return [at] + [t for t in values_locator() if t >= start]

    class MissingLabel(Formatter):
        def format_ticks(self, values):
            rest = [v for v in values if v != at]
            labels = iter(values_formatter.format_ticks(rest)) if rest else iter(())
            return ["missing" if v == at else next(labels) for v in values]

        def __call__(self, value, pos=None):
            return "missing" if value == at else values_formatter(value, pos)

    locator = WithMissing()
    locator.set_axis(ax.xaxis)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(MissingLabel())
