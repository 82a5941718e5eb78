"""cProfile of KernelSHAP calls on a new design each time (issue 16: where the time goes).

The 13-feature MLP of ``bench_shapley.py``, 40 background rows, 1,024 coalitions, 8 rows,
``random_state=None`` (every call draws a new design, so nothing is reused), one BLAS thread.
Prints the call's time over the model's own time in the same calls, then the profile.

    OMP_NUM_THREADS=1 python benchmarks/probe_kernel_profile.py [--calls 3]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_shapley import setup, timed_model  # noqa: E402

from skxai.shapley import KernelShapExplainer  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--calls", type=int, default=3)
    args = ap.parse_args()
    f, background, rows = setup(8)
    rows = rows[:8]
    timed, inside = timed_model(f)
    est = KernelShapExplainer(timed, n_samples=1024, max_background=None, random_state=None).fit(background[:40])
    est.explain(rows[:2])
    inside[0] = 0.0
    profile = cProfile.Profile()
    t = time.process_time()
    profile.enable()
    for _ in range(args.calls):
        est.explain(rows)
    profile.disable()
    total = time.process_time() - t
    print(f"per call: {1e3 * total / args.calls:.1f} ms, the model {1e3 * inside[0] / args.calls:.1f} ms, "
          f"ratio {total / inside[0]:.2f} (under the profiler)")
    pstats.Stats(profile).sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()
