"""The views of one explainer in a report: what was explained, settings, global and local pictures, quality."""

from __future__ import annotations

import time
import traceback

import numpy as np

from skxai._adapters import is_frozen
from skxai.plot._base import fig_to_png_bytes, format_value
from skxai.plot._html import is_text_explanation, parts_html
from skxai.plot._textparts import text_parts
from skxai.report._page import esc, kv_table, png_figure, slug

# Metrics tried for every report, with the direction that is better. Each is looked up in
# skxai.metrics at run time: a metric that is not installed, or does not apply to this kind
# of explanation, is reported as such instead of failing the page.
METRICS = (
    ("deletion_auc", "lower is better"),
    ("insertion_auc", "higher is better"),
    ("faithfulness_correlation", "higher is better"),
)


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

    def figure(self, draw, caption, figsize=(6.5, 4.0), n_axes=1):
        """Draw with ``draw(ax)`` on a fresh figure and embed it; failures become a note.
        ``n_axes=0`` passes the figure itself."""
        fig = new_figure(figsize)
        try:
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


def settings_html(explainer):
    params = explainer.get_params(deep=False)
    rows = [(k, f"<code>{esc(_short(v))}</code>") for k, v in sorted(params.items())]
    return kv_table(rows)


def what_html(explainer, X, exp, seconds):
    """The table saying which model, data, outputs and method were explained."""
    doc = (type(explainer).__doc__ or "").strip().splitlines()
    rows = [("explainer", f"<b>{esc(type(explainer).__name__)}</b> — {esc(doc[0] if doc else '')}")]
    est = getattr(explainer, "estimator_", getattr(explainer, "estimator", None))
    if est is not None:
        rows.append(("model", esc(describe_model(est))))
    shape = getattr(X, "shape", None)
    rows.append(("data explained", esc(f"{len(X)} sample(s)" + (f", shape {tuple(shape)}" if shape else ""))))
    out = getattr(explainer, "output_", None)
    if out is not None and getattr(out, "method", None):
        rows.append(("response explained", f"<code>{esc(out.method)}</code>"))
    names = getattr(explainer, "output_names_", None)
    if names is None:
        names = exp.output_names
    if names is not None:
        rows.append(("outputs", esc(", ".join(str(n) for n in list(names)[:20]))))
    target = getattr(explainer, "target_index_", exp.target_index)
    if target is not None:
        label = target
        if isinstance(target, int | np.integer) and names is not None and 0 <= target < len(names):
            label = f"{names[target]} (output {target})"
        elif isinstance(target, str) and target == "predicted":
            label = "the predicted class of each sample"
        rows.append(("explained output", esc(label)))
    ev = getattr(explainer, "expected_value_", None)
    if ev is not None:
        rows.append(("expected value (base)", esc(", ".join(format_value(v) for v in np.ravel(ev)[:10]))))
    values = exp.values
    shape = getattr(values, "shape", None)
    rows.append(("attributions", esc(f"shape {shape}" if shape is not None else f"{len(values)} ragged rows")))
    rows.append(("time to explain", esc(f"{seconds:.2f} s")))
    return kv_table(rows)


def additivity_note(exp):
    """Largest gap between base + sum of attributions and the model output (additive methods)."""
    if exp.outputs is None or exp.base_values is None:
        return None
    try:
        from skxai._adapters import select_target

        values = np.asarray(exp.target_values, dtype=np.float64)
        outs = np.asarray(exp.outputs, dtype=np.float64)
        pred = select_target(outs, exp.target_index, outs) if outs.ndim == 2 else outs
        gap = np.abs(np.ravel(exp.target_base_values) + values.reshape(len(values), -1).sum(1) - pred)
    except (TypeError, ValueError, IndexError):
        return None
    return float(gap.max())


def tabular_views(sb, exp, n_local):
    from skxai.plot import (
        BarDisplay,
        BeeswarmDisplay,
        DependenceDisplay,
        ForceDisplay,
        WaterfallDisplay,
    )

    n, d = exp.target_values.shape
    sb.add("<h3>Global view</h3>")
    sb.figure(lambda ax: BarDisplay.from_explanation(exp, ax=ax),
              "Mean |attribution| per feature over the explained samples", (6.5, 0.3 * min(d, 11) + 1.5))
    if n > 1:
        sb.figure(lambda ax: BeeswarmDisplay.from_explanation(exp, ax=ax),
                  "Attribution of every sample, coloured by the feature's value (red high, blue low)",
                  (7.5, 0.35 * min(d, 12) + 1.5))
    if exp.data is not None and n > 2:
        top = int(np.argmax(np.abs(exp.target_values).mean(axis=0)))
        sb.figure(lambda ax: DependenceDisplay.from_explanation(exp, top, ax=ax),
                  "Dependence of the most important feature's attribution on its value", (6, 4))
    if exp.base_values is None:
        sb.note("No base values: local waterfalls need an additive method.")
        return
    sb.add("<h3>Local views</h3>")
    gap = additivity_note(exp)
    if gap is not None:
        sb.add(f"<p>Largest |base value + sum of attributions - model output| over the explained "
               f"samples: <b>{gap:.3g}</b>{' (additive)' if gap < 1e-6 else ''}.</p>")
    picked = local_samples(exp, n_local)
    if picked:
        sb.add("<p>Samples shown: " + ", ".join(f"{esc(why)} (sample {i})" for i, why in picked) + ".</p>")
    for i, why in picked:
        sb.figure(lambda ax, i=i: WaterfallDisplay.from_explanation(exp, index=i, ax=ax),
                  f"Sample {i} ({why}): from the base value to the prediction", (7, 0.4 * min(d, 11) + 1.6))
        sb.figure(lambda ax, i=i: ForceDisplay.from_explanation(exp, index=i, ax=ax),
                  f"Sample {i}: features pushing the output up (red) and down (blue)", (9, 2.4))


def local_samples(exp, k):
    """Up to ``k`` telling samples: the highest and lowest explained output, then the median one."""
    values = np.asarray(exp.target_values, dtype=np.float64)
    n = len(values)
    base = exp.target_base_values
    if base is None or k <= 0:
        return [(i, "sample") for i in range(min(k, n))]
    pred = np.ravel(base) + values.sum(axis=1)
    order = np.argsort(pred, kind="stable")
    picks = [(int(order[-1]), "highest output"), (int(order[0]), "lowest output"),
             (int(order[n // 2]), "median output")]
    picks += [(i, "sample") for i in range(n)]
    out, seen = [], set()
    for i, why in picks:
        if i not in seen:
            out.append((i, why))
            seen.add(i)
        if len(out) == min(k, n):
            break
    return out


def image_views(sb, exp, n_local):
    from skxai.plot import CamDisplay, ImageAttributionDisplay

    values = np.asarray(exp.target_values, dtype=np.float64)
    n = values.shape[0]
    cam = values.ndim == 3
    sb.add("<h3>Global view</h3>")
    mean_map = np.abs(values).mean(axis=0)

    def draw_mean(ax):
        from skxai.plot._image import heatmap, to_hwc

        hm = mean_map if cam else heatmap(to_hwc(mean_map), "abs_max")
        art = ax.imshow(hm, cmap="hot")
        ax.figure.colorbar(art, ax=ax, fraction=0.046, pad=0.04)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(f"mean |attribution| over {n} images", fontsize=9)

    sb.figure(draw_mean, "Where the attributions fall on average", (3.6, 3.4))
    sb.add("<h3>Local views</h3>")
    for i in range(min(n_local, n)):
        if cam:
            sb.figure(lambda ax, i=i: CamDisplay.from_explanation(exp, index=i, ax=ax),
                      f"Image {i}: map upscaled bilinearly over the image", (3.6, 3.4))
        else:
            sb.figure(lambda ax, i=i: ImageAttributionDisplay.from_explanation(exp, index=i, mode="split", ax=ax),
                      f"Image {i}: input, positive and negative attributions", (9, 3.2), n_axes=3)
            sb.figure(lambda ax, i=i: ImageAttributionDisplay.from_explanation(exp, index=i, mode="abs_max", ax=ax),
                      f"Image {i}: max over channels of |attribution|", (3.6, 3.4))


def text_views(sb, exp, n_local, explainer=None):
    from skxai.plot import AnchorSearchDisplay, BarDisplay

    n = len(exp.values) if exp.values is not None else len(exp.data)
    parts = [text_parts(exp, i) for i in range(n)]
    weighted = [p for p in parts if p.weights is not None]
    if weighted:
        sb.add("<h3>Global view</h3>")
        totals = {}
        for p in weighted:
            for tok, w in zip(p.tokens, p.weights, strict=True):
                totals.setdefault(tok.lower(), []).append(abs(float(w)))
        words = list(totals)
        importance = np.array([np.sum(totals[w]) / len(weighted) for w in words])
        disp = BarDisplay(importance, words, method=exp.method)
        sb.figure(lambda ax: disp.plot(ax=ax, max_display=15),
                  f"Words with the largest total |weight| per document, over {len(weighted)} documents",
                  (6.5, 5))
    sb.add("<h3>Local views</h3>")
    sb.add("<p>Red words push the explained output up, blue words pull it down; anchor words are "
           "<b>bold and underlined</b>. Hover a word for its weight.</p>")
    for i, p in enumerate(parts[:n_local]):
        sb.add(parts_html(p, style=False))
        if "candidates" in exp.extras:
            threshold = exp.extras.get("threshold", getattr(explainer, "threshold", None))
            sb.figure(lambda ax, i=i, t=threshold: AnchorSearchDisplay.from_explanation(
                exp, index=i, threshold=t, ax=ax),
                      f"Document {i}: every evaluated candidate, the threshold and the selected anchor",
                      (6.5, 4))


def metrics_html(explainer, X, exp, metric_names, n_samples):
    """Quality figures: the explainer's own ``score`` and the metrics of skxai.metrics."""
    rows = []
    Xm = X[:n_samples] if not hasattr(X, "iloc") else X.iloc[:n_samples]
    scoring = getattr(explainer, "scoring", None) or getattr(explainer, "_default_scoring", None)
    if scoring is not None:
        try:
            t0 = time.perf_counter()
            value = explainer.score(Xm)
            rows.append((f"score ({scoring})", f"{value:.4g}", "higher is better",
                         f"{time.perf_counter() - t0:.2f} s"))
        except Exception as exc:  # reported in the page: a metric that fails is a finding
            rows.append((f"score ({scoring})", "—", "not computed", f"{type(exc).__name__}: {exc}"))
    try:
        import skxai.metrics as metrics_module
    except ImportError as exc:  # pragma: no cover - metrics ship with skxai
        metrics_module = None
        rows.append(("skxai.metrics", "—", "not available", str(exc)))
    values = None
    try:
        values = np.asarray(exp.target_values, dtype=np.float64)[: len(Xm)]
    except (TypeError, ValueError):
        values = None
    for name, direction in metric_names:
        func = getattr(metrics_module, name, None) if metrics_module is not None else None
        if func is None:
            rows.append((name, "—", "not available", "this metric is not in this installation of skxai.metrics"))
            continue
        try:
            t0 = time.perf_counter()
            kwargs = {} if values is None else {"attributions": values}
            per_sample = np.asarray(func(explainer, Xm, **kwargs), dtype=np.float64)
            rows.append((name, f"{np.nanmean(per_sample):.4g} ± {_sem(per_sample):.2g}", direction,
                         f"{time.perf_counter() - t0:.2f} s, {len(per_sample)} samples"))
        except (ValueError, TypeError, NotImplementedError) as exc:  # e.g. documents
            rows.append((name, "—", "does not apply", f"{type(exc).__name__}: {exc}"))
        except Exception as exc:  # shown in the page rather than losing the whole report
            rows.append((name, "—", "failed", f"{type(exc).__name__}: {exc}"))
    head = "<tr><th>metric</th><th>value</th><th>reading</th><th>detail</th></tr>"
    body = "".join(
        "<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>" for row in rows
    )
    return f'<table class="metrics">{head}{body}</table>'


def _sem(a):
    a = a[~np.isnan(a)]
    return float(a.std(ddof=1) / np.sqrt(len(a))) if len(a) > 1 else 0.0


def explainer_section(name, explainer, X, *, n_local, metric_names, n_metric_samples, dpi, figures,
                      explanation=None):
    """HTML of one explainer's section and its explanation (None when explaining failed).

    Errors become notes, so one failure keeps the page."""
    sb = SectionBuilder(name, dpi, figures)
    try:
        t0 = time.perf_counter()
        exp = explanation if explanation is not None else explainer.explain(X)
        seconds = time.perf_counter() - t0
    except Exception as exc:
        sb.note(f"Explaining failed: {type(exc).__name__}: {exc}", "error")
        sb.add(f"<details><summary>traceback</summary><pre>{esc(traceback.format_exc())}</pre></details>")
        return sb.html(), None
    sb.add("<h3>What was explained</h3>")
    sb.add(what_html(explainer, X, exp, seconds))
    sb.add("<h3>Settings</h3>")
    sb.add(settings_html(explainer))
    if is_text_explanation(exp):
        text_views(sb, exp, n_local, explainer)
    else:
        ndim = np.asarray(exp.target_values).ndim
        if ndim == 2:
            tabular_views(sb, exp, n_local)
        else:
            image_views(sb, exp, n_local)
    if metric_names is not None:
        sb.add("<h3>Quality of the explanation</h3>")
        sb.add(metrics_html(explainer, X, exp, metric_names, n_metric_samples))
    return sb.html(), exp


def extra_section(extra_figures, dpi, figures):
    """HTML of the "More pictures" section: ``(caption, draw(figure))`` pairs."""
    sb = SectionBuilder("more", dpi, figures)
    for item in extra_figures:
        caption, draw = item[0], item[1]
        figsize = item[2] if len(item) > 2 else (10, 3)
        sb.figure(draw, caption, figsize, n_axes=0)
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
    top = "".join(
        f"<tr><th>{esc(r[0])}</th><td>{esc(', '.join(names[j] for j in np.argsort(-r[1], kind='stable')[:5]))}"
        "</td></tr>"
        for r in rows
    )
    return (
        "<p>Spearman rank correlation between the global importances (mean absolute attribution per "
        "feature over the explained samples) of each pair of explainers: 1 means the same ranking.</p>"
        f'<table class="metrics">{head}{"".join(body)}</table>'
        f'<h3>Five most important features</h3><table class="kv">{top}</table>'
    )
