"""Explaining CSV files larger than memory: chunks in, attributions appended out.

The command line's ``skxai explain`` reads its data file in chunks of rows, explains each chunk,
and appends the attributions to the output file before reading the next one, so memory stays
flat in the number of rows and a failure loses at most the chunk in flight.
"""

from __future__ import annotations

import os

import numpy as np


def count_csv_rows(path):
    """Number of data rows of a CSV file with a header (one pass over its bytes, no parsing)."""
    n = 0
    with open(path, "rb") as fh:
        while True:
            block = fh.read(1 << 20)
            if not block:
                break
            n += block.count(b"\n")
            last = block[-1:]
    if n and last != b"\n":
        n += 1
    return max(0, n - 1)


def csv_chunks(path, chunk_size):
    """DataFrames of at most ``chunk_size`` consecutive rows of the CSV file ``path``."""
    import pandas as pd

    yield from pd.read_csv(path, chunksize=int(chunk_size))


def reservoir_rows(path, k, random_state, chunk_size=50_000):
    """A uniform sample of ``k`` rows of a CSV file in one streaming pass, in file order.

    Reservoir sampling (algorithm R, vectorised per chunk) keeps at most ``k`` rows in memory;
    ``random_state`` makes the sample reproducible.
    """
    import pandas as pd
    from sklearn.utils import check_random_state

    rng = check_random_state(random_state)
    kept, positions, seen = None, None, 0
    for chunk in csv_chunks(path, chunk_size):
        n = len(chunk)
        index = np.arange(seen, seen + n)
        if kept is None:
            kept, positions = chunk.iloc[:0], np.empty(0, dtype=np.int64)
        room = max(0, k - len(kept))
        if room:
            take = chunk.iloc[:room]
            kept = pd.concat([kept, take])
            positions = np.concatenate([positions, index[:room]])
            chunk, index = chunk.iloc[room:], index[room:]
        if len(chunk):
            # Row i (0-based position in the file) replaces a random slot with probability k / (i + 1).
            slots = (rng.random_sample(len(chunk)) * (index + 1)).astype(np.int64)
            hit = np.flatnonzero(slots < k)
            for j in hit:  # only about k log(n / k) rows ever hit: a short loop
                kept.iloc[slots[j]] = chunk.iloc[j]
                positions[slots[j]] = index[j]
        seen += n
    if kept is None:
        return None
    order = np.argsort(positions, kind="stable")
    return kept.iloc[order].reset_index(drop=True)


class AppendingCsv:
    """Write a CSV in pieces: the header with the first piece, every piece flushed to disk.

    After a failure the file holds every piece written so far, and ``rows`` says how many.
    """

    def __init__(self, path):
        self.path = path
        self.rows = 0
        self._fh = open(path, "w", newline="")

    def append(self, frame):
        frame.to_csv(self._fh, header=self.rows == 0, index=False)
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self.rows += len(frame)

    def close(self):
        self._fh.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False
