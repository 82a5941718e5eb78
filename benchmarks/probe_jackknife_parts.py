"""How the k-additive fit's reported error splits into the jackknife's variance and bias terms,
against the actual mean squared error (issue 14: why some cells over-cover).

The reported variance is the stratified jackknife's variance plus its bias estimate squared
(``skxai._estimate._jackknife``). Here both parts are recorded for every fit of the calibration
games (10 seeds; the first three games of ``bench_calibration.py``) and divided by the mean
squared error against the exact values.

    python benchmarks/probe_jackknife_parts.py [--seeds 10]

The last column is the estimator's actual squared bias over the seeds' designs (the mean error
of each value across seeds, squared, less its own sampling noise, averaged over values) over
the mean squared error: what the jackknife's bias term is meant to estimate.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_calibration import calibration_problem, make_games  # noqa: E402

from skxai import KernelShapExplainer, _estimate  # noqa: E402

warnings.filterwarnings("ignore", message=r"max_order=.* samples only \d+ coalition pairs")

CASES = [(10, 300), (12, 600), (9, 220), (8, 160), (10, 500), (10, 700), (10, 1000)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=10)
    args = ap.parse_args()
    real = _estimate._jackknife
    parts = {"var": [], "bias2": []}

    def recorded(design, solve, max_groups=32, theta=None, linear=False):
        with_bias, df = real(design, solve, max_groups=max_groups, theta=theta, linear=linear)
        var, _ = real(design, solve, max_groups=max_groups, theta=None, linear=linear)
        parts["var"].append(var)
        parts["bias2"].append(with_bias - var)
        return with_bias, df

    _estimate._jackknife = recorded
    print("| features | n_samples | order-3 terms / coalitions | game | jackknife variance / MSE "
          "| bias term squared / MSE | actual bias squared / MSE |")
    print("|---:|---:|---:|---|---:|---:|---:|")
    for p, budget in CASES:
        X, bg, exact = calibration_problem(p)
        for gname, game in list(make_games(p).items())[:3]:
            mse = var = bias2 = 0.0
            errors = []
            for seed in range(args.seeds):
                parts["var"].clear()
                parts["bias2"].clear()
                ex = KernelShapExplainer(game, n_samples=budget, max_background=None,
                                         random_state=seed).fit(bg).explain(X)
                mse += ((ex.values[..., 0] - exact[gname]) ** 2).mean()
                errors.append(ex.values[..., 0] - exact[gname])
                var += np.mean([v.mean() for v in parts["var"]])
                bias2 += np.mean([b.mean() for b in parts["bias2"]])
            terms = _estimate.n_interaction_terms(p, ex.order) / (budget - 2)
            errors = np.stack(errors)
            # squared mean error less the noise of a mean over the seeds
            actual = (errors.mean(axis=0) ** 2 - errors.var(axis=0, ddof=1) / len(errors)).mean()
            mse, var, bias2 = mse / args.seeds, var / args.seeds, bias2 / args.seeds
            print(f"| {p} | {budget} | {terms:.2f} | {gname} | {var / mse:.2f} | {bias2 / mse:.2f} "
                  f"| {actual / mse:.2f} |", flush=True)


if __name__ == "__main__":
    main()
