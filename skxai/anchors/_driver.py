"""Lock-step driver: advance many instance searches together, one model call per round."""

from __future__ import annotations

import numpy as np


def run_lockstep(searches, sampler, rngs, *, budgets=None, piece_rows=None):
    """Run every :class:`AnchorSearch` to completion.

    Each round gathers the requests of all unfinished searches, draws their samples (each
    instance with its own ``rng``, so results do not depend on which instances share a
    round), labels them through ``sampler.predict`` (one model call per chunk of rows) and
    resumes the searches.

    Parameters
    ----------
    searches : list of AnchorSearch
    sampler : object
        ``sample(i, anchor, n, rng) -> (presence (n, F) bool, inputs)``,
        ``concat(list_of_inputs) -> inputs``, ``predict(inputs) -> (labels, chunk)`` where
        ``chunk[r]`` says which model call labelled row ``r``, and ``reference[i]`` the
        decision on instance ``i``; optionally ``record(i, inputs)``, what the store keeps of
        a batch's inputs (the inputs themselves by default).
    rngs : list of numpy.random.RandomState
    budgets : sequence of int, optional
        Most rows drawn per instance: a search whose next requests would pass it is ended
        (:class:`~skxai.anchors._search.RowBudgetReached`) instead of being served.
    piece_rows : int, optional
        Most rows drawn and held at once: a round's requests are served in pieces of at most
        this many rows (a request is never split), so the inputs of a round of many instances
        never all exist together. The draws do not change (each instance draws in order).

    Returns
    -------
    results : list
        The return value of each search's ``run``.
    calls, rows : ndarray of int
        Model calls that evaluated rows of each instance, and rows drawn for it.
    total_calls : int
    """
    from skxai.anchors._search import RowBudgetReached

    n = len(searches)
    results = [None] * n
    calls = np.zeros(n, dtype=np.int64)
    rows = np.zeros(n, dtype=np.int64)
    record = getattr(sampler, "record", None)
    gens = [s.run() for s in searches]
    pending = {}

    def advance(i, step):
        try:
            pending[i] = step()
        except StopIteration as stop:
            results[i] = stop.value
            pending.pop(i, None)

    for i, g in enumerate(gens):
        advance(i, g.__next__)
    total_calls = 0
    while pending:
        if budgets is not None:
            for i in sorted(pending):
                if rows[i] + sum(k for _, k in pending[i]) > budgets[i]:
                    advance(i, lambda g=gens[i]: g.throw(RowBudgetReached()))
                    if i in pending:
                        raise RuntimeError("an anchor search went on after its row budget was reached")
        requests = [(i, anchor, k) for i in sorted(pending) for anchor, k in pending[i]]
        pieces, piece, size = [], [], 0
        for req in requests:
            if piece and piece_rows is not None and size + req[2] > piece_rows:
                pieces.append(piece)
                piece, size = [], 0
            piece.append(req)
            size += req[2]
        if piece:
            pieces.append(piece)
        for piece in pieces:
            slots, inputs = [], []
            for i, anchor, k in piece:
                presence, X = sampler.sample(i, anchor, k, rngs[i])
                slots.append((i, anchor, presence, len(presence)))
                inputs.append(X)
                rows[i] += k
            labels, chunk = sampler.predict(sampler.concat(inputs))
            total_calls += int(chunk.max()) + 1 if len(chunk) else 0
            start = 0
            seen = {}
            for (i, anchor, presence, k), X in zip(slots, inputs, strict=True):
                stop = start + k
                held = labels[start:stop] == sampler.reference[i]
                searches[i].store.add(anchor, presence, held, X if record is None else record(i, X))
                seen.setdefault(i, set()).update(np.unique(chunk[start:stop]).tolist())
                start = stop
            for i, chunks in seen.items():
                calls[i] += len(chunks)
        for i in list(pending):
            advance(i, lambda g=gens[i]: g.send(None))
    return results, calls, rows, total_calls
