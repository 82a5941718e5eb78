"""What a table's column holds, read from its dtype where the data is a frame: numbers, truth
values, text, categories (in their declared order), dates or durations.

The displays read cells by their column's kind, not by what each cell casts to: a store code
``'007'`` cast to the number 7, a zip category ``'10001'`` was written ``10,001`` and put on a
numeric axis, ``True`` was written 1, and dates or durations were sorted as text.
"""

from __future__ import annotations

import numbers
from typing import NamedTuple

import numpy as np

from skxai._data import _numpy_dtype
from skxai.utils._missing import missing_cells


class ColumnKind(NamedTuple):
    """A column's kind (``"number"``, ``"bool"``, ``"text"``, ``"category"``, ``"time"`` or
    ``"duration"``), a category column's categories in their declared order, and whether they
    are ordered (dates, durations, numbers and truth values are)."""

    kind: str
    categories: tuple | None = None
    ordered: bool = True

    @property
    def has_order(self):
        """Whether low and high mean something (a colour scale), unlike text or unordered categories."""
        if self.kind == "text":
            return False
        return self.kind != "category" or self.ordered


NUMBER = ColumnKind("number")


def column_kinds(data, raw):
    """The :class:`ColumnKind` of each column of an explanation's ``data`` (``raw``: its cells)."""
    dtypes = getattr(data, "dtypes", None)
    if dtypes is not None and len(dtypes) == raw.shape[1]:
        return [_kind_of_dtype(dtype, raw[:, j]) for j, dtype in enumerate(dtypes)]
    if raw.dtype.kind == "b":
        return [ColumnKind("bool")] * raw.shape[1]
    if raw.dtype.kind in "iuf":
        return [NUMBER] * raw.shape[1]
    if raw.dtype.kind in "Mm":
        return [ColumnKind("time" if raw.dtype.kind == "M" else "duration")] * raw.shape[1]
    return [_kind_of_cells(raw[:, j]) for j in range(raw.shape[1])]


def _kind_of_dtype(dtype, cells):
    import pandas as pd

    if isinstance(dtype, pd.CategoricalDtype):
        return ColumnKind("category", tuple(dtype.categories.tolist()), bool(dtype.ordered))
    kind = getattr(dtype, "kind", None)
    if kind == "M":
        return ColumnKind("time")
    if kind == "m":
        return ColumnKind("duration")
    numpy_kind = _numpy_dtype(dtype).kind  # pandas' nullable Int64, Float64, boolean too
    if numpy_kind == "b":
        return ColumnKind("bool")
    if numpy_kind in "iuf":
        return NUMBER
    return _kind_of_cells(cells)  # object columns: by their cells


def _kind_of_cells(cells):
    present = [v for v, gone in zip(cells, missing_cells(cells), strict=True) if not gone]
    if not present:
        return NUMBER
    if all(isinstance(v, bool | np.bool_) for v in present):
        return ColumnKind("bool")
    if all(isinstance(v, numbers.Number) for v in present):
        return NUMBER
    if all(_is_time(v) for v in present):
        return ColumnKind("time")
    if all(_is_duration(v) for v in present):
        return ColumnKind("duration")
    return ColumnKind("text")


def _is_time(v):
    return isinstance(v, np.datetime64) or type(v).__name__ == "Timestamp"


def _is_duration(v):
    return isinstance(v, np.timedelta64) or type(v).__name__ == "Timedelta"


def cell_text(v, kind, number_text):
    """A cell as written beside its feature's name: text and categories as given, truth values
    as True and False, times as pandas prints them, numbers by ``number_text``."""
    if kind.kind in ("text", "category"):
        return str(v)
    if kind.kind == "bool" and isinstance(v, bool | np.bool_):
        return str(bool(v))
    if kind.kind in ("time", "duration") and not missing_cells(np.array([v], dtype=object))[0]:
        import pandas as pd

        return str(pd.Timestamp(v) if kind.kind == "time" else pd.Timedelta(v))
    return number_text(v)


#: (seconds, name) of the units a duration axis is shown in: the largest at most half the span
_DURATION_UNITS = ((86400.0, "days"), (3600.0, "hours"), (60.0, "minutes"), (1.0, "seconds"))


def coded(column, kind):
    """A column as numbers for an axis or a colour scale.

    Returns ``(numbers, categories, unit)``: ``numbers`` float64, NaN where a cell is missing;
    ``categories`` names the codes 0, 1, ... of a text, category or truth-value column (else
    None); ``unit`` is ``"date"`` for dates (matplotlib's day numbers), a duration's unit
    (``"hours"``), else None.
    """
    column = np.asarray(column)
    missing = missing_cells(column)
    out = np.full(len(column), np.nan)
    if kind.kind == "bool":
        out[~missing] = column[~missing].astype(bool)
        return out, ["False", "True"], None
    if kind.kind in ("time", "duration"):
        return _time_numbers(column, missing, kind.kind)
    if kind.kind == "category":
        present = {v for v in column[~missing].tolist()}
        categories = [c for c in kind.categories if c in present]
        # values outside the declared categories (a hand-made explanation) after them, as text
        categories += sorted({v for v in present if v not in set(categories)}, key=str)
        index = {c: i for i, c in enumerate(categories)}
        out[~missing] = [index[v] for v in column[~missing].tolist()]
        return out, [str(c) for c in categories], None
    if kind.kind == "number":
        try:
            out[~missing] = column[~missing].astype(np.float64)
            return out, None, None
        except (TypeError, ValueError):
            pass  # not numbers after all: shown as text
    categories, codes = np.unique(column[~missing].astype(str), return_inverse=True)
    out[~missing] = codes
    return out, [str(c) for c in categories], None


def _time_numbers(column, missing, kind):
    out = np.full(len(column), np.nan)
    present = column[~missing].tolist() if column.dtype == object else list(column[~missing])
    if kind == "time":
        # wall-clock times in their own zone, in days since 1970 (matplotlib's date numbers)
        out[~missing] = [_wall_ns(v) / 86400e9 for v in present]
        return out, None, "date"
    seconds = np.array([_duration_ns(v) / 1e9 for v in present], dtype=np.float64)
    span = float(np.abs(seconds).max()) if seconds.size else 0.0
    scale, unit = next(((s, u) for s, u in _DURATION_UNITS if span >= 2 * s), _DURATION_UNITS[-1])
    out[~missing] = seconds / scale
    return out, None, unit


def _wall_ns(v):
    if isinstance(v, np.datetime64):
        return float(v.astype("datetime64[ns]").astype(np.int64))
    if getattr(v, "tzinfo", None) is not None:  # pandas' Timestamp of a time zone: its wall clock
        v = v.tz_localize(None)
    return float(np.datetime64(v, "ns").astype(np.int64))


def _duration_ns(v):
    if isinstance(v, np.timedelta64):
        return float(v.astype("timedelta64[ns]").astype(np.int64))
    return float(np.timedelta64(v, "ns").astype(np.int64))
