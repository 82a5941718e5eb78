"""skxai.metrics on torch explainers: gradient x input vs the random control, sanity checks
that separate gradients from the Sobel control, captum's infidelity and sensitivity_max."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from skxai import ConstantExplainer, RandomExplainer, SobelExplainer  # noqa: E402
from skxai.metrics import (  # noqa: E402
    average_drop_increase_gain,
    completeness_gap,
    deletion_auc,
    faithfulness_correlation,
    infidelity,
    insertion_auc,
    max_sensitivity,
    model_randomization_test,
)
from tests._peers import import_peer  # noqa: E402


def _explainer(name):
    # skxai's own classes never skip a test: failing to import them is a failure (issue 17)
    import skxai

    return getattr(skxai, name)


class SmallCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 4, 3, padding=1)
        self.relu1 = nn.ReLU()
        self.pool1 = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(4, 8, 3, padding=1)
        self.relu2 = nn.ReLU()
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(8, 3)

    def forward(self, x):
        h = self.relu2(self.conv2(self.pool1(self.relu1(self.conv1(x)))))
        return self.fc(self.gap(h).flatten(1))


def _cnn(seed=0):
    g = torch.Generator().manual_seed(seed)
    m = SmallCNN().double()
    with torch.no_grad():
        for p in m.parameters():
            p.copy_(torch.randn(p.shape, generator=g, dtype=torch.float64) * 0.5)
    return m


@pytest.fixture(scope="module")
def images():
    rng = np.random.RandomState(0)
    X = rng.uniform(size=(6, 1, 8, 8))
    X[:, :, 2:6, 2:6] += 1.0  # a bright square gives edges and structure
    return X


@pytest.fixture(scope="module")
def linear_torch():
    rng = np.random.RandomState(0)
    w = rng.normal(size=(1, 10)) * 2
    lin = nn.Linear(10, 1).double()
    with torch.no_grad():
        lin.weight.copy_(torch.as_tensor(w))
        lin.bias.fill_(0.3)
    X = rng.normal(size=(20, 10))
    return lin, X


def test_gradient_x_input_beats_random_on_linear_model(linear_torch):
    lin, X = linear_torch
    gxi = _explainer("GradientXInputExplainer")(lin).fit(X)
    rand = RandomExplainer(lin, random_state=1).fit(X)  # seed 0 would redraw the weights
    # gradient x input of a linear model = exact contributions against the zero baseline
    assert deletion_auc(gxi, X).mean() < deletion_auc(rand, X).mean()
    assert insertion_auc(gxi, X).mean() > insertion_auc(rand, X).mean()  # zeros for (n, d)
    assert infidelity(gxi, X, perturbation="subset").max() < 1e-20
    assert infidelity(rand, X, perturbation="subset").min() > 1e-3
    assert_allclose(faithfulness_correlation(gxi, X), 1.0, atol=1e-12)
    assert faithfulness_correlation(rand, X).mean() < 0.6
    assert_allclose(completeness_gap(gxi, X), 0.0, atol=1e-10)
    # plain gradients are the optimum of Gaussian infidelity on a linear model
    grad = _explainer("GradientExplainer")(lin).fit(X)
    assert infidelity(grad, X).max() < 1e-20 < infidelity(rand, X).min()


def test_model_randomization_separates_gradient_from_sobel(images):
    model = _cnn()
    model.train()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    grad = _explainer("GradientExplainer")(model).fit(images)
    report = model_randomization_test(grad, images, mode="both")
    assert report.passed
    assert [r["layer"] for r in report.records[:3]] == ["fc", "conv2", "conv1"]
    sobel = SobelExplainer(model).fit(images)
    control = model_randomization_test(sobel, images)
    assert not control.passed
    assert_allclose(control.min_similarity, 1.0)
    for rec in control.records:
        assert rec["spearman_abs"] == 1.0
        if "ssim" in rec:
            assert_allclose(rec["ssim"], 1.0)
    # the user's model is untouched: weights and training flag
    assert model.training
    for k, v in model.state_dict().items():
        assert torch.equal(before[k], v)


def test_image_metrics_run_on_heatmaps_and_controls(images):
    model = _cnn()
    const = ConstantExplainer(model).fit(images)
    sobel = SobelExplainer(model).fit(images)
    # issue 17: this checked the AUC shape only; now the values against a hand computation
    # (2x2 patches ranked by their summed map, ties by index, zeros baseline, trapezoid)
    def f(x):
        with torch.no_grad():
            return model(torch.as_tensor(x)).numpy()

    t = const.target_indices(images)
    for ex in (const, sobel):
        maps = np.zeros((6, 16)) + 1.0 if ex is const else None
        if maps is None:
            from scipy import ndimage

            edge = np.stack([np.hypot(ndimage.sobel(im[0], axis=0), ndimage.sobel(im[0], axis=1))
                             for im in images])
            maps = edge.reshape(6, 4, 2, 4, 2).sum(axis=(2, 4)).reshape(6, 16)
        for mode, auc in (("deletion", deletion_auc), ("insertion", insertion_auc)):
            expected = []
            for i in range(6):
                order = np.argsort(-maps[i], kind="stable")
                curve = []
                for k in range(17):
                    on = np.zeros(16, dtype=bool)
                    on[order[:k]] = True
                    keep = ~on if mode == "deletion" else on
                    mask = np.kron(keep.reshape(4, 4), np.ones((2, 2)))
                    x = images[i:i + 1] * mask
                    curve.append(f(x)[0, t[i]])
                expected.append(sum(curve[j] + curve[j + 1] for j in range(16)) / 32)
            assert_allclose(auc(ex, images, patch_size=2, baseline="zeros"), expected, rtol=1e-10)
    assert_allclose(max_sensitivity(const, images), 0.0)
    res = average_drop_increase_gain(const, images)  # constant map masks the whole image
    blank = const.model_output(np.zeros_like(images))
    full = const.model_output(images)
    p = np.exp(full - full.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    q = np.exp(blank - blank.max(1, keepdims=True))
    q /= q.sum(1, keepdims=True)
    t = const.target_indices(images)
    Y, O = p[np.arange(6), t], q[np.arange(6), t]
    assert_allclose(res.drop, np.maximum(0, Y - O) / Y)
    cam_cls = _explainer("GradCamExplainer")
    cam = cam_cls(model, target_layer="conv2", upsample=False).fit(images)
    maps = cam.transform(images)
    assert maps.shape == (6, 4, 4)  # heatmaps at the layer's resolution are upsampled
    assert deletion_auc(cam, images).shape == (6,)
    assert average_drop_increase_gain(cam, images).gain.shape == (6,)


@pytest.mark.peer
def test_infidelity_equals_captum(images):
    captum_metrics = import_peer("captum.metrics")
    model = _cnn()
    grad = _explainer("GradientExplainer")(model, response_method="decision_function").fit(images)
    phi = grad.transform(images)
    targets = grad.target_indices(images)
    n, m = len(images), 7
    P = np.random.RandomState(0).normal(0, 0.1, size=(n, m) + images.shape[1:])

    def perturb(inputs):
        I = torch.as_tensor(P.reshape((n * m,) + images.shape[1:]))  # repeat_interleave order
        return I, inputs - I

    for normalize in (True, False):
        ref = captum_metrics.infidelity(model, perturb, torch.as_tensor(images),
                                        torch.as_tensor(phi), target=torch.as_tensor(targets),
                                        n_perturb_samples=m, normalize=normalize).numpy()
        ours = infidelity(grad, images, attributions=phi, perturbations=P, normalize=normalize)
        assert_allclose(ours, ref, rtol=1e-9, atol=1e-15)


@pytest.mark.peer
def test_sensitivity_max_equals_captum(images):
    captum_metrics = import_peer("captum.metrics")
    model = _cnn()
    grad = _explainer("GradientExplainer")(model, response_method="decision_function").fit(images)
    n, m = len(images), 5
    E = np.random.RandomState(1).uniform(-0.02, 0.02, size=(n, m) + images.shape[1:])

    def perturb(inputs):
        return inputs + torch.as_tensor(E.reshape((n * m,) + images.shape[1:]))

    def explain(inputs):
        if isinstance(inputs, tuple):  # captum passes (and expects back) a tuple once
            return (explain(inputs[0]),)
        return torch.as_tensor(grad.transform(inputs.detach().numpy()))

    ref = captum_metrics.sensitivity_max(explain, torch.as_tensor(images), perturb_func=perturb,
                                         n_perturb_samples=m).numpy()
    assert_allclose(max_sensitivity(grad, images, perturbations=E), ref, rtol=1e-9)


def test_data_randomization_with_train_callable(linear_torch):
    """A plain module is retrained by the user's callable; the user's module is untouched."""
    from skxai.metrics import data_randomization_test

    lin, X = linear_torch
    y = lin(torch.as_tensor(X)).detach().numpy().ravel()
    before = lin.weight.detach().clone()

    def train(module, Xtr, ytr):  # least squares on the (permuted) labels
        A = np.c_[Xtr, np.ones(len(Xtr))]
        coef = np.linalg.lstsq(A, ytr, rcond=None)[0]
        with torch.no_grad():
            module.weight.copy_(torch.as_tensor(coef[None, :-1]))
            module.bias.fill_(float(coef[-1]))
        return module

    grad = _explainer("GradientXInputExplainer")(lin).fit(X)
    report = data_randomization_test(grad, X, X_train=X, y_train=y, train=train)
    assert report.passed and report.records[0]["mode"] == "data"
    assert torch.equal(lin.weight, before)
    random_control = RandomExplainer(lin, random_state=0).fit(X)  # ignores the model entirely
    assert data_randomization_test(random_control, X, X_train=X, y_train=y, train=train).min_similarity == 1.0
    with pytest.raises(TypeError, match="train="):
        data_randomization_test(grad, X, X_train=X, y_train=y)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_model_randomization_of_converted_sklearn_mlp():
    from sklearn.neural_network import MLPClassifier

    rng = np.random.RandomState(0)
    X = rng.normal(size=(120, 4))
    y = (X[:, 0] - X[:, 1] > 0).astype(int)
    mlp = MLPClassifier(hidden_layer_sizes=(6,), max_iter=800, random_state=0).fit(X, y)
    coefs = [c.copy() for c in mlp.coefs_]
    grad = _explainer("GradientExplainer")(mlp).fit(X)
    report = model_randomization_test(grad, X[:20])
    assert report.passed
    assert all(np.array_equal(a, b) for a, b in zip(coefs, mlp.coefs_, strict=True))


@pytest.mark.parametrize("sigma", [-1.0, float("nan"), "5"])
def test_blur_baseline_rejects_a_bad_width(images, sigma):
    # a negative width was skipped by scipy: the "blurred" baseline was the image itself, so
    # deletion never changed the output and the AUC was f(x), silently
    ex = _explainer("GradientXInputExplainer")(_cnn()).fit(images)
    with pytest.raises(ValueError, match="blur width"):
        deletion_auc(ex, images, baseline="blur", blur_sigma=sigma)


@pytest.mark.parametrize("patch_size", [2.0, "2", (2.0, 2)])
def test_patch_size_that_is_not_an_int_gets_a_clear_error(images, patch_size):
    # 2.0 raised "TypeError: 'float' object is not iterable"
    ex = _explainer("GradientXInputExplainer")(_cnn()).fit(images)
    with pytest.raises(ValueError, match="patch_size=.* must be a positive int"):
        deletion_auc(ex, images, patch_size=patch_size)


@pytest.mark.parametrize("name", ["GradientExplainer", "IntegratedGradientsExplainer"])
def test_threaded_metric_chunks_leave_the_network_as_it_was(name):
    # joblib's threading backend ran the chunks' transforms at once on one network: each
    # recorded the other's eval mode / frozen flags as "before", so the user's network was left
    # in eval mode with every parameter frozen, and dropout was on during some computations
    from joblib import parallel_config

    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(),
                        nn.Dropout(0.3), nn.Flatten(), nn.Linear(64, 3))
    net.train()
    net[0].weight.requires_grad_(False)
    flags = [p.requires_grad for p in net.parameters()]
    X = np.random.RandomState(0).rand(40, 1, 4, 4).astype(np.float32)
    kwargs = {"n_steps": 4} if name == "IntegratedGradientsExplainer" else {}
    ex = _explainer(name)(net, **kwargs).fit(X[:5])
    expected = max_sensitivity(ex, X, batch_size=20)
    for _ in range(4):
        with parallel_config(backend="threading"):
            got = max_sensitivity(ex, X, batch_size=20, n_jobs=2)
        assert all(m.training for m in net.modules())
        assert [p.requires_grad for p in net.parameters()] == flags
        assert_allclose(got, expected)


def test_layer_resolution_cam_of_a_1d_network_is_upsampled_like_a_2d_one():
    # a (n, h, w) CAM at layer resolution was upsampled, but a Conv1d CAM's (n, l) raised
    # "attributions have shape (3, 8); expected the input's shape (3, 2, 16) or a heatmap"
    from skxai.cam import GradCamExplainer

    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv1d(2, 4, 3, padding=1), nn.ReLU(), nn.MaxPool1d(2),
                        nn.Conv1d(4, 4, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool1d(1),
                        nn.Flatten(), nn.Linear(4, 3)).eval()
    X = np.random.RandomState(0).rand(3, 2, 16).astype(np.float32)
    low = GradCamExplainer(net, target_layer="3", upsample=False).fit(X)
    high = GradCamExplainer(net, target_layer="3").fit(X)
    assert low.transform(X).shape == (3, 8)
    assert_allclose(deletion_auc(low, X), deletion_auc(high, X), rtol=1e-6)
    assert_allclose(average_drop_increase_gain(low, X).drop,
                    average_drop_increase_gain(high, X).drop, rtol=1e-6, atol=1e-12)


def test_data_randomization_train_returning_none_gets_a_clear_error(images):
    # an in-place torch training loop without `return model` raised "Cannot explain NoneType
    # with gradients", which does not point at the train callable
    from skxai.metrics import data_randomization_test

    ex = _explainer("GradientExplainer")(_cnn()).fit(images)

    def train(model, X, y):
        model.fc.bias.data.zero_()  # trains in place, returns nothing

    with pytest.raises(TypeError, match=r"train\(model, X, y\) returned None"):
        data_randomization_test(ex, images, X_train=images, y_train=np.arange(6) % 3, train=train)


def test_sensitivity_attributions_of_another_shape_get_a_clear_error(images):
    # a (n, H, W) map given for a gradient explainer's (n, C, H, W) output raised numpy's
    # "operands could not be broadcast together"
    ex = _explainer("GradientExplainer")(_cnn()).fit(images)
    with pytest.raises(ValueError, match="pass explainer.transform"):
        max_sensitivity(ex, images, attributions=np.zeros((6, 8, 8)))


def test_randomization_tests_run_under_a_callers_inference_mode(images):
    # the deep copy made under torch.inference_mode() held inference-tensor parameters: the
    # randomised copy's gradients failed ("Inference tensors cannot be saved for backward")
    from skxai.metrics import data_randomization_test

    ex = _explainer("GradientExplainer")(_cnn()).fit(images)
    expected = model_randomization_test(ex, images)
    drt = data_randomization_test(ex, images, X_train=images, y_train=np.arange(6) % 3,
                                  train=lambda model, X, y: model)
    with torch.inference_mode():
        got = model_randomization_test(ex, images)
        got_data = data_randomization_test(ex, images, X_train=images,
                                           y_train=np.arange(6) % 3, train=lambda model, X, y: model)
    assert got.min_similarity == pytest.approx(expected.min_similarity, abs=1e-12)
    assert got_data.min_similarity == pytest.approx(drt.min_similarity, abs=1e-12)


class _ScaledSum(nn.Module):
    """``a * sum(x)``: the input gradient is the constant map ``a`` whatever ``a`` is."""

    def __init__(self):
        super().__init__()
        self.a = nn.Parameter(torch.tensor([2.0], dtype=torch.float64))

    def forward(self, x):
        return x.sum(dim=1, keepdim=True) * self.a


def test_randomization_check_fails_a_constant_map_whose_value_changes():
    # randomising ``a`` changes the constant the gradient map holds, never its ranking (all
    # elements tied): the rank similarity is 1 and the check fails. Two different constant
    # maps scored 0 ("changed") and such a method passed.
    X = np.random.RandomState(0).normal(size=(5, 4))
    grad = _explainer("GradientExplainer")(_ScaledSum()).fit(X)
    report = model_randomization_test(grad, X, similarity=("spearman", "spearman_abs"))
    maps = [r["spearman_values"] for r in report.records]
    assert_allclose(np.concatenate(maps), 1.0)
    assert not report.passed
