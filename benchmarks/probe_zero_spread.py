"""KernelSHAP near the smallest budgets: values reported exact (a zero standard error) that are not.

For each cell (features, n_samples) and calibration game (``bench_calibration.py``, 30 seeds):
the values whose error is known (finite std, not exact), those outside their interval, and among
them those whose std is zero to rounding (below 1e-9 of the game's largest exact value), and the
95th percentile of |error| / std over the known values (1.96 when the intervals are calibrated).
``--max-residual-df -1`` reproduces the package before zero spreads on few residual degrees of
freedom were made unknown (``skxai._estimate.ZERO_SPREAD_MAX_RESIDUAL_DF``, now 2).

    python benchmarks/probe_zero_spread.py [--seeds 30] [--max-residual-df 2]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_calibration import calibration_problem, make_games  # noqa: E402

from skxai import KernelShapExplainer, _estimate  # noqa: E402

CELLS = [(5, 12), (6, 14), (8, 18), (6, 16), (10, 24), (5, 20), (6, 20), (8, 24), (10, 40)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=30)
    ap.add_argument("--max-residual-df", type=int, default=_estimate.ZERO_SPREAD_MAX_RESIDUAL_DF)
    args = ap.parse_args()
    _estimate.ZERO_SPREAD_MAX_RESIDUAL_DF = args.max_residual_df
    print("| features | n_samples | game | known | outside | outside with std 0 | coverage | 95th pct |error|/std |")
    print("|---:|---:|---|---:|---:|---:|---:|---:|")
    for p, n in CELLS:
        X, bg, exact = calibration_problem(p)
        for gname, game in list(make_games(p).items())[:3]:
            known = outside = zero = 0
            ratios = []
            scale = np.abs(exact[gname]).max()
            for seed in range(args.seeds):
                exp = KernelShapExplainer(game, n_samples=n, max_background=None, random_state=seed).fit(bg).explain(X)
                std, err = exp.std[..., 0], np.abs(exp.values[..., 0] - exact[gname])
                live = np.isfinite(std) & ~((err < 1e-9 * scale) & (std < 1e-9 * scale))
                miss = live & (err > 1.96 * std)
                known += live.sum()
                outside += miss.sum()
                zero += (miss & (std < 1e-9 * scale)).sum()
                with np.errstate(divide="ignore", invalid="ignore"):
                    ratios.append(err[live] / std[live])
            cov = 1 - outside / known if known else float("nan")
            q95 = np.quantile(np.concatenate(ratios), 0.95) if known else float("nan")
            print(f"| {p} | {n} | {gname} | {known} | {outside} | {zero} | {cov:.3f} | {q95:.2f} |", flush=True)


if __name__ == "__main__":
    main()
