"""LIME for text on a document of many distinct words and few perturbations: time and peak RSS
of ``explain``, for this checkout and an older copy (``--old DIR``, a ``git archive`` of
skxai), each in its own process (the surrogate's weights are the same: tested against
scikit-learn's weighted Ridge in tests/surrogate/test_audit32_wide_surrogate.py).

    OMP_NUM_THREADS=1 python benchmarks/probe_lime_wide_surrogate.py --old /tmp/tree_old32 --words 14000 --samples 20
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys


def case(words, samples):
    import resource
    import time

    import numpy as np

    from skxai.surrogate import LimeTextExplainer

    doc = " ".join(f"w{i}" for i in range(words))

    def model(texts):
        share = np.array([min(1.0, len(t) / 1e5) for t in texts])
        return np.column_stack([share, 1 - share])

    explainer = LimeTextExplainer(model, n_samples=samples, target=0, random_state=0).fit(["w1 w2", "w3"])
    t = time.process_time()
    explainer.explain([doc])
    took = time.process_time() - t
    print(f"{took:.2f} {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--old")
    parser.add_argument("--words", type=int, default=14000)
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--case", action="store_true")
    args = parser.parse_args()
    if args.case:
        case(args.words, args.samples)
        return
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    print(f"| copy | explain of {args.words} words at n_samples={args.samples} (s) | peak RSS (MiB) |")
    print("|---|---:|---:|")
    for name, path in (("old", args.old), ("new", here)):
        if path is None:
            continue
        cmd = [sys.executable, __file__, "--case", "--words", str(args.words), "--samples", str(args.samples)]
        out = subprocess.run(cmd, env=dict(os.environ, PYTHONPATH=path), check=True, capture_output=True, text=True)
        took, rss = out.stdout.split()
        print(f"| {name} | {took} | {rss} |")


if __name__ == "__main__":
    main()
