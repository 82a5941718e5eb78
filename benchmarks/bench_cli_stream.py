"""Peak memory and speed of the streaming ``skxai explain`` on large CSV files.

Writes CSVs of 20 numeric columns (500,000 and 1,000,000 rows by default) into ``--data-dir``
(reused when present: writing them takes a while), trains
``RandomForestRegressor(n_estimators=40, max_depth=8)`` on 5,000 rows, saves it as .skops, and runs
``python -m skxai explain MODEL DATA --out OUT --method tree-shap --quiet --chunk-size N`` as a
subprocess, one run at a time. Per run: the peak resident memory of that subprocess
(``ru_maxrss`` of a wrapper's children: the command line process alone), its wall time, its CPU
time (user + system: steadier than wall time on a shared machine) and rows per CPU second; with
Dask the work runs in the workers, so the CLI's CPU time leaves it out. Modes: ``plain`` (one
process), ``n_jobs2`` (``--n-jobs 2``: threads over the trees) and ``dask`` (``--scheduler``
of a ``LocalCluster(processes=True, n_workers=2, threads_per_worker=1)`` started here; the
workers' own peak memory is reported apart). With ``--old PATH`` the same command also runs with
``PYTHONPATH=PATH`` (another checkout) for comparison.

Usage::

    python benchmarks/bench_cli_stream.py --rows 500000 1000000 --chunk-size 5000 --repeats 3 \\
        --data-dir /tmp/stream_bench --modes plain n_jobs2 dask
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

import numpy as np

_WRAPPER = (
    "import resource, subprocess, sys\n"
    "code = subprocess.run(sys.argv[1:]).returncode\n"
    "ru = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "print(code, ru.ru_utime + ru.ru_stime, ru.ru_maxrss)\n"
)


def _write_csv(path, n_rows, n_cols, seed=0, block=100_000):
    rng = np.random.RandomState(seed)
    tmp = path + ".part"
    with open(tmp, "w") as fh:
        fh.write(",".join(f"x{j}" for j in range(n_cols)) + "\n")
        for start in range(0, n_rows, block):
            np.savetxt(fh, rng.normal(size=(min(block, n_rows - start), n_cols)), fmt="%.6f", delimiter=",")
    os.replace(tmp, path)  # a half-written file is never reused


def _model(folder, n_cols):
    path = os.path.join(folder, "forest.skops")
    if os.path.exists(path):
        return path
    import skops.io as sio
    from sklearn.ensemble import RandomForestRegressor

    rng = np.random.RandomState(1)
    X = rng.normal(size=(5000, n_cols))
    y = X[:, 0] + np.sin(3 * X[:, 1]) + X[:, 2] * X[:, 3] + 0.1 * rng.normal(size=5000)
    model = RandomForestRegressor(n_estimators=40, max_depth=8, random_state=0).fit(X, y)
    sio.dump(model, path)
    return path


def _measure(cmd, pythonpath):
    env = {**os.environ, "PYTHONPATH": pythonpath, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    t0 = time.perf_counter()
    # cwd = the checkout: ``python -m`` puts the working folder before PYTHONPATH on sys.path.
    proc = subprocess.run([sys.executable, "-c", _WRAPPER, *cmd], env=env, capture_output=True, text=True,
                          cwd=pythonpath)
    seconds = time.perf_counter() - t0
    code, cpu, maxrss = proc.stdout.split()[-3:]
    if code != "0":
        raise RuntimeError(f"{' '.join(cmd)} exited {code}: {proc.stderr[-2000:]}")
    return seconds, float(cpu), int(maxrss) / 1024  # Linux: kilobytes


def _worker_peak(client):
    import resource

    peaks = client.run(lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return max(peaks.values())


def _span(values, fmt):
    lo, hi = min(values), max(values)
    return fmt.format(lo) if fmt.format(lo) == fmt.format(hi) else f"{fmt.format(lo)}\u2013{fmt.format(hi)}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[500_000, 1_000_000])
    parser.add_argument("--cols", type=int, default=20)
    parser.add_argument("--chunk-size", type=int, nargs="+", default=[5_000])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--modes", nargs="+", default=["plain"], choices=["plain", "n_jobs2", "dask"])
    parser.add_argument("--data-dir", default="/tmp/skxai_stream_bench",
                        help="where the CSVs and the model are written (and reused)")
    parser.add_argument("--old", default=None, help="PYTHONPATH of another checkout, run the same way")
    parser.add_argument("--out", default=None, help="append a markdown table here")
    args = parser.parse_args()
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    os.makedirs(args.data_dir, exist_ok=True)
    model = _model(args.data_dir, args.cols)
    lines = ["| CLI | mode | rows | chunk size | wall seconds | CPU seconds | rows per CPU second "
             "| peak RSS of the CLI (MiB) | workers' peak (MiB) |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    cluster = client = None
    if "dask" in args.modes:
        import distributed

        cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                           dashboard_address=None, silence_logs=40)
        client = distributed.Client(cluster)
    try:
        for n in args.rows:
            data = os.path.join(args.data_dir, f"data_{n}.csv")
            if not os.path.exists(data):
                _write_csv(data, n, args.cols)
            out = os.path.join(args.data_dir, f"out_{os.getpid()}.csv")  # one per benchmark process
            results = {}
            # Repeats outermost: every configuration sees the same stretch of machine load.
            for _ in range(args.repeats):
                for chunk in args.chunk_size:
                    base = [sys.executable, "-m", "skxai", "explain", model, data, "--out", out, "--method",
                            "tree-shap", "--chunk-size", str(chunk), "--quiet",
                            "--trusted-type", "sklearn.tree._tree.Tree"]
                    runs = [("streaming", here)] + ([("other", args.old)] if args.old else [])
                    for label, path in runs:
                        for mode in args.modes:
                            extra = {"plain": [], "n_jobs2": ["--n-jobs", "2"],
                                     "dask": ["--scheduler", cluster.scheduler_address if cluster else ""]}[mode]
                            results.setdefault((label, mode, chunk), []).append(_measure(base + extra, path))
                            print(label, mode, n, chunk, results[(label, mode, chunk)][-1], flush=True)
            for (label, mode, chunk), runs in results.items():
                secs, cpus, mibs = [r[0] for r in runs], [r[1] for r in runs], [r[2] for r in runs]
                workers = f"{_worker_peak(client):.0f}" if mode == "dask" else ""
                row = (f"| {label} | {mode} | {n:,} | {chunk:,} | {_span(secs, '{:.0f}')} | {_span(cpus, '{:.0f}')} | "
                       f"{_span([n / s for s in cpus], '{:,.0f}')} | {_span(mibs, '{:.0f}')} | {workers} |")
                print(row, flush=True)
                lines.append(row)
    finally:
        if client is not None:
            client.close()
            cluster.close()
    if args.out:
        with open(args.out, "a") as fh:
            fh.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
