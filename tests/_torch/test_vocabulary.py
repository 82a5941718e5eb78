"""One vocabulary over every torch explainer: checks at fit, renamed parameters, the explained
quantity and class names on every Explanation, progress bars, and one default quantity for the
gradient and CAM families (issue 11)."""

import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

import skxai  # noqa: E402
import skxai.cam  # noqa: E402
from skxai.utils._param_validation import InvalidParameterError  # noqa: E402
from tests._nets import one_torch_thread, seeded_float64  # noqa: E402, F401

GRADIENT = [
    skxai.GradientExplainer,
    skxai.GradientXInputExplainer,
    skxai.IntegratedGradientsExplainer,
    skxai.SmoothGradExplainer,
    skxai.GuidedBackpropExplainer,
    skxai.DeconvolutionExplainer,
    skxai.DeepShapExplainer,
]
CAMS = [getattr(skxai.cam, name) for name in skxai.cam.__all__ if name != "BaseCamExplainer"]
FAST = {
    skxai.IntegratedGradientsExplainer: {"n_steps": 2},
    skxai.SmoothGradExplainer: {"n_samples": 2, "random_state": 0},
    skxai.OptiCamExplainer: {"max_iter": 2},
}


def _net():
    net = nn.Sequential(
        nn.Conv2d(2, 4, 3, padding=1), nn.ReLU(), nn.Conv2d(4, 5, 3, padding=1), nn.ReLU(),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(5, 3),
    )
    return seeded_float64(net, 0, scale=0.5)


def _X(n=5):
    return np.random.RandomState(0).normal(size=(n, 2, 6, 6))


@pytest.mark.parametrize("cls", GRADIENT + CAMS, ids=lambda c: c.__name__)
def test_quantity_class_names_and_progress_bar(cls, capsys):
    X = _X()
    exp = cls(_net(), batch_size=2, verbose=1, **FAST.get(cls, {})).fit(X).explain(X)
    # a plain module under "auto": its own output (CAM reads the linear layer's logits)
    assert exp.quantity == ("logit" if cls is skxai.CamExplainer else "output")
    assert list(exp.output_names) == [0, 1, 2]
    assert capsys.readouterr().err, "verbose=1 shows a progress bar"


@pytest.mark.parametrize("cls", GRADIENT + CAMS, ids=lambda c: c.__name__)
@pytest.mark.parametrize(
    "bad", [{"batch_size": 0}, {"response_method": "bogus"}, {"target_layer": 3}, {"verbose": "loud"}],
    ids=lambda d: next(iter(d)),
)
def test_bad_parameters_fail_at_fit_naming_them(cls, bad):
    name = next(iter(bad))
    with pytest.raises(InvalidParameterError, match=f"'{name}' parameter"):
        cls(_net(), **bad).fit(_X())


@pytest.mark.parametrize("cls", [c for c in GRADIENT if c is not skxai.DeepShapExplainer] + [skxai.DeepShapExplainer])
def test_layer_is_a_deprecated_alias_of_target_layer(cls):
    X = _X(3)
    kw = {**FAST.get(cls, {}), "target": 0}
    new = cls(_net(), target_layer="1", **kw).fit(X)
    with pytest.warns(FutureWarning, match="'layer' was renamed 'target_layer'"):
        old = cls(_net(), layer="1", **kw).fit(X)
    assert old.target_layer_ == "1"
    np.testing.assert_allclose(old.transform(X), new.transform(X))
    assert new.explain(X).target_layer == "1"
    # both names set: the old one won silently (a search over target_layer tuned nothing)
    with pytest.raises(ValueError, match="both layer='1' and target_layer='0' are set"):
        cls(_net(), layer="1", target_layer="0", **kw).fit(X)


@pytest.mark.parametrize(("old", "new"), [("logits", "decision_function"), ("proba", "predict_proba")])
@pytest.mark.parametrize("cls", [skxai.GradientExplainer, skxai.GradCamExplainer])
def test_first_release_response_names_warn_and_map(cls, old, new):
    X = _X(3)
    ref = cls(_net(), response_method=new, target=1).fit(X)
    with pytest.warns(FutureWarning, match=f"response_method='{old}' is deprecated"):
        got = cls(_net(), response_method=old, target=1).fit(X)
    np.testing.assert_allclose(got.transform(X), ref.transform(X))
    assert got.explain(X).quantity == {"decision_function": "logit", "predict_proba": "probability"}[new]


def _skorch_classifier():
    skorch = pytest.importorskip("skorch")
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 2, 6, 6)).astype(np.float32)
    y = (X[:, 0].mean(axis=(1, 2)) > 0).astype(np.int64) + (X[:, 1].mean(axis=(1, 2)) > 0)
    module = nn.Sequential(
        nn.Conv2d(2, 4, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 3)
    )
    net = skorch.NeuralNetClassifier(
        module, criterion=nn.CrossEntropyLoss, max_epochs=2, lr=0.1, train_split=None, verbose=0
    )
    with torch.random.fork_rng():
        torch.manual_seed(0)
        net.fit(X, y)
    return net, X


def test_gradients_and_cams_explain_the_same_default_quantity_on_a_skorch_classifier():
    net, X = _skorch_classifier()
    grad = skxai.GradientExplainer(net, target=2).fit(X).explain(X[:6])
    cam = skxai.GradCamExplainer(net, target=2, relu=False, upsample=False).fit(X).explain(X[:6])
    assert grad.quantity == cam.quantity == "probability"
    np.testing.assert_allclose(grad.outputs, net.predict_proba(X[:6]), rtol=1e-5)
    np.testing.assert_allclose(cam.outputs, net.predict_proba(X[:6]), rtol=1e-5)
    np.testing.assert_array_equal(cam.output_names, net.classes_)
    # Grad-CAM of the probability of class 2, by hand (softmax written here)
    module = net.module_
    x = torch.as_tensor(X[:6])
    A = module[1](module[0](x)).detach().requires_grad_(True)
    p = torch.exp(module[4](module[3](module[2](A)))).double()
    p = p / p.sum(dim=1, keepdim=True)
    (G,) = torch.autograd.grad(p[:, 2].sum(), A)
    ref = (G.mean(dim=(2, 3), keepdim=True) * A).sum(dim=1).detach().numpy()
    np.testing.assert_allclose(cam.values, ref, rtol=1e-4, atol=1e-7)
    # the logits stay one parameter away
    logit = skxai.GradCamExplainer(net, target=2, response_method="decision_function").fit(X).explain(X[:2])
    assert logit.quantity == "logit"


def test_constraints_replace_hand_checks_without_warnings():
    X = _X(3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for cls in GRADIENT + CAMS:
            cls(_net(), **FAST.get(cls, {})).fit(X)


@pytest.mark.parametrize("cls", GRADIENT + CAMS, ids=lambda c: c.__name__)
def test_every_constrained_parameter_is_checked_at_fit(cls):
    # an object that satisfies no constraint, for each declared parameter in turn
    params = cls(_net()).get_params(deep=False)
    checked = [p for p, c in cls._parameter_constraints.items() if c != "no_validation" and p in params]
    # every parameter but the model, the target and the deprecated alias is constrained
    assert set(params) - set(checked) <= {"estimator", "target", "layer"}
    assert {"response_method", "batch_size", "target_layer", "verbose"} <= set(checked)
    X = _X(2)
    for param in checked:
        with pytest.raises(InvalidParameterError, match=f"'{param}' parameter of {cls.__name__}"):
            cls(_net(), **{param: object()}).fit(X)
