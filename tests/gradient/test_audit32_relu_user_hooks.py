"""The ReLU rules keep the user's own hooks on the network's nn.ReLU modules."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from skxai.gradient import DeconvolutionExplainer, GuidedBackpropExplainer  # noqa: E402


class _Net(nn.Module):
    def __init__(self, explicit):
        super().__init__()
        self.fc1 = nn.Linear(5, 8)
        self.relu = nn.ReLU()
        self.fc2 = nn.Linear(8, 3)
        self.explicit = explicit

    def forward(self, x):
        h = self.relu(self.fc1(x))
        if self.explicit:
            h = h * 2 - 0.3  # what the hooked twin's forward hook does
        return self.fc2(h)


@pytest.mark.parametrize("make", [GuidedBackpropExplainer, DeconvolutionExplainer])
def test_a_user_forward_hook_on_a_relu_is_explained_as_part_of_the_network(make):
    # the rule replaced the hooked output by clamp(x): the network was explained without the hook
    torch.manual_seed(0)
    hooked, explicit = _Net(False), _Net(True)
    explicit.load_state_dict(hooked.state_dict())
    handle = hooked.relu.register_forward_hook(lambda m, i, o: o * 2 - 0.3)
    X = np.random.default_rng(0).normal(size=(6, 5)).astype(np.float32)
    got = make(hooked, target=1).fit(X).explain(X)
    want = make(explicit, target=1).fit(X).explain(X)
    np.testing.assert_allclose(got.values, want.values, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(got.outputs, want.outputs, rtol=1e-6, atol=1e-7)
    assert len(hooked.relu._forward_hooks) == 1  # the user's hook stays, the rule's is gone
    handle.remove()
