"""Tabular input handling: keep column names and dtypes so models see what they were trained on."""

from __future__ import annotations

import contextlib
import numbers
import re
import threading
import warnings

import numpy as np
import scipy.sparse


def _first_non_number(frame):
    """ " (row 3, column 'b' holds 'u', not a number)" for the first cell of ``frame`` that is
    neither a number nor missing, or "" when there is none."""
    import pandas as pd

    for col in frame.columns:
        try:
            frame[col].to_numpy(dtype=np.float64, na_value=np.nan)
            continue
        except (TypeError, ValueError):
            pass
        for label, value in frame[col].items():
            if value is None or (np.ndim(value) == 0 and pd.isna(value)):
                continue
            try:
                float(value)
            except (TypeError, ValueError):
                return f" (row {label!r}, column {col!r} holds {value!r}, not a number)"
    return ""


def _is_frame(X):
    return hasattr(X, "columns") and hasattr(X, "dtypes") and hasattr(X, "iloc")


def columns_in_fit_order(X, fitted, name="X", *, as_str=False):
    """A DataFrame's columns in the order seen in fit, matched by name (``as_str``: by their
    string form, as ``feature_names_in_`` records them).

    A missing column, or one the model never saw, is an error that names it (as scikit-learn
    does: an unseen column is a mistake to name, not to drop).
    """
    columns = [str(c) for c in X.columns] if as_str else list(X.columns)
    if columns == list(fitted):
        return X
    position = {c: j for j, c in enumerate(columns)}
    missing = [c for c in fitted if c not in position]
    if missing:
        raise ValueError(f"{name} is missing columns seen in fit: {missing[:10]}")
    known = set(fitted)
    unseen = [c for c in columns if c not in known]
    if unseen:
        raise ValueError(
            f"{name} has columns not seen in fit: {unseen[:10]}; select the {len(fitted)} "
            "columns the explainer was fitted on."
        )
    return X.iloc[:, [position[c] for c in fitted]]


def dense_rows_of(X, name="X"):
    """A scipy sparse matrix as the dense array the perturbation explainers mix rows of.

    A model that takes sparse rows takes their dense copy too (scikit-learn's estimators and
    pipelines do): a ``OneHotEncoder`` ahead of the explainer hands it sparse rows by default.
    A copy beyond the working-memory bound is refused before it is made.
    """
    from skxai.utils._memory import refuse_beyond_working_memory

    n_rows, n_columns = X.shape
    refuse_beyond_working_memory(
        8 * n_rows * n_columns,
        name,
        f"a sparse matrix of shape {X.shape} is explained as dense rows; its dense copy",
        "pass fewer rows at a time (at fit, a sample of them as the background), or fewer columns",
    )
    return X.toarray()


def dense_columns_of(X, name="X"):
    """A frame whose sparse columns (``pd.DataFrame.sparse.from_spmatrix``) are made dense, as
    :func:`dense_rows_of` makes a sparse matrix dense; other frames unchanged.

    scikit-learn's ``check_array`` refused such a frame with "Use '.toarray()'", which a frame
    does not have, while the model itself predicts on it and a sparse matrix was accepted.
    """
    sparse = [i for i, dt in enumerate(X.dtypes) if type(dt).__name__ == "SparseDtype"]
    if not sparse:
        return X
    from skxai.utils._memory import refuse_beyond_working_memory

    refuse_beyond_working_memory(
        8 * X.shape[0] * len(sparse),
        name,
        f"a frame with {len(sparse)} sparse columns is explained as dense rows; their dense copy",
        "pass fewer rows at a time (at fit, a sample of them as the background), or fewer columns",
    )
    X = X.copy(deep=False)
    for i in sparse:
        X.isetitem(i, X.iloc[:, i].sparse.to_dense())
    return X


def refuse_mapping(X, name="X"):
    """Refuse a dict of inputs (skorch's way of feeding a network several named inputs): it was
    read as one object cell ("Expected 2D array, got scalar array instead: array={'xa': ...")
    or failed as "float() argument must be ... not 'dict'"."""
    from collections.abc import Mapping

    if isinstance(X, Mapping):
        raise TypeError(
            f"{name} is a {type(X).__name__} of inputs ({', '.join(map(repr, list(X)[:5]))}); explainers "
            "take one array of shape (n_samples, ...) or a DataFrame. A network with several named inputs "
            "needs a wrapper module that takes one tensor and builds them (see the gradients guide)."
        )


def nonfinite_error(X, name="X", why=""):
    """The ValueError for samples ``X`` (an array, samples on the first axis) holding NaN or
    infinity: which kind, the first sample and position holding one, and how many in all
    (images and tensors, where :func:`_first_missing` names a table's row and column)."""
    bad = np.argwhere(~np.isfinite(X))
    first = tuple(int(k) for k in bad[0])
    kind = "NaN" if np.isnan(X).any() else "infinity"
    where = f"sample {first[0]}" + (f", position {first[1:]}" if len(first) > 1 else "")
    return ValueError(
        f"Input {name} contains {kind}{'; ' + why if why else ''}. First at {where} ({len(bad)} value(s) in all)."
    )


def _first_missing(X, labels):
    """Where the first missing or infinite cell of ``X`` is, and what is accepted instead:
    scikit-learn's "Input contains NaN." named no row, column, or way out."""
    try:
        values = np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError):
        return ""
    if values.ndim != 2:
        return ""
    bad = np.argwhere(~np.isfinite(values))
    if not len(bad):
        return ""
    i, j = (int(k) for k in bad[0])
    row, column = (labels[0][i], labels[1][j]) if labels is not None else (i, j)
    where = f" First at row {row!r}, column {column!r} ({len(bad)} cell(s) in all)."
    if np.isinf(values[i, j]):
        return f"{where} Pass finite values."
    return (
        f"{where} Missing values are refused for a model that does not declare that it takes them "
        "(scikit-learn's allow_nan tag; a plain function declares nothing): explain a Pipeline that "
        "imputes them (its whole), a model that takes them, or drop those rows."
    )


class _WhileQuiet:
    """The message pattern of a warnings filter that matches only in a thread inside
    :func:`_quiet_unnamed_rows`: one filter installed for the process, never swapped.

    ``warnings.catch_warnings`` swaps the process's filter list: entered by the explainer in one
    thread while another thread entered its own, the save and restore interleaved and left the
    "ignore" in place for good (the user's own ``predict`` on an array no longer warned) or
    dropped one of Python's default filters. Threads other than the main one were not quieted
    at all, so the same call warned or not by the thread that made it.
    """

    #: what copies of the process's filters read as the filter's text (scikit-learn's
    #: ``Parallel`` re-installs them in its workers from ``.pattern``): a pattern matching
    #: nothing, so that no copy ignores the warning for every caller
    pattern = "(?!)"

    def __init__(self, pattern):
        self._regex = re.compile(pattern, re.IGNORECASE)
        self.state = threading.local()

    def match(self, text):  # what the warnings machinery calls on a filter's message
        return getattr(self.state, "depth", 0) > 0 and self._regex.match(text) is not None

    def __repr__(self):
        return f"<{self._regex.pattern!r} while skxai calls the model>"

    def __reduce__(self):
        # by reference: scikit-learn's Parallel pickles the process's filters with every task
        # to its loky workers, and a thread-local cannot be pickled ("Could not pickle the task")
        return "_UNNAMED_ROWS"


_UNNAMED_ROWS = _WhileQuiet("X does not have valid feature names")
_UNNAMED_ROWS_FILTER = ("ignore", _UNNAMED_ROWS, UserWarning, None, 0)


@contextlib.contextmanager
def _quiet_unnamed_rows():
    """scikit-learn's warning about rows without the names the model was fitted with, ignored
    in this thread (see :meth:`TabularSchema.quiet_for`)."""
    filters = warnings.filters
    if not filters or filters[0] is not _UNNAMED_ROWS_FILTER:
        # first, as the context it replaces put its "ignore" before the caller's filters (a
        # simplefilter("always") of the caller's); again after a catch_warnings entered before
        # it restored the list without it
        with contextlib.suppress(ValueError):
            filters.remove(_UNNAMED_ROWS_FILTER)
        filters.insert(0, _UNNAMED_ROWS_FILTER)
    state = _UNNAMED_ROWS.state
    state.depth = getattr(state, "depth", 0) + 1
    try:
        yield
    finally:
        state.depth -= 1


class TabularSchema:
    """How a table reached the explainer, so perturbed arrays can be turned back into it.

    Numeric tables become float64 arrays (NaN, and ±inf, allowed only where asked). Tables with
    string or categorical columns become object arrays and are rebuilt as DataFrames
    with the original column order and dtypes before every model call.
    """

    #: warn about integer columns beyond 2**53 (see ``_check_exact_in_float64``); a class
    #: default, so schemas pickled before it check too
    exact_integers = True

    def __init__(self, X, *, allow_nan=False, allow_inf=False, exact_integers=True):
        refuse_mapping(X)
        self.exact_integers = exact_integers
        self.is_frame = _is_frame(X)
        self.allow_nan = allow_nan
        # ±inf passed on (with NaN) for the model's own validation to accept or refuse
        self.allow_inf = allow_inf
        if self.is_frame:
            self.columns = list(X.columns)
            duplicated = [c for i, c in enumerate(self.columns) if c in self.columns[:i]]
            if duplicated:
                # X[columns] would select each of them twice, and dtypes by name would keep one
                raise ValueError(f"X has duplicate column names {duplicated[:10]!r}; give every column its own name.")
            seen, alike = set(), []
            for c in self.columns:  # one pass: a wide frame's schema (20,000 columns) took twice as long
                if str(c) in seen:
                    alike.append(c)
                seen.add(str(c))
            if alike:
                # the players are named by their text: the int 1 and the str '1' were two
                # features named '1' (an anchor read "1 >= 0.678 and 1 >= 0.652")
                raise ValueError(
                    f"X has column names that read alike as text: {alike[:10]!r} and another column "
                    "of the same text; give every column a name of its own (all strings, as "
                    "scikit-learn asks)."
                )
            # plain strings (and lists) rather than the dtypes Series: skops cannot save a
            # Series nor pandas' dtype objects ("no default __reduce__"); see ``dtypes``
            self._dtype_specs = [_plain_dtype(d) for d in X.dtypes]
            self.numeric = all(_is_numeric_dtype(d) for d in X.dtypes)
        else:
            self.columns = None
            self._dtype_specs = None
            # a sparse matrix's dense copy is made once, by to_array (not for its dtype here)
            arr = np.zeros((0, 0), dtype=X.dtype) if scipy.sparse.issparse(X) else np.asarray(X)
            self.numeric = arr.dtype != object and np.issubdtype(arr.dtype, np.number) or (arr.dtype == bool)
            if arr.dtype == object:
                try:
                    arr.astype(np.float64)
                    self.numeric = True
                except (TypeError, ValueError):
                    self.numeric = False
        self.n_features = X.shape[1] if scipy.sparse.issparse(X) and X.ndim == 2 else self._to_array(X).shape[1]

    @property
    def dtypes(self):
        """The fitted frame's column dtypes (a Series indexed by the columns), or None for arrays.

        Rebuilt once per loaded schema from the plain specs that are saved, and cached.
        """
        cached = self.__dict__.get("_dtypes")
        if cached is not None:
            return cached
        specs = self.__dict__.get("_dtype_specs")
        if specs is None:
            # a schema pickled before the specs held the Series itself
            return self.__dict__.get("dtypes")
        import pandas as pd

        dtypes = pd.Series([_dtype_from_plain(d) for d in specs], index=self.columns, dtype=object)
        self.__dict__["_dtypes"] = dtypes
        return dtypes

    @property
    def all_float(self):
        """True when the model gets float columns back (arrays, or frames of float columns only).

        Integer and boolean columns of a DataFrame are cast back to their dtype before every
        model call, so a summary of them must be made of real values (see ``background``).
        """
        if not self.is_frame:
            return True
        return all(_numpy_dtype(d).kind == "f" for d in self.dtypes)

    @property
    def feature_names(self):
        if self.columns is None:
            return None
        return np.asarray([str(c) for c in self.columns], dtype=object)

    @property
    def player_names(self):
        """The names the columns are shown under: the fitted frame's, else the model's own
        (:meth:`adopt_model_columns`), else None (``x0``, ``x1``, ...)."""
        model_columns = self.__dict__.get("model_columns")
        if self.columns is None and model_columns is not None:
            return np.asarray(model_columns, dtype=object)
        return self.feature_names

    @property
    def column_labels(self):
        """The columns' labels as a frame names them (the fitted frame's, else the model's)."""
        return self.columns if self.columns is not None else self.__dict__.get("model_columns")

    def _to_array(self, X):
        from sklearn.utils.validation import check_array

        refuse_mapping(X)
        if scipy.sparse.issparse(X):
            X = dense_rows_of(X)
        elif _is_frame(X):
            X = dense_columns_of(X)
        labels = (list(X.index), list(X.columns)) if _is_frame(X) else None
        if self.is_frame and _is_frame(X):
            # pandas' missing value (pd.NA of the nullable dtypes) becomes NaN, refused as NaN is
            if not self.numeric:
                X = _cells_of(X)
            else:
                try:
                    X = X.to_numpy(dtype=np.float64, na_value=np.nan)
                except (TypeError, ValueError) as exc:  # numpy's message names no column
                    raise ValueError(f"{exc}{_first_non_number(X)}") from None
        try:
            return check_array(
                X,
                dtype=np.float64 if self.numeric else object,
                ensure_all_finite=self._finite_rule(),
                ensure_2d=True,
            )
        except ValueError as exc:
            if "NaN" not in str(exc) and "infinity" not in str(exc):
                raise
            raise ValueError(f"{exc}{_first_missing(X, labels)}") from None

    def _finite_rule(self):
        if getattr(self, "allow_inf", False) and self.allow_nan:  # (schemas pickled before it: no)
            return False
        return "allow-nan" if self.allow_nan or not self.numeric else True

    def adopt_model_columns(self, estimator):
        """Match later frames by the column names ``estimator`` was fitted on, when the
        explainer itself was fitted on an unnamed array.

        Such a frame was read by position (scikit-learn's rule for an estimator fitted
        without names), so a frame with the model's columns in another order was explained as
        the model never sees it; the model's own ``predict`` refuses it.

        Parameters
        ----------
        estimator : object
            The fitted model (its ``feature_names_in_``, where it has one, names the columns).
        """
        from skxai._estimators import unwrap_frozen

        names = getattr(unwrap_frozen(estimator), "feature_names_in_", None)
        if self.columns is None and names is not None and len(names) == self.n_features:
            self.model_columns = [str(c) for c in names]

    def to_array(self, X, *, n_features=None, name="X", owner="explainer"):
        """Validate ``X`` and return a 2-D float64 (or object) array."""
        if _is_frame(X) and self.columns is not None:
            X = columns_in_fit_order(X, self.columns, name)
        elif self._named_by_model(X):
            X = columns_in_fit_order(X, self.model_columns, name, as_str=True)
        if _is_frame(X) and self.is_frame and self.exact_integers:
            # once per column and fitted explainer: a command line's chunks (or a loop of
            # transform calls) repeated it for every chunk, 19 times for 6 chunks of a file
            warned = self.__dict__.setdefault("_inexact_columns_named", set())
            warned.update(_check_exact_in_float64(X, name, named=warned))
        arr = self._to_array(X)
        n_expected = self.n_features if n_features is None else n_features
        if arr.shape[1] != n_expected:
            raise ValueError(
                f"{name} has {arr.shape[1]} features, but {owner} is expecting {n_expected} features as input."
            )
        if self.is_frame and arr.shape[1] == len(self.columns):
            self._check_castable(arr, name)
        return arr

    def __getstate__(self):
        # a loaded explainer (another session, the command line) names the columns again
        state = self.__dict__.copy()
        state.pop("_inexact_columns_named", None)
        state.pop("_dtypes", None)  # rebuilt from _dtype_specs (skops cannot save a Series)
        return state

    def _check_castable(self, arr, name):
        """Refuse values that the fitted dtypes cannot hold.

        ``to_model_input`` casts every column back to its dtype in fit: a value outside a
        categorical column's categories would become NaN, and a fraction (or a value out of
        range) in an integer or boolean column would be truncated (or wrap), so the model
        would silently see another row than the one explained.
        """
        import pandas as pd

        for j, (column, dtype) in enumerate(zip(self.columns, self.dtypes, strict=True)):
            col = arr[:, j]
            if isinstance(dtype, pd.CategoricalDtype):
                bad = ~pd.isna(col)
                bad[bad] = dtype.categories.get_indexer(col[bad]) == -1
                if bad.any():
                    raise ValueError(
                        f"{name} column {column!r} holds values outside the categories seen in fit: "
                        f"{pd.unique(col[bad])[:10].tolist()}. The model would get NaN in their place; "
                        f"give the column the categories of fit ({dtype.categories[:10].tolist()}) "
                        "or explain rows of those categories."
                    )
            elif _numpy_dtype(dtype).kind in "biu":
                # in a mixed frame (object array) too: a string column beside an int column
                # does not make 1.5 in it any less truncated
                try:
                    values = np.asarray(col, dtype=np.float64)
                except (TypeError, ValueError):
                    continue  # not numbers at all: pandas' cast names the column
                with np.errstate(invalid="ignore", over="ignore"):
                    cast = values.astype(_numpy_dtype(dtype)).astype(np.float64)
                bad = (cast != values) & ~np.isnan(values)
                if _is_numpy_dtype(dtype) and np.isnan(values).any():
                    # a numpy int or bool column cannot hold NaN: pandas fails on int
                    # ("Cannot convert non-finite values") and makes it True in bool, silently
                    raise ValueError(
                        f"{name} column {column!r} holds missing values (NaN), which its dtype in fit, "
                        f"{dtype}, cannot hold. Fit on a frame where the column has a dtype that holds "
                        "them (float64, Int64 or boolean), or explain rows without them."
                    )
                if bad.any():
                    raise ValueError(
                        f"{name} column {column!r} holds values that its dtype in fit, {dtype}, "
                        f"cannot hold: {np.unique(values[bad])[:10].tolist()}. The model would get them "
                        "converted (truncated, wrapped or made True); pass values of that dtype."
                    )

    def in_fit_order(self, X):
        """``X`` itself, or a DataFrame's columns in the order seen in fit.

        ``to_array`` reorders a frame whose columns come in another order, so attributions are
        in the fit order; ``data`` shown beside them must be too, or each value sits beside
        another column's attribution.
        """
        if _is_frame(X) and self.columns is not None:
            return self._in_fit_dtypes(X if list(X.columns) == self.columns else X[self.columns])
        if self.columns is None and self._named_by_model(X):
            return columns_in_fit_order(X, self.model_columns, as_str=True)
        return X

    def _in_fit_dtypes(self, X):
        """The frame ``X`` (columns in fit order) with the dtypes of fit, as the model gets its
        rows: a CSV's dates, durations and categories arrive as text, and were drawn as text
        (sorted as strings, greyed in the beeswarm) beside the values computed on the dates.
        A column that does not cast stays as it is."""
        fitted = [str(d) for d in self.dtypes]
        given = [str(d) for d in X.dtypes]  # once: X.dtypes builds a Series at every reading
        differ = [j for j in range(len(fitted)) if given[j] != fitted[j]]
        if not differ:
            return X
        fitted = self.dtypes
        X = X.copy(deep=False)
        for j in differ:
            dtype = fitted.iloc[j]
            try:
                column = _cast_series(X.iloc[:, j], dtype)
            except (TypeError, ValueError):
                continue
            X.isetitem(j, column)
        return X

    def quiet_for(self, X):
        """A context for the model's call on the rows ``X`` made from this schema: where the
        explainer was fitted on an array for a model that names its columns
        (:meth:`adopt_model_columns`), the rows stay an array (a frame per call made a Ridge's
        KernelSHAP 3-4 times slower: benchmarks/probe_model_input_frames.py), and
        scikit-learn's "X does not have valid feature names" for them, repeated at every call,
        is silenced; a null context otherwise."""
        if self.__dict__.get("model_columns") is None or _is_frame(X):
            return contextlib.nullcontext()
        return _quiet_unnamed_rows()

    def _named_by_model(self, X):
        """Whether ``X`` is a frame to match by the model's names (:meth:`adopt_model_columns`):
        its column names are all strings, as scikit-learn reads names; a frame of positions
        (``pd.DataFrame(array)``, columns 0, 1, 2) is read by position, as the model reads it.
        A frame of both is refused, as scikit-learn refuses it."""
        if not _is_frame(X) or self.__dict__.get("model_columns") is None:
            return False
        return names_are_strings(X)

    def to_model_input(self, A):
        """Turn a perturbed array back into what the model was trained on."""
        if not self.is_frame:
            # arrays stay arrays, also for a model fitted on named columns: a frame per call made
            # a Ridge's KernelSHAP 3-4 times slower (its predict: 863 us a call against 143)
            return A
        import pandas as pd

        if scipy.sparse.issparse(A):
            # sparse rows (TreeSHAP explains CSR input) as a sparse frame with the fit's names:
            # pd.DataFrame(A) of a sparse matrix failed ("Shape of passed values is (1, 1)")
            return pd.DataFrame.sparse.from_spmatrix(A, columns=self.columns)
        if A.dtype == object:
            # object columns stay object: pandas 3 read an object array's strings as its str
            # dtype and None as NaN, so the model saw other rows than the user's (an encoder
            # that knew None met NaN: 5.3 predicted where the model said 12.0), depending on
            # the other rows of the call
            frame = pd.DataFrame(A, columns=self.columns, dtype=object)
        else:
            frame = pd.DataFrame(A, columns=self.columns)
        # only the columns whose dtype differs from the array's: casting every column (a no-op
        # for a table of floats) was half of a small model call's time (2.4 ms per call of 160
        # rows of 7 columns, the cost of each row's call in KernelSHAP)
        cast = {c: d for c, d in self.dtypes.items() if d != A.dtype}
        times = {c: d for c, d in cast.items() if getattr(d, "tz", None) is not None}
        for c, d in times.items():  # a new column (the array A is not written)
            frame[c] = _cast_series(frame[c], d)
        cast = {c: d for c, d in cast.items() if c not in times}
        return frame.astype(cast) if cast else frame


def _cells_of(frame):
    """A frame with text or category columns as an object array, its date and duration
    columns as ``np.datetime64`` / ``np.timedelta64`` cells (UTC for a time zone's dates).

    ``to_numpy(dtype=object)`` gives pandas' ``Timestamp`` cells, which skops cannot rebuild:
    an explainer fitted on a date column saved, and its file failed to load (pickle and joblib
    loaded it). ``time_column`` turns such cells back into the column.
    """
    out = frame.to_numpy(dtype=object)
    for j, dtype in enumerate(frame.dtypes):
        if getattr(dtype, "kind", None) not in ("M", "m"):
            continue
        values = frame.iloc[:, j]
        if getattr(dtype, "tz", None) is not None:
            values = values.dt.tz_convert(None)  # the instants in UTC, as the epoch counts them
        out[:, j] = list(values.to_numpy())  # numpy's cells (astype(object) gives datetime's)
    return out


def _cast_series(values, dtype):
    """The Series ``values`` in ``dtype``: dates and durations through :func:`time_column`
    (``astype`` read a time zone's instants as local times), the others by ``astype``."""
    if getattr(dtype, "kind", None) in ("M", "m"):
        return time_column(values.to_numpy(dtype=object), dtype).set_axis(values.index)
    return values.astype(dtype)


def time_column(cells, dtype):
    """The date or duration column of ``dtype`` (a pandas Series) from its object cells:
    ``np.datetime64`` in UTC for a time zone's dates (what ``_cells_of`` makes), or pandas'
    ``Timestamp`` cells (explainers saved before).

    ``astype`` of a time zone read naive cells as local times (23:00 UTC became 23:00+01:00).
    """
    import pandas as pd

    values = pd.Series(list(cells), dtype=object)
    if getattr(dtype, "tz", None) is None:
        return values.astype(dtype)
    return pd.to_datetime(values, utc=True).dt.tz_convert(dtype.tz).astype(dtype)


#: Integers of larger magnitude are not all exact in float64 (53-bit significand).
_FLOAT64_EXACT_INTEGERS = 2**53


def names_are_strings(X, name="X"):
    """Whether the frame ``X``'s column names are all strings (to match by name) rather than
    none of them (positions); a frame of both is a ``TypeError`` that says what to do.

    Read by position, a frame with some named columns moved was explained as the model never
    sees it; scikit-learn's own ``predict`` refuses such a frame.
    """
    kinds = {isinstance(c, str) for c in X.columns}
    if len(kinds) > 1:
        types = sorted({type(c).__name__ for c in X.columns})
        raise TypeError(
            f"{name} has column names of several types ({', '.join(types)}): the model names its "
            "columns, so they are matched by name and all must be strings. Convert them with "
            f"{name}.columns = {name}.columns.astype(str), or pass an array to read them by position."
        )
    return kinds != {False}


def _check_exact_in_float64(X, name, named=()):
    """Warn about integer columns of a frame holding values float64 cannot represent exactly
    (the columns in ``named`` excepted); returns the columns warned about.

    Perturbed rows are float64 arrays cast back to each column's dtype before the model
    sees them: an int64 nanosecond timestamp (1.7e18) comes back up to 128 apart. A model that
    converts its input to floats itself (most scikit-learn estimators) sees the same rounding
    either way; one that computes with the integers (a time elapsed since a reference) was
    asked about other rows than the explained one without a word (v(all) 767.9 where the
    model said 849.9).
    """
    found = []
    for column in X.columns:
        dtype = X[column].dtype
        if column in named or _numpy_dtype(dtype).kind not in "iu":
            continue
        values = X[column].to_numpy(dtype=_numpy_dtype(dtype), na_value=0)
        too_large = (values > _FLOAT64_EXACT_INTEGERS) | (values < -_FLOAT64_EXACT_INTEGERS)
        if too_large.any():
            from skxai.utils._warnings import warn_at_caller

            warn_at_caller(
                f"{name} column {column!r} ({dtype}) holds integers beyond 2**53 "
                f"({values[too_large][0]}), which the explainer's float64 rows cannot hold "
                "exactly: the model gets them rounded to float64's precision. A model that "
                "converts them to floats itself sees the same values; one that computes with the "
                "integers does not. Explain an offset (such as the column minus its minimum, or a "
                "time since a reference) or a float64 column instead.",
                UserWarning,
            )
            found.append(column)
    return found


def _plain_dtype(d):
    """``d`` as plain Python values that skops saves and ``_dtype_from_plain`` turns back into
    an equal dtype: its name (``"float64"``, ``"Int64"``, ``"str"`` ...), or for a categorical
    dtype a dict of its categories, their dtype and ``ordered``. A dtype that its plain form
    does not give back exactly is kept as it is (pickled as before)."""
    import pandas as pd

    if isinstance(d, pd.CategoricalDtype):
        spec = {
            "categories": d.categories.tolist(),
            "categories_dtype": str(d.categories.dtype),
            "ordered": bool(d.ordered),
        }
    else:
        spec = str(d)
    try:
        back = _dtype_from_plain(spec)
        same = type(back) is type(d) and back == d and str(back) == str(d)
        if same and isinstance(d, pd.CategoricalDtype):
            # unordered categoricals compare equal whatever the order of their categories
            same = back.categories.equals(d.categories) and back.categories.dtype == d.categories.dtype
    except (TypeError, ValueError):
        same = False
    return spec if same else d


def _dtype_from_plain(spec):
    """The dtype saved by ``_plain_dtype``."""
    if isinstance(spec, str):
        import pandas as pd

        return pd.api.types.pandas_dtype(spec)
    if isinstance(spec, dict):
        import pandas as pd

        categories = pd.Index(spec["categories"], dtype=spec["categories_dtype"])
        return pd.CategoricalDtype(categories, ordered=spec["ordered"])
    return spec  # a dtype object kept as it is


def _is_numpy_dtype(d):
    try:
        np.dtype(d)
        return True
    except TypeError:
        return False


def _numpy_dtype(d):
    """The numpy dtype of a column's dtype: itself, the one of a pandas nullable dtype
    (``Int64`` -> int64, ``boolean`` -> bool, ``Float64`` -> float64), else object."""
    if _is_numpy_dtype(d):
        return np.dtype(d)
    numpy_dtype = getattr(d, "numpy_dtype", None)  # pandas' masked (nullable) dtypes
    if numpy_dtype is not None and _is_numpy_dtype(numpy_dtype) and np.dtype(numpy_dtype).kind in "biuf":
        return np.dtype(numpy_dtype)
    return np.dtype(object)


def _is_numeric_dtype(d):
    """Numbers or booleans, pandas' nullable ``Int64``, ``Float64`` and ``boolean`` included
    (categorical, string and object columns are not)."""
    if _is_numpy_dtype(d):
        return np.issubdtype(np.dtype(d), np.number) or np.issubdtype(np.dtype(d), np.bool_)
    return _numpy_dtype(d).kind in "biuf"


def check_feature_groups(feature_groups, n_features, feature_names, columns=None):
    """Return (list of column-index arrays, group names) for the players of a game.

    ``feature_groups`` is None (one player per column), a list of lists of column indices
    or names, or a dict ``{group_name: [columns]}``. Every column must belong to exactly one
    group, so attributions of all groups add up to the full effect. A member that is neither
    a string nor an integer (an index, as in scikit-learn) may be a DataFrame's own column
    label, given in ``columns`` (a tuple of a MultiIndex).
    """
    names = None if feature_names is None else [str(n) for n in feature_names]
    if feature_groups is None:
        groups = [np.array([j]) for j in range(n_features)]
        labels = names if names is not None else [f"x{j}" for j in range(n_features)]
        return groups, np.asarray(labels, dtype=object)
    if isinstance(feature_groups, dict):
        labels = [str(k) for k in feature_groups]
        members = list(feature_groups.values())
    else:
        members = list(feature_groups)
        labels = None
    if not members:
        raise ValueError("feature_groups is empty; give at least one group (or None for one player per column).")
    groups = []
    for g, cols in enumerate(members):
        if isinstance(cols, str | numbers.Integral):
            cols = [cols]
        cols = list(cols)
        if not cols:
            # a player of no column: its value was noise (LIME gave one 5% of the largest
            # weight), and it took a coalition budget and a name ('') of its own
            what = f"group {labels[g]!r}" if labels is not None else f"group {g}"
            raise ValueError(f"feature_groups' {what} holds no column; every group needs at least one.")
        idx = []
        for c in cols:
            if isinstance(c, bool | np.bool_):
                # True == 1: read as column 1 (and False as 0) without a word
                raise ValueError(f"feature_groups holds the boolean {bool(c)}; give column names or integer indices.")
            if isinstance(c, str):
                if names is None:
                    raise ValueError(
                        f"feature_groups names column {c!r}, but the data has no column names "
                        "(fit on a DataFrame, or use column indices)."
                    )
                if c not in names:
                    raise ValueError(f"feature_groups names unknown column {c!r}; columns are {names[:20]}.")
                idx.append(names.index(c))
            elif isinstance(c, numbers.Integral) and 0 <= int(c) < n_features:
                idx.append(int(c))
            elif columns is not None and not isinstance(c, numbers.Integral | list | np.ndarray) and c in columns:
                idx.append(columns.index(c))
            else:
                raise ValueError(
                    f"feature_groups holds an invalid column {c!r}: use a column name or an index "
                    f"in 0..{n_features - 1} (integers are positions, also where the columns are "
                    "labelled by integers, as ColumnTransformer reads them)."
                )
        groups.append(np.asarray(sorted(idx), dtype=int))
    counts = np.bincount(np.concatenate(groups), minlength=n_features)
    if (counts != 1).any():
        bad = np.flatnonzero(counts != 1)
        shown = [names[j] for j in bad] if names is not None else bad.tolist()
        missing = [c for c, k in zip(shown, counts[bad], strict=True) if k == 0]
        repeated = [f"{c} ({k} times)" for c, k in zip(shown, counts[bad], strict=True) if k > 1]
        parts = []
        if missing:
            parts.append(f"in no group: {missing[:10]}{' ...' if len(missing) > 10 else ''}")
        if repeated:
            parts.append(f"listed more than once: {repeated[:10]}{' ...' if len(repeated) > 10 else ''}")
        raise ValueError("feature_groups must put every column in exactly one group; columns " + "; ".join(parts) + ".")
    if labels is None:
        if names is not None:
            labels = ["+".join(names[j] for j in g) for g in groups]
        else:
            labels = ["+".join(f"x{j}" for j in g) for g in groups]
    twins = sorted({label for label in labels if labels.count(label) > 1})
    if twins and isinstance(feature_groups, dict):
        # keys that print alike ({1: ..., "1": ...}) named two players '1' (names made of the
        # columns' own, "a+b" and "a" + "b", may coincide: their groups are told apart by position)
        raise ValueError(f"feature_groups gives several groups the name {twins[:10]}; give each group its own name.")
    return groups, np.asarray(labels, dtype=object)


def in_input_dtype(X, A):
    """``A``, the validated float64 array of ``X``, back in ``X``'s float dtype.

    An unfitted estimator is trained on the rows the user gave, in their dtype: a skorch net
    holds float32 weights and refuses the float64 copy the explainers perturb
    ("mat1 and mat2 must have the same dtype"), while it trains on the float32 ``X`` itself.
    Frames and float64 (or non-float) inputs give ``A`` unchanged.

    Parameters
    ----------
    X : array-like
        The input of ``fit``.
    A : ndarray
        Its validated array.

    Returns
    -------
    ndarray
    """
    dtype = getattr(X, "dtype", None)
    if dtype is None or not isinstance(A, np.ndarray) or A.dtype.kind != "f":
        return A
    if hasattr(X, "detach"):  # a torch tensor: its dtype named as numpy names it
        dtype = {"torch.float16": np.float16, "torch.float32": np.float32}.get(str(dtype))
        if dtype is None:
            return A
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        return A
    return A.astype(dtype) if dtype.kind == "f" and dtype != A.dtype else A
