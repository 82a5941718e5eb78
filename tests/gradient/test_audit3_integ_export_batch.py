"""``torch.export`` modules exported for one batch size (audit 3, where the merges meet).

``torch.export.export(net, (x,))`` without ``dynamic_shapes`` specialises the program to the
example's batch size: the gradient explainers, which take exported modules (44651b6), run
batches of other sizes (one background row, chunks of ``batch_size``), and ``fit`` failed with
torch's bare "AssertionError: Guard failed: input.size()[0] == 1". The refusal is now a
ValueError that says why and how to export for any batch size; an export with a dynamic batch
axis is explained as the original network.
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from skxai.gradient import GradientExplainer  # noqa: E402
from tests._nets import one_torch_thread, seeded_float64  # noqa: E402, F401

X = np.random.RandomState(0).normal(size=(6, 4))


def _net():
    return seeded_float64(nn.Sequential(nn.Linear(4, 5), nn.Tanh(), nn.Linear(5, 2)), seed=7).eval()


def test_a_static_batch_export_is_refused_by_name():
    exported = torch.export.export(_net(), (torch.zeros(1, 4, dtype=torch.float64),)).module()
    with pytest.raises(ValueError, match=r"torch\.export.*batch.*dynamic_shapes"):
        GradientExplainer(exported).fit(X)


def test_a_dynamic_batch_export_is_explained_as_the_network():
    batch = torch.export.Dim("batch")
    example = (torch.zeros(2, 4, dtype=torch.float64),)
    exported = torch.export.export(_net(), example, dynamic_shapes=({0: batch},)).module()
    expected = GradientExplainer(_net(), target=1).fit(X).transform(X)
    np.testing.assert_allclose(GradientExplainer(exported, target=1).fit(X).transform(X), expected, rtol=1e-12)
