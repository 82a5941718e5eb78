"""KernelSHAP rows whose sampled coalitions happen to fit an additive game exactly (a step-like
model): the replicates agree, ``std`` sits at the rounding floor, and the values are off.

A 3-nearest-neighbour classifier on the first 9 columns of breast_cancer, 30 background rows,
12 explained rows, 20 seeds; exact values by enumerating the 512 coalitions. Prints, per budget,
the values reported with a ``std`` under 1e-9, how many of those miss their exact value by more
than 1.96 std, their largest error, and the coverage of the whole cell.

    OMP_NUM_THREADS=1 python benchmarks/probe_zero_spread_steps.py
"""

import itertools
import math
import warnings

import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.neighbors import KNeighborsClassifier

from skxai import KernelShapExplainer


def exact_values(f, background, rows):
    p = background.shape[1]
    masks = np.array(list(itertools.product([0, 1], repeat=p)), bool)
    weights = np.array([math.factorial(k) * math.factorial(p - k - 1) for k in range(p)], float)
    weights /= math.factorial(p)
    index = {tuple(m): j for j, m in enumerate(masks)}
    out = []
    for x in rows:
        Z = np.where(masks[:, None, :], x[None, None, :], background[None, :, :]).reshape(-1, p)
        v = f(Z).reshape(len(masks), len(background)).mean(axis=1)
        phi = np.zeros(p)
        for m, value in zip(masks, v, strict=True):
            for i in np.flatnonzero(~m):
                with_i = m.copy()
                with_i[i] = True
                phi[i] += weights[m.sum()] * (v[index[tuple(with_i)]] - value)
        out.append(phi)
    return np.array(out)


def main():
    X, y = load_breast_cancer(return_X_y=True)
    X = X[:, :9]
    model = KNeighborsClassifier(n_neighbors=3).fit(X, y)
    rng = np.random.RandomState(0)
    background = X[rng.permutation(len(X))[:30]]
    rows = X[np.random.RandomState(1).choice(len(X), 12, replace=False)]
    phi = exact_values(lambda Z: model.predict_proba(Z)[:, 1], background, rows)
    print("| n_samples | values | std < 1e-9 | of which missed | largest error there | coverage |")
    print("|---:|---:|---:|---:|---:|---:|")
    for budget in (27, 30, 50, 100):
        tiny = missed = total = covered = 0
        worst = 0.0
        for seed in range(20):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                ex = KernelShapExplainer(model, n_samples=budget, max_order=1, random_state=seed, target=1)
                exp = ex.fit(background).explain(rows)
            values, std = exp.target_values, exp.std[..., 1]
            err = np.abs(values - phi)
            small = std < 1e-9
            tiny += int(small.sum())
            missed += int((small & (err > 1.96 * std)).sum())
            worst = max(worst, float(err[small].max(initial=0.0)))
            total += err.size
            covered += int((err <= 1.96 * std).sum())
        print(f"| {budget} | {total} | {tiny} | {missed} | {worst:.2g} | {covered / total:.3f} |")


if __name__ == "__main__":
    main()
