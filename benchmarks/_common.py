"""Networks and command line shared by the torch benchmarks (bench_cam.py, bench_gradient.py)."""

from __future__ import annotations

import argparse

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
    """``--repeats`` (5), ``--out`` (default ``out``) and ``--threads`` (1, set for torch)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", default=out)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    return args
