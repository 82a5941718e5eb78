"""The one-sample activation measurement at ``fit`` on networks that cannot run one row alone
(audit 3, where the merges meet).

A network that squeezes its batch axis (``h.squeeze()``, a common pattern of user code) runs on
every batch of two rows or more, and was explained: the measurement pass added at ``fit``
(``_measure_pass_bytes``, one row) made its ``fit`` fail with torch's IndexError
"Dimension out of range" before any explanation. The measurement now takes two rows where one
fails (the same bytes per row), and never fails ``fit`` itself.
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from skxai.gradient import GradientExplainer, IntegratedGradientsExplainer  # noqa: E402
from tests._nets import one_torch_thread, seeded_float64  # noqa: E402, F401


class _Squeezed(nn.Module):
    """Works on batches of two rows or more: ``squeeze`` drops the batch axis of one row."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(5, 2)

    def forward(self, x):
        h = self.pool(torch.relu(self.conv(x))).squeeze()  # (n, 4); (4,) for one row
        return self.fc(torch.cat([h, x.mean(dim=(1, 2, 3))[:, None]], dim=1))


X = np.random.RandomState(0).rand(6, 3, 8, 8)
# By hand, float64 (8 bytes): the convolution's 4 x 8 x 8 outputs, the pooled 4, the 2 outputs
# per row, plus the input twice (leaf and copy); forward only: twice the largest, plus the input.
GRAD_BYTES = 8 * (4 * 64 + 4 + 2) + 2 * 8 * 3 * 64
FORWARD_BYTES = 2 * 8 * 4 * 64 + 8 * 3 * 64


def _gradients(net, x, target):
    x = torch.tensor(x, requires_grad=True)
    (g,) = torch.autograd.grad(net(x)[:, target].sum(), x)
    return g.numpy()


def test_a_network_that_cannot_run_one_row_is_measured_and_explained():
    net = seeded_float64(_Squeezed(), seed=3).eval()
    explainer = GradientExplainer(net, target=1).fit(X)
    assert explainer._pass_bytes_ == (GRAD_BYTES, FORWARD_BYTES)
    np.testing.assert_allclose(explainer.transform(X), _gradients(net, X, 1), rtol=1e-12, atol=1e-15)
    # integrated gradients from a zero baseline: completeness against the network's outputs
    ig = IntegratedGradientsExplainer(net, target=1, n_steps=64).fit(X)
    values = ig.transform(X)
    with torch.no_grad():
        gap = net(torch.tensor(X))[:, 1] - net(torch.zeros_like(torch.tensor(X)))[:, 1]
    np.testing.assert_allclose(values.sum(axis=(1, 2, 3)), gap.numpy(), rtol=1e-3)


def test_a_measurement_that_fails_leaves_the_error_to_the_explained_rows():
    """A network failing on its first rows whatever their number: the error is the network's
    own (as before the measurement), raised by the background's forward pass."""

    class Broken(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(7, 2)  # X has 3 x 8 x 8 values per row

        def forward(self, x):
            return self.fc(x.flatten(1))

    with pytest.raises(RuntimeError, match="shapes cannot be multiplied"):
        GradientExplainer(Broken().double()).fit(X)


class _PartlyScripted(nn.Module):
    """A TorchScript block between plain modules."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 4, 3, padding=1)
        self.block = torch.jit.script(nn.Sequential(nn.Conv2d(4, 4, 3, padding=1), nn.ReLU()))
        self.head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 2))

    def forward(self, x):
        return self.head(self.block(self.stem(x)))


def test_a_network_with_a_scripted_block_is_measured_outside_it():
    """A TorchScript block takes no hook: the network went unmeasured (no bound on its passes
    at all); the modules outside it are counted now. The whole network scripted stays
    unmeasured (nothing could be counted)."""
    net = seeded_float64(_PartlyScripted(), seed=2).eval()
    explainer = GradientExplainer(net, target=0).fit(X)
    # the stem's 4 x 8 x 8 outputs, the pooled 4 twice (pool, flatten), 2 outputs; the input twice
    assert explainer._pass_bytes_ == (8 * (4 * 64 + 2 * 4 + 2) + 2 * 8 * 3 * 64, 2 * 8 * 4 * 64 + 8 * 3 * 64)
    np.testing.assert_allclose(explainer.transform(X), _gradients(net, X, 0), rtol=1e-12, atol=1e-15)
    scripted = torch.jit.script(seeded_float64(_Squeezed(), seed=3).eval())
    assert GradientExplainer(scripted).fit(X)._pass_bytes_ is None
