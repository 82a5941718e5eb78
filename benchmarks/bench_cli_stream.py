"""Peak memory of ``skxai explain`` on large CSV files: streaming chunks vs reading the whole file.

Generates CSVs of 20 numeric columns (500,000 and 1,000,000 rows by default) in a temporary
folder, trains ``RandomForestRegressor(n_estimators=40, max_depth=8)`` on 5,000 rows, saves it as
.skops, and runs ``python -m skxai explain MODEL DATA --out OUT --method tree-shap --quiet`` as a
subprocess. The peak resident memory of that subprocess (``ru_maxrss`` of a wrapper's children,
so each run is measured alone) and its wall time are reported. With ``--old PATH`` the same
command also runs with ``PYTHONPATH=PATH``: a checkout whose CLI reads the whole CSV with pandas
(e.g. the main branch before streaming), for comparison.

Usage::

    python benchmarks/bench_cli_stream.py --rows 500000 1000000 --chunk-size 20000 \\
        --old /work/main --out benchmarks/results/cli_stream.md
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

_WRAPPER = (
    "import resource, subprocess, sys\n"
    "code = subprocess.run(sys.argv[1:]).returncode\n"
    "print(code, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
)


def _write_csv(path, n_rows, n_cols, seed=0, block=100_000):
    rng = np.random.RandomState(seed)
    with open(path, "w") as fh:
        fh.write(",".join(f"x{j}" for j in range(n_cols)) + "\n")
        for start in range(0, n_rows, block):
            np.savetxt(fh, rng.normal(size=(min(block, n_rows - start), n_cols)), fmt="%.6f", delimiter=",")


def _model(folder, n_cols):
    import skops.io as sio
    from sklearn.ensemble import RandomForestRegressor

    rng = np.random.RandomState(1)
    X = rng.normal(size=(5000, n_cols))
    y = X[:, 0] + np.sin(3 * X[:, 1]) + X[:, 2] * X[:, 3] + 0.1 * rng.normal(size=5000)
    model = RandomForestRegressor(n_estimators=40, max_depth=8, random_state=0).fit(X, y)
    path = os.path.join(folder, "forest.skops")
    sio.dump(model, path)
    return path


def _measure(cmd, pythonpath):
    env = {**os.environ, "PYTHONPATH": pythonpath, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    t0 = time.perf_counter()
    # cwd = the checkout: ``python -m`` puts the working folder before PYTHONPATH on sys.path.
    proc = subprocess.run([sys.executable, "-c", _WRAPPER, *cmd], env=env, capture_output=True, text=True,
                          cwd=pythonpath)
    seconds = time.perf_counter() - t0
    code, maxrss = proc.stdout.split()[-2:]
    if code != "0":
        raise RuntimeError(f"{' '.join(cmd)} exited {code}: {proc.stderr[-2000:]}")
    kib = int(maxrss)  # Linux: kilobytes
    return seconds, kib / 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[500_000, 1_000_000])
    parser.add_argument("--cols", type=int, default=20)
    parser.add_argument("--chunk-size", type=int, default=20_000)
    parser.add_argument("--old", default=None, help="PYTHONPATH of a checkout with the whole-file CLI")
    parser.add_argument("--old-rows", type=int, nargs="*", default=None, help="rows for the old CLI (default: all)")
    parser.add_argument("--out", default=None, help="append a markdown table here")
    parser.add_argument("--skip-new", action="store_true", help="run only the --old CLI")
    args = parser.parse_args()
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    lines = ["| CLI | rows | chunk size | seconds | peak RSS (MiB) |", "|---|---:|---:|---:|---:|"]
    with tempfile.TemporaryDirectory() as folder:
        model = _model(folder, args.cols)
        for n in args.rows:
            data = os.path.join(folder, f"data_{n}.csv")
            _write_csv(data, n, args.cols)
            out = os.path.join(folder, "out.csv")
            cmd = [sys.executable, "-m", "skxai", "explain", model, data, "--out", out, "--method", "tree-shap",
                   "--chunk-size", str(args.chunk_size), "--quiet", "--trusted-type", "sklearn.tree._tree.Tree"]
            runs = [] if args.skip_new else [("streaming", here)]
            if args.old and (args.old_rows is None or n in args.old_rows):
                runs.append(("whole file (old)", args.old))
            for label, path in runs:
                seconds, mib = _measure(cmd, path)
                row = f"| {label} | {n:,} | {args.chunk_size:,} | {seconds:.0f} | {mib:.0f} |"
                print(row, flush=True)
                lines.append(row)
            os.remove(data)
    if args.out:
        with open(args.out, "a") as fh:
            fh.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
