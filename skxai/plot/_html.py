"""HTML renderings: highlighted text and compact explanation tables (notebooks and reports)."""

from __future__ import annotations

import html

import numpy as np

from skxai.plot._base import format_value, is_anchor_explanation, outputs_in_turn, unpicked_outputs
from skxai.plot._textparts import COVERAGE_MEANING, align_tokens, coverage_text, needs_space, text_parts

STYLE = """
.skxai-text{font-family:Georgia,serif;line-height:1.9;max-width:60em;overflow-wrap:anywhere}
.skxai-w{padding:1px 0;border-radius:3px}
.skxai-anchor{font-weight:bold;text-decoration:underline;text-decoration-thickness:2px}
.skxai-meta{font-family:sans-serif;font-size:90%;color:#333;margin:0.3em 0;max-width:60em;overflow-wrap:anywhere}
table.skxai-explanation{border-collapse:collapse;font-family:sans-serif;font-size:85%}
table.skxai-explanation td,table.skxai-explanation th{border:1px solid #ddd;padding:2px 6px;text-align:right}
"""


def _std_title(std, scale):
    """A cell's hover text for its standard error: "error unknown" where it is infinite or NaN
    (as the displays and the report write it; "\u00b1inf (std)" read as a number)."""
    if not np.isfinite(std):
        return "error unknown"
    return f"\u00b1{format_value(std, scale)} (std)"


def weight_colour(w, scale):
    """Background colour of a weight: red for positive, blue for negative, opacity by size."""
    alpha = 0.0 if scale <= 0 else min(1.0, abs(float(w)) / scale)
    alpha = 0.1 + 0.75 * alpha if w != 0 else 0.0
    rgb = "214,39,40" if w > 0 else "31,119,180"
    return f"rgba({rgb},{alpha:.2f})"


def _token_html(tok, w, scale, anchored):
    classes = ["skxai-w"]
    if anchored:
        classes.append("skxai-anchor")
    attrs = f' class="{" ".join(classes)}"'
    if w is not None:
        attrs += f' style="background:{weight_colour(w, scale)}" title="{_signed(w, scale)}"'
        attrs += f' data-weight="{float(w):.6g}"'
    return f"<span{attrs}>{html.escape(tok)}</span>"


def parts_html(parts, *, style=True):
    """HTML of one document: weights as coloured spans, anchor words in bold.

    The original spacing and punctuation of the document are kept where the tokens can be
    found in it in order.
    """
    tokens, weights = parts.tokens, parts.weights
    scale = 0.0 if weights is None or not len(weights) else float(np.abs(weights).max())
    pieces = []
    if parts.document:
        spans = align_tokens(parts.document, tokens, parts.offsets)
        cursor = 0
        for i, (tok, span) in enumerate(zip(tokens, spans, strict=True)):
            w = None if weights is None else weights[i]
            anchored = i in parts.anchor_positions
            if span is None:
                previous = tokens[i - 1] if i else ""
                pieces.append((" " if needs_space(previous, tok) else "") + _token_html(tok, w, scale, anchored))
                continue
            pieces.append(html.escape(parts.document[cursor : span[0]]))
            pieces.append(_token_html(parts.document[span[0] : span[1]], w, scale, anchored))
            cursor = span[1]
        pieces.append(html.escape(parts.document[cursor:]))
    else:
        for i, t in enumerate(tokens):
            if needs_space(tokens[i - 1] if i else "", t):
                pieces.append(" ")
            pieces.append(_token_html(t, None if weights is None else weights[i], scale, i in parts.anchor_positions))
    meta = []
    if parts.method:
        meta.append(f"<b>{html.escape(str(parts.method))}</b>")
    if parts.label is not None:
        meta.append(f"<b>{html.escape(parts.label)}</b>")
    if parts.anchor_words:
        meta.append("anchor: <b>" + html.escape(" AND ".join(parts.anchor_words)) + "</b>")
    elif parts.precision is not None:
        # an empty anchor is a result (the prediction holds however the words are perturbed), not
        # a missing one: without this the line read as if no anchor had been found
        meta.append("anchor: <b>(empty: no word needed)</b>")
    if parts.precision is not None:
        meta.append(f"precision {parts.precision:.3f}")
    if parts.coverage is not None:
        # format_value: a coverage of 0.0002 is no "0.000", and an exact 0 reads "0" with what it
        # means (no corpus document holds the anchor's words); its definition in a tooltip
        meta.append(
            f'<span title="{html.escape(COVERAGE_MEANING)}">'
            f"{html.escape(coverage_text(parts.coverage, bool(parts.anchor_words)))}</span>"
        )
    if weights is not None and len(weights):
        # each word once: LIME gives every occurrence of a word its weight, and "to" filled the
        # list four times
        top, seen = [], set()
        for j in np.argsort(-np.abs(weights), kind="stable"):
            key = (tokens[j].lower(), float(weights[j]))
            if key not in seen and len(top) < 5:
                seen.add(key)
                top.append(j)
        meta.append(
            "strongest: "
            # <bdi>: a right-to-left word ("שלום (+0.5)") otherwise took the sign and brackets of
            # its number into its own direction, drawn "(0.5+) שלום"
            + ", ".join(f"<bdi>{html.escape(tokens[j])}</bdi> ({_signed(weights[j], scale)})" for j in top)
        )
    head = f'<div class="skxai-meta">{" &middot; ".join(meta)}</div>' if meta else ""
    # dir="auto": a Hebrew or Arabic document is a right-to-left paragraph (its final "!" on the
    # left), whatever the page's direction; padding of the word spans is vertical only, so
    # punctuation sits next to its word ("GUN." was drawn "GUN .")
    css = f"<style>{STYLE}</style>" if style else ""
    return f'{css}<div class="skxai-doc">{head}<div class="skxai-text" dir="auto">{"".join(pieces)}</div></div>'


def _signed(w, scale):
    """A word's weight with its sign, as the labels write numbers (no exponent: "+0.000041",
    not "+4.1e-05")."""
    text = format_value(w, scale)
    return text if text.startswith("-") else "+" + text


def text_html(explanation, index=None, *, style=True):
    """Highlighted HTML of the documents of a text explanation.

    Parameters
    ----------
    explanation : Explanation
        Text explanation (LIME, Shapley or Anchors on documents).
    index : int or list of int, optional
        Documents to render; all by default.
    style : bool, default=True
        Prepend the ``<style>`` block (leave out when the page already holds it).

    Returns
    -------
    str

    Examples
    --------
    >>> import numpy as np
    >>> from skxai import Explanation
    >>> from skxai.plot import text_html
    >>> exp = Explanation([np.array([0.5, -0.2])], data=["great plot"],
    ...                   tokens=[["great", "plot"]], anchor=[["great"]], precision=[0.97])
    >>> "skxai-anchor" in text_html(exp)
    True
    """
    n = len(explanation.values) if explanation.values is not None else len(explanation.data)
    indices = range(n) if index is None else np.atleast_1d(index)
    body = "".join(parts_html(text_parts(explanation, int(i), "text_html"), style=False) for i in indices)
    return (f"<style>{STYLE}</style>" if style else "") + body


def is_text_explanation(explanation):
    """True when the explained samples are documents (strings)."""
    data = explanation.data
    if data is None:
        return "tokens" in explanation.extras or "words" in explanation.extras
    first = data[0] if isinstance(data, list | tuple) and len(data) else None
    if first is None and isinstance(data, np.ndarray) and data.ndim == 1 and len(data):
        first = data[0]
    return isinstance(first, str)


def _anchor_rows_html(explanation, max_rows):
    """A tabular anchor explanation's rows: each sample's rule, the decision it keeps, its
    precision (with bounds) and coverage. Its values only mark the features a rule uses: shown
    as signed attributions ("red raises the output"), the rule itself appeared nowhere."""
    ex = explanation.extras
    one = not explanation._has_samples()

    def field(name, i):
        v = ex.get(name)
        if v is None:
            return None
        return v if one else v[i]

    n = 1 if one else len(ex["anchor"])
    head = (
        f"<div><b>{html.escape(str(explanation.method_title))}</b>: anchors of {n} sample(s) (a rule on the "
        "features that keeps the model's decision; precision on fresh samples, coverage on the "
        "background)</div>"
    )
    rows = []
    for i in range(min(n, max_rows)):
        rule = field("anchor", i)
        rule = " AND ".join(str(r) for r in rule) if rule else "(empty rule: the decision holds everywhere)"
        prec, lo, hi = field("precision", i), field("precision_lower", i), field("precision_upper", i)
        bounds = "" if lo is None or hi is None else f" [{format_value(lo)}, {format_value(hi)}]"
        cov, pred, ok = field("coverage", i), field("prediction", i), field("success", i)
        cells = [
            str(i),
            html.escape(rule),
            html.escape("" if pred is None else str(pred)),
            "" if prec is None else f"{format_value(prec)}{bounds}",
            "" if cov is None else format_value(cov),
            "" if ok is None else ("yes" if ok else "no"),
        ]
        rows.append("<tr>" + "".join(f'<td style="text-align:left;padding:2px 8px">{c}</td>' for c in cells) + "</tr>")
    more = "" if n <= max_rows else f"<div>... {n - max_rows} more</div>"
    header = "".join(
        f'<th style="text-align:left;padding:2px 8px">{h}</th>'
        for h in ("sample", "anchor", "decision kept", "precision", "coverage", "threshold met")
    )
    return f"{head}<table><tr>{header}</tr>{''.join(rows)}</table>{more}"


#: Outputs of an explanation without a target shown one after the other in a notebook.
_MAX_OUTPUTS_SHOWN = 4


def _each_output_html(explanation, max_rows, max_features):
    """:func:`explanation_html` of each output of an explanation that explains several and
    names none the explained one (a raw repr, without a word of why, before)."""
    k, shown, which = outputs_in_turn(explanation, _MAX_OUTPUTS_SHOWN)
    parts = [
        f"<div><b>{html.escape(str(explanation.method_title))}</b> explanation of {k} outputs, none "
        f"named the explained one (target=None): {which} shown in turn; pick one with "
        "<code>exp[..., name]</code>.</div>"
    ]
    for j, name in shown:
        parts.append(f"<h4>Output {html.escape(str(name))}</h4>")
        parts.append(explanation_html(explanation[..., j], max_rows, max_features))
    return "".join(parts)


def explanation_html(explanation, max_rows=10, max_features=12):
    """Notebook rendering of an :class:`~skxai.Explanation`.

    Documents are shown highlighted (coloured words, anchors in bold); tabular explanations
    as a table of the most important features with base value and prediction; images as a
    short summary with the heatmaps of the first images (max over channels of the absolute
    attribution) when matplotlib is installed.

    Parameters
    ----------
    explanation : Explanation
        The explanation shown.
    max_rows : int, default=10
        Most samples (documents, rows, images) shown.
    max_features : int, default=12
        Most features per row in the tabular table (the largest absolute attributions).

    Returns
    -------
    str
        Self-contained HTML (inline styles and images, no scripts).

    Examples
    --------
    >>> import numpy as np
    >>> from skxai import Explanation
    >>> from skxai.plot import explanation_html
    >>> exp = Explanation(np.array([[1.0, -1.0]]), base_values=np.array([0.5]),
    ...                   feature_names=["a", "b"])
    >>> "<table" in explanation_html(exp)
    True
    """
    if is_text_explanation(explanation):
        n = len(explanation.values) if explanation.values is not None else len(explanation.data)
        return text_html(explanation, list(range(min(n, max_rows))))
    if is_anchor_explanation(explanation):
        return _anchor_rows_html(explanation, max_rows)
    if unpicked_outputs(explanation):
        return _each_output_html(explanation, max_rows, max_features)
    try:
        values = np.asarray(explanation.target_values, dtype=np.float64)
    except (TypeError, ValueError, IndexError) as exc:
        return f"<pre>{html.escape(repr(explanation))}</pre><div>{html.escape(str(exc))}</div>"
    if not explanation._has_samples():
        values = values[None]  # one sample (exp[i]): a row of the table, or one image
    if values.ndim == 1:
        values = values[:, None]  # one feature of each sample (exp[:, "age"]): a column
    if values.shape[0] == 0:
        # exp[mask] of no sample: a valid Explanation, whose largest value has no meaning
        return (
            f"<div><b>{html.escape(str(explanation.method_title))}</b> explanation of 0 samples "
            f"(values of shape {values.shape})</div>"
        )
    if values.ndim != 2:
        summary = (
            f"<div><b>{html.escape(str(explanation.method_title))}</b>: attributions of "
            f"{values.shape[0]} input(s) of shape {values.shape[1:]}, |max| "
            f"{float(np.abs(values).max()):.4g}</div>"
        )
        return summary + _thumbnails(values, explanation)
    n, d = values.shape
    names = explanation.feature_names
    names = None if names is None else np.atleast_1d(names)  # one name after exp[:, "age"]
    names = [f"x{j}" for j in range(d)] if names is None or len(names) != d else [str(v) for v in names]
    order = np.argsort(-np.abs(values).mean(axis=0), kind="stable")[:max_features]
    scale = float(np.abs(values).max()) or 1.0
    base = explanation.target_base_values
    explained, std = _explained_outputs(explanation, n), _target_std(explanation, values.shape)
    # a local surrogate (LIME): its intercept and prediction g(x), beside the model's own f(x)
    # (its table read like a Shapley table, "base + sum" taken for the model's prediction)
    model_out = _surrogate_model_outputs(explanation, n)
    head = "".join(f"<th>{html.escape(names[j])}</th>" for j in order)
    extra = "" if d <= max_features else f"<th>+{d - max_features} more</th>"
    rows = []
    for i in range(min(n, max_rows)):
        cells = "".join(
            f'<td style="background:{weight_colour(values[i, j], scale)}"'
            + ("" if std is None else f' title="{_std_title(std[i, j], scale)}"')
            + f">{format_value(values[i, j], scale)}</td>"
            for j in order
        )
        # the label formatter: a prediction of 0.99998 read "1" (as if the model were sure)
        # on the scale of the row's outputs and attributions: a base of 2e-10 read "0" (the unit
        # scale), and a residue of 1e-17 beside values of 1e-9 must still read 0
        b0 = None if base is None else float(np.ravel(base)[i])
        outputs = 0.0 if base is None else max(abs(b0), abs(b0 + values[i].sum()))
        row_scale = max(outputs, float(np.abs(values[i]).max())) or None
        b = "" if base is None else format_value(b0, row_scale)
        pred = "" if base is None else format_value(b0 + values[i].sum(), row_scale)
        out = "" if explained is None else f"<td>{html.escape(explained[i])}</td>"
        f_x = "" if model_out is None else f"<td>{format_value(float(model_out[i]), row_scale)}</td>"
        rows.append(f"<tr><th>{i}</th>{out}<td>{b}</td><td>{pred}</td>{f_x}{cells}{'<td></td>' if extra else ''}</tr>")
    more = f"<div>... {n - max_rows} more rows</div>" if n > max_rows else ""
    # which output each row explains (a class of a multi-class model), and where the standard
    # errors are (hover): without them a "predicted" explanation did not say of which class
    out_head = "" if explained is None else "<th>explained</th>"
    hover = "" if std is None else "; hover a value for its standard error"
    if model_out is None:
        what, columns = "explanation", "<th>base</th><th>base + sum</th>"
    else:
        what = "local surrogate weights (not an additive split of the model's output)"
        columns = "<th>surrogate intercept</th><th>surrogate g(x)</th><th>model f(x)</th>"
    return (
        f"<style>{STYLE}</style><div><b>{html.escape(str(explanation.method_title))}</b> {what} "
        f"of {n} sample(s) x {d} feature(s) (red raises the output, blue lowers it{hover})"
        f'<table class="skxai-explanation"><tr><th></th>{out_head}{columns}{head}{extra}</tr>'
        f"{''.join(rows)}</table>{more}</div>"
    )


def _surrogate_model_outputs(explanation, n):
    """The model's own output for each of the ``n`` rows of a tabular surrogate explanation
    (LIME's ``model_outputs``, of the explained output), or None (not a surrogate)."""
    outs = (getattr(explanation, "extras", None) or {}).get("model_outputs")
    if outs is None:
        return None
    from skxai._adapters import select_target

    outs = np.asarray(outs, dtype=np.float64)
    if not explanation._has_samples():
        outs = outs[None]
    try:
        picked = np.asarray(select_target(outs, explanation.target_index, outs), dtype=np.float64).reshape(-1)
    except (TypeError, ValueError, IndexError):
        return None
    return picked if picked.shape == (n,) else None


def _explained_outputs(explanation, n):
    """Name of the output each of the ``n`` rows explains, or None (no output axis or names)."""
    names = explanation.output_names
    if names is not None and np.ndim(names) == 0:
        # one output picked (exp[..., "virginica"]): no output axis is left, its name is
        name = names.item() if hasattr(names, "item") else names
        return [str(name)] * n
    if explanation.output_axis is None or names is None:
        return None
    if len(names) == 1 and isinstance(names[0], int | np.integer):
        return None  # a regressor's one output is named by its position: a column of 0 says nothing
    try:
        t = explanation._target_positions()
    except (TypeError, ValueError):
        return None
    if t is None:
        return None
    t = np.broadcast_to(np.asarray(t, dtype=int), (n,))
    return [str(names[k]) if 0 <= k < len(names) else str(k) for k in t]


def _target_std(explanation, shape):
    """Standard errors of the explained output, shaped like its values, or None."""
    std = explanation.std
    if std is None or np.shape(std) != np.shape(explanation.values):
        return None
    import copy

    errors = copy.copy(explanation)
    errors.values = std
    try:
        std = np.asarray(errors.target_values, dtype=np.float64)
    except (TypeError, ValueError, IndexError):
        return None
    if std.shape != shape and std.size == int(np.prod(shape)):
        std = std.reshape(shape)  # the axis of one sample or one feature added to the values
    return std if std.shape == shape else None


def _thumbnails(values, explanation, k=4):
    """Heatmaps of the first ``k`` images as one inline PNG ('' without matplotlib), each titled
    with the output it explains (each sample's own predicted class, when it varies)."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return ""
    import base64

    from matplotlib.figure import Figure

    from skxai.plot._base import fig_to_png_bytes
    from skxai.plot._image import heatmap, to_hwc

    if values.ndim not in (3, 4):
        return ""
    k = min(k, values.shape[0])
    titles = _thumbnail_titles(explanation, k)
    lines = max(t.count("\n") + 1 for t in titles)
    fig = Figure(figsize=(1.8 * k, 1.75 + 0.15 * lines))
    for i, ax in enumerate(np.atleast_1d(fig.subplots(1, k))):
        hm = values[i] if values.ndim == 3 else heatmap(to_hwc(values[i]), "abs_max")
        ax.imshow(hm, cmap="inferno")
        ax.set_axis_off()
        ax.set_title(titles[i], fontsize=8)
    data = base64.b64encode(fig_to_png_bytes(fig, dpi=60)).decode("ascii")
    return f'<img alt="attribution maps" src="data:image/png;base64,{data}">'


def _thumbnail_titles(explanation, k):
    """ "sample i" and the output it explains, for the first ``k`` images."""
    from skxai.plot._base import output_label, wrap_label

    titles = []
    for i in range(k):
        try:
            what = output_label(explanation, index=i) if explanation._has_samples() else output_label(explanation)
        except (ValueError, TypeError, IndexError):
            what = ""
        titles.append(f"sample {i}" + (f"\n{wrap_label(what, 24)}" if what else ""))
    return titles
