"""Coverage of phi +/- 1.96 std on games of real models, not those of
``bench_calibration.py``: a saturating logistic pipeline on wine (10 features, P(class 0)), a
gradient-boosting classifier on 10 and 12 breast-cancer features, an MLP on 12, a depth-6
regression tree on a step function (9 features) and a forest with one dominant feature (9).
Exact values by ExactShapleyExplainer on a fixed 30-row (20 for the 12-feature games)
background; 5 rows (4) explained; coverage over ``--seeds`` design seeds, with the worst
feature's coverage and the root mean square of (phi - exact) / std.

    python benchmarks/probe_real_model_games.py [--seeds 40] [--game wine,tree]
"""

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from sklearn.datasets import load_breast_cancer, load_wine  # noqa: E402
from sklearn.ensemble import GradientBoostingClassifier, RandomForestRegressor  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.tree import DecisionTreeRegressor  # noqa: E402

from skxai import ExactShapleyExplainer, KernelShapExplainer, ShapleySamplingExplainer  # noqa: E402

SMALL = [("kernel", dict(n_samples=40, max_order=1)), ("kernel", dict(n_samples=40)),
         ("kernel", dict(n_samples=100, max_order=1)), ("kernel", dict(n_samples=100)),
         ("kernel", dict(n_samples=300, max_order=1)), ("kernel", dict(n_samples=300, max_order=3)),
         ("kernel", dict(n_samples=300)), ("sampling", dict(n_permutations=4)),
         ("sampling", dict(n_permutations=10)), ("sampling", dict(n_permutations=30))]
LARGE = [("kernel", dict(n_samples=60)), ("kernel", dict(n_samples=200)), ("kernel", dict(n_samples=600)),
         ("kernel", dict(n_samples=600, max_order=1)), ("kernel", dict(n_samples=2000)),
         ("kernel", dict(n_samples=600, max_order=5)), ("sampling", dict(n_permutations=6)),
         ("sampling", dict(n_permutations=20))]


def games():
    """(name, model, X, target, background rows, explained rows, settings)."""
    Xw, yw = load_wine(return_X_y=True)
    Xw = Xw[:, :10]
    logreg = make_pipeline(StandardScaler(), LogisticRegression(C=10, max_iter=2000)).fit(Xw, yw)
    yield "wine-logreg", logreg, Xw, 0, 30, slice(50, 55), SMALL
    Xb, yb = load_breast_cancer(return_X_y=True)
    Xc = Xb[:, [0, 1, 4, 7, 10, 13, 20, 21, 24, 27]]
    gbc = GradientBoostingClassifier(n_estimators=50, max_depth=3, random_state=0).fit(Xc, yb)
    yield "cancer-gbc10", gbc, Xc, 1, 30, slice(50, 55), SMALL
    rng = np.random.RandomState(0)
    Xs = rng.normal(size=(400, 9))
    ys = np.where(Xs[:, 0] > 0, 5, 0) + (Xs[:, 1] * Xs[:, 2] > 0) + 0.3 * Xs[:, 3]
    tree = DecisionTreeRegressor(max_depth=6, random_state=0).fit(Xs, ys)
    yield "tree-step", tree, Xs, None, 30, slice(50, 55), SMALL
    yd = 10 * Xs[:, 0] + 0.1 * Xs[:, 1:].sum(1) + 0.5 * Xs[:, 1] * Xs[:, 2]
    forest = RandomForestRegressor(30, max_depth=5, random_state=0).fit(Xs, yd)
    yield "dominant-rf", forest, Xs, None, 30, slice(50, 55), SMALL
    X12 = Xb[:, :12]
    gbc12 = GradientBoostingClassifier(n_estimators=60, max_depth=3, random_state=0).fit(X12, yb)
    yield "gbc12", gbc12, X12, 1, 20, slice(100, 104), LARGE
    mlp = make_pipeline(StandardScaler(), MLPClassifier((30,), max_iter=2000, random_state=0)).fit(X12, yb)
    yield "mlp12", mlp, X12, 1, 20, slice(100, 104), LARGE


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=40)
    parser.add_argument("--game", default="")
    args = parser.parse_args()
    only = [g for g in args.game.split(",") if g]
    warnings.simplefilter("ignore")
    print("| game | explainer | setting | coverage | worst feature | rms z |")
    print("|---|---|---|---|---|---|")
    for name, model, X, target, n_bg, rows, settings in games():
        if only and not any(o in name for o in only):
            continue
        bg = X[np.random.RandomState(1).choice(len(X), n_bg, replace=False)]
        kw = dict(max_background=None, target=target)
        Xe = X[rows]
        truth = ExactShapleyExplainer(model, **kw).fit(bg).transform(Xe)
        for kind, setting in settings:
            cls = KernelShapExplainer if kind == "kernel" else ShapleySamplingExplainer
            t0, errs, stds = time.time(), [], []
            for seed in range(args.seeds):
                e = cls(model, **kw, **setting, random_state=seed).fit(bg).explain(Xe)
                phi, sd = np.asarray(e.values), np.asarray(e.std)
                if phi.ndim == 3:
                    phi, sd = phi[..., e.target_index], sd[..., e.target_index]
                errs.append(phi - truth)
                stds.append(sd)
            err, sd = np.array(errs), np.array(stds)
            hit = np.abs(err) <= 1.96 * sd
            with np.errstate(divide="ignore", invalid="ignore"):
                z = err / sd
            rms = np.sqrt(np.mean(z[np.isfinite(z)] ** 2)) if np.isfinite(z).any() else float("nan")
            cf = hit.mean(axis=(0, 1))
            print(f"| {name} | {cls.__name__} | {setting} | {hit.mean():.3f} | {cf.min():.3f} (feature "
                  f"{int(np.argmin(cf))}) | {rms:.2f} | {time.time() - t0:.0f}s", flush=True)


if __name__ == "__main__":
    main()
