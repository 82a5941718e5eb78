"""Where a CAM call on the digits CNN spends its time beyond the network's forward (issue 16).

The network and batch of ``bench_cam.py`` (digits, 256 images, layer ``3``). Each part is timed
alone, 2,000 calls, 10th percentile of the wall time, one torch thread.

A second table times the parts where ``transform`` runs them (each method wrapped in a timer, 2,000
calls, median): right after the network's forward every small operation costs two to three times
its time alone (its code and data have left the caches), so the parts alone under-count the call.

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
    print()
    inside_the_call(cam, net, x)


def inside_the_call(cam, net, x, calls=2000):
    """Median time of each part inside ``cam.transform(x)``, and of the forward alone between calls."""
    from skxai._torch._capture import LayerCapture
    from skxai._torch._model import TorchModel

    spent = {}

    def timer(owner, attr, label):
        fn = getattr(owner, attr)

        def timed(*args, **kwargs):
            t = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent.setdefault(label, []).append(time.perf_counter() - t)

        return fn, timed

    cls = type(cam)
    wrapped = [
        (cls, "_validate_images", "input validation"),
        (TorchModel, "to_tensor", "tensor conversion"),
        (cls, "_watched_modules", "linear layer looked up (`_watched_modules`)"),
        (LayerCapture, "__enter__", "layer hook registered (`LayerCapture`)"),
        (TorchModel, "forward", "the network's forward with skxai's hooks and output checks"),
        (cls, "_targets", "predicted class (`_targets`)"),
        (cls, "_channel_weights", "structure check and channel weights (`_channel_weights`)"),
        (cls, "_layer_map", "the same and the weighted sum (`_layer_map`)"),
    ]
    originals = []
    for owner, attr, label in wrapped:
        fn, timed = timer(owner, attr, label)
        originals.append((owner, attr, fn))
        setattr(owner, attr, timed)
    whole, alone = [], []
    try:
        for _ in range(calls):
            t = time.perf_counter()
            cam.transform(x)
            whole.append(time.perf_counter() - t)
            t = time.perf_counter()
            with torch.no_grad():
                net(x)
            alone.append(time.perf_counter() - t)
    finally:
        for owner, attr, fn in originals:
            setattr(owner, attr, fn)
    print("| part, inside the transform call | ms (median of 2,000 calls) |")
    print("|---|---:|")
    print(f"| the whole transform call (parts timed) | {1e3 * np.median(whole):.3f} |")
    print(f"| the network's forward alone (no_grad), between the calls | {1e3 * np.median(alone):.3f} |")
    for _, _, label in wrapped:
        print(f"| {label} | {1e3 * np.median(spent[label]):.3f} |")


if __name__ == "__main__":
    main()
