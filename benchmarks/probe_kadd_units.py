"""Coverage of k-additive fits with few sampled coalition pairs or more terms than coalitions
(issue 14), with the errors they reported before and with what is reported now.

"before": ``skxai._estimate.kadd_errors_unknown`` patched to say no, i.e. the jackknife errors of
the previous release. "now": the package as it is (unknown errors are left out of the coverage
and counted in their own column). Relative error: mean |phi - exact| / mean |exact|. Games, rows
and seeds of ``bench_calibration.py``.

    python benchmarks/probe_kadd_units.py [--seeds 10]
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import numpy as np  # noqa: E402
from bench_calibration import calibration_problem, coverage, make_games  # noqa: E402

from skxai import KernelShapExplainer, _estimate  # noqa: E402
from skxai._designs import sampled_units  # noqa: E402

warnings.filterwarnings("ignore", message=r"max_order=.* samples only \d+ coalition pairs")

# (features, max_order, n_samples)
CASES = [
    (6, 5, 50), (8, 3, 80), (8, 3, 120), (6, 3, 40), (10, 3, 150), (10, 5, 500), (12, 3, 250), (13, 3, 256),
    (7, "auto", 110), (7, "auto", 120), (8, "auto", 160), (8, "auto", 200), (8, "auto", 240), (9, "auto", 220),
    (9, "auto", 300),
    (7, 1, 120), (8, 1, 200), (9, 1, 300),  # the linear fit at the few-pair budgets of "auto"
]


def relative_error(game, order, budget, X, bg, exact, seeds):
    """mean |phi - exact| / mean |exact| over the rows and seeds."""
    err = [np.abs(KernelShapExplainer(game, n_samples=budget, max_order=order, max_background=None,
                                      random_state=seed).fit(bg).transform(X) - exact).mean()
           for seed in range(seeds)]
    return float(np.mean(err) / np.abs(exact).mean())


def run(p, order, budget, seeds):
    X, bg, exact = calibration_problem(p)
    out = []
    for gname, game in make_games(p).items():
        cov, _, _, ratio, orders, unknown = coverage(game, "KernelSHAP", dict(n_samples=budget, max_order=order),
                                                     X, bg, exact[gname], seeds)
        rel = relative_error(game, order, budget, X, bg, exact[gname], seeds)
        out.append((gname, cov, ratio, orders, unknown, rel))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=10)
    args = ap.parse_args()
    rule = _estimate.kadd_errors_unknown
    print("| features | max_order | n_samples | sampled pairs | terms / coalitions | game | before: order, coverage "
          "(RMS error / RMS std), relative error | now: order, coverage, error unknown, relative error |")
    print("|---:|---|---:|---:|---:|---|---|---|")
    for p, order, budget in CASES:
        _estimate.kadd_errors_unknown = lambda *a: False
        before = run(p, order, budget, args.seeds)
        _estimate.kadd_errors_unknown = rule
        now = run(p, order, budget, args.seeds)
        used = max(next(iter(before[0][3])), 1)
        share = _estimate.enumerated_share(used, p, budget)
        terms = _estimate.n_interaction_terms(p, used) / (budget - 2)
        for (g, cov, ratio, orders, _, rel), (_, cov2, _, orders2, unk2, rel2) in zip(before, now, strict=True):
            print(f"| {p} | {order} | {budget} | {sampled_units(p, budget, share)} | {terms:.2f} | {g} "
                  f"| {next(iter(orders))}, {cov:.3f} ({ratio:.2f}), {rel:.3f} "
                  f"| {next(iter(orders2))}, {cov2:.3f}, {unk2:.2f}, {rel2:.3f} |", flush=True)


if __name__ == "__main__":
    main()
