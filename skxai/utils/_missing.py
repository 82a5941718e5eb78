"""Which cells of an array hold no value: one rule for every family."""

from __future__ import annotations

import numpy as np


def _is_missing(value):
    # pandas' NA and NaT by their type's name: pandas is not imported for it
    return (
        value is None or type(value).__name__ in ("NAType", "NaTType") or (isinstance(value, float) and value != value)
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
    if A.dtype != object:
        return np.zeros(A.shape, dtype=bool)
    return _missing_objects(A).astype(bool)
