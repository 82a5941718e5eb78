"""KernelSHAP on a dask array, 1 and 2 worker processes alternately: a spot check of one case
of ``bench_dask.py`` (300 rows, the wine MLP, 1,024 coalitions), the workers and the repeats
given on the command line. Run it against another checkout with ``PYTHONPATH=<checkout>`` to
compare two versions the same hour.

    python benchmarks/probe_dask_kernel_array.py --workers 1 2 1 2 --repeats 3
"""

from __future__ import annotations

import argparse
import os
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import dask.array as da  # noqa: E402
import numpy as np  # noqa: E402
from bench_dask import _setups  # noqa: E402
from distributed import Client, LocalCluster  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 1, 2])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    Xr, setups = _setups(300, 20000)
    _, ex, n = setups[0]
    for workers in args.workers:
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                          silence_logs=40) as cluster, Client(cluster):
            chunk = int(np.ceil(n / (4 * workers)))

            def run(chunk=chunk):
                return ex.transform(da.from_array(Xr[:n], chunks=(chunk, -1))).compute()

            run()  # the explainer reaches the workers
            times = []
            for _ in range(args.repeats):
                t = time.perf_counter()
                run()
                times.append(time.perf_counter() - t)
            print(f"{workers} worker(s): " + ", ".join(f"{t:.2f}" for t in times) + " s", flush=True)


if __name__ == "__main__":
    main()
