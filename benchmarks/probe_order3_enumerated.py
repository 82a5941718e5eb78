"""Order-3 KernelSHAP just past the budget that first enumerates size 2 (issue 14).

An audit found order 3 ("auto", and ``max_order=3``) under-covering on logistic regressions of
12-16 features, at budgets just past the one from which sizes 2 and ``p - 2`` are enumerated
whole. Here, for each cell, the coverage of +-1.96 std (RMS error / RMS std in brackets) and the
relative error mean |phi - exact| / mean |exact| of three fits: "before" (designs enumerating
whole sizes up to 0.4 of the budget, the rule until 2026-12-05), "now" (the package: sizes past
the single players only while the rest samples ``KADD_SAMPLED_PER_TOP_TERM`` coalitions per
top-order term) and the linear fit. Games: the calibration games of ``bench_calibration.py``
and a fitted logistic regression's probability; its rows, background and seeds.

    python benchmarks/probe_order3_enumerated.py [--seeds 10]
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import numpy as np  # noqa: E402
from bench_calibration import calibration_problem, coverage, make_games  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402

from skxai import ExactShapleyExplainer, KernelShapExplainer, _estimate  # noqa: E402
from skxai._designs import enumerated_coalitions  # noqa: E402

warnings.filterwarnings("ignore")

# (features, max_order, n_samples)
CASES = [(12, "auto", 300), (12, "auto", 400), (12, "auto", 500), (13, "auto", 460), (13, "auto", 500),
         (13, "auto", 620), (14, "auto", 530), (14, "auto", 700), (14, "auto", 900), (15, "auto", 600),
         (15, "auto", 700), (16, 3, 700), (16, 3, 1000)]


def logistic_game(p, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(400, p))
    y = (X @ rng.normal(size=p) + rng.logistic(size=400) > 0).astype(int)
    model = LogisticRegression().fit(X, y)
    return lambda A: model.predict_proba(A)[:, 1]


def old_share(order, p, budget):
    return 0.4 if order > 1 and budget < 2 ** min(p, 62) / 4 else 1.0


def fit(game, order, budget, X, bg, exact, seeds):
    cov, _, _, ratio, orders, unknown = coverage(game, "KernelSHAP", dict(n_samples=budget, max_order=order), X, bg,
                                                 exact, seeds)
    err = [np.abs(KernelShapExplainer(game, n_samples=budget, max_order=order, max_background=None,
                                      random_state=s).fit(bg).transform(X) - exact).mean() for s in range(seeds)]
    return f"{cov:.3f} ({ratio:.2f}), {np.mean(err) / np.abs(exact).mean():.3f}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=10)
    args = ap.parse_args()
    new_share = _estimate.enumerated_share
    print("| features | max_order | n_samples | game | enumerated coalitions before / now | before: coverage "
          "(RMS err / RMS std), rel. error | now | linear fit |")
    print("|---:|---|---:|---|---:|---|---|---|")
    for p, order, budget in CASES:
        X, bg, _ = calibration_problem(p)
        games = {**make_games(p), "logistic regression": logistic_game(p)}
        games.pop("order 2 (pairwise)")  # recovered exactly by every fit
        used = _estimate.kernel_order(order, p, budget)
        counts = [enumerated_coalitions(p, budget, share(used, p, budget))[1] for share in (old_share, new_share)]
        for name, game in games.items():
            exact = ExactShapleyExplainer(game, max_background=None).fit(bg).transform(X)
            _estimate.enumerated_share = old_share
            before = fit(game, order, budget, X, bg, exact, args.seeds)
            _estimate.enumerated_share = new_share
            now = fit(game, order, budget, X, bg, exact, args.seeds)
            lin = fit(game, 1, budget, X, bg, exact, args.seeds)
            print(f"| {p} | {order} | {budget} | {name} | {counts[0]} / {counts[1]} | {before} | {now} | {lin} |",
                  flush=True)


if __name__ == "__main__":
    main()
