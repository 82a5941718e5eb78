"""Coverage of phi +/- 1.96 std on games the calibration benchmark does not hold (issue 14).

Random forests, gradient boosting (3 classes), logistic regression, an MLP, a grouped SVR
pipeline and a callable with a three-way interaction, on 3-20 features; exact values from
``ExactShapleyExplainer`` on the same background. ``k`` runs KernelSHAP's cells, ``s`` the
permutation sampling's. ``--few-df-share 0`` switches off the floor of replicate variances on
at most 2 residual degrees of freedom (``skxai._estimate.FEW_DF_VARIANCE_SHARE``);
``--pseudo-pairs 1`` reproduces permutation sampling before the Agresti-Coull pseudo-pairs of a
player whose pairs all agree (``skxai._estimate.PSEUDO_PAIRS``, 2026-12-05).

    python benchmarks/probe_unseen_games.py GAME [SEEDS] [k|s|ks] [--few-df-share X] [--pseudo-pairs X]

GAME: rf7_bg5 rf7_bg1 gbc4_3cls_bg100 gbc5_3cls_bg100 rf3_bg5 rf4_bg5 logreg15_bg5 mlp10_bg20
svr20_groups8_bg5 tanh3_callable8_bg20.
"""

import time
import warnings

import numpy as np
from sklearn.datasets import make_classification
from sklearn.ensemble import GradientBoostingClassifier, RandomForestRegressor
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVR

from skxai import ExactShapleyExplainer, KernelShapExplainer, ShapleySamplingExplainer

warnings.filterwarnings("ignore")


def reg_data(p, n=300, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, p))
    y = X[:, 0] * X[:, 1] + np.sin(2 * X[:, 2 % p]) + X[:, 3 % p] ** 2 + 0.5 * X[:, -1] * X[:, 0] * X[:, 1 % p]
    return X, y


def games(want):
    g = {}
    X, y = reg_data(7)
    g["rf7_bg5"] = (RandomForestRegressor(30, max_depth=6, random_state=0).fit(X, y), X[:5], X[100:104], {})
    g["rf7_bg1"] = (RandomForestRegressor(30, max_depth=6, random_state=0).fit(X, y), X[:1], X[100:104], {})
    Xc, yc = make_classification(300, 4, n_informative=3, n_redundant=0, n_classes=3, random_state=0)
    g["gbc4_3cls_bg100"] = (
        GradientBoostingClassifier(n_estimators=30, random_state=0).fit(Xc, yc),
        Xc[:100],
        Xc[200:203],
        {},
    )
    Xl, yl = make_classification(300, 15, n_informative=8, random_state=1)
    g["logreg15_bg5"] = (LogisticRegression(max_iter=500).fit(Xl, yl), Xl[:5], Xl[200:203], {})
    X, y = reg_data(10)
    g["mlp10_bg20"] = (
        MLPRegressor(hidden_layer_sizes=(30, 30), max_iter=500, random_state=0).fit(X, y),
        X[:20],
        X[100:104],
        {},
    )
    X, y = reg_data(20)
    groups = [[0, 1], [2, 3, 4], [5], [6, 7, 8, 9], [10, 11], [12, 13, 14, 15], [16, 17, 18], [19]]
    g["svr20_groups8_bg5"] = (
        make_pipeline(StandardScaler(), SVR(C=3)).fit(X, y),
        X[:5],
        X[100:103],
        {"feature_groups": groups},
    )
    rng = np.random.RandomState(0)
    Xt = rng.normal(size=(20, 8))
    coef = rng.normal(size=8)

    def tanh3(A):
        return A @ coef + np.tanh(A[:, 0] * A[:, 1] * A[:, 2]) + A[:, 3] * A[:, 4]

    g["tanh3_callable8_bg20"] = (tanh3, Xt, Xt[:4], {})
    Xc5, yc5 = make_classification(300, 5, n_informative=3, n_redundant=0, n_classes=3, random_state=0)
    g["gbc5_3cls_bg100"] = (
        GradientBoostingClassifier(n_estimators=30, random_state=0).fit(Xc5, yc5),
        Xc5[:100],
        Xc5[200:203],
        {},
    )
    X4, y4 = reg_data(4)
    g["rf4_bg5"] = (RandomForestRegressor(30, max_depth=6, random_state=0).fit(X4, y4), X4[:5], X4[100:104], {})
    X, y = reg_data(3)
    g["rf3_bg5"] = (RandomForestRegressor(30, max_depth=6, random_state=0).fit(X, y), X[:5], X[100:104], {})
    return g


KERNEL = {
    "rf7_bg5": [
        dict(n_samples=16),
        dict(n_samples=20),
        dict(n_samples=30),
        dict(n_samples=60),
        dict(n_samples=100, max_order=1),
        dict(n_samples=100, max_order=3),
        dict(n_samples=60, sampling="kernel"),
    ],
    "rf7_bg1": [dict(n_samples=16), dict(n_samples=30), dict(n_samples=60), dict(n_samples=100)],
    "gbc4_3cls_bg100": [dict(n_samples=10), dict(n_samples=12), dict(n_samples=14)],
    "logreg15_bg5": [
        dict(n_samples=32),
        dict(n_samples=64),
        dict(n_samples=200),
        dict(n_samples=1000),
        dict(n_samples=300, max_order=3),
        dict(n_samples=300, sampling="kernel"),
    ],
    "mlp10_bg20": [
        dict(n_samples=22),
        dict(n_samples=40),
        dict(n_samples=150),
        dict(n_samples=400),
        dict(n_samples=400, max_order=5),
        dict(n_samples=150, max_order=1, sampling="kernel"),
    ],
    "svr20_groups8_bg5": [
        dict(n_samples=18),
        dict(n_samples=40),
        dict(n_samples=100),
        dict(n_samples=200, max_order=3),
    ],
    "rf3_bg5": [dict(n_samples=8)],
    "gbc5_3cls_bg100": [dict(n_samples=12), dict(n_samples=14), dict(n_samples=16), dict(n_samples=20)],
    "rf4_bg5": [dict(n_samples=10), dict(n_samples=12), dict(n_samples=14)],
    "tanh3_callable8_bg20": [
        dict(n_samples=18),
        dict(n_samples=40),
        dict(n_samples=100, max_order=1),
        dict(n_samples=100),
    ],
}
SAMPLING = {k: [dict(n_permutations=q) for q in (2, 3, 4, 5, 8, 100)] for k in KERNEL}


def main(name, seeds, which):
    model, bg, Xe, extra = games(name)[name]
    exact = ExactShapleyExplainer(model, max_background=1000, **extra).fit(bg).explain(Xe)
    truth = np.asarray(exact.values)
    scale = np.abs(truth).max()
    cells = ([("kernel", s) for s in KERNEL[name]] if "k" in which else []) + (
        [("sampling", s) for s in SAMPLING[name]] if "s" in which else []
    )
    for kind, s in cells:
        errs, stds = [], []
        t0 = time.time()
        for seed in range(seeds):
            cls = KernelShapExplainer if kind == "kernel" else ShapleySamplingExplainer
            e = cls(model, max_background=1000, random_state=seed, **extra, **s).fit(bg).explain(Xe)
            errs.append(np.asarray(e.values) - truth)
            stds.append(np.asarray(e.std))
        err, std = np.abs(np.array(errs)), np.array(stds)
        fin = np.isfinite(std)
        exact_ = (err < 1e-9 * scale) & fin  # exact values: covered by any finite std, left out
        use = fin & ~exact_
        cov = np.mean(err[use] <= 1.96 * std[use]) if use.any() else np.nan
        zero_bad = int(np.sum((std == 0) & (err > 1e-6)))
        rms = np.sqrt(np.mean(err[use] ** 2)) / np.sqrt(np.mean(std[use] ** 2)) if use.any() else np.nan
        print(
            f"{name:18s} {kind:8s} {str(s):45s} n={use.sum():5d} inf={1 - fin.mean():.2f} "
            f"exact={exact_.mean():.2f} cov={cov:.3f} rmsErr/rmsStd={rms:.2f} maxerr/scale={err.max() / scale:.3f} "
            f"std0&err>1e-6={zero_bad} ({time.time() - t0:.0f}s)",
            flush=True,
        )


if __name__ == "__main__":
    import argparse

    from skxai import _estimate

    ap = argparse.ArgumentParser()
    ap.add_argument("game")
    ap.add_argument("seeds", type=int, nargs="?", default=30)
    ap.add_argument("which", nargs="?", default="ks")
    ap.add_argument("--few-df-share", type=float, default=_estimate.FEW_DF_VARIANCE_SHARE)
    ap.add_argument("--pseudo-pairs", type=float, default=_estimate.PSEUDO_PAIRS)
    args = ap.parse_args()
    _estimate.FEW_DF_VARIANCE_SHARE = args.few_df_share
    _estimate.PSEUDO_PAIRS = args.pseudo_pairs
    main(args.game, args.seeds, args.which)
