"""Permutation sampling's coverage per value, not only pooled, on games the calibration did not
hold (an outside audit, session 33): a plain three-way product and a three-way gate.

For each game (8 standard-normal-like features, 10 background rows, 5 explained rows, exact
values by :class:`~skxai.ExactShapleyExplainer` on the same background) and each number of
permutations, ``--seeds`` designs: the pooled coverage of ``phi +- 1.96 std``, the lowest
coverage of one (row, feature) value over the seeds, how many values cover under 0.90, the
share of errors beyond 4 std, and the root mean square of ``error / std``.

    OMP_NUM_THREADS=1 python benchmarks/probe_sampling_cells.py --seeds 300
"""

from __future__ import annotations

import argparse
import warnings

import numpy as np

from skxai import ExactShapleyExplainer, ShapleySamplingExplainer


def _games():
    rs = np.random.RandomState(5)
    Xg = rs.normal(size=(100, 8))
    Xp = 1.0 + rs.normal(size=(100, 8))

    def gate3(A):
        gate = (A[:, 0] > 0) & (A[:, 1] > 0) & (A[:, 6] > -0.5)
        return np.where(gate, 1.0, 0.0) + 0.5 * A[:, 2] - 0.7 * A[:, 3] + 0.2 * A[:, 4] ** 2

    def product3(A):
        return A[:, 0] * A[:, 1] * A[:, 2] + 0.1 * A[:, 5]

    return {
        "x0 x1 x2 + 0.1 x5 (x ~ N(1, 1))": (product3, Xp[:10], Xp[50:55]),
        "1[x0 > 0, x1 > 0, x6 > -0.5] + linear + square": (gate3, Xg[:10], Xg[60:65]),
    }


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=300)
    parser.add_argument("--permutations", type=int, nargs="+", default=[4, 6, 8, 10, 14, 20, 30])
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore")
    print(
        "| game | permutations | pooled coverage | lowest value's coverage | values under 0.90 "
        "| share beyond 4 std | rms z |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, (f, bg, rows) in _games().items():
        truth = ExactShapleyExplainer(f, max_background=None).fit(bg).transform(rows)
        live = np.abs(truth) > 1e-9
        for n in args.permutations:
            hit = np.zeros(truth.shape)
            z = []
            for seed in range(args.seeds):
                est = ShapleySamplingExplainer(f, n_permutations=n, max_background=None, random_state=seed)
                e = est.fit(bg).explain(rows)
                phi, std = e.values.reshape(truth.shape), e.std.reshape(truth.shape)
                err = np.abs(phi - truth)
                hit += err <= 1.96 * std
                z.append(err[live] / std[live])
            cover = hit / args.seeds
            z = np.concatenate(z)
            finite = np.isfinite(z)
            print(
                f"| {name} | {n} | {cover[live].mean():.3f} | {cover[live].min():.3f} | "
                f"{int((cover[live] < 0.90).sum())} of {int(live.sum())} | {(z > 4).mean():.4f} | "
                f"{np.sqrt(np.mean(z[finite] ** 2)):.2f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
