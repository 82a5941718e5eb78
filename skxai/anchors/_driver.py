"""Lock-step driver: advance many instance searches together, one model call per round."""

from __future__ import annotations

import numpy as np


def run_lockstep(searches, sampler, rngs):
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
        decision on instance ``i``.
    rngs : list of numpy.random.RandomState

    Returns
    -------
    results : list
        The return value of each search's ``run``.
    calls, rows : ndarray of int
        Model calls that evaluated rows of each instance, and rows drawn for it.
    total_calls : int
    """
    n = len(searches)
    results = [None] * n
    calls = np.zeros(n, dtype=np.int64)
    rows = np.zeros(n, dtype=np.int64)
    gens = [s.run() for s in searches]
    pending = {}
    for i, g in enumerate(gens):
        try:
            pending[i] = next(g)
        except StopIteration as stop:
            results[i] = stop.value
    total_calls = 0
    while pending:
        slots, inputs = [], []
        for i in sorted(pending):
            for anchor, k in pending[i]:
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
            searches[i].store.add(anchor, presence, held, X)
            seen.setdefault(i, set()).update(np.unique(chunk[start:stop]).tolist())
            start = stop
        for i, chunks in seen.items():
            calls[i] += len(chunks)
        for i in list(pending):
            try:
                pending[i] = gens[i].send(None)
            except StopIteration as stop:
                results[i] = stop.value
                del pending[i]
    return results, calls, rows, total_calls
