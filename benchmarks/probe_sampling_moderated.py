"""Permutation sampling's errors with the antithetic pairs' variance moderated across players
(empirical Bayes, as limma's moderated t), against the package's floored variance (issue 14: the
cells at 4 and 6 permutations that over- and under-cover).

Per row and output, each player's pair variance ``s_j^2`` (``d = pairs - 1`` degrees of freedom)
is set against its single-permutation variance ``v_j`` (the scale the pairs reduce). The ratios
``s_j^2 / v_j`` of the row's players give a pooled ratio ``r0`` and, from their spread beyond the
chi-square's own ``2 / d``, prior degrees of freedom ``d0``; the moderated variance is
``(d0 r0 v_j + d s_j^2) / (d0 + d)`` with ``d0 + d`` degrees of freedom (``d0`` capped at the
players' pooled ``(p - 1) d``).

    python benchmarks/probe_sampling_moderated.py [--seeds 30]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_calibration import compare_sampling_errors, permutation_spreads  # noqa: E402

from skxai import _estimate  # noqa: E402


def moderated(perms, prefix_values):
    """``shapley_from_permutations`` with the moderated pair variance (module notes)."""
    phi, std = REAL(perms, prefix_values)
    p = perms.shape[1]
    n_pairs = prefix_values.shape[1] // 2
    if n_pairs < 2:
        return phi, std
    _, v, s2 = permutation_spreads(perms, prefix_values)
    d = n_pairs - 1
    live = v > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.where(live, s2 / v, np.nan)
        r0 = np.nanmean(r, axis=1, keepdims=True)
        spread = np.nanvar(r / r0, axis=1, ddof=1, keepdims=True)
        excess = spread - 2.0 / d
        d0 = np.where(excess > 0, 2.0 / excess, np.inf)
    d0 = np.nan_to_num(np.minimum(d0, (p - 1) * d), nan=0.0)
    r0 = np.nan_to_num(r0, nan=0.0)
    var = (d0 * r0 * v + d * s2) / (d0 + d)
    df = np.broadcast_to(d0 + d, var.shape)
    return phi, np.sqrt(var / n_pairs) * _estimate.t_inflation(df)


REAL = _estimate.shapley_from_permutations


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=30)
    args = ap.parse_args()
    # "now": the package's own floor as it is when this runs (it changed after this probe)
    compare_sampling_errors({"now": REAL, "moderated": moderated}, args.seeds)


if __name__ == "__main__":
    main()
