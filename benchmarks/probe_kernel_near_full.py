"""KernelSHAP's errors near the full budget on a game with three live players of ten.

``f = sin(2 x0) x1 + x0 x1 x2 + exp(-(x2 - x1)^2)``, 20 background rows, 6 explained rows, linear
fit; per budget over ``--seeds`` seeds: coverage of +-1.96 std on the live players (0, 1, 2)
and on the ignored ones, and RMS error / RMS std of each. Exact values by enumeration.

    OMP_NUM_THREADS=1 python benchmarks/probe_kernel_near_full.py [--seeds 20] [--budgets 300 600 800 900 1000]

Run it on another checkout with ``PYTHONPATH=DIR`` (``DIR/skxai`` from ``git archive``).
"""

from __future__ import annotations

import argparse
import warnings

import numpy as np

from skxai import ExactShapleyExplainer, KernelShapExplainer


def game(A):
    return (np.sin(2 * A[:, 0]) * A[:, 1] + A[:, 0] * A[:, 1] * A[:, 2] + np.exp(-((A[:, 2] - A[:, 1]) ** 2)))[:, None]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--budgets", type=int, nargs="+", default=[300, 600, 800, 900, 1000])
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    rng = np.random.RandomState(0)
    bg, rows = rng.normal(size=(20, 10)), rng.normal(size=(6, 10))
    exact = ExactShapleyExplainer(game, max_background=None).fit(bg).explain(rows).values[..., 0]
    print("| n_samples | live: coverage | live: RMS err / RMS std | ignored: coverage | ignored: RMS err / RMS std |")
    print("|---:|---:|---:|---:|---:|")
    for n in args.budgets:
        err, std = [], []
        for seed in range(args.seeds):
            ex = KernelShapExplainer(game, n_samples=n, max_order=1, max_background=None, random_state=seed)
            ex = ex.fit(bg).explain(rows)
            err.append(ex.values[..., 0] - exact)
            std.append(ex.std[..., 0])
        err, std = np.array(err), np.array(std)
        cells = []
        for cols in (slice(0, 3), slice(3, None)):
            e, s = err[..., cols], std[..., cols]
            cells += [f"{np.mean(np.abs(e) <= 1.96 * s):.3f}", f"{np.sqrt((e**2).mean() / (s**2).mean()):.2f}"]
        print(f"| {n} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
