"""Error formulas for the k-additive fit's jackknife, compared offline on recorded replicates
(issue 14: k-additive fits over-cover near the terms rule; calibration.md, section "k-additive
fits near the terms rule: what the jackknife's replicates say").

``record`` runs the calibration games (``bench``: the k-additive cells of ``bench_calibration.py``
and of ``probe_jackknife_parts.py``; ``reviewer``: ``probe_reviewer_games.py`` at 100 and 300
coalitions with ``max_order="auto"``) and keeps, for every call of ``skxai._estimate._jackknife``
on a k-additive fit, its replicate estimates, the full estimate, its strata and its design, with
the explained values and their exact ones (one pickle per cell). With ``--pairs`` it also refits
with the groups g and g + 1 (mod G) deleted together, for every g: G more refits, for the probe
only. ``evaluate`` recomputes each value's error from the replicates under several formulas
(``pkg`` reproduces the package's ``std`` to the last bit) and prints coverage of +/- 1.96 std
and, in brackets, RMS error / RMS std per cell. ``parts`` prints the jackknife's parts and the
groups' non-additivity over the actual mean squared error, and the mean leverage of the sampled
coalitions.

    python benchmarks/probe_kadd_bias.py record DIR [--seeds 30] [--cases bench|reviewer] [--pairs]
    python benchmarks/probe_kadd_bias.py evaluate "DIR/*.pkl"
    python benchmarks/probe_kadd_bias.py parts "DIR/*.pkl"        (needs --pairs)

Formulas (grouped jackknife of G groups, ``theta_g`` the replicates, ``f`` the mean
finite-population factor; every k-additive cell here uses groups):

- ``pkg``: ``var + b^2``, ``var = f (G - 1) / G sum (theta_g - mean)^2``, ``b = f (G - 1) (mean - theta)``.
- ``var``: the variance alone (no bias term).
- ``var+bA*bB``: the bias squared estimated by the product of the bias estimates of the even and
  the odd groups (floored at 0): unbiased for b^2 if the halves' errors were independent.
- ``var+(b^2-vb)+``: ``b^2`` less a naive estimate of its own variance (``f var``: the replicates
  taken as independent), floored at 0.
- ``robust``: median and MAD of the replicates in place of their mean and standard deviation.
- With ``--pairs``: ``r`` is the groups' non-additivity, ``Q / var`` pooled over a call's values,
  with ``Q = C(G, 2) mean_g e_g^2`` and ``e_g = theta_(g, g+1) - theta_g - theta_(g+1) + theta``
  (0 for an estimator linear in the groups' weights); ``r4`` and ``r8`` from 4 or 8 disjoint
  pairs only (what 4 or 8 extra refits would see). See ``PAIR_FORMULAS``.
"""

from __future__ import annotations

import argparse
import glob
import pickle
import sys
import time
import types
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from skxai import KernelShapExplainer, _estimate  # noqa: E402

warnings.filterwarnings("ignore")

REC = []
_real = _estimate._jackknife


def recording(design, solve, max_groups=_estimate.JACKKNIFE_GROUPS, theta=None, linear=False, skewness=False):
    """The package's jackknife, keeping the replicates of k-additive fits in ``REC``."""
    thetas = []

    def rec(w):
        out = solve(w)
        thetas.append(np.array(out))
        return out

    res = _real(design, rec, max_groups=max_groups, theta=theta, linear=linear, skewness=skewness)
    pairs = None
    if not linear and PAIRS:
        pairs = np.stack(
            [solve(deleted_weights(design, max_groups, (g, (g + 1) % max_groups))) for g in range(max_groups)]
        )
    if not linear:
        stratum, count, fpc = _estimate._collapsed_strata(design)
        REC.append(
            dict(
                thetas=np.stack(thetas),
                theta=np.array(theta),
                stratum=stratum,
                count=count,
                fpc=fpc,
                max_groups=max_groups,
                var=res[0],
                df=res[1],
                m=design.masks.shape[0],
                p=design.masks.shape[1],
                masks=np.packbits(design.masks, axis=1),
                weights=design.weights.copy(),
                unit=design.unit.copy(),
                pairs=pairs,
            )
        )
    return res


PAIRS = False


def deleted_weights(design, max_groups, gone_groups):
    """The design's weights with the units of ``gone_groups`` deleted as the package's grouped
    jackknife deletes one group (the other units of a touched stratum keep its mass)."""
    stratum, _, _ = _estimate._collapsed_strata(design)
    n_units = len(stratum)
    group = np.empty(n_units, dtype=int)
    group[np.argsort(stratum, kind="stable")] = np.arange(n_units) % max_groups
    gone = np.isin(group, gone_groups)
    mult = np.ones(n_units)
    for h in np.unique(stratum[gone]):
        in_h = stratum == h
        left = in_h.sum() - (in_h & gone).sum()
        mult[in_h] = in_h.sum() / left if left else 0.0
    mult[gone] = 0.0
    w = design.weights.copy()
    s = design.unit >= 0
    w[s] = w[s] * mult[design.unit[s]]
    return w


def run_cell(tag, game, bg, X, exact, kw, seeds, out):
    rows = []
    t0 = time.perf_counter()
    for seed in range(seeds):
        REC.clear()
        ex = KernelShapExplainer(game, max_background=None, random_state=seed, **kw).fit(bg).explain(X)
        rows.append(dict(phi=ex.values, std=ex.std, order=ex.order, recs=list(REC)))
    with open(Path(out) / f"{tag}.pkl", "wb") as fh:
        pickle.dump(dict(tag=tag, exact=exact, kw=kw, rows=rows), fh)
    print(tag, f"{time.perf_counter() - t0:.1f}s", flush=True)


def bench_cases(seeds, out):
    from bench_calibration import calibration_problem, make_games

    cases = [
        (10, dict(n_samples=100, max_order="auto")),
        (10, dict(n_samples=300, max_order="auto")),
        (10, dict(n_samples=500, max_order="auto")),
        (10, dict(n_samples=700, max_order="auto")),
        (10, dict(n_samples=1000, max_order="auto")),
        (10, dict(n_samples=700, max_order=5)),
        (12, dict(n_samples=600, max_order="auto")),
        (9, dict(n_samples=220, max_order="auto")),
        (8, dict(n_samples=160, max_order="auto")),
        (12, dict(n_samples=2048, max_order="auto")),
    ]
    for p, kw in cases:
        X, bg, exact = calibration_problem(p)
        for gname, game in list(make_games(p).items())[:3]:
            tag = f"bench_p{p}_n{kw['n_samples']}_o{kw['max_order']}_{gname.split()[0]}"
            run_cell(tag, game, bg, X, exact[gname][..., None], kw, seeds, out)


def reviewer_cases(seeds, out, budgets=(100, 300)):
    import probe_reviewer_games as rg

    for name in rg.games():
        exact = rg.exact_values(name)
        for b in budgets:
            rows = []
            for seed in range(seeds):
                REC.clear()
                phi, std, e = rg.run(name, KernelShapExplainer, dict(n_samples=b, max_order="auto"), seed)
                rows.append(
                    dict(
                        phi=phi,
                        std=std,
                        order=e.order,
                        recs=list(REC),
                        out=rg.games()[name][3].get("output", slice(None)),
                    )
                )
            with open(Path(out) / f"rev_{name}_n{b}.pkl", "wb") as fh:
                pickle.dump(dict(tag=f"rev_{name}_n{b}", exact=exact, rows=rows), fh)
            print(name, b, flush=True)


def parts(rec):
    """Variance, bias and the alternatives' ingredients of one grouped jackknife."""
    th, theta, count, fpc = rec["thetas"], rec["theta"], rec["count"], rec["fpc"]
    if len(rec["stratum"]) <= rec["max_groups"]:
        raise NotImplementedError("delete-one-unit jackknife (no k-additive cell here uses it)")
    f = float(np.average(fpc, weights=count))
    G = len(th)
    mean = th.mean(axis=0)
    var = f * (G - 1) / G * ((th - mean) ** 2).sum(axis=0)
    b = f * (G - 1) * (mean - theta)
    b_even = f * (G - 1) * (th[0::2].mean(axis=0) - theta)
    b_odd = f * (G - 1) * (th[1::2].mean(axis=0) - theta)
    med = np.median(th, axis=0)
    mad = 1.4826 * np.median(np.abs(th - med), axis=0)
    P = dict(
        var=var,
        b=b,
        vb=f * var,
        bAB=np.maximum(b_even * b_odd, 0.0),
        df=rec["df"],
        rvar=f * (G - 1) ** 2 / G * mad**2,
        rb=f * (G - 1) * (med - theta),
    )
    if rec.get("pairs") is not None:
        # The groups' non-additivity: second differences of the refits over pairs of groups,
        # e = theta_(g,g+1) - theta_g - theta_(g+1) + theta; Q = C(G, 2) mean(e^2) is the variance
        # of a second-order (degenerate U-statistic) part of the estimator, r = Q / var pooled
        # over the call's values (0 for a linear estimator; (k - 1) / 2 for a pure order-k part).
        pr = rec["pairs"]
        e = pr - th - np.roll(th, -1, axis=0) + theta
        P["Q"] = G * (G - 1) / 2 * (e**2).mean(axis=0)
        P["r"] = P["Q"].sum() / max(var.sum(), 1e-300)
        for k in (4, 8):  # from k disjoint pairs (0, 1), (2, 3), ...: what k extra refits would see
            idx = np.arange(0, 2 * min(k, G // 2), 2)
            e_k = pr[idx] - th[idx] - th[idx + 1] + theta
            P[f"r{k}"] = (G * (G - 1) / 2 * (e_k**2).mean(axis=0)).sum() / max(var.sum(), 1e-300)
    return P


FORMULAS = {
    "pkg": lambda P: P["var"] + P["b"] ** 2,
    "var": lambda P: P["var"],
    "var+bA*bB": lambda P: P["var"] + P["bAB"],
    "var+(b^2-vb)+": lambda P: P["var"] + np.maximum(P["b"] ** 2 - P["vb"], 0.0),
    "robust": lambda P: P["rvar"] + P["rb"] ** 2,
}

#: Formulas that need the pair refits (``record --pairs``).
PAIR_FORMULAS = {
    "no bias term where r4 > 3": lambda P: P["var"] + P["b"] ** 2 * (P["r4"] <= 3.0),
    "no bias term where r8 > 3": lambda P: P["var"] + P["b"] ** 2 * (P["r8"] <= 3.0),
    "where r > 2.5: var min(1, 3 / r)": lambda P: np.where(
        P["r"] <= 2.5, P["var"] + P["b"] ** 2, P["var"] * min(1.0, 3.0 / P["r"])
    ),
    "(var + b^2) min(1, (2 / r)^2)": lambda P: (P["var"] + P["b"] ** 2) * min(1.0, (2.0 / P["r"]) ** 2),
}


def evaluate(d, formula):
    """Coverage and RMS error / RMS std of one recorded cell under ``formula``."""
    hits = count = 0
    num = den = 0.0
    for row in d["rows"]:
        (rec,) = row["recs"]
        P = parts(rec)
        var, df = formula(P), P["df"]
        with np.errstate(invalid="ignore"):
            std = np.sqrt(var) * np.where(var > 0, _estimate.t_inflation(df), 1.0)
        std[df < 1] = np.inf
        phi = row["phi"]
        std = std.reshape(std.shape[0], phi.shape[0], -1).transpose(1, 0, 2)[..., row.get("out", slice(None))]
        exact = np.asarray(d["exact"]).reshape(phi.shape)
        err = np.abs(phi - exact)
        finite = np.isfinite(std)
        live = finite & ~((err < 1e-9 * np.abs(exact).max()) & finite)
        hits += (err[live] <= 1.96 * std[live]).sum()
        count += live.sum()
        num += (err[live] ** 2).sum()
        den += (std[live] ** 2).sum()
    return hits / max(count, 1), np.sqrt(num / max(den, 1e-300))


def mean_leverage(rec, order):
    """Mean leverage of the sampled coalitions in the dual (kernel ridge) form of the fit:
    ``1 - h_ii = (G^-1)_ii / w_i`` (the linear fit and the efficiency constraint left out)."""
    Z = np.unpackbits(rec["masks"], axis=1)[:, : rec["p"]].astype(bool)
    op = _estimate._kadd_operator(types.SimpleNamespace(masks=Z, weights=rec["weights"]), order, True)
    h = 1.0 - op["ginv_diag"] / rec["weights"]
    return h[rec["unit"] >= 0].mean()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["record", "evaluate", "parts"])
    ap.add_argument("path")
    ap.add_argument("--seeds", type=int, default=30)
    ap.add_argument("--cases", default="bench", choices=["bench", "reviewer"])
    ap.add_argument("--pairs", action="store_true", help="also refit with pairs of groups deleted")
    a = ap.parse_args()
    if a.mode == "record":
        _estimate._jackknife = recording
        global PAIRS
        PAIRS = a.pairs
        Path(a.path).mkdir(parents=True, exist_ok=True)
        (bench_cases if a.cases == "bench" else reviewer_cases)(a.seeds, a.path)
        return
    files = sorted(glob.glob(a.path))
    if a.mode == "evaluate":
        with open(files[0], "rb") as fh:
            paired = pickle.load(fh)["rows"][0]["recs"][0].get("pairs") is not None
        formulas = {**FORMULAS, **PAIR_FORMULAS} if paired else FORMULAS
        print("| cell | " + " | ".join(formulas) + " |")
        print("|---|" + "---|" * len(formulas))
        for fname in files:
            with open(fname, "rb") as fh:
                d = pickle.load(fh)
            cells = ["{:.3f} ({:.2f})".format(*evaluate(d, fn)) for fn in formulas.values()]
            print(f"| {d['tag']} | " + " | ".join(cells) + " |", flush=True)
        return
    if a.mode == "parts":
        print(
            "| cell | mean leverage of the sampled coalitions | jackknife variance / MSE "
            "| bias term squared / MSE | Q / MSE | r per call: min, median, max |"
        )
        print("|---|---:|---:|---:|---:|---|")
        for fname in files:
            with open(fname, "rb") as fh:
                d = pickle.load(fh)
            var = b2 = q = mse = 0.0
            rs = []
            for row in d["rows"]:
                P = parts(row["recs"][0])
                exact = np.asarray(d["exact"]).reshape(row["phi"].shape)
                var, b2, q = var + P["var"].mean(), b2 + (P["b"] ** 2).mean(), q + P["Q"].mean()
                mse += ((row["phi"] - exact) ** 2).mean()
                rs.append(P["r"])
            lev = np.mean([mean_leverage(row["recs"][0], row["order"]) for row in d["rows"][:5]])
            print(
                f"| {d['tag']} | {lev:.3f} | {var / mse:.2f} | {b2 / mse:.2f} | {q / mse:.2f} "
                f"| {np.min(rs):.2f}, {np.median(rs):.2f}, {np.max(rs):.2f} |",
                flush=True,
            )
        return


if __name__ == "__main__":
    main()
