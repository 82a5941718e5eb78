"""Jackknife groups of k-additive fits over 512 coalitions: coverage with a given number of groups.

The calibration games of ``bench_calibration.py`` (30 seeds), ``max_order="auto"``, at 700 and
1,000 coalitions on 10 features and 2,048 on 12, with ``skxai._estimate._jackknife_groups``
replaced so that every k-additive fit over 512 coalitions refits ``--groups`` groups. Prints
coverage and RMS error / RMS std per cell.

    python benchmarks/probe_jackknife_groups.py --groups 8
    python benchmarks/probe_jackknife_groups.py --groups 16
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_calibration import calibration_problem, coverage, make_games  # noqa: E402

from skxai import _estimate  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--groups", type=int, required=True)
    ap.add_argument("--seeds", type=int, default=30)
    args = ap.parse_args()
    real = _estimate._jackknife_groups
    _estimate._jackknife_groups = lambda order, m: real(order, m) if order == 1 or m <= 512 else args.groups
    for p, n in [(10, 700), (10, 1000), (12, 2048)]:
        X, bg, exact = calibration_problem(p)
        for gname, game in list(make_games(p).items())[:3]:
            cov, _, _, ratio, _, _ = coverage(game, "KernelSHAP", dict(n_samples=n, max_order="auto"), X, bg,
                                              exact[gname], args.seeds)
            print(f"| {p} | {n} | {gname} | {cov:.3f} ({ratio:.2f}) |", flush=True)


if __name__ == "__main__":
    main()
