"""How often a KernelSHAP design drawn at the smallest budget leaves features' values
undetermined: the whole design, and each jackknife replicate (one sampled pair deleted).

The raw draws (``_draw_kernel_design``, what ``kernel_design`` returned before it drew again),
200 seeds per number of features at ``n_samples = 2 p + 2``, and a few budgets above it. On the
undetermined designs, the largest gap between the values the former solve gave (an inverse of
the singular normal matrix, then the efficiency step) and the solution now returned (nearest
the equal split), for random coalition values.

    python benchmarks/probe_floor_designs.py
"""

from __future__ import annotations

import warnings

import numpy as np

from skxai._designs import _draw_kernel_design
from skxai._wls import _solve_spd, efficiency_constrained_wls, undetermined_players


def _former_solve(Z, w, Y, delta):
    A = Z.T @ (Z * w[:, None])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        Ainv = _solve_spd(A, np.eye(len(A)))  # the former solve, its least-squares fallback included
    Ainv_1 = Ainv.sum(axis=1)
    b = Ainv @ (Z * w[:, None]).T @ Y
    return b - np.outer(Ainv_1, (b.sum(axis=0) - delta) / Ainv_1.sum())


def main(seeds=200):
    print("| features | n_samples | designs undetermined | replicates undetermined | largest gap, former vs now |")
    print("|---:|---:|---:|---:|---:|")
    for p, budget in [(5, 12), (6, 14), (8, 18), (5, 20), (6, 20), (8, 24), (10, 40)]:
        designs = replicates = total = 0
        gap = 0.0
        for seed in range(seeds):
            d = _draw_kernel_design(p, budget, np.random.RandomState(seed), "leverage", 1.0)
            Z = d.masks.astype(np.float64)
            if undetermined_players(Z, d.weights) is not None:
                designs += 1
                rng = np.random.RandomState(seed)
                Y, delta = rng.normal(size=(len(Z), 3)), rng.normal(size=3)
                now, _ = efficiency_constrained_wls(Z, d.weights, Y, delta)
                gap = max(gap, float(np.abs(_former_solve(Z, d.weights, Y, delta) - now).max()))
            for u in range(d.unit.max() + 1):
                w = d.weights.copy()
                w[d.unit == u] = 0.0
                replicates += undetermined_players(Z, w) is not None
                total += 1
        print(f"| {p} | {budget} | {designs}/{seeds} | {replicates}/{total} | {gap:.2g} |", flush=True)


if __name__ == "__main__":
    main()
