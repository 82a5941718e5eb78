"""Opti-CAM's Adam eps (relative to each image's first gradient): how far an image's map moves
with the images optimised beside it, and the optimised scores, for several eps.

Two random CNNs (1x8x8 and 3x32x32, six images each), ``max_iter`` 10 and 100; each image
explained alone and in the batch of six. Prints the largest |map alone - map in the batch| over
the maps' largest value, and the mean optimised score (``masked_score``).

    OMP_NUM_THREADS=1 python benchmarks/probe_opticam_eps.py [--eps 1e-8 1e-4 1e-2]
"""

from __future__ import annotations

import argparse
import inspect

import numpy as np
import torch
from torch import nn

import skxai.cam._opticam as opticam

torch.set_num_threads(1)


def nets():
    torch.manual_seed(0)
    small = nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.Conv2d(4, 4, 3, padding=1), nn.ReLU(),
        nn.AdaptiveAvgPool2d(2), nn.Flatten(), nn.Linear(16, 3),
    ).eval()  # fmt: skip
    torch.manual_seed(1)
    rgb = nn.Sequential(
        nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(16, 5),
    ).eval()  # fmt: skip
    X1 = np.random.RandomState(1).rand(6, 1, 8, 8).astype(np.float32)
    X2 = np.random.RandomState(2).rand(6, 3, 32, 32).astype(np.float32)
    return [("1x8x8", small, X1, "3"), ("3x32x32", rgb, X2, "4")]


def with_eps(eps):
    """The explainer class with its Adam eps replaced (the module's source, one constant changed)."""
    source = inspect.getsource(opticam)
    line = next(ln for ln in source.splitlines() if "beta1, beta2, eps = 0.9, 0.999," in ln)
    namespace = dict(vars(opticam))
    exec(compile(source.replace(line, line.split("=")[0] + f"= 0.9, 0.999, {eps}"), opticam.__file__, "exec"),
         namespace)  # fmt: skip
    return namespace["OptiCamExplainer"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--eps", nargs="+", default=["1e-8", "1e-4", "1e-2"])
    args = ap.parse_args()
    print("| eps | network | max_iter | max abs(alone - batch) / max map | mean optimised score |")
    print("|---|---|---:|---:|---:|")
    for eps in args.eps:
        cls = with_eps(float(eps))
        for name, net, X, layer in nets():
            for iters in (10, 100):
                ex = cls(net, target_layer=layer, max_iter=iters).fit(X)
                batch = ex.explain(X)
                alone = np.concatenate([ex.explain(X[i : i + 1]).values for i in range(len(X))])
                rel = np.abs(alone - batch.values).max() / np.abs(batch.values).max()
                print(f"| {eps} | {name} | {iters} | {rel:.1e} | {batch.extras['masked_score'].mean():.5f} |")


if __name__ == "__main__":
    main()
