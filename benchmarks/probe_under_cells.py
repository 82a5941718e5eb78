"""Why the cells under 0.93 miss: bias or variance, few units or few players, floor or pairs.

For each cell (a game of ``probe_unseen_games.py`` or of ``bench_calibration.py``, an explainer
setting), over ``--seeds`` seeds, the values whose error is known and not exact:

- coverage of +-1.96 std, RMS error / RMS std;
- bias share: the squared mean error of each (row, player) over the seeds, less the noise of
  that mean, over the mean squared error (1: the error is the same in every design);
- "oracle" coverage: with each value's std replaced by the RMS of its own errors over the seeds
  (what a std that knew the truth's spread would cover: under 0.95 only when errors are heavy
  tailed), and with each value's std replaced by the RMS of its reported std over the seeds (the
  level of the std right, its noise removed);
- the 95th percentile of |error| / std (1.96 when calibrated);
- KernelSHAP: residual and t degrees of freedom, the jackknife's bias term squared over its
  variance term, the coverage from the variance term alone;
- sampling: the share of values whose variance the floor sets, and the coverage of those values
  and of the others;
- the misses' concentration: share of them in the worst 10% of seeds, coverage per player;
- the Wald signature: the median over values of corr(|error|, std) across designs, and the
  number of distinct errors a value takes;
- KernelSHAP: the jackknife's variance part over the variance of the errors across designs;
  with ``--sandwich``, the coverage of the stratified sandwich (leave-one-out residuals) in
  place of the jackknife.

    python benchmarks/probe_under_cells.py [--seeds 30] [--cells NAME,...] [--sandwich] [--pseudo-pairs 1]
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_calibration import calibration_problem, make_games  # noqa: E402
from probe_unseen_games import games as unseen_games  # noqa: E402

from skxai import ExactShapleyExplainer, KernelShapExplainer, ShapleySamplingExplainer, _estimate  # noqa: E402

warnings.filterwarnings("ignore")

# name -> (source, game, explainer, setting)
CELLS = {
    "tanh3-k40": ("unseen", "tanh3_callable8_bg20", "kernel", dict(n_samples=40)),
    "rf4-k14": ("unseen", "rf4_bg5", "kernel", dict(n_samples=14)),
    "cal6-k20": ("cal6", "interaction-heavy", "kernel", dict(n_samples=20)),
    "cal6-k20-add": ("cal6", "additive", "kernel", dict(n_samples=20)),
    "cal8-k24-clf": ("cal8", "saturating classifier", "kernel", dict(n_samples=24)),
    "cal10-k40": ("cal10", "interaction-heavy", "kernel", dict(n_samples=40, max_order=1)),
    "cal5-k20": ("cal5", "interaction-heavy", "kernel", dict(n_samples=20)),
    "cal8-k40": ("cal8", "interaction-heavy", "kernel", dict(n_samples=40)),
    "cal8-k40-clf": ("cal8", "saturating classifier", "kernel", dict(n_samples=40)),
    "cal6-k16": ("cal6", "interaction-heavy", "kernel", dict(n_samples=16)),
    "cal6-k24": ("cal6", "interaction-heavy", "kernel", dict(n_samples=24)),
    "tanh3-s8": ("unseen", "tanh3_callable8_bg20", "sampling", dict(n_permutations=8)),
    "gbc5-s4": ("unseen", "gbc5_3cls_bg100", "sampling", dict(n_permutations=4)),
    "gbc5-s8": ("unseen", "gbc5_3cls_bg100", "sampling", dict(n_permutations=8)),
    "cal10-s6": ("cal10", "interaction-heavy", "sampling", dict(n_permutations=6)),
    "cal10-s50": ("cal10", "interaction-heavy", "sampling", dict(n_permutations=50)),
}


def problem(source, gname):
    """(model, background, explained rows, extra kwargs, exact values (n, p, k))."""
    if source == "unseen":
        model, bg, Xe, extra = unseen_games(gname)[gname]
        truth = np.asarray(ExactShapleyExplainer(model, max_background=1000, **extra).fit(bg).explain(Xe).values)
        return model, bg, Xe, dict(max_background=1000, **extra), truth
    p = int(source[3:])
    X, bg, exact = calibration_problem(p)
    return make_games(p)[gname], bg, X, dict(max_background=None), exact[gname][..., None]


class Recorder:
    """Wraps the estimators' internals to keep what a std is made of, call by call."""

    def __init__(self):
        self.calls = []
        self._jk = _estimate._jackknife
        self._perm = _estimate.shapley_from_permutations

    def __enter__(self):
        rec = self

        def jackknife(design, solve, max_groups=_estimate.JACKKNIFE_GROUPS, theta=None, linear=False):
            mse, df = rec._jk(design, solve, max_groups=max_groups, theta=theta, linear=linear)
            var, _ = rec._jk(design, solve, max_groups=max_groups, theta=None, linear=linear)
            n_units = int(design.unit.max()) + 1
            rec.calls.append(dict(var=var, mse=mse, df=df, resid_df=_estimate._residual_df(design, n_units),
                                  n_units=n_units))
            return mse, df

        def perm(perms, prefix_values):
            phi, std = rec._perm(perms, prefix_values)
            n, n_perm, _, k = prefix_values.shape
            p = perms.shape[1]
            steps = np.diff(prefix_values, axis=2)
            contrib = np.empty_like(steps)
            np.put_along_axis(contrib, np.broadcast_to(perms[None, :, :, None], steps.shape), steps, axis=2)
            n_pairs = n_perm // 2
            if n_pairs >= 2:
                pairs = contrib[:, : 2 * n_pairs].reshape(n, n_pairs, 2, p, k).mean(axis=2)
                var_pair = pairs.var(axis=1, ddof=1)
                # the variance the std is made of, over the pairs' variance: above 1, the floor
                var_unit = (std / _estimate.t_inflation(n_pairs - 1)) ** 2 * n_perm**2 / (4 * n_pairs)
                floored = var_unit > var_pair * (1 + 1e-9) + 1e-300
            else:
                floored = np.zeros_like(phi, dtype=bool)
            rec.calls.append(dict(floored=floored))
            return phi, std

        _estimate._jackknife = jackknife
        _estimate.shapley_from_permutations = perm
        return self

    def __exit__(self, *exc):
        _estimate._jackknife = self._jk
        _estimate.shapley_from_permutations = self._perm


def sandwich_coverage(name, seeds):
    """Coverage with the stratified sandwich (leave-one-out residuals) in place of the jackknife."""
    source, gname, kind, setting = CELLS[name]
    model, bg, Xe, extra, truth = problem(source, gname)
    real = _estimate._use_jackknife
    _estimate._use_jackknife = lambda order, m, n_units: False
    try:
        hit = n = 0
        for seed in range(seeds):
            e = KernelShapExplainer(model, random_state=seed, **extra, **setting).fit(bg).explain(Xe)
            err, std = np.abs(np.asarray(e.values) - truth), np.asarray(e.std)
            use = np.isfinite(std) & ~(err < 1e-9 * np.abs(truth).max())
            hit += (err[use] <= 1.96 * std[use]).sum()
            n += use.sum()
    finally:
        _estimate._use_jackknife = real
    return hit / max(n, 1)


def run_cell(name, seeds):
    source, gname, kind, setting = CELLS[name]
    model, bg, Xe, extra, truth = problem(source, gname)
    cls = KernelShapExplainer if kind == "kernel" else ShapleySamplingExplainer
    errs, stds, extras = [], [], []
    for seed in range(seeds):
        with Recorder() as rec:
            e = cls(model, random_state=seed, **extra, **setting).fit(bg).explain(Xe)
        errs.append(np.asarray(e.values) - truth)
        stds.append(np.asarray(e.std))
        extras.append(rec.calls[-1] if rec.calls else {})
    err, std = np.array(errs), np.array(stds)  # (seeds, n, p, k)
    scale = np.abs(truth).max()
    fin = np.isfinite(std)
    exact = (np.abs(err) < 1e-9 * scale) & fin
    use = fin & ~exact
    a = np.abs(err)
    cover = a <= 1.96 * std
    out = {"cell": name, "n": int(use.sum()), "cov": cover[use].mean(),
           "rms": np.sqrt((err[use] ** 2).mean() / (std[use] ** 2).mean())}
    # coverage's standard error over seeds (a seed's rows share its design)
    hits = (cover & use).reshape(err.shape[0], -1).sum(axis=1).astype(float)
    cnt = use.reshape(err.shape[0], -1).sum(axis=1).astype(float)
    out["se"] = np.sqrt(((hits - out["cov"] * cnt) ** 2).sum() / (len(hits) * (len(hits) - 1))) / cnt.mean()
    # the Wald signature: across designs, is a value's std small where its error is large?
    both = use.all(axis=0)
    if both.any():
        ae, sd = a[:, both], std[:, both]
        ae, sd = ae - ae.mean(axis=0), sd - sd.mean(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            c = (ae * sd).sum(axis=0) / np.sqrt((ae**2).sum(axis=0) * (sd**2).sum(axis=0))
        out["corr|err|,std"] = float(np.nanmedian(c))
        # distinct errors a value takes over the designs (few: a scaled proportion)
        out["distinct_err"] = float(np.median([len(np.unique(np.round(x / (np.abs(x).max() + 1e-300), 6)))
                                               for x in err[:, both].T]))
    # bias share: per value over the seeds
    S = err.shape[0]
    mean_e = err.mean(axis=0)
    var_e = err.var(axis=0, ddof=1)
    anyuse = use.all(axis=0)
    mse = (err**2).mean(axis=0)
    out["bias_share"] = ((mean_e**2 - var_e / S)[anyuse].sum() / mse[anyuse].sum())
    # oracle stds
    rmse_v = np.sqrt(mse)[None]
    rmsstd_v = np.sqrt((np.where(fin, std, 0) ** 2).mean(axis=0))[None]
    u2 = use & anyuse[None]
    out["cov_oracle_err"] = (a <= 1.96 * rmse_v)[u2].mean()
    out["cov_oracle_std"] = (a <= 1.96 * rmsstd_v)[u2].mean()
    with np.errstate(divide="ignore"):
        out["q95"] = np.quantile(a[use] / std[use], 0.95)
    # misses' concentration
    miss = use & ~cover
    per_seed = miss.reshape(S, -1).sum(axis=1)
    worst = np.sort(per_seed)[::-1][: max(1, S // 10)].sum()
    out["miss_worst10pct_seeds"] = worst / max(miss.sum(), 1)
    per_player = miss.sum(axis=(0, 1, 3))
    use_player = use.sum(axis=(0, 1, 3))
    out["cov_per_player"] = " ".join(f"{1 - m / max(u, 1):.2f}" for m, u in zip(per_player, use_player, strict=True))
    if kind == "kernel" and extras[0]:
        def stack(key):
            return np.array([x[key].reshape(x[key].shape[0], Xe.shape[0], -1).transpose(1, 0, 2) for x in extras])
        var, msev, df = stack("var"), stack("mse"), stack("df")
        out["resid_df"] = sorted({x["resid_df"] for x in extras})
        out["units"] = sorted({x["n_units"] for x in extras})
        dfu = np.minimum(df, np.array([x["resid_df"] for x in extras])[:, None, None, None])
        out["df"] = np.round(np.quantile(dfu[use], [0.1, 0.5, 0.9]), 1).tolist()
        with np.errstate(divide="ignore", invalid="ignore"):
            out["biasterm2/var"] = float(np.median(((msev - var) / var)[use]))
            std_var = np.sqrt(var) * _estimate.t_inflation(dfu)
        out["cov_var_only"] = (a <= 1.96 * std_var)[use].mean()
        # the level of the raw (not t-inflated) mean squared error the jackknife reports
        out["rmsErr/rmsRaw"] = np.sqrt((err[use] ** 2).mean() / msev[use].mean())
        # the jackknife's variance part (mean over seeds) over the variance of the errors over
        # the seeds (the design variance), over the values known in every seed
        ok = use.all(axis=0)
        out["jkvar/designvar"] = var.mean(axis=0)[ok].mean() / err.var(axis=0, ddof=1)[ok].mean()
        # the std without t inflation (normal quantile)
        out["cov_no_t"] = (a <= 1.96 * np.sqrt(np.maximum(msev, var)))[use].mean()
    if kind == "sampling" and extras[0]:
        fl = np.array([x["floored"] for x in extras])
        out["floored"] = fl[use].mean()
        out["cov_floored"] = cover[use & fl].mean() if (use & fl).any() else np.nan
        out["cov_pairs"] = cover[use & ~fl].mean() if (use & ~fl).any() else np.nan
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=30)
    ap.add_argument("--cells", default=",".join(CELLS))
    ap.add_argument("--sandwich", action="store_true", help="KernelSHAP cells: also the sandwich's coverage")
    ap.add_argument("--pseudo-pairs", type=float, default=_estimate.PSEUDO_PAIRS,
                    help="1 reproduces permutation sampling before 2026-12-05")
    args = ap.parse_args()
    _estimate.PSEUDO_PAIRS = args.pseudo_pairs
    for name in args.cells.split(","):
        out = run_cell(name, args.seeds)
        if args.sandwich and CELLS[name][2] == "kernel":
            out["cov_sandwich"] = sandwich_coverage(name, args.seeds)
        print(" ".join(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}" for k, v in out.items()), flush=True)


if __name__ == "__main__":
    main()
