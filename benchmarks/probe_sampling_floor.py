"""Permutation sampling's variance floor: how the players' pair/single ratios are averaged and how
fast the floor fades (issue 14: 6 permutations under-covered on an interaction game).

Each player's variance over antithetic pairs is floored at ``ratio * v_j / fade``, ``v_j`` its
single-permutation variance. Variants, on the first three games of ``bench_calibration.py`` (10
features, 30 seeds; coverage of +-1.96 std and RMS error / RMS std):

- pooled, sqrt: ``ratio = sum_j s_j^2 / sum_j v_j`` (players weighted by their variance),
  ``fade = sqrt(pairs)`` (the package before);
- mean, sqrt: ``ratio = mean_j s_j^2 / v_j`` over the players whose contribution varies (beyond
  rounding: 1e-12 of the row's largest contribution);
- median, sqrt: their median;
- mean, pairs: the mean ratio, ``fade = pairs`` (the package now).

    python benchmarks/probe_sampling_floor.py [--seeds 30]
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

VARIANTS = {"pooled, sqrt": ("pooled", 0.5), "mean, sqrt": ("mean", 0.5), "median, sqrt": ("median", 0.5),
            "mean, pairs (package)": ("mean", 1.0)}
REAL = _estimate.shapley_from_permutations


def floored(average, fade_power):
    """``shapley_from_permutations`` with the floor's ratio averaged by ``average`` and faded as
    ``pairs ** fade_power`` (the estimate itself is the package's)."""

    def fit(perms, prefix_values):
        phi, std = REAL(perms, prefix_values)
        n_pairs = prefix_values.shape[1] // 2
        if n_pairs < 2:
            return phi, std
        contrib, single, pair = permutation_spreads(perms, prefix_values)
        with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # rows where no contribution varies
            if average == "pooled":
                ratio = pair.sum(axis=1, keepdims=True) / single.sum(axis=1, keepdims=True)
            else:
                # players whose contributions vary beyond rounding, as the package counts them
                live = single > (1e-12 * np.abs(contrib).max(axis=(1, 2))[:, None, :]) ** 2
                own = np.where(live, pair / single, np.nan)
                ratio = (np.nanmean if average == "mean" else np.nanmedian)(own, axis=1, keepdims=True)
        ratio = np.nan_to_num(ratio, nan=0.0)
        var = np.maximum(pair, ratio * single / n_pairs**fade_power)
        return phi, np.sqrt(var / n_pairs) * _estimate.t_inflation(n_pairs - 1)

    return fit


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=30)
    args = ap.parse_args()
    compare_sampling_errors({name: floored(*how) for name, how in VARIANTS.items()}, args.seeds)


if __name__ == "__main__":
    main()
