"""Coverage of exact values by ``phi +/- 1.96 std`` with no tolerance, on games the samples
recover exactly (session 27, issue 14).

Three games on 10 features, 30 background rows, 8 explained rows, 10 seeds per cell: a purely
additive one (nonlinear main effects), a game of three features (exact for KernelSHAP's order-3
fit), and one of five features with a four-way term (exact for neither: the control). Exact
values by ``ExactShapleyExplainer`` (all 1,024 coalitions). Printed per cell: coverage, the
count of std exactly 0, the largest error and the largest std. Run it on the code before
through ``PYTHONPATH`` to compare:

    OMP_NUM_THREADS=1 python benchmarks/probe_rounding_floor.py
    OMP_NUM_THREADS=1 python benchmarks/probe_rounding_floor.py --offsets

``--offsets``: a linear regression on 10 features whose outputs carry an offset of 0 to 1e12,
explained with ``tol`` 1e-3 and 1e-6 (KernelSHAP at 1,000 coalitions, 200 permutations): where
the run stops, its largest error against the closed form, its largest std, and whether it
warned that ``tol`` was not met.
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.linear_model import LinearRegression

from skxai import ExactShapleyExplainer, KernelShapExplainer, ShapleySamplingExplainer

P = 10


def games(w):
    def additive(X):
        return np.asarray(X) @ w + np.sin(np.asarray(X)[:, 0])

    def three_features(X):
        X = np.asarray(X)
        return np.tanh(X[:, 0] * X[:, 1]) + X[:, 2] ** 2 * X[:, 1]

    def four_way(X):
        X = np.asarray(X)
        return np.tanh(X[:, 0] + X[:, 1] * X[:, 2] * X[:, 3]) + X[:, 4]

    return {"additive": additive, "three features": three_features, "four-way term (control)": four_way}


def offsets():
    rng = np.random.RandomState(0)
    X = rng.randn(200, P)
    w = np.linspace(0.5, 2, P)
    print("| offset | tol | explainer | stopped at | max error | max std | tol not met (warning) |")
    print("|---:|---:|---|---:|---:|---:|---|")
    for off in (0.0, 1e6, 1e9, 1e12):
        model = LinearRegression().fit(X, X @ w + off)
        exact = (X[:5] - X[:50].mean(axis=0)) * model.coef_
        for tol in (1e-3, 1e-6):
            for cls, kw, knob in (
                (KernelShapExplainer, {"n_samples": 1000}, "n_evaluations"),
                (ShapleySamplingExplainer, {"n_permutations": 200}, "n_permutations"),
            ):
                est = cls(model, tol=tol, random_state=0, max_background=50, **kw).fit(X[:50])
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always")
                    exp = est.explain(X[:5])
                warned = any("tol=" in str(c.message) for c in caught)
                err = np.abs(exp.values[..., 0] - exact).max()
                print(
                    f"| {off:.0e} | {tol:.0e} | {cls.__name__} | {knob}={exp.extras.get(knob)} | {err:.1e} | "
                    f"{exp.std.max():.1e} | {'yes' if warned else 'no'} |"
                )


def main():
    import sys

    if "--offsets" in sys.argv[1:]:
        return offsets()
    warnings.simplefilter("ignore")
    rng = np.random.default_rng(1)
    bg, X, w = rng.normal(size=(30, P)), rng.normal(size=(8, P)), rng.normal(size=P)
    print("| game | explainer | budget | coverage | std == 0 | max error | max std |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for name, f in games(w).items():
        exact = ExactShapleyExplainer(f, max_background=None).fit(bg).transform(X)
        for kind, budgets in (("KernelSHAP", (40, 100, 300, 1000)), ("sampling", (4, 10, 30, 100))):
            for b in budgets:
                hits, zeros, worst, widest = [], 0, 0.0, 0.0
                for seed in range(10):
                    if kind == "KernelSHAP":
                        est = KernelShapExplainer(f, n_samples=b, max_background=None, random_state=seed)
                    else:
                        est = ShapleySamplingExplainer(f, n_permutations=b, max_background=None, random_state=seed)
                    exp = est.fit(bg).explain(X)
                    err, std = np.abs(exp.values[..., 0] - exact), exp.std[..., 0]
                    hits.append(err <= 1.96 * std)
                    zeros += int((std == 0).sum())
                    worst, widest = max(worst, err.max()), max(widest, std[np.isfinite(std)].max(initial=0))
                unit = "coalitions" if kind == "KernelSHAP" else "permutations"
                print(f"| {name} | {kind} | {b} {unit} | {np.mean(hits):.3f} | {zeros} | {worst:.1e} | {widest:.1e} |")


if __name__ == "__main__":
    main()
