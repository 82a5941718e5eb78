"""Coverage of permutation sampling's phi +/- 1.96 std on the two skewed problems of
``tests/shapley/test_audit3_reviewer_games.py`` (a scaled logistic pipeline explained against 6
background rows, and the product game), over 30 seeds, at 6-100 permutations (issue 14).

    python benchmarks/probe_pipeline_bg6.py [--seeds 30]

Exact values by enumeration (the test file's ``brute_force_shapley``); coverage as the test
file's ``_coverage`` counts it.
"""

import argparse
import sys
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from skxai import ShapleySamplingExplainer  # noqa: E402
from tests.shapley.test_audit3_reviewer_games import (  # noqa: E402
    _coverage,
    _product,
    _scaled_logistic,
    brute_force_shapley,
)

warnings.filterwarnings("ignore")


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=30)
    args = ap.parse_args(argv)
    for name, make in [("pipeline_bg6", _scaled_logistic), ("product", _product)]:
        f, X, bg = make()
        exact = brute_force_shapley(f, X, bg)
        cells = []
        for q in (6, 10, 20, 50, 100):
            cov, _ = _coverage(
                lambda g, s, q=q: ShapleySamplingExplainer(g, n_permutations=q, max_background=None, random_state=s),
                [(f, X, bg, exact)],
                seeds=args.seeds,
            )
            cells.append(f"{q}: {cov:.3f}")
        print(name, " | ".join(cells), flush=True)


if __name__ == "__main__":
    main()
