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
    ("KernelSHAP", dict(n_samples=500, max_order="auto")),  # order 5, more terms than coalitions
    ("KernelSHAP", dict(n_samples=700, max_order="auto")),  # order 5, sandwich beyond 512
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


SUMMARY = """
Before (issue 14, same kind of games): KernelSHAP 0.51 at budget 40, 0.90 at 100 and at 300 with
`max_order="auto"`; sampling 0.59 at 4 permutations (2,040 of 3,600 estimates with a std of exactly
0 while wrong) and 0.85 at 10; `tol=0.02` stopped at 250 evaluations with the actual error 0.028-0.037.

What is reported (see doc/user_guide/shapley.rst): `std` is a standard error scaled by
`t(0.975, df) / 1.96` so that `phi +/- 1.96 std` is a 95% interval; jackknife over coalition pairs
for small designs and k-additive fits up to 512 coalitions, the leave-one-out sandwich beyond;
strata of fewer than 4 units collapsed; the permutation pairs' variance floored.

Known limits: budget 40 on 10 features (9 sampled pairs over 4 sizes) covers 0.91-0.93, under the
0.93 goal; 4 permutations (one degree of freedom, t = 12.7) give wide intervals, coverage up to
0.99; the order-3 fit at 300 on games of order 3 is nearly exact, so its intervals are wider than
its error (coverage 0.98-1.00), and the order-5 fit at 700 (leave-one-out sandwich) is
conservative too (0.98-0.99). An order-5 fit with more terms (637) than coalitions (498, budget
500) covers 0.90-0.93; further past that threshold (order 5 on 6 features at 50 of 64 coalitions,
which "auto" allows) the ridge bias dominates and coverage falls to about 0.3: not in the table.
"""


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
    only = os.environ.get("CAL_ONLY")  # e.g. "Sampling" or "KernelSHAP40", for quick looks
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
    # tol: the run stops only when 1.96 std <= tol * max|phi|; how far the actual error is.
    tol_lines = ["", "| game | tol | evaluations used (of 1,000) | max error / row's max abs value "
                 "| values within tol |",
                 "|---|---:|---:|---:|---:|"]
    for gname, game in make_games().items():
        exact = ExactShapleyExplainer(game, max_background=None).fit(bg).transform(X)
        for tol in (0.02, 0.05):
            used, worst, ok = [], [], []
            for seed in range(args.seeds):
                exp = KernelShapExplainer(game, n_samples=1000, tol=tol, max_background=None,
                                          random_state=seed).fit(bg).explain(X)
                phi = exp.values[..., 0]
                rel = np.abs(phi - exact) / np.abs(phi).max(axis=1, keepdims=True)
                used.append(exp.n_evaluations)
                worst.append(rel.max())
                ok.append(np.mean(rel <= tol))
            line = (f"| {gname} | {tol} | {min(used)}-{max(used)} | {min(worst):.3f}-{max(worst):.3f} | "
                    f"{np.mean(ok):.2f} |")
            print(line, flush=True)
            tol_lines.append(line)
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
            fh.write("\nEarly stop with `tol` (KernelSHAP, `n_samples=1000`, `max_order='auto'`): the run stops "
                     "once `1.96 * std <= tol * max|phi|` for every value.\n")
            fh.write("\n".join(tol_lines) + "\n")
            fh.write(SUMMARY)


if __name__ == "__main__":
    main()
