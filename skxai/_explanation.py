"""The rich result of ``explain``: attributions with everything needed to read and plot them."""

from __future__ import annotations

import numbers
import warnings

import numpy as np


class _CallableArray(np.ndarray):
    """An ndarray that can still be called, for the old method form ``exp.target_values``.

    ``target_values`` and ``target_base_values`` became attributes; calling them keeps
    working for one release with a FutureWarning and returns the same array.
    """

    def __call__(self, *args, **kwargs):
        if args or kwargs:
            # called by pandas, which calls what it is given (assign, iloc, loc, where) with the
            # frame: the values, not the deprecated call form
            return np.asarray(self).view(np.ndarray)
        warnings.warn(
            "Explanation.target_values and target_base_values are attributes now; drop the "
            "call parentheses (the call form will be removed in the next release).",
            FutureWarning,
            stacklevel=2,
        )
        return self

    def __array_wrap__(self, obj, context=None, return_scalar=None):
        # arithmetic on the result gives plain arrays, not callable ones
        out = np.asarray(obj).view(np.ndarray)
        if return_scalar is None:
            # numpy 1.x does not pass return_scalar: a 0-d result (a sum) is a scalar there, as
            # for a plain array
            return_scalar = out.ndim == 0
        return out[()] if return_scalar else out


def _callable(arr):
    if arr is None:
        return None
    try:
        return np.asarray(arr).view(_CallableArray)
    except ValueError:  # ragged per-sample lists (text) stay as they are
        return arr


def _is_pandas(v):
    return hasattr(v, "iloc") and hasattr(v, "index")


def _is_tensor(v):
    """A torch tensor: torch explainers keep the user's tensor as ``data``."""
    return type(v).__module__.split(".")[0] == "torch" and hasattr(v, "shape") and len(v.shape) >= 1


def _leading_length(v):
    """Entries along the first axis of an array, list, pandas object or tensor (None otherwise)."""
    if isinstance(v, np.ndarray):
        return v.shape[0] if v.ndim else None
    if isinstance(v, list) or _is_pandas(v):
        return len(v)
    if _is_tensor(v):
        return int(v.shape[0])
    return None


def _take_columns(field, key):
    """Columns ``key`` of a field of feature rows: an array (its last axis), or a list with one
    array of rows per sample."""
    if isinstance(field, np.ndarray):
        return field[..., key]
    if isinstance(field, list):
        return [np.asarray(rows)[..., key] for rows in field]
    return field


class _RuleCut(Exception):
    """A rule's feature that a feature index leaves out (its position)."""


def _remap_positions(v, lookup):
    """``v`` (feature positions: a tuple of ints, a dict whose ``"features"`` holds them, or a
    list of those) with each position moved to its place after a feature index, ``lookup``
    (old -> new). Positions describe a rule (an anchor, a candidate), whose conditions' text,
    precision and coverage are the whole rule's: a dict (a candidate) with a position left out
    is dropped from its list, and a tuple with one raises :class:`_RuleCut` (a rule cut to some
    of its conditions was reported with the whole rule's text and precision)."""
    if isinstance(v, dict):
        return {k: _remap_positions(x, lookup) if k == "features" else x for k, x in v.items()}
    if isinstance(v, tuple) and all(isinstance(x, numbers.Integral) for x in v):
        for x in v:
            if int(x) not in lookup:
                raise _RuleCut(int(x))
        return tuple(lookup[int(x)] for x in v)
    if isinstance(v, list):
        kept = []
        for x in v:
            try:
                kept.append(_remap_positions(x, lookup))
            except _RuleCut:
                if not isinstance(x, dict):
                    raise
        return kept
    return v


def _take_last_axis(f, key, size):
    """``f[..., key]`` for an array (or a list of per-sample arrays) ending with ``size`` outputs."""
    if isinstance(f, np.ndarray) and f.ndim >= 1 and f.shape[-1] == size:
        return f[..., key]
    if isinstance(f, list) and f and all(isinstance(a, np.ndarray) and a.ndim >= 1 and a.shape[-1] == size for a in f):
        return [a[..., key] for a in f]
    return f


def _names_array(names):
    """Names as a 1-D object array, one entry per name (a name may be a tuple: the columns of a
    frame with a MultiIndex), or a single name as a 0-d one (one feature picked)."""
    if names is None:
        return None
    if isinstance(names, str | bytes) or not isinstance(names, list | tuple) and np.ndim(names) == 0:
        return np.asarray(names, dtype=object)
    if isinstance(names, np.ndarray) and names.ndim > 1:
        raise ValueError(f"Names must be 1-D, one per entry of their axis; got an array of shape {names.shape}.")
    items = list(names)
    out = np.empty(len(items), dtype=object)
    for i, name in enumerate(items):  # one by one: numpy would read tuples as a second axis
        out[i] = tuple(name) if isinstance(name, list) else name
    return out


class Explanation:
    """Attributions for a batch of samples, with their context.

    Indexing follows shap's ``Explanation``: ``exp[i]`` (an integer) drops the sample
    axis; ``exp[:, j]`` picks features by index or by name (``exp[:, "age"]``);
    ``exp[:, :, o]`` picks outputs by index or by name (``exp[:, :, "setosa"]``) on
    explanations with an output axis; slices, lists and boolean masks keep their axis.
    A name must name a single feature or output (duplicated names are refused: pick by
    position); a label slice ``exp[:, "a":"c"]`` keeps both named ends, as pandas'
    ``.loc`` does. Lists on several axes pick every combination, like pandas' ``.iloc``
    (``exp[[0, 1], [2, 3]]`` has 2 samples of 2 features, not numpy's 2 pairs). ``None``,
    boolean scalars, 2-D index arrays, masks of another length and positions out of range
    are refused with the axis named.
    Every field is sliced with ``values``: ``base_values``, ``data`` (arrays and
    DataFrames), ``std``, ``outputs``, the names, and the method-specific fields that
    have one entry per sample (``sample_fields``). A spatial index of image maps
    (``exp[:, 10:20, ::-1]`` on heatmaps ``(n, H, W[, k])``) cuts the images in ``data``
    and the segment maps with them, and a token index of one document (``exp[i][2:5]``)
    its tokens; where they cannot follow (maps at a layer's resolution, flattened pixels,
    an anchor's token positions) the index is refused. Fields at a layer's resolution
    (a CAM's ``raw_map`` and ``weights``) and per-region values are kept whole.

    Parameters
    ----------
    values : ndarray
        Attributions; first axis samples. Tabular explainers give ``(n, n_features, n_outputs)``
        (``output_axis=-1``); image and text explainers give arrays shaped like their input.
    base_values : ndarray, optional
        What the attributions start from (``(n, n_outputs)`` or ``(n,)``): prediction minus the
        sum of attributions for additive methods.
    data : array-like, optional
        The explained samples.
    feature_names, output_names : array-like, optional
    std : ndarray, optional
        Standard errors of ``values`` where the method estimates them.
    target_index : int, "predicted" or ndarray, optional
        Which output ``transform`` returns (``target_values``).
    output_axis : {-1, None}, optional
        -1 when ``values`` ends with an output axis.
    outputs : ndarray, optional
        Model outputs ``(n, n_outputs)`` on the explained samples.
    method : str, optional
    sample_fields : list of str, optional
        The ``extras`` that hold one entry per sample (arrays, lists, DataFrames or tensors
        along their first axis): a sample index cuts them with ``values``; the other extras
        (settings, totals, per-feature or per-bin fields) are kept whole. Explainers declare
        them. When None, the extras whose first axis has as many entries as ``values`` are
        taken as per-sample, once, here: declare them wherever a field that is not per sample
        may have that length (as many samples as features, bins or segments). Extras added
        to ``extras`` later are kept whole by sample indices.
    **extras
        Method-specific fields (``convergence_delta``, ``anchor``, ``weights``, ``quantity``
        ...), read as attributes.

    Attributes
    ----------
    target_values : ndarray
        ``values`` of the explained output (``target``): ``(n, n_features)`` for tabular
        explainers, ``values`` itself where there is no output axis.
    target_base_values : ndarray or None
        ``base_values`` of the explained output, ``(n,)``.
    target_std : ndarray or None
        ``std`` of the explained output, shaped as ``target_values`` (None where the values
        carry no standard errors).

    Examples
    --------
    >>> import numpy as np
    >>> from skxai import Explanation
    >>> exp = Explanation(np.arange(12.0).reshape(2, 3, 2), base_values=np.zeros((2, 2)),
    ...                   feature_names=["a", "b", "c"], output_names=["no", "yes"],
    ...                   output_axis=-1, target_index=1)
    >>> exp.target_values.shape
    (2, 3)
    >>> exp[0].values.shape
    (3, 2)
    >>> exp[:, "b"].values.tolist()
    [[2.0, 3.0], [8.0, 9.0]]
    >>> exp[:, :, "yes"].values.tolist()
    [[1.0, 3.0, 5.0], [7.0, 9.0, 11.0]]
    >>> exp[0, ["a", "c"], 1].values.tolist()
    [1.0, 5.0]
    """

    def __init__(
        self,
        values,
        *,
        base_values=None,
        data=None,
        feature_names=None,
        output_names=None,
        std=None,
        target_index=None,
        output_axis=None,
        outputs=None,
        method=None,
        sample_fields=None,
        **extras,
    ):
        self.values = values
        self.base_values = base_values
        self.data = data
        self.feature_names = _names_array(feature_names)
        self.output_names = _names_array(output_names)
        self.std = std
        self.target_index = target_index
        self.output_axis = output_axis
        self._check_names_fit_values()
        self.outputs = outputs
        self.method = method
        self.extras = dict(extras)
        self._sample_fields = self._checked_sample_fields(sample_fields)

    def _check_names_fit_values(self):
        """Refuse names whose number is not that of their axis: the axis was then read as
        unnamed, and a slice cut the values but kept every name (and ``data``) beside them."""
        v = self.values
        if not isinstance(v, np.ndarray) or v.dtype == object:
            return
        first = 1 if v.ndim else 0
        checks = []
        if self.output_names is not None and self.output_names.ndim == 1 and self.output_axis is not None:
            checks.append(("output_names", self.output_names, v.ndim - 1, "outputs"))
        last_feature = v.ndim - (2 if self.output_axis is not None else 1)
        if self.feature_names is not None and self.feature_names.ndim == 1 and first <= last_feature:
            checks.append(("feature_names", self.feature_names, first, "features"))
        for field, names, axis, what in checks:
            if axis < v.ndim and len(names) != v.shape[axis]:
                raise ValueError(
                    f"{field} has {len(names)} names, but values of shape {v.shape} hold {v.shape[axis]} "
                    f"{what} on axis {axis}: give one name per entry."
                )

    def _checked_sample_fields(self, names):
        """The per-sample extras: ``names`` checked against the extras, or those whose length
        is the number of samples when ``names`` is None."""
        try:
            n = len(self.values)
        except TypeError:
            n = None  # a single value (no sample axis): nothing to cut by sample
        if names is None:
            return tuple(k for k, v in self.extras.items() if n is not None and _leading_length(v) == n)
        names = (names,) if isinstance(names, str) else tuple(names)
        for name in names:
            if name not in self.extras:
                raise ValueError(f"sample_fields names {name!r}, which is not among the extras {sorted(self.extras)}.")
            length = _leading_length(self.extras[name])
            if length != n:
                raise ValueError(
                    f"extra {name!r} is declared per sample (sample_fields) but has "
                    f"{'no first axis' if length is None else f'{length} entries'} for {n} samples."
                )
        return names

    def __getattr__(self, name):
        if name.startswith("_") or name == "extras":
            raise AttributeError(name)
        extras = self.__dict__.get("extras", {})
        if name in extras:
            return extras[name]
        raise AttributeError(f"Explanation has no field {name!r}; fields: {sorted(self.fields())}")

    def fields(self):
        """Names of every field held (standard and method-specific).

        Returns
        -------
        list of str
            The field names, standard ones first.
        """
        base = [k for k in self.__dict__ if k != "extras" and not k.startswith("_") and self.__dict__[k] is not None]
        return base + list(self.extras)

    def __len__(self):
        return len(self.values)

    def __array__(self, dtype=None, copy=None):
        # the explained output's values, as transform returns them (the metrics that take
        # arrays read an Explanation so), read at once: numpy otherwise walked the Explanation
        # item by item, and one feature's values (exp[:, "age"]) came back as an array of
        # Explanations
        values = np.asarray(self.target_values, dtype=dtype).view(np.ndarray)
        return values.copy() if copy else values

    def _n(self):
        return len(self.values)

    # ------------------------------------------------------------------ axes
    def _has_samples(self):
        return self.__dict__.get("_samples", True)

    def _axis_kinds(self):
        """What each axis of ``values`` is: "sample", "feature", "output" or "other"."""
        v = self.values
        if not isinstance(v, np.ndarray):
            return ["sample"] if self._has_samples() else []
        kinds = ["other"] * v.ndim
        first = 0
        if self._has_samples() and v.ndim:
            kinds[0], first = "sample", 1
        if self.output_axis is not None and v.ndim > first:
            kinds[-1] = "output"
        names = self.feature_names
        has_features = self.__dict__.get("_features", True)
        # (one feature picked, exp[:, "age"]: its name alone, a str, and no feature axis)
        named = names is not None and np.ndim(names) == 1 and v.ndim > first and v.shape[first] == len(names)
        tabular = names is None and self.output_axis is not None and v.ndim == first + 2
        if has_features and v.ndim > first and kinds[first] == "other" and (named or tabular):
            kinds[first] = "feature"
        return kinds

    def _expand(self, item, ndim):
        item = item if isinstance(item, tuple) else (item,)
        n_ell = sum(i is Ellipsis for i in item)
        if n_ell > 1:
            raise IndexError("an Explanation index can only have a single ellipsis ('...').")
        if n_ell:
            at = next(k for k, i in enumerate(item) if i is Ellipsis)
            fill = (slice(None),) * max(ndim - len(item) + 1, 0)
            item = item[:at] + fill + item[at + 1 :]
        if len(item) > ndim:
            raise IndexError(
                f"too many indices for this Explanation: values have {ndim} indexable axes "
                f"({', '.join(self._axis_kinds()) or 'none'}), got {len(item)} indices."
            )
        return item + (slice(None),) * (ndim - len(item))

    @staticmethod
    def _name_position(name, names, what):
        """Position of ``name`` among ``names``: it must name exactly one entry."""
        if names is None or np.ndim(names) != 1:
            raise KeyError(f"cannot pick {what} {name!r} by name: this Explanation has no {what} names.")
        hits = np.flatnonzero(np.asarray([str(n) for n in names], dtype=object) == str(name))
        if not len(hits):
            raise KeyError(f"unknown {what} {name!r}; {what} names: {list(names)}")
        if len(hits) > 1:
            raise KeyError(
                f"{what} name {name!r} is not unique: it names the {what}s at positions "
                f"{hits.tolist()}; pick one by position."
            )
        return int(hits[0])

    @classmethod
    def _normalize_key(cls, key, size, what, names=None):
        """One axis's index as an int, a slice, or a 1-D array of positions or a mask.

        Names (``str``) become positions; a label slice (``"a":"c"``) keeps both ends, as
        pandas' ``.loc`` does. Anything numpy would read differently from one axis's index
        (``None``, a boolean scalar, a 2-D array) or that does not fit the axis (a mask of
        another length, an index out of range) is refused with the axis named.
        """
        if key is None:
            raise IndexError(
                "None (np.newaxis) cannot index an Explanation: its axes are fixed (samples, "
                "features, outputs); index exp.values to add axes."
            )
        if isinstance(key, np.ndarray) and key.ndim == 0:
            key = key[()]  # a 0-d array indexes like the scalar it holds
        elif type(key).__module__.split(".")[0] == "torch" and getattr(key, "ndim", None) == 0:
            key = key.item()  # a 0-d tensor too
        if isinstance(key, bool | np.bool_):
            raise IndexError(f"a boolean scalar is not a {what} index; pass a mask with one entry per {what} ({size}).")
        if isinstance(key, str | np.str_):
            if what == "sample":
                raise KeyError(f"samples have no names: pick the feature {key!r} with exp[:, {key!r}].")
            return cls._name_position(key, names, what)
        if isinstance(key, numbers.Integral):
            if not -size <= int(key) < size:
                raise IndexError(
                    f"{what} index {key} is out of range for an axis of {size} {what}s."
                    + cls._named_like(key, names, what)
                )
            return int(key)
        if isinstance(key, slice):
            return cls._normalize_slice(key, size, what, names)
        if _is_pandas(key) or _is_tensor(key):
            key = np.asarray(key)
        if isinstance(key, np.ndarray) and key.dtype.kind in "biu":
            arr = key
        else:
            try:
                items = list(key)
            except TypeError:
                raise IndexError(
                    f"{what} index {key!r} is not an integer, a name, a slice, a list or a mask."
                ) from None
            if any(isinstance(k, str | np.str_) for k in items):
                items = [cls._name_position(k, names, what) if isinstance(k, str | np.str_) else k for k in items]
            arr = np.asarray(items)
            if arr.size == 0:
                arr = arr.astype(np.intp)
        if arr.ndim != 1:
            raise IndexError(f"a {what} index must be 1-D (one axis); got an array of shape {arr.shape}.")
        if arr.dtype.kind == "b":
            if len(arr) != size:
                raise IndexError(f"boolean {what} index has {len(arr)} entries for {size} {what}s.")
            return arr
        if arr.dtype.kind not in "iu":
            raise IndexError(
                f"{what} indices must be integers, names or booleans; got {arr.dtype} values {arr.tolist()[:5]}."
            )
        bad = (arr < -size) | (arr >= size)
        if bad.any():
            first = int(arr[bad][0])
            raise IndexError(
                f"{what} index {first} is out of range for an axis of {size} {what}s."
                + cls._named_like(first, names, what)
            )
        return arr.astype(np.intp)

    @staticmethod
    def _named_like(k, names, what):
        """A hint when an out-of-range integer is one of the names (integer names: ``[10, 20]``)."""
        if names is not None and np.ndim(names) == 1 and str(k) in {str(n) for n in names}:
            return f" Integers are positions; to pick the {what} named {k}, pass its name as a string: '{k}'."
        return ""

    @classmethod
    def _normalize_slice(cls, key, size, what, names):
        ends = (key.start, key.stop)
        if not any(isinstance(e, str | np.str_) for e in ends):
            for e in (*ends, key.step):
                if (
                    e is not None
                    and not isinstance(e, numbers.Integral)
                    and not (isinstance(e, np.ndarray) and e.ndim == 0 and e.dtype.kind in "iu")
                ):
                    raise IndexError(f"{what} slice bounds must be integers, names or None; got {key!r}.")
            return key
        if not all(e is None or isinstance(e, str | np.str_) for e in ends):
            raise IndexError(f"a label slice of {what}s needs names (or None) at both ends; got {key!r}.")
        step = 1 if key.step is None else key.step
        if not isinstance(step, numbers.Integral) or step == 0:
            raise IndexError(f"{what} slice step must be a non-zero integer; got {key.step!r}.")
        first = 0 if step > 0 else size - 1
        last = size - 1 if step > 0 else 0
        lo = first if key.start is None else cls._name_position(key.start, names, what)
        hi = last if key.stop is None else cls._name_position(key.stop, names, what)
        # both named ends are kept (pandas' .loc), in the order of the step
        positions = np.arange(size)
        return positions[lo : hi + 1 : step] if step > 0 else positions[lo : (hi - 1 if hi > 0 else None) : step]

    def _name_on_samples_hint(self, key, kinds):
        """What a name given for the samples could have meant: a feature (``exp[:, name]``, where
        there is a feature axis), or an output of an explanation that explains one output per
        sample (text, images: ``target=name`` when explaining)."""
        features = [] if self.feature_names is None else [str(n) for n in np.atleast_1d(self.feature_names)]
        outputs = [] if self.output_names is None else [str(n) for n in np.atleast_1d(self.output_names)]
        if "feature" in kinds and str(key) in features:
            return f"samples have no names: pick the feature {key!r} with exp[:, {key!r}]."
        if "output" in kinds and str(key) in outputs:
            return f"samples have no names: pick the output {key!r} with exp[..., {key!r}]."
        if str(key) in outputs and "output" not in kinds:
            return (
                f"samples have no names, and each sample explains one output (its target): to explain "
                f"{key!r}, explain again with target={key!r}."
            )
        return f"samples have no names ({key!r}); index them by position, slice or mask."

    # ------------------------------------------------------------------ indexing
    def __getitem__(self, item):
        kinds = self._axis_kinds()
        item = self._expand(item, len(kinds))
        new = Explanation.__new__(Explanation)
        new.__dict__.update({k: v for k, v in self.__dict__.items() if k != "extras"})
        new.extras = dict(self.extras)
        shape = np.shape(self.values) if isinstance(self.values, np.ndarray) else (self._n(),)
        # every index is read (names, masks, ranges) before anything is cut
        keys = []
        for axis, key in enumerate(item):
            kind = kinds[axis] if axis < len(kinds) else "other"
            if isinstance(key, slice) and key == slice(None):
                keys.append(key)
                continue
            names = {"feature": self.feature_names, "output": self.output_names}.get(kind)
            what = {"sample": "sample", "feature": "feature", "output": "output"}.get(kind, f"axis-{axis}")
            if kind == "sample" and isinstance(key, str | np.str_):
                raise KeyError(self._name_on_samples_hint(key, kinds))
            keys.append(self._normalize_key(key, shape[axis], what, names))
        # samples first (the explained output of each sample is known before outputs are
        # cut), then the last axis first so that an integer dropping an axis shifts no other
        shift = 0
        if kinds and kinds[0] == "sample" and not (isinstance(keys[0], slice) and keys[0] == slice(None)):
            new._take_samples(keys[0])
            shift = 0 if new._has_samples() else 1
        for axis in range(len(keys) - 1, -1, -1):
            key = keys[axis]
            kind = kinds[axis] if axis < len(kinds) else "other"
            if kind == "sample" or (isinstance(key, slice) and key == slice(None)):
                continue
            new._take_axis(axis - shift, key, kind)
        return new

    def _take_samples(self, key):
        n = self._n()
        scalar = isinstance(key, int)
        pos = None if scalar else np.arange(n)[key]

        def take(v):
            if isinstance(v, np.ndarray) and v.ndim >= 1 and v.shape[0] == n:
                return v[key]
            if isinstance(v, list) and len(v) == n:
                return v[key] if scalar else [v[i] for i in pos]
            if _is_pandas(v) and len(v) == n:
                return v.iloc[key] if scalar else v.iloc[pos]
            if _is_tensor(v) and v.shape[0] == n:
                # positions, not the key: a tensor takes neither numpy masks nor lists of bools alike
                return v[key] if scalar else v[pos.tolist()]
            return v

        for name in ("values", "base_values", "data", "std", "target_index", "outputs"):
            self.__dict__[name] = take(self.__dict__[name])
        per_sample = self.__dict__.get("_sample_fields")
        if per_sample is None:  # pickled before the per-sample extras were declared
            per_sample = [k for k, v in self.extras.items() if _leading_length(v) == n]
        for name in per_sample:
            if name not in self.extras:
                continue  # removed since
            if _leading_length(self.extras[name]) != n:
                raise ValueError(
                    f"extra {name!r} is declared per sample but now has "
                    f"{_leading_length(self.extras[name])} entries for {n} samples; it cannot be indexed."
                )
            self.extras[name] = take(self.extras[name])
        if scalar:
            self._samples = False

    def _take_axis(self, axis, key, kind):
        """Index axis ``axis`` of ``values`` (and of the fields sharing it) with ``key``, an
        index checked by :meth:`_normalize_key`."""
        v = self.values
        scalar = isinstance(key, int)
        size = v.shape[axis]
        pos = np.arange(size)[key]
        lead = (slice(None),) * axis

        def same_shape(f):
            return (isinstance(f, np.ndarray) or _is_tensor(f)) and tuple(f.shape[: v.ndim]) == v.shape

        std_follows = same_shape(self.std)
        data_follows = same_shape(self.data) and kind != "output"
        if kind == "other":
            self._take_grid_fields(axis, key, pos, scalar, skip_data=data_follows)
            self._grid_cut = True  # cropped or strided maps: no longer a layer's map upscaled
        self.values = v[lead + (key,)]
        std_before = self.std if std_follows and isinstance(self.std, np.ndarray) else None
        if std_follows:
            self.std = self.std[lead + (key,)]
        if kind == "feature":
            if not data_follows:
                self.data = self._take_data_columns(key, pos, size)
            # fields holding feature positions (a tabular anchor's features): moved with the
            # features, or feature_names[anchor_features] named others (or failed)
            kept = np.atleast_1d(pos)
            fields = [n for n in self.__dict__.get("_feature_position_fields", ()) if n in self.extras]
            if fields and len(set(kept.tolist())) != len(kept):
                # a rule's feature at two places: its positions can name one, its values mark both
                raise ValueError(
                    f"this feature index repeats features, and {fields[0]!r} holds rules over the features: "
                    "index each feature once."
                )
            lookup = {int(p): i for i, p in enumerate(kept)}
            for name in self.__dict__.get("_feature_position_fields", ()):
                if name in self.extras:
                    try:
                        self.extras[name] = _remap_positions(self.extras[name], lookup)
                    except _RuleCut as cut:
                        raise ValueError(self._rule_cut_message(name, cut.args[0])) from None
            # fields holding rows of the features (a tabular anchor's examples): their columns
            # cut with the features, as data's are
            for name in self.__dict__.get("_feature_column_fields", ()):
                if name in self.extras:
                    self.extras[name] = _take_columns(self.extras[name], key)
            if self.feature_names is not None:
                self.feature_names = self.feature_names[key]
            if sorted(kept.tolist()) != list(range(size)) and isinstance(v, np.ndarray) and v.dtype.kind in "fiu":
                # the part of the features indexed out (less any repeated), per sample and output:
                # the displays draw it as one bar (the "N other features" of a full waterfall), or
                # the shown sum was labelled f(x) beside another "model f(x)"
                left_var = None
                if std_before is not None:
                    # the left-out part's error: the root sum of squares of theirs, as a full
                    # waterfall's "N other features" bar has it (it was drawn as unknown)
                    gone = np.setdiff1d(np.arange(size), kept)
                    left_var = (np.take(std_before.astype(np.float64), gone, axis=axis) ** 2).sum(axis=axis)
                self._add_left_out(v.sum(axis=axis) - np.take(v, kept, axis=axis).sum(axis=axis), left_var)
            if scalar:
                self._features = False
        elif kind == "output":
            n_lead = 1 if self._has_samples() else 0
            explained = self._target_positions() is not None
            # which of the explainer's outputs the kept ones are: the metrics compare them with
            # the outputs they score (a pick of one output, or a reordered list, was read as
            # the explainer's output of the same position)
            origin = np.asarray(self.__dict__.get("_output_origin", np.arange(size)))[pos]
            if scalar:
                self._picked_output = int(origin)
                self.__dict__.pop("_output_origin", None)
            else:
                self._output_origin = origin
            self.target_index = self._remap_target(pos, scalar)  # before outputs are cut
            if explained and not scalar and self.target_index is None:
                self._target_dropped = True  # the index kept none of the explained outputs
            for name in ("base_values", "outputs"):
                f = self.__dict__[name]
                if isinstance(f, np.ndarray) and f.ndim == n_lead + 1 and f.shape[-1] == size:
                    self.__dict__[name] = f[(slice(None),) * n_lead + (key,)]
            if self.output_names is not None and len(self.output_names) == size:
                self.output_names = self.output_names[key]
            # Per-region fields end with the output axis without sharing values' shape (an
            # image's std and player_values (n, p, k) beside heatmaps (n, H, W, k)): they are
            # cut too, or exp[..., c].std would still hold every output.
            if not std_follows:
                self.std = _take_last_axis(self.std, key, size)
            for name in self.__dict__.get("_output_fields", ()):
                if name in self.extras:
                    self.extras[name] = _take_last_axis(self.extras[name], key, size)
            if scalar:
                self.output_axis = None
        if data_follows:
            # a tensor takes the positions (it reads numpy masks and lists of bools differently)
            data_key = np.atleast_1d(pos).tolist() if _is_tensor(self.data) and not scalar else key
            self.data = self.data[lead + (data_key,)]

    def _take_grid_fields(self, axis, key, pos, scalar, skip_data):
        """Cut the fields declared on the values' grid (``_grid_fields``: an image's ``data`` and
        segment map beside its heatmap, a document's tokens) along with axis ``axis`` of values.

        A field lies on the grid when its trailing axes are the grid's (the values' axes that
        are neither samples, features nor outputs): ``data`` ``(n, C, H, W)`` beside heatmaps
        ``(n, H, W, k)``. A declared field that is not (flattened pixels, a map at another
        resolution), or one declared as unable to follow (``False``), refuses the cut.
        """
        declared = self.__dict__.get("_grid_fields") or {}
        if not declared:
            return
        kinds = self._axis_kinds()
        grid = [i for i, k in enumerate(kinds) if k == "other"]
        grid_shape = tuple(self.values.shape[i] for i in grid)
        trailing = len(grid) - grid.index(axis)  # grid axes from this one to the last
        lead = 1 if self._has_samples() else 0
        for name, follows in declared.items():
            f = self.data if name == "data" else self.extras.get(name)
            if f is None or (name == "data" and skip_data):
                continue
            if not follows:
                raise IndexError(
                    f"axis {axis} of values {self.values.shape} cannot be indexed: the field {name!r} "
                    "depends on it and cannot follow the cut. Index exp.values instead."
                )
            shape = (len(f),) if isinstance(f, list) else tuple(getattr(f, "shape", ()))
            per_sample = shape[lead:]
            m = min(len(per_sample), len(grid_shape))
            if (
                not (isinstance(f, list | np.ndarray) or _is_tensor(f))
                or m == 0
                or (per_sample[len(per_sample) - m :] != grid_shape[len(grid_shape) - m :])
            ):
                raise IndexError(
                    f"axis {axis} of values {self.values.shape} cannot be indexed consistently: the "
                    f"field {name!r} of shape {shape} is not on the values' grid {grid_shape} (another "
                    "resolution, or flattened). Index exp.values instead."
                )
            at = len(shape) - trailing
            if at < lead:
                continue  # the field has no such axis (a channel index beside an (H, W) map)
            if isinstance(f, list):
                f = f[key] if scalar else [f[i] for i in np.atleast_1d(pos)]
            elif _is_tensor(f):
                f = f[(slice(None),) * at + (key if scalar else np.atleast_1d(pos).tolist(),)]
            else:
                f = f[(slice(None),) * at + (key,)]
            if name == "data":
                self.data = f
            else:
                self.extras[name] = f

    def _add_left_out(self, part, variance=None):
        """Add ``part`` (values summed over features indexed out) to ``extras["left_out"]``, and
        ``variance`` (their squared standard errors summed) to ``extras["left_out_var"]``:
        per-sample and per-output fields, so that later indices cut them with the values. A
        part without a variance leaves the sum's error unknown (NaN)."""
        left = self.extras.get("left_out")
        first = left is None
        self.extras["left_out"] = part if first else left + part
        names = ["left_out"]
        known = self.extras.get("left_out_var") if not first else 0.0
        if variance is not None and known is not None:
            self.extras["left_out_var"] = known + variance
            names.append("left_out_var")
        else:
            self.extras.pop("left_out_var", None)
        for name in names:
            if self._has_samples():
                fields = self.__dict__.get("_sample_fields")
                if fields is not None and name not in fields:
                    self._sample_fields = [*fields, name]
            if self.output_axis is not None and name not in self.__dict__.get("_output_fields", ()):
                self._output_fields = (*self.__dict__.get("_output_fields", ()), name)

    def _take_data_columns(self, key, pos, size):
        d = self.data
        if d is None:
            return d
        if _is_pandas(d):
            if d.ndim == 2 and d.shape[1] == size:
                return d.iloc[:, key]
            if d.ndim == 1 and not self._has_samples() and len(d) == size:
                return d.iloc[key]
            return d
        if isinstance(d, np.ndarray):
            if self._has_samples() and d.ndim == 2 and d.shape[1] == size:
                return d[:, key]
            if not self._has_samples() and d.ndim == 1 and d.shape[0] == size:
                return d[key]
        if _is_tensor(d):
            # by positions (a tensor reads numpy masks and lists of bools differently): kept
            # whole, its columns were printed beside other features' names
            cols = pos if np.ndim(pos) == 0 else np.atleast_1d(pos).tolist()
            if self._has_samples() and d.ndim == 2 and d.shape[1] == size:
                return d[:, cols]
            if not self._has_samples() and d.ndim == 1 and d.shape[0] == size:
                return d[cols]
        if isinstance(d, list) and self._has_samples() and d and all(np.ndim(r) == 1 and len(r) == size for r in d):
            # rows given as lists: each row cut by the same positions
            return [np.asarray(r, dtype=object)[pos].tolist() if np.ndim(pos) else r[int(pos)] for r in d]
        return d

    def _rule_cut_message(self, name, position):
        names = self.feature_names
        feature = repr(str(names[position])) if names is not None and np.ndim(names) == 1 else f"{position}"
        return (
            f"this feature index leaves out feature {feature}, which a rule of {name!r} uses: a rule "
            "cut to some of its conditions has neither the whole rule's text nor its precision and "
            "coverage. Keep the rule's features (reordering them is fine), index the samples, or "
            "read the indicators as exp.values[:, columns]."
        )

    def _remap_target(self, pos, scalar):
        """The explained output after the outputs were indexed by ``pos`` (None if gone)."""
        t = self._target_positions()
        if scalar or t is None:
            return None  # one output left: it is the explained one
        pos = np.atleast_1d(pos)
        lookup = {int(p): i for i, p in enumerate(pos)}
        t_arr = np.atleast_1d(t)
        if not all(int(x) in lookup for x in t_arr.ravel()):
            return None
        mapped = np.asarray([lookup[int(x)] for x in t_arr.ravel()]).reshape(t_arr.shape)
        return int(mapped[0]) if np.ndim(t) == 0 else mapped

    # ------------------------------------------------------------------ the explained output
    def _explained_outputs(self):
        """The explained output per sample as the model's output index (an int, a per-sample
        array, or None), whatever outputs were indexed out or reordered since ``explain``."""
        picked = self.__dict__.get("_picked_output")
        if picked is not None:
            return picked
        t = self._target_positions()
        origin = self.__dict__.get("_output_origin")
        if t is None or origin is None:
            return t
        mapped = np.asarray(origin)[np.asarray(t, dtype=int)]
        return int(mapped) if np.ndim(t) == 0 else mapped

    def _target_positions(self):
        """Explained output index: an int, a per-sample int array, or None."""
        t = self.target_index
        if isinstance(t, str):
            if t != "predicted" or self.outputs is None:
                return None
            return np.argmax(np.asarray(self.outputs), axis=-1)
        if t is None:
            return None
        if np.ndim(t) == 0:
            return int(t)
        return np.asarray(t, dtype=int)

    def _select(self, arr):
        t = self._target_positions()
        if t is None:
            if self.__dict__.get("_target_dropped"):
                raise ValueError(
                    "the output index removed the explained output (some samples' explained "
                    "output is not among those kept); pick one with exp[..., name_or_index]."
                )
            raise ValueError(
                "this Explanation does not say which output is explained (target_index is "
                f"{self.target_index!r}); pick one with exp[..., name_or_index]."
            )
        if np.ndim(t) == 0:
            return arr[..., t]
        moved = np.moveaxis(arr, -1, 1 if self._has_samples() else 0)
        if not self._has_samples():
            return moved[int(t)]
        return moved[np.arange(arr.shape[0]), t]

    @property
    def method_title(self):
        """``method`` as figures title it: with the game where it is the conditional one
        (``"KernelShapExplainer, conditional game (gaussian)"``), whose values answer another
        question than the interventional game's on the same model and rows."""
        extras = self.__dict__.get("extras") or {}
        if extras.get("game") != "conditional" or not self.method:
            return self.method
        sampler = extras.get("conditional_sampler")
        return f"{self.method}, conditional game" + (f" ({sampler})" if sampler else "")

    @property
    def target_values(self):
        """Attributions of the explained output: ``values`` without the output axis."""
        v = self.values
        if self.output_axis is None or not isinstance(v, np.ndarray):
            return _callable(v)
        return _callable(self._select(np.asarray(v)))

    @property
    def target_std(self):
        """Standard errors of the explained output, shaped as :attr:`target_values` (None where
        the values carry none)."""
        if self.std is None:
            return None
        std = np.asarray(self.std)
        if self.output_axis is None or std.shape != np.shape(self.values):
            return std
        return self._select(std)

    @property
    def target_base_values(self):
        """Base values of the explained output, shape ``(n,)`` (None when absent)."""
        if self.base_values is None:
            return None
        b = np.asarray(self.base_values)
        n_lead = 1 if self._has_samples() else 0
        if self.output_axis is None or b.ndim != n_lead + 1:
            return _callable(b)
        return _callable(self._select(b))

    def __repr__(self):
        shape = getattr(self.values, "shape", None)
        return f"Explanation(method={self.method!r}, values.shape={shape}, fields={self.fields()})"

    def _repr_html_(self):
        from skxai.plot.rendering import explanation_html

        return explanation_html(self)
