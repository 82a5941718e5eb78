"""Shared pieces of the A/B timing scripts (``ab_session*.py``): another checkout's ``skxai``
imported under another name, both timed in alternating order per round, their numbers compared."""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import numpy as np


def best_of(fn, repeat, clock=time.perf_counter):
    """The least time of ``repeat`` calls of ``fn`` on ``clock`` (wall clock; ``time.process_time``
    for this process's CPU) and the last call's result."""
    best, out = np.inf, None
    for _ in range(repeat):
        t = clock()
        out = fn()
        best = min(best, clock() - t)
    return best, out


def renamed_copy(checkout, folder, name):
    """Copy ``checkout/skxai`` to ``folder/<name>`` with every ``skxai`` module name renamed, and
    return ``folder`` (to put on ``sys.path``)."""
    dest = Path(folder) / name
    shutil.copytree(Path(checkout) / "skxai", dest, ignore=shutil.ignore_patterns("__pycache__"))
    pattern = re.compile(r"\bskxai(?=[\s.;,)'\"]|$)", re.M)
    for path in dest.rglob("*.py"):
        path.write_text(pattern.sub(name, path.read_text()))
    return folder


def ab(label, new_call, old_call, repeats, inner=1):
    """Time ``new_call`` and ``old_call`` (``inner`` calls each) in alternating order per round;
    print and return the table row (label, minima in ms, median and range of new / old)."""
    new_call(), old_call()  # warm-up
    t_new, t_old = [], []
    for r in range(repeats):
        for which in (0, 1) if r % 2 else (1, 0):
            call, store = (new_call, t_new) if which == 0 else (old_call, t_old)
            t = time.process_time()
            for _ in range(inner):
                call()
            store.append(1000 * (time.process_time() - t) / inner)
    per = np.asarray(t_new) / np.asarray(t_old)
    row = (label, min(t_new), min(t_old), float(np.median(per)), float(per.min()), float(per.max()))
    print(f"| {row[0]} | {row[1]:.2f} | {row[2]:.2f} | {row[3]:.2f} ({row[4]:.2f}-{row[5]:.2f}) |", flush=True)
    return row


def same(a, b, expected_change=False):
    """Check the two checkouts' numbers are identical (``expected_change``: print the difference,
    for a merge that changed them on purpose)."""
    a, b = np.asarray(a), np.asarray(b)
    if not np.array_equal(a, b, equal_nan=True):
        message = f"numbers differ: max abs diff {np.nanmax(np.abs(a - b)):.3e}"
        if not expected_change:
            raise AssertionError(message)
        print(f"({message}: expected)", flush=True)


def wine_mlp(n_rows):
    """The 13-feature wine MLP of ``bench_shapley.py``, its background and ``n_rows`` rows."""
    from benchmarks.bench_shapley import setup

    f, background, rows = setup(min(n_rows, 120))
    rows = np.resize(rows, (n_rows, rows.shape[1])) + 0.01 * np.arange(n_rows)[:, None]
    return f, background, rows


def forest_problem():
    """A 40-tree forest of depth 8 on 20 columns (5,000 training rows) and 2,000 rows to explain."""
    from sklearn.ensemble import RandomForestRegressor

    rng = np.random.RandomState(1)
    X = rng.normal(size=(5000, 20))
    y = X[:, 0] + np.sin(3 * X[:, 1]) + X[:, 2] * X[:, 3] + 0.1 * rng.normal(size=5000)
    model = RandomForestRegressor(n_estimators=40, max_depth=8, random_state=0).fit(X, y)
    return model, X, rng.normal(size=(2000, 20))


def sampling_pair(new, old, n_rows=20):
    """The two checkouts' ShapleySampling (64 permutations) on the wine MLP, fitted, and the rows."""
    f, background, rows = wine_mlp(n_rows)
    fitted = [pkg.ShapleySamplingExplainer(f, n_permutations=64, max_background=None, random_state=0).fit(background)
              for pkg in (new, old)]
    return fitted[0], fitted[1], rows
