"""Working memory of an explain call: rows in chunks that fit, requests that cannot fit refused.

Model calls are bounded by ``batch_size`` on their own; what grows with the budget and the rows
is what an explainer holds at once (the coalitions of its design, every row's coalition values,
their copies in the estimator). Each tabular explainer states it as ``_working_bytes()``: a
fixed part (the design) and a part per explained row. :func:`explain_in_chunks` then explains
the rows in chunks that stay under :data:`MAX_WORKING_BYTES`, with the draws of one call, and
refuses, before any work, a request that one row already puts over it (a process killed by
the operating system loses everything; a clear error names what to lower).
"""

from __future__ import annotations

import copy
import os

import numpy as np
from joblib import effective_n_jobs

from skxai.utils._random import with_own_generator

#: Most bytes of working arrays one explain call may hold (model calls apart).
MAX_WORKING_BYTES = 4 * 2**30

#: Most bytes of a result one call may return: what chunking cannot shrink (every output's
#: heatmaps of an image explanation), held beside the working arrays.
MAX_RESULT_BYTES = 4 * 2**30


def _gib(nbytes, beside=None):
    """``nbytes`` in GiB, with the decimals that tell it apart from ``beside`` (a bound it is
    compared with): "needs about 4.0 GiB (at most 4.0 GiB)" read as no excess at all."""
    if nbytes >= 2**100:  # 2**p coalitions of thousands of players: beyond a float's range
        return f"2**{(int(nbytes) >> 30).bit_length() - 1} GiB"
    decimals = 1
    if beside is not None and beside >= 2**100:
        beside = None  # far apart anyway
    while beside is not None and decimals < 6 and round(nbytes / 2**30, decimals) == round(beside / 2**30, decimals):
        decimals += 1
    return f"{nbytes / 2**30:.{decimals}f} GiB"


def refuse_beyond_working_memory(need, owner, what, lower):
    """Raise a ``ValueError`` when ``need`` bytes exceed :data:`MAX_WORKING_BYTES`, before any
    work: ``"{owner}: {what} needs about ... (at most ...): {lower}."``."""
    if need > MAX_WORKING_BYTES:
        raise ValueError(
            f"{owner}: {what} needs about {_gib(need, MAX_WORKING_BYTES)} of working memory (at most "
            f"{_gib(MAX_WORKING_BYTES, need)} may be held at once): {lower}."
        )


def refuse_beyond_result_bound(need, owner, what, lower):
    """Raise a ``ValueError`` when a result of ``need`` bytes exceeds :data:`MAX_RESULT_BYTES`,
    before any work: ``"{owner}: {what} would take ... (at most ...): {lower}."``."""
    if need > MAX_RESULT_BYTES:
        raise ValueError(
            f"{owner}: {what} would take about {_gib(need, MAX_RESULT_BYTES)} (a result of at most "
            f"{_gib(MAX_RESULT_BYTES, need)} is returned): {lower}."
        )


def most_within_working_memory(nbytes_each):
    """How many parts of ``nbytes_each`` bytes fit in :data:`MAX_WORKING_BYTES` together (>= 1)."""
    return max(1, int(MAX_WORKING_BYTES // max(nbytes_each, 1)))


def concurrent_workers(explainer):
    """How many processes may each hold an explainer's per-worker arrays at once: the workers
    its ``n_jobs`` starts (joblib's count, a ``parallel_config``'s included), at most this
    machine's cores."""
    try:
        workers = effective_n_jobs(getattr(explainer, "n_jobs", None))
    except (TypeError, ValueError):  # an invalid n_jobs is the parameter check's to name
        workers = 1
    return max(1, min(int(workers), os.cpu_count() or 1))


def check_working_memory(explainer, n_rows=1):
    """Refuse settings whose working arrays exceed :data:`MAX_WORKING_BYTES` for ``n_rows`` rows
    (one at ``fit``: the budget alone). Returns the most rows per chunk.

    Each further worker of ``n_jobs`` adds what it builds for itself (``_worker_bytes``: a
    conditional game's samples, a design): two workers held 6.6 GiB at settings the bound had
    admitted for one process (an outside audit, session 27).
    """
    fixed, per_row = explainer._working_bytes()
    workers = concurrent_workers(explainer)
    each = explainer._worker_bytes() if workers > 1 else 0
    held = fixed + (workers - 1) * each
    need = held + per_row * max(n_rows, 1)
    if held + per_row > MAX_WORKING_BYTES:
        parallel = each and fixed + per_row <= MAX_WORKING_BYTES
        raise ValueError(
            f"{type(explainer).__name__}: these settings need about "
            f"{_gib(held + per_row, MAX_WORKING_BYTES)} of working "
            f"memory for a single row"
            + (f" ({workers} workers of n_jobs hold about {_gib(each)} each)" if parallel else "")
            + f" (at most {_gib(MAX_WORKING_BYTES, held + per_row)} may be held at once): "
            + ("use fewer workers (n_jobs), or lower " if parallel else "lower ")
            + f"{explainer._memory_knobs()}."
        )
    if need > MAX_WORKING_BYTES and not explainer._rows_in_chunks():
        raise ValueError(
            f"{type(explainer).__name__}: explaining {n_rows} rows at once needs about "
            f"{_gib(need, MAX_WORKING_BYTES)} of "
            f"working memory (at most {_gib(MAX_WORKING_BYTES, need)}); these settings explain all rows "
            f"together ({explainer._memory_knobs()}, or tol): explain fewer rows per call."
        )
    return max(1, int((MAX_WORKING_BYTES - held) // max(per_row, 1)))


def _merge_extras(parts, sizes, per_row=None):
    """One call's extras from its chunks': per-row arrays (``per_row``, the explainer's
    ``_sample_extras``) joined, anything else the first's."""
    merged = {}
    for key, first in parts[0].items():
        if per_row is not None:
            if key in per_row:
                merged[key] = np.concatenate([p[key] for p in parts], axis=0)
            else:
                merged[key] = first
        elif isinstance(first, np.ndarray) and first.ndim and first.shape[0] == sizes[0]:
            merged[key] = np.concatenate([p[key] for p in parts], axis=0)
        else:
            merged[key] = first
    return merged


def explain_in_chunks(explainer, X, *, keep=None, **options):
    """``explainer._explain_rows(X)`` in chunks of rows that fit in :data:`MAX_WORKING_BYTES`.

    Every chunk sees the draws of one call: an integer ``random_state`` gives them anyway; a
    ``RandomState`` instance (or None: a fresh one) is copied before the first chunk and each
    chunk starts from that copy, after which the instance stands where one call leaves it.
    ``options`` go to every ``_explain_rows`` call. ``keep(part, start, stop)``, where given,
    reduces each chunk's ``(values, base, std, extras)`` to the values of one output per row
    (``std`` None) before the next chunk (``transform``): the results held are counted so.
    """
    rows = check_working_memory(explainer, X.shape[0])
    if X.shape[0] <= rows:
        part = explainer._explain_rows(X, **options)
        return part if keep is None else keep(part, 0, X.shape[0])
    with_std = options.get("with_std", True) and getattr(explainer, "_std_of_rows", True)
    rows = _rows_beside_results(explainer, X.shape[0], rows, with_std and keep is None, one_output=keep is not None)
    random_state = getattr(explainer, "random_state", 0)
    shared = None
    if random_state is None or isinstance(random_state, np.random.RandomState):
        shared = np.random.RandomState() if random_state is None else random_state
        snapshot = copy.deepcopy(shared)
    parts, sizes, own = [], [], explainer
    for start in range(0, X.shape[0], rows):
        if shared is not None:
            # the user's explainer is never changed, even by another thread explaining with it
            own = with_own_generator(explainer, snapshot)
        # copies of views: a chunk's base values sliced from its block of coalition values kept
        # the whole block alive until the join (twice the bound with 200 outputs)
        part = own._explain_rows(X[start : start + rows], **options)
        if keep is not None:
            part = keep(part, start, min(start + rows, X.shape[0]))
        parts.append(tuple(_own_memory(a) for a in part[:3]) + tuple(part[3:]))
        sizes.append(min(rows, X.shape[0] - start))
    if shared is not None and shared is random_state:
        random_state.set_state(own.random_state.get_state())
    values, base, std, extras = zip(*parts, strict=True)
    std = None if std[0] is None else np.concatenate(std, axis=0)
    merged = _merge_extras(extras, sizes, getattr(explainer, "_sample_extras", None))
    return np.concatenate(values, axis=0), np.concatenate(base, axis=0), std, merged


def _own_memory(a):
    """``a`` itself, or a copy where it is a view into a larger array."""
    return a.copy() if isinstance(a, np.ndarray) and a.base is not None else a


def _rows_beside_results(explainer, n_rows, rows, with_std=True, one_output=False):
    """Rows per chunk when the finished chunks' values (and standard errors, where computed),
    every output or ``one_output`` a row, are held beside the next chunk's work and joined at the
    end: 100 outputs piled 32 MiB a chunk on top of chunks sized for the whole bound. A result
    past :data:`MAX_RESULT_BYTES` is refused before any work, and so are settings whose results
    and fixed arrays leave no room for a chunk of one row."""
    players = int(getattr(explainer, "n_players_", 1) or 1)
    outputs = 1 if one_output else int(getattr(explainer, "n_outputs_", 1) or 1)
    results = (2 if with_std else 1) * 8 * players * outputs * n_rows
    what = "values and standard errors" if with_std else "values"
    sizes = f"{players} players, " + ("one output a row" if one_output else f"{outputs} outputs")
    name = type(explainer).__name__
    refuse_beyond_result_bound(
        results,
        name,
        f"the {what} of {n_rows} rows ({sizes})",
        "explain fewer rows per call",
    )
    fixed, per_row = explainer._working_bytes()
    room = MAX_WORKING_BYTES - fixed - 2 * results  # the chunks' results and their join
    if room < per_row:
        refuse_beyond_working_memory(
            MAX_WORKING_BYTES + per_row - room,
            name,
            f"explaining {n_rows} rows ({sizes}) beside their {what}",
            "explain fewer rows per call",
        )
    return max(1, min(rows, int(room // max(per_row, 1))))


def model_bytes(model):
    """Bytes a fitted model holds, measured by pickling it with its arrays out of band (their
    sizes are read, their data not copied); None where it cannot be pickled."""
    import pickle

    buffers = []
    try:
        head = pickle.dumps(model, protocol=5, buffer_callback=buffers.append)
    except Exception:
        return None
    return len(head) + sum(memoryview(b).nbytes for b in buffers)
