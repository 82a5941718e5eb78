"""Whether an explanation's data are the rows a caller pairs it with (metrics, reports)."""

from __future__ import annotations

import numpy as np

from skxai.utils._tensors import tensor_to_numpy


def _is_frame(X):
    return hasattr(X, "columns") and hasattr(X, "dtypes") and hasattr(X, "iloc")


def _as_array(X):
    """A frame, tensor or array as a numpy array of its own dtype (text kept: no float cast)."""
    if hasattr(X, "detach") and hasattr(X, "cpu"):
        return np.asarray(tensor_to_numpy(X))
    return np.asarray(X.to_numpy() if hasattr(X, "to_numpy") else X)


#: Values per row that :func:`same_rows` compares in a wide array (images).
_COMPARED_VALUES = 4096


def same_rows(data, X):
    """Whether an Explanation's ``data`` holds the rows ``X`` in their order (True where they
    cannot be compared: another shape). Each row's values are compared as a sorted list, so an
    explanation whose features were reordered (``exp[:, names]``, or kept in the fit's order of
    a frame given in another) still matches its rows."""
    if _is_frame(data) and _is_frame(X) and data.shape[1] == X.shape[1]:
        # the explanation keeps a frame's columns in the fit's order, X may hold them in another
        names, wanted = [str(c) for c in data.columns], [str(c) for c in X.columns]
        if sorted(names) == sorted(wanted) and len(set(names)) == len(names):
            data = data.iloc[:, [names.index(c) for c in wanted]]
    a, b = _as_array(data), _as_array(X)
    if a.shape != b.shape or a.ndim < 1:
        return True
    a, b = a.reshape(len(a), -1), b.reshape(len(b), -1)
    if a.dtype.kind in "biuf" and b.dtype.kind in "biuf":  # images, tensors, numeric tables
        if a.dtype == b.dtype and np.array_equal(a, b, equal_nan=a.dtype.kind == "f"):
            return True  # the usual case (the data are X), in one pass
        if a.shape[1] > _COMPARED_VALUES:
            # images: other rows differ anywhere, and their pixels are never reordered, so a
            # spread of positions tells (all of a 64 x 3 x 224 x 224 batch took 1.8 s)
            cols = np.linspace(0, a.shape[1] - 1, _COMPARED_VALUES).astype(np.int64)
            return _close(a[:, cols].astype(np.float64), b[:, cols].astype(np.float64))
        a, b = a.astype(np.float64), b.astype(np.float64)
        return _close(a, b) or _close(np.sort(a, axis=1), np.sort(b, axis=1))
    # a table with text: column by column, numbers within a relative rounding (float32 data
    # against float64 X, an int column read as float), the rest as text
    numeric_a, numeric_b, text_a, text_b = [], [], [], []
    for j in range(a.shape[1]):
        try:
            numeric_a.append(a[:, j].astype(np.float64))
            numeric_b.append(b[:, j].astype(np.float64))
        except (TypeError, ValueError):
            del numeric_a[len(numeric_b) :]
            text_a.append(a[:, j].astype(str))
            text_b.append(b[:, j].astype(str))
    if text_a and not np.array_equal(np.sort(np.stack(text_a, 1), axis=1), np.sort(np.stack(text_b, 1), axis=1)):
        return False
    if not numeric_a:
        return True
    return _close(np.sort(np.stack(numeric_a, 1), axis=1), np.sort(np.stack(numeric_b, 1), axis=1))


def _close(a, b):
    """Equal within a relative rounding (float32 against float64), NaN equal to NaN."""
    scale = float(np.nanmax(np.abs(b), initial=0.0))
    return bool(np.allclose(a, b, rtol=1e-6, atol=1e-12 * scale, equal_nan=True))
