"""The torch adapter: conversions, responses, targets, layers and state restoration."""

import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from skxai.gradient import GradientExplainer, TorchModel  # noqa: E402
from tests._nets import one_torch_thread  # noqa: E402, F401


def _data(n=60, d=4, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, d))
    return X, (X[:, 0] + X[:, 1] > 0).astype(int), np.arange(n) % 3


@pytest.mark.parametrize("kind", ["lin", "logreg2", "logreg3", "mlp2", "mlp3", "mlpreg", "sgd3"])
def test_sklearn_conversion_is_exact(kind):
    from sklearn.linear_model import LinearRegression, LogisticRegression, SGDClassifier
    from sklearn.neural_network import MLPClassifier, MLPRegressor

    X, y2, y3 = _data()
    models = {
        "lin": lambda: LinearRegression().fit(X, X @ [1.0, 2.0, 3.0, 4.0]),
        "logreg2": lambda: LogisticRegression().fit(X, y2),
        "logreg3": lambda: LogisticRegression().fit(X, y3),
        "mlp2": lambda: MLPClassifier(hidden_layer_sizes=(5,), max_iter=30, random_state=0).fit(X, y2),
        "mlp3": lambda: MLPClassifier(
            hidden_layer_sizes=(5, 4), activation="tanh", max_iter=30, random_state=0
        ).fit(X, y3),
        "mlpreg": lambda: MLPRegressor(hidden_layer_sizes=(5,), max_iter=30, random_state=0).fit(X, X[:, :2]),
        "sgd3": lambda: SGDClassifier(loss="log_loss", random_state=0).fit(X, y3),
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # MLP convergence on purpose-short training
        model = models[kind]()
    tm = TorchModel(model)
    assert tm.dtype == torch.float64
    with torch.no_grad():
        out = tm.forward(tm.to_tensor(X)).numpy()
    if hasattr(model, "predict_proba"):
        assert tm.response == "proba"
        np.testing.assert_allclose(out, model.predict_proba(X), rtol=1e-10, atol=1e-12)
        np.testing.assert_array_equal(tm.classes, model.classes_)
    else:
        np.testing.assert_allclose(out.reshape(model.predict(X).shape), model.predict(X), rtol=1e-10)
    if hasattr(model, "decision_function"):
        tl = TorchModel(model, response_method="logits")
        with torch.no_grad():
            z = tl.forward(tl.to_tensor(X)).numpy()
        ref = model.decision_function(X)
        np.testing.assert_allclose(z[:, 1] if ref.ndim == 1 else z, ref, rtol=1e-10)
        if ref.ndim == 1:
            np.testing.assert_array_equal(z[:, 0], 0.0)


def test_gradient_of_linear_models_is_coef():
    from sklearn.linear_model import LinearRegression, LogisticRegression

    X, y2, _ = _data()
    lin = LinearRegression().fit(X, X @ [1.0, -2.0, 3.0, 0.5])
    np.testing.assert_allclose(GradientExplainer(lin).fit(X).transform(X[:5]), np.tile(lin.coef_, (5, 1)))
    clf = LogisticRegression().fit(X, y2)
    phi = GradientExplainer(clf, response_method="logits").fit(X).transform(X[:5])
    np.testing.assert_allclose(phi, np.tile(clf.coef_[0], (5, 1)), rtol=1e-12)
    # the negative class has no logit of its own (the constant 0 of [0, z]): refused, as the
    # tabular families refuse it, where its attributions used to be a silent 0
    with pytest.raises(ValueError, match="not an output of the model: its one output scores the class"):
        GradientExplainer(clf, response_method="logits", target=0).fit(X)


def _softmax_net():
    return nn.Sequential(nn.Linear(4, 6), nn.ReLU(), nn.Linear(6, 3), nn.Softmax(dim=1))


def test_trailing_softmax_is_bypassed_for_logits():
    torch.manual_seed(0)
    net = _softmax_net().double()
    X, _, _ = _data()
    x = torch.as_tensor(X[:5])
    probs = TorchModel(net, response_method="proba")
    logits = TorchModel(net, response_method="logits")
    with torch.no_grad():
        p = probs.forward(x)
        z = logits.forward(x)
        np.testing.assert_allclose(p.numpy(), net(x).numpy())
        np.testing.assert_allclose(z.numpy(), net[:3](x).numpy())
        np.testing.assert_allclose(torch.softmax(z, 1).numpy(), p.numpy(), rtol=1e-12)
    # the bypass hook never stays behind
    assert not net[3]._forward_hooks


def test_targets_resolution():
    from sklearn.linear_model import LogisticRegression

    X, _, y3 = _data()
    labels = np.array(["a", "b", "c"])[y3]
    tm = TorchModel(LogisticRegression().fit(X, labels))
    out = tm.forward(tm.to_tensor(X[:4])).detach()
    assert tm.targets(None, out).tolist() == out.argmax(1).tolist()
    assert tm.targets("b", out).tolist() == [1, 1, 1, 1]
    assert tm.targets(["a", "c", "b", "a"], out).tolist() == [0, 2, 1, 0]
    with pytest.raises(ValueError, match="not a class"):
        tm.targets("z", out)
    with pytest.raises(ValueError, match="one label per sample"):
        tm.targets(["a", "b"], out)


def test_per_sample_integer_targets_of_indices_and_of_numeric_classes():
    from sklearn.linear_model import LogisticRegression

    X, _, y3 = _data()
    net = nn.Sequential(nn.Linear(X.shape[1], 3))
    out = torch.zeros(4, 3)
    for tm in (TorchModel(net), TorchModel(LogisticRegression().fit(X, y3))):  # classes 0, 1, 2 name the outputs
        got = tm.targets(np.array([2, 0, 1, 2]), out)
        assert got.dtype == torch.long and got.tolist() == [2, 0, 1, 2]
        assert tm.targets(torch.tensor([1, 1, 0, 2]), out).tolist() == [1, 1, 0, 2]
        with pytest.raises(ValueError, match="valid output index|not a class"):
            tm.targets(np.array([0, 1, 3, 0]), out)
        with pytest.raises(ValueError, match="valid output index|not a class"):
            tm.targets(np.array([0, -1, 2, 0]), out)
    # numeric classes that are not 0..k-1 are labels, looked up
    tm = TorchModel(LogisticRegression().fit(X, np.array([10, 20, 30])[y3]))
    assert tm.targets(np.array([30, 10, 20, 30]), out).tolist() == [2, 0, 1, 2]
    with pytest.raises(ValueError, match="not a class"):
        tm.targets(np.array([0, 1, 2, 0]), out)


def test_get_layer_and_default_conv():
    net = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.Conv2d(2, 3, 3), nn.Flatten(), nn.Linear(12, 2))
    tm = TorchModel(net)
    assert tm.get_layer("2") is net[2]
    assert tm.default_conv_layer() == "2"
    with pytest.raises(ValueError, match=r"Unknown layer 'conv9'.*'0', '1', '2'"):
        tm.get_layer("conv9")
    with pytest.raises(ValueError, match="no convolution"):
        TorchModel(nn.Linear(3, 2)).default_conv_layer()


def test_prepared_restores_state_even_on_error():
    net = nn.Sequential(nn.Linear(4, 3), nn.Dropout(0.5), nn.Linear(3, 2))
    net.train()
    net[1].eval()  # mixed modes must come back exactly
    net[2].weight.requires_grad_(False)
    tm = TorchModel(net)
    with pytest.raises(RuntimeError, match="boom"):
        with tm.prepared():
            assert not net.training and not any(p.requires_grad for p in net.parameters())
            raise RuntimeError("boom")
    assert net.training and net[0].training and not net[1].training and net[2].training
    assert [p.requires_grad for p in net.parameters()] == [True, True, False, True]


def test_explainer_restores_state_after_error():
    net = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
    net.train()
    X, _, _ = _data()
    exp = GradientExplainer(net, target=5).fit
    with pytest.raises(ValueError, match="not a valid output index"):
        exp(X.astype(np.float32))
    with pytest.raises(ValueError, match="Unknown layer"):
        GradientExplainer(net, layer="nope").fit(X.astype(np.float32))
    e = GradientExplainer(net, layer="1").fit(X.astype(np.float32))
    net[1].register_forward_hook(lambda m, i, o: (_ for _ in ()).throw(RuntimeError("hook fails")))
    with pytest.raises(RuntimeError, match="hook fails"):
        e.transform(X[:3])
    assert net.training and all(p.requires_grad for p in net.parameters())
    assert len(net[1]._forward_hooks) == 1  # only the user's own hook is left


def test_skorch_binary_classifier():
    skorch = pytest.importorskip("skorch")
    from sklearn.frozen import FrozenEstimator

    X, y2, _ = _data(n=80)
    X = X.astype(np.float32)
    with torch.random.fork_rng():  # seeded training without touching the caller's global RNG
        torch.manual_seed(0)
        net = skorch.NeuralNetBinaryClassifier(
            nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1)),
            max_epochs=3,
            lr=0.1,
            train_split=None,
            verbose=0,
        ).fit(X, y2.astype(np.float32))
    tm = TorchModel(FrozenEstimator(net))
    with torch.no_grad():
        p = tm.forward(tm.to_tensor(X)).numpy()
    np.testing.assert_allclose(p, net.predict_proba(X), rtol=1e-5, atol=1e-6)
    phi = GradientExplainer(FrozenEstimator(net), response_method="decision_function").fit(X).transform(X[:3])
    assert phi.shape == (3, 4) and phi.dtype == np.float64
    # The logit's gradient by hand: w2 . diag(relu'(W1 x + b1)) . W1, from the trained weights.
    first, last = net.module_[0], net.module_[2]
    W1, b1 = first.weight.detach().double().numpy(), first.bias.detach().double().numpy()
    w2 = last.weight.detach().double().numpy()[0]
    active = (X[:3].astype(np.float64) @ W1.T + b1) > 0
    np.testing.assert_allclose(phi, (active * w2) @ W1, rtol=1e-5, atol=1e-7)


class _SoftmaxInside(nn.Module):
    """The classic skorch tutorial module: softmax inside forward, trained with NLLLoss."""

    def __init__(self):
        super().__init__()
        self.fc1, self.fc2 = nn.Linear(4, 8), nn.Linear(8, 3)

    def forward(self, x):
        return torch.softmax(self.fc2(torch.relu(self.fc1(x))), dim=-1)


@pytest.mark.parametrize("kind", ["ce_logits", "nll_softmax_inside", "nll_softmax_module", "bce_prob"])
def test_skorch_proba_is_predict_proba(kind):
    skorch = pytest.importorskip("skorch")
    X, y2, y3 = _data(n=60)
    X = X.astype(np.float32)
    if kind == "bce_prob":
        module = nn.Sequential(nn.Linear(4, 6), nn.ReLU(), nn.Linear(6, 1), nn.Sigmoid())
        net = skorch.NeuralNetBinaryClassifier(module, criterion=nn.BCELoss, max_epochs=2, train_split=None)
        y = y2.astype(np.float32)
    else:
        module = {
            "ce_logits": nn.Sequential(nn.Linear(4, 6), nn.ReLU(), nn.Linear(6, 3)),
            "nll_softmax_inside": _SoftmaxInside(),
            "nll_softmax_module": nn.Sequential(nn.Linear(4, 6), nn.ReLU(), nn.Linear(6, 3), nn.Softmax(dim=-1)),
        }[kind]
        criterion = nn.CrossEntropyLoss if kind == "ce_logits" else nn.NLLLoss
        net = skorch.NeuralNetClassifier(module, criterion=criterion, max_epochs=2, train_split=None)
        y = y3
    net.set_params(verbose=0).fit(X, y)
    tm = TorchModel(net)
    assert tm.response == "proba"
    with torch.no_grad():
        np.testing.assert_allclose(tm.forward(tm.to_tensor(X)).numpy(), net.predict_proba(X), rtol=1e-5, atol=1e-6)
    if kind in ("nll_softmax_module", "bce_prob"):  # the trailing activation is bypassed for logits
        logits = TorchModel(net, response_method="logits")
        with torch.no_grad():
            z = logits.forward(logits.to_tensor(X))
            raw = module[:-1](torch.as_tensor(X)).reshape(len(X), -1)
        np.testing.assert_allclose(z[:, -raw.shape[1] :].numpy(), raw.numpy(), rtol=1e-6)


class _Misbehaving(nn.Module):
    """``x @ w`` whose output is changed as ``fault`` says."""

    def __init__(self, fault):
        super().__init__()
        self.fault = fault
        self.w = nn.Parameter(torch.ones(3, 2, dtype=torch.float64))

    def forward(self, x):
        out = x @ self.w
        if self.fault == "scalar":
            return out.sum()
        if self.fault == "extra_row":
            return torch.cat([out, out[:1]])
        return torch.where(x[:, :1] > 0, torch.full_like(out, float("nan")), out)


@pytest.mark.parametrize(("fault", "match"), [("scalar", "returned a scalar for 4 input rows"),
                                              ("extra_row", "returned 5 rows for 4 input rows"),
                                              ("nan", r"NaN or inf on 2 of 4 rows \(row indices \[1, 3\]")])
def test_module_output_checked_against_the_batch(fault, match):
    # a silently misaligned batch or NaN output would give attributions of nothing
    x = torch.tensor([[-1.0, 0, 0], [1, 0, 0], [-2, 1, 1], [3, 1, 1]], dtype=torch.float64)
    model = TorchModel(_Misbehaving(fault))
    with pytest.raises(ValueError, match=match):
        model.forward(x)
    with pytest.raises(ValueError, match=match):
        GradientExplainer(_Misbehaving(fault), target=0).fit(x.numpy()).transform(x.numpy())
    ok = TorchModel(_Misbehaving(None)).forward(x[:1])  # first row alone: finite and aligned
    assert ok.shape == (1, 2)


class _DictOutput(nn.Module):
    """Returns its outputs in a dict, as many detection / transformer models do."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 2)

    def forward(self, x):
        return {"logits": self.fc(x)}


def test_a_module_that_returns_no_tensor_is_refused_by_name():
    # an AttributeError ('dict' object has no attribute 'ndim') told nothing
    X = np.random.RandomState(0).normal(size=(4, 3)).astype(np.float32)
    with pytest.raises(TypeError, match=r"_DictOutput returned dict; the explainers need a tensor"):
        GradientExplainer(_DictOutput()).fit(X)


def test_to_tensor_is_a_contiguous_copy_in_the_model_dtype_for_every_array_kind():
    # torch.from_numpy's shortcut for C-contiguous arrays of the model's dtype must give what
    # torch.tensor gives, and never share memory (a first module working in place would write
    # to the caller's data) or warn (read-only arrays)
    tm = TorchModel(nn.Sequential(nn.Conv2d(1, 2, 3)))  # float32
    base = np.random.RandomState(0).normal(size=(3, 1, 4, 4))
    read_only = base.astype(np.float32)
    read_only.flags.writeable = False
    inputs = {
        "float32": base.astype(np.float32),
        "read-only": read_only,
        "fortran": np.asfortranarray(base.astype(np.float32)),
        "float64": base,
        "strided": base.astype(np.float32)[:, :, ::2],
        "one-row": base.astype(np.float32)[:1],
        "list": base.astype(np.float32).tolist(),
    }
    for name, X in inputs.items():
        before = np.array(X, copy=True)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            t = tm.to_tensor(X)
        ref = torch.tensor(np.asarray(X), dtype=torch.float32)
        # contiguous whatever the array's layout (torch.tensor keeps a Fortran array's strides)
        assert t.dtype == torch.float32 and t.is_contiguous(), name
        assert torch.equal(t, ref), name
        t.add_(1.0)
        np.testing.assert_array_equal(np.asarray(X), before, err_msg=name)


def test_predicted_targets_shortcut_is_the_model_resolution():
    # fit resolves target=None to the predicted class; _targets takes the argmax directly, and
    # falls back to the model's resolution for other targets and for another number of outputs
    from sklearn.linear_model import LogisticRegression

    X, _, y3 = _data()
    clf = LogisticRegression().fit(X, y3)
    out = torch.as_tensor(np.random.RandomState(1).normal(size=(8, 3)))
    for target in (None, "predicted", 2):
        e = GradientExplainer(clf, target=target).fit(X)
        got = e._targets(out)
        assert got.dtype == torch.long and torch.equal(got, e.model_.targets(target, out))
    e = GradientExplainer(clf).fit(X)
    assert e.target_index_ == "predicted"
    two = out[:, :2]  # two outputs of a classifier: the positive class, not the argmax
    assert e._targets(two).tolist() == [1] * 8 and (two.argmax(1) == 0).any()


@pytest.mark.parametrize(
    ("dtype", "kept"),
    [(np.bool_, True), (np.int8, True), (np.uint16, True), (np.float16, True), (object, False), ("U4", False)],
)
def test_validate_x_keeps_numbers_and_converts_the_rest(dtype, kept):
    # numbers and booleans pass as they are; object and string arrays are converted to float64,
    # or refused when they hold no numbers (complex and durations are refused:
    # tests/gradient/test_audit32_torch_inputs.py)
    e = GradientExplainer(nn.Sequential(nn.Linear(2, 1)))
    X = np.array([[1, 0], [0, 1]]).astype(dtype)
    got = e._validate_X(X, reset=True)
    assert got.dtype == (np.dtype(dtype) if kept else np.float64)
    if not kept:
        with pytest.raises(ValueError, match="X must be numeric"):
            e._validate_X(np.array([["a", "b"]], dtype=dtype), reset=True)


@pytest.mark.parametrize("name", ["GradientExplainer", "DeepShapExplainer", "GradCamExplainer"])
def test_explainers_work_under_the_callers_inference_mode(name):
    # inference code often runs under torch.inference_mode(): tensors made there refuse
    # autograd and version counters, which every explainer relies on
    import skxai

    net = nn.Sequential(nn.Conv2d(2, 3, 3), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(3, 2))
    X = np.random.RandomState(0).normal(size=(3, 2, 5, 5)).astype(np.float32)
    explainer = getattr(skxai, name)(net, random_state=0) if name == "DeepShapExplainer" else getattr(skxai, name)(net)
    expected = explainer.fit(X).transform(X)
    with torch.inference_mode():
        got = explainer.fit(torch.as_tensor(X)).transform(torch.as_tensor(X))
    np.testing.assert_array_equal(got, expected)
    assert not any(p.is_inference() for p in net.parameters())


def test_a_network_with_uninitialized_lazy_modules_is_refused_by_name():
    # torch's own error ("Attempted to use an uninitialized parameter in requires_grad_")
    # came from deep inside fit and did not say which module or why
    net = nn.Sequential(nn.Flatten(), nn.LazyLinear(2))
    X = np.random.RandomState(0).normal(size=(3, 4)).astype(np.float32)
    with pytest.raises(ValueError, match=r"lazy module\(s\) \['1'\] have uninitialized parameters"):
        GradientExplainer(net).fit(X)
    net(torch.as_tensor(X))  # one forward pass materialises it: explained as any network
    assert GradientExplainer(net).fit(X).transform(X).shape == X.shape


@pytest.mark.parametrize("make", [torch.tensor, np.array], ids=["tensor", "ndarray"])
def test_a_label_held_in_a_0d_tensor_or_array_is_that_label(make):
    # target=labels[i] with labels a tensor gives a 0-d tensor, which was refused as "not a
    # valid output index" (0-d arrays as "a per-sample target must be 1-D")
    net = nn.Linear(3, 3)
    X = np.random.RandomState(0).normal(size=(4, 3)).astype(np.float32)
    got = GradientExplainer(net, target=make(2)).fit(X).explain(X)
    ref = GradientExplainer(net, target=2).fit(X).explain(X)
    np.testing.assert_array_equal(got.targets, [2, 2, 2, 2])
    np.testing.assert_array_equal(got.values, ref.values)


def test_a_layer_module_lost_by_a_clone_is_refused_with_the_names_to_use():
    # clone (GridSearchCV) copies the network and a target_layer module apart; the error said
    # only that the layer is not part of the network, not why nor what to pass
    from sklearn.base import clone

    net = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    X = np.random.RandomState(0).normal(size=(4, 3)).astype(np.float32)
    explainer = GradientExplainer(net, target_layer=net[1])
    assert explainer.fit(X).transform(X).shape == (4, 4)  # the network's own module: fine
    with pytest.raises(ValueError, match=r"sklearn\.clone.*give its name instead, one of \['0', '1', '2'\]"):
        clone(explainer).fit(X)
    assert clone(GradientExplainer(net, target_layer="1")).fit(X).transform(X).shape == (4, 4)
