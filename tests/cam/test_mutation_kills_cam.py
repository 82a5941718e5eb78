"""CAM weights against the papers' formulas on a hand-built network (issue 17: kill tests).

The explained layer is a 1x1 convolution with identity weights, so its activations ``A`` are the
input itself; the head is ``y = V . flatten(A) + b``, so the gradient of output ``c`` is
``G = V[c]`` reshaped to the activations. Every weight and map below is written out from the
papers' formulas with these known ``A`` and ``G``; nothing is taken from skxai.
"""

import re

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from skxai.cam import (  # noqa: E402
    AblationCamExplainer,
    EigenCamExplainer,
    GradCamExplainer,
    GradCamPlusPlusExplainer,
    HiResCamExplainer,
    LayerCamExplainer,
    ScoreCamExplainer,
    XGradCamExplainer,
)

K, H, W = 3, 2, 3

# Sample 0, channel 2 sums to -4 and its gradient (output 0) is 0.5 at (0, 0): there
# 2 G^2 + (sum A) G^3 = 0.5 - 0.5 = 0, Grad-CAM++'s measure-zero 0/0 guard. Sample 1, channel 1
# is all zero (dead), channel 2 is constant (a constant Score-CAM mask).
X = np.array(
    [
        [[[0.5, 1.0, 2.0], [1.5, 0.2, 0.7]], [[-0.3, 0.8, 1.2], [0.4, 2.0, -0.6]], [[-1, -1, -1], [-1, 0, 0]]],
        [[[1.2, 0.1, 0.9], [0.3, 1.4, 0.6]], [[0, 0, 0], [0, 0, 0]], [[0.7, 0.7, 0.7], [0.7, 0.7, 0.7]]],
    ]
)
V = np.array(
    [
        [[[0.3, -0.2, 0.0], [0.5, 0.1, -0.4]], [[0.0, 0.6, -0.1], [0.2, 0.0, 0.3]],
         [[0.5, -0.3, 0.2], [0.0, 0.4, 0.1]]],
        [[[-0.2, 0.4, 0.1], [0.0, 0.3, 0.2]], [[0.5, -0.1, 0.0], [0.2, 0.3, 0.1]],
         [[0.1, 0.2, -0.3], [0.4, 0.0, 0.6]]],
    ]
)
B = np.array([0.7, -0.4])
T = np.array([0, 1])  # explained output of each sample


def _net(skip=False):
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(K, K, 1, bias=False)
            self.head = nn.Linear(K * H * W, 2)

        def forward(self, x):
            a = self.conv(x)
            if skip:  # the ablated batch cannot simply grow after the layer
                a = a + x
            return self.head(a.flatten(1))

    net = Net().double()
    with torch.no_grad():
        net.conv.weight.copy_(torch.eye(K, dtype=torch.float64)[:, :, None, None])
        net.head.weight.copy_(torch.as_tensor(V.reshape(2, -1)))
        net.head.bias.copy_(torch.as_tensor(B))
    return net.eval()


G = V[T]  # (n, K, H, W): d y_t / d A
Y = (V[T] * X).sum(axis=(1, 2, 3)) + B[T]


def _explain(cls, **kw):
    return cls(_net(kw.pop("skip", False)), target_layer="conv", target=T, relu=False, upsample=False,
               **kw).fit(X).explain(X)


def _combine(w):
    return (w[:, :, None, None] * X).sum(axis=1)


def test_gradcam_weights_are_the_mean_gradients():
    exp = _explain(GradCamExplainer)
    w = G.mean(axis=(2, 3))
    np.testing.assert_allclose(exp.weights, w, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(exp.raw_map, _combine(w), rtol=1e-12, atol=1e-15)


def test_gradcampp_alpha_is_the_papers_with_only_the_zero_guard():
    exp = _explain(GradCamPlusPlusExplainer)
    total = X.sum(axis=(2, 3), keepdims=True)
    den = 2 * G**2 + total * G**3
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = np.where(den != 0, G**2 / np.where(den != 0, den, 1.0), 0.0)
    assert den[0, 2, 0, 0] == 0 and G[0, 2, 0, 0] == 0.5  # the guard is exercised
    assert (G == 0).any()
    w = (alpha * np.maximum(G, 0)).sum(axis=(2, 3))
    np.testing.assert_allclose(exp.weights, w, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(exp.raw_map, _combine(w), rtol=1e-12, atol=1e-15)
    # one entry by hand: sample 0, channel 0 (sum A = 5.9), G = [.3, -.2, 0, .5, .1, -.4]
    by_hand = sum(g**3 / (2 * g**2 + 5.9 * g**3) for g in (0.3, 0.5, 0.1))
    assert exp.weights[0, 0] == pytest.approx(by_hand, rel=1e-12)


def test_gradcampp_weights_do_not_depend_on_the_gradient_scale_beyond_the_formula():
    # scaling V by s scales G: alpha = 1/(2 + sum(A) G) changes as the formula says, no epsilon
    s = 1e-4
    net = _net()
    with torch.no_grad():
        net.head.weight.mul_(s)
    exp = GradCamPlusPlusExplainer(net, target_layer="conv", target=T, relu=False, upsample=False).fit(X).explain(X)
    Gs = s * G
    total = X.sum(axis=(2, 3), keepdims=True)
    den = 2 * Gs**2 + total * Gs**3
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = np.where(den != 0, Gs**2 / np.where(den != 0, den, 1.0), 0.0)
    np.testing.assert_allclose(exp.weights, (alpha * np.maximum(Gs, 0)).sum(axis=(2, 3)), rtol=1e-10, atol=0)


def test_gradcampp_unit_gradients_are_ordinary():
    # gradients of exactly 1 and -1 follow the formula like any other value (only G = 0 is special)
    net = _net()
    V1 = V.copy()
    V1[0, 0, 0, 1], V1[0, 1, 1, 0] = 1.0, -1.0
    with torch.no_grad():
        net.head.weight.copy_(torch.as_tensor(V1.reshape(2, -1)))
    exp = GradCamPlusPlusExplainer(net, target_layer="conv", target=T, relu=False, upsample=False).fit(X).explain(X)
    G1 = V1[T]
    total = X.sum(axis=(2, 3), keepdims=True)
    with np.errstate(divide="ignore"):
        alpha = np.where(G1 != 0, 1 / (2 + total * G1), 0.0)
    alpha[~np.isfinite(alpha)] = 0.0
    np.testing.assert_allclose(exp.weights, (alpha * np.maximum(G1, 0)).sum(axis=(2, 3)), rtol=1e-12)

def test_gradcampp_tiny_float32_gradients_keep_their_weights():
    # float32 gradients of 1e-22 (a confident network's other classes): G^2 and G^3 underflow,
    # but alpha = 1 / (2 + sum A G) is about 1/2, so the weights are about sum ReLU(G) / 2, not 0
    net = _net().float()
    with torch.no_grad():
        net.head.weight.mul_(1e-22)
    Xf = np.abs(X).astype(np.float32)
    exp = GradCamPlusPlusExplainer(net, target_layer="conv", target=T, relu=False, upsample=False).fit(Xf).explain(Xf)
    Gs = net.head.weight.detach().double().numpy().reshape(2, K, H, W)[T]
    alpha = 1 / (2 + Xf.astype(np.float64).sum(axis=(2, 3), keepdims=True) * Gs)
    w = (alpha * np.maximum(Gs, 0)).sum(axis=(2, 3))
    assert (w > 1e-23).all()
    np.testing.assert_allclose(exp.weights, w, rtol=1e-5)


def test_xgradcam_weights_are_activation_weighted_gradients():
    exp = _explain(XGradCamExplainer)
    total = X.sum(axis=(2, 3))
    # the paper's, and 0 for the dead channel (0/0): no additive epsilon
    w = np.divide((G * X).sum(axis=(2, 3)), total, out=np.zeros_like(total), where=total != 0)
    assert w[1, 1] == 0 and (total != 0).sum() == 5
    np.testing.assert_allclose(exp.weights, w, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(exp.raw_map, _combine(w), rtol=1e-12, atol=1e-15)
    # by hand: sample 1, channel 0 (output 1): sum A G / sum A
    num = 1.2 * -0.2 + 0.1 * 0.4 + 0.9 * 0.1 + 0.3 * 0.0 + 1.4 * 0.3 + 0.6 * 0.2
    assert exp.weights[1, 0] == pytest.approx(num / 4.5, rel=1e-12)


def test_hirescam_and_layercam_are_elementwise():
    hires = _explain(HiResCamExplainer)
    np.testing.assert_allclose(hires.weights, G, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(hires.raw_map, (G * X).sum(axis=1), rtol=1e-12, atol=1e-15)
    # on a linear head the HiRes map sums to the score minus the bias
    np.testing.assert_allclose(hires.raw_map.sum(axis=(1, 2)), Y - B[T], rtol=1e-12)
    layer = _explain(LayerCamExplainer)
    np.testing.assert_allclose(layer.weights, np.maximum(G, 0), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(layer.raw_map, (np.maximum(G, 0) * X).sum(axis=1), rtol=1e-12, atol=1e-15)


def _scorecam_reference(baseline=0.0):
    w = np.zeros((2, K))
    for i in range(2):
        scores = []
        for k in range(K):
            a = X[i, k]
            span = a.max() - a.min()
            m = (a - a.min()) / span if span > 0 else np.zeros_like(a)  # min-max scaled mask
            masked = X[i] * m + (1 - m) * baseline
            scores.append((V[T[i]] * masked).sum() + B[T[i]])
        e = np.exp(np.array(scores) - max(scores))
        w[i] = e / e.sum()
    return w


@pytest.mark.parametrize("batch_size", [256, 1])
@pytest.mark.parametrize("baseline", [0.0, 0.5])
def test_scorecam_weights_are_the_softmax_of_masked_scores(baseline, batch_size):
    kw = {} if baseline == 0.0 else {"baseline": baseline}
    exp = _explain(ScoreCamExplainer, batch_size=batch_size, **kw)
    w = _scorecam_reference(baseline)
    np.testing.assert_allclose(exp.weights, w, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(exp.raw_map, _combine(w), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("skip", [False, True])
@pytest.mark.parametrize("batch_size", [256, 3, 1])
@pytest.mark.parametrize("value", [0.0, 0.7])
def test_ablationcam_weights_are_the_relative_score_drop(value, batch_size, skip):
    exp = _explain(AblationCamExplainer, ablation_value=value, batch_size=batch_size, skip=skip)
    y = Y + (V[T] * X).sum(axis=(1, 2, 3)) if skip else Y  # the skip adds x once more after the layer
    drop = (V[T] * (X - value)).sum(axis=(2, 3))  # y - y^(k) on the linear head
    w = drop / y[:, None]
    np.testing.assert_allclose(exp.weights, w, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(exp.raw_map, _combine(w), rtol=1e-12, atol=1e-15)
    if value == 0.0:
        assert exp.weights[1, 1] == 0  # dead channel
    else:
        assert exp.weights[1, 2] == 0  # channel equal to the ablation value everywhere


def test_eigencam_is_the_first_principal_component_with_a_fixed_sign():
    # A_k(p) = u_k s(p) + m_k: the centred positions x channels matrix is (s - mean s) u^T, so the
    # first principal direction is u/|u| and the map (s - mean s)|u|, signed so that it
    # correlates positively with the channel mean u_bar s + m_bar (the sign of u_bar)
    s = np.array([[0.0, 1.0, 2.0], [3.0, 5.0, -1.0]])
    us = [np.array([1.0, -2.0, 0.5]), np.array([1.0, 2.0, 0.5]), np.array([1.0, -1.0, 0.0])]
    ms = [np.array([0.3, -0.1, 2.0]), np.array([0.0, 1.0, -0.5]), np.array([0.5, -0.5, 0.0])]
    A = np.stack([u[:, None, None] * s + m[:, None, None] for u, m in zip(us, ms, strict=True)])
    net = nn.Sequential(nn.Conv2d(K, K, 1, bias=False), nn.Flatten(), nn.Linear(K * H * W, 2)).double()
    with torch.no_grad():
        net[0].weight.copy_(torch.eye(K, dtype=torch.float64)[:, :, None, None])
    exp = EigenCamExplainer(net, target_layer="0", relu=False, upsample=False).fit(A).explain(A)
    centred = s - s.mean()
    for i in range(2):
        sign = np.sign(us[i].mean())
        np.testing.assert_allclose(exp.raw_map[i], sign * centred * np.linalg.norm(us[i]), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(exp.weights[i], sign * us[i] / np.linalg.norm(us[i]), rtol=1e-10, atol=1e-12)
    # sample 2: the channel mean is exactly 0, so no sign is preferred, but the map is not lost
    np.testing.assert_allclose(np.abs(exp.raw_map[2]), np.abs(centred) * np.sqrt(2), rtol=1e-10, atol=1e-12)


# --- CAM's structure checks (the fourth wave's run of CamExplainer._channel_weights)


def _cam_net(pool, c_in=1, scale=1.0):
    """conv ('0') -> relu ('1') -> conv ('2') -> relu ('3') -> pool ('4') -> flatten -> linear ('5.1')."""
    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(c_in, 6, 3, padding=1), nn.ReLU(), nn.Conv2d(6, 8, 3, padding=1), nn.ReLU(),
                        pool, nn.Sequential(nn.Flatten(), nn.Linear(8, 3))).double().eval()
    with torch.no_grad():
        net[2].weight.mul_(scale)
        net[2].bias.mul_(scale)
    return net


def _cam_refusal(layer, fc, reason, hint=""):
    return re.escape(
        f"CamExplainer needs layer '{layer}' to be followed only by global average pooling and the linear "
        f"layer '{fc}' (conv -> GAP -> linear), but {reason}.{hint} GradCamExplainer works on any network "
        "(and equals CAM / (H W) on GAP networks).")


def test_cam_refusals_name_the_layer_the_linear_layer_and_the_reason():
    from skxai.cam import CamExplainer

    X = np.random.RandomState(0).normal(size=(3, 1, 6, 6))
    gap = _cam_net(nn.AdaptiveAvgPool2d(1))
    hint = " Use target_layer='3' (the activations the pooling averages)."
    # the linear layer named does not run

    class WithAux(nn.Module):
        def __init__(self):
            super().__init__()
            self.body, self.aux = _cam_net(nn.AdaptiveAvgPool2d(1)), nn.Linear(8, 3).double()

        def forward(self, x):
            return self.body(x)

    with pytest.raises(ValueError, match="^" + _cam_refusal(
            "body.3", "aux", "'aux' did not run in the forward pass") + "$"):
        CamExplainer(WithAux().eval(), fc_layer="aux").fit(X).transform(X)
    # a layer whose channels are not what the linear layer receives (6 channels, 8 features)
    with pytest.raises(ValueError, match="^" + _cam_refusal(
            "1", "5.1", "'5.1' receives 8 features per sample while the layer has 6 channels", hint) + "$"):
        CamExplainer(gap, target_layer="1").fit(X).transform(X)
    # max pooling: 8 features, but not the spatial mean
    with pytest.raises(ValueError, match="^" + _cam_refusal(
            "3", "5.1", "the input of '5.1' is not the spatial mean of the activations") + "$"):
        CamExplainer(_cam_net(nn.AdaptiveMaxPool2d(1))).fit(X).transform(X)
    # a softmax inside the network follows the linear layer (logits of order 10, probabilities
    # in [0, 1]; the Identity after it keeps it from being bypassed as a trailing activation)
    soft = _cam_net(nn.AdaptiveAvgPool2d(1), scale=50.0)
    soft[5].append(nn.Softmax(dim=1))
    soft[5].append(nn.Identity())
    with pytest.raises(ValueError, match="^" + _cam_refusal(
            "3", "5.1", "the explained response is not the output of '5.1' (a softmax or another layer follows it; "
            "CAM explains response_method='decision_function')") + "$"):
        CamExplainer(soft).fit(X).transform(X)
    # probabilities asked by name are refused before any pass
    with pytest.raises(ValueError, match="Use GradCamExplainer to explain probabilities"):
        CamExplainer(_cam_net(nn.AdaptiveAvgPool2d(1)), response_method="predict_proba").fit(X)


def test_cam_refuses_a_response_scaled_after_the_linear_layer():
    # outputs = 1.5 x the linear layer's: not its output (a relative tolerance of 1e-4 sees it)
    from skxai.cam import CamExplainer

    class Scale(nn.Module):
        def forward(self, z):
            return 1.5 * z

    net = nn.Sequential(*_cam_net(nn.AdaptiveAvgPool2d(1)), Scale()).eval()
    X = np.random.RandomState(2).normal(size=(3, 1, 6, 6))
    with pytest.raises(ValueError, match=r"the explained response is not the output of '5\.1'"):
        CamExplainer(net).fit(X).transform(X)


def test_cam_structure_checks_hold_at_any_activation_scale_and_see_a_small_shift():
    # activations of order 1e4 (float32 rounding in the pooling of about 1e-3 absolute) are a GAP
    # network; a linear layer fed the mean plus 1% of its largest value is not
    from skxai.cam import CamExplainer

    X = np.random.RandomState(1).normal(size=(3, 1, 6, 6)).astype(np.float32)
    big = _cam_net(nn.AdaptiveAvgPool2d(1), scale=1e4).float()
    with torch.no_grad():
        assert big[:4](torch.as_tensor(X)).mean(dim=(2, 3)).abs().max() > 1e3
    assert np.isfinite(CamExplainer(big, upsample=False, relu=False).fit(X).transform(X)).all()

    class Shifted(nn.Module):
        def forward(self, a):
            m = a.mean(dim=(2, 3), keepdim=True)
            return m + 0.01 * m.abs().amax()

    with pytest.raises(ValueError, match="is not the spatial mean of the activations"):
        CamExplainer(_cam_net(Shifted())).fit(X.astype(np.float64)).transform(X.astype(np.float64))


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.bfloat16])
def test_cam_host_allclose_is_torch_allclose_with_the_scaled_tolerance(dtype):
    # the checks' numpy rule against torch's, on pairs at, inside and outside the tolerance and
    # with NaN and inf on either side (bfloat16: numpy has none; compared on its float32 values)
    from skxai.cam._cam import _allclose

    rng = np.random.RandomState(0)
    b = torch.as_tensor(rng.normal(size=(8, 6)) * 10.0 ** rng.randint(-3, 4, size=(8, 6))).to(dtype)
    atol = 1e-4 * (1.0 + b.float().abs().max())
    # beyond atol but within each element's atol + rtol |b|: decided by the elementwise rule
    elementwise = b + torch.sign(b) * (0.5 * atol + 0.9e-4 * b.abs())
    cases = [b.clone(), b + 0.5 * atol, b + 2 * atol, b * (1 + 3e-4), b * (1 + 5e-5), elementwise]
    for bad in (float("nan"), float("inf"), -float("inf")):
        a = b.clone()
        a[3, 2] = bad
        cases.append(a)
    both_inf = b.clone()
    both_inf[0, 0] = float("inf")
    cases += [both_inf]
    got, ref = [], []
    for a in cases:
        for x, y in ((a, b), (both_inf, both_inf), (both_inf, a)):
            x32, y32 = (x.to(dtype).float(), y.to(dtype).float()) if dtype == torch.bfloat16 else (x, y)
            tol = float(1e-4 * (1.0 + y32.abs().max()))
            # a NaN in the reference makes the tolerance NaN, which torch refuses outright
            ref.append(not y32.isnan().any() and bool(torch.allclose(x32, y32, rtol=1e-4, atol=tol)))
            got.append(_allclose(x.to(dtype), y.to(dtype)))
    assert got == ref
    assert any(ref) and not all(ref)


def test_cam_linear_layer_found_at_fit_refuses_or_follows_a_network_changed_after_fit():
    # fit finds the last nn.Linear once; a network edited afterwards is still checked on every call
    from skxai.cam import CamExplainer

    X = np.random.RandomState(0).normal(size=(3, 1, 6, 6))
    net = _cam_net(nn.AdaptiveAvgPool2d(1))
    cam = CamExplainer(net, upsample=False, relu=False).fit(X)
    before = cam.transform(X)
    # the same name, new weights: the layer is looked up by name, its weights used
    with torch.no_grad():
        net[5][1].weight.mul_(2.0)
        net[5][1].bias.mul_(2.0)
    np.testing.assert_allclose(cam.transform(X), 2 * before, rtol=1e-12)
    # a linear layer appended after it: refused (its output is not the response)
    net.append(nn.Linear(3, 3).double())
    with pytest.raises(ValueError, match="^" + _cam_refusal(
            "3", "5.1", "the explained response is not the output of '5.1' (a softmax or another layer follows it; "
            "CAM explains response_method='decision_function')") + "$"):
        cam.transform(X)
    # the linear layer replaced by another kind of module: refused by name
    del net[6]
    net[5][1] = nn.Identity()
    with pytest.raises(ValueError, match=r"^fc_layer '5\.1' is a Identity, not an nn\.Linear\.$"):
        cam.transform(X)
    # a network without any nn.Linear is refused when explained, as before
    flat = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten()).double().eval()
    with pytest.raises(ValueError, match="this one has no nn.Linear"):
        CamExplainer(flat).fit(X).transform(X)


def test_cam_fitted_before_the_linear_layer_was_kept_finds_it_when_explaining():
    # an explainer pickled by an earlier release has no _last_linear: it is found on first use
    import pickle

    from skxai.cam import CamExplainer

    X = np.random.RandomState(0).normal(size=(3, 1, 6, 6))
    cam = CamExplainer(_cam_net(nn.AdaptiveAvgPool2d(1)), upsample=False).fit(X)
    want = cam.transform(X)
    old = pickle.loads(pickle.dumps(cam))
    del old._last_linear
    np.testing.assert_array_equal(old.transform(X), want)
    assert old._last_linear == "5.1"


def test_cam_refuses_a_network_that_changes_the_linear_output_in_place():
    # an in-place module after the linear layer makes its recorded output the final response,
    # so comparing the two proved nothing: the version counter shows the change
    from skxai.cam import CamExplainer

    torch.manual_seed(0)
    X = np.random.RandomState(0).normal(size=(3, 1, 6, 6))
    net = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                        nn.Linear(4, 3), nn.ReLU(inplace=True)).double().eval()
    with pytest.raises(ValueError, match=r"a module after '4' changes its output in place"):
        CamExplainer(net).fit(X).transform(X)
    net[5] = nn.Identity()  # the same network without it is explained
    assert np.isfinite(CamExplainer(net).fit(X).transform(X)).all()


def test_cam_refusal_restores_modes_flags_and_hooks():
    # a structure refusal is raised inside the pass: the network comes back as it was
    from skxai.cam import CamExplainer

    X = np.random.RandomState(0).normal(size=(3, 1, 6, 6))
    net = _cam_net(nn.AdaptiveMaxPool2d(1))
    net.train()
    net[1].eval()
    net[2].weight.requires_grad_(False)
    flags = [p.requires_grad for p in net.parameters()]
    modes = [m.training for m in net.modules()]
    # refused at fit (the structure does not depend on the images)
    with pytest.raises(ValueError, match="is not the spatial mean of the activations"):
        CamExplainer(net).fit(X)
    assert [m.training for m in net.modules()] == modes
    assert [p.requires_grad for p in net.parameters()] == flags
    assert not any(m._forward_hooks or m._forward_pre_hooks or m._backward_hooks for m in net.modules())
    # and at transform, for a network changed after fit
    net[4] = nn.AdaptiveAvgPool2d(1)
    cam = CamExplainer(net).fit(X)
    net[4] = nn.AdaptiveMaxPool2d(1)
    modes = [m.training for m in net.modules()]
    with pytest.raises(ValueError, match="is not the spatial mean of the activations"):
        cam.transform(X)
    assert [m.training for m in net.modules()] == modes
    assert [p.requires_grad for p in net.parameters()] == flags
    assert not any(m._forward_hooks or m._forward_pre_hooks or m._backward_hooks for m in net.modules())


# --- Opti-CAM's optimisation against Adam written out here (the fourth wave's run of _opticam.py)


def _opticam_net(Wc, bc, Wl, bl):
    net = nn.Sequential(nn.Conv2d(2, 2, 1), nn.Flatten(), nn.Linear(8, 2)).double().eval()
    with torch.no_grad():
        net[0].weight.copy_(torch.as_tensor(Wc).reshape(2, 2, 1, 1))
        net[0].bias.copy_(torch.as_tensor(bc))
        net[2].weight.copy_(torch.as_tensor(Wl))
        net[2].bias.copy_(torch.as_tensor(bl))
    return net


def _opticam_reference(x, Wc, bc, Wl, bl, t, lr, steps, base):
    """Kingma & Ba's Adam on -score(u), u = 0 to start; the best score seen (before each step and
    after the last) and its u. score(u) = the network on x * M + (1 - M) * base, M the min-max
    scaled sum of the 1x1 convolution's channels weighted by softmax(u); gradients by central
    differences of this numpy score."""
    conv = lambda img: np.einsum("kc,chw->khw", Wc, img) + bc[:, None, None]  # noqa: E731
    A = conv(x)

    def score(u):
        w = np.exp(u - u.max()) / np.exp(u - u.max()).sum()
        s = (w[:, None, None] * A).sum(axis=0)
        M = (s - s.min()) / (s.max() - s.min())
        xm = x * M + (1 - M) * base
        return Wl[t] @ conv(xm).ravel() + bl[t]

    def grad(u, h=1e-6):
        return np.array([(score(u + h * e) - score(u - h * e)) / (2 * h) for e in np.eye(len(u))])

    u, m, v = np.zeros(2), np.zeros(2), np.zeros(2)
    best, best_u = -np.inf, u.copy()
    for k in range(1, steps + 1):
        f = score(u)
        if f > best:
            best, best_u = f, u.copy()
        g = -grad(u)
        if k == 1:  # Adam's eps relative to the first gradient (the score's units do not matter)
            eps = 1e-4 * np.abs(g).max()
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        u = u - lr * (m / (1 - 0.9**k)) / (np.sqrt(v / (1 - 0.999**k)) + eps)
    if score(u) > best:
        best, best_u = score(u), u.copy()
    return np.exp(best_u) / np.exp(best_u).sum(), best


@pytest.mark.parametrize("baseline", [0.0, 0.5])
@pytest.mark.parametrize("t", [0, 1])
def test_opticam_is_adam_on_the_masked_score(baseline, t):
    from skxai.cam import OptiCamExplainer

    rng = np.random.RandomState(3)
    x = rng.normal(size=(2, 2, 2))
    Wc, bc = np.array([[1.5, -0.4], [-0.7, 1.1]]), np.array([0.2, 0.1])
    Wl, bl = rng.normal(size=(2, 8)), np.array([0.3, -0.2])
    net = _opticam_net(Wc, bc, Wl, bl)
    kind = "zeros" if baseline == 0.0 else baseline
    ex = OptiCamExplainer(net, target=t, target_layer="0", relu=False, learning_rate=0.3, max_iter=6, tol=0.0,
                          n_iter_no_change=50, baseline=kind).fit(x[None])
    got = ex.explain(x[None])
    w, best = _opticam_reference(x, Wc, bc, Wl, bl, t, 0.3, 6, baseline)
    assert abs(w[0] - 0.5) > 0.05  # six steps moved the weights away from the uniform start
    np.testing.assert_allclose(got.weights[0], w, rtol=1e-6)
    np.testing.assert_allclose(got.masked_score[0], best, rtol=1e-6)
    assert int(got.n_iter[0]) == 6


def test_opticam_stops_after_n_iter_no_change_steps_without_gain():
    # two identical channels: the saliency, hence the mask and the score, do not depend on u, and no
    # step gains anything (the first has no earlier score to improve on), so with n_iter_no_change=2
    # the run stops after step 2, with the uniform weights and the score of the masked image
    from skxai.cam import OptiCamExplainer

    rng = np.random.RandomState(4)
    x = rng.normal(size=(2, 2, 2))
    Wc, bc = np.array([[1.5, -0.4], [1.5, -0.4]]), np.array([0.2, 0.2])
    Wl, bl = rng.normal(size=(2, 8)), np.array([0.3, -0.2])
    net = _opticam_net(Wc, bc, Wl, bl)
    got = OptiCamExplainer(net, target=1, target_layer="0", relu=False, max_iter=10, tol=0.0,
                           n_iter_no_change=2).fit(x[None]).explain(x[None])
    s = np.einsum("kc,chw->khw", Wc, x)[0] + bc[0]
    M = (s - s.min()) / (s.max() - s.min())
    want = Wl[1] @ (np.einsum("kc,chw->khw", Wc, x * M) + bc[:, None, None]).ravel() + bl[1]
    assert want > 0  # a positive score: a gain written score + best would look like progress
    assert got.n_iter.dtype.kind == "i" and got.n_iter.tolist() == [2]
    np.testing.assert_allclose(got.weights[0], [0.5, 0.5], rtol=1e-12)
    np.testing.assert_allclose(got.masked_score[0], want, rtol=1e-12)
