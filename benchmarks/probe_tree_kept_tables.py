"""TreeSHAP's kept tables built on demand (path-dependent, session 33): the cost of ``fit`` and
N calls of n rows, lazily (the ski rental of ``TreeRunner._row_path``) against every kept table
built right after ``fit`` (what ``fit`` did before), in process CPU time.

    OMP_NUM_THREADS=1 python benchmarks/probe_tree_kept_tables.py            # the rental table
    OMP_NUM_THREADS=1 python benchmarks/probe_tree_kept_tables.py --serving  # 1,000 one-row calls

Prints, per forest and call size, the call at which the last kept table was built and the
ratio lazy / built-at-fit after 1, 2, 5, 10, 30 and 100 calls; ``--serving`` prints a serving
loop's cumulative time and the median of its last 10 calls.
"""

from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import argparse  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
from sklearn.datasets import load_breast_cancer, load_diabetes  # noqa: E402
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor  # noqa: E402

from skxai import TreeShapExplainer  # noqa: E402

MARKS = (1, 2, 5, 10, 30, 100)


def _forests():
    return {
        "RF(100), breast_cancer": (RandomForestClassifier(100, random_state=0), load_breast_cancer(return_X_y=True)),
        "RF(100, max_depth=8), diabetes": (
            RandomForestRegressor(100, max_depth=8, random_state=0),
            load_diabetes(return_X_y=True),
        ),
    }


def _all_built(est):
    r = est._runner
    return all(t is not None for t, kept in zip(r._tables, r._keep, strict=True) if kept)


def rental_table():
    print(
        "| forest | rows a call | tables bought at call | lazy / build at fit after "
        + " / ".join(map(str, MARKS))
        + " calls |"
    )
    print("|---|---:|---:|---|")
    for name, (model, (X, y)) in _forests().items():
        model.fit(X, y)
        for n in (1, 10, 100):
            costs, bought = {}, None
            for mode in ("lazy", "at fit"):
                start = time.process_time()
                est = TreeShapExplainer(model).fit(X[:100])
                if mode == "at fit":
                    est._runner.build_kept_tables()
                costs[mode] = []
                for i in range(1, MARKS[-1] + 1):
                    s = (i * n) % (len(X) - n)
                    est.transform(X[s : s + n])
                    if mode == "lazy" and bought is None and _all_built(est):
                        bought = i
                    if i in MARKS:
                        costs[mode].append(time.process_time() - start)
            ratios = " / ".join(f"{a / b:.2f}" for a, b in zip(costs["lazy"], costs["at fit"], strict=True))
            print(f"| {name} | {n} | {bought} | {ratios} |", flush=True)


def serving_loop(calls=1000):
    model, (X, y) = _forests()["RF(100), breast_cancer"]
    model.fit(X, y)
    start = time.perf_counter()
    est = TreeShapExplainer(model).fit(X[:100])
    times = []
    for i in range(calls):
        t = time.perf_counter()
        est.transform(X[i % len(X) : i % len(X) + 1])
        times.append(time.perf_counter() - t)
        if i + 1 in (1, 10, 100, 400, calls):
            print(
                f"after {i + 1} calls: fit + calls {time.perf_counter() - start:.2f} s, last 10 median "
                f"{np.median(times[-10:]) * 1e3:.1f} ms, all kept tables built: {_all_built(est)}",
                flush=True,
            )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--serving", action="store_true", help="a serving loop of one-row calls instead")
    args = parser.parse_args()
    serving_loop() if args.serving else rental_table()
