"""The linear fit against order 3 past "auto"'s 0.6 terms rule (issue 14).

"auto" first fitted interactions only when their terms numbered at most 0.6 times the
coalitions (``AUTO_TERMS_SHARE``). Past that, with enough sampled pairs, order 3 is asked for
explicitly here and compared with the linear fit: coverage of +-1.96 std, the share of unknown
errors and the relative error mean |phi - exact| / mean |exact|, on the games of
``bench_calibration.py`` (10 seeds). These settings (1.17-1.79 terms per coalition) are the
evidence for ``AUTO_ORDER3_SHARE``: "auto" now takes order 3 in them too.

    python benchmarks/probe_terms_rule.py [--seeds 10]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from probe_kadd_units import run  # noqa: E402

from skxai._designs import sampled_units  # noqa: E402
from skxai._estimate import enumerated_share, n_interaction_terms  # noqa: E402

# (features, n_samples): order 3 has 0.95-1.8 terms per coalition here
CASES = [(10, 100), (10, 150), (11, 200), (12, 250), (13, 256), (13, 400)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=10)
    args = ap.parse_args()
    print("| features | n_samples | order-3 terms / coalitions | sampled pairs (order 3) | game "
          "| linear: coverage, relative error | order 3: coverage, relative error |")
    print("|---:|---:|---:|---:|---|---|---|")
    for p, budget in CASES:
        lin = run(p, 1, budget, args.seeds)
        kadd = run(p, 3, budget, args.seeds)
        terms = n_interaction_terms(p, 3) / (budget - 2)
        pairs = sampled_units(p, budget, enumerated_share(3, p, budget))
        for (g, c1, _, _, _, r1), (_, c3, _, _, _, r3) in zip(lin, kadd, strict=True):
            print(f"| {p} | {budget} | {terms:.2f} | {pairs} | {g} | {c1:.3f}, {r1:.3f} | {c3:.3f}, {r3:.3f} |",
                  flush=True)


if __name__ == "__main__":
    main()
