"""Coverage of the k-additive fit's errors with the jackknife variance scaled by
``1 - terms / coalitions`` (bias term kept), against the package as it is (issue 14; a rejected
correction for the over-covering cells).

    python benchmarks/probe_jackknife_shrink.py
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_calibration import calibration_problem, coverage, make_games  # noqa: E402

from skxai import _estimate  # noqa: E402

warnings.filterwarnings("ignore", message=r"max_order=.* samples only \d+ coalition pairs")

CASES = [(10, 300), (12, 600), (9, 220), (8, 160), (10, 500), (10, 700), (10, 1000)]


def main():
    real_jackknife, real_fit = _estimate._jackknife, _estimate.kernel_shap_from_values
    state = {"share": 0.0, "shrink": False}

    def fit(design, v0, v1, values, *, order=1, with_std=True):
        p = design.masks.shape[1]
        state["share"] = _estimate.n_interaction_terms(p, order) / len(design.masks) if order > 1 else 0.0
        return real_fit(design, v0, v1, values, order=order, with_std=with_std)

    def jackknife(design, solve, max_groups=32, theta=None, linear=False):
        total, df = real_jackknife(design, solve, max_groups=max_groups, theta=theta, linear=linear)
        if linear or not state["shrink"]:
            return total, df
        var, _ = real_jackknife(design, solve, max_groups=max_groups, theta=None, linear=linear)
        return var * (1 - state["share"]) + (total - var), df

    _estimate._jackknife, _estimate.kernel_shap_from_values = jackknife, fit
    print("| features | n_samples | game | coverage now | coverage, variance scaled |")
    print("|---:|---:|---|---:|---:|")
    for p, budget in CASES:
        X, bg, exact = calibration_problem(p)
        for gname, game in make_games(p).items():
            covs = []
            for shrink in (False, True):
                state["shrink"] = shrink
                covs.append(coverage(game, "KernelSHAP", dict(n_samples=budget), X, bg, exact[gname], 10)[0])
            print(f"| {p} | {budget} | {gname} | {covs[0]:.3f} | {covs[1]:.3f} |", flush=True)


if __name__ == "__main__":
    main()
