"""Waterfall: one sample, from the base value to the prediction, one feature at a time."""

from __future__ import annotations

import numpy as np

from skxai.plot._base import (
    NEGATIVE,
    POSITIVE,
    _select_output,
    explain_row,
    fitted_xlabel,
    format_value,
    is_surrogate,
    isolated,
    literal_text,
    new_axes,
    other_features,
    output_label,
    plain_ticks,
    right_limit_for_labels,
    set_fitted_title,
    spread,
    tabular_parts,
    wrap_label,
)
from skxai.plot._columns import cell_text

#: What an error bar drawn from ``std`` is, written under the axis.
# one name for the error in every picture and page: the standard error (the explanation's std)
ERROR_BAR_NOTE = "error bars: \u00b11 standard error\n(95% interval: \u00b11.96 of them)"


#: The bar of the features an index left out of an explanation (their part of the output).
LEFT_OUT = "features left out of this explanation"


def row_parts(explanation, index, output, caller):
    """Attributions, base value, model output and labels of one explained sample.

    Returns ``(phi, base, model_out, labels)``; :func:`row_context` gives the rest (quantity,
    surrogate flag, standard errors).
    """
    values, base, data, raw, names, kinds = tabular_parts(explanation, output, caller)
    n = values.shape[0]
    if not -n <= index < n:
        raise IndexError(f"index={index} is out of range for an explanation of {n} sample(s).")
    phi = values[index]
    if base is None:
        raise ValueError(
            f"{caller} needs base values (the expected output the attributions start from); this explanation has none."
        )
    b = float(base[index])
    model_out = None
    # A surrogate (LIME) records the model's own output apart from its prediction.
    outs = explanation.extras.get("model_outputs", explanation.outputs)
    if outs is not None:
        from skxai._adapters import select_target

        outs = np.asarray(outs, dtype=np.float64)
        if outs.ndim == 2:
            if output is None:
                model_out = float(select_target(outs, explanation.target_index, outs)[index])
            else:
                _, _, idx = _select_output(explanation, output)
                model_out = float(outs[index, idx])
    labels = list(names)
    if raw is not None:
        labels = [f"{isolated(name)} = {cell_text(raw[index, j], kinds[j], _cell)}" for j, name in enumerate(names)]
    left = explanation.extras.get("left_out")
    if left is not None:
        # some features indexed out (exp[:, ["bmi", "s5"]]): their part, as the "N other
        # features" bar of a full waterfall; without it the partial sum was labelled f(x)
        # beside another "model f(x)"
        left = np.asarray(left, dtype=np.float64)
        part = _select_output(_with_values(explanation, np.expand_dims(left, 1)), output)[0]
        phi = np.append(phi, float(np.asarray(part)[index].ravel()[0]))
        labels.append(LEFT_OUT)
    return phi, b, model_out, labels


def as_batch(explanation):
    """``explanation`` with a sample axis: ``exp[i]`` (the sample axis dropped, which shap's
    waterfall takes) becomes a batch of one row, its standard errors and outputs with it."""
    if not isinstance(np.asarray(explanation.values), np.ndarray) or explanation._has_samples():
        return explanation
    from skxai._explanation import Explanation

    def one(a):
        if a is None:
            return None
        if hasattr(a, "to_frame"):  # a DataFrame's row: a Series
            return a.to_frame().T
        return np.asarray(a)[None]

    extras = dict(explanation.extras)
    per_sample = []
    for name in ("model_outputs", "left_out", "left_out_var"):  # per sample: the one sample's, batched
        if extras.get(name) is not None:
            extras[name] = one(np.asarray(extras[name]))
            per_sample.append(name)
    target = explanation.target_index
    if isinstance(target, np.ndarray):
        target = target.reshape(1)
    return Explanation(
        one(explanation.values),
        base_values=one(explanation.base_values),
        data=one(explanation.data),
        feature_names=explanation.feature_names,
        output_names=explanation.output_names,
        std=one(explanation.std),
        target_index=target,
        output_axis=explanation.output_axis,
        outputs=one(explanation.outputs),
        method=explanation.method,
        sample_fields=per_sample,
        **extras,
    )


def check_error_bars(explanation, error_bars, caller, allowed=(True, False)):
    """Refuse an ``error_bars`` value the display does not know, and standard errors that are not
    shaped like the values (an IndexError deep in the drawing said neither) or are negative;
    return the value, a numpy boolean as ``bool``."""
    if isinstance(error_bars, np.bool_):  # what np.any() and comparisons return
        error_bars = bool(error_bars)
    if not any(error_bars is a or (isinstance(a, str) and error_bars == a) for a in allowed):
        raise ValueError(f"{caller}: error_bars must be one of {', '.join(map(repr, allowed))}; got {error_bars!r}.")
    std = explanation.std
    if error_bars is True and std is not None and np.shape(std) != np.shape(explanation.values):
        raise ValueError(
            f"{caller}: error_bars needs the explanation's std shaped like its values "
            f"{np.shape(explanation.values)}; std has shape {np.shape(std)}."
        )
    if error_bars is True and std is not None:
        with np.errstate(invalid="ignore"):
            negative = np.asarray(std, dtype=np.float64) < 0  # NaN and inf: unknown errors, drawn as such
        if negative.any():
            # the bar chart squared them away (bars of |std|), the waterfall stopped in matplotlib
            raise ValueError(
                f"{caller}: error_bars=True needs standard errors >= 0, but the explanation's std holds "
                f"{int(negative.sum())} negative standard errors (e.g. {float(np.asarray(std)[negative][0])!r})."
            )
    return error_bars


def row_context(explanation, index, output):
    """Quantity label, surrogate flag and standard errors (or None) of one explained sample."""
    label = output_label(explanation, index=index, output=output)
    surrogate = is_surrogate(explanation)
    std = None
    if explanation.std is not None:
        try:
            std = np.asarray(_select_output(_with_values(explanation, explanation.std), output)[0])[index]
        except (ValueError, IndexError, TypeError):
            std = None
    return label, surrogate, std


def _with_values(explanation, values):
    """``explanation`` with other ``values`` (its ``std``), its output selected the same way.

    The model outputs travel too: ``target_index="predicted"`` (a classifier's default) picks
    each sample's class from them, so without them the errors of the drawn class are unknown.
    """
    from skxai._explanation import Explanation

    return Explanation(
        values,
        output_names=explanation.output_names,
        target_index=explanation.target_index,
        output_axis=explanation.output_axis,
        outputs=explanation.outputs,
    )


def _cell(v):
    """A feature's value as written beside its row: a whole number whole ("180", not the
    "180.0" that format_value writes from 100 up, beside an "88" in the same picture)."""
    try:
        x = float(v)
    except (TypeError, ValueError):
        return str(v)
    if np.isfinite(x) and x.is_integer() and abs(x) < 1e4:
        return str(int(x))
    # on its own scale: a feature's value is no rounding residue, and 7.8e-10 read "= 0" (the
    # unit scale) beside "a = -0.0000000013"
    return format_value(x, abs(x) if np.isfinite(x) else None)


def short_title(method, label, width=60):
    """A title that fits: the method and what it explains, wrapped on two lines at most."""
    import textwrap

    text = f"{method}: {label}" if method else label
    return "\n".join(textwrap.wrap(text, width)[:2])


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
        The model's own output for the sample, shown next to where the waterfall ends.
    method : str, optional
    quantity : str, optional
        What is explained, e.g. "probability of malignant" (the axis label and title).
    surrogate : bool, default=False
        The attributions are a surrogate's (LIME): its intercept and prediction are labelled
        as the surrogate's, and the model's own output is shown beside them.
    std : ndarray of shape (n_features,), optional
        Standard errors of the attributions, drawn as error bars with ``error_bars=True``.

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

    def __init__(
        self,
        attributions,
        base_value,
        labels,
        *,
        model_output=None,
        method=None,
        quantity=None,
        surrogate=False,
        std=None,
    ):
        self.attributions = np.asarray(attributions, dtype=np.float64)
        self.base_value = float(base_value)
        self.labels = list(labels)
        self.model_output = model_output
        self.method = method
        self.quantity = quantity
        self.surrogate = surrogate
        self.std = std

    @classmethod
    def from_explanation(cls, explanation, *, index=0, output=None, max_display=10, ax=None, error_bars=False):
        """Draw the waterfall of sample ``index`` of an :class:`~skxai.Explanation`.

        Parameters
        ----------
        explanation : Explanation
            Several samples, or one (``exp[i]``).
        index : int, default=0
            Sample to draw.
        output : str or int, optional
            Output to show: a class label or output name, or a position when the labels are not
            numbers (as ``target`` reads it); default the explanation's target.
        max_display : int, default=10
            Most features drawn with a bar of their own; the smallest attributions are grouped
            in one more bar, so up to ``max_display + 1`` bars.
        ax : matplotlib Axes, optional
        error_bars : bool, default=False
            Draw ``explanation.std`` (the estimator's standard errors) as error bars.

        Returns
        -------
        WaterfallDisplay
        """
        error_bars = check_error_bars(explanation, error_bars, "WaterfallDisplay")
        explanation = as_batch(explanation)
        phi, base, model_out, labels = row_parts(explanation, index, output, "WaterfallDisplay")
        quantity, surrogate, std = row_context(explanation, index, output)
        if std is not None and len(std) < len(phi):  # the left-out features' bar
            var = explanation.extras.get("left_out_var")
            left_std = np.nan  # unknown where the explanation kept no error for it
            if var is not None:
                var = np.asarray(var, dtype=np.float64)
                part = _select_output(_with_values(explanation, np.expand_dims(var, 1)), output)[0]
                left_std = float(np.sqrt(np.asarray(part)[index].ravel()[0]))
            std = np.append(std, left_std)
        disp = cls(
            phi,
            base,
            labels,
            model_output=model_out,
            method=explanation.method_title,
            quantity=quantity,
            surrogate=surrogate,
            std=std,
        )
        return disp.plot(ax=ax, max_display=max_display, error_bars=error_bars)

    @classmethod
    def from_explainer(cls, explainer, X, *, index=0, output=None, max_display=10, ax=None, error_bars=False):
        """Explain row ``index`` of ``X`` and draw its waterfall.

        Returns
        -------
        WaterfallDisplay
        """
        exp = explain_row(explainer, X, index, "WaterfallDisplay")
        return cls.from_explanation(exp, index=0, output=output, max_display=max_display, ax=ax, error_bars=error_bars)

    def plot(self, ax=None, *, max_display=10, error_bars=False):
        """Draw the waterfall.

        Parameters
        ----------
        ax : matplotlib Axes, optional
        max_display : int, default=10
            Most features drawn with a bar of their own; the rest are grouped in one more bar.
        error_bars : bool, default=False
            Draw ``std`` as error bars (an error of the grouped remainder is the root sum of squares).

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
            names.insert(0, other_features(len(rest)))
            self.order_.insert(0, -1)
        errs = None
        if error_bars:
            if self.std is None:
                raise ValueError("error_bars=True needs standard errors (std); this explanation has none.")
            sd = np.asarray(self.std, dtype=np.float64)
            errs = [float(sd[j]) for j in shown[::-1]]
            if len(rest):
                errs.insert(0, float(np.sqrt((sd[rest] ** 2).sum())))
        # a row per bar, taller for names wrapped on more lines: the last line of a three-line name
        # sat a line's gap above the next name, and read as a row of its own
        lines = max((wrap_label(s, 40).count("\n") + 1 for s in names), default=1)
        fig, ax = new_axes(ax, "WaterfallDisplay", figsize=(7, (0.4 + 0.2 * (lines - 1)) * len(steps) + 1.5))
        starts = self.base_value + np.concatenate([[0.0], np.cumsum(steps)[:-1]])
        self.ends_ = self.base_value + np.cumsum(steps)
        self.prediction_ = self.base_value + float(phi.sum())
        self.patches_ = []
        span = spread(float(np.ptp(np.concatenate([starts, self.ends_]))), self.base_value, self.prediction_)
        scale = max(np.abs(phi).max(initial=0.0), abs(self.base_value))
        reach = []  # where the error bars and the value labels reach, for the x limits
        labels = []  # (x, text) of the value labels
        for y, (s, w) in enumerate(zip(starts, steps, strict=True)):
            colour = POSITIVE if w >= 0 else NEGATIVE
            (patch,) = ax.barh(y, w, left=s, color=colour, height=0.7)
            self.patches_.append(patch)
            right, unknown = max(s, s + w), ""  # the value is written right of the bar and its error
            if errs is not None and np.isfinite(errs[y]):
                ax.errorbar(s + w, y, xerr=errs[y], color="0.15", capsize=2, lw=0.8)
                right = max(right, s + w + errs[y])
                reach += [s + w - errs[y], right + 0.01 * span]  # the error bar, and the value past it
            elif errs is not None:  # too few sampled coalitions to estimate any spread
                unknown = " (error unknown)"
            sign = "+" if w >= 0 else "-"
            text = format_value(abs(w), scale)
            at, label = right + 0.01 * span, (text if text == "0" else f"{sign}{text}") + unknown
            if errs is not None and np.isfinite(errs[y]):
                label = " " + label  # clear of the error bar's cap
            labels.append((at, label))
            # on a white ground: the f(x) / E[f(X)] lines can run through a label
            ax.text(
                at,
                y,
                label,
                va="center",
                ha="left",
                fontsize=8,
                zorder=4,
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.3},
            )
        for y in range(len(steps) - 1):
            ax.plot([self.ends_[y]] * 2, [y + 0.35, y + 0.65], color="0.5", lw=0.8)
        # under the labels (zorder 4 and 5, on opaque white): the lines ran through their digits
        ax.axvline(self.base_value, color="0.4", ls=":", lw=1, zorder=1.5)
        ax.axvline(self.prediction_, color="0.2", ls="--", lw=1, zorder=1.5)
        top = len(steps) - 0.4
        base_name, end_name = ("surrogate intercept", "surrogate g(x)") if self.surrogate else ("E[f(X)]", "f(x)")
        # beside their lines, towards the middle: centred on a line near the left edge, a label
        # ran across the y axis (and the line through it)
        middle = 0.5 * (min(starts.min(), self.ends_.min()) + max(starts.max(), self.ends_.max()))
        # the base value's label stands on the x axis (2 points above it): written down from
        # y=-0.9 in data units it crossed the axis line when the rows were small (1 to 3 bars)
        for x, y, text, rise, size in (
            (self.base_value, 0.0, base_name, 2, 8),
            (self.prediction_, top + 0.1, end_name, 0, 9),
        ):
            ax.annotate(
                f"{text} = {format_value(x, scale)}",
                (x, y),
                xytext=(3 if x <= middle else -3, rise),
                xycoords=("data", "axes fraction") if rise else "data",
                textcoords="offset points",
                ha="left" if x <= middle else "right",
                va="bottom",
                fontsize=size,
                # on white: the other lines (g(x), the model's f(x)) ran through the letters
                bbox={"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none"},
                zorder=5,
            )
        differs = self.model_output is not None and not np.isclose(
            self.model_output, self.prediction_, rtol=1e-6, atol=1e-9 * max(1.0, abs(self.model_output))
        )
        if differs or (self.surrogate and self.model_output is not None):
            ax.axvline(self.model_output, color="green", lw=1, zorder=1.5)
            ax.text(
                self.model_output,
                top + 0.75,
                f"model f(x) = {format_value(self.model_output, scale)}",
                color="green",
                ha="center",
                fontsize=8,
                bbox={"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none"},
                zorder=5,
            )
        ax.set_yticks(np.arange(len(steps)), [wrap_label(s, 40) for s in names])
        ax.set_ylim(-1.2, len(steps) + 0.9)
        lo = min(starts.min(), self.ends_.min())
        hi = max(starts.max(), self.ends_.max())
        if self.model_output is not None:
            lo, hi = min(lo, self.model_output), max(hi, self.model_output)
        if reach:  # error bars wider than the bars (and the values written past them) stay inside the axes
            lo, hi = min(lo, *reach), max(hi, *reach)
            span = max(span, hi - lo)
        left, right = lo - 0.08 * span, hi + 0.2 * span
        # the value labels (longer with " (error unknown)") stay inside the axes
        ax.set_xlim(left, right_limit_for_labels(ax, left, right, *zip(*labels, strict=True)))
        what = self.quantity or "model output"
        xlabel = fitted_xlabel(ax, f"surrogate's {what}" if self.surrogate else what)
        if errs is not None:  # say what the bars are: a standard error, not a 95% interval
            xlabel += f"\n{ERROR_BAR_NOTE}"
        ax.set_xlabel(xlabel)
        plain_ticks(ax, "x")
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        if self.method or self.quantity:
            set_fitted_title(ax, short_title(self.method, what).replace("\n", " "))
        self.ax_ = ax
        literal_text(ax)
        self.figure_ = fig
        return self
