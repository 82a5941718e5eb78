"""How far a tabular anchor's reported ``precision`` sits above its precision on fresh data.

The reported figure is the estimate on the fresh samples that accepted the anchor; sampling stops
once it clears the acceptance rule, so among accepted anchors it reads high (the winner's curse
of any sequential test). The guarantee is ``precision_lower``; ``estimate_precision`` on held-out
rows gives an estimate free of the choice. Independent Gaussian features, so the explainer's
sampler (anchored bins drawn apart from the other features) is exact and rows of the generator
in the anchor's bins measure the precision it was judged on.

    OMP_NUM_THREADS=1 python benchmarks/probe_anchor_acceptance_bias.py
"""

import argparse

import numpy as np
from sklearn.ensemble import GradientBoostingClassifier

from skxai import AnchorTabularExplainer


def generator(rng, n):
    X = rng.normal(size=(n, 6))
    score = 2 * X[:, 0] * X[:, 1] + np.sin(3 * X[:, 2]) + X[:, 3] ** 2 - 1 + 0.3 * rng.normal(size=n)
    return X, (score > 0).astype(int)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=120)
    parser.add_argument("--thresholds", type=float, nargs="+", default=[0.8, 0.95])
    parser.add_argument("--fresh", type=int, default=400_000)
    args = parser.parse_args()
    rng = np.random.RandomState(1)
    X, y = generator(rng, 2000)
    model = GradientBoostingClassifier(random_state=0).fit(X, y)
    background, _ = generator(rng, 400)
    rows, _ = generator(rng, args.rows)
    fresh, _ = generator(rng, args.fresh)
    print(
        "| threshold | accepted | reported precision - fresh (mean, s.e.) | lower bound - fresh (mean) "
        "| fresh below threshold | fresh below lower bound |"
    )
    print("|---:|---:|---:|---:|---:|---:|")
    for threshold in args.thresholds:
        ex = AnchorTabularExplainer(model, threshold=threshold, random_state=0).fit(background)
        exp = ex.explain(rows)
        on_fresh = ex.estimate_precision(rows, exp, data=fresh)
        ok = exp.success & np.isfinite(on_fresh)
        d = exp.precision[ok] - on_fresh[ok]
        lower = exp.precision_lower[ok] - on_fresh[ok]
        print(
            f"| {threshold} | {ok.sum()} of {len(rows)} | {d.mean():+.4f} ({d.std(ddof=1) / np.sqrt(ok.sum()):.4f}) "
            f"| {lower.mean():+.4f} | {int(np.sum(on_fresh[ok] < threshold))} | {int(np.sum(lower > 0))} |"
        )


if __name__ == "__main__":
    main()
