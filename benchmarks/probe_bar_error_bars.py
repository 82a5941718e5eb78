"""Coverage of BarDisplay's error bars (``error_bars=True``) for the exact mean |value| over rows.

KernelSHAP fits every explained row on one design and permutation sampling walks one set of
permutations for every row: the rows' errors are correlated, and the bar shows a mean of
absolute values. For each seed, the bars drawn by ``BarDisplay.from_explanation`` are compared
with the exact mean |value| (``ExactShapleyExplainer`` on the same background); the bars held
when ``|mean|phi_hat| - mean|phi|| <= 1.96 * bar``. Also printed: the bars as independent
errors, ``sqrt(sum std^2) / n`` (what the display drew before session 26), on the same
explanations.

    OMP_NUM_THREADS=1 python benchmarks/probe_bar_error_bars.py --seeds 60
"""

from __future__ import annotations

import argparse
import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.datasets import load_diabetes, make_classification  # noqa: E402
from sklearn.ensemble import GradientBoostingRegressor  # noqa: E402
from sklearn.neural_network import MLPRegressor  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.svm import SVC  # noqa: E402

from skxai import ExactShapleyExplainer, KernelShapExplainer, ShapleySamplingExplainer  # noqa: E402
from skxai.plot import BarDisplay  # noqa: E402


def _models():
    X, y = load_diabetes(return_X_y=True)
    X = X[:, :8]
    yield "booster, diabetes (8 features)", GradientBoostingRegressor(random_state=0).fit(X, y), X
    rng = np.random.RandomState(2)
    X = rng.normal(size=(500, 9))
    y = X[:, 0] * X[:, 1] + np.sin(2 * X[:, 2]) + X[:, 3] ** 2 - X[:, 4] * X[:, 5] * X[:, 6] + X[:, 7]
    yield "MLP (9 features)", MLPRegressor(hidden_layer_sizes=(32, 32), max_iter=800, random_state=0).fit(X, y), X
    X, y = make_classification(400, 7, n_informative=5, random_state=1)
    svc = make_pipeline(StandardScaler(), SVC(probability=True, random_state=0)).fit(X, y)
    yield "SVC probability (7 features)", svc, X


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=60)
    args = ap.parse_args()
    warnings.filterwarnings("ignore")
    print("| model | explainer | budget | bars drawn: coverage | as independent: coverage |")
    print("|---|---|---|---:|---:|")
    for name, model, X in _models():
        bg, rows = X[:25], X[100:120]
        exact = ExactShapleyExplainer(model, max_background=25).fit(bg).explain(rows).values[:, :, -1]
        truth = np.abs(exact).mean(axis=0)
        settings = [
            ("KernelSHAP", KernelShapExplainer, {"n_samples": 64, "max_order": 1}),
            ("sampling", ShapleySamplingExplainer, {"n_permutations": 10}),
        ]
        for label, cls, budget_kw in settings:
            drawn, independent = [], []
            for seed in range(args.seeds):
                exp = cls(model, max_background=25, random_state=seed, **budget_kw).fit(bg).explain(rows)
                disp = BarDisplay.from_explanation(exp, error_bars=True, max_display=20)
                plt.close("all")
                err = np.abs(np.asarray(disp.importances) - truth)
                sd = np.asarray(exp.std)[:, :, -1]
                drawn.append(err <= 1.96 * np.asarray(disp.std))
                independent.append(err <= 1.96 * np.sqrt((sd**2).sum(axis=0)) / len(sd))
            budget = "64 coalitions" if label == "KernelSHAP" else "10 permutations"
            print(f"| {name} | {label} | {budget} | {np.mean(drawn):.3f} | {np.mean(independent):.3f} |", flush=True)


if __name__ == "__main__":
    main()
