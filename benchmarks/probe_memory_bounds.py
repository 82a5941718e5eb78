"""Peak resident memory of requests an outside audit (session 23) found unbounded.

Each case runs in a child process (``--case NAME``) and prints its peak RSS
(``resource.getrusage``): tabular LIME on wide tables at the default ``batch_size``, DeepSHAP
with ``batch_size=4096`` and ``10**12`` on the demo CNN (2,000 images of 64 x 64, 8 background
rows), ImageShapley with ``batch_size=20000`` on the demo CNN (4 images, 64 regions, 20,000
coalitions). The working-memory bound is 4 GiB; a Python process with torch starts at about
0.4 GB. "failed" is an allocation error (under ``ulimit -v``) or a kill.

    OMP_NUM_THREADS=1 python benchmarks/probe_memory_bounds.py [--cases ...] [--limit-gb 8]

Run it on another checkout with ``PYTHONPATH=DIR`` (``DIR/skxai`` from ``git archive``).
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys

CASES = {
    "lime-3000-features": "lime 3000 5000 10",
    "lime-8000-features": "lime 8000 10000 3",
    "deepshap-4096": "deepshap 4096",
    "deepshap-1e12": "deepshap 10**12",
    "imageshap-20000": "imageshap 20000",
}


def run_case(kind, *args):
    import numpy as np

    if kind == "lime":
        from sklearn.linear_model import LinearRegression

        from skxai import LimeExplainer

        d, n, rows = (int(a) for a in args)
        rng = np.random.default_rng(0)
        X = rng.normal(size=(50, d))
        model = LinearRegression().fit(X, X @ rng.normal(size=d))
        LimeExplainer(model, n_samples=n, random_state=0).fit(X).transform(X[:rows])
        return
    import torch

    from skxai._demo_cnn import ShapesCNN

    torch.manual_seed(0)
    torch.set_num_threads(1)
    net = ShapesCNN().eval()
    if kind == "deepshap":
        from skxai import DeepShapExplainer

        X = torch.randn(2000, 1, 64, 64).numpy()
        DeepShapExplainer(net, target=0, batch_size=eval(args[0])).fit(X[:8]).transform(X)
        return
    from skxai import ImageShapleyExplainer

    X = torch.randn(4, 1, 64, 64).numpy()
    ImageShapleyExplainer(
        net, target=0, n_samples=20000, n_segments=64, max_players=64, batch_size=int(args[0]), random_state=0
    ).fit(X[:2]).transform(X)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--case", nargs="+")
    ap.add_argument("--cases", nargs="+", default=list(CASES))
    ap.add_argument("--limit-gb", type=float, default=8.0)
    args = ap.parse_args()
    if args.case:
        try:
            run_case(*args.case)
            outcome = "ran"
        except (MemoryError, RuntimeError, ValueError) as exc:
            outcome = f"failed: {type(exc).__name__}: {' '.join(str(exc).split())[:90]}"
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
        print(f"{peak:.2f}|{outcome}")
        return
    limit = int(args.limit_gb * 2**30)
    print("| case | peak RSS (GB) | outcome |")
    print("|---|---:|---|")
    for name in args.cases:
        cmd = [sys.executable, __file__, "--case", *CASES[name].split()]
        proc = subprocess.run(
            cmd,
            capture_output=True,
            text=True,
            preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (limit, limit)),
        )
        line = (proc.stdout.strip().splitlines() or [""])[-1]
        if "|" in line:
            peak, outcome = line.split("|", 1)
        else:
            peak, outcome = "-", f"killed (exit {proc.returncode})"
        print(f"| {name} | {peak} | {outcome} |", flush=True)


if __name__ == "__main__":
    main()
