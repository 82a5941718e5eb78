"""Where a CAM call on the digits CNN spends its time beyond the network's forward (issue 16).

The network and batch of ``bench_cam.py`` (digits, 256 images, layer ``3``). Each part is timed
alone, 2,000 calls, 10th percentile of the wall time, one torch thread.

    OMP_NUM_THREADS=1 python benchmarks/probe_cam_parts.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_cam import digits_setup  # noqa: E402

import skxai  # noqa: E402
from skxai.cam._base import combine  # noqa: E402


def p10(fn, calls=2000):
    times = []
    for _ in range(calls):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return 1e3 * float(np.percentile(times, 10))


def main():
    torch.set_num_threads(1)
    net, layer, _, x = digits_setup()
    cam = skxai.CamExplainer(net, target_layer=layer, upsample=False, batch_size=256, relu=False).fit(x[:2])
    model = cam.model_
    with model.prepared():
        lp = cam._capture_once(x, layer, None, False)
    weights = cam._channel_weights(lp)
    flat = lp.activations.reshape(len(x), weights.shape[1], -1)
    xa = cam._validate_images(x)

    def forward():
        with torch.no_grad():
            return net(x)

    def state():
        with model.prepared():
            pass

    parts = {
        "the whole transform call": lambda: cam.transform(x),
        "the network's forward alone (no_grad)": forward,
        "structure check and channel weights (`_channel_weights`)": lambda: cam._channel_weights(lp),
        "weighted sum, `bmm` (used)": lambda: combine(lp.activations, weights),
        "weighted sum, `einsum`": lambda: torch.einsum("nk,nks->ns", weights, flat),
        "weighted sum, broadcast and sum": lambda: (flat * weights[:, :, None]).sum(1),
        "weighted sum, `matmul` of the transpose": lambda: flat.transpose(1, 2) @ weights[:, :, None],
        "input validation": lambda: cam._validate_images(x),
        "tensor conversion": lambda: model.to_tensor(xa),
        "model state saved and restored (`prepared`)": state,
    }
    print("| part | ms (10th percentile of 2,000 calls) |")
    print("|---|---:|")
    for name, fn in parts.items():
        print(f"| {name} | {p10(fn):.3f} |", flush=True)


if __name__ == "__main__":
    main()
