"""Coverage of phi +/- 1.96 std on games no other probe uses, at issue 14's settings.

Thirteen games on 10 features: scikit-learn models fitted on bundled and generated data (a kNN
regressor and histogram gradient boosting on diabetes, a random forest's ``predict_proba`` and a
scaled logistic regression pipeline on breast cancer, an RBF SVR on wine, an MLP classifier on
three digits, a Gaussian process on Friedman's function) and six callables (a piecewise-constant
rounded count of thresholds, two product games and an exponential one, a max game, a min of
three features beside a linear part). Exact values from
``ExactShapleyExplainer`` on the same background (the interventional game). ``k`` runs KernelSHAP
at 40, 100 and 300 coalitions with ``max_order="auto"``, ``s`` permutation sampling with 4 and
10 permutations, ``t`` the early stop with ``tol`` 0.02 and 0.05 (KernelSHAP at 1,000 coalitions
and sampling at 100 permutations): how often a run that met ``tol`` left a value farther from
the exact one than ``tol`` times its row's largest absolute value.

    python benchmarks/probe_reviewer_games.py [--seeds 25] [--which kst] [--games a,b]
        [--budgets 40,100,300] [--permutations 4,10]

Coverage counts the values that are not exact (error under 1e-9 of the game's spread, finite
std: covered by any std); '±' is its standard error over the seeds (the rows of one seed share
a design).
"""

from __future__ import annotations

import argparse
import functools
import time
import warnings

import numpy as np
from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits, load_wine, make_friedman1
from sklearn.ensemble import HistGradientBoostingRegressor, RandomForestClassifier
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import RBF, WhiteKernel
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsRegressor
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVR

from skxai import ExactShapleyExplainer, KernelShapExplainer, ShapleySamplingExplainer

warnings.filterwarnings("ignore")

N_BG, N_ROWS = 12, 12


def _split(X, seed=0):
    """Background and explained rows, disjoint, drawn from X."""
    idx = np.random.RandomState(seed).permutation(len(X))
    return X[idx[:N_BG]], X[idx[N_BG : N_BG + N_ROWS]]


def _pick(X, k=10):
    """The k columns of largest variance (digits: pixels that vary)."""
    return np.sort(np.argsort(X.var(axis=0))[::-1][:k])


@functools.cache
def games():
    """name -> (model or callable, background, explained rows, explainer options)."""
    g = {}
    X, y = load_diabetes(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    g["knn_diabetes"] = (KNeighborsRegressor(7).fit(X, y), *_split(X), {})
    g["hgb_diabetes"] = (HistGradientBoostingRegressor(max_iter=60, random_state=0).fit(X, y), *_split(X, 1), {})

    Xb, yb = load_breast_cancer(return_X_y=True)
    Xb = Xb[:, :10]
    g["rfc_proba_cancer"] = (
        RandomForestClassifier(50, max_depth=5, random_state=0).fit(Xb, yb),
        *_split(Xb, 2),
        {"output": 1},
    )
    g["scaled_logreg_cancer"] = (
        make_pipeline(StandardScaler(), LogisticRegression(C=10, max_iter=2000)).fit(Xb, yb),
        *_split(Xb, 3),
        {"output": 1},
    )

    Xw, yw = load_wine(return_X_y=True)
    Xw = StandardScaler().fit_transform(Xw)
    # predict the wine's alcohol (column 0) from 10 others with an RBF SVR
    cols = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    g["svr_rbf_wine"] = (SVR(C=3, gamma=0.3).fit(Xw[:, cols], Xw[:, 0]), *_split(Xw[:, cols], 4), {})

    Xd, yd = load_digits(return_X_y=True)
    keep = yd < 3
    Xd, yd = Xd[keep][:, _pick(Xd[keep])], yd[keep]
    g["mlpc_digits3"] = (
        MLPClassifier((20,), max_iter=2000, random_state=0).fit(Xd / 16, yd),
        *(a / 16 for a in _split(Xd, 5)),
        {},
    )

    Xf, yf = make_friedman1(200, n_features=10, random_state=0)
    g["gpr_friedman"] = (
        GaussianProcessRegressor(RBF(np.ones(10)) + WhiteKernel(0.1), normalize_y=True, random_state=0).fit(Xf, yf),
        *_split(Xf, 6),
        {},
    )

    rng = np.random.RandomState(7)
    Xc = rng.normal(size=(40, 10))
    thresholds = rng.normal(scale=0.5, size=10)
    weights = rng.choice([-2.0, -1.0, 1.0, 2.0], size=10)

    def steps(A):  # piecewise constant and of every order: a rounded weighted count of thresholds passed
        return np.floor((A > thresholds) @ np.abs(weights) / 3.0)

    def product(A):  # every coalition size interacts
        return np.prod(1.0 + 0.4 * np.tanh(A), axis=1)

    def exponential(A):  # a log-additive game: every coalition size interacts, heavy-tailed
        return np.exp(0.5 * A.sum(axis=1))

    def product_strong(A):  # the product game with factors in [0.2, 1.8]
        return np.prod(1.0 + 0.8 * np.tanh(A), axis=1)

    def maximum(A):  # a max game: the largest of ten features
        return A.max(axis=1)

    def minimum(A):  # a min game on three features beside a linear part
        return np.minimum(np.minimum(A[:, 0], A[:, 1]), A[:, 2]) + 0.3 * A[:, 3:].sum(axis=1)

    g["steps_callable"] = (steps, Xc[:N_BG], Xc[N_BG : N_BG + N_ROWS], {})
    g["product_callable"] = (product, Xc[:N_BG], Xc[N_BG : N_BG + N_ROWS], {})
    g["exp_callable"] = (exponential, Xc[:N_BG], Xc[N_BG : N_BG + N_ROWS], {})
    g["product_strong_callable"] = (product_strong, Xc[:N_BG], Xc[N_BG : N_BG + N_ROWS], {})
    g["max_callable"] = (maximum, Xc[:N_BG], Xc[N_BG : N_BG + N_ROWS], {})
    g["min3_callable"] = (minimum, Xc[:N_BG], Xc[N_BG : N_BG + N_ROWS], {})
    return g


def _outputs(name, exp):
    """Values, std and the explanation; a binary classifier's positive class only (the other
    class mirrors it)."""
    out = games()[name][3].get("output", slice(None))
    std = None if exp.std is None else np.asarray(exp.std)[..., out]
    return np.asarray(exp.values)[..., out], std, exp


@functools.cache
def exact_values(name):
    model, bg, Xe, extra = games()[name]
    return np.asarray(ExactShapleyExplainer(model, max_background=None).fit(bg).explain(Xe).values)[
        ..., extra.get("output", slice(None))
    ]


def run(name, cls, kw, seed):
    """(values, std, explanation) of one run."""
    model, bg, Xe, _ = games()[name]
    return _outputs(name, cls(model, max_background=None, random_state=seed, **kw).fit(bg).explain(Xe))


def coverage(name, cls, kw, seeds):
    truth = exact_values(name)
    scale = np.abs(truth).max()
    per_seed, errs, stds, orders, n_exact, n_inf, n_all = [], [], [], set(), 0, 0, 0
    for seed in range(seeds):
        phi, std, e = run(name, cls, kw, seed)
        orders.add(getattr(e, "order", "-"))
        err, std = np.abs(phi - truth).ravel(), std.ravel()
        fin = np.isfinite(std)
        exact_ = (err < 1e-9 * scale) & fin
        live = fin & ~exact_
        n_exact, n_inf, n_all = n_exact + exact_.sum(), n_inf + (~fin).sum(), n_all + err.size
        if live.any():
            per_seed.append(((err[live] <= 1.96 * std[live]).sum(), live.sum()))
            errs.append(err[live])
            stds.append(std[live])
    if not per_seed:
        return np.nan, np.nan, n_exact / n_all, n_inf / n_all, np.nan, orders
    hits, counts = np.array(per_seed, dtype=float).T
    cov = hits.sum() / counts.sum()
    se = np.sqrt(((hits - cov * counts) ** 2).sum() / (len(hits) * max(len(hits) - 1, 1))) / counts.mean()
    err, std = np.concatenate(errs), np.concatenate(stds)
    return cov, se, n_exact / n_all, n_inf / n_all, np.sqrt(np.mean(err**2) / np.mean(std**2)), orders


def tol_cell(name, cls, kw, tol, seeds):
    """Runs that met tol (no ConvergenceWarning), the coalitions they evaluated; among their
    values, the share farther from the exact one than tol times the row's largest |phi| (the
    run's own scale, as ``tol`` is defined, and the exact values'), and the share of those runs
    with any such value."""
    truth = exact_values(name)
    stopped, over_est, over_true, runs_over, n_vals, used = 0, 0, 0, 0, 0, []
    for seed in range(seeds):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            phi, _, e = run(name, cls, dict(kw, tol=tol), seed)
        if any("tol=" in str(x.message) for x in w):
            continue
        stopped += 1
        used.append(int(np.max(e.n_evaluations)))
        err = np.abs(phi - truth)
        lim_est = tol * np.maximum(np.abs(phi).max(axis=1, keepdims=True), 1e-300)
        lim_true = tol * np.maximum(np.abs(truth).max(axis=1, keepdims=True), 1e-300)
        over_est += (err > lim_est).sum()
        over_true += (err > lim_true).sum()
        runs_over += bool((err > lim_est).any())
        n_vals += err.size
    if not stopped:
        return 0, np.nan, np.nan, np.nan, "-"
    return stopped, over_est / n_vals, over_true / n_vals, runs_over / stopped, f"{min(used)}-{max(used)}"


TOL = [(KernelShapExplainer, dict(n_samples=1000)), (ShapleySamplingExplainer, dict(n_permutations=100))]


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=25)
    ap.add_argument("--which", default="kst", help="k: KernelSHAP, s: sampling, t: tol")
    ap.add_argument("--games", default=None, help="comma-separated names (default: all)")
    ap.add_argument("--budgets", default="40,100,300", help="KernelSHAP n_samples, comma-separated")
    ap.add_argument("--permutations", default="4,10", help="sampling n_permutations, comma-separated")
    args = ap.parse_args(argv)
    kernel = [dict(n_samples=int(b), max_order="auto") for b in args.budgets.split(",")]
    sampling = [dict(n_permutations=int(q)) for q in args.permutations.split(",")]
    names = args.games.split(",") if args.games else list(games())
    if "k" in args.which or "s" in args.which:
        print("| game | explainer | setting | order | coverage | ± | exact | std inf | RMS err / RMS std |")
        print("|---|---|---|---:|---:|---:|---:|---:|---:|")
    cells = [(KernelShapExplainer, kw) for kw in kernel if "k" in args.which]
    cells += [(ShapleySamplingExplainer, kw) for kw in sampling if "s" in args.which]
    for name in names:
        for cls, kw in cells:
            t0 = time.perf_counter()
            cov, se, ex, inf, ratio, orders = coverage(name, cls, kw, args.seeds)
            setting = ", ".join(f"{k}={v}" for k, v in kw.items())
            order = ",".join(str(o) for o in sorted(orders, key=str))
            print(
                f"| {name} | {cls.__name__.replace('Explainer', '')} | {setting} | {order} | {cov:.3f} | {se:.3f} "
                f"| {ex:.2f} | {inf:.2f} | {ratio:.2f} |  <!-- {time.perf_counter() - t0:.0f} s -->",
                flush=True,
            )
    if "t" in args.which:
        print(
            "\n| game | explainer | tol | runs that met tol | evaluations | values over tol (run's scale) "
            "| (exact scale) | runs that met tol with a value over it |"
        )
        print("|---|---|---:|---:|---|---:|---:|---:|")
        for name in names:
            for cls, kw in TOL:
                for tol in (0.02, 0.05):
                    stopped, o_est, o_true, r_over, used = tol_cell(name, cls, kw, tol, args.seeds)
                    print(
                        f"| {name} | {cls.__name__.replace('Explainer', '')} | {tol} | {stopped}/{args.seeds} "
                        f"| {used} | {o_est:.3f} | {o_true:.3f} | {r_over:.2f} |",
                        flush=True,
                    )


if __name__ == "__main__":
    main()
