"""Leverage-adjusted sandwich errors for the k-additive fit, against the package's jackknife
(issue 14: the k-additive cells that over-cover).

For every k-additive fit of the calibration games, besides the package's error (stratified
jackknife plus its bias term), this computes the stratified sandwich over sampling units (coalition
pairs) with each unit's residuals scaled by ``(I - H_uu)^-a``, ``H_uu`` the unit's block of the
ridge hat matrix (efficiency constraint included): ``a = 0`` the plain sandwich, ``a = 1/2``
Bell and McCaffrey's bias-reduced CR2, ``a = 1`` the delete-one-unit jackknife's linearisation
(CR3). Degrees of freedom: Welch-Satterthwaite over strata, as the package's sandwich.

    python benchmarks/probe_cr2.py [--seeds 10] [--units] [--cases 0,4,6]

``--units`` adds the package's own jackknife with every sampled pair its own group (the
delete-one JKn, with its bias term), which ``a = 1`` linearises without the bias term.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_calibration import calibration_problem, make_games, regression_targets  # noqa: E402

from skxai import KernelShapExplainer, _estimate  # noqa: E402
from skxai._kadd import interaction_features, kadd_penalties  # noqa: E402

warnings.filterwarnings("ignore", message=r"max_order=.* samples only \d+ coalition pairs")

# (features, n_samples, max_order)
CASES = [(10, 300, "auto"), (12, 600, "auto"), (9, 220, "auto"), (8, 160, "auto"), (10, 500, "auto"),
         (10, 700, "auto"), (10, 1000, "auto"), (10, 150, 3), (12, 250, 3), (10, 500, 5), (10, 700, 5),
         (12, 2048, "auto")]
POWERS = (0.0, 0.5, 1.0)


def sandwich_stds(design, v0, v1, values, order):
    """Unit-level sandwich standard errors ``(n, p, k)`` for each power in POWERS."""
    n, m, k = values.shape
    Z, w = design.masks, design.weights
    p = Z.shape[1]
    Y, delta = regression_targets(values, v0, v1)
    Phi, sizes, L = interaction_features(Z, order)
    pen = kadd_penalties(p, order, m, float(w.mean()))
    A = Phi.T @ (Phi * w[:, None])
    A[np.diag_indices_from(A)] += pen[sizes]
    Ainv = np.linalg.inv(A)
    u = Ainv.sum(axis=1)
    At = Ainv - np.outer(u, u) / u.sum()  # the constrained fit's inverse (1' b = delta)
    b = At @ (Phi.T @ (w[:, None] * Y)) + np.outer(u / u.sum(), delta)
    resid = Y - Phi @ b
    C = (Phi @ At @ L.T) * w[:, None]  # (m, p): coalition i's influence per unit residual
    sampled = design.unit >= 0
    out = []
    for a in POWERS:
        adj = resid.copy()
        for unit in range(int(design.unit.max()) + 1):
            rows = np.flatnonzero(design.unit == unit)
            sw = np.sqrt(w[rows])
            H = (sw[:, None] * Phi[rows]) @ At @ (Phi[rows].T * sw[None, :])
            lam, V = np.linalg.eigh(np.eye(len(rows)) - H)
            M = (V * np.maximum(lam, 1e-12) ** -a) @ V.T
            adj[rows] = (M @ (sw[:, None] * resid[rows])) / sw[:, None]
        var, df = _estimate._stratified_variance(design, C[sampled], adj[sampled])
        with np.errstate(invalid="ignore"):
            std = np.sqrt(var) * np.where(var > 0, _estimate.t_inflation(df), 1.0)
        std[df < 1] = np.inf
        out.append(std.reshape(p, n, k).transpose(1, 0, 2))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--units", action="store_true", help="also the delete-one-unit jackknife (slow)")
    ap.add_argument("--cases", default=None, help="indices into CASES, e.g. 0,4,6")
    args = ap.parse_args()
    real = _estimate.kernel_shap_from_values
    record = []

    real_groups = _estimate._jackknife_groups

    def fit(design, v0, v1, values, *, order=1, with_std=True):
        phi, std = real(design, v0, v1, values, order=order, with_std=with_std)
        if order > 1 and with_std:
            alts = sandwich_stds(design, v0, v1, values, order)
            if args.units:
                # the package's jackknife with every sampled pair its own group (delete-one JKn)
                _estimate._jackknife_groups = lambda order, m: 10**9
                try:
                    alts.append(real(design, v0, v1, values, order=order, with_std=True)[1])
                finally:
                    _estimate._jackknife_groups = real_groups
            record.append(alts)
        return phi, std

    _estimate.kernel_shap_from_values = fit
    names = ["jackknife (package)"] + [f"sandwich a={a}" for a in POWERS]
    names += ["delete-one-unit jackknife"] if args.units else []
    heads = " | ".join(f"{s}: coverage (RMS err / RMS std)" for s in names)
    print(f"| features | n_samples | max_order | game | {heads} |")
    print("|---:|---:|---|---|" + "---|" * len(names))
    cases = CASES if args.cases is None else [CASES[int(i)] for i in args.cases.split(",")]
    for p, budget, max_order in cases:
        X, bg, exact = calibration_problem(p)
        for gname, game in list(make_games(p).items())[:3]:
            hits = np.zeros(len(names))
            count = np.zeros(len(names))
            err2 = np.zeros(len(names))
            std2 = np.zeros(len(names))
            for seed in range(args.seeds):
                record.clear()
                ex = KernelShapExplainer(game, n_samples=budget, max_order=max_order, max_background=None,
                                         random_state=seed).fit(bg).explain(X)
                if ex.order == 1:
                    break
                alts = [np.concatenate([r[i] for r in record])[..., 0] for i in range(len(names) - 1)]
                err = np.abs(ex.values[..., 0] - exact[gname])
                for j, std in enumerate([ex.std[..., 0]] + alts):
                    live = np.isfinite(std) & ~((err < 1e-9) & (std < 1e-9))
                    hits[j] += (err[live] <= 1.96 * std[live]).sum()
                    count[j] += live.sum()
                    err2[j] += (err[live] ** 2).sum()
                    std2[j] += (std[live] ** 2).sum()
            else:
                cells = [f"{h / c:.3f} ({np.sqrt(e / s):.2f})" if c else "nan"
                         for h, c, e, s in zip(hits, count, err2, std2, strict=True)]
                print(f"| {p} | {budget} | {max_order} (order {ex.order}) | {gname} | " + " | ".join(cells) + " |",
                      flush=True)
                continue
            print(f"| {p} | {budget} | {max_order} | {gname} | linear fit: skipped |", flush=True)


if __name__ == "__main__":
    main()
