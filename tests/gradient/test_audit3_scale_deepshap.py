"""Third audit, numerical scale: DeepSHAP's rescale rule does not depend on the units of a
hidden layer."""

import copy

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from skxai import DeepShapExplainer  # noqa: E402
from tests._nets import one_torch_thread, seeded_float64  # noqa: E402, F401


def _relu_net(k, pool=False):
    """The same function for every k > 0: the first layer's outputs times k, the second
    layer's weights over k (ReLU and max pooling are positively homogeneous)."""
    layers = [nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 8), nn.ReLU(), nn.Linear(8, 2)]
    if pool:
        layers[1:2] = [nn.ReLU(), nn.Unflatten(1, (1, 16)), nn.MaxPool1d(2), nn.Flatten()]
        layers[-3] = nn.Linear(8, 8)
    net = seeded_float64(nn.Sequential(*layers), seed=0, scale=0.5)
    net = copy.deepcopy(net)
    first, second = net[0], [m for m in net if isinstance(m, nn.Linear)][1]
    with torch.no_grad():
        first.weight *= k
        first.bias *= k
        second.weight /= k
    return net


@pytest.mark.parametrize("pool", [False, True])
@pytest.mark.parametrize("k", [1e-9, 1e9])
def test_deepshap_does_not_depend_on_a_hidden_layers_units(k, pool):
    # Input differences below an absolute 1e-10 took the local gradient instead of the
    # rescale multiplier: with the first layer's outputs in units 1e-9 (the same function),
    # the values moved by 3.7e-3 of the largest and no longer summed to f(x) - E[f(b)].
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 6))

    def explain(scale):
        return DeepShapExplainer(_relu_net(scale, pool), target=0).fit(X).explain(X[:5])

    ref, got = explain(1.0), explain(k)
    np.testing.assert_allclose(got.values, ref.values, rtol=1e-9, atol=1e-9 * np.abs(ref.values).max())
    with torch.no_grad():
        out = _relu_net(k, pool)(torch.as_tensor(X)).numpy()[:, 0]
    gap = got.values.sum(axis=1) - (out[:5] - out.mean())
    assert np.abs(gap).max() < 1e-9 * np.abs(out).max()
