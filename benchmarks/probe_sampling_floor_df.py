"""Permutation sampling: the degrees of freedom of a variance set by the floor (issue 14: 4
permutations over-cover, 0.98-0.99).

Each player's variance over antithetic pairs is floored at ``ratio * v_j / pairs`` (``v_j`` its
single-permutation variance, ``ratio`` the row's mean pair/single ratio). The package inflates the
result for ``pairs - 1`` degrees of freedom whichever term is larger; where the floor is the larger,
its spread comes from ``v_j`` (``n_perm - 1`` degrees of freedom) and the ratio (pooled over the
players), so ``pairs - 1`` overstates the t quantile (12.7 against 3.2 at 4 permutations).
Variants, on the first three games of ``bench_calibration.py`` (10 features, 30 seeds):

- package: t with ``pairs - 1`` degrees of freedom;
- floor df: ``n_perm - 1`` where the floor is the larger term;
- Satterthwaite: the df of the larger term's share, ``pairs - 1`` where the pairs' own variance
  wins and ``n_perm - 1`` otherwise, combined as ``(a + b)^2 / (a^2/d_a + b^2/d_b)`` over the two
  terms' parts (the pairs' excess over the floor and the floor itself).

    python benchmarks/probe_sampling_floor_df.py [--seeds 30]
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_calibration import compare_sampling_errors, permutation_spreads  # noqa: E402

from skxai import _estimate  # noqa: E402

REAL = _estimate.shapley_from_permutations


def with_df(rule):
    """The package's estimate and floor, inflated for the degrees of freedom ``rule`` gives."""

    def fit(perms, prefix_values):
        phi, std = REAL(perms, prefix_values)
        n_perm = prefix_values.shape[1]
        n_pairs = n_perm // 2
        if n_pairs < 2 or rule == "package":
            return phi, std
        contrib, single, pair = permutation_spreads(perms, prefix_values)
        with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            live = single > (1e-12 * np.abs(contrib).max(axis=(1, 2))[:, None, :]) ** 2
            own = np.where(live, pair / np.where(live, single, 1.0), 0.0)
            ratio = own.sum(axis=1, keepdims=True) / np.maximum(live.sum(axis=1, keepdims=True), 1)
        floor = ratio * single / n_pairs
        var = np.maximum(pair, floor)
        if rule == "floor df":
            df = np.where(floor > pair, n_perm - 1.0, n_pairs - 1.0)
        elif rule == "floor df = pairs":
            df = np.where(floor > pair, float(n_pairs), n_pairs - 1.0)
        elif rule == "floor df >= 2":
            df = np.where(floor > pair, max(n_pairs - 1.0, 2.0), n_pairs - 1.0)
        else:
            excess = np.maximum(pair - floor, 0.0)
            with np.errstate(invalid="ignore", divide="ignore"):
                df = (excess + floor) ** 2 / (excess**2 / (n_pairs - 1) + floor**2 / (n_perm - 1))
            df = np.where(np.isfinite(df), df, n_pairs - 1.0)
        return phi, np.sqrt(var / n_pairs) * _estimate.t_inflation(df)

    return fit


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=30)
    ap.add_argument("--permutations", type=int, nargs="+", default=[4, 6, 8, 10])
    args = ap.parse_args()
    rules = ("package", "floor df", "floor df = pairs", "floor df >= 2", "Satterthwaite")
    compare_sampling_errors({r: with_df(r) for r in rules}, args.seeds, permutations=tuple(args.permutations))


if __name__ == "__main__":
    main()
