"""A/B timing of this branch's torch explainers against another checkout of skxai, in one process.

The other checkout is imported under another name (``skxai_main``: a copy of its ``skxai``
package with its imports renamed), so both run interleaved on the same machine load; the
ratio new / old is what a shared machine can measure reliably.

    python benchmarks/ab_torch.py --old /tmp/ab --repeats 7
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks._common import digits_cnn, rgb_cnn_batch  # noqa: E402

warnings.filterwarnings("ignore")

CASES = [
    ("GradientExplainer", {}),
    ("GradientXInputExplainer", {}),
    ("IntegratedGradientsExplainer", {"n_steps": 16}),
    ("SmoothGradExplainer", {"n_samples": 16, "random_state": 0}),
    ("GuidedBackpropExplainer", {}),
    ("DeepShapExplainer", {"max_background": 4, "random_state": 0}),
    ("CamExplainer", {"target_layer": "LAYER", "response_method": "decision_function"}),
    ("GradCamExplainer", {"target_layer": "LAYER", "response_method": "decision_function"}),
    ("GradCamPlusPlusExplainer", {"target_layer": "LAYER", "response_method": "decision_function"}),
    ("LayerCamExplainer", {"target_layer": "LAYER", "response_method": "decision_function"}),
    ("HiResCamExplainer", {"target_layer": "LAYER", "response_method": "decision_function"}),
    ("ScoreCamExplainer", {"target_layer": "LAYER", "response_method": "decision_function", "batch_size": 1024}),
    ("AblationCamExplainer", {"target_layer": "LAYER", "response_method": "decision_function", "batch_size": 1024}),
]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--old", required=True)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--only", nargs="*", default=None, help="explainer names to time")
    args = parser.parse_args()
    sys.path.insert(0, args.old)
    import skxai_main

    import skxai

    torch.set_num_threads(1)
    digits = digits_cnn().eval()
    xd = torch.as_tensor(np.random.RandomState(0).uniform(size=(128, 1, 8, 8)).astype(np.float32))
    rgb, xr = rgb_cnn_batch()
    rows = []
    for net_name, net, x, layer in (("digits 1x8x8 x128", digits, xd, "3"), ("rgb 3x64x64 x32", rgb, xr[:16], "7")):
        for name, kw in CASES:
            if args.only and name not in args.only:
                continue
            kw = {k: (layer if v == "LAYER" else v) for k, v in kw.items()}
            if name == "DeepShapExplainer" or "Cam" in name:
                old_kw = {k: ("logits" if v == "decision_function" else v) for k, v in kw.items()}
            else:
                old_kw = kw
            new = getattr(skxai, name)(net, **kw).fit(x[:4])
            old = getattr(skxai_main, name)(net, **old_kw).fit(x[:4])
            a, b = new.transform(x), old.transform(x)
            diff = float(np.abs(a - b).max())
            t_new, t_old = [], []
            for r in range(args.repeats):
                for which in ((0, 1) if r % 2 else (1, 0)):
                    e, store = (new, t_new) if which == 0 else (old, t_old)
                    # process CPU time (one torch thread): time descheduled by other jobs is not counted
                    t = time.process_time()
                    e.transform(x)
                    store.append(1000 * (time.process_time() - t))
            per = np.asarray(t_new) / np.asarray(t_old)  # the two ran back to back in each round
            rows.append((net_name, name, min(t_new), min(t_old), float(np.median(per)), diff,
                         float(per.min()), float(per.max())))
            print(rows[-1], flush=True)
    print("\n| network | explainer | this branch ms (min) | other ms (min) | ratio per round: median (range) "
          "| max abs diff |")
    print("|---|---|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r[0]} | {r[1]} | {r[2]:.1f} | {r[3]:.1f} | {r[4]:.2f} ({r[6]:.2f}-{r[7]:.2f}) | {r[5]:.1e} |")


if __name__ == "__main__":
    main()
