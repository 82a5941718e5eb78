"""Global importance: one bar per feature, the mean absolute attribution."""

from __future__ import annotations

import numpy as np

from skxai.plot._base import (
    NEGATIVE,
    _select_output,
    explain,
    fitted_xlabel,
    format_value,
    is_anchor_explanation,
    is_surrogate,
    literal_text,
    new_axes,
    other_features,
    output_label,
    plain_ticks,
    right_limit_for_labels,
    set_fitted_title,
    tabular_parts,
    wrap_label,
)


class BarDisplay:
    """Bar chart of the mean absolute attribution of each feature (global importance).

    Build it with :meth:`from_explainer` or :meth:`from_explanation`; both draw it.

    Parameters
    ----------
    importances : ndarray of shape (n_features,)
        Mean absolute attribution of each feature.
    feature_names : list of str
    std : ndarray of shape (n_features,), optional
        Standard error of each importance, drawn as an error bar when given.
    method : str, optional
        Name of the explainer, shown in the title.
    quantity : str, optional
        What the attributions explain (``Explanation.quantity``, e.g. "probability"), shown
        in the axis label.
    std_label : str, optional
        What the error bars are, written under the axis when ``std`` is given (default: a
        standard error, +/- 1 std).
    surrogate : bool, default=False
        The values are a local surrogate's weights (LIME), labelled as such.
    anchors : bool, default=False
        The importances are the shares of the explained samples whose anchor (rule) uses each
        feature, labelled as such; the features not drawn are counted, not summed into a bar
        (a sum of shares means nothing).

    Attributes
    ----------
    order_ : ndarray
        Features drawn, most important first.
    bars_ : matplotlib BarContainer
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from skxai import Explanation
    >>> from skxai.plot import BarDisplay
    >>> exp = Explanation(np.array([[1.0, -2.0], [3.0, 0.0]]), feature_names=["a", "b"])
    >>> disp = BarDisplay.from_explanation(exp)
    >>> [round(float(p.get_width()), 2) for p in disp.bars_]
    [2.0, 1.0]
    """

    def __init__(
        self,
        importances,
        feature_names,
        *,
        std=None,
        method=None,
        quantity=None,
        std_label=None,
        surrogate=False,
        anchors=False,
    ):
        self.importances = np.asarray(importances, dtype=np.float64)
        self.feature_names = list(feature_names)
        self.std = std
        self.method = method
        self.quantity = quantity
        self.std_label = std_label
        self.surrogate = surrogate
        self.anchors = anchors

    @classmethod
    def from_explanation(cls, explanation, *, output=None, max_display=10, ax=None, error_bars=False):
        """Draw the mean absolute attribution of each feature of an :class:`~skxai.Explanation`.

        Parameters
        ----------
        explanation : Explanation
            Tabular explanation of several samples.
        output : str or int, optional
            Output to show: a class label or output name, or a position when the labels are not
            numbers (as ``target`` reads it); default the explanation's target.
        max_display : int, default=10
            Most features drawn with a bar of their own; the rest are summed into one more
            bar ("sum of N other features"), so up to ``max_display + 1`` bars.
        ax : matplotlib Axes, optional
        error_bars : bool or "samples", default=False
            True: the estimator's standard errors (``explanation.std``) carried to the mean:
            ``mean_i std_i`` where the samples share the draws of their errors
            (``explanation.std_rows_correlated``: KernelSHAP's coalitions and permutation
            sampling's permutations are drawn once for every row, the conditional game's
            Gaussian sampler draws once), a bound on the mean absolute value's error whatever
            their correlation; ``sqrt(sum_i std_i**2) / n`` where they are independent; "samples":
            the standard error of the mean over the explained samples; False: none.

        Returns
        -------
        BarDisplay
        """
        from skxai.plot._waterfall import check_error_bars

        error_bars = check_error_bars(explanation, error_bars, "BarDisplay", allowed=(True, False, "samples"))
        values, _, _, _, names, _ = tabular_parts(explanation, output, "BarDisplay", anchors_ok=True)
        anchors = is_anchor_explanation(explanation)
        # an anchor's values mark the features its rule uses: their mean is the share of the
        # samples whose rule uses each feature
        absval = (values != 0).astype(np.float64) if anchors else np.abs(values)
        std, shared = None, False
        if error_bars == "samples":
            if len(absval) < 2:
                # one sample has no spread: the picture came without bars and without a word
                raise ValueError(
                    "error_bars='samples' shows the standard error over the explained samples and "
                    f"needs at least 2 of them; the explanation has {len(absval)}. Use error_bars=True "
                    "for the estimator's own standard errors (explanation.std)."
                )
            std = absval.std(axis=0, ddof=1) / np.sqrt(len(absval))
        elif error_bars is True:
            if explanation.std is None:
                raise ValueError("error_bars=True needs the explanation's standard errors (std); it has none.")
            from skxai.plot._waterfall import _with_values

            sd = np.asarray(_select_output(_with_values(explanation, explanation.std), output)[0], dtype=np.float64)
            shared = bool(explanation.extras.get("std_rows_correlated", False))
            # Rows whose errors come from shared draws (one design, one set of permutations, the
            # Gaussian sampler's one matrix) are correlated, and |.| adds its own bias near zero:
            # |mean |phi_hat| - mean |phi|| <= mean |phi_hat - phi|, whose scale is the mean of
            # the errors whatever the correlation. As if independent, KernelSHAP's 95% bars held
            # 0.84 of a booster's mean |value| (0.91 sampling), and half for a linear model under
            # the Gaussian sampler.
            std = sd.mean(axis=0) if shared else np.sqrt((sd**2).sum(axis=0)) / len(sd)
        label = {
            "samples": "error bars: \u00b11 standard error\nover the explained samples",
            True: "error bars: \u00b11 standard error of the mean,\nfrom the estimates' standard errors",
        }.get(error_bars)
        if error_bars is True and shared:
            label = "error bars: at most \u00b11 standard error of the mean\n(every row shares the estimator's draws)"
        disp = cls(
            absval.mean(axis=0),
            names,
            std=std,
            method=explanation.method_title,
            quantity=None if anchors else output_label(explanation, output=output),
            std_label=label,
            surrogate=is_surrogate(explanation),
            anchors=anchors,
        )
        return disp.plot(ax=ax, max_display=max_display)

    @classmethod
    def from_explainer(cls, explainer, X, *, output=None, max_display=10, ax=None, error_bars=False):
        """Explain ``X`` with a fitted ``explainer`` and draw the global importance.

        Parameters
        ----------
        explainer : fitted skxai explainer
        X : array-like of shape (n_samples, n_features)
        output, max_display, ax
            As in :meth:`from_explanation`.

        Returns
        -------
        BarDisplay
        """
        exp = explain(explainer, X, "BarDisplay")
        return cls.from_explanation(exp, output=output, max_display=max_display, ax=ax, error_bars=error_bars)

    def plot(self, ax=None, *, max_display=10, color=NEGATIVE):
        """Draw the bars.

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Where to draw; a new figure when None.
        max_display : int, default=10
            Most features drawn with a bar of their own; the rest are summed into one more bar.
        color : str, default="#1f77b4"

        Returns
        -------
        self
        """
        if max_display < 1:
            raise ValueError(f"max_display must be at least 1, got {max_display}.")
        order = np.argsort(-self.importances, kind="stable")
        shown = order[:max_display]
        # a row per bar, taller for names wrapped on more lines (two-line names ran into each other)
        lines = max((wrap_label(self.feature_names[j]).count("\n") + 1 for j in shown), default=1)
        fig, ax = new_axes(
            ax, "BarDisplay", figsize=(6, (0.35 + 0.3 * (lines - 1)) * min(max_display, len(self.importances)) + 1.2)
        )
        heights = list(self.importances[shown])
        labels = [self.feature_names[j] for j in shown]
        errs = None if self.std is None else list(np.asarray(self.std)[shown])
        rest = order[max_display:]
        if len(rest) and not self.anchors:
            heights.append(float(self.importances[rest].sum()))
            labels.append(f"sum of {other_features(len(rest))}")
            if errs is not None:
                # the remainder's error, as the waterfall's: root sum of squares (inf: unknown),
                # not 0, which drew the summed estimates as exactly known
                errs.append(float(np.sqrt((np.asarray(self.std, dtype=np.float64)[rest] ** 2).sum())))
        y = np.arange(len(heights))[::-1]
        # an infinite error (too few sampled coalitions to estimate any spread) draws no bar
        known = np.isfinite(errs) if errs is not None else np.ones(len(heights), dtype=bool)
        room = np.where(known, errs, 0.0) if errs is not None else np.zeros(len(heights))
        xerr = None if errs is None else np.where(known, errs, np.nan)
        self.bars_ = ax.barh(y, heights, xerr=xerr, color=color, ecolor="0.4", capsize=2)
        texts = []
        for k, (yy, h) in enumerate(zip(y, heights, strict=True)):
            unknown = "" if known[k] else " (error unknown)"
            # one more space clear of an error bar's cap
            texts.append(("  " if room[k] > 0 else " ") + format_value(h, max(heights)) + unknown)
            ax.text(h + room[k], yy, texts[-1], va="center", fontsize=8)
        ax.set_yticks(y, [wrap_label(s) for s in labels])
        what = "surrogate weight" if self.surrogate else "attribution"
        xlabel = f"mean |{what}| to the {self.quantity}" if self.quantity else f"mean |{what}|"
        if self.anchors:
            xlabel = "share of the explained samples whose anchor uses the feature"
        xlabel = fitted_xlabel(ax, xlabel)
        if self.anchors and len(rest):
            xlabel += f"\n({other_features(len(rest))} not shown)"
        if errs is not None:  # say what the bars are
            xlabel += "\n" + (self.std_label or "error bars: \u00b11 standard error")
        ax.set_xlabel(xlabel)
        plain_ticks(ax, "x")
        if self.method:
            set_fitted_title(
                ax, f"{self.method}: " + ("features used by the anchors" if self.anchors else "global importance")
            )
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        top = max(h + room[k] for k, h in enumerate(heights))
        right = top * 1.25 if top > 0 else 1.0
        ax.set_xlim(0, right_limit_for_labels(ax, 0.0, right, np.add(heights, room), texts))
        self.order_ = shown
        self.ax_ = ax
        literal_text(ax)
        self.figure_ = fig
        return self
