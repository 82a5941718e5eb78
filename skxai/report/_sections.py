"""The views of one explainer in a report: what was explained, settings, global and local pictures, quality."""

from __future__ import annotations

import re
import time
import traceback

import numpy as np

from skxai._adapters import is_frozen
from skxai.plot.rendering import (
    explained_quantity,
    fig_to_png_bytes,
    format_value,
    is_anchor_explanation,
    is_right_to_left,
    is_surrogate,
    is_text_explanation,
    name_lines,
    output_label,
    outputs_in_turn,
    parts_html,
    plain_ticks,
    text_parts,
    unpicked_outputs,
    unrounded_landmark,
)
from skxai.report._page import esc, kv_table, png_figure, slug
from skxai.utils._rows import same_rows

# Metrics tried for every report; their direction is the one skxai.metrics registers
# (metric_reading). Each is looked up at run time: a metric that is not installed, or does
# not apply to this kind of explanation, is reported as such instead of failing the page.
METRICS = ("deletion_auc", "insertion_auc", "faithfulness_correlation")


def metric_reading(name):
    """ "higher is better" or "lower is better" for a metric registered in skxai.metrics (the
    report kept its own table of three: infidelity read "see skxai.metrics"), else a pointer."""
    from skxai.metrics import make_explanation_scorer

    try:
        return "higher is better" if make_explanation_scorer(name).sign > 0 else "lower is better"
    except (ValueError, TypeError):
        return "see skxai.metrics"


def _metric_function(metrics_module, name):
    """The per-sample function of a registered metric name (aliases and the drop / increase /
    gain fields included), else the module's function of that name, else None."""
    from skxai.metrics import make_explanation_scorer

    try:
        return make_explanation_scorer(name).metric
    except (ValueError, TypeError):
        return getattr(metrics_module, name, None)


def _takes_attributions(func):
    """Whether ``func`` takes ``attributions=`` (the report's values are then reused): a
    metric without it was reported "not applicable" from the TypeError of the keyword."""
    import inspect

    try:
        params = inspect.signature(func).parameters.values()
    except (TypeError, ValueError):
        return True
    return any(p.name == "attributions" or p.kind is inspect.Parameter.VAR_KEYWORD for p in params)


def new_figure(figsize):
    """A matplotlib Figure outside pyplot (no GUI backend, freed with the object)."""
    from matplotlib.figure import Figure

    # "tight" lays out in one pass; constrained layout or bbox_inches="tight" cost a second draw.
    return Figure(figsize=figsize, layout="tight")


class SectionBuilder:
    """Collects the HTML and PNG figures of one explainer's section."""

    def __init__(self, name, dpi, figures):
        self.name = name
        self.dpi = dpi
        self.parts = []
        self.figures = figures  # shared list of (file name, png bytes)

    def add(self, html):
        self.parts.append(html)

    def note(self, text, kind="note"):
        self.parts.append(f'<div class="{kind}">{esc(text)}</div>')

    def figure(self, draw, caption, figsize=(6.5, 4.0), n_axes=1, literal=True):
        """Draw with ``draw(ax)`` on a fresh figure and embed it; failures become a note.
        ``n_axes=0`` passes the figure itself. ``literal`` draws every text as it is: the
        feature names, class labels and words of the data are not matplotlib mathtext, so a
        name holding two ``$`` ("cost $x^2$") is not typeset, nor an invalid one fails the figure."""
        import contextlib

        import matplotlib

        fig = new_figure(figsize)
        literal_text = matplotlib.rc_context({"text.parse_math": False}) if literal else contextlib.nullcontext()
        try:
            with literal_text:
                if n_axes == 0:
                    draw(fig)
                else:
                    draw(fig.subplots(1, n_axes) if n_axes > 1 else fig.subplots())
                png = fig_to_png_bytes(fig, dpi=self.dpi, tight=False)
        except Exception as exc:  # a picture that cannot be drawn must not lose the page
            self.note(f"{caption}: could not be drawn ({type(exc).__name__}: {exc})", "error")
            return
        fname = f"{slug(self.name)[:32].strip('-')}-{len(self.figures):02d}-{slug(caption)[:40]}.png"
        self.figures.append((fname, png))
        self.parts.append(png_figure(png, caption))

    def html(self):
        return "\n".join(self.parts)


def describe_model(est):
    """One line naming the explained model (pipeline steps, frozen wrapper, torch module)."""
    name = type(est).__name__
    if hasattr(est, "steps"):
        return "Pipeline: " + " → ".join(f"{n} ({type(s).__name__})" for n, s in est.steps)
    if is_frozen(est):
        return f"FrozenEstimator of {describe_model(est.estimator)}"
    module = getattr(est, "module_", None)
    if module is None and hasattr(est, "parameters") and hasattr(est, "forward"):
        module = est
    if module is not None and hasattr(module, "parameters"):
        n_params = sum(int(p.numel()) for p in module.parameters())
        prefix = f"{name} wrapping " if module is not est else ""
        return f"{prefix}torch module {type(module).__name__} ({n_params:,} parameters)"
    return name


def _short(value, limit=120):
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _is_model(value):
    """A scikit-learn estimator, a skorch net or a torch module (a setting whose repr is a page of
    nested steps or layers, cut at 120 characters: "Pipeline(steps=[('standardscaler', …")."""
    return not isinstance(value, type) and (
        callable(getattr(value, "fit", None)) or (hasattr(value, "parameters") and hasattr(value, "forward"))
    )


def settings_html(explainer):
    params = explainer.get_params(deep=False)
    # A renamed parameter left at its "deprecated" default is not a setting of the explainer.
    rows = [
        (k, esc(describe_model(v)) if _is_model(v) else f"<code>{esc(_short(v))}</code>")
        for k, v in sorted(params.items())
        if not (isinstance(v, str) and v == "deprecated")
    ]
    return kv_table(rows)


def doc_summary(cls):
    """The first sentence of a class docstring as plain text (RST markup removed, never cut mid-sentence)."""
    doc = (cls.__doc__ or "").strip()
    para = " ".join(doc.split("\n\n")[0].split())
    text = plain_rst(para)
    match = re.search(r"(?<=[.!?])\s+(?=[A-Z(])", text)
    return text[: match.start()] if match else text


def plain_rst(text):
    """RST inline markup as plain text: ``code``, :role:`target`, *emphasis*, `links <...>`_."""
    text = re.sub(
        r":[a-z]+(?::[a-z]+)?:`~?([^`<]*?)(?:\s*<[^>]*>)?`",
        lambda m: m.group(1).split(".")[-1] if m.group(0).find("~") >= 0 else m.group(1),
        text,
    )
    text = re.sub(r"`([^`<]+?)\s*<[^>]+>`_+", r"\1", text)
    text = re.sub(r"``([^`]+)``", r"\1", text)
    text = re.sub(r"`([^`]+)`_*", r"\1", text)
    text = re.sub(r"\*\*([^*]+)\*\*|\*([^*]+)\*", lambda m: m.group(1) or m.group(2), text)
    return text


def what_html(explainer, X, exp, seconds, steps=()):
    """The table saying which model, data, outputs, quantity and method were explained."""
    rows = [("explainer", f"<b>{esc(type(explainer).__name__)}</b> — {esc(doc_summary(type(explainer)))}")]
    if steps:
        rows.append(("pipeline steps before it", esc(" → ".join(f"{n} ({type(s).__name__})" for n, s in steps))))
    est = getattr(explainer, "estimator_", getattr(explainer, "estimator", None))
    if est is not None:
        rows.append(("model", esc(describe_model(est))))
    shape = getattr(X, "shape", None)
    rows.append(("data explained", esc(f"{len(X)} sample(s)" + (f", shape {tuple(shape)}" if shape else ""))))
    quantity = explained_quantity(exp, explainer)
    out = getattr(explainer, "output_", None)
    method = getattr(out, "method", None)
    detail = f" (the model's <code>{esc(method)}</code>)" if method and method != "__call__" else ""
    if is_anchor_explanation(exp):
        # an anchor keeps the model's decision (predict), whatever response the explainer resolved
        decided = method != "__call__" and hasattr(est, "predict")
        quantity, detail = (
            "the model's decision",
            (
                " (its <code>predict</code>: the predicted class)"
                if decided
                else " (the callable's class labels, or the argmax of its scores)"
            ),
        )
    rows.append(("quantity explained", f"<b>{esc(quantity or 'the model output')}</b>{detail}"))
    names = exp.output_names
    picked = None if names is None or np.ndim(names) else str(names)  # one output picked (exp[..., "setosa"])
    if names is None or picked is not None:  # every output of the model, as the explainer names them
        names = getattr(explainer, "output_names_", None)
        if names is None and picked is not None:
            names = [picked]
    if names is not None:
        names = np.atleast_1d(np.asarray(names, dtype=object))
    # a regressor's one output is named by its position: "outputs: 0, explained output: 0" said nothing
    single = names is not None and len(names) == 1 and str(names[0]) == "0"
    if single:
        rows.append(("outputs", "one (the model has a single output)"))
    elif names is not None:
        rows.append(("outputs", esc(", ".join(str(n) for n in list(names)[:20]))))
    target = getattr(explainer, "target_index_", exp.target_index)
    if picked is not None and not single:
        rows.append(("explained output", esc(f"{picked} (picked from the explanation)")))
    elif target is not None and not single:
        label = target
        if isinstance(target, int | np.integer) and names is not None and 0 <= target < len(names):
            name = str(names[target])
            # "1 (output 1)" says one thing twice: the position only when the name differs
            label = name if name == str(int(target)) else f"{name} (output {target})"
        elif isinstance(target, str) and target == "predicted":
            label = "the predicted class of each sample"
        elif not isinstance(target, int | np.integer | str):
            label = "per sample"
        rows.append(("explained output", esc(label)))
    ev = getattr(explainer, "expected_value_", None)
    if ev is not None:
        ev = np.ravel(np.asarray(ev, dtype=np.float64))[:10]
        key = "expected value (base)"
        if getattr(explainer, "feature_perturbation", None) == "tree_path_dependent":
            # not the mean over a background sample as the other explainers': two explainers of
            # one model showed different bases without a word (152.1 against 163.1 on diabetes)
            key = "expected value (base: mean output of the trees over their training data, path-dependent game)"
        elif "model_outputs" in exp.extras:
            key = "model's mean output over the background (a surrogate's intercept differs per sample)"
        elif not _is_base(exp.base_values, ev):
            # gradients and CAMs have no base; integrated gradients' is the output at its baseline:
            # the mean output is then no base of the attributions (and varies with the background drawn)
            background = getattr(explainer, "background_", None)
            size = f" ({len(background)} samples)" if hasattr(background, "__len__") else ""
            key = f"mean output over the background{size}"
        shown = [format_value(v, np.abs(ev).max()) for v in ev]
        if names is not None and len(names) == len(ev) > 1:  # which value is which output
            shown = [f"{n}: {v}" for n, v in zip(names, shown, strict=True)]
        rows.append((key, esc(", ".join(shown))))
    values = exp.values
    shape = getattr(values, "shape", None)
    ragged = getattr(getattr(values, "dtype", None), "kind", "") == "O" and np.ndim(values) == 1
    if shape is not None and ragged and len(values):
        # one weight per word of each document: "shape (4,)" told the reader nothing
        sizes = [int(np.size(v)) for v in values]
        what = f"{len(sizes)} samples, {min(sizes)}" + (f" to {max(sizes)}" if max(sizes) > min(sizes) else "")
        rows.append(("attributions", esc(f"{what} {'value' if max(sizes) == 1 else 'values'} each (one per word)")))
    else:
        rows.append(("attributions", esc(f"shape {shape}" if shape is not None else f"{len(values)} ragged rows")))
    timing = "not measured (computed before the report)" if seconds is None else _seconds(seconds)
    rows.append(("time to explain", esc(timing)))
    return kv_table(rows)


def _is_base(base_values, expected):
    """Whether every base value of an explanation is one of the explainer's expected values (the
    attributions then add up to the output minus the expected value)."""
    if base_values is None:
        return False
    try:
        b = np.asarray(base_values, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        return False
    if b.size == 0 or not np.isfinite(b).all():
        return False
    # relative to the values themselves: a floor of 1 took base values of 3e-10 for an expected
    # value of 1e-10 (outputs in small units)
    scale = max(float(np.abs(expected).max()), float(np.abs(b).max()))
    return bool(np.isclose(b[:, None], expected[None, :], rtol=1e-6, atol=1e-9 * scale).any(axis=1).all())


def _seconds(s):
    return f"{s:.2f} s" if s >= 0.01 else f"{s * 1000:.1f} ms"


def model_outputs(explainer, X, exp, output=None):
    """The model's own output for each explained sample and explained output (column
    ``output`` where given), or None."""
    outs = exp.extras.get("model_outputs")
    try:
        if outs is None and hasattr(explainer, "model_output"):
            outs = explainer.model_output(X)
        if outs is None:
            return None
        from skxai._adapters import select_target

        outs = np.asarray(outs, dtype=np.float64)
        if output is not None and outs.ndim == 2:
            return outs[:, output]
        return select_target(outs, exp.target_index, outs) if outs.ndim == 2 else np.ravel(outs)
    except Exception:  # a model that cannot be re-run here: the page says so instead
        return None


def reconstruction_html(exp, model_out, label):
    """Base value + sum of attributions next to the model's own output: one sentence."""
    if exp.base_values is None:
        return ""
    values = np.asarray(exp.target_values, dtype=np.float64)
    recon = np.ravel(exp.target_base_values) + values.reshape(len(values), -1).sum(1)
    surrogate = "model_outputs" in exp.extras
    if model_out is None or len(model_out) != len(recon):
        return "<p>The model's own output could not be recomputed here, so the reconstruction is not checked.</p>"
    gap = float(np.max(np.abs(recon - model_out)))
    scale = float(np.max(np.abs(model_out))) or 1.0
    if surrogate:
        return (
            f'<p class="note">These are the <b>local surrogate\'s</b> weights, not an additive split of the '
            f"model's {esc(label)}: the surrogate's prediction g(x) = intercept + sum of weights differs from "
            f"the model's own output f(x) by up to <b>{esc(format_value(gap, scale))}</b> over the explained "
            "samples. The waterfalls show g(x) and, in green, the model's f(x).</p>"
        )
    # relative to the outputs: a floor of 1 called attributions 1% off outputs of 1e-7 additive
    additive = gap <= 1e-6 * scale
    return (
        f"<p>Base value + sum of attributions against the model's own {esc(label)}: largest gap "
        f"<b>{esc(format_value(gap, scale))}</b> over the explained samples"
        f"{' (additive: the attributions add up to the model output)' if additive else ''}.</p>"
    )


def _beyond_rounding(std, values):
    """Whether any error is worth a bar: unknown (inf) or above 1e-9 of the largest |value| (the
    estimators floor ``std`` at its rounding, about 1e-15 of it, where the values are exact)."""
    std = np.asarray(std, dtype=float)
    scale = float(np.nanmax(np.abs(np.asarray(values, dtype=float)), initial=0.0)) or 1.0
    return bool(np.any(~np.isfinite(std) | (std > 1e-9 * scale)))


def _sample_name(exp, i):
    """Sample ``i`` as a reader finds it: by its row label in a frame whose index is not the
    positions (a customer id: "sample 35" was the row 'cust-1135'), else by its position."""
    index = getattr(exp.data, "index", None)
    if index is None or len(index) <= i:
        return f"sample {i}"
    import pandas as pd

    if not index.equals(pd.RangeIndex(len(index))):
        label = index[i]
        label = label.item() if isinstance(label, np.generic) else label  # 349, not np.int64(349)
        return f"sample {i}, row {label!r}"
    return f"sample {i}"


def tabular_views(sb, exp, n_local, explainer=None, X=None, output=None):
    from skxai.plot import (
        BarDisplay,
        BeeswarmDisplay,
        DependenceDisplay,
        ForceDisplay,
        WaterfallDisplay,
    )

    if "anchor" in exp.extras and exp.base_values is None:
        anchor_views(sb, exp, n_local, explainer)
        return
    label = output_label(exp, explainer)
    who = "surrogate weight" if "model_outputs" in exp.extras else "attribution"
    n, d = exp.target_values.shape
    # the estimates' standard errors (sampling, a conditional game's Monte Carlo error) are drawn
    # as error bars, so that a reader sees which differences the estimate cannot tell apart
    std = exp.std
    # exact values (every coalition evaluated) or errors of rounding alone (at most 1e-9 of the
    # largest value): no bars to draw; inf: an unknown error, written as such (not hidden as if
    # exact). A float32 network's exact values report its outputs' rounding, 1e-7 of them.
    error_bars = (
        std is not None
        and np.shape(std) == np.shape(exp.values)
        and not exp.extras.get("exact", False)
        and _beyond_rounding(std, exp.values)
    )
    bars_note = (
        "; error bars: \u00b11 standard error of the estimates (95% interval: \u00b11.96), none where it is unknown"
        if error_bars
        else ""
    )
    # the bar carries the errors to the mean: where every row shares the estimator's draws (one
    # design, one set of permutations) it draws their mean, a bound, not a standard error
    mean_bars_note = bars_note
    if error_bars and exp.extras.get("std_rows_correlated", False):
        mean_bars_note = (
            "; error bars: at most \u00b11 standard error of the mean (every sample shares the "
            "estimator's draws), none where it is unknown"
        )
    names = exp.feature_names if exp.feature_names is not None and len(exp.feature_names) == d else ["x0"]
    extra = name_lines([str(v) for v in names]) - 1
    sb.add("<h3>Global view</h3>")
    sb.figure(
        lambda ax: BarDisplay.from_explanation(exp, ax=ax, error_bars=error_bars),
        f"Mean |{who}| per feature over the explained samples; explained: {label}{mean_bars_note}",
        (6.5, _bar_chart_height(names, d) + 0.45 * error_bars),
    )
    grouped = exp.data is not None and np.shape(exp.data) != (n, d)
    if n > 1:
        colours = (
            "in one colour (feature groups have no single value to colour them by)"
            if grouped
            else "coloured by the feature's value (red high, blue low, grey for categories)"
        )
        sb.figure(
            lambda ax: BeeswarmDisplay.from_explanation(exp, ax=ax),
            f"{who.capitalize()} of every sample, {colours}; explained: {label}",
            (7.5, (0.35 + 0.25 * extra) * min(d, 12) + 1.5),
        )
    if grouped:
        sb.note(
            "No dependence plot: the attributions are of feature groups, which have no single "
            "value to plot them against."
        )
    elif exp.data is not None and n > 2:
        top = int(np.argmax(np.abs(exp.target_values).mean(axis=0)))
        sb.figure(
            lambda ax: DependenceDisplay.from_explanation(exp, top, ax=ax),
            f"Dependence of the most important feature's {who} on its value; explained: {label}",
            (6, 4),
        )
    if exp.base_values is None:
        sb.note("No base values: local waterfalls need an additive method.")
        return
    sb.add("<h3>Local views</h3>")
    model_out = model_outputs(explainer, X, exp, output) if X is not None else None
    sb.add(reconstruction_html(exp, model_out, label))
    picked = local_samples(exp, n_local, model_out)
    if picked:
        sb.add("<p>Samples shown: " + ", ".join(f"{esc(why)} ({_sample_name(exp, i)})" for i, why in picked) + ".</p>")
    surrogate = "model_outputs" in exp.extras
    # the waterfall's labels are "name = value", wrapped at 40 characters
    wrapped = name_lines([f"{v} = -0.000" for v in names], 40) - 1
    for i, why in picked:
        # on the outputs' scale: alone, an output of 5e-10 printed as 0
        own = (
            ""
            if model_out is None
            else (f"; the model's own output is {format_value(model_out[i], np.abs(model_out).max())}")
        )
        lab = output_label(exp, explainer, index=i)
        start = "the surrogate's intercept to its prediction g(x) of the" if surrogate else "the base value to the"
        sb.figure(
            lambda ax, i=i: WaterfallDisplay.from_explanation(exp, index=i, ax=ax, error_bars=error_bars),
            f"Sample {i} ({why}): from {start} {lab}{own}{bars_note}",
            (7, (0.4 + 0.2 * wrapped) * min(d, 11) + 1.9 + 0.45 * error_bars),
        )
        sb.figure(
            lambda ax, i=i: ForceDisplay.from_explanation(exp, index=i, ax=ax),
            f"Sample {i}: features pushing the {lab} up (red) and down (blue)",
            (9, 2.8),
        )


def _bar_chart_height(names, d):
    """Inches of a bar chart of ``d`` features (at most 11 rows drawn): rows taller for names
    wrapped on more lines (at 0.3 inch, three-line names ran into each other)."""
    extra = name_lines([str(v) for v in names]) - 1
    return (0.3 + 0.3 * extra) * min(d, 11) + 1.5


def anchor_views(sb, exp, n_local, explainer=None):
    """Tabular anchors: the rules themselves, with the class each keeps, their precision and
    coverage (their ``values`` only say which features a rule uses: not attributions of the
    model's output, so no beeswarm, dependence or waterfall)."""
    from skxai.plot import BarDisplay

    used = np.asarray(exp.values, dtype=np.float64) != 0
    n, d = used.shape
    names = exp.feature_names
    names = [f"x{j}" for j in range(d)] if names is None or len(names) != d else [str(v) for v in names]
    sb.add("<h3>Global view</h3>")

    def draw(ax):
        # anchors=True: labelled as shares, and the features not drawn are counted, not summed
        # into a bar ("sum of 20 other features" of 5: a sum of shares)
        return BarDisplay(used.mean(axis=0), names, method=exp.method, anchors=True).plot(ax=ax)

    sb.figure(
        draw,
        f"Share of the {n} explained samples whose anchor (rule) uses each feature",
        (6.5, _bar_chart_height(names, d)),
    )
    sb.add("<h3>Local views</h3>")
    threshold = getattr(explainer, "threshold", None)
    sb.add(
        "<p>Each anchor is a rule on the sample's features under which the model keeps its "
        "prediction"
        + (f" with precision at least {esc(threshold)}" if threshold is not None else "")
        + "; precision is estimated on perturbed samples that satisfy the rule (with its confidence "
        "bounds), coverage is the share of the background that satisfies it.</p>"
    )
    extras = exp.extras

    def field(name, i):
        v = extras.get(name)
        return None if v is None or len(v) <= i else v[i]

    rows = []
    shown = min(n, max(n_local, 10))
    for i in range(shown):
        rule = field("anchor", i)
        rule = (
            " AND ".join(_condition_html(r, names) for r in rule)
            if rule
            else esc("(empty: the prediction holds everywhere)")
        )
        prec, lo, hi = field("precision", i), field("precision_lower", i), field("precision_upper", i)
        cover, held = field("coverage", i), field("success", i)
        bounds = "" if lo is None or hi is None else f" [{format_value(lo)}, {format_value(hi)}]"
        rows.append(
            f"<tr><td>{i}</td><td>{esc(_class_named(field('prediction', i), exp, explainer))}</td><td>IF {rule}</td>"
            f"<td>{esc('' if prec is None else format_value(prec) + bounds)}</td>"
            f"<td>{esc('' if cover is None else format_value(cover))}</td>"
            f"<td>{esc('' if held is None else ('yes' if held else 'no: best rule found'))}</td></tr>"
        )
    head = "".join(
        f"<th>{h}</th>"
        for h in ("sample", "prediction kept", "anchor", "precision [bounds]", "coverage", "threshold reached")
    )
    sb.add(f'<table class="kv"><tr>{head}</tr>{"".join(rows)}</table>')
    if shown < n:
        sb.add(f"<p>The first {shown} of {n} explained samples are shown.</p>")


def _class_named(label, exp, explainer):
    """A predicted class label with its output name, "malignant (0)": the page names the
    outputs, and the bare label "0" left the reader to look it up. The name is the one at the
    label's position in the explainer's ``classes_`` (labels 1, 2, 3 are not indices)."""
    names = getattr(exp, "output_names", None)
    classes = getattr(explainer, "classes_", None)
    if label is None or names is None or np.ndim(names) == 0 or classes is None:
        return label
    at = np.flatnonzero(np.asarray(classes, dtype=object) == label)
    if len(at) != 1 or at[0] >= len(names) or str(names[at[0]]) == str(label):
        return label
    return f"{names[at[0]]} ({label})"


def _condition_html(condition, names):
    """HTML of one condition of a rule, the right-to-left feature name it holds isolated.

    A browser laid "שלום < -0.9653" out as one right-to-left run, shown "0.9653- > שלום": the
    inequality and the sign read backwards. In ``<bdi>`` the name keeps its direction and the
    condition reads left to right.
    """
    condition = str(condition)
    rtl = [name for name in names if name and is_right_to_left(name) and name in condition]
    if not rtl:
        return esc(condition)
    name = max(rtl, key=len)
    at = condition.index(name)
    return f"{esc(condition[:at])}<bdi>{esc(name)}</bdi>{esc(condition[at + len(name) :])}"


def local_samples(exp, k, model_out=None):
    """Up to ``k`` telling samples: the highest and lowest explained output, then the median one.

    Ranked by the model's own outputs where given (``model_out``, one per sample): a surrogate's
    prediction g(x) (base plus weights) is not the model's output, and the sample it ranks
    highest was shown as the model's highest output beside a higher one of the model.
    """
    values = np.asarray(exp.target_values, dtype=np.float64)
    n = len(values)
    base = exp.target_base_values
    if base is None or k <= 0:
        return [(i, "sample") for i in range(min(k, n))]
    if model_out is not None and len(model_out) == n:
        pred = np.asarray(model_out, dtype=np.float64)
    else:
        pred = np.ravel(base) + values.reshape(n, -1).sum(axis=1)
    order = np.argsort(pred, kind="stable")
    picks = [
        (int(order[-1]), "highest output"),
        (int(order[0]), "lowest output"),
        (int(order[n // 2]), "median output"),
    ]
    picks += [(i, "sample") for i in range(n)]
    out, seen = [], set()
    for i, why in picks:
        if i not in seen:
            out.append((i, why))
            seen.add(i)
        if len(out) == min(k, n):
            break
    return out


def image_views(sb, exp, n_local, explainer=None):
    from skxai.plot import CamDisplay, ImageAttributionDisplay

    values = np.asarray(exp.target_values, dtype=np.float64)
    n = values.shape[0]
    cam = values.ndim == 3
    label = output_label(exp, explainer)
    sb.add("<h3>Global view</h3>")
    mean_map = np.abs(values).mean(axis=0)

    def draw_mean(ax):
        from skxai.plot.rendering import heatmap, to_hwc

        hm = mean_map if cam else heatmap(to_hwc(mean_map), "abs_max")
        art = ax.imshow(hm, cmap="inferno")
        plain_ticks(ax.figure.colorbar(art, ax=ax, fraction=0.046, pad=0.04).ax, "y")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(f"mean |attribution| over {n} images", fontsize=9)

    sb.figure(draw_mean, f"Where the attributions fall on average; explained: {label}", (3.6, 3.4))
    sb.add("<h3>Local views</h3>")
    raw = exp.extras.get("raw_map")
    upscaled = raw is not None and tuple(np.shape(raw)[1:]) != tuple(values.shape[1:])
    for i in range(min(n_local, n)):
        lab = output_label(exp, explainer, index=i)
        if cam:
            # an image Shapley explainer's map is its regions' values at the image's own pixels,
            # not a layer's map upscaled
            regions = exp.extras.get("segments") is not None
            if regions:
                what = f"Image {i}: the regions' attributions to the {lab} (each region's pixels hold its value)"
            elif upscaled:
                what = f"Image {i}: map for the {lab}, upscaled bilinearly over the image"
            else:  # a layer at the input's resolution: nothing was upscaled
                what = f"Image {i}: map for the {lab} over the image"
            sb.figure(lambda ax, i=i: CamDisplay.from_explanation(exp, index=i, ax=ax), what, (3.8, 3.6))
        else:
            sb.figure(
                lambda ax, i=i: ImageAttributionDisplay.from_explanation(exp, index=i, mode="split", ax=ax),
                f"Image {i}: input, positive and negative attributions to the {lab}",
                (9, 3.2),
                n_axes=3,
            )
            sb.figure(
                # the figure's title says whether channels were reduced (by the display's own
                # reading of the channel axis; "max over channels" was written for grey images)
                lambda ax, i=i: ImageAttributionDisplay.from_explanation(exp, index=i, mode="abs_max", ax=ax),
                f"Image {i}: |attribution| to the {lab}",
                (3.6, 3.4),
            )


def text_views(sb, exp, n_local, explainer=None):
    from skxai.plot import AnchorSearchDisplay, BarDisplay

    n = len(exp.values) if exp.values is not None else len(exp.data)
    parts = [text_parts(exp, i) for i in range(n)]
    weighted = [p for p in parts if p.weights is not None]
    if weighted:
        sb.add("<h3>Global view</h3>")
        totals = {}
        for p in weighted:
            # one weight per player: a word LIME removes with all its occurrences has one weight,
            # which summed over its tokens ranked "the" (10 occurrences) above every real word
            pairs = p.units if p.units is not None else zip(p.tokens, p.weights, strict=True)
            for tok, w in pairs:
                totals.setdefault(tok.lower(), []).append(abs(float(w)))
        words = list(totals)
        importance = np.array([np.sum(totals[w]) / len(weighted) for w in words])
        label = output_label(exp, explainer)
        disp = BarDisplay(importance, words, method=exp.method, quantity=label, surrogate=is_surrogate(exp))

        def draw(ax):
            import textwrap

            d = disp.plot(ax=ax, max_display=15)
            # what the bars are: each document's total over the word's players (one for LIME's
            # words, one per occurrence for its tokens), averaged over the documents (the axis
            # said "mean |surrogate weight|"); and words, not "features"
            ticks = [t.get_text().replace(" other feature", " other word") for t in d.ax_.get_yticklabels()]
            d.ax_.set_yticks(d.ax_.get_yticks(), ticks)
            what = "surrogate weight" if is_surrogate(exp) else "attribution"
            d.ax_.set_xlabel(
                "\n".join(
                    [
                        f"total |{what}| per document",
                        *textwrap.wrap(f"(mean over {len(weighted)} documents) to the {label}", 50),
                    ]
                )
            )
            return d

        sb.figure(
            draw,
            f"Words with the largest total |weight| per document, over {len(weighted)} documents; explained: {label}",
            (6.5, 5),
        )
    sb.add("<h3>Local views</h3>")
    anchored = any(p.anchor_positions or p.anchor_words for p in parts)
    legend = []
    if weighted:  # anchors have no weights: their words are not coloured
        legend.append("Red words push the explained output up, blue words pull it down. Hover a word for its weight.")
    if anchored:
        legend.append("Anchor words are <b>bold and underlined</b>.")
        if any(p.coverage is not None for p in parts):
            # "coverage 0" read as a missing value: it is the share of a corpus, and 0 is real
            corpus = getattr(getattr(explainer, "corpus_", None), "shape", (None,))[0]
            size = "" if corpus is None else f"{corpus} "
            legend.append(
                f"Coverage is the share of the {size}documents given to fit (the coverage corpus) "
                "that contain every anchor word: 0 when none of them does (the explained "
                "document need not be one of them)."
            )
    if legend:
        sb.add(f"<p>{' '.join(legend)}</p>")
    for i, p in enumerate(parts[:n_local]):
        sb.add(parts_html(p, style=False))
        if "candidates" in exp.extras:
            threshold = exp.extras.get("threshold", getattr(explainer, "threshold", None))
            sb.figure(
                lambda ax, i=i, t=threshold: AnchorSearchDisplay.from_explanation(exp, index=i, threshold=t, ax=ax),
                f"Document {i}: every evaluated candidate, the threshold and the selected anchor; explained: "
                f"{p.label or output_label(exp, explainer, index=i)} (precision = share of perturbed "
                "texts that keep it)",
                (6.5, 4),
            )


def _signed_name(scoring):
    """``score`` is higher-is-better: a lower-is-better metric enters it negated ("-infidelity")."""
    if isinstance(scoring, str):
        try:
            from skxai.metrics import make_explanation_scorer

            # "relative completeness_gap" (Integrated Gradients' default) has the metric's sign
            if make_explanation_scorer(scoring.removeprefix("relative ")).sign < 0:
                return f"\u2212{scoring}"
        except (ImportError, ValueError):
            pass
    return scoring


def metrics_html(explainer, X, exp, metric_names, n_samples):
    """Quality figures: the explainer's own ``score`` and the metrics of skxai.metrics."""
    rows = []
    Xm = X[:n_samples] if not hasattr(X, "iloc") else X.iloc[:n_samples]
    scoring = getattr(explainer, "scoring", None) or getattr(explainer, "_default_scoring", None)
    if scoring is not None:
        label = f"score ({_signed_name(scoring)})"
        try:
            t0 = time.perf_counter()
            value = explainer.score(Xm)
            rows.append(
                (
                    label,
                    unrounded_landmark(value, f"{value:.4g}"),
                    "higher is better",
                    # the same metric may have its own row below (mean ± standard error per
                    # sample): this one is the single number GridSearchCV reads
                    f"what explainer.score(X) returns, the number GridSearchCV ranks "
                    f"({time.perf_counter() - t0:.2f} s)",
                )
            )
        except Exception as exc:  # reported in the page: a metric that fails is a finding
            rows.append((label, "—", "not computed", clean_reason(exc, exp)))
    try:
        import skxai.metrics as metrics_module
    except ImportError as exc:  # pragma: no cover - metrics ship with skxai
        metrics_module = None
        rows.append(("skxai.metrics", "—", "not available", str(exc)))
    values = None
    try:
        np.asarray(exp.target_values, dtype=np.float64)
        # the explanation itself: the metrics match its features by name and its output with
        # the one they score (its values alone were read by position)
        values = exp[: len(Xm)]
    except (TypeError, ValueError):
        values = None
    fit = _surrogate_fit(exp)
    if fit is not None:
        # LIME's own figure: on documents it is the one quality figure there is (the metrics of
        # skxai.metrics replace values by numbers), and the section read "not applicable" only
        rows.append(
            (
                "surrogate fit (weighted R², LIME's score)",
                mean_pm_sem(np.nanmean(fit), _sem(fit)),
                "higher is better",
                f"how closely the local linear surrogate follows the model on its {len(fit)} samples' "
                f"perturbed copies ({_over(fit)})",
            )
        )
    mismatch = _picked_output_mismatch(explainer, Xm, exp)
    for name, direction in metric_names:
        if mismatch is not None:
            rows.append((name, "—", "not applicable", mismatch))
            continue
        func = _metric_function(metrics_module, name) if metrics_module is not None else None
        if func is None:
            rows.append((name, "—", "not available", "this metric is not in this installation of skxai.metrics"))
            continue
        try:
            t0 = time.perf_counter()
            kwargs = {} if values is None or not _takes_attributions(func) else {"attributions": values}
            per_sample = np.asarray(func(explainer, Xm, **kwargs), dtype=np.float64)
            rows.append(
                (
                    name,
                    mean_pm_sem(np.nanmean(per_sample), _sem(per_sample)),
                    direction,
                    f"{_over(per_sample)}; {time.perf_counter() - t0:.2f} s",
                )
            )
        except (ValueError, TypeError, NotImplementedError) as exc:  # e.g. documents
            rows.append((name, "—", "not applicable", clean_reason(exc, exp)))
        except Exception as exc:  # shown in the page rather than losing the whole report
            rows.append((name, "—", "failed", clean_reason(exc, exp)))
    head = "<tr><th>metric</th><th>value</th><th>reading</th><th>detail</th></tr>"
    body = "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="metrics">{head}{body}</table>'


def _surrogate_fit(exp):
    """The local surrogate's weighted R² of each sample for its explained output (LIME's
    ``score``; image LIME's ``lime_r2``), or None for other explanations."""
    extras = exp.extras if isinstance(getattr(exp, "extras", None), dict) else {}
    score = extras.get("score", extras.get("lime_r2"))
    if score is None:
        return None
    try:
        score = np.asarray(score, dtype=np.float64)
        if score.ndim == 2:
            from skxai._adapters import select_target

            # "predicted" picks each row's class by the model's outputs, not by the scores
            outputs = exp.outputs if exp.outputs is not None and np.shape(exp.outputs) == score.shape else score
            score = select_target(score, exp.target_index, np.asarray(outputs, dtype=np.float64))
        score = np.ravel(score)
    except (TypeError, ValueError, IndexError):
        return None
    return score if score.size and np.isfinite(score).any() else None


def clean_reason(exc, exp=None, limit=240):
    """A reader's sentence for a metric that could not be computed: no exception class, no reprs."""
    if exp is not None and is_text_explanation(exp):
        return (
            "not applicable to documents: this metric replaces feature values by numbers, and the "
            "samples here are texts"
        )
    text = " ".join(str(exc).split())
    text = re.sub(r"np\.\w+\((.*?)\)", r"\1", text)  # np.str_('...') -> '...'
    text = re.split(r"(?<=[.;])\s", text, maxsplit=1)[0]
    if len(text) > limit:
        # cut in the middle: a sentence's end says what to do ("... pass target=<output name>"),
        # which a cut at its end took away
        head = text[: limit // 2].rsplit(" ", 1)[0]
        tail = text[-(limit // 2) :].split(" ", 1)[-1]
        text = f"{head} … {tail}"
    return text[:1].upper() + text[1:] if text else "not computed for this explainer"


def mean_pm_sem(mean, sem):
    """``"mean ± sem"`` with the standard error to two significant digits and the mean to the
    same decimal place ("8.7 ± 2.0", not "8.682 ± 2": digits below the error are noise).

    Examples
    --------
    >>> mean_pm_sem(8.682, 1.96), mean_pm_sem(-0.04347, 0.36), mean_pm_sem(0.25, 0.0)
    ('8.7 ± 2.0', '-0.04 ± 0.36', '0.25 ± 0')
    >>> mean_pm_sem(1.0, 3.2e-17), mean_pm_sem(0.0, 1e-17), mean_pm_sem(0.5, 6e-10)
    ('1 ± 0', '0 ± 1e-17', '0.5 ± 6e-10')
    """
    mean, sem = float(mean), float(sem)
    if not np.isfinite(mean):
        return "n/a"  # no finite value to average ("nan ± nan")
    if np.isnan(sem):
        return unrounded_landmark(mean, f"{mean:.4g}")  # one sample: no error to show
    if np.isfinite(mean) and 0 < sem <= 1e-12 * abs(mean):
        sem = 0.0  # a rounding residue (3e-17 beside 1 printed "1.000000000000000000 ± 0.000000000000000032")
    if not (np.isfinite(sem) and sem > 0) or not np.isfinite(mean):
        # no error to round to: four significant digits, never rounded onto a whole number or
        # a half that the mean is not (0.99996 printed "1 ± 0")
        return f"{unrounded_landmark(mean, f'{mean:.4g}')} ± {sem:.2g}"
    decimals = max(0, 1 - int(np.floor(np.log10(sem))))
    if decimals > 8:
        # an error below 1e-7: in two significant digits, not a row of zeros ("0 ± 1e-17"), and
        # the mean still down to the error's decimal place ("0.12345679 ± 9.9e-08")
        places = int(np.floor(np.log10(abs(mean)))) - int(np.floor(np.log10(sem))) if mean else 0
        digits = min(17, max(2, places + 2))
        return f"{unrounded_landmark(mean, f'{mean:.{digits}g}')} ± {sem:.2g}"
    # the rounded error can gain a digit (0.0996 -> "0.10"): keep two significant digits
    if decimals > 0 and round(sem, decimals) >= 10.0 ** (2 - decimals):
        decimals -= 1
    text = f"{mean:.{decimals}f}"
    if float(text) == 0:
        text = text.lstrip("-")  # "-0.00" reads as a sign that the data do not have
    return f"{text} ± {sem:.{decimals}f}"


def _sem(a):
    """Standard error of the mean of ``a`` (NaN left out); NaN for fewer than two values, whose
    error is unknown (one sample's metric read "153.46 ± 0", as if exact)."""
    a = a[~np.isnan(a)]
    return float(a.std(ddof=1) / np.sqrt(len(a))) if len(a) > 1 else float("nan")


def _over(values):
    """The detail of a metric's mean over the finite ``values`` (a NaN sample is left out)."""
    n = int(np.isfinite(np.asarray(values, dtype=np.float64)).sum())
    if n == 0:
        return "no sample gave a finite value"
    return f"mean ± standard error over {n} samples" if n > 1 else "one sample (no standard error)"


def explainer_section(
    name,
    explainer,
    X,
    *,
    n_local,
    metric_names,
    n_metric_samples,
    dpi,
    figures,
    explanation=None,
    seconds=None,
    output_names=None,
    failures=None,
):
    """HTML of one explainer's section and its explanation (None when explaining failed; the
    failure is then appended to ``failures`` as ``(name, "Error: message")``).

    ``explainer`` may be a fitted Pipeline ending in an explainer: its steps transform ``X``
    first. ``seconds`` is the time an ``explanation`` given ready-made took to compute.
    Errors become notes, so one failure keeps the page."""
    from skxai._explain import final_explainer, named_by_the_steps

    sb = SectionBuilder(name, dpi, figures)
    try:
        steps = [] if getattr(explainer, "steps", None) is None else explainer.steps[:-1]
        given = explainer
        explainer, X = final_explainer(explainer, X)
        t0 = time.perf_counter()
        exp = explanation if explanation is not None else explainer.explain(X)
        scored = exp  # under the explainer's own names: the metrics match features by them
        if explanation is None:
            seconds = time.perf_counter() - t0
            exp = named_by_the_steps(exp[:], given, explainer)
        else:
            _check_given(exp, X, name)
        if output_names is not None:
            exp = _named_outputs(exp, output_names)
        exp = _with_quantity(exp, explainer)
    except Exception as exc:
        if failures is not None:
            failures.append((name, f"{type(exc).__name__}: {exc}"))
        sb.note(f"Explaining failed: {type(exc).__name__}: {exc}", "error")
        sb.add(f"<details><summary>traceback</summary><pre>{esc(traceback.format_exc())}</pre></details>")
        return sb.html(), None
    sb.add("<h3>What was explained</h3>")
    sb.add(what_html(explainer, X, exp, seconds, steps=steps))
    sb.add("<h3>Settings</h3>")
    sb.add(settings_html(explainer))
    try:
        _views(sb, exp, n_local, explainer, X)
    except Exception as exc:  # a view that cannot be drawn: a note, the page and the other sections stay
        if failures is not None:
            failures.append((name, f"{type(exc).__name__}: {exc}"))
        sb.note(f"Drawing the explanation failed: {type(exc).__name__}: {exc}", "error")
        sb.add(f"<details><summary>traceback</summary><pre>{esc(traceback.format_exc())}</pre></details>")
    if metric_names is not None:
        sb.add("<h3>Quality of the explanation</h3>")
        if explanation is not None:
            scored = _under_the_players_names(exp, given, explainer)
        sb.add(metrics_html(explainer, X, scored, metric_names, n_metric_samples))
    return sb.html(), exp


def _under_the_players_names(exp, pipeline, explainer):
    """A given ``exp`` with the features a pipeline's steps named (``num__a`` ...) called by the
    explainer's own players (``x0`` ...), the names the metrics match them by (they refused
    every metric of a ColumnTransformer pipeline); in the order ``exp`` holds them. An
    explanation already under the players' names is left as it is."""
    from skxai._explain import _names_from_the_steps

    stepped = _names_from_the_steps(pipeline, explainer)
    players = getattr(explainer, "feature_names_out_", None)
    if stepped is None or players is None or exp.feature_names is None or len(stepped) != len(players):
        return exp
    position = {str(n): j for j, n in enumerate(stepped)}
    names = [str(n) for n in np.atleast_1d(exp.feature_names)]
    if not exp.__dict__.get("_named_by_steps") and set(names) <= {str(n) for n in players}:
        return exp  # the explainer's own names (an explanation of the inner explainer)
    if len(position) != len(stepped) or not all(n in position for n in names):
        return exp
    renamed = exp[:]
    renamed.feature_names = np.asarray([players[position[n]] for n in names], dtype=object)
    return renamed


def _views(sb, exp, n_local, explainer, X):
    """The global and local views of ``exp``: text, tabular or image, each output in turn
    when several are explained and none is named the explained one."""
    if is_text_explanation(exp):
        text_views(sb, exp, n_local, explainer)
    elif unpicked_outputs(exp):
        # a multi-output model explained with target=None: every output is explained, each
        # is shown in turn
        k, shown, which = outputs_in_turn(exp, _MAX_OUTPUTS_SHOWN)
        sb.note(
            f"The explanation holds {k} outputs and names none as the explained one "
            f"(target=None): {which} shown in turn; the metrics need one (set the explainer's target)."
        )
        for j, name in shown:
            sb.add(f"<h3>Output {esc(name)}</h3>")
            if np.ndim(exp.values) == 3:
                tabular_views(sb, exp[..., j], n_local, explainer, X, output=j)
            else:
                image_views(sb, exp[..., j], n_local, explainer)
    elif np.asarray(exp.target_values).ndim == 2:
        tabular_views(sb, exp, n_local, explainer, X)
    else:
        image_views(sb, exp, n_local, explainer)


#: Outputs of a multi-output explanation without a target drawn one after the other.
_MAX_OUTPUTS_SHOWN = 6


def _check_given(exp, X, name):
    """Refuse an explanation given ready-made that is not one of every sample of ``X`` with an
    explained output each (the views and the metrics pair its rows with ``X``'s)."""
    if not exp._has_samples():
        raise ValueError(
            f"the explanation given for {name!r} holds a single sample without its sample axis "
            f"(exp[i]); give the explanation of the {len(X)} samples of X[:max_samples]."
        )
    if len(exp) != len(X):
        raise ValueError(
            f"the explanation given for {name!r} holds {len(exp)} samples, but X[:max_samples] "
            f"holds {len(X)}; give the explanation of those samples, in their order."
        )
    shape, x_shape = getattr(exp.data, "shape", None), getattr(X, "shape", None)
    if x_shape is not None and len(x_shape) >= 3 and shape is not None and tuple(shape) != tuple(x_shape):
        raise ValueError(
            f"the explanation given for {name!r} is of inputs of shape {tuple(shape)[1:]} (a crop?), but "
            f"X's are {tuple(x_shape)[1:]}; the maps and the metrics are read against X's images."
        )
    if exp.data is not None and not same_rows(exp.data, X):
        # the views draw exp's rows and the metrics score its values against X's
        raise ValueError(
            f"the explanation given for {name!r} was computed for other rows than X[:max_samples] "
            "(its data differ from X's); give the explanation of those samples, in their order."
        )
    if not is_text_explanation(exp) and not unpicked_outputs(exp):
        exp.target_values  # noqa: B018 - raises a clear error when the explained output was cut away


def _picked_output_mismatch(explainer, X, exp):
    """Why the metrics cannot judge ``exp`` (cut to one output the explainer does not explain
    for every sample of ``X``), or None."""
    picked = exp.output_names
    if picked is None or np.ndim(picked) != 0 or not hasattr(explainer, "target_indices"):
        return None
    names = getattr(explainer, "output_names_", None)
    names = [] if names is None else [str(n) for n in np.atleast_1d(names)]
    if str(picked) not in names:
        return None
    try:
        targets = np.asarray(explainer.target_indices(X)).reshape(-1)
    except Exception:  # the metrics will say what fails
        return None
    if np.all(targets == names.index(str(picked))):
        return None
    return (
        f"The explanation was cut to output '{picked}', while the metrics remove features from the "
        "output the explainer explains for each sample (its target); explain with target set to it"
    )


def _with_quantity(exp, explainer):
    """``exp``, or a shallow copy recording the explained quantity when the explainer did not."""
    import copy

    if "quantity" in exp.extras:
        return exp
    quantity = explained_quantity(exp, explainer)
    if not quantity:
        return exp
    exp = copy.copy(exp)
    exp.extras = {**exp.extras, "quantity": quantity}
    return exp


def _named_outputs(exp, names):
    """A shallow copy of ``exp`` whose outputs carry ``names`` (when it has none, or only indices)."""
    import copy

    current = exp.output_names
    if current is not None and np.ndim(current) == 0:
        return exp  # one output picked by the user (exp[..., "setosa"]): its name is known
    if current is not None and not all(isinstance(n, int | np.integer) for n in current):
        return exp
    exp = copy.copy(exp)
    exp.output_names = np.asarray(list(names), dtype=object)
    return exp


def extra_section(extra_figures, dpi, figures):
    """HTML of the "More pictures" section: ``(caption, draw(figure))`` pairs."""
    sb = SectionBuilder("more", dpi, figures)
    for item in extra_figures:
        caption, draw = item[0], item[1]
        figsize = item[2] if len(item) > 2 else (10, 3)
        sb.figure(draw, caption, figsize, n_axes=0, literal=False)  # the caller's own texts
    return sb.html()


def _importances(exp):
    try:
        values = np.asarray(exp.target_values, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    if values.ndim != 2 or is_text_explanation(exp):
        return None
    return np.abs(values).mean(axis=0)


def agreement_section(named_exps):
    """Do the explainers agree? Rank correlation of their global importances, and top features.

    Only explainers of the same tabular features are compared; returns None when fewer than two.
    """
    from scipy.stats import spearmanr

    rows = []
    for name, exp in named_exps:
        imp = None if exp is None else _importances(exp)
        if imp is not None:
            names = [str(v) for v in exp.feature_names] if exp.feature_names is not None else None
            rows.append((name, imp, names))
    if len(rows) < 2:
        return None
    ref_names = rows[0][2]
    rows = [r for r in rows if len(r[1]) == len(rows[0][1]) and r[2] == ref_names]
    if len(rows) < 2:
        return None
    head = "<tr><th></th>" + "".join(f"<th>{esc(r[0])}</th>" for r in rows) + "</tr>"
    body = []
    for a in rows:
        cells = []
        for b in rows:
            rho = spearmanr(a[1], b[1]).statistic if np.ptp(a[1]) > 0 and np.ptp(b[1]) > 0 else np.nan
            cells.append(f"<td>{rho:.3f}</td>")
        body.append(f"<tr><th>{esc(a[0])}</th>{''.join(cells)}</tr>")
    names = ref_names or [f"x{j}" for j in range(len(rows[0][1]))]

    def five(imp):
        # features of no importance are not "most important" (a depth-2 tree's unused ones)
        order = [j for j in np.argsort(-imp, kind="stable")[:5] if imp[j] > 0]
        return ", ".join(names[j] for j in order) or "none (every importance is 0)"

    top = "".join(f"<tr><th>{esc(r[0])}</th><td>{esc(five(r[1]))}</td></tr>" for r in rows)
    return (
        "<p>Spearman rank correlation between the global importances (mean absolute attribution per "
        "feature over the explained samples; for anchors, the share of the samples whose anchor uses "
        "the feature) of each pair of explainers: 1 means the same ranking.</p>"
        f'<table class="metrics">{head}{"".join(body)}</table>'
        f'<h3>Five most important features</h3><table class="kv">{top}</table>'
    )
