"""Peak memory of the streaming ``skxai explain --method tree-shap`` on forests of other shapes.

The issue-16 figure (``bench_cli_stream.py``) uses one forest: 40 trees of depth 8 on a target
made of 4 columns (13,892 nodes). The peak is flat in the rows but not in the forest: it is the
libraries and the model, plus the TreeSHAP table cache (at most ``CACHE_FLOATS``), plus the
build of one chunk of trees' tables. This probe trains 40-tree forests on 5,000 rows of 20
normal columns with a target that uses every column (``X @ w + sin(x0)``), at ``max_depth`` 8 and
10, and runs the command line on ``--rows`` rows of fresh normal data (the peak does not grow with
the rows, so a short file shows it), once with the package as it is and once with the table cache
set to ``--small-cache`` MiB (same numbers, checked byte for byte). Per run: peak resident memory
of the command line process (``ru_maxrss``) and its CPU seconds.

``--old DIR`` adds a run of another commit's package (``git archive REV skxai | tar -x -C DIR``).

Usage::

    OMP_NUM_THREADS=1 python benchmarks/probe_cli_forest_shape.py --rows 20000 --small-cache 64
    OMP_NUM_THREADS=1 python benchmarks/probe_cli_forest_shape.py --rows 5000 --depths 8 10 12 --old /tmp/old20
    OMP_NUM_THREADS=1 python benchmarks/probe_cli_forest_shape.py --rows 5000 --depths 12 None --small-cache 0 --old DIR
    OMP_NUM_THREADS=1 python benchmarks/probe_cli_forest_shape.py --rows 2000 --depths None --classes 5 \
        --small-cache 0 --old DIR
    OMP_NUM_THREADS=1 python benchmarks/probe_cli_forest_shape.py --rows 10000 --depths 12 None --small-cache 0 \
        --chunk-sizes 1000 3000 5000 10000
"""

from __future__ import annotations

import argparse
import filecmp
import os
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchmarks.bench_cli_stream import _measure, _write_csv  # noqa: E402

# Runs the command line with the table cache set first (argv[1]: MiB), the rest as `skxai ...`.
_WITH_CACHE = (
    "import sys\n"
    # as the command line does first for a skops file (or pandas brings pyarrow: +33 MiB)
    "from skxai._stream import import_pandas_without_pyarrow\n"
    "import_pandas_without_pyarrow()\n"
    "import skxai.shapley._treeshap._run as run\n"
    "run.CACHE_FLOATS = int(sys.argv.pop(1)) << 17\n"
    "from skxai.__main__ import main\n"
    "sys.argv[0] = 'skxai'\n"
    "sys.exit(main())\n"
)


def _forest(folder, depth, classes=0):
    import skops.io as sio
    from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor

    rng = np.random.RandomState(1)
    w = rng.randn(20)
    X = rng.randn(5000, 20)
    y = X @ w + np.sin(X[:, 0])
    if classes:  # quantile classes of the same target
        y = np.digitize(y, np.quantile(y, np.linspace(0, 1, classes + 1)[1:-1]))
        model = RandomForestClassifier(40, max_depth=depth, random_state=0).fit(X, y)
    else:
        model = RandomForestRegressor(40, max_depth=depth, random_state=0).fit(X, y)
    path = os.path.join(folder, f"forest_depth{depth}.skops")
    sio.dump(model, path)
    return path, sum(t.tree_.node_count for t in model.estimators_)


def _same(a, b):
    """"True" for byte-identical files, else the largest difference of their numbers."""
    if filecmp.cmp(a, b, shallow=False):
        return "True"
    x, y = (np.loadtxt(f, delimiter=",", skiprows=1) for f in (a, b))
    return f"max abs diff {np.abs(x - y).max():.1e}"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--depths", nargs="+", default=["8", "10"], help="max_depth values, or None (fully grown)")
    parser.add_argument("--small-cache", type=int, default=64, help="MiB (0: no such run)")
    parser.add_argument("--old", help="a folder holding another commit's skxai package (git archive REV skxai)")
    parser.add_argument("--chunk-sizes", nargs="+", type=int, default=[1000],
                        help="--chunk-size values of the default-cache runs (1000: the command's default)")
    parser.add_argument("--classes", type=int, default=0,
                        help="a RandomForestClassifier on that many quantile classes of the target (0: a regressor)")
    args = parser.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    with tempfile.TemporaryDirectory() as folder:
        data = os.path.join(folder, "rows.csv")
        _write_csv(data, args.rows, 20, seed=2)
        kind = f"{args.classes}-class classifier" if args.classes else "regressor"
        print(f"{args.rows:,} rows x 20 columns, 40-tree forests ({kind}); other runs at the default chunk size")
        print("| max_depth | nodes | table cache | --chunk-size | peak RSS (MiB) | CPU s | output identical |")
        print("|---:|---:|---|---:|---:|---:|---|")
        for depth in args.depths:
            model, nodes = _forest(folder, None if depth == "None" else int(depth), args.classes)
            tail = [model, data, "--method", "tree-shap", "--quiet", "--trusted-type", "sklearn.tree._tree.Tree"]
            ref = None
            for size in args.chunk_sizes:
                out = os.path.join(folder, f"out{depth}_{size}.csv")
                cmd = [sys.executable, "-m", "skxai", "explain", *tail[:2], "--out", out, *tail[2:]]
                _, cpu, peak = _measure([*cmd, "--chunk-size", str(size)], root)
                same = "" if ref is None else _same(ref, out)
                ref = ref or out
                print(f"| {depth} | {nodes:,} | 128 MiB (default) | {size} | {peak:.0f} | {cpu:.1f} | {same} |")
            if args.small_cache:
                out = os.path.join(folder, f"small{depth}.csv")
                cmd = [sys.executable, "-c", _WITH_CACHE, str(args.small_cache), "explain", *tail[:2], "--out", out]
                _, cpu, peak = _measure([*cmd, *tail[2:]], root)
                same = _same(ref, out)
                print(f"| {depth} | {nodes:,} | {args.small_cache} MiB | 1000 | {peak:.0f} | {cpu:.1f} | {same} |")
            if args.old:
                out = os.path.join(folder, f"old{depth}.csv")
                cmd = [sys.executable, "-m", "skxai", "explain", *tail[:2], "--out", out, *tail[2:]]
                _, cpu, peak = _measure(cmd, os.path.abspath(args.old))
                same = _same(ref, out)
                print(f"| {depth} | {nodes:,} | 128 MiB, `--old` checkout | 1000 | {peak:.0f} | {cpu:.1f} | {same} |")


if __name__ == "__main__":
    main()
