"""skorch nets in every family: ``target="predicted"`` honours a binary net's ``threshold``, and
the modules' training flags are the same after an explanation as before (also after an error).

skorch's ``predict_proba`` / ``predict`` / ``score`` put ``module_`` (and the criterion) in
evaluation mode and leave it there.
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
skorch = pytest.importorskip("skorch")
from sklearn.frozen import FrozenEstimator  # noqa: E402
from torch import nn  # noqa: E402

import skxai  # noqa: E402
from tests._nets import one_torch_thread  # noqa: E402, F401


class _Net(nn.Module):
    """(n, 4) or (n, 1, 2, 2) -> ``out`` columns; dropout and batch norm (state a mode changes).
    ``fail`` makes forward raise (an error in the middle of an explanation)."""

    def __init__(self, out=1):
        super().__init__()
        self.body = nn.Sequential(nn.Flatten(), nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Dropout(0.3),
                                  nn.Linear(8, out))
        self.fail = False

    def forward(self, x):
        if self.fail:
            raise RuntimeError("forward failed on purpose")
        return self.body(x)


def _data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(120, 4)).astype(np.float32)
    y = (X[:, 0] + 0.5 * X[:, 1] + 0.8 * rng.normal(size=120) > 0).astype(np.int64)
    return X, y


@pytest.fixture(scope="module")
def binary_net():
    from skorch import NeuralNetBinaryClassifier

    X, y = _data()
    torch.manual_seed(0)
    net = NeuralNetBinaryClassifier(_Net, max_epochs=30, lr=0.02, optimizer=torch.optim.Adam, train_split=None,
                                    verbose=0, threshold=0.8).fit(X, y.astype(np.float32))
    return net, X


@pytest.fixture(scope="module")
def multiclass_net():
    from skorch import NeuralNetClassifier

    X, y = _data()
    torch.manual_seed(0)
    net = NeuralNetClassifier(_Net, module__out=2, criterion=nn.CrossEntropyLoss, max_epochs=5, lr=0.1,
                              train_split=None, verbose=0).fit(X, y)
    return net, X


def _flags(net):
    mods = [getattr(net, name + "_") for name in net._modules + net._criteria]
    return [m.training for mod in mods if isinstance(mod, nn.Module) for m in mod.modules()]


def _predicted(net, X):
    net.module_.eval()
    with torch.no_grad():
        return net.predict(X).astype(np.int64)


TABULAR = [
    ("ExactShapleyExplainer", {}),
    ("KernelShapExplainer", {"n_samples": 32, "random_state": 0}),
    ("ShapleySamplingExplainer", {"n_permutations": 4, "random_state": 0}),
    ("LimeExplainer", {"n_samples": 32, "random_state": 0}),
    ("RandomExplainer", {"random_state": 0}),
]


@pytest.mark.parametrize("name, kw", TABULAR, ids=[n for n, _ in TABULAR])
def test_tabular_predicted_honours_the_binary_threshold(binary_net, name, kw):
    net, X = binary_net
    pred = _predicted(net, X[:40])
    assert (pred != net.predict_proba(X[:40]).argmax(axis=1)).sum() >= 3
    ex = getattr(skxai, name)(FrozenEstimator(net), target="predicted", **kw).fit(X[:20])
    np.testing.assert_array_equal(ex.target_indices(X[:40]), pred)
    np.testing.assert_array_equal(ex.explain(X[:40])._target_positions(), pred)


def test_anchors_and_torch_families_follow_the_binary_threshold(binary_net):
    net, X = binary_net
    pred = _predicted(net, X[:40])
    anchors = skxai.AnchorTabularExplainer(FrozenEstimator(net), random_state=0).fit(X[:60])
    np.testing.assert_array_equal(anchors.target_indices(X[:40]), pred)
    grad = skxai.GradientExplainer(FrozenEstimator(net), target="predicted").fit(X[:20])
    np.testing.assert_array_equal(grad.target_indices(X[:40]), pred)
    images = X[:40].reshape(-1, 1, 2, 2)
    image = skxai.ImageShapleyExplainer(FrozenEstimator(net), method="exact", n_segments=(2, 2),
                                        target="predicted").fit(images[:5])
    np.testing.assert_array_equal(image.target_indices(images), pred)
    np.testing.assert_array_equal(image.explain(images)._target_positions(), pred)
    control = skxai.RandomExplainer(FrozenEstimator(net), target="predicted", random_state=0).fit(images)
    np.testing.assert_array_equal(control.target_indices(images), pred)
    np.testing.assert_array_equal(control.explain(images)._target_positions(), pred)


def _families(X):
    images = X[:20].reshape(-1, 1, 2, 2)
    yield "kernel", lambda n: skxai.KernelShapExplainer(FrozenEstimator(n), n_samples=32, random_state=0), X[:20]
    yield "exact", lambda n: skxai.ExactShapleyExplainer(FrozenEstimator(n)), X[:20]
    yield "lime", lambda n: skxai.LimeExplainer(FrozenEstimator(n), n_samples=32, random_state=0), X[:20]
    yield "anchors", lambda n: skxai.AnchorTabularExplainer(FrozenEstimator(n), random_state=0), X[:20]
    yield "random", lambda n: skxai.RandomExplainer(FrozenEstimator(n), random_state=0), X[:20]
    yield "gradient", lambda n: skxai.GradientExplainer(FrozenEstimator(n)), X[:20]
    yield "image", lambda n: skxai.ImageShapleyExplainer(FrozenEstimator(n), method="exact", n_segments=(2, 2)), images


@pytest.mark.parametrize("family", [f for f, _, _ in _families(np.zeros((20, 4)))])
@pytest.mark.parametrize("which", ["binary", "multiclass"])
def test_training_flags_are_kept_by_every_family(binary_net, multiclass_net, family, which):
    from skxai.metrics import faithfulness_correlation

    net, X = binary_net if which == "binary" else multiclass_net
    make, data = next((m, d) for f, m, d in _families(X) if f == family)
    net.module_.train()
    net.module_.body[2].eval()  # a mixed state: batch norm frozen, the rest training
    before = _flags(net)
    try:
        ex = make(net).fit(data)
        assert _flags(net) == before
        ex.explain(data[:3])
        ex.transform(data[:3])
        ex.target_indices(data[:3])
        assert _flags(net) == before
        if family not in ("anchors", "image", "gradient"):
            faithfulness_correlation(ex, data[:3], n_subsets=4, random_state=0)
            assert _flags(net) == before
        if hasattr(ex, "predict_proba"):
            ex.predict_proba(data[:3])
            ex.predict(data[:3])
            ex.score(data[:6], np.array([0, 1, 0, 1, 0, 1]))
        assert _flags(net) == before
        # an error in the middle of a call: the flags are put back all the same
        net.module_.fail = True
        with pytest.raises(RuntimeError, match="failed on purpose"):
            ex.explain(data[:3])
        assert _flags(net) == before
    finally:
        net.module_.fail = False
        net.module_.eval()


def test_float32_skorch_net_through_its_own_methods(multiclass_net):
    """Anchors' decisions and the delegated predict/predict_proba/score call the net's own
    methods: the float64 rows the explainers build are given in the net's float32 (they raised
    "mat1 and mat2 must have the same dtype")."""
    net, X = multiclass_net
    net.module_.eval()
    anchors = skxai.AnchorTabularExplainer(FrozenEstimator(net), random_state=0).fit(X[:60])
    np.testing.assert_array_equal(anchors.explain(X[:3]).prediction, net.predict(X[:3]))
    kernel = skxai.KernelShapExplainer(FrozenEstimator(net), n_samples=16, random_state=0).fit(X[:10])
    np.testing.assert_allclose(kernel.predict_proba(X[:5]), net.predict_proba(X[:5]), rtol=1e-6)
    np.testing.assert_array_equal(kernel.predict(X[:5]), net.predict(X[:5]))
    assert kernel.score(X[:20], net.predict(X[:20])) == 1.0


def test_training_flags_are_kept_when_threads_share_the_net(multiclass_net):
    """Threads calling one net at once: the first records the flags, the last puts them back
    (a thread recording after another's call had put the net in evaluation mode would keep it)."""
    from joblib import parallel_config

    net, X = multiclass_net
    net.module_.train()
    before = _flags(net)
    try:
        ex = skxai.KernelShapExplainer(FrozenEstimator(net), n_samples=32, batch_size=64, n_jobs=4,
                                       random_state=0).fit(X[:20])
        with parallel_config(backend="threading"):
            for _ in range(3):
                ex.explain(X[:40])
        assert _flags(net) == before
    finally:
        net.module_.eval()


# ----------------------------------------------------------- "probabilities" that are not
def _unit_net(final, **kw):
    from skorch import NeuralNetClassifier

    layers = [nn.Flatten(), nn.Linear(4, 3)] + ([final] if final is not None else [])
    torch.manual_seed(0)
    return NeuralNetClassifier(nn.Sequential(*layers), train_split=None, verbose=0, **kw).initialize()


@pytest.mark.parametrize("case", ["log_softmax_nll", "logits_no_nonlinearity"])
def test_log_probabilities_or_logits_are_not_explained_as_probabilities(case):
    """skorch's predict_proba is the module's output for NLLLoss (or predict_nonlinearity=None):
    log-probabilities or logits were explained, and labelled, as probabilities."""
    X, _ = _data()
    net = (_unit_net(nn.LogSoftmax(dim=-1)) if case == "log_softmax_nll"
           else _unit_net(None, criterion=nn.CrossEntropyLoss, predict_nonlinearity=None))
    assert net.predict_proba(X[:5]).min() < 0  # what skorch returns
    with pytest.raises(ValueError, match=r"outside \[0, 1\]: they are not probabilities.*predict_nonlinearity"):
        skxai.KernelShapExplainer(FrozenEstimator(net), n_samples=16).fit(X[:10])
    if case == "log_softmax_nll":
        # the torch families bypass the LogSoftmax and apply the softmax: probabilities
        grad = skxai.GradientExplainer(FrozenEstimator(net)).fit(X[:10])
        np.testing.assert_allclose(grad.model_output(X[:5]).sum(axis=1), 1.0, rtol=1e-6)
        np.testing.assert_allclose(grad.model_output(X[:5]), np.exp(net.predict_proba(X[:5])), rtol=1e-5)
        return
    with pytest.raises(ValueError, match=r"outside \[0, 1\].*response_method='decision_function'"):
        skxai.GradientExplainer(FrozenEstimator(net)).fit(X[:10])
    with pytest.raises(ValueError, match=r"outside \[0, 1\]"):
        skxai.ImageShapleyExplainer(FrozenEstimator(net), method="exact", n_segments=(2, 2)).fit(
            X[:10].reshape(-1, 1, 2, 2))
    with pytest.raises(ValueError, match=r"outside \[0, 1\]"):
        skxai.RandomExplainer(FrozenEstimator(net)).fit(X[:10].reshape(-1, 1, 2, 2))
    logits = skxai.GradientExplainer(FrozenEstimator(net), response_method="decision_function").fit(X[:10])
    assert logits.quantity_ == "logit"
    np.testing.assert_allclose(logits.model_output(X[:5]), net.predict_proba(X[:5]), rtol=1e-6)
