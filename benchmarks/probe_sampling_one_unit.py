"""Permutation sampling's coverage with and without the one-unit rule (issue 14).

A player that every antithetic pair met after the same two sets of players (at an end of the
order in each pair, chance (2/p)^2 at 4 permutations) has seen one unit twice; the rule lets it
borrow its row's single variance instead of reading its own. "without" runs the same package
with the rule switched off (no player counted as one unit), which is the estimator before it.
Prints coverage (RMS error / RMS std) on the calibration games (10 features) and on the
real-model games of ``probe_real_model_games.py``, and the largest |error| / std.

    python benchmarks/probe_sampling_one_unit.py [--seeds 30]
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_calibration import compare_sampling_errors  # noqa: E402
from probe_real_model_games import games  # noqa: E402

from skxai import (  # noqa: E402
    ExactShapleyExplainer,
    ShapleySamplingExplainer,
    _estimate,  # noqa: E402
)

REAL = _estimate.shapley_from_permutations


def without_rule(perms, prefix_values, output_eps=None):
    rule = _estimate._one_unit_players
    _estimate._one_unit_players = lambda perms: np.zeros(perms.shape[1], dtype=bool)
    try:
        return REAL(perms, prefix_values, output_eps)
    finally:
        _estimate._one_unit_players = rule


def real_model_cells(seeds, permutations):
    print("| game | permutations | with the rule: coverage, max abs z | without: coverage, max abs z |")
    print("|---|---:|---|---|")
    for name, model, X, target, n_bg, rows, _ in games():
        bg = X[np.random.RandomState(1).choice(len(X), n_bg, replace=False)]
        kw = dict(max_background=None, target=target)
        Xe = X[rows]
        truth = ExactShapleyExplainer(model, **kw).fit(bg).transform(Xe)
        for n_perm in permutations:
            cells = []
            for fn in (REAL, without_rule):
                _estimate.shapley_from_permutations = fn
                try:
                    z = []
                    for seed in range(seeds):
                        e = ShapleySamplingExplainer(model, **kw, n_permutations=n_perm,
                                                     random_state=seed).fit(bg).explain(Xe)
                        phi, sd = np.asarray(e.values), np.asarray(e.std)
                        if phi.ndim == 3:
                            phi, sd = phi[..., e.target_index], sd[..., e.target_index]
                        with np.errstate(divide="ignore", invalid="ignore"):
                            z.append(np.abs(phi - truth) / sd)
                finally:
                    _estimate.shapley_from_permutations = REAL
                z = np.array(z)
                z = np.where(np.isnan(z), 0.0, z)  # 0 / 0: exact values, covered
                cells.append(f"{(z <= 1.96).mean():.3f}, {z[np.isfinite(z)].max():.0f}")
            print(f"| {name} | {n_perm} | " + " | ".join(cells) + " |", flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=30)
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    compare_sampling_errors({"with the rule": REAL, "without": without_rule}, args.seeds,
                            permutations=(4, 6, 8, 10))
    print()
    real_model_cells(args.seeds, (4, 6, 10))


if __name__ == "__main__":
    main()
