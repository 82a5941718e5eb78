"""DeepSHAP: efficiency, exact Shapley values on linear networks, DeepLIFT by hand, errors, captum."""

import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from skxai.gradient import DeepShapExplainer  # noqa: E402
from tests._nets import one_torch_thread  # noqa: E402, F401
from tests._peers import import_peer  # noqa: E402


def _init(net, seed=0, scale=0.5):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in net.parameters():
            p.copy_(scale * torch.randn(p.shape, generator=g, dtype=p.dtype))
        for m in net.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.running_mean.copy_(0.1 * torch.randn(m.num_features, generator=g, dtype=torch.float64))
                m.running_var.copy_(1 + torch.rand(m.num_features, generator=g, dtype=torch.float64))
    return net.double()


def test_linear_network_equals_exact_shapley():
    from skxai import ExactShapleyExplainer

    net = _init(nn.Sequential(nn.Linear(5, 4), nn.Dropout(0.3), nn.Linear(4, 3)))
    rng = np.random.RandomState(0)
    bg, X = rng.normal(size=(12, 5)), rng.normal(size=(6, 5))
    ds = DeepShapExplainer(net, target=1).fit(bg)
    exp = ds.explain(X)

    def f(A):
        with torch.no_grad():
            return net.eval()(torch.as_tensor(A)).numpy()[:, 1]

    exact = ExactShapleyExplainer(f, max_background=12).fit(bg).transform(X)
    np.testing.assert_allclose(exp.values, exact, atol=1e-12)
    np.testing.assert_allclose(exp.efficiency_gap, 0.0, atol=1e-12)
    np.testing.assert_allclose(exp.base_values, f(bg).mean())


def test_deeplift_single_reference_by_hand():
    # y = w2 . relu(W1 x + b1): the rescale multiplier of each hidden unit is
    # (relu(h(x)) - relu(h(r))) / (h(x) - h(r)), chained through the linear layers
    net = _init(nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1)), seed=3, scale=1.0)
    rng = np.random.RandomState(1)
    X, r = rng.normal(size=(5, 3)), rng.normal(size=(1, 3))
    W1, b1 = net[0].weight.detach().numpy(), net[0].bias.detach().numpy()
    w2 = net[2].weight.detach().numpy()[0]
    hx, hr = X @ W1.T + b1, r @ W1.T + b1
    mult = (np.maximum(hx, 0) - np.maximum(hr, 0)) / (hx - hr)
    expected = (X - r) * ((mult * w2) @ W1)
    np.testing.assert_allclose(DeepShapExplainer(net).fit(r).transform(X), expected, rtol=1e-10)


def _cnn():
    return _init(
        nn.Sequential(
            nn.Conv2d(2, 4, 3, padding=1),
            nn.BatchNorm2d(4),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(3, stride=1),  # overlapping windows
            nn.Conv2d(4, 6, 3),
            nn.Tanh(),
            nn.MaxPool2d(2),
            nn.Dropout(0.5),
            nn.Flatten(),
            nn.Linear(24, 8),
            nn.GELU(),
            nn.Linear(8, 5),
            nn.Softmax(dim=1),
        )
    )


@pytest.mark.parametrize("response", ["proba", "logits"])
def test_efficiency_on_a_cnn(response):
    net = _cnn()
    net.train()  # mode restored afterwards; batch norm and dropout run in eval meanwhile
    rng = np.random.RandomState(0)
    bg, X = rng.normal(size=(7, 2, 8, 8)), rng.normal(size=(4, 2, 8, 8))
    exp = DeepShapExplainer(net, response_method=response, batch_size=6).fit(bg).explain(X)
    scale = np.abs(exp.outputs[np.arange(4), exp.targets] - exp.base_values)
    assert np.abs(exp.efficiency_gap).max() < 1e-10 * max(1.0, scale.max())
    assert scale.min() > 1e-4  # the check is not vacuous
    assert net.training and all(m.training for m in net.modules())
    # same numbers whatever the batch size
    again = DeepShapExplainer(net, response_method=response, batch_size=100).fit(bg).transform(X)
    np.testing.assert_allclose(again, exp.values, rtol=1e-9, atol=1e-13)


def test_efficiency_through_inner_softmax_and_log_softmax():
    for act in (nn.Softmax(dim=1), nn.LogSoftmax(dim=1), nn.Sigmoid(), nn.ELU()):
        net = _init(nn.Sequential(nn.Linear(4, 6), act, nn.Linear(6, 3)), seed=2, scale=1.5)
        rng = np.random.RandomState(2)
        exp = DeepShapExplainer(net, target=2).fit(rng.normal(size=(5, 4))).explain(rng.normal(size=(6, 4)))
        np.testing.assert_allclose(exp.efficiency_gap, 0.0, atol=1e-10)


def test_sklearn_mlp_probabilities():
    from sklearn.neural_network import MLPClassifier

    rng = np.random.RandomState(0)
    X = rng.normal(size=(80, 4))
    y = (X[:, 0] + X[:, 1] ** 2 > 1).astype(int) + (X[:, 2] > 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mlp = MLPClassifier(hidden_layer_sizes=(6,), max_iter=50, random_state=0).fit(X, y)
    exp = DeepShapExplainer(mlp, max_background=20, random_state=0).fit(X).explain(X[:5])
    np.testing.assert_allclose(exp.outputs, mlp.predict_proba(X[:5]), rtol=1e-10)
    np.testing.assert_allclose(exp.efficiency_gap, 0.0, atol=1e-10)


def test_layer_attribution_is_efficient():
    net = _cnn()
    rng = np.random.RandomState(0)
    bg, X = rng.normal(size=(3, 2, 8, 8)), rng.normal(size=(2, 2, 8, 8))
    exp = DeepShapExplainer(net, layer="4").fit(bg).explain(X)
    assert exp.values.shape == (2, 6, 4, 4)
    np.testing.assert_allclose(exp.efficiency_gap, 0.0, atol=1e-10)


class _Functional(nn.Module):
    def __init__(self):
        super().__init__()
        self.a, self.b = nn.Linear(3, 3), nn.Linear(3, 1)

    def forward(self, x):
        return self.b(torch.sigmoid(self.a(x)))


def test_unsupported_modules_and_functions_are_named():
    X = np.zeros((2, 3))
    with pytest.raises(ValueError, match=r"'?1'? \(LayerNorm\)"):
        DeepShapExplainer(nn.Sequential(nn.Linear(3, 3), nn.LayerNorm(3), nn.Linear(3, 1)).double()).fit(X)
    with pytest.raises(ValueError, match="sigmoid x1"):
        DeepShapExplainer(_Functional().double()).fit(X)
    with pytest.raises(ValueError, match="Unknown layer"):
        DeepShapExplainer(nn.Linear(3, 1).double(), layer="fc").fit(X)


@pytest.mark.peer
def test_equals_captum_deeplift_and_deepliftshap():
    ca = import_peer("captum.attr")
    net = _init(
        nn.Sequential(
            nn.Conv2d(2, 4, 3, padding=1),
            nn.ReLU(),
            nn.AvgPool2d(2),
            nn.Conv2d(4, 5, 3),
            nn.Sigmoid(),
            nn.Flatten(),
            nn.Linear(20, 3),
        )
    )
    rng = np.random.RandomState(0)
    X, bg = rng.normal(size=(5, 2, 8, 8)), rng.normal(size=(4, 2, 8, 8))
    x = torch.as_tensor(X)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        target = net(x).argmax(1)
        zero = torch.zeros(1, 2, 8, 8, dtype=torch.float64)
        dl = ca.DeepLift(net).attribute(x, baselines=zero.expand_as(x), target=target)
        dls = ca.DeepLiftShap(net).attribute(x, baselines=torch.as_tensor(bg), target=target)
    np.testing.assert_allclose(DeepShapExplainer(net).fit(zero.numpy()).transform(X), dl.detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(DeepShapExplainer(net).fit(bg).transform(X), dls.detach().numpy(), atol=1e-12)


def test_sequences_conv1d_and_pooling():
    net = _init(
        nn.Sequential(
            nn.Conv1d(3, 4, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool1d(2),
            nn.Conv1d(4, 4, 3),
            nn.SiLU(),
            nn.AdaptiveMaxPool1d(2),
            nn.Flatten(),
            nn.Linear(8, 2),
        )
    )
    rng = np.random.RandomState(0)
    bg, X = rng.normal(size=(4, 3, 12)), rng.normal(size=(3, 3, 12))
    exp = DeepShapExplainer(net, target=1).fit(bg).explain(X)
    assert exp.values.shape == X.shape
    np.testing.assert_allclose(exp.efficiency_gap, 0.0, atol=1e-10)


def test_efficiency_holds_at_a_nonlinear_target_layer():
    # the capture runs after the DeepLIFT rule of the layer itself, so attributing to a ReLU's
    # output keeps the multipliers of everything above it (it failed with "does not require
    # grad" when the capture ran first)
    from tests._nets import seeded_float64

    net = seeded_float64(nn.Sequential(nn.Linear(4, 6), nn.ReLU(), nn.Linear(6, 5), nn.Tanh(), nn.Linear(5, 2)), 3)
    X = np.random.RandomState(0).normal(size=(8, 4))
    for layer in ("1", "3"):
        exp = DeepShapExplainer(net, target_layer=layer, target=1).fit(X).explain(X)
        f = net(torch.as_tensor(X)).detach().numpy()[:, 1]
        np.testing.assert_allclose(exp.values.sum(axis=1), f - f.mean(), atol=1e-10)


class _Gated(nn.Module):
    """Two branches multiplied (a gate), divided, squared or max-ed: nonlinear in the input
    although every module is linear or an elementwise activation."""

    def __init__(self, op):
        super().__init__()
        self.op = op
        self.a, self.b, self.out = nn.Linear(5, 4), nn.Linear(5, 4), nn.Linear(4, 2)
        self.tanh, self.sig = nn.Tanh(), nn.Sigmoid()

    def forward(self, x):
        a, b = self.tanh(self.a(x)), self.sig(self.b(x))
        h = {"mul": lambda: a * b, "div": lambda: a / (1 + b), "square": lambda: a * a,
             "max": lambda: torch.max(a, b), "rdiv": lambda: 1 / (2 + b)}[self.op]()  # fmt: skip
        return self.out(h)


@pytest.mark.parametrize(
    "op, named",
    [("mul", "mul of two input-dependent"), ("div", "div by an input-dependent"), ("square", "mul of two"),
     ("max", r"max x1"), ("rdiv", "rdiv")],
)  # fmt: skip
def test_products_and_divisions_of_branches_are_refused(op, named):
    # plain gradients through a * b are no DeepLIFT multipliers: efficiency broke by 0.04-0.8
    # with no error; such networks are refused, naming the operation
    net = _init(_Gated(op), seed=1, scale=1.0)
    X = np.random.RandomState(0).normal(size=(6, 5))
    with pytest.raises(ValueError, match=named):
        DeepShapExplainer(net).fit(X)


def test_linear_uses_of_branches_are_not_refused():
    # x * constant buffer, a branch times a frozen parameter, sums and cat stay linear
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.a, self.b, self.out = nn.Linear(5, 4), nn.Linear(5, 4), nn.Linear(8, 1)
            self.scale = nn.Parameter(torch.ones(4))
            self.register_buffer("mask", torch.tensor([1.0, 0.0, 1.0, 1.0]))
            self.relu = nn.ReLU()

        def forward(self, x):
            a = self.relu(self.a(x)) * self.mask * self.scale / 2.0
            return self.out(torch.cat([a + self.b(x), self.b(x) / self.scale], dim=1))

    net = _init(Net(), seed=2)
    rng = np.random.RandomState(0)
    exp = DeepShapExplainer(net).fit(rng.normal(size=(8, 5))).explain(rng.normal(size=(3, 5)))
    np.testing.assert_allclose(exp.efficiency_gap, 0.0, atol=1e-12)
