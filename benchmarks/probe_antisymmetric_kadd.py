"""The k-additive fit of the game's antisymmetric part (the package's, since this probe) against
the fit of the game itself (before) and against a fit in the antisymmetric odd-order basis
(issue 14: "exact stays exact" for games of order 2).

Shapley values depend on a game only through its antisymmetric part ``a(S) = (v(S) - v(N \\ S)) /
2`` (a game and its dual have the same values). Under paired sampling the fit of ``v`` itself
models, with every interaction up to the order, also the symmetric part, which carries no
information about the values, and the ridge on the even terms couples the two: a game of order
2 (whose antisymmetric part is additive) lost its exactness. Columns:

- linear: ``max_order=1``;
- order 3 of v (before): the package with ``antisymmetric_values`` switched off;
- order 3 of a (package): the package, which fits ``(v(S) - v(N \\ S)) / 2 + (v0 + v1) / 2``;
- odd basis: the antisymmetrised odd terms ``A_T(S) = z_T(S) - z_T(N \\ S)`` (|T| = 1, 3), one
  observation per pair, the same weights and penalties per size, ``sum_T gamma_T = 0``
  (``A_T`` as a game gives ``2 / |T|`` to each member of T), fitted to what the linear fit leaves.

Relative error mean |phi - exact| / mean |exact| over the seeds' designs (the same designs and
coalition values for every fit).

    python benchmarks/probe_antisymmetric_kadd.py [--seeds 10]
"""

from __future__ import annotations

import argparse
import itertools
import sys
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_calibration import calibration_problem, make_games, regression_targets  # noqa: E402

from skxai import KernelShapExplainer, _estimate  # noqa: E402
from skxai._kadd import coalition_codes, kadd_penalties  # noqa: E402
from skxai._wls import efficiency_constrained_wls  # noqa: E402

warnings.filterwarnings("ignore", message=r"max_order=.* samples only \d+ coalition pairs")

CASES = [(10, 100), (10, 150), (10, 300), (10, 500), (12, 250), (12, 600), (13, 256), (13, 400)]


def antisymmetric_fit(design, v0, v1, values, order):
    """Linear fit, then the odd-order antisymmetric fit of what it leaves: phi (n, p, k)."""
    n, m, k = values.shape
    Z, w = design.masks, design.weights
    p = Z.shape[1]
    Y, delta = regression_targets(values, v0, v1)
    Zf = Z.astype(np.float64)
    phi, _ = efficiency_constrained_wls(Zf, w, Y, delta)
    resid = Y - Zf @ phi
    codes = coalition_codes(Z)
    where = {c: i for i, c in enumerate(codes)}
    full = (1 << p) - 1
    first = [i for i, c in enumerate(codes) if c < full ^ c and (full ^ c) in where]
    other = [where[full ^ codes[i]] for i in first]
    if len(first) * 2 != m:
        raise ValueError("the design is not made of complement pairs")
    a = (resid[first] - resid[other]) / 2
    wp = w[first] + w[other]
    cols, sizes, maps = [], [], []
    Zs, Zc = Z[first], ~Z[first]
    for s in range(1, order + 1, 2):
        members = np.array(list(itertools.combinations(range(p), s)), dtype=np.intp)
        cols.append(Zs[:, members].all(axis=2).astype(float) - Zc[:, members].all(axis=2))
        sizes.append(np.full(len(members), s))
        L_s = np.zeros((p, len(members)))
        L_s[members, np.arange(len(members))[:, None]] = 2.0 / s
        maps.append(L_s)
    A, sizes, L = np.hstack(cols), np.concatenate(sizes), np.hstack(maps)
    pen = kadd_penalties(p, order, m, float(w.mean()))
    G = A.T @ (A * wp[:, None])
    G[np.diag_indices_from(G)] += pen[sizes]
    Ginv = np.linalg.inv(G)
    u = Ginv.sum(axis=1)
    Gt = Ginv - np.outer(u, u) / u.sum()  # sum(gamma) = 0: the fit adds no efficiency gap
    gamma = Gt @ (A.T @ (wp[:, None] * a))
    phi = phi + L @ gamma
    return phi.reshape(p, n, k).transpose(1, 0, 2)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=10)
    args = ap.parse_args()
    real = _estimate.kernel_shap_from_values
    switched_on = _estimate.antisymmetric_values
    store = []

    def fit(design, v0, v1, values, *, order=1, with_std=True):
        out = real(design, v0, v1, values, order=order, with_std=with_std)
        if order > 1:
            _estimate.antisymmetric_values = lambda *args: None
            try:
                before = real(design, v0, v1, values, order=order, with_std=False)[0]
            finally:
                _estimate.antisymmetric_values = switched_on
            store.append((before, out[0], antisymmetric_fit(design, v0, v1, values, 3)))
        return out

    _estimate.kernel_shap_from_values = fit
    print("| features | n_samples | game | linear | order 3 of v (before) | order 3 of a (package) | odd basis |")
    print("|---:|---:|---|---:|---:|---:|---:|")
    for p, budget in CASES:
        X, bg, exact = calibration_problem(p)
        for gname, game in make_games(p).items():
            errs = np.zeros(4)  # linear, then the three order-3 fits
            for seed in range(args.seeds):
                for j, order in enumerate((1, 3)):
                    store.clear()
                    ex = KernelShapExplainer(game, n_samples=budget, max_order=order, max_background=None,
                                             random_state=seed).fit(bg).explain(X)
                    scale = np.abs(exact[gname]).mean()
                    if order == 1:
                        errs[0] += np.abs(ex.values[..., 0] - exact[gname]).mean() / scale
                        continue
                    for j, alt in enumerate(zip(*store, strict=True)):
                        alt = np.concatenate(alt)[..., 0]
                        errs[1 + j] += np.abs(alt - exact[gname]).mean() / scale
            errs /= args.seeds
            print(f"| {p} | {budget} | {gname} | " + " | ".join(f"{e:.4f}" for e in errs) + " |", flush=True)


if __name__ == "__main__":
    main()
