"""Real Dask workers: KernelSHAP, TreeSHAP and Integrated Gradients on 1 vs 2 worker processes.

Each configuration runs on a ``LocalCluster(processes=True, threads_per_worker=1)`` of 1 and of 2
workers; the explainers are fitted once here, the rows go to the cluster as a dask array (the
explainer scattered once per worker and kept there between computes) and, for KernelSHAP and a
large forest's TreeSHAP, also through ``n_jobs`` under ``joblib.parallel_config(backend="dask")``
(KernelSHAP sends the model calls, TreeSHAP groups of chunks of trees, each group always to the
same worker, which keeps their tables). Reported: wall seconds (min and max over the repeats),
speed-up of 2 workers over 1, and the largest difference from the in-process result (must be 0
for KernelSHAP and at most 1e-12 elsewhere). Workers start with glibc's trim and mmap thresholds
raised (``--malloc-threshold``), as doc/user_guide/scaling.rst advises for TreeSHAP.
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")

import dask
import dask.array as da
import numpy as np

try:  # run as a script (its folder on the path) or imported as benchmarks.*
    from _results import write_results
except ImportError:
    from benchmarks._results import write_results
from distributed import Client, LocalCluster
from joblib import parallel_config
from sklearn.datasets import load_wine
from sklearn.ensemble import RandomForestClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

from skxai import IntegratedGradientsExplainer, KernelShapExplainer, TreeShapExplainer


def _large_forest(X, y, rows):
    """300 depth-10 trees grown on noisy copies of the wine rows: its tables (575 MiB) exceed
    TreeSHAP's 128 MiB cache, so most are rebuilt for every call, and that build (seconds) is the
    work, whatever the rows."""
    rng = np.random.RandomState(1)
    idx = rng.randint(0, len(X), 2000)
    Xn = X[idx] + 0.3 * rng.normal(size=(2000, X.shape[1]))
    forest = RandomForestClassifier(n_estimators=300, max_depth=10, random_state=0).fit(Xn, y[idx])
    return TreeShapExplainer(forest).fit(Xn), Xn[:rows]


def _setups(rows, fast_rows, only=None):
    X, y = load_wine(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    mlp = MLPClassifier(hidden_layer_sizes=(64, 64), max_iter=2000, random_state=0).fit(X, y)
    forest = RandomForestClassifier(n_estimators=200, max_depth=8, random_state=0).fit(X, y)
    rng = np.random.RandomState(0)
    n = max(rows, fast_rows)
    Xr = X[rng.randint(0, len(X), size=n)] + 0.05 * rng.normal(size=(n, X.shape[1]))
    setups = [
        ("KernelSHAP (MLP, 1,024 coalitions)", lambda: KernelShapExplainer(
            mlp, n_samples=1024, max_background=40, random_state=0).fit(X), rows),
        ("TreeSHAP interventional (forest)", lambda: TreeShapExplainer(
            forest, feature_perturbation="interventional", max_background=100).fit(X), fast_rows),
        ("Integrated Gradients (MLP, 200 steps)", lambda: IntegratedGradientsExplainer(mlp, n_steps=200).fit(X),
         fast_rows),
        # a torch explainer on a few hundred rows: the small MLP's 200 steps are 0.16 s for 300
        # rows, too little work to split; a wider network with a finer rule is (session 38)
        ("Integrated Gradients (512x512 MLP, 512 steps)", lambda: IntegratedGradientsExplainer(
            MLPClassifier(hidden_layer_sizes=(512, 512), max_iter=300, random_state=0).fit(X, y),
            n_steps=512).fit(X), rows),
    ]
    return Xr, [(name, make(), n) for name, make, n in setups if only is None or only in name]


def _time(func, repeats):
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = func()
        times.append(time.perf_counter() - t0)
    return times, out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=300, help="rows explained by KernelSHAP")
    parser.add_argument("--fast-rows", type=int, default=20000, help="rows explained by TreeSHAP and IG")
    parser.add_argument("--tree-rows", type=int, default=300, help="rows explained by the large forest")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--malloc-threshold", type=int, default=2**28,
                        help="MALLOC_TRIM_THRESHOLD_ and MALLOC_MMAP_THRESHOLD_ of the workers (Dask's nanny sets "
                             "the first to 65536, which also fixes the second at 128 KiB); 0 keeps Dask's")
    parser.add_argument("--out", default=None)
    parser.add_argument("--chunks-per-worker", type=int, default=4,
                        help="blocks of the dask arrays per worker (fewer, larger blocks: larger torch batches)")
    parser.add_argument("--only", default=None,
                        help="run only the dask-array work whose name holds this text (no n_jobs runs)")
    args = parser.parse_args()
    Xr, setups = _setups(args.rows, args.fast_rows, args.only)
    reference, in_process = {}, {}
    for name, ex, n in setups:
        times, reference[name] = _time(lambda ex=ex, n=n: ex.transform(Xr[:n]), args.repeats)
        in_process[name] = min(times)
    n_jobs_runs = []
    if args.only is None:
        X, y = load_wine(return_X_y=True)
        big_tree, big_rows = _large_forest(StandardScaler().fit_transform(X), y, args.tree_rows)
        big_name = "TreeSHAP path-dependent (300 depth-10 trees)"
        big_reference = big_tree.transform(big_rows)
        n_jobs_runs = [(setups[0][0], setups[0][1], Xr[:args.rows], reference[setups[0][0]]),
                       (big_name, big_tree, big_rows, big_reference)]
    if args.malloc_threshold:
        dask.config.set({"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": args.malloc_threshold,
                         "distributed.nanny.pre-spawn-environ.MALLOC_MMAP_THRESHOLD_": args.malloc_threshold})
    results = {}
    for workers in (1, 2):
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                          silence_logs=40) as cluster, Client(cluster) as client:
            client.run(lambda: None)
            for name, ex, n in setups:
                chunk = int(np.ceil(n / (args.chunks_per_worker * workers)))
                lazy = lambda ex=ex, n=n, chunk=chunk: ex.transform(  # noqa: E731
                    da.from_array(Xr[:n], chunks=(chunk, -1))).compute()
                first, _ = _time(lazy, 1)  # warm: the explainer reaches the workers, imports happen
                times, out = _time(lazy, args.repeats)
                results[(name + " — dask array", workers)] = (times, np.abs(out - reference[name]).max(), first[0])
            for name, ex, rows, expected in n_jobs_runs:
                ex.set_params(n_jobs=-1)
                with parallel_config(backend="dask"):
                    first, _ = _time(lambda ex=ex, rows=rows: ex.transform(rows), 1)  # ships, builds, warms
                    times, out = _time(lambda ex=ex, rows=rows: ex.transform(rows), args.repeats)
                ex.set_params(n_jobs=None)
                results[(name + " — n_jobs on the dask backend", workers)] = (
                    times, np.abs(out - expected).max(), first[0])
    lines = [
        "# Real Dask workers (separate processes)",
        "",
        f"Command: `python benchmarks/bench_dask.py --rows {args.rows} --fast-rows {args.fast_rows} "
        f"--tree-rows {args.tree_rows} --repeats {args.repeats} --malloc-threshold {args.malloc_threshold}"
        + (f" --only '{args.only}'" if args.only else "")
        + (f" --chunks-per-worker {args.chunks_per_worker}" if args.chunks_per_worker != 4 else "")
        + (f" --out {args.out}`" if args.out else "`"),
        "",
        f"Wine (13 features): {args.rows} rows for KernelSHAP and the wide MLP's IG, {args.fast_rows} for "
        f"TreeSHAP and the small MLP's IG, {args.tree_rows} for the large forest's TreeSHAP;",
        "`LocalCluster(processes=True, threads_per_worker=1)` with 1 and 2 workers on the same 2-core",
        "machine; seconds are wall time min-max over the repeats after one untimed-in-the-range first",
        "call (shown apart: it ships the explainer and builds what the workers keep);",
        "max |diff| is against the in-process result; the dask arrays' work in this process without a",
        "cluster, fastest of the repeats: "
        + "; ".join(f"{name} {t:.2f} s" for name, t in in_process.items()) + ".",
        "",
        "| work | first call, 1 / 2 workers (s) | 1 worker (s) | 2 workers (s) | speed-up (min/min) "
        "| speed-up (median/median) | max abs diff |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for key in sorted({k for k, _ in results}):
        (t1, d1, f1), (t2, d2, f2) = results[(key, 1)], results[(key, 2)]
        lines.append(
            f"| {key} | {f1:.2f} / {f2:.2f} | {min(t1):.2f}-{max(t1):.2f} | {min(t2):.2f}-{max(t2):.2f} | "
            f"{min(t1) / min(t2):.2f}x | "
            f"{np.median(t1) / np.median(t2):.2f}x | {max(d1, d2):.1e} |"
        )
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        write_results(args.out, text)


if __name__ == "__main__":
    main()
