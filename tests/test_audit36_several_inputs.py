"""A dict of inputs, and a network whose forward takes several tensors, are refused with advice
(session 36: a dict was read as one object cell, "Expected 2D array, got scalar array instead:
array={'xa': ...", and KernelSHAP passed a two-input network's TypeError on without a word)."""

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression

from skxai import KernelShapExplainer, LimeExplainer


def _dict_X(n=30):
    rng = np.random.RandomState(0)
    return {"xa": rng.normal(size=(n, 3)), "xb": rng.normal(size=(n, 2))}


@pytest.mark.parametrize("make", [KernelShapExplainer, LimeExplainer])
def test_a_dict_of_inputs_is_refused_by_name(make):
    X = _dict_X()
    model = LinearRegression().fit(np.hstack([X["xa"], X["xb"]]), np.arange(30.0))
    with pytest.raises(TypeError, match=r"X is a dict of inputs \('xa', 'xb'\).*one array"):
        make(model).fit(X)
    fitted = make(model).fit(np.hstack([X["xa"], X["xb"]]))
    with pytest.raises(TypeError, match="X is a dict of inputs"):
        fitted.transform(X)


def _two_input_net():
    torch = pytest.importorskip("torch")

    class TwoIn(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.a, self.b = torch.nn.Linear(3, 2), torch.nn.Linear(2, 2)

        def forward(self, xa, xb):
            return self.a(xa) + self.b(xb)

    with torch.random.fork_rng():
        torch.manual_seed(0)
        return TwoIn().eval()


def test_a_torch_explainer_refuses_a_dict_of_inputs():
    from skxai import GradientExplainer

    with pytest.raises(TypeError, match="X is a dict of inputs"):
        GradientExplainer(_two_input_net()).fit({k: v.astype(np.float32) for k, v in _dict_X().items()})


def test_a_model_agnostic_explainer_notes_a_network_of_several_inputs():
    X = _dict_X()
    Xc = np.hstack([X["xa"], X["xb"]]).astype(np.float32)
    with pytest.raises(TypeError, match="missing 1 required positional argument") as info:
        KernelShapExplainer(_two_input_net()).fit(Xc)
    assert any("forward(x) with one tensor" in note for note in getattr(info.value, "__notes__", []))


def test_a_networks_own_type_error_gets_no_note():
    torch = pytest.importorskip("torch")

    class Broken(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.lin, self.scale = torch.nn.Linear(3, 1), None

        def forward(self, x):
            return self.lin(x) * self.scale  # its own bug, not an input it cannot take

    X = np.random.RandomState(0).normal(size=(10, 3)).astype(np.float32)
    with pytest.raises(TypeError, match="unsupported operand") as info:
        KernelShapExplainer(Broken()).fit(X)
    assert not getattr(info.value, "__notes__", [])
