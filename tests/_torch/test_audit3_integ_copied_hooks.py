"""Copies of a network taken while another thread explains it can be pickled (audit 3, where
the merges meet).

A deep copy of a module shares its hook functions (da1bd4a): a copy taken while an explainer's
hooks are registered keeps them, retired (they do nothing there). Those hooks were closures, so
the copy could no longer be pickled: ``pickle.dumps``, ``torch.save``, joblib's process workers
and ``skops`` failed with "Can't pickle local object
'this_thread_only.<locals>.hook_of_this_thread'". A hook pickles now as a retired one (an
unpickled copy carries no explainer's hook that could act), and a deep copy still shares it.
"""

import copy
import pickle
import threading

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from skxai._torch._model import HookSet, this_thread_only  # noqa: E402
from skxai.gradient import GuidedBackpropExplainer  # noqa: E402
from tests._nets import one_torch_thread, seeded_float64  # noqa: E402, F401

X = np.random.RandomState(0).normal(size=(4, 5))


def _net():
    return seeded_float64(nn.Sequential(nn.Linear(5, 6), nn.ReLU(), nn.Linear(6, 2)), seed=5).eval()


def test_a_copy_taken_while_hooks_are_live_pickles_and_runs_without_them():
    net = _net()
    x = torch.tensor(X)
    plain = net(x).detach()
    calls = []
    with HookSet() as hooks:
        hooks.forward(net[1], lambda m, inp, out: calls.append(1) or out * 0)
        copied = copy.deepcopy(net)  # what another thread's clone does mid-explanation
        assert torch.equal(copied(x), torch.zeros_like(plain) + net[2].bias)  # live here
        restored = pickle.loads(pickle.dumps(copied))
        # the unpickled copy's hook does nothing, even while the original's is live
        torch.testing.assert_close(restored(x), plain, rtol=0, atol=0)
    torch.testing.assert_close(copied(x), plain, rtol=0, atol=0)  # retired with the original
    torch.testing.assert_close(pickle.loads(pickle.dumps(copied))(x), plain, rtol=0, atol=0)
    assert len(calls) == 1


def test_hooks_act_on_their_own_threads_passes_only_after_copying():
    hook = this_thread_only(lambda m, inp, out: out + 1)
    assert copy.deepcopy(hook) is hook  # shared by deep copies, as a function was
    out = {}
    thread = threading.Thread(target=lambda: out.setdefault("other", hook(None, (), torch.zeros(1))))
    thread.start()
    thread.join()
    assert out["other"] is None and torch.equal(hook(None, (), torch.zeros(1)), torch.ones(1))
    hook.retire()
    assert hook(None, (), torch.zeros(1)) is None


def test_an_explainers_network_copied_mid_explanation_pickles():
    net = _net()
    explainer = GuidedBackpropExplainer(net, target=1).fit(X)
    expected = explainer.transform(X)
    copies = []
    original_forward = net[1].forward

    def forward(inp):  # copy the network while the explainer's hooks are registered
        copies.append(copy.deepcopy(net))
        return original_forward(inp)

    net[1].forward = forward
    np.testing.assert_array_equal(explainer.transform(X), expected)
    del net[1].forward
    assert copies and any(m._forward_hooks for c in copies for m in c.modules())
    for c in copies:
        del c[1].forward  # the instance attribute copied along (a local function)
        restored = pickle.loads(pickle.dumps(c))
        np.testing.assert_array_equal(GuidedBackpropExplainer(restored, target=1).fit(X).transform(X), expected)
