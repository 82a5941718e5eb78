"""KernelSHAP below the budget that enumerates the one-player coalitions: zero errors on values that are off.

For 6-12 features and budgets from ``2 p + 2`` up (linear fit, ``max_order=1``), five games
(three calibration games of ``bench_calibration.py``, a depth-3 tree using 4 features, and a
game with 3 live features and the rest ignored), 20 seeds x 6 rows: the values with a finite
std, those reported with a zero error (std below 1e-9 of the game's largest exact value) while
off by more than 1e-6 of it, and the coverage of +-1.96 std among the finite ones. ``--before``
runs the rule as it was before session 23 (zero spreads unknown at 1-2 residual degrees of
freedom only).

    OMP_NUM_THREADS=1 python benchmarks/probe_zero_spread_singles.py [--before] [--seeds 20]
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np
from sklearn.tree import DecisionTreeRegressor

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_calibration import make_games  # noqa: E402

from skxai import ExactShapleyExplainer, KernelShapExplainer, _estimate  # noqa: E402


def games(p):
    g = dict(list(make_games(p).items())[:3])
    A = np.random.RandomState(3).normal(size=(300, p))
    y = np.sin(2 * A[:, 0]) * A[:, 1] + A[:, 0] * A[:, 1] * A[:, 2] + (A[:, 3] > 0)
    tree = DecisionTreeRegressor(max_depth=3, random_state=0).fit(A, y)
    g["tree3"] = lambda B: tree.predict(B)[:, None]
    g["sparse"] = lambda B: (
        np.sin(2 * B[:, 0]) * B[:, 1] + B[:, 0] * B[:, 1] * B[:, 2] + np.exp(-((B[:, 2] - B[:, 1]) ** 2))
    )[:, None]
    return g


def _unproven_before(design, Y, delta, var, n_units):
    """The rule before session 23: only at 1-2 residual degrees of freedom."""
    if _estimate._residual_df(design, n_units) > _estimate.ZERO_SPREAD_MAX_RESIDUAL_DF:
        return np.zeros(var.shape, dtype=bool)
    scale = np.maximum(np.abs(Y).max(axis=0), np.abs(delta)) * _estimate.ROUNDING_SHARE
    return np.sqrt(np.maximum(var, 0.0)) <= scale[None, :]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--before", action="store_true")
    args = ap.parse_args()
    if args.before:
        _estimate._zero_spread_unproven = _unproven_before
    seen = []
    residual_df = _estimate._residual_df

    def recording(design, n_units):
        seen.append(residual_df(design, n_units))
        return seen[-1]

    _estimate._residual_df = recording
    warnings.simplefilter("ignore")
    print("| features | n_samples | residual df | game | finite std | zero std, value off | coverage of finite |")
    print("|---:|---:|---:|---|---:|---:|---:|")
    for p in (6, 8, 10, 12):
        rng = np.random.RandomState(1)
        X, bg = rng.normal(size=(6, p)), rng.normal(size=(12, p))
        for name, f in games(p).items():
            exact = ExactShapleyExplainer(f, max_background=None).fit(bg).explain(X).values[..., 0]
            scale = np.abs(exact).max()
            for n in range(2 * p + 2, 2 * p + 17, 2):
                zero = outside = finite = 0
                for seed in range(args.seeds):
                    seen.clear()
                    ex = KernelShapExplainer(f, n_samples=n, max_order=1, max_background=None, random_state=seed)
                    ex = ex.fit(bg).explain(X)
                    std, err = ex.std[..., 0], np.abs(ex.values[..., 0] - exact)
                    ok = np.isfinite(std)
                    finite += ok.sum()
                    zero += (ok & (std < 1e-9 * scale) & (err > 1e-6 * scale)).sum()
                    outside += (ok & (err > 1.96 * std) & (err > 1e-9 * scale)).sum()
                cov = f"{1 - outside / finite:.3f}" if finite else "-"
                df = seen[-1] if seen else "-"
                print(f"| {p} | {n} | {df} | {name} | {finite} | {zero} | {cov} |", flush=True)


if __name__ == "__main__":
    main()
