"""The linear KernelSHAP fit's design with whole sizes past the single players enumerated only
within half the budget (``skxai._estimate.LINEAR_ENUMERATED_SHARE``), against the rule before it
(every size that fits with one sampled pair left for each other size, share 1.0), on the same
coalition budgets: root mean squared error against exact values and coverage of +/- 1.96 std.

Cells: the calibration games (benchmarks/bench_calibration.py) on 10 and 12 features at budgets
just past the thresholds where the rule before enumerated sizes 2 and 3, and a 13-feature wine
MLP at 190/200 (default max_order "auto", order 1 there) and 760/800 (max_order=1).

    OMP_NUM_THREADS=1 python benchmarks/probe_linear_share.py --seeds 12

``--high``: budgets past a quarter of all coalitions (10-12 features), against the share applied
below a quarter only (the first version of the rule).

    OMP_NUM_THREADS=1 python benchmarks/probe_linear_share.py --seeds 12 --high
"""

import argparse
import os
import sys
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from bench_calibration import make_games  # noqa: E402

import skxai._estimate as estimate  # noqa: E402
from skxai import ExactShapleyExplainer, KernelShapExplainer  # noqa: E402


def cell(game, bg, X, exact, budget, seeds, **kw):
    errs, cov = [], []
    for seed in range(seeds):
        exp = (
            KernelShapExplainer(game, n_samples=budget, max_background=None, random_state=seed, **kw).fit(bg).explain(X)
        )
        v, sd = np.asarray(exp.values)[..., -1], np.asarray(exp.std)[..., -1]
        errs.append(np.sqrt(((v - exact) ** 2).mean()))
        ok = np.isfinite(sd)
        cov.append(((np.abs(v - exact) <= 1.96 * sd) & ok).sum() / max(ok.sum(), 1))
    return np.mean(errs), np.mean(cov)


def both(game, bg, X, exact, budget, seeds, **kw):
    out = []
    for share in (1.0, 0.5):
        estimate.LINEAR_ENUMERATED_SHARE = share
        estimate._seeded_design.cache_clear()
        out.append(cell(game, bg, X, exact, budget, seeds, **kw))
    return out


def _below_a_quarter_only(order, p, budget):
    """The first version of the rule: the linear fit's share held below 2**p / 4 only."""
    if order == 1 and budget >= 2 ** min(p, 62) / 4:
        return 1.0
    return _SHARE(order, p, budget)


_SHARE = estimate.enumerated_share


def high(seeds):
    print("| setting | n_samples | before: RMSE | after: RMSE | before / after | coverage before | coverage after |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for p, budgets in ((10, (356, 600, 1000)), (11, (1126, 1500)), (12, (1600, 2048, 3000))):
        rng = np.random.RandomState(0)
        bg, X = rng.normal(size=(8, p)), rng.normal(size=(10, p))
        for name, game in make_games(p).items():
            if "pairwise" in name:
                continue
            exact = ExactShapleyExplainer(game, max_background=None).fit(bg).transform(X)
            for budget in budgets:
                out = []
                for rule in (_below_a_quarter_only, _SHARE):
                    estimate.enumerated_share = rule
                    estimate._seeded_design.cache_clear()
                    out.append(cell(game, bg, X, exact, budget, seeds, max_order=1))
                estimate.enumerated_share = _SHARE
                (e0, c0), (e1, c1) = out
                row = f"| {name}, {p} features | {budget} | {e0:.4f} | {e1:.4f} | {e0 / e1:.2f} | {c0:.3f} | {c1:.3f} |"
                print(row, flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=12)
    ap.add_argument("--high", action="store_true")
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    if args.high:
        return high(args.seeds)
    print("| setting | n_samples | before: RMSE | after: RMSE | before / after | coverage before | coverage after |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for p, budgets in ((10, (120, 150, 180)), (12, (170, 200, 250, 610, 800, 990))):
        rng = np.random.RandomState(0)
        bg, X = rng.normal(size=(8, p)), rng.normal(size=(10, p))
        for name, game in make_games(p).items():
            if "pairwise" in name:
                continue  # recovered exactly by paired designs either way
            exact = ExactShapleyExplainer(game, max_background=None).fit(bg).transform(X)
            for budget in budgets:
                (e0, c0), (e1, c1) = both(game, bg, X, exact, budget, args.seeds, max_order=1)
                row = f"| {name}, {p} features | {budget} | {e0:.4f} | {e1:.4f} | {e0 / e1:.2f} | {c0:.3f} | {c1:.3f} |"
                print(row, flush=True)
    from sklearn.datasets import load_wine
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    Xw, yw = load_wine(return_X_y=True)
    rng = np.random.RandomState(1)
    bg, X = Xw[rng.choice(len(Xw), 20, replace=False)], Xw[rng.choice(len(Xw), 10, replace=False)]
    mlp = make_pipeline(StandardScaler(), MLPClassifier((30,), max_iter=1000, random_state=0)).fit(Xw, yw == 1)
    exact = ExactShapleyExplainer(mlp, max_background=None, target=1).fit(bg).transform(X)
    for budget, kw in ((190, {}), (200, {}), (760, {"max_order": 1}), (800, {"max_order": 1})):
        (e0, c0), (e1, c1) = both(mlp, bg, X, exact, budget, args.seeds, target=1, **kw)
        what = "wine MLP, 13 features" + (", max_order=1" if kw else ', "auto"')
        print(f"| {what} | {budget} | {e0:.4f} | {e1:.4f} | {e0 / e1:.2f} | {c0:.3f} | {c1:.3f} |", flush=True)


if __name__ == "__main__":
    main()
