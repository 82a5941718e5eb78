"""CAM family: closed forms on GAP networks, upscaling, sign conventions, errors, hooks, skorch."""

import pickle

import numpy as np
import pytest
from sklearn.base import clone

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

import skxai  # noqa: E402
from skxai.cam import (  # noqa: E402
    AblationCamExplainer,
    CamExplainer,
    EigenCamExplainer,
    GradCamExplainer,
    GradCamPlusPlusExplainer,
    GuidedGradCamExplainer,
    HiResCamExplainer,
    LayerCamExplainer,
    OptiCamExplainer,
    ScoreCamExplainer,
    XGradCamExplainer,
)
from skxai.cam._upsample import minmax, upsample  # noqa: E402

ALL = [
    CamExplainer,
    GradCamExplainer,
    GradCamPlusPlusExplainer,
    XGradCamExplainer,
    HiResCamExplainer,
    LayerCamExplainer,
    EigenCamExplainer,
    ScoreCamExplainer,
    AblationCamExplainer,
    OptiCamExplainer,
    GuidedGradCamExplainer,
]


def seeded(seed, build):
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        return build()


def gap_net(c_in=1, k=3, seed=0):
    """conv -> relu -> pool -> conv ('3') -> relu ('4') -> GAP -> linear ('6.1')."""
    return seeded(seed, lambda: nn.Sequential(
        nn.Conv2d(c_in, 6, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 8, 3, padding=1), nn.ReLU(),
        nn.AdaptiveAvgPool2d(1), nn.Sequential(nn.Flatten(), nn.Linear(8, k)),
    ).eval())


def flat_net(seed=0):
    """conv -> relu -> flatten -> linear: not a GAP network."""
    return seeded(seed, lambda: nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 8 * 8, 3),
    ).eval())


def images(n=5, c=1, h=8, w=8, seed=0):
    return np.random.RandomState(seed).normal(size=(n, c, h, w)).astype(np.float32)


# ---------------------------------------------------------------- closed forms on GAP networks
def test_cam_equals_gradcam_and_hirescam_on_gap_network():
    net, X = gap_net(), images()
    # Layer "4" (the last ReLU) is followed only by GAP and the linear layer.
    opts = dict(target_layer="4", relu=False, upsample=False)
    cam = CamExplainer(net, **opts).fit(X).explain(X)
    grad = GradCamExplainer(net, **opts).fit(X).explain(X)
    hires = HiResCamExplainer(net, **opts).fit(X).explain(X)
    hw = cam.raw_map.shape[1] * cam.raw_map.shape[2]
    np.testing.assert_allclose(cam.raw_map, hw * grad.raw_map, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(cam.raw_map, hw * hires.raw_map, rtol=1e-5, atol=1e-5)
    # CAM's map averages to the explained logit minus the bias.
    bias = net[6][1].bias.detach().numpy()[cam.targets]
    logit = cam.outputs[np.arange(len(X)), cam.targets]
    np.testing.assert_allclose(cam.raw_map.mean(axis=(1, 2)) + bias, logit, rtol=1e-5, atol=1e-5)
    # HiRes-CAM sums to the logit minus the bias on any layer followed by GAP and linear.
    np.testing.assert_allclose(hires.raw_map.sum(axis=(1, 2)) + bias, logit, rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(cam.targets, np.argmax(cam.outputs, axis=1))


def test_gradcam_differs_from_hirescam_when_a_nonlinearity_follows():
    net, X = gap_net(), images()
    # Layer "3" is followed by a ReLU, so gradients vary across positions.
    opts = dict(target_layer="3", relu=False, upsample=False)
    grad = GradCamExplainer(net, **opts).fit(X).explain(X).raw_map
    hires = HiResCamExplainer(net, **opts).fit(X).explain(X).raw_map
    assert np.abs(grad - hires).max() > 1e-3


def test_gradient_variants_against_hand_formulas():
    net, X = gap_net(), images()
    x = torch.as_tensor(X)
    acts = {}
    h = net[3].register_forward_hook(lambda m, i, o: acts.setdefault("a", o))
    out = net(x)
    h.remove()
    A = acts["a"]
    t = out.argmax(1)
    (G,) = torch.autograd.grad(out.gather(1, t[:, None]).sum(), A)
    A, G = A.detach().double(), G.double()
    s = A.sum((2, 3), keepdim=True)
    expected = {
        GradCamExplainer: (G.mean((2, 3), keepdim=True) * A).sum(1),
        XGradCamExplainer: (torch.nan_to_num((G * A).sum((2, 3), keepdim=True) / s) * A).sum(1),
        LayerCamExplainer: (torch.relu(G) * A).sum(1),
        HiResCamExplainer: (G * A).sum(1),
    }
    # the paper's alpha exactly, 0 only where G = 0 (issue 14: no additive epsilon)
    a = torch.where(G != 0, G**2 / (2 * G**2 + s * G**3), 0.0)
    expected[GradCamPlusPlusExplainer] = ((a * torch.relu(G)).sum((2, 3), keepdim=True) * A).sum(1)
    for cls, ref in expected.items():
        got = cls(net, target_layer="3", relu=False, upsample=False).fit(X).explain(X).raw_map
        np.testing.assert_allclose(got, ref.numpy(), rtol=1e-4, atol=1e-6, err_msg=cls.__name__)


# ---------------------------------------------------------------- upscaling
def test_bilinear_upscaling_hand_values():
    m = torch.tensor([[[0.0, 1.0], [2.0, 3.0]]])
    # align_corners=False: output pixel centres at -0.25, 0.25, 0.75, 1.25 (clamped at the ends)
    axis = np.array([0.0, 0.25, 0.75, 1.0])
    expected = 2 * axis[:, None] + axis[None, :]
    np.testing.assert_allclose(upsample(m, (4, 4))[0].numpy(), expected, atol=1e-7)
    np.testing.assert_allclose(upsample(torch.tensor([[0.0, 4.0]]), (4,))[0].numpy(), [0, 1, 3, 4])
    np.testing.assert_allclose(minmax(torch.tensor([[2.0, 4.0, 3.0], [1.0, 1.0, 1.0]])).numpy(),
                               [[0, 1, 0.5], [0, 0, 0]])


def test_upsample_normalize_and_relu_options():
    net, X = gap_net(), images()
    raw = GradCamExplainer(net, relu=False, upsample=False).fit(X).explain(X).raw_map
    heat = GradCamExplainer(net, normalize=True).fit(X).transform(X)
    assert heat.shape == (5, 8, 8)
    ref = minmax(upsample(torch.relu(torch.as_tensor(raw)), (8, 8))).numpy()
    np.testing.assert_allclose(heat, ref, atol=1e-6)
    assert np.isclose(heat.reshape(5, -1).max(1), 1).all() and np.isclose(heat.min(), 0)
    neg = GradCamExplainer(net, relu=False, upsample=False).fit(X).transform(X)
    np.testing.assert_allclose(neg, raw)


def test_one_dimensional_convolutions():
    net = seeded(1, lambda: nn.Sequential(
        nn.Conv1d(2, 4, 3, padding=1), nn.ReLU(), nn.MaxPool1d(2), nn.Conv1d(4, 5, 3, padding=1),
        nn.ReLU(), nn.AdaptiveAvgPool1d(1), nn.Flatten(), nn.Linear(5, 3)))
    X = np.random.RandomState(0).normal(size=(4, 2, 12)).astype(np.float32)
    for cls in (GradCamExplainer, ScoreCamExplainer, AblationCamExplainer, EigenCamExplainer):
        exp = cls(net, relu=False).fit(X).explain(X)
        assert exp.values.shape == (4, 12) and exp.raw_map.shape == (4, 6)
        ref = torch.nn.functional.interpolate(torch.as_tensor(exp.raw_map)[:, None], size=12,
                                              mode="linear", align_corners=False)[:, 0]
        np.testing.assert_allclose(exp.values, ref.numpy(), atol=1e-6)


# ---------------------------------------------------------------- perturbation variants
def test_scorecam_and_ablationcam_against_brute_force():
    net, X = gap_net(), images(n=3)
    x = torch.as_tensor(X)
    acts = {}
    h = net[3].register_forward_hook(lambda m, i, o: acts.setdefault("a", o.detach()))
    with torch.no_grad():
        out = net(x)
    h.remove()
    A, t = acts["a"], out.argmax(1)
    score = ScoreCamExplainer(net, target_layer="3").fit(X).explain(X).weights
    abl = AblationCamExplainer(net, target_layer="3").fit(X).explain(X).weights
    for i in range(3):
        s_ref, a_ref = [], []
        for k in range(A.shape[1]):
            m = minmax(upsample(A[i : i + 1, k], (8, 8)))
            with torch.no_grad():
                s_ref.append(float(net(x[i : i + 1] * m[:, None])[0, t[i]]))
                Ak = A[i : i + 1].clone()
                Ak[:, k] = 0
                y = float(nn.Sequential(*net[4:])(Ak)[0, t[i]])
            a_ref.append((float(out[i, t[i]]) - y) / float(out[i, t[i]]))
        np.testing.assert_allclose(score[i], torch.softmax(torch.tensor(s_ref), 0).numpy(), rtol=1e-4)
        np.testing.assert_allclose(abl[i], a_ref, rtol=1e-4, atol=1e-6)


def test_dead_channels_in_scorecam_and_ablationcam():
    net, X = gap_net(), images(n=3)
    with torch.no_grad():
        net[3].bias[:3] = -100.0  # channels 0-2 die after the ReLU ("4")
    abl = AblationCamExplainer(net, target_layer="4").fit(X).explain(X).weights
    score = ScoreCamExplainer(net, target_layer="4").fit(X).explain(X)
    assert (abl[:, :3] == 0).all() and (np.abs(abl[:, 3:]) > 0).any()
    x = torch.as_tensor(X)
    acts = {}
    h = net[4].register_forward_hook(lambda m, i, o: acts.setdefault("a", o.detach()))
    with torch.no_grad():
        net(x)
        h.remove()
        y_zero = net(torch.zeros_like(x[:1]))[0]
        m5 = minmax(upsample(acts["a"][:, 5], (8, 8)))
        y5 = net(x * m5[:, None])
    t = score.targets
    logw = np.log(score.weights)
    # a dead channel's mask is all zero: it scores the zero image
    np.testing.assert_allclose(logw[:, 0] - logw[:, 5], (y_zero[t] - y5[np.arange(3), t]).numpy(),
                               rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(logw[:, 0], logw[:, 2], atol=1e-6)


class _Residual(nn.Module):
    """Target layer inside a skip connection: the ablated batch cannot just grow after it."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(1, 4, 3, padding=1)
        self.body = nn.Conv2d(4, 4, 3, padding=1)
        self.head = nn.Linear(4, 3)

    def forward(self, x):
        s = torch.relu(self.stem(x))
        y = torch.relu(self.body(s)) + s
        return self.head(y.mean((2, 3)))


def test_ablation_falls_back_when_batch_cannot_grow_and_is_chunk_invariant():
    net, X = seeded(2, _Residual), images(n=4)
    ref = AblationCamExplainer(net, target_layer="body", batch_size=256).fit(X).explain(X)
    small = AblationCamExplainer(net, target_layer="body", batch_size=3).fit(X).explain(X)
    np.testing.assert_allclose(ref.weights, small.weights, rtol=1e-5, atol=1e-6)
    x = torch.as_tensor(X)
    with torch.no_grad():
        s = torch.relu(net.stem(x))
        b = torch.relu(net.body(s))
        out = net(x)
        t = out.argmax(1)
        for i in range(4):
            for k in range(4):
                bk = b[i : i + 1].clone()
                bk[:, k] = 0
                y = net.head((torch.relu(bk) + s[i : i + 1]).mean((2, 3)))[0, t[i]]
                w = (out[i, t[i]] - y) / out[i, t[i]]
                assert abs(float(w) - ref.weights[i, k]) < 1e-4
    # Ablating the body's output itself (not after its ReLU) is what "body" names.


def test_chunking_and_per_sample_targets():
    net, X = gap_net(), images(n=6)
    labels = np.array([0, 1, 2, 2, 1, 0])
    for cls in (GradCamExplainer, ScoreCamExplainer, AblationCamExplainer, OptiCamExplainer):
        kw = {"max_iter": 5} if cls is OptiCamExplainer else {}
        kw["target_layer"] = "3"  # chunking, not the default layer, is tested here
        big = cls(net, target=labels, batch_size=256, **kw).fit(X).explain(X)
        small = cls(net, target=labels, batch_size=4, **kw).fit(X).explain(X)
        np.testing.assert_array_equal(big.targets, labels)
        np.testing.assert_allclose(big.values, small.values, rtol=1e-4, atol=1e-5)
        for c in range(3):
            one = cls(net, target=c, **kw).fit(X).transform(X)
            np.testing.assert_allclose(big.values[labels == c], one[labels == c], rtol=1e-4, atol=1e-5)


def test_eigencam_sign_convention_is_stable():
    net, X = gap_net(), images(n=6)
    exp = EigenCamExplainer(net, target_layer="3", relu=False, upsample=False).fit(X).explain(X)
    acts = {}
    h = net[3].register_forward_hook(lambda m, i, o: acts.setdefault("a", o.detach()))
    with torch.no_grad():
        net(torch.as_tensor(X))
    h.remove()
    mean_act = acts["a"].mean(1).numpy()
    corr = [np.corrcoef(exp.raw_map[i].ravel(), mean_act[i].ravel())[0, 1] for i in range(6)]
    assert min(corr) > 0
    # Same sign whatever the batch, and equivariant under negated activations.
    one = EigenCamExplainer(net, target_layer="3", relu=False, upsample=False).fit(X).transform(X[2:3])
    np.testing.assert_allclose(one[0], exp.raw_map[2], rtol=1e-4, atol=1e-5)
    neg = nn.Sequential(*net[:4], _Negate())
    flipped = EigenCamExplainer(neg, target_layer="4", relu=False, upsample=False).fit(X).transform(X)
    np.testing.assert_allclose(flipped, -exp.raw_map, rtol=1e-4, atol=1e-5)


class _Negate(nn.Module):
    def forward(self, x):
        return -x


def test_opticam_beats_gradcam_masked_logit():
    net, X = gap_net(k=4, seed=3), images(n=6, seed=1)
    x = torch.as_tensor(X)
    grad = GradCamExplainer(net, normalize=True).fit(X).explain(X)
    opti = OptiCamExplainer(net, normalize=True, max_iter=30).fit(X).explain(X)
    idx = np.arange(6)
    with torch.no_grad():
        y_grad = net(x * torch.as_tensor(grad.values, dtype=torch.float32)[:, None]).numpy()[idx, grad.targets]
        y_opti = net(x * torch.as_tensor(opti.values, dtype=torch.float32)[:, None]).numpy()[idx, opti.targets]
    np.testing.assert_allclose(opti.masked_score, y_opti, rtol=1e-4, atol=1e-4)
    assert (y_opti >= y_grad - 1e-5).all() and (y_opti > y_grad + 1e-3).any()
    assert (opti.n_iter <= 30).all() and (opti.n_iter >= 1).all()
    np.testing.assert_allclose(opti.weights.sum(1), 1, rtol=1e-5)


def test_guided_gradcam_is_product_of_cam_and_guided_backprop():
    net, X = gap_net(c_in=3), images(n=3, c=3)
    exp = GuidedGradCamExplainer(net, normalize=True).fit(X).explain(X)
    gb = skxai.GuidedBackpropExplainer(net, response_method="logits").fit(X).transform(X)
    cam = GradCamExplainer(net, normalize=True).fit(X).transform(X)
    np.testing.assert_allclose(exp.values, cam[:, None] * gb, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(exp.cam, cam, atol=1e-6)


# ---------------------------------------------------------------- errors and state
def test_cam_refuses_networks_without_gap_then_linear():
    X = images()
    with pytest.raises(ValueError, match="global average pooling"):
        CamExplainer(flat_net()).fit(X).transform(X)
    with pytest.raises(ValueError, match="Use GradCamExplainer to explain probabilities"):
        CamExplainer(gap_net(), target_layer="4", response_method="proba").fit(X)
    # a softmax inside the network: the linear layer's output is not the explained response
    soft = seeded(0, lambda: nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
                                           nn.Flatten(), nn.Linear(4, 3), nn.Softmax(dim=1), nn.Identity()))
    with pytest.raises(ValueError, match="not the output of"):
        CamExplainer(soft, target_layer="1").fit(X).transform(X)
    two_fc = seeded(0, lambda: nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
                                             nn.Flatten(), nn.Linear(4, 4), nn.ReLU(), nn.Linear(4, 3)))
    with pytest.raises(ValueError, match="conv -> GAP -> linear"):
        CamExplainer(two_fc).fit(X).transform(X)
    # the same network passes with GradCAM
    assert GradCamExplainer(two_fc).fit(X).transform(X).shape == (5, 8, 8)


def test_layer_errors_list_module_names():
    net, X = gap_net(), images()
    with pytest.raises(ValueError, match=r"Unknown layer 'features\.9'.*'3'"):
        GradCamExplainer(net, target_layer="features.9").fit(X).transform(X)
    with pytest.raises(ValueError, match=r"feature map.*Use target_layer='4'"):
        GradCamExplainer(net, target_layer="6").fit(X).transform(X)
    mlp = nn.Sequential(nn.Flatten(), nn.Linear(64, 3))
    with pytest.raises(ValueError, match="no convolution"):
        GradCamExplainer(mlp).fit(X).transform(X)
    with pytest.raises(ValueError, match="channels first"):
        GradCamExplainer(mlp).fit(X.reshape(5, 64))
    with pytest.raises(ValueError, match="'relu' parameter"):
        GradCamExplainer(net, relu="yes").fit(X)
    with pytest.raises(ValueError, match="NaN"):
        GradCamExplainer(net).fit(X).transform(np.full_like(X, np.nan))


class _Boom(nn.Module):
    armed = False

    def forward(self, x):
        if self.armed:
            raise RuntimeError("boom")
        return x


@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.__name__)
def test_hooks_removed_and_mode_restored_after_errors(cls):
    net = seeded(0, lambda: nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), _Boom(),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 3)))
    X = images(n=3)
    net.train()
    net[0].weight.requires_grad_(False)
    kw = {"max_iter": 3} if cls is OptiCamExplainer else {}
    explainer = cls(net, target_layer="2", **kw).fit(X)
    net[3].armed = True
    with pytest.raises(RuntimeError, match="boom"):
        explainer.transform(X)
    assert all(m.training for m in net.modules())
    assert not net[0].weight.requires_grad and net[0].bias.requires_grad
    for m in net.modules():
        assert not m._forward_hooks and not m._forward_pre_hooks and not m._backward_hooks
    net[3].armed = False
    before = [p.detach().clone() for p in net.parameters()]
    explainer.transform(X)
    assert all(m.training for m in net.modules())
    assert all(p.grad is None for p in net.parameters())
    assert all(torch.equal(a, b) for a, b in zip(before, net.parameters(), strict=True))


@pytest.mark.parametrize("cls", [GradCamExplainer, HiResCamExplainer, EigenCamExplainer,
                                 ScoreCamExplainer, AblationCamExplainer],
                         ids=lambda c: c.__name__)
def test_inplace_relu_after_layer_leaves_activations_intact(cls):
    def build(inplace):
        return seeded(0, lambda: nn.Sequential(
            nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(inplace=inplace), nn.AdaptiveAvgPool2d(1),
            nn.Flatten(), nn.Linear(4, 3)))

    X = images()
    opts = dict(target_layer="0", relu=False, upsample=False)
    ref = cls(build(False), **opts).fit(X).explain(X)
    got = cls(build(True), **opts).fit(X).explain(X)
    with torch.no_grad():
        conv = build(False)[0](torch.as_tensor(X))
    assert (conv < 0).any() and (ref.raw_map < 0).any()
    # The conv output was explained, negative values included (not the ReLU-ed tensor).
    np.testing.assert_allclose(got.raw_map, ref.raw_map, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got.weights, ref.weights, rtol=1e-5, atol=1e-6)


class _ViewNet(nn.Module):
    """Flattens with .view(), which channels-last feature maps refuse."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1)
        self.fc = nn.Linear(4 * 8 * 8, 3)

    def forward(self, x):
        h = torch.relu(self.conv(x))
        return self.fc(h.view(h.size(0), -1))


@pytest.mark.parametrize("cls", [GradCamExplainer, ScoreCamExplainer, AblationCamExplainer],
                         ids=lambda c: c.__name__)
def test_networks_that_view_their_feature_maps(cls):
    net, X = seeded(0, _ViewNet), images(n=3, c=3)
    exp = cls(net, relu=False).fit(X).explain(X)
    x = torch.as_tensor(X)
    with torch.no_grad():
        h = net.conv(x)
    assert exp.raw_map.shape == (3, 8, 8)
    np.testing.assert_allclose(exp.raw_map, (exp.weights[:, :, None, None] * h.numpy()).sum(1),
                               rtol=1e-5, atol=1e-6)


def test_score_and_grid_search():
    from sklearn.model_selection import GridSearchCV

    net, X = gap_net(), images(n=8)
    assert np.isfinite(GradCamExplainer(net).fit(X).score(X))
    search = GridSearchCV(GradCamExplainer(net), {"target_layer": ["1", "4"]}, cv=2).fit(X)
    from sklearn.model_selection import KFold

    from skxai.metrics import deletion_auc

    # the metric's own preference, fold by fold (default scoring: deletion AUC, lower is better)
    ref = [np.mean([-deletion_auc(GradCamExplainer(net, target_layer=layer).fit(X[tr]), X[te]).mean()
                    for tr, te in KFold(2).split(X)]) for layer in ("1", "4")]
    np.testing.assert_allclose(search.cv_results_["mean_test_score"], ref, atol=1e-12)
    assert search.best_params_["target_layer"] == ("1", "4")[int(np.argmax(ref))]


@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.__name__)
def test_sklearn_api(cls):
    est = cls(gap_net(), target_layer="3")
    params = est.get_params()
    assert params["target_layer"] == "3"
    assert clone(est).get_params()["target_layer"] == "3"
    assert getattr(skxai, cls.__name__) is cls
    X = images(n=2)
    kw = {"max_iter": 2} if cls is OptiCamExplainer else {}
    fitted = cls(gap_net(), target_layer="4", **kw).fit(X)
    again = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_allclose(again.transform(X), fitted.transform(X), atol=1e-6)


# ---------------------------------------------------------------- skorch in a Pipeline
class _DigitsCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, padding=1)
        self.act1 = nn.ReLU()
        self.conv2 = nn.Conv2d(8, 16, 3, padding=1)
        self.act2 = nn.ReLU()
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        x = self.act2(self.conv2(self.act1(self.conv1(x))))
        return self.fc(self.pool(x).flatten(1))


def test_skorch_cnn_on_digits_in_pipeline():
    skorch = pytest.importorskip("skorch")
    from sklearn.datasets import load_digits
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import FunctionTransformer

    X, y = load_digits(return_X_y=True)
    X_test, y_test = X[1000:1200], y[1000:1200]
    X, y = X[:800], y[:800]
    net = skorch.NeuralNetClassifier(
        _DigitsCNN, criterion=nn.CrossEntropyLoss, optimizer=torch.optim.Adam, max_epochs=3,
        lr=0.02, batch_size=32, train_split=None, verbose=0,
    )
    to_images = FunctionTransformer(lambda A: (A / 16.0).reshape(-1, 1, 8, 8).astype(np.float32))
    with torch.random.fork_rng():
        torch.manual_seed(0)
        pipe = Pipeline([("img", to_images),
                         ("cam", GradCamExplainer(net, target_layer="conv2", normalize=True))])
        pipe.fit(X, y.astype(np.int64))
    heat = pipe.transform(X[:20])
    assert heat.shape == (20, 8, 8)
    assert np.isfinite(heat).all() and heat.max() <= 1 + 1e-9 and heat.min() >= 0
    pred = pipe.predict(X[:20])
    assert (pipe.predict(X_test) == y_test).mean() > 0.2  # trained: chance is 0.1
    exp = pipe[-1].explain(pipe[0].transform(X[:20]))
    np.testing.assert_array_equal(exp.targets, np.argmax(exp.outputs, axis=1))
    np.testing.assert_array_equal(exp.targets, pred)
    assert exp.target_layer == "conv2"
    # the default layer is the last convolution moved past its ReLU (issue 11: what the
    # pooling sees; the module applies act2 = nn.ReLU to conv2's output)
    assert GradCamExplainer(pipe[-1].estimator_).fit(pipe[0].transform(X[:5])).explain(
        pipe[0].transform(X[:5])).target_layer == "act2"


class _SideMap(nn.Module):
    """``aux`` runs in every pass; the output does not depend on it."""

    def __init__(self):
        super().__init__()
        self.conv, self.aux, self.fc = nn.Conv2d(1, 2, 3, padding=1), nn.Conv2d(2, 2, 1), nn.Linear(2, 2)

    def forward(self, x):
        h = torch.relu(self.conv(x))
        self.aux(h)
        return self.fc(h.mean(dim=(2, 3)))


@pytest.mark.parametrize("cls", [GradCamExplainer, GradCamPlusPlusExplainer])
def test_gradient_cam_of_a_layer_the_output_does_not_depend_on_is_refused_by_name(cls):
    torch.manual_seed(0)
    net = _SideMap().double()
    X = np.random.RandomState(0).normal(size=(3, 1, 6, 6))
    with pytest.raises(ValueError, match=r"^Layer 'aux' does not reach the explained output"):
        cls(net, target=0, target_layer="aux").fit(X).transform(X)
    assert not any(m._forward_hooks or m._backward_hooks for m in net.modules())
    assert np.isfinite(cls(net, target=0, target_layer="conv").fit(X).transform(X)).all()
