"""DeepSHAP on random small networks: nonlinear torch calls the audit4 fuzzer found accepted."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from skxai import DeepShapExplainer  # noqa: E402


class _Net(nn.Module):
    def __init__(self, op):
        super().__init__()
        self.a = nn.Linear(3, 4)
        self.out = nn.Linear(4, 1)
        self.op = op

    def forward(self, x):
        return self.out(self.op(self.a(x)))


def _data():
    rng = np.random.RandomState(0)
    return rng.normal(size=(4, 3)).astype(np.float32), rng.normal(size=(5, 3)).astype(np.float32)


# Each was accepted by fit and then broke efficiency silently (no warning): sum(phi) missed
# f(x) - E[f(background)] by 0.06 (prod) to 2.2 (erfcx) on this network, as the plain
# gradient of these functions is no DeepLIFT multiplier.
NONLINEAR = {
    "prod": lambda h: h.prod(1, keepdim=True) * torch.ones(1, 4),
    "cumprod": lambda h: h.cumprod(1),
    "fmod by a constant": lambda h: torch.fmod(h, 0.5),
    "remainder by a constant": lambda h: h % 0.5,
    "linalg.vector_norm": lambda h: torch.linalg.vector_norm(h, dim=1, keepdim=True) * torch.ones(1, 4),
    "linalg.norm": lambda h: torch.linalg.norm(h, dim=1, keepdim=True) * torch.ones(1, 4),
    "renorm": lambda h: h.renorm(2, 0, 1.0),
    "logcumsumexp": lambda h: torch.logcumsumexp(h, 1),
    "special.ndtr": torch.special.ndtr,
    "special.log_ndtr": torch.special.log_ndtr,
    "special.i0": torch.special.i0,
    "special.erfcx": torch.special.erfcx,
    "special.softmax": lambda h: torch.special.softmax(h, 1),
    "exp_ (in place)": lambda h: h.clone().exp_(),
    "pow_ (in place)": lambda h: h.clone().pow_(2),
    "abs_ (in place)": lambda h: h.clone().abs_(),
    "signbit": lambda h: h * h.signbit(),
    # a gate or a scale computed from a detached copy: the output depends on the input through
    # a branch no multiplier follows (a hand-written ReLU: efficiency missed by 0.058)
    "ReLU by a detached mask": lambda h: h * (h.detach() > 0),
    "masked_fill by a detached mask": lambda h: h.masked_fill(h.detach() > 0, 0.0),
    "scale by a detached norm": lambda h: h / (1 + h.detach().abs().sum(1, keepdim=True)),
    "ReLU by a mask of .data": lambda h: h * (h.data > 0),
    "integer cast": lambda h: h * h.long(),
    "gather by argsort": lambda h: h.gather(1, h.argsort(1)),
    "bucketize": lambda h: h * torch.bucketize(h, torch.tensor([-1.0, 0.0, 1.0])),
    "gate computed under no_grad": lambda h: h * _no_grad_gate(h),
    "gate from tolist": lambda h: h * torch.sigmoid(torch.tensor(h.tolist())),
    "scale from item": lambda h: h / (1.0 + torch.tensor([[abs(r.sum().item())] for r in h])),
    "gate from new_tensor": lambda h: h * torch.sigmoid(h.new_tensor(h)),
}


def _no_grad_gate(h):
    with torch.no_grad():
        g = h * 1.0  # a copy made without the graph, as .detach() would
    return torch.sigmoid(g)


@pytest.mark.parametrize("name", sorted(NONLINEAR))
def test_nonlinear_torch_calls_are_refused(name):
    X, bg = _data()
    with pytest.raises(ValueError, match="nonlinear torch functions"):
        DeepShapExplainer(_Net(NONLINEAR[name]), max_background=None).fit(bg)


@pytest.mark.parametrize(
    "op",
    [lambda h: h.cumsum(1), lambda h: torch.cat([h[:, :1], torch.diff(h, dim=1)], 1), lambda h: -h],
    ids=["cumsum", "diff", "neg"],
)
def test_linear_torch_calls_still_explained_exactly(op):
    X, bg = _data()
    net = _Net(op)
    values = DeepShapExplainer(net, max_background=None).fit(bg).transform(X)
    with torch.no_grad():
        f = net(torch.as_tensor(X)).double().numpy()[:, 0]
        fb = net(torch.as_tensor(bg)).double().numpy()[:, 0].mean()
    np.testing.assert_allclose(values.sum(axis=1), f - fb, atol=1e-5)


class _ScaledByParameter(nn.Module):
    """A ReLU network whose hidden layer is scaled by a function of a parameter only (a learned
    temperature ``exp(log_t)``, a gate ``sigmoid(w)``, a fixed ``sin`` table): a constant factor
    for DeepLIFT, so the network is as explainable as the one with the factor folded in."""

    def __init__(self, how):
        super().__init__()
        torch.manual_seed(0)
        self.a = nn.Linear(3, 4)
        self.relu = nn.ReLU()
        self.out = nn.Linear(4, 1)
        self.log_t = nn.Parameter(torch.tensor([0.3, -0.2, 0.5, 0.1]))
        self.how = how

    def factor(self):
        if self.how == "exp":
            return torch.exp(self.log_t)
        if self.how == "sigmoid":
            return torch.sigmoid(self.log_t)
        return 1.5 + torch.sin(torch.arange(4, dtype=torch.float32))  # a table built in forward

    def forward(self, x):
        return self.out(self.relu(self.a(x)) * self.factor())


@pytest.mark.parametrize("how", ["exp", "sigmoid", "sin table"])
def test_functions_of_parameters_only_are_explained(how):
    # exp / sigmoid / sin are nonlinear, but applied to a parameter (or a table made in
    # forward) they give a constant factor: fit refused such a network ("cannot apply DeepLIFT
    # rules to nonlinear torch functions called inside forward() (exp x1)") whatever the input
    X, bg = _data()
    net = _ScaledByParameter(how)
    folded = nn.Sequential(net.a, nn.ReLU(), nn.Linear(4, 1))
    with torch.no_grad():
        folded[2].weight.copy_(net.out.weight * net.factor())
        folded[2].bias.copy_(net.out.bias)
    values = DeepShapExplainer(net, max_background=None).fit(bg).transform(X)
    expected = DeepShapExplainer(folded, max_background=None).fit(bg).transform(X)
    np.testing.assert_allclose(values, expected, rtol=1e-5, atol=1e-7)


def test_function_of_the_input_next_to_a_parameter_is_still_refused():
    class _Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.a = nn.Linear(3, 4)
            self.out = nn.Linear(4, 1)
            self.log_t = nn.Parameter(torch.zeros(4))

        def forward(self, x):
            return self.out(torch.exp(self.a(x) + self.log_t))

    X, bg = _data()
    with pytest.raises(ValueError, match=r"nonlinear torch functions.*exp x1"):
        DeepShapExplainer(_Net(), max_background=None).fit(bg)


@pytest.mark.parametrize("name", ["GuidedBackpropExplainer", "DeconvolutionExplainer"])
def test_relu_rules_take_a_relu_of_parameters_only(name):
    # F.relu of a parameter (a scale kept non-negative) passes no gradient of the input, so
    # the ReLU rules are not bypassed; fit refused the network ("this network also applies
    # relu functionally (1 call(s) ...)") as if an activation had escaped the hooks
    import skxai

    class _Net(nn.Module):
        def __init__(self):
            super().__init__()
            torch.manual_seed(0)
            self.a = nn.Linear(3, 4)
            self.relu = nn.ReLU()
            self.out = nn.Linear(4, 2)
            self.scale = nn.Parameter(torch.tensor([0.5, -0.1, 1.0, 2.0]))

        def forward(self, x):
            return self.out(self.relu(self.a(x)) * torch.nn.functional.relu(self.scale))

    X, bg = _data()
    net = _Net()
    folded = nn.Sequential(net.a, nn.ReLU(), nn.Linear(4, 2))
    with torch.no_grad():
        folded[2].weight.copy_(net.out.weight * torch.relu(net.scale))
        folded[2].bias.copy_(net.out.bias)
    cls = getattr(skxai, name)
    np.testing.assert_allclose(
        cls(net, target=1).fit(bg).transform(X), cls(folded, target=1).fit(bg).transform(X), rtol=1e-5, atol=1e-7
    )


@pytest.mark.parametrize("name", ["GuidedBackpropExplainer", "DeconvolutionExplainer"])
def test_relu_rules_still_refuse_a_functional_relu_of_the_input(name):
    import skxai

    net = _Net(torch.nn.functional.relu)
    X, bg = _data()
    with pytest.raises(ValueError, match="applies relu functionally"):
        getattr(skxai, name)(net).fit(bg)
