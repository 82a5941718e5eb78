"""Could a frozen graph run Score-CAM's masked forwards below the eager floor? (issue 16)

Score-CAM on the 3x64x64 benchmark CNN is within 1.15x of the forwards its definition needs
(``benchmarks/results/cam.md``). This times those forwards (512 masked images, 32 per forward,
one torch thread, process CPU time, best of 5) in eager channels-last (what skxai runs), traced
and frozen, ``torch.jit.optimize_for_inference``, and ``torch.utils.mkldnn``, and prints each
one's largest difference from eager.

    OMP_NUM_THREADS=1 python benchmarks/probe_scorecam_frozen.py
"""

import copy
import sys
import time
import warnings
from pathlib import Path

import torch
import torch.utils.mkldnn

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import rgb_cnn_batch  # noqa: E402

warnings.filterwarnings("ignore")


def best_ms(fn, repeats=5):
    best = float("inf")
    for _ in range(repeats):
        t0 = time.process_time()
        fn()
        best = min(best, time.process_time() - t0)
    return 1e3 * best


def main():
    torch.set_num_threads(1)
    net, x = rgb_cnn_batch()
    xb = x[:8].repeat_interleave(64, 0)  # 512 images, as 8 images' masked copies
    chunks = range(0, len(xb), 32)
    with torch.inference_mode():
        xc = xb.contiguous(memory_format=torch.channels_last)
        eager_net = copy.deepcopy(net).to(memory_format=torch.channels_last)
        frozen = torch.jit.freeze(torch.jit.trace(copy.deepcopy(net), xc[:32]))
        optimized = torch.jit.optimize_for_inference(torch.jit.trace(copy.deepcopy(net), xb[:32]))
        mkl = torch.utils.mkldnn.to_mkldnn(copy.deepcopy(net))
        runs = {
            "eager channels-last": lambda: torch.cat([eager_net(xc[i : i + 32]) for i in chunks]),
            "traced and frozen": lambda: torch.cat([frozen(xc[i : i + 32]) for i in chunks]),
            "optimize_for_inference": lambda: torch.cat([optimized(xb[i : i + 32]) for i in chunks]),
            "mkldnn": lambda: torch.cat([mkl(xb[i : i + 32].to_mkldnn()).to_dense() for i in chunks]),
        }
        ref = runs["eager channels-last"]()
        base = best_ms(runs["eager channels-last"])
        for name, fn in runs.items():
            ms = best_ms(fn)
            diff = (fn() - ref).abs().max().item()
            print(f"{name}: {ms:.1f} ms, eager / this {base / ms:.2f}, max abs diff {diff:.1e}")


if __name__ == "__main__":
    main()
