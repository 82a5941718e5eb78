"""Torch helpers shared by the test modules of the gradient family.

Import after ``pytest.importorskip("torch")``.
"""

import pytest
import torch
from torch import nn


@pytest.fixture(autouse=True, scope="module")
def one_torch_thread():
    """Tiny models: extra OpenMP threads only contend on shared cores (restored afterwards)."""
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


def seeded_float64(net, seed=0, scale=1.0):
    """``net`` in float64 with every parameter drawn ``scale * N(0, 1)`` from a generator seeded ``seed``."""
    g = torch.Generator().manual_seed(seed)
    net = net.double()
    with torch.no_grad():
        for p in net.parameters():
            p.copy_(scale * torch.randn(p.shape, generator=g, dtype=torch.float64))
    return net


def small_cnn(seed=0, pool=nn.AvgPool2d):
    """(n, 2, 8, 8) -> 3 outputs: conv, relu, ``pool(2)``, conv, relu, linear; float64, weights 0.5 N(0, 1)."""
    net = nn.Sequential(
        nn.Conv2d(2, 4, 3, padding=1),
        nn.ReLU(),
        pool(2),
        nn.Conv2d(4, 5, 3),
        nn.ReLU(),
        nn.Flatten(),
        nn.Linear(20, 3),
    )
    return seeded_float64(net, seed, scale=0.5)


def cam_by_hand(net, X, n_layers):
    """CAM of a ``Sequential`` network ending in global average pooling, flattening and a
    linear layer, read after its first ``n_layers`` modules: ``W[t] . A`` for each sample's
    predicted class ``t`` (numpy, ``(n, *spatial)``)."""
    import numpy as np

    with torch.no_grad():
        A = net[:n_layers](torch.as_tensor(X)).numpy()
        logits = net(torch.as_tensor(X)).numpy()
    W = net[-1].weight.detach().numpy()
    return np.einsum("nk,nkhw->nhw", W[logits.argmax(axis=1)], A)
