"""Explaining Dask collections lazily, block by block, with the fitted explainer shipped once."""

from __future__ import annotations

import contextlib
import copy

import numpy as np
import scipy.sparse as sp

from skxai.utils._feature_names import internal_call
from skxai.utils._parallel import deep_snapshot, unwrap
from skxai.utils._random import with_own_generator
from skxai.utils._warnings import warn_at_caller


def _shipped(explainer):
    """The explainer as one key of a task graph. With a distributed client, it is scattered to
    every worker once and stays there while it is unchanged (same token), so repeated computes
    reuse what the workers' copies cache (TreeSHAP's tables); otherwise the graph holds it.

    Either way the graph holds the explainer as it is now, its model included: a deep copy
    (through its pickled bytes; a shallow one where it cannot be pickled). The graph used to hold
    the explainer itself, then a shallow copy, so a refit of the explainer, then of its model in
    place (``model.fit``, a network's weights changed), before ``compute`` changed a result built
    before it with the local schedulers and clusters of threads, while processes got the pickled
    bytes."""
    import dask

    try:
        from distributed import default_client

        client = default_client()
    except (ImportError, ValueError):  # no distributed, or no client
        return dask.delayed(deep_snapshot(explainer), pure=True, traverse=False)
    from dask.base import tokenize

    from skxai.utils._parallel import scattered

    return dask.delayed(scattered(client, explainer, token=tokenize(explainer), snapshot=True))


def _per_sample_target(explainer):
    """The explainer's ``target`` when it holds one entry per sample, else None."""
    from skxai._adapters import _is_per_sample

    target = getattr(explainer, "target", None)
    return target if target is not None and _is_per_sample(target) else None


def _rows_targets(explainer, start, stop):
    """``explainer`` explaining the per-sample targets of rows ``start:stop`` of the whole
    collection: a shallow copy whose ``target`` (and the output indices fit resolved from it)
    holds those rows' entries, as an in-memory call on those rows would be given. The
    explainer itself when its target is not per sample."""
    target = _per_sample_target(explainer)
    if target is None:
        return explainer
    rows = slice(int(start), int(stop))
    part = copy.copy(explainer)
    part.target = target.iloc[rows] if hasattr(target, "iloc") else target[rows]
    if hasattr(explainer, "_fitted_target"):
        part._fitted_target = part.target  # the rows' share of the target fit resolved
    index = getattr(explainer, "target_index_", None)
    if index is not None and not isinstance(index, str) and np.ndim(index) == 1:
        part.target_index_ = np.asarray(index)[rows]
    return part


def _check_target_length(explainer, n_samples, kind):
    target = _per_sample_target(explainer)
    if target is not None and len(target) != n_samples:
        raise ValueError(
            f"target holds {len(target)} entries (one per sample) but the dask {kind} holds {n_samples} samples."
        )


def _callers_config(config):
    """scikit-learn's configuration of the ``transform`` call that built the graph, for a block.

    ``sklearn.config_context`` is thread-local, and the blocks run on the scheduler's threads
    (or worker processes) under the default configuration: a pipeline needing the caller's
    ``transform_output="pandas"`` was explained in memory and failed on a Dask collection."""
    if config is None:
        return contextlib.nullcontext()
    from sklearn import config_context

    return config_context(**config)


def _transform_block(block, explainer, meta, rows=None, config=None, start=0):
    # An empty block (a filtered array, uneven chunks) has nothing to explain; explainers
    # refuse 0 samples, which would fail the whole compute.
    if block.shape[0] == 0:
        return meta
    explainer = with_own_generator(unwrap(explainer))
    if rows is not None:  # per-sample targets: this block's rows' own
        explainer = _rows_targets(explainer, *rows)
    with internal_call(), _callers_config(config):  # the user's collection was checked once, in transform
        try:
            return np.asarray(explainer.transform(block))
        except ValueError as exc:
            message = _in_blocks(_rows_of_the_array(str(exc), start))
            if message == str(exc):
                raise
            raise ValueError(message) from exc


_FEWER_ROWS = "explain fewer rows per call"


def _in_blocks(message):
    """A refusal of too many rows, said as a block's: the rows a call gets are the collection's
    block, so the cure is smaller blocks (it said "explain fewer rows per call")."""
    return message.replace(
        _FEWER_ROWS, "use smaller blocks of the dask collection (rechunk it, or repartition the dataframe)"
    )


def _rows_of_the_array(message, start):
    """An input check's message about a block starting at row ``start``, its row (or sample)
    numbers counted in the whole array: "First at row 5" of the block holding rows 20-29 sent
    the user to the collection's row 5 (numpy and dask dataframe inputs said row 25)."""
    import re

    return re.sub(r"(First at (?:row|sample)) (\d+)", lambda m: f"{m.group(1)} {int(m.group(2)) + start}", message)


def _transform_rows_block(block, explainer, meta, block_info=None, config=None, targets=False):
    """:func:`_transform_block` told where the block's rows are (dask passes ``block_info``
    to a function that takes it): for per-sample targets, and for the row numbers of errors."""
    rows = block_info[0]["array-location"][0]
    return _transform_block(block, explainer, meta, rows if targets else None, config=config, start=rows[0])


def _transform_partition(frame, explainer, columns, offsets=None, partition_info=None, config=None):
    import pandas as pd

    if len(frame) == 0:  # e.g. a partition emptied by a filter: see _transform_block
        return pd.DataFrame({c: pd.Series(dtype=np.float64) for c in columns}, index=frame.index)
    explainer = with_own_generator(unwrap(explainer))
    if offsets is not None:  # per-sample targets: this partition's rows' own
        start = offsets[partition_info["number"]]
        explainer = _rows_targets(explainer, start, start + len(frame))
    with internal_call(), _callers_config(config):
        try:
            values = explainer.transform(frame)
        except ValueError as exc:
            if _FEWER_ROWS not in str(exc):
                raise
            raise ValueError(_in_blocks(str(exc))) from exc
    return pd.DataFrame(np.asarray(values), index=frame.index, columns=columns)


def _is_dask_frame(X):
    """True for a dask dataframe, False for a dask array; a TypeError naming any other dask
    collection (a Series, a Bag, a Delayed), which used to fail deep inside."""
    import dask.array as da

    if isinstance(X, da.Array):
        return False
    try:
        import dask.dataframe as dd
    except ImportError:  # dask without its dataframe extra: X is no dataframe
        dd = None
    if dd is not None and isinstance(X, dd.DataFrame):
        return True
    hint = " (X.to_frame() is a dataframe of one feature)" if dd is not None and isinstance(X, dd.Series) else ""
    raise TypeError(f"transform takes a dask array or a dask dataframe, not a dask {type(X).__name__}{hint}.")


def _head(block):
    return block[:1]


def _first_row(X):
    """The first sample of a dask array or dataframe, computing its blocks one by one from the
    first until one is not empty (usually only the first: not the whole collection, which may
    not fit in memory). Works with unknown block sizes (a filtered array, ``from_delayed``,
    ``to_dask_array()`` without lengths), where ``X[:1]`` cannot be sliced. None when empty."""
    if hasattr(X, "map_partitions"):
        if hasattr(X, "optimize"):
            # dask-expr: a partition of an unoptimised ``.loc`` slice (``d.loc[30:]``, one
            # non-empty partition) computed to no rows, and the frame was refused as empty
            X = X.optimize()
        for i in range(X.npartitions):
            first = X.get_partition(i).head(1, npartitions=1)
            if len(first):
                return first
        return None
    if not np.isnan(X.shape[0]):  # known sizes: a slice, which dask fetches alone
        return _in_memory(X[:1].compute()) if X.shape[0] else None
    for i in range(X.numblocks[0]):
        if X.chunks[0][i] == 0:
            continue
        block = X.blocks[i]
        first = _in_memory(block.map_blocks(_head, chunks=((np.nan,),) + block.chunks[1:], dtype=X.dtype).compute())
        if first.shape[0]:
            return first
    return None


def _in_memory(block):
    """A computed block as the explainer takes it: a scipy.sparse block stays sparse (wrapped
    by ``np.asarray`` in a 0-d object array, it failed with "setting an array element with a
    sequence"); other array types become ndarrays."""
    return block if sp.issparse(block) else np.asarray(block)


def transform_dask(explainer, X):
    """``explainer.transform`` of a dask array or dataframe, as a lazy collection of the same kind
    (a dask dataframe for a dask array of 2-D attributions under ``set_output(transform="pandas")``).

    Samples are split along the first axis only (other axes are merged into one chunk). The
    explainer enters the task graph once (one key): with a distributed client it is scattered
    to every worker when the graph is built (each worker deserialises it once, and keeps it for
    later computes while the explainer is unchanged); otherwise the graph carries it. The
    trailing shape of the attributions is learnt by explaining the first sample here.

    Parameters
    ----------
    explainer : fitted explainer
    X : dask.array.Array or dask.dataframe.DataFrame

    Returns
    -------
    dask.array.Array or dask.dataframe.DataFrame
        Lazy attributions; ``.compute()`` gives what ``explainer.transform`` gives on the
        computed input, block by block.
    """
    if getattr(explainer, "_skxai_kind", None) == "text":
        # refused before anything else: the other refusals (a bag is "not a dask array or
        # dataframe", a 1-D array "needs feature axes") sent the user from one kind to another
        raise TypeError(
            f"{type(explainer).__name__} explains a list of documents in memory, not a dask "
            f"{type(X).__name__}: text explainers do not take Dask collections; explain "
            "list(X.compute()) (a chunk of documents at a time when they do not fit in memory)."
        )
    if getattr(explainer, "tol", None) is not None and getattr(explainer, "_tol_spans_the_rows", False):
        warn_at_caller(
            f"{type(explainer).__name__}(tol={explainer.tol!r}) stops on the errors of every row of a "
            "call, and each block of a dask collection is a call of its own: a row's values then "
            "depend on the rows of its block (each still within tol). Set tol=None for values "
            "independent of the chunks.",
            UserWarning,
        )
    frame = _is_dask_frame(X)
    from sklearn import get_config

    config = get_config()  # this call's, for the blocks (see _callers_config)
    # The state of a RandomState instance before this call, for every block (the explainer's
    # own instance then advances once, on the first sample, as for one in-memory call).
    snapshot = with_own_generator(explainer)
    # The first sample explained here is the collection's first row: its own target.
    first_explainer = _rows_targets(explainer, 0, 1)
    if frame:
        offsets = None
        if _per_sample_target(explainer) is not None:
            # Each partition explains its rows' targets, so it needs its first row's position:
            # the partitions' lengths, counted here (one pass over the input, a partition at a time).
            lengths = np.asarray(X.map_partitions(len).compute(), dtype=np.int64)
            _check_target_length(explainer, int(lengths.sum()), "dataframe")
            offsets = tuple(int(o) for o in np.concatenate([[0], np.cumsum(lengths)[:-1]]))
        first = _first_row(X)
        if first is None:
            raise ValueError("The dask dataframe holds no rows to explain.")
        sample = np.asarray(first_explainer.transform(first))
        if sample.ndim != 2:
            raise ValueError("Only 2-D attributions can be returned as a dask dataframe; use a dask array.")
        names = getattr(explainer, "get_feature_names_out", None)
        columns = list(names()) if names is not None else list(range(sample.shape[1]))
        import pandas as pd

        # the index of the input's (its dtype and name, from the first row): an unnamed integer
        # one made ``lazy.reset_index()`` declare a column "index" and compute one named "key"
        empty = first.index[:0]
        meta = pd.DataFrame({c: pd.Series(dtype=np.float64, index=empty) for c in columns}, index=empty)
        if offsets is None:
            return X.map_partitions(_transform_partition, _shipped(snapshot), columns, meta=meta, config=config)
        import dask

        return X.map_partitions(
            _transform_partition,
            _shipped(snapshot),
            columns,
            dask.delayed(offsets, traverse=False),
            meta=meta,
            config=config,
        )
    import dask.array as da

    if X.ndim < 2:
        raise ValueError(f"X must have a first axis of samples and feature axes; got {X.ndim} dimension(s).")
    if X.shape[0] == 0:
        raise ValueError("The dask array holds no samples to explain.")
    if _per_sample_target(explainer) is not None:
        if np.isnan(X.shape[0]):
            raise ValueError(
                "A per-sample target needs the number of rows of every block, to give each block "
                "its rows' targets; this dask array's block sizes are unknown (a boolean filter, "
                "from_delayed, to_dask_array() without lengths). Call X.compute_chunk_sizes() first "
                "(or to_dask_array(lengths=True))."
            )
        _check_target_length(explainer, X.shape[0], "array")
    X = X.rechunk({i: -1 for i in range(1, X.ndim)})
    first = _first_row(X)
    if first is None:
        raise ValueError("The dask array holds no samples to explain.")
    sample = np.asarray(first_explainer.transform(first))
    trailing = sample.shape[1:]
    chunks = (X.chunks[0],) + tuple((s,) for s in trailing)
    drop = tuple(range(len(trailing) + 1, X.ndim))
    new = tuple(range(X.ndim, len(trailing) + 1)) if len(trailing) + 1 > X.ndim else ()
    meta = np.empty((0,) + trailing, dtype=sample.dtype)
    # each block is told where its rows are (dask's block_info): its per-sample targets, and
    # the row numbers of its errors
    lazy = da.map_blocks(
        _transform_rows_block,
        X,
        _shipped(snapshot),
        meta,
        dtype=sample.dtype,
        chunks=chunks,
        drop_axis=drop,
        new_axis=new or None,
        meta=meta,
        config=config,
        targets=_per_sample_target(explainer) is not None,
    )
    names = getattr(explainer, "get_feature_names_out", None)
    if len(trailing) == 1 and names is not None and _output_container(explainer) == "pandas":
        # set_output(transform="pandas") gives a DataFrame of the attribution names in memory;
        # its lazy counterpart, where the dask array used to be returned as for "default"
        import dask.dataframe as dd

        return dd.from_dask_array(lazy, columns=list(names()))
    return lazy


def _output_container(explainer):
    """The container ``set_output`` asks of ``transform``: "default", "pandas" or "polars"."""
    from sklearn.utils._set_output import _get_output_config

    return _get_output_config("transform", explainer)["dense"]
