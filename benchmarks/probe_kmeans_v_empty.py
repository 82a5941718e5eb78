"""The conditional game's v(empty) on a k-means background (session 25, issue 14).

f(x) = sum_j x_j^2 on 3 independent standard normal features, 2,000 rows, 10 k-means centres,
Gaussian sampler with 20,000 samples per coalition; the row x = 0. The truth is the exact
Shapley value of the Gaussian conditional game of the data's mean and covariance with v(empty)
the model's mean over the data (closed form: E[x_k^2 | x_S] = m_k^2 + C_kk).

    OMP_NUM_THREADS=1 python benchmarks/probe_kmeans_v_empty.py
"""

import itertools
import math

import numpy as np

from skxai import ExactShapleyExplainer, KernelShapExplainer, ShapleySamplingExplainer


def squares(A):
    return (np.asarray(A, dtype=np.float64) ** 2).sum(axis=1)


def truth(x, mean, cov, v_empty):
    p = len(x)

    def v(S):
        if not S:
            return v_empty
        S, R = list(S), [j for j in range(p) if j not in S]
        if not R:
            return float((x**2).sum())
        A = cov[np.ix_(R, S)] @ np.linalg.inv(cov[np.ix_(S, S)])
        m = mean[R] + A @ (x[S] - mean[S])
        C = cov[np.ix_(R, R)] - A @ cov[np.ix_(S, R)]
        return float((x[S] ** 2).sum() + (m**2).sum() + np.trace(C))

    phi = np.zeros(p)
    for i in range(p):
        others = [j for j in range(p) if j != i]
        for k in range(p):
            for S in itertools.combinations(others, k):
                w = math.factorial(k) * math.factorial(p - k - 1) / math.factorial(p)
                phi[i] += w * (v(tuple(sorted(S + (i,)))) - v(S))
    return phi


def main():
    X = np.random.RandomState(0).randn(2000, 3)
    x = np.zeros(3)
    ref = truth(x, X.mean(axis=0), np.cov(X, rowvar=False), squares(X).mean())
    print(f"truth: {np.round(ref, 3)}")
    print("| explainer | expected_value_ | values | std | max abs error / std |")
    print("|---|---:|---|---|---:|")
    for cls in (ExactShapleyExplainer, KernelShapExplainer, ShapleySamplingExplainer):
        ex = cls(squares, game="conditional", background="kmeans", max_background=10, n_conditional_samples=20000,
                 random_state=0).fit(X)
        exp = ex.explain(x[None])
        values, std = exp.values[0, :, 0], exp.std[0, :, 0]
        print(f"| {cls.__name__} | {ex.expected_value_[0]:.3f} | {np.round(values, 3)} | {np.round(std, 3)} | "
              f"{np.max(np.abs(values - ref) / std):.1f} |")


if __name__ == "__main__":
    main()
