"""``model_randomization_test`` on parametrized networks (``weight_norm``, ``spectral_norm``,
``orthogonal``, custom ``register_parametrization``) (audit 3, where the merges meet).

The explainers take parametrized layers as layers (9121991, ``leaf_modules``), but the
randomization test listed the parametrization's internals: a ``weight_norm`` Linear without
bias was not a layer at all (its weight lives in ``<name>.parametrizations.weight``, reported as
a layer of its own), and one with a bias was "randomised" by its bias alone, its weight left as
trained. Now a parametrized layer is one layer whose parameters include the originals of its
parametrized tensors (randomised there, so the parametrization's constraint still holds).
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402
from torch.nn.utils import parametrizations  # noqa: E402

from skxai.gradient import GradientExplainer  # noqa: E402
from skxai.metrics import model_randomization_test  # noqa: E402
from skxai.metrics._randomization import _locate  # noqa: E402
from tests._nets import one_torch_thread, seeded_float64  # noqa: E402, F401

X = np.random.RandomState(0).normal(size=(6, 5))


def _net(bias):
    net = seeded_float64(nn.Sequential(nn.Linear(5, 7, bias=False), nn.Linear(7, 2, bias=bias)), seed=1)
    parametrizations.weight_norm(net[1])
    return net.eval()


@pytest.mark.parametrize("bias", [False, True])
def test_a_parametrized_layer_is_one_layer_and_its_weight_is_randomised(bias):
    net = _net(bias)
    explainer = GradientExplainer(net, target=1).fit(X)
    assert _locate(explainer).names == ["0", "1"]
    report = model_randomization_test(explainer, X, mode="independent", layers=["1"], random_state=0)
    assert [r["layer"] for r in report.records] == ["1"]
    # The gradient of a linear network is W1[1] @ W0 for every row: with W1's weight left as
    # it was (only the bias drawn anew), the attributions were identical, Spearman 1.0.
    assert max(report.records[0]["spearman_abs"], report.records[0]["spearman"]) < 0.99
    # the user's network is untouched (the test randomises a copy)
    np.testing.assert_array_equal(explainer.transform(X), GradientExplainer(_net(bias), target=1).fit(X).transform(X))


def test_the_parametrization_still_holds_after_randomisation():
    net = nn.Sequential(nn.Linear(4, 4, bias=False)).double()
    parametrizations.orthogonal(net[0])
    layers = _locate(GradientExplainer(net).fit(X[:, :4]))
    assert layers.names == ["0"]
    before = net[0].weight.detach().clone()
    layers.randomize("0", seed=3)
    weight = net[0].weight.detach()
    assert not torch.allclose(weight, before)
    np.testing.assert_allclose((weight @ weight.T).numpy(), np.eye(4), atol=1e-10)
