"""Whether a network that mixes the samples of its batch is refused does not depend on the scale
of its outputs.

The check compared the outputs of the same rows in batches of two sizes with an absolute floor
(``atol = 1e-4 * max(1, max |output|)``): ``c * softmax(dim=0)`` was refused at ``c=1`` and
accepted at ``c=1e-6`` (the rows differed by ~1e-7, under the floor), and its attributions mixed
the samples.
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from skxai import DeepShapExplainer, GradientExplainer, IntegratedGradientsExplainer  # noqa: E402
from tests._nets import one_torch_thread  # noqa: E402, F401

X = np.random.RandomState(0).randn(16, 4)


class _Scaled(nn.Module):
    """``c * last(linear(x))``, float64."""

    def __init__(self, c, last):
        super().__init__()
        torch.manual_seed(0)
        self.c = c
        self.lin = nn.Linear(4, 3).double()
        self.last = last

    def forward(self, x):
        return self.c * self.last(self.lin(x))


class _MinusBatchMean(nn.Module):
    def forward(self, x):
        return x - x.mean(dim=0, keepdim=True)


SCALES = [1.0, 1e-6, 1e-12, 1e6]


@pytest.mark.parametrize("c", SCALES)
@pytest.mark.parametrize("last", [lambda: nn.Softmax(dim=0), _MinusBatchMean])
@pytest.mark.parametrize("cls", [GradientExplainer, DeepShapExplainer])
def test_a_batch_coupled_network_is_refused_at_every_scale(cls, last, c):
    with pytest.raises(ValueError, match="depends on the other samples of its batch"):
        cls(_Scaled(c, last())).fit(X[:10])


@pytest.mark.parametrize("c", SCALES)
def test_a_per_sample_network_is_accepted_at_every_scale(c):
    net = _Scaled(c, nn.Softmax(dim=1))
    est = IntegratedGradientsExplainer(net, target=1, n_steps=8).fit(X[:10])
    phi = est.transform(X[10:12])
    # scaling the network scales its attributions, and nothing else
    ref = IntegratedGradientsExplainer(_Scaled(1.0, nn.Softmax(dim=1)), target=1, n_steps=8).fit(X[:10])
    np.testing.assert_allclose(phi, c * ref.transform(X[10:12]), rtol=1e-10, atol=0)
