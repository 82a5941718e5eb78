"""Shared pieces of the Display objects: lazy matplotlib, reading explanations, colours."""

from __future__ import annotations

import numpy as np

# Red for attributions that push the output up, blue for those that pull it down (the
# convention of the course and of shap's pictures).
POSITIVE = "#d62728"
NEGATIVE = "#1f77b4"


def check_matplotlib(caller):
    """Import matplotlib or say how to install it."""
    try:
        import matplotlib  # noqa: F401
    except ImportError as exc:  # pragma: no cover - matplotlib is a declared extra
        raise ImportError(
            f"{caller} needs matplotlib; install it with `pip install skxai[plot]`."
        ) from exc


def new_axes(ax, caller, figsize=None):
    """Return ``(figure, ax)``: ``ax``'s figure, or a new pyplot figure when ``ax`` is None."""
    check_matplotlib(caller)
    if ax is not None:
        return ax.figure, ax
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=figsize)
    return fig, ax


def _select_output(exp, output):
    """Values ``(n, ...)`` and base values ``(n,)`` of the output ``output`` (name or index)."""
    if output is None:
        return np.asarray(exp.target_values, dtype=np.float64), exp.target_base_values, None
    if exp.output_axis is None:
        raise ValueError("This explanation has a single output; leave output=None.")
    values = np.asarray(exp.values, dtype=np.float64)
    names = exp.output_names
    idx = None
    if names is not None:
        matches = [k for k, name in enumerate(names) if name == output or str(name) == str(output)]
        idx = matches[0] if matches else None
    if idx is None and isinstance(output, int | np.integer) and 0 <= output < values.shape[-1]:
        idx = int(output)
    if idx is None:
        known = list(names) if names is not None else list(range(values.shape[-1]))
        raise ValueError(f"output={output!r} is not an output of this explanation; outputs: {known}.")
    base = exp.base_values
    if base is not None:
        base = np.asarray(base, dtype=np.float64)
        base = base[..., idx] if base.ndim == 2 else base
    return np.moveaxis(values, exp.output_axis, -1)[..., idx], base, idx


def tabular_parts(exp, output=None, caller="This display"):
    """Read a tabular explanation.

    Returns
    -------
    values : ndarray (n, d)
    base : ndarray (n,) or None
    data : ndarray (n, d) of float (NaN where a cell is not numeric) or None
    raw : ndarray (n, d) of objects or None (the cells as given, for labels)
    names : list of str
    """
    values, base, _ = _select_output(exp, output)
    if values.ndim != 2:
        raise ValueError(
            f"{caller} needs tabular attributions of shape (n_samples, n_features) for one "
            f"output; this explanation has values of shape {values.shape} after selecting the "
            "output (use the image or text displays for such explanations)."
        )
    n, d = values.shape
    names = exp.feature_names
    names = [f"x{j}" for j in range(d)] if names is None else [str(v) for v in names]
    if len(names) != d:
        names = [f"x{j}" for j in range(d)]
    base = None if base is None else np.broadcast_to(np.asarray(base, dtype=np.float64), (n,))
    data, raw = None, None
    if exp.data is not None:
        raw = exp.data.to_numpy(dtype=object) if hasattr(exp.data, "iloc") else np.asarray(exp.data)
        if raw.ndim == 2 and raw.shape == (n, d):
            data = numeric_cells(raw)
        else:
            raw = None
    return values, base, data, raw, names


def numeric_cells(raw):
    """Float copy of a table, NaN where a cell is not a number (strings, categories)."""
    raw = np.asarray(raw)
    try:
        return raw.astype(np.float64)
    except (TypeError, ValueError):
        out = np.full(raw.shape, np.nan)
        for j in range(raw.shape[1]):
            col = raw[:, j]
            try:
                out[:, j] = col.astype(np.float64)
            except (TypeError, ValueError):
                # Categories: their codes in sorted order, so colour still separates them.
                _, codes = np.unique(col.astype(str), return_inverse=True)
                out[:, j] = codes
        return out


def explain(explainer, X, caller):
    """``explainer.explain(X)`` with a clear error for unfitted or non-explainer objects."""
    if not hasattr(explainer, "explain"):
        raise TypeError(
            f"{caller}.from_explainer needs a skxai explainer (an object with explain); got "
            f"{type(explainer).__name__}."
        )
    return explainer.explain(X)


def explain_row(explainer, X, index, caller):
    """Explanation of row ``index`` of ``X`` (a frame keeps its columns), as from :func:`explain`."""
    X_row = X.iloc[[index]] if hasattr(X, "iloc") else np.asarray(X)[[index]]
    return explain(explainer, X_row, caller)


def format_value(v):
    """Short number for labels."""
    v = float(v)
    if v == 0:
        return "0"
    if abs(v) >= 1e4 or abs(v) < 1e-3:
        return f"{v:.2e}"
    return f"{v:.3g}" if abs(v) < 100 else f"{v:.1f}"


def fig_to_png_bytes(fig, dpi=100, tight=True):
    """PNG bytes of a figure (through the Agg canvas, no pyplot state involved)."""
    import io

    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight" if tight else None)
    return buf.getvalue()
