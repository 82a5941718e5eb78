"""The conditional game's v(empty) on a k-means background (session 25, issue 14).

f(x) = sum_j x_j^2 on 3 independent standard normal features, 2,000 rows, 10 k-means centres,
Gaussian sampler with 20,000 samples per coalition; the row x = 0. The truth is the exact
Shapley value of the Gaussian conditional game of the data's mean and covariance with v(empty)
the model's mean over the data (closed form: E[x_k^2 | x_S] = m_k^2 + C_kk).

    OMP_NUM_THREADS=1 python benchmarks/probe_kmeans_v_empty.py

The closed form is the test's (``tests/shapley/test_audit11_conditional.py``).
"""

import sys
from pathlib import Path

import numpy as np

from skxai import ExactShapleyExplainer, KernelShapExplainer, ShapleySamplingExplainer

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.shapley.test_audit11_conditional import _gaussian_squares_shapley as truth  # noqa: E402
from tests.shapley.test_audit11_conditional import _squares as squares  # noqa: E402


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
