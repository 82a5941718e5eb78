"""Coverage on an outside audit's game: a three-way product switched on by a step, plus
``|x3| x0``, on 14 features of which the model uses 4 (0, 3, 7, 11).

Exact values by enumeration of the 2^14 coalitions over the same 20 background rows; 8 explained
rows; coverage of ``values +- 1.96 std`` over the 4 used features (the 10 others are exactly 0).
Permutation sampling at 4-30 permutations, and KernelSHAP with an explicit ``max_order=3`` at
100 coalitions (4.79 interaction terms a coalition, past the 1.8 of "auto": ``fit`` warns).

    OMP_NUM_THREADS=1 python benchmarks/probe_gated_step_game.py [--seeds 100]
"""

import argparse
import warnings
from math import factorial

import numpy as np

from skxai import KernelShapExplainer, ShapleySamplingExplainer

USED = [0, 3, 7, 11]


def model(Z):
    Z = np.asarray(Z, dtype=np.float64)
    gated = 3 * np.tanh(Z[:, 0]) * np.tanh(Z[:, 7]) * np.tanh(Z[:, 11]) * (Z[:, 3] > 0)
    return gated + np.abs(Z[:, 3]) * Z[:, 0]


def exact_values(rows, background):
    p = rows.shape[1]
    n_coalitions = 1 << p
    bits = ((np.arange(n_coalitions)[:, None] >> np.arange(p)) & 1).astype(bool)
    v = np.empty((len(rows), n_coalitions))
    for s in range(0, n_coalitions, 512):
        masks = bits[s : s + 512]
        Z = np.where(masks[:, None, None, :], rows[None, :, None, :], background[None, None, :, :])
        v[:, s : s + 512] = model(Z.reshape(-1, p)).reshape(len(masks), len(rows), len(background)).mean(axis=2).T
    weight = np.array([factorial(k) * factorial(p - k - 1) / factorial(p) for k in range(p)])
    size = bits.sum(axis=1)
    phi = np.zeros((len(rows), p))
    for j in range(p):
        without = np.arange(n_coalitions)[~bits[:, j]]
        phi[:, j] = (v[:, without | (1 << j)] - v[:, without]) @ weight[size[without]]
    return phi


def coverage(make, rows, background, phi, seeds):
    hits, worst = [], 0.0
    for seed in range(seeds):
        exp = make(seed).fit(background).explain(rows)
        values, std = exp.values[..., 0][:, USED], exp.std[..., 0][:, USED]
        err = np.abs(values - phi[:, USED])
        hits.append(err <= 1.96 * std)
        worst = max(worst, float((err / std).max()))
    return float(np.mean(hits)), np.size(hits), worst


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=100)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    X = np.random.default_rng(7).normal(size=(200, 14))
    order = np.random.default_rng(8).permutation(200)
    background, rows = X[order[:20]], X[order[20:28]]
    phi = exact_values(rows, background)
    print("| explainer | budget | coverage (used features) | values | largest abs error / std |")
    print("|---|---:|---:|---:|---:|")
    for n_perm in (4, 6, 8, 10, 12, 16, 30):
        cov, n, worst = coverage(
            lambda s, n_perm=n_perm: ShapleySamplingExplainer(
                model, n_permutations=n_perm, random_state=1000 + s, max_background=None
            ),
            rows,
            background,
            phi,
            args.seeds,
        )
        print(f"| ShapleySamplingExplainer | {n_perm} permutations | {cov:.3f} | {n} | {worst:.1f} |")
    cov, n, worst = coverage(
        lambda s: KernelShapExplainer(model, n_samples=100, max_order=3, random_state=s, max_background=None),
        rows,
        background,
        phi,
        args.seeds,
    )
    print(f"| KernelShapExplainer, max_order=3 | 100 coalitions | {cov:.3f} | {n} | {worst:.1f} |")


if __name__ == "__main__":
    main()
