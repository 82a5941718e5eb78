"""Coverage of permutation sampling where a player contributes in a few orders only (session 27,
issue 14): ``phi +/- 1.96 std`` against exact values, with no tolerance.

Games (an outside audit's): a HistGradientBoosting classifier on wine (10 standardised
features, 3 classes), an SVC's probabilities on wine (a smooth control), and the 8x8 digits
cut into 3 x 4 grid regions for an MLP and a logistic regression (10 classes; ImageShapley's
sampling, ``n_samples`` 52 / 78 / 130 = 4 / 6 / 10 permutations). 15 background rows (the
images: 50, baseline 0), 6 explained rows; 20 seeds (tabular, from 100) or 10 (images). Exact
values by ``ExactShapleyExplainer`` / ``ImageShapleyExplainer(method="exact")``.

``--share`` sets ``skxai._estimate.FAINT_VARIANCE_SHARE`` (the variance share under which a
player's own spread is taken as no evidence); run on the code before through ``PYTHONPATH``:

    OMP_NUM_THREADS=1 python benchmarks/probe_faint_players.py [--share 1e-4]
    OMP_NUM_THREADS=1 python benchmarks/probe_faint_players.py --small-player

``--small-player``: the rule's price. Three-way interactions on 6 features plus a term of scale
0.01 (player 5's), 10 permutations, 20 seeds x 50 rows, 30 background rows: per player, the
RMS error, the median std and the coverage.
"""

from __future__ import annotations

import argparse
import warnings

import numpy as np
from sklearn.datasets import load_digits, load_wine
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

import skxai._estimate
from skxai import ExactShapleyExplainer, ImageShapleyExplainer, ShapleySamplingExplainer


def tabular(name):
    X, y = load_wine(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    if name == "boosted wine":
        X = X[:, :10]
        model = HistGradientBoostingClassifier(max_iter=60, random_state=0).fit(X, y)
    else:
        X = X[:, 3:13]
        model = SVC(probability=True, random_state=0).fit(X, y)
    idx = np.random.RandomState(0).permutation(len(X))
    return model, X[idx[:15]], X[idx[15:21]]


def cell_tabular(name, n_perm, seeds=range(100, 120)):
    model, bg, rows = tabular(name)
    exact = ExactShapleyExplainer(model, max_background=None).fit(bg).explain(rows).values
    hit = []
    for seed in seeds:
        exp = ShapleySamplingExplainer(model, n_permutations=n_perm, max_background=None, random_state=seed)
        exp = exp.fit(bg).explain(rows)
        hit.append(np.abs(exp.values - exact) <= 1.96 * exp.std)
    return np.mean(hit), np.size(hit)


def cell_image(name, n_samples, seeds=range(10)):
    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    if name == "digits MLP":
        model = MLPClassifier((32,), max_iter=600, random_state=0)
    else:
        model = LogisticRegression(C=10, max_iter=3000)
    model.fit(X[:1200], y[:1200])
    rows = X[1300:1306]
    base = dict(image_shape=(8, 8), segmentation="grid", n_segments=(3, 4), baseline=0.0)
    exact = ImageShapleyExplainer(model, method="exact", **base).fit(X[:50]).explain(rows).extras["player_values"]
    hit = []
    for seed in seeds:
        exp = ImageShapleyExplainer(model, method="sampling", n_samples=n_samples, random_state=seed, **base)
        exp = exp.fit(X[:50]).explain(rows)
        std = np.asarray(exp.std)
        hit.append(np.abs(np.asarray(exp.extras["player_values"]) - exact) <= 1.96 * std)
    return np.mean(hit), np.size(hit)


def small_player():
    rng = np.random.RandomState(0)
    X = rng.randn(80, 6)

    def f(A):
        return A[:, 0] * A[:, 1] * A[:, 2] + A[:, 3] * A[:, 4] * A[:, 1] + 0.01 * A[:, 5] * A[:, 0] * A[:, 3]

    exact = ExactShapleyExplainer(f).fit(X[:30]).explain(X[30:]).values[..., 0]
    errs, stds = [], []
    for seed in range(20):
        exp = ShapleySamplingExplainer(f, n_permutations=10, random_state=seed).fit(X[:30]).explain(X[30:])
        errs.append(exp.values[..., 0] - exact)
        stds.append(exp.std[..., 0])
    errs, stds = np.array(errs), np.array(stds)
    print("| player | RMS error | median std | coverage |")
    print("|---:|---:|---:|---:|")
    for j in range(6):
        e, sd = errs[:, :, j], stds[:, :, j]
        cover = np.mean(np.abs(e) <= 1.96 * sd)
        print(f"| {j} | {np.sqrt((e**2).mean()):.2g} | {np.median(sd):.2g} | {cover:.3f} |")


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--share", type=float, default=None)
    parser.add_argument("--small-player", action="store_true")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    if args.share is not None:
        skxai._estimate.FAINT_VARIANCE_SHARE = args.share
    if args.small_player:
        return small_player()
    share = getattr(skxai._estimate, "FAINT_VARIANCE_SHARE", "none (the code before)")
    print(f"FAINT_VARIANCE_SHARE: {share}\n")
    print("| game | permutations | coverage | estimates |")
    print("|---|---:|---:|---:|")
    for name in ("boosted wine", "SVC probabilities on wine"):
        for n_perm in (4, 6, 10, 30):
            cov, n = cell_tabular(name, n_perm)
            print(f"| {name} | {n_perm} | {cov:.3f} | {n} |", flush=True)
    for name in ("digits MLP", "digits logistic"):
        for n_samples, n_perm in ((52, 4), (78, 6), (130, 10)):
            cov, n = cell_image(name, n_samples)
            print(f"| {name}, 12 regions | {n_perm} | {cov:.3f} | {n} |", flush=True)


if __name__ == "__main__":
    main()
