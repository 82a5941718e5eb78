"""Rows whose sampled coalitions showed no change (session 37, issue 14).

A 1-nearest-neighbour classifier on columns 20-29 of the digits (odd digit or not), explained
against 1 or 3 background rows (with one row each coalition's value is 0 or 1), 8 rows, 60
seeds; exact values from :class:`~skxai.ExactShapleyExplainer` (1,024 coalitions). Per cell:
the coverage of ``values +- 1.96 std`` over the values with a finite ``std`` and an error above
1e-9 of the largest exact value, the share of values with an infinite ``std``, and the share
with ``std`` under 1e-9 of that scale but an error above 1e-6. Then ``tol=0.05`` with 32
permutations on 100 seeds of the row whose exact values are +/-1/12 while ``f(x) = f(bg)``:
the runs that stopped without a ConvergenceWarning on values of all 0.

    OMP_NUM_THREADS=1 python benchmarks/probe_unchanged_rows.py
"""

import warnings

import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.neighbors import KNeighborsClassifier

from skxai import ExactShapleyExplainer, KernelShapExplainer, ShapleySamplingExplainer


def cell(f, background, rows, exact, cls, kw, seeds=60):
    scale = np.abs(exact).max()
    hits = counted = infinite = zero_off = total = 0
    for seed in range(seeds):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            exp = cls(f, max_background=None, random_state=seed, **kw).fit(background).explain(rows)
        phi, std = exp.values[..., 0], exp.std[..., 0]
        err = np.abs(phi - exact)
        total += err.size
        infinite += int(np.isinf(std).sum())
        zero_off += int(((std < 1e-9 * scale) & (err > 1e-6)).sum())
        judged = np.isfinite(std) & (err >= 1e-9 * scale)
        hits += int((err[judged] <= 1.96 * std[judged]).sum())
        counted += int(judged.sum())
    return hits / max(counted, 1), infinite / total, zero_off / total


def main():
    digits = load_digits()
    X, y = digits.data[:, 20:30].astype(float), digits.target % 2
    knn = KNeighborsClassifier(1).fit(X, y)

    def f(A):
        return knn.predict_proba(A)[:, 1]

    rng = np.random.RandomState(1)
    print("| background rows | explainer | budget | coverage (finite std) | std inf | std ~0, error > 1e-6 |")
    print("|---:|---|---|---:|---:|---:|")
    for n_bg in (1, 3):
        order = rng.permutation(len(X))
        background, rows = X[order[:n_bg]], X[order[n_bg : n_bg + 8]]
        exact = ExactShapleyExplainer(f, max_background=None).fit(background).explain(rows).values[..., 0]
        for cls, kw in (
            (KernelShapExplainer, {"n_samples": 30, "max_order": 1}),
            (KernelShapExplainer, {"n_samples": 60}),
            (ShapleySamplingExplainer, {"n_permutations": 4}),
            (ShapleySamplingExplainer, {"n_permutations": 8}),
        ):
            cov, inf, zero = cell(f, background, rows, exact, cls, kw)
            budget = ", ".join(f"{k}={v}" for k, v in kw.items())
            print(f"| {n_bg} | {cls.__name__} | {budget} | {cov:.3f} | {inf:.3f} | {zero:.4f} |")
    order = np.random.RandomState(1).permutation(len(X))
    background, row = X[order[:1]], X[order[8:9]]
    silent = 0
    for seed in range(100):
        with warnings.catch_warnings(record=True) as rec:
            warnings.simplefilter("always")
            est = ShapleySamplingExplainer(f, max_background=None, random_state=seed, tol=0.05, n_permutations=32)
            exp = est.fit(background).explain(row)
        warned = any(issubclass(w.category, ConvergenceWarning) for w in rec)
        silent += int(not warned and np.all(exp.values == 0))
    print(f"\ntol=0.05, 32 permutations, 100 seeds: {silent} runs stopped silently on values of all 0")


if __name__ == "__main__":
    main()
