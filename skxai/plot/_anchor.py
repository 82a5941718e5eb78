"""The course's anchor picture: every evaluated candidate in the (size, precision) plane."""

from __future__ import annotations

import numpy as np

from skxai.plot._base import explain, format_value, isolate_names, literal_text, new_axes, require_samples
from skxai.plot._textparts import _item

_WORD_KEYS = ("anchor", "words", "names", "features", "rule")
_PREC_KEYS = ("precision", "mean", "prec")


def _candidate(c):
    """(words, precision, lower, upper, n_samples) of one candidate in any of the usual shapes.

    A tabular anchor's candidate judged on fresh samples gives those figures (the anchor's
    precision is theirs); its other fields count the background rows that chose it."""
    if isinstance(c, dict) and c.get("fresh_precision") is not None:
        return (
            _words(next((c[k] for k in _WORD_KEYS if k in c), ())),
            float(c["fresh_precision"]),
            c.get("fresh_precision_lower"),
            c.get("fresh_precision_upper"),
            c.get("fresh_n_samples"),
        )
    if isinstance(c, dict):
        words = next((c[k] for k in _WORD_KEYS if k in c), ())
        prec = next((c[k] for k in _PREC_KEYS if k in c), np.nan)
        lower = next((c[k] for k in ("precision_lower", "lower", "lb") if k in c), None)
        upper = next((c[k] for k in ("precision_upper", "upper", "ub") if k in c), None)
        return _words(words), float(prec), lower, upper, c.get("n_samples", c.get("n"))
    for attr in ("anchor", "words"):
        if hasattr(c, attr) and hasattr(c, "precision"):
            return (
                _words(getattr(c, attr)),
                float(c.precision),
                getattr(c, "lower", None),
                getattr(c, "upper", None),
                getattr(c, "n_samples", None),
            )
    c = tuple(c)
    if len(c) < 2:
        raise ValueError(f"Cannot read the anchor candidate {c!r}: expected (words, precision, ...).")
    return _words(c[0]), float(c[1]), None, None, (c[2] if len(c) > 2 else None)


def _words(w):
    if isinstance(w, str):
        return (w,)
    return tuple(str(v) for v in w)


def _opt(v):
    return np.nan if v is None else float(v)


class AnchorSearchDisplay:
    """Candidates evaluated by the anchor search, plotted as size against estimated precision.

    The horizontal line is the precision threshold; the selected anchor is the star: the
    shortest candidate whose precision clears the threshold (ties broken by precision).

    Parameters
    ----------
    sizes : ndarray of shape (n_candidates,)
        Number of words of each candidate.
    precisions : ndarray of shape (n_candidates,)
        Estimated precision of each candidate.
    labels : list of str
        Words of each candidate.
    threshold : float
    selected : int or None
        Index of the selected anchor among the candidates.
    lower, upper : ndarray, optional
        Confidence bounds of the precisions (drawn as error bars).
    coverage : float, optional
        Coverage of the selected anchor.
    method : str, optional
        Name of the explainer, shown in the title.
    unit : {"words", "conditions"}, default="words"
        What a candidate is made of: the words of a document, or the conditions of a tabular
        rule (each label then joins them with " AND ").
    success : bool, optional
        False when no candidate reached the threshold: the star is then the best rule found,
        and the title and legend say so.
    judged : ndarray of bool, optional
        Which candidates' precisions were measured on fresh samples; the others (drawn
        hollow) were measured on the background rows alone. A tabular search judges its beam on
        fresh samples, and reports the anchor's precision from them.

    Attributes
    ----------
    scatter_ : matplotlib PathCollection
        One point per candidate.
    threshold_line_ : matplotlib Line2D
    selected_marker_ : matplotlib PathCollection or None
    legend_ : matplotlib Legend
        Placed in the corner that covers the fewest points, error bars and labels.
    ax_, figure_

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from skxai import Explanation
    >>> from skxai.plot import AnchorSearchDisplay
    >>> cands = [(("bad",), 0.8), (("great",), 0.97), (("great", "film"), 0.99)]
    >>> exp = Explanation([None], data=["a great film"], anchor=[["great"]],
    ...                   precision=[0.97], candidates=[cands], threshold=0.95)
    >>> disp = AnchorSearchDisplay.from_explanation(exp)
    >>> disp.selected, len(disp.scatter_.get_offsets())
    (1, 3)
    """

    def __init__(
        self,
        sizes,
        precisions,
        labels,
        *,
        threshold,
        selected=None,
        lower=None,
        upper=None,
        coverage=None,
        method=None,
        unit="words",
        judged=None,
        success=None,
    ):
        self.sizes = np.asarray(sizes, dtype=np.float64)
        self.precisions = np.asarray(precisions, dtype=np.float64)
        self.labels = list(labels)
        self.threshold = float(threshold)
        self.selected = selected
        self.lower = lower
        self.upper = upper
        self.coverage = coverage
        self.method = method
        self.unit = unit
        self.judged = judged
        self.success = success

    @classmethod
    def from_explanation(cls, explanation, *, index=0, threshold=None, ax=None, max_labels=5):
        """Draw the candidates of document ``index`` of an anchor :class:`~skxai.Explanation`.

        Parameters
        ----------
        explanation : Explanation
            Needs the fields ``candidates`` (per document: the evaluated candidates, each a
            dict with ``anchor`` and ``precision``, or a ``(words, precision)`` pair) and
            ``anchor``; ``threshold`` from the explanation unless given.
        index : int, default=0
        threshold : float, optional
        ax : matplotlib Axes, optional
        max_labels : int, default=5
            Candidates annotated with their words (the most precise ones, and the anchor).

        Returns
        -------
        AnchorSearchDisplay
        """
        require_samples(explanation, "AnchorSearchDisplay", takes_index=True, axis="document")
        extras = explanation.extras
        if "candidates" not in extras or extras["candidates"] is None:
            raise ValueError(
                "This explanation holds no 'candidates' (the anchors evaluated by the search); "
                "explain with an AnchorTextExplainer that records them."
            )
        raw = list(_item(extras["candidates"], index))
        cands = [_candidate(c) for c in raw]
        if not cands:
            raise ValueError(f"Document {index} has no evaluated candidates.")
        # a tabular search judges only its beam on fresh samples; the other candidates have the
        # background rows' figures alone (drawn hollow, and said so)
        judged = None
        if any(isinstance(c, dict) and "fresh_precision" in c for c in raw):
            judged = np.array([c.get("fresh_precision") is not None for c in raw])
        recorded = extras.get("threshold")
        recorded = _item(recorded, index) if isinstance(recorded, list | np.ndarray) else recorded
        if threshold is None:
            threshold = recorded
        if threshold is None:
            raise ValueError("Give threshold=...: the explanation does not record it.")
        anchor = extras.get("anchor")
        anchor = None if anchor is None else _words(_item(anchor, index))
        words = [c[0] for c in cands]
        selected = None
        if anchor is not None:
            hits = [i for i, w in enumerate(words) if sorted(w) == sorted(anchor)]
            selected = hits[-1] if hits else None
        coverage = extras.get("coverage")
        coverage = None if coverage is None else float(_item(coverage, index))
        success = extras.get("success")
        success = None if success is None else bool(_item(success, index))
        if recorded is None or not np.isclose(float(threshold), float(recorded)):
            success = None  # the search's verdict was at its own threshold, not the one drawn
        # a tabular anchor's candidates are conditions ("0.3 <= age < 0.8"), not words: joined by
        # spaces they ran together ("f3 >= 0.84 0.49 <= f4 < 1.04")
        rules = any(any(ch.isspace() for ch in w) for ws in words for w in ws)
        if rules:
            names = [] if explanation.feature_names is None else [str(v) for v in explanation.feature_names]
            labels = [" AND ".join(isolate_names(w, names) for w in ws) for ws in words]
        else:
            # in the document's order, as the highlight and the report's header write the anchor
            # (the search's order said "snow rain" under "rain AND snow")
            tokens = getattr(explanation, "tokens", None)
            first = {}
            for i, token in enumerate([] if tokens is None else _item(tokens, index)):
                first.setdefault(str(token), i)
            labels = [" ".join(sorted(w, key=lambda t: first.get(t, len(first)))) for w in words]
        disp = cls(
            [len(w) for w in words],
            [c[1] for c in cands],
            labels,
            threshold=threshold,
            selected=selected,
            lower=np.array([_opt(c[2]) for c in cands]),
            upper=np.array([_opt(c[3]) for c in cands]),
            coverage=coverage,
            method=explanation.method,
            unit="conditions" if rules else "words",
            judged=judged,
            success=success,
        )
        return disp.plot(ax=ax, max_labels=max_labels)

    @classmethod
    def from_explainer(cls, explainer, documents, *, index=0, ax=None, max_labels=5):
        """Explain document ``index`` of ``documents`` with an anchor explainer and draw its search.

        ``documents`` may also be the rows of a tabular anchor explainer (an array or a
        DataFrame: ``index`` is a position). The threshold is the explainer's ``threshold``.

        Returns
        -------
        AnchorSearchDisplay
        """
        if isinstance(documents, str):
            docs = [documents]
        elif hasattr(documents, "iloc"):  # a frame's rows, by position (documents[index] read a column)
            docs = documents.iloc[index : index + 1]
        elif getattr(documents, "ndim", 1) >= 2:  # a table's row as a table of one row
            docs = documents[index : index + 1]
        else:
            docs = [documents[index]]
        exp = explain(explainer, docs, "AnchorSearchDisplay")
        threshold = getattr(explainer, "threshold", None)
        return cls.from_explanation(exp, index=0, threshold=threshold, ax=ax, max_labels=max_labels)

    def _bottom(self):
        low = float(np.nanmin(self.precisions))
        return max(0.0, min(low, self.threshold) - 0.05)

    def _label(self, ax, fig, x, ranked, max_labels, renderer, ceiling=None, avoid=()):
        """Name the selected anchor and the most precise candidates, each label beside its
        point or, where that spot is taken, shifted up or down with a thin line to the point.

        A label covers no point, no star and no other label (names written over the points of
        a crowded search, over the star and over each other, hid what they named); one that
        finds no free spot is left out, except the selected anchor's. Returns
        ``[(index, annotation, leader line or None)]``; no label goes above the pixel
        height ``ceiling`` (the legend's band) and none covers the boxes ``avoid``.
        """
        from matplotlib.transforms import Bbox

        px = fig.dpi / 72  # pixels per point
        whole = ax.get_window_extent(renderer)
        # the band above it is the legend's; the selected anchor's name may go there, the
        # legend then taking the other corner
        below = whole if ceiling is None else Bbox([[whole.x0, whole.y0], [whole.x1, min(whole.y1, ceiling)]])
        pts = ax.transData.transform(np.column_stack([x, self.precisions]))
        radius = np.full(len(x), np.sqrt(25) / 2 * px)
        if self.selected is not None:
            radius[self.selected] = np.sqrt(250) / 2 * px
        obstacles = [Bbox([[a - r, b - r], [a + r, b + r]]) for (a, b), r in zip(pts, radius, strict=True)]
        obstacles += [b.padded(0.06 * b.width) for b in avoid]
        placed, out = [], []
        mid = (self.sizes.min() + self.sizes.max()) / 2
        for i in ranked:
            if len(out) >= max_labels + (self.selected is not None):
                break
            text = self.labels[i] or ("(no word)" if self.unit == "words" else "(no condition)")
            bold = i == self.selected
            frame = whole if bold else below
            note = ax.annotate(
                text,
                (x[i], self.precisions[i]),
                textcoords="offset points",
                xytext=(0, 0),
                ha="left",
                va="center",
                fontsize=8,
                weight="bold" if bold else "normal",
            )
            # right of the point, but left of those in the right half: a label written rightwards
            # from the largest size ran past the axes and was cut at the figure's edge
            sides = ("left", "right") if x[i] > mid else ("right", "left")
            joiner = " AND " if self.unit == "conditions" else " "
            gap = radius[i] + 2 * px

            def fit(side, share=1.0, note=note, text=text, joiner=joiner, i=i, gap=gap):
                """The label shortened to ``share`` of the room on ``side`` of the point (a rule
                of 9 conditions ran past both edges): its text, width and height in pixels."""
                room = 0.96 * ((pts[i, 0] - whole.x0 if side == "left" else whole.x1 - pts[i, 0]) - gap) - 2 * px
                room *= share
                note.set_ha("left")
                _fit_label(note, text, joiner, room, renderer)
                box = note.get_window_extent(renderer)
                return note.get_text(), box.width, box.height

            def spot(side, step, w, h, i=i, gap=gap):
                cy = pts[i, 1] + step * (h + px)
                x0 = pts[i, 0] + gap if side == "right" else pts[i, 0] - gap - w
                return Bbox([[x0, cy - h / 2], [x0 + w, cy + h / 2]])

            found = None
            # the selected anchor's name, when no spot holds it, is shortened further (its
            # words are then written in full in the title)
            tries = [(side, share) for share in ((1.0, 0.6, 0.35, 0.2) if bold else (1.0,)) for side in sides]
            for side, share in tries:
                shown, w, h = fit(side, share)
                if not bold and shown != text and not shown.startswith(text.split(joiner)[0] + joiner):
                    continue  # cut inside its first word ("char…"): it names nothing
                # nearest free spot first, up and down; the selected anchor's name looks further
                for step in [0] + [k * sign for k in range(1, 25 if bold else 7) for sign in (1, -1)]:
                    cand = spot(side, step, w, h)
                    # checked with a margin: saved at another resolution, hinted text is a few
                    # per cent wider or narrower than measured here (not toward its own point,
                    # which it sits beside)
                    pad = cand.padded(0.05 * w + 2)
                    others = placed + obstacles[:i] + obstacles[i + 1 :]
                    if (
                        cand.x0 >= frame.x0
                        and cand.x1 <= frame.x1
                        and cand.y0 >= frame.y0
                        and cand.y1 <= frame.y1
                        and not cand.overlaps(obstacles[i])
                        and not any(pad.overlaps(b) for b in others)
                    ):
                        found = (side, step, cand, shown)
                        break
                if found:
                    break
            if found is None:
                if not bold:
                    note.remove()
                    continue
                # the selected anchor is always named: beside its star, on its preferred side
                shown, w, h = fit(sides[0])
                found = (sides[0], 0, spot(sides[0], 0, w, h), shown)
            side, step, cand, shown = found
            note.set_text(shown)
            note.set_ha("right" if side == "left" else "left")
            dx = (gap if side == "right" else -gap) / px
            note.xyann = (dx, (cand.y0 + cand.y1) / 2 / px - pts[i, 1] / px)
            leader = None
            if step:
                # a thin line from the point to the label moved off it
                ex = cand.x0 if side == "right" else cand.x1
                (lx0, ly0), (lx1, ly1) = ax.transData.inverted().transform([pts[i], [ex, (cand.y0 + cand.y1) / 2]])
                (leader,) = ax.plot([lx0, lx1], [ly0, ly1], color="0.45", lw=0.5, zorder=1.5)
            placed.append(cand)
            if bold:
                self._shortened_selected = self._shortened_selected or shown != text
            out.append((i, note, leader))
        return out

    def _set_title(self, ax):
        title = f"Anchor search ({self.method})" if self.method else ""
        self._titled_in_full = self.selected is not None and self._shortened_selected
        # a failed search says so (its star sat below the threshold line, captioned "selected
        # anchor", with nothing to say that no anchor had been found)
        failed = (
            f"no anchor accepted at {format_value(self.threshold)} (no lower bound reached it)"
            if self.success is False
            else None
        )
        if self._titled_in_full:
            import textwrap

            full = self.labels[self.selected]
            what = "selected anchor" if failed is None else f"{failed}; the best rule found"
            title += ("\n" if title else "") + "\n".join(textwrap.wrap(f"{what}: {full}", 80))
        elif failed is not None:
            title += ("\n" if title else "") + f"{failed}: the star is the best rule found"
        if title:
            ax.set_title(title, fontsize=10 if "\n" not in title else 9)

    def _place_legend(self, ax, handles, x, renderer, locs=None):
        """The legend in the corner that covers the fewest points, error bars and labels.

        ``loc="best"`` ignores error bars (a LineCollection): the legend was put over them.
        Returns how many points the legend covers in the corner taken.
        """
        from matplotlib.lines import Line2D
        from matplotlib.transforms import Bbox

        handles = list(handles)
        # the points' two colours, each named: one "evaluated candidates" entry took the colour
        # of the first point drawn, grey in one picture and green in the next
        at = handles.index(self.scatter_)
        # the kinds drawn only: "at or above threshold (green)" was listed where no point is green
        # (the selected anchor's point lies under its star)
        above = np.asarray(self.precisions) >= self.threshold
        if self.selected is not None:
            above = np.delete(above, self.selected)
        kinds = [
            Line2D([], [], ls="", marker="o", color="#2ca02c", label="candidate at or above threshold"),
            Line2D([], [], ls="", marker="o", color="#7f7f7f", label="candidate below threshold"),
        ]
        kept = [k for k, drawn in zip(kinds, (above.any(), (~above).any()), strict=True) if drawn]
        handles[at : at + 1] = kept
        if self.judged is not None and not np.all(self.judged):
            hollow = Line2D(
                [], [], ls="", marker="o", mfc="none", mec="#7f7f7f", label="precision on background rows only"
            )
            handles.insert(at + len(kept), hollow)
        pts = ax.transData.transform(np.column_stack([x, self.precisions]))
        lo = hi = None
        if self.lower is not None and self.upper is not None:
            lo = ax.transData.transform(np.column_stack([x, np.nan_to_num(np.asarray(self.lower, float))]))[:, 1]
            hi = ax.transData.transform(np.column_stack([x, np.nan_to_num(np.asarray(self.upper, float))]))[:, 1]
        texts = [t.get_window_extent(renderer) for t in ax.texts]
        # the selected anchor's name is never hidden: the other names give way to the legend
        bold = [t.get_window_extent(renderer) for t in ax.texts if t.get_weight() == "bold"]
        best, best_cost = None, None
        r = np.sqrt(25) / 2 * ax.figure.dpi / 72  # a point's radius: its edge under the legend hides it too
        locs = locs or ("lower right", "upper left", "lower left", "upper right", "center right", "center left")
        for loc in locs:
            leg = ax.legend(handles=handles, loc=loc, fontsize=8)
            b = leg.get_window_extent(renderer)
            # and a margin: saved at another resolution (the report's 80 dpi), the hinted text
            # of the legend is relatively wider, and a point beside it went under its edge
            m = r + 0.06 * b.width
            inside = (pts[:, 0] >= b.x0 - m) & (pts[:, 0] <= b.x1 + m)
            hidden = int((inside & (pts[:, 1] >= b.y0 - m) & (pts[:, 1] <= b.y1 + m)).sum())
            cost = 3 * hidden
            if lo is not None:
                cost += int((inside & (lo <= b.y1) & (hi >= b.y0)).sum())
            # labels with the same margin: at 80 and 150 dpi the legend's edge cut the bold
            # anchor's first letter ("errible"), which at 100 dpi it only touched
            padded = Bbox.from_extents(b.x0 - m, b.y0 - m, b.x1 + m, b.y1 + m)
            cost += 3 * sum(padded.overlaps(t) for t in texts) + 100 * sum(padded.overlaps(t) for t in bold)
            if best_cost is None or cost < best_cost:
                best, best_cost, best_hidden = loc, cost, hidden
            if cost == 0:
                break
        self.legend_ = ax.legend(handles=handles, loc=best, fontsize=8)
        return best_hidden

    def plot(self, ax=None, *, max_labels=5):
        """Draw the plane.

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Axes to draw on; a new figure when None.
        max_labels : int, default=5
            Candidates annotated with their words (the most precise ones, and the anchor).

        Returns
        -------
        self
        """
        fig, ax = new_axes(ax, "AnchorSearchDisplay", figsize=(6, 4))
        # Candidates of one size are spread evenly across [-0.3, 0.3] so none hides another.
        x = self.sizes.copy()
        for size in np.unique(self.sizes):
            at = np.flatnonzero(self.sizes == size)
            if len(at) > 1:
                x[at] += np.linspace(-0.3, 0.3, len(at))
        above = self.precisions >= self.threshold
        colours = np.where(above, "#2ca02c", "#7f7f7f")
        errorbars = None
        if self.lower is not None and self.upper is not None:
            lo, hi = np.asarray(self.lower, float), np.asarray(self.upper, float)
            ok = ~(np.isnan(lo) | np.isnan(hi))
            if ok.any():
                # The axis is scaled to the estimates: a bound below it is cut, and the legend
                # says so rather than leaving bars that end at the axis unexplained.
                cut = bool((lo[ok] < self._bottom()).any())
                errorbars = ax.errorbar(
                    x[ok],
                    self.precisions[ok],
                    # one (2, n) array: a list of arrays makes matplotlib test
                    # math.isfinite on an array (a DeprecationWarning on numpy 1.x)
                    yerr=np.vstack([self.precisions[ok] - lo[ok], hi[ok] - self.precisions[ok]]),
                    fmt="none",
                    ecolor="0.75",
                    lw=0.8,
                    zorder=1,
                    label="confidence bounds" + (" (cut at the axis)" if cut else ""),
                )
        faces = colours.astype(object)
        if self.judged is not None:
            faces[~np.asarray(self.judged, dtype=bool)] = "none"
        self.scatter_ = ax.scatter(x, self.precisions, facecolors=list(faces), edgecolors=list(colours), s=25, zorder=2)
        self.threshold_line_ = ax.axhline(
            self.threshold, color="#d62728", ls="--", lw=1, label=f"threshold {self.threshold:.2f}"
        )
        self.selected_marker_ = None
        if self.selected is not None:
            s = self.selected
            label = "selected anchor" if self.success is not False else "best rule found, no anchor"
            if self.coverage is not None:
                # format_value: a long document's anchor covers 0.002, which .2f printed as 0.00
                label += f" (coverage {format_value(self.coverage)}"
                if float(self.coverage) == 0:
                    # a real value, not a missing one: "(coverage 0)" read as "applies nowhere"
                    label += ": in no corpus document" if self.unit == "words" else ": no background row satisfies it"
                label += ")"
            self.selected_marker_ = ax.scatter(
                [x[s]], [self.precisions[s]], marker="*", s=250, color="#ff7f0e", edgecolor="k", zorder=3, label=label
            )
        ax.set_xticks(np.arange(int(self.sizes.min()), int(self.sizes.max()) + 1))
        ax.set_xlim(self.sizes.min() - 0.5, self.sizes.max() + 0.5)
        ax.set_xlabel(f"anchor size ({self.unit})")
        ax.set_ylabel("estimated precision")
        ax.set_ylim(self._bottom(), 1.02)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        ranked = list(np.argsort(-self.precisions, kind="stable"))
        if self.selected is not None:
            ranked = [self.selected] + [i for i in ranked if i != self.selected]
        handles = [h for h in (errorbars, self.scatter_, self.threshold_line_, self.selected_marker_) if h]
        renderer = fig._get_renderer()  # also for a Figure without a pyplot canvas (the report)
        self._shortened_selected = False
        bottom, band = self._bottom(), 0.0
        ticks = [t for t in ax.get_yticks() if bottom <= t <= 1.0 + 1e-9]
        for attempt in range(3):
            self._set_title(ax)
            literal_text(ax)
            # the figure's layout (a title of two lines, long tick labels) settled before the
            # labels are placed in pixels: a layout made at the draw moved the points under them
            if fig.get_layout_engine() is not None or type(fig).__name__ == "RoomyFigure":
                fig.draw_without_rendering()
            frame = ax.get_window_extent(renderer)
            if band:
                # the band's height in pixels, for the axes as now laid out (a longer title
                # since the band was made shortens them)
                ax.set_ylim(bottom, 1.02 + band * (1.02 - bottom) / max(frame.height - band, 1.0))
                ax.set_yticks(ticks)  # no tick above 1: a precision is at most 1
                # the legend first, in the band's corner away from the star; the names then
                # keep clear of it (the selected anchor's name, which may rise into the band,
                # was written under it)
                star = x[self.selected] if self.selected is not None else self.sizes.max()
                right = star > (self.sizes.min() + self.sizes.max()) / 2
                hidden = self._place_legend(ax, handles, x, renderer, locs=("upper left" if right else "upper right",))
                avoid = [self.legend_.get_window_extent(renderer)]
                notes = self._label(ax, fig, x, ranked, max_labels, renderer, ceiling=frame.y1 - band, avoid=avoid)
            else:
                notes = self._label(ax, fig, x, ranked, max_labels, renderer)
                hidden = self._place_legend(ax, handles, x, renderer)
            # a name under the legend is hidden: the legend went to the freest corner, the
            # names it still covers are left out (the selected anchor's is kept)
            legend_box = self.legend_.get_window_extent(renderer)
            near = legend_box.padded(0.06 * legend_box.width)  # wider at 80 dpi, as the names
            covers_selected = False
            for i, note, leader in notes:
                if note.get_window_extent(renderer).overlaps(near):
                    if i == self.selected:
                        covers_selected = True  # kept: the legend moves to a band instead
                        continue
                    note.remove()
                    if leader is not None:
                        leader.remove()
            # the selected anchor's label was cut to its room: its words in full in the title
            retitle = self._shortened_selected and not self._titled_in_full
            if attempt == 2:
                break
            if (hidden or covers_selected) and not band:
                # every corner of the axes held points (a candidate above the threshold was
                # drawn under the legend): a band above the highest precision, 1, holds it
                # (above the star at 1 too, with a margin for text hinted wider at 80 dpi)
                band = 1.05 * legend_box.height + (np.sqrt(250) / 2 + 6) * fig.dpi / 72
            elif not retitle:
                break
            # the labels and the legend placed again for the new axes
            for _, note, leader in notes:
                if note.axes is not None:
                    note.remove()
                if leader is not None and leader.axes is not None:
                    leader.remove()
            self.legend_.remove()
        self.ax_ = ax
        literal_text(ax)
        self.figure_ = fig
        return self


def _fit_label(note, text, joiner, room, renderer):
    """Shorten the label ``note`` to at most ``room`` pixels: its first parts (words or
    conditions) and how many more there are, or its first characters."""

    def fits(candidate):
        note.set_text(candidate)
        return note.get_window_extent(renderer).width <= room

    if fits(text):
        return
    parts = text.split(joiner)
    for k in range(len(parts) - 1, 0, -1):
        if fits(joiner.join(parts[:k]) + f"{joiner}\u2026 (+{len(parts) - k})"):
            return
    head = parts[0]
    while len(head) > 1 and not fits(head + "\u2026"):
        head = head[: max(1, int(len(head) * 0.8))]
