"""Calibration of the reported standard errors: coverage of phi +/- 1.96 std against exact values.

For each game shape, explainer and budget, explains ``--rows`` rows under ``--seeds`` seeds and
counts how often the exact Shapley value (enumeration of all 2**10 coalitions) falls inside
``phi +/- 1.96 * std``. Estimates that are exact (error and std below 1e-9 of the spread) are
counted apart: they are covered trivially (additive parts of a game are recovered exactly).

    python benchmarks/bench_calibration.py --out benchmarks/results/calibration.md
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from skxai import ExactShapleyExplainer, KernelShapExplainer, ShapleySamplingExplainer

P = 10


def make_games(seed=0):
    """Game shapes on 10 features: name -> f(A) (vectorised)."""
    rng = np.random.RandomState(seed)
    a = rng.normal(size=P)
    pairs = np.triu(rng.normal(size=(P, P)) * (rng.random_sample((P, P)) < 0.3), 1)
    triples = [tuple(rng.choice(P, 3, replace=False)) for _ in range(6)]
    t_coef = rng.normal(size=len(triples))

    b = rng.normal(size=P) / np.sqrt(P)

    def additive(A):  # nonlinear main effects plus a weak smooth interaction of all features
        # (games of order <= 2 are recovered exactly by both estimators: the error comes
        # from the non-additive rest only)
        return np.sin(A) @ a + 0.3 * np.tanh(2 * A @ b)

    def interactions(A):  # pairs and triples carry most of the variance
        out = 0.3 * A @ a + np.einsum("ni,ij,nj->n", A, pairs, A)
        for (i, j, k), c in zip(triples, t_coef, strict=True):
            out = out + c * A[:, i] * A[:, j] * A[:, k]
        return out

    def classifier(A):  # a saturating probability
        return 1.0 / (1.0 + np.exp(-2.0 * interactions(A)))

    return {"additive": additive, "interaction-heavy": interactions, "saturating classifier": classifier}


SETTINGS = [
    ("KernelSHAP", dict(n_samples=40, max_order=1)),
    ("KernelSHAP", dict(n_samples=100, max_order=1)),
    ("KernelSHAP", dict(n_samples=300, max_order=1)),
    ("KernelSHAP", dict(n_samples=1000, max_order=1)),
    ("KernelSHAP", dict(n_samples=40, max_order="auto")),
    ("KernelSHAP", dict(n_samples=100, max_order="auto")),
    ("KernelSHAP", dict(n_samples=300, max_order="auto")),
    ("KernelSHAP", dict(n_samples=1000, max_order="auto")),
    ("KernelSHAP", dict(n_samples=300, max_order=3)),
    ("Sampling", dict(n_permutations=4)),
    ("Sampling", dict(n_permutations=10)),
    ("Sampling", dict(n_permutations=50)),
]


def coverage(game, name, kw, X, bg, exact, seeds):
    cls = KernelShapExplainer if name == "KernelSHAP" else ShapleySamplingExplainer
    hit, n, trivial, ratio_num, ratio_den = 0, 0, 0, 0.0, 0.0
    for seed in range(seeds):
        exp = cls(game, max_background=None, random_state=seed, **kw).fit(bg).explain(X)
        phi, std = exp.values[..., 0], exp.std[..., 0]
        err = np.abs(phi - exact)
        scale = np.abs(exact).max()
        exact_est = (err < 1e-9 * scale) & (std < 1e-9 * scale)
        trivial += exact_est.sum()
        live = ~exact_est
        hit += (err[live] <= 1.96 * std[live]).sum()
        n += live.sum()
        ratio_num += (err[live] ** 2).sum()
        ratio_den += (std[live] ** 2).sum()
    return hit / max(n, 1), trivial / (trivial + n), np.sqrt(ratio_num / max(ratio_den, 1e-300))


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=20)
    ap.add_argument("--background", type=int, default=8)
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--out", default=None)
    args = ap.parse_args(argv)
    rng = np.random.RandomState(1)
    X = rng.normal(size=(args.rows, P))
    bg = rng.normal(size=(args.background, P))
    lines = ["| game | explainer | setting | coverage of ±1.96·std | exact estimates | RMS error / RMS std |",
             "|---|---|---|---:|---:|---:|"]
    t0 = time.perf_counter()
    only = os.environ.get("CAL_ONLY")
    for gname, game in make_games().items():
        exact = ExactShapleyExplainer(game, max_background=None).fit(bg).transform(X)
        for name, kw in SETTINGS:
            if only and only != f"{name}{kw.get('n_samples', '')}":
                continue
            cov, triv, ratio = coverage(game, name, kw, X, bg, exact, args.seeds)
            setting = ", ".join(f"{k}={v}" for k, v in kw.items())
            line = f"| {gname} | {name} | {setting} | {cov:.3f} | {triv:.2f} | {ratio:.2f} |"
            print(line, flush=True)
            lines.append(line)
    elapsed = time.perf_counter() - t0
    if args.out:
        cmd = "python benchmarks/bench_calibration.py " + " ".join(argv or []) if argv else None
        with open(args.out, "w") as fh:
            fh.write("# Calibration of the reported standard errors\n\n")
            fh.write(f"Command: `{cmd or 'python benchmarks/bench_calibration.py --out ' + args.out}`\n\n")
            fh.write(f"10 features, {args.background} background rows, {args.rows} explained rows x "
                     f"{args.seeds} seeds per setting; exact values by enumerating all 1,024 coalitions. "
                     "Coverage counts the estimates that are not exact; 'exact estimates' is the share "
                     "with error and std both below 1e-9 of the spread (covered trivially). "
                     f"Run time {elapsed:.0f} s on a shared 2-core machine.\n\n")
            fh.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
