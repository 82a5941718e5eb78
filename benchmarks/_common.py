"""Networks and command line shared by the torch benchmarks (bench_cam.py, bench_gradient.py)."""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch
from torch import nn


def digits_cnn():
    """GAP CNN over 1x8x8 digits (10 classes) at its seed-0 initialisation, untrained."""
    with torch.random.fork_rng():
        torch.manual_seed(0)
        return nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(),
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(),
            nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(32, 10),
        )  # fmt: skip


def rgb_cnn_batch():
    """GAP CNN with max pooling over 3x64x64 inputs (seed-0 random weights, evaluation mode)
    and a batch of 32 uniform float32 images (``RandomState(0)``), as a tensor."""
    with torch.random.fork_rng():
        torch.manual_seed(0)
        net = nn.Sequential(
            nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(),
            nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10),
        ).eval()  # fmt: skip
    X = np.random.RandomState(0).uniform(size=(32, 3, 64, 64)).astype(np.float32)
    return net, torch.as_tensor(X)


def parse_args(out):
    """``--repeats`` (5), ``--out`` (default ``out``; ``*_cuda.md`` on a GPU), ``--threads``
    (1, set for torch) and ``--device`` (``cpu``; ``cuda`` runs every library on the GPU,
    ``auto`` takes the GPU when one is present). Nothing requires a GPU."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", default=None)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--device", choices=("cpu", "cuda", "auto"), default="cpu")
    parser.add_argument("--nets", nargs="+", choices=("digits", "rgb"), default=["digits", "rgb"],
                        help="networks to run (a subset writes *_<nets>.md unless --out is given)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if args.device == "auto":
        args.device = "cuda" if torch.cuda.is_available() else "cpu"
    if args.device == "cuda" and not torch.cuda.is_available():
        raise SystemExit("--device cuda: no CUDA device on this machine (use --device cpu or auto).")
    if args.out is None:
        args.out = out if args.device == "cpu" else out.replace(".md", f"_{args.device}.md")
        if set(args.nets) != {"digits", "rgb"}:
            args.out = args.out.replace(".md", "_" + "_".join(args.nets) + ".md")
    args.device_name = "CPU" if args.device == "cpu" else torch.cuda.get_device_name(0)
    _CLOCK[0] = time.process_time if args.device == "cpu" and args.threads == 1 else time.perf_counter
    args.clock = "process CPU time" if _CLOCK[0] is time.process_time else "wall time"
    return args


#: The benchmarks' clock: CPU time of this process on the CPU with one torch thread (the
#: machine is shared: time spent descheduled is not the code's), wall time otherwise.
_CLOCK = [time.perf_counter]


def now():
    """Seconds on the benchmarks' clock (see :data:`_CLOCK`, set by :func:`parse_args`)."""
    return _CLOCK[0]()


def sync():
    """Wait for queued GPU work, so wall-clock timings cover it (a no-op on CPU)."""
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        torch.cuda.synchronize()
