"""Torch explainers in a fresh process: glibc's malloc and the pages of every pass.

``bench_gradient.py`` and ``bench_cam.py`` time every library in one long-lived process, whose
heap is held up by the peers' imports. A user's script is a fresh process: there, glibc returns
the freed activations of a pass (several MiB for 256 digit images) to the system at its end, and
the next pass takes them back page by page (minor page faults, each page zeroed by the kernel).

Each case runs in its own child process (torch, skxai and the peer imported, nothing else), once
with glibc's defaults and once with ``MALLOC_TRIM_THRESHOLD_`` and ``MALLOC_MMAP_THRESHOLD_``
raised to 256 MiB; times are process CPU time (one torch thread) of the median of ``--calls``
calls after a first one, and the minor page faults per call (the median call of a child; the range over
the children: how many pages a pass takes back varies from process to process with the heap's
layout). skxai and zennit compute the same
gradients (zennit: one pass of the batch per sample, as skxai).

Usage::

    OMP_NUM_THREADS=1 python benchmarks/probe_cpu_allocator.py --repeats 3
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TUNED = {"MALLOC_TRIM_THRESHOLD_": str(2**28), "MALLOC_MMAP_THRESHOLD_": str(2**28)}
CASES = ["skxai Saliency", "zennit Gradient", "skxai SmoothGrad n=50", "zennit SmoothGrad n=50", "skxai GradCam"]

CHILD = r"""
import json, resource, sys, time
import numpy as np, torch
sys.path.insert(0, ROOT)
from tests._peers import patch_torchvision
patch_torchvision()
from benchmarks._common import digits_cnn
torch.set_num_threads(1)
net = digits_cnn().eval()
X = np.random.default_rng(0).uniform(size=(256, 1, 8, 8)).astype(np.float32)
x = torch.as_tensor(X)
target = net(x).argmax(1)
onehot = torch.eye(10)[target]
case = CASE
if case.startswith("skxai"):
    from skxai.cam import GradCamExplainer
    from skxai.gradient import GradientExplainer, SmoothGradExplainer
    ex = {
        "skxai Saliency": lambda: GradientExplainer(net, target=target.numpy()),
        "skxai SmoothGrad n=50": lambda: SmoothGradExplainer(
            net, n_samples=50, sigma=0.15, target=target.numpy(), random_state=0),
        "skxai GradCam": lambda: GradCamExplainer(net, target_layer="3", upsample=False, normalize=False, relu=False),
    }[case]().fit(X[:2])
    call = lambda: ex.transform(X)
else:
    import zennit.attribution as za
    cls, kw = {"zennit Gradient": (za.Gradient, {}),
               "zennit SmoothGrad n=50": (za.SmoothGrad, {"noise_level": 0.15, "n_iter": 50})}[case]
    def call():
        with cls(net, **kw) as attributor:
            return attributor(x, onehot)[1]
call()
times, faults = [], []
for _ in range(CALLS):
    f0 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    t0 = time.process_time()
    call()
    times.append(time.process_time() - t0)
    faults.append(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - f0)
print(json.dumps({"ms": 1e3 * sorted(times)[len(times) // 2], "faults": sorted(faults)[len(faults) // 2]}))
"""


def child(case, tuned, calls):
    env = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
    env["OMP_NUM_THREADS"] = "1"
    if tuned:
        env.update(TUNED)
    code = CHILD.replace("ROOT", repr(str(ROOT))).replace("CASE", repr(case)).replace("CALLS", str(calls))
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3, help="child processes per case and setting")
    parser.add_argument("--calls", type=int, default=10, help="timed calls per child")
    args = parser.parse_args()
    print(
        "| case | default malloc: ms, median of children (range) | faults per call "
        "| thresholds raised: ms (range) | faults per call | default / raised (medians) |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for case in CASES:
        runs = {False: [], True: []}
        for _ in range(args.repeats):
            for tuned in (False, True):  # alternating, so a load change hits both
                runs[tuned].append(child(case, tuned, args.calls))
        cells, medians = [], []
        for tuned in (False, True):
            ms = sorted(r["ms"] for r in runs[tuned])
            faults = [r["faults"] for r in runs[tuned]]
            medians.append(ms[len(ms) // 2])
            cells.append(f"{medians[-1]:.1f} ({ms[0]:.1f}-{ms[-1]:.1f}) | {min(faults)}-{max(faults)}")
        ratio = medians[0] / medians[1]
        print(f"| {case} | {cells[0]} | {cells[1]} | {ratio:.2f} |", flush=True)


if __name__ == "__main__":
    main()
