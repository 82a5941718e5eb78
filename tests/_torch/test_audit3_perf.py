"""Per-call work of the torch explainers' turn and layer look-up (audit 3, perf).

The merges of 2026-12-05 made every ``TorchModel.prepared`` walk the network twice (once for
the leaf modules' locks, once through ``modules()`` for the modes it records) and every
``get_layer`` list the network's TorchScript modules through ``named_modules()`` even when
there are none to report: about 20 us more per call (2% of a Grad-CAM of one 3x64x64 image,
measured by benchmarks/ab_session16.py). One walk now serves both, and the TorchScript modules
are listed for an error only.
These tests pin the single walk to ``modules()``'s exact order and set (the modes recorded and
put back depend on it) and keep the look-up from walking on its success path.
"""

from unittest import mock

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from skxai._torch import _model  # noqa: E402
from skxai._torch._model import TorchModel, _module_tree  # noqa: E402
from skxai.cam import GradCamExplainer  # noqa: E402
from tests._nets import one_torch_thread, small_cnn  # noqa: E402, F401


class _Tangled(nn.Module):
    """A module shared at three places, a None child, a parametrized layer, nested containers."""

    def __init__(self):
        super().__init__()
        shared = nn.Linear(3, 3)
        self.a = nn.Sequential(shared, nn.ReLU(), nn.Sequential(nn.Linear(3, 3), shared))
        self.b = None
        self.c = shared
        self.d = nn.utils.parametrizations.weight_norm(nn.Linear(3, 3))
        self.e = nn.ModuleList([nn.ModuleDict({"x": nn.Tanh(), "y": self.a}), nn.Identity()])

    def forward(self, x):
        return self.e[0]["x"](self.d(self.a(x)) + self.c(x))


@pytest.mark.parametrize("make", [_Tangled, lambda: small_cnn(seed=0)])
def test_the_walk_is_modules_order_and_leaves(make):
    net = make()
    modules, leaves = _module_tree(net)
    expected = list(net.modules())
    assert [id(m) for m in modules] == [id(m) for m in expected]
    assert sorted(map(id, leaves)) == sorted(id(m) for m in expected if next(m.children(), None) is None)


def test_prepared_walks_once_and_restores_every_mode():
    net = _Tangled().train()
    net.e[0]["x"].eval()  # a mixed state: put back exactly
    net.a[2][0].bias.requires_grad_(False)
    before = [(m.training) for m in net.modules()], [p.requires_grad for p in net.parameters()]
    model = TorchModel(net, "output")
    with mock.patch.object(nn.Module, "modules", side_effect=AssertionError("a second walk")):
        with model.prepared():
            assert not any(m.training for m in _module_tree(net)[0])
            assert not any(p.requires_grad for p in net.parameters())
    assert ([m.training for m in net.modules()], [p.requires_grad for p in net.parameters()]) == before


def test_get_layer_lists_scripted_modules_only_to_refuse():
    net = small_cnn(seed=0)
    X = np.random.RandomState(0).normal(size=(2, 2, 8, 8))
    est = GradCamExplainer(net, target_layer="0").fit(X)
    ref = est.transform(X)
    with mock.patch.object(_model, "scripted_modules", side_effect=AssertionError("walked")):
        assert est.model_.get_layer("0") is net[0]
        assert est.model_.get_layer(net[0]) is net[0]
        np.testing.assert_array_equal(est.transform(X), ref)
    # and the refusals still name the scripted modules
    scripted = torch.jit.script(small_cnn(seed=0))
    with pytest.raises(ValueError, match="the network is a TorchScript module"):
        TorchModel(scripted, "output").get_layer("0")


def test_the_turn_follows_a_network_changed_between_calls():
    # the lock list of a network is kept between calls: a leaf replaced, added or removed since
    # must still be locked by its own lock, the one a network sharing that leaf takes
    net = nn.Sequential(nn.Linear(3, 3), nn.ReLU())
    for change in (
        lambda: net.__setitem__(0, nn.Linear(3, 3)),
        lambda: net.append(nn.Tanh()),
        lambda: net.pop(1),
        lambda: net.insert(0, nn.Sequential(nn.Identity(), net[-1])),  # a leaf shared twice
    ):
        with _model._module_lock(net):
            pass
        change()
        leaves = _module_tree(net)[1]
        locks = _model._turn_locks(net, leaves)
        assert len(locks) == len({id(m) for m in leaves})
        assert {id(lock) for lock in locks} == {id(_model._turn_locks(leaf, [leaf])[0]) for leaf in leaves}
        # a network sharing the first leaf takes the very same lock
        other = nn.Sequential(leaves[0])
        assert _model._turn_locks(other, _module_tree(other)[1])[0] in locks
