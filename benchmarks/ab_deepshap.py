"""A/B of DeepShapExplainer.transform against another checkout of skxai, in one process.

The networks of ``bench_gradient.py`` (the trained digits CNN, 256 images; the 3x64x64 CNN, 32
images), each sample's predicted class as a per-sample target, a zero reference (DeepLift) and 10
references (DeepSHAP), ``batch_size`` twice the images. The other checkout's ``skxai`` is imported
under another name (:func:`benchmarks._ab.renamed_copy`); both run alternately in each round.
Prints the minima, the median (range) of new / old per round, and whether the values are
identical (``transform`` and ``explain``).

    OMP_NUM_THREADS=1 python benchmarks/ab_deepshap.py --old-checkout DIR
"""

from __future__ import annotations

import argparse
import importlib
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from benchmarks._ab import renamed_copy  # noqa: E402

warnings.filterwarnings("ignore")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--old-checkout", required=True, help="a folder holding the other skxai package")
    ap.add_argument("--rounds", type=int, default=0, help="rounds per case (default: 30 / 6 / 4)")
    args = ap.parse_args()
    sys.path.insert(0, renamed_copy(args.old_checkout, tempfile.mkdtemp(), "skxai_old"))
    old_mod = importlib.import_module("skxai_old")
    import bench_gradient as bg

    torch.set_num_threads(1)
    print("| network | case | new ms (min) | old ms (min) | new / old per round: median (range) | identical |")
    print("|---|---|---:|---:|---:|---|")
    for net_name, (net, x, _) in (("digits 1x8x8, 256", bg.digits_setup()), ("rgb 3x64x64, 32", bg.rgb_setup())):
        t_np = net(x).argmax(1).numpy()
        cases = (
            ("DeepLift (zero reference)", np.zeros((1,) + tuple(x.shape[1:]), dtype=np.float32)),
            ("DeepSHAP (10 references)", x[-10:].numpy()),
        )
        for label, refs in cases:
            new = bg.DeepShapExplainer(net, target=t_np, batch_size=2 * len(x)).fit(refs)
            old = old_mod.DeepShapExplainer(net, target=t_np, batch_size=2 * len(x)).fit(refs)
            same = np.array_equal(new.transform(x), old.transform(x)) and np.array_equal(
                new.explain(x).values, old.explain(x).values
            )
            rounds = args.rounds or (4 if "SHAP" in label else 30 if "digits" in net_name else 6)
            t_new, t_old = [], []
            for r in range(rounds):
                for which in (0, 1) if r % 2 else (1, 0):
                    t = time.process_time()
                    (new if which == 0 else old).transform(x)
                    (t_new if which == 0 else t_old).append(time.process_time() - t)
            per = np.asarray(t_new) / np.asarray(t_old)
            print(
                f"| {net_name} | {label} | {1e3 * min(t_new):.1f} | {1e3 * min(t_old):.1f} | "
                f"{np.median(per):.2f} ({per.min():.2f}-{per.max():.2f}) | {same} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
