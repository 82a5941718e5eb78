"""CAM default layer (issue 11 section 6) and Grad-CAM++'s exact alpha at any gradient scale (issue 14)."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from skxai import CamExplainer, GradCamExplainer, GradCamPlusPlusExplainer  # noqa: E402
from tests._nets import cam_by_hand, one_torch_thread, seeded_float64  # noqa: E402, F401


def _gap_net(*middle, seed=0):
    """conv -> middle -> global average pooling -> linear, float64."""
    net = nn.Sequential(nn.Conv2d(2, 5, 3, padding=1), *middle, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(5, 3))
    return seeded_float64(net, seed, scale=0.5)


def _images(n=4):
    return np.random.RandomState(0).normal(size=(n, 2, 6, 6))


@pytest.mark.parametrize(
    ("middle", "layer"),
    [((nn.ReLU(),), "1"), ((nn.ReLU(inplace=True),), "1"), ((nn.BatchNorm2d(5), nn.ReLU()), "2"), ((), "0")],
    ids=["relu", "inplace-relu", "bn-relu", "conv-only"],
)
def test_cam_default_layer_is_what_the_pooling_averages(middle, layer):
    net = _gap_net(*middle).eval()  # batch norm on its running statistics, as explained
    X = _images()
    exp = CamExplainer(net, relu=False, upsample=False).fit(X).explain(X)
    assert exp.target_layer == layer
    # CAM by hand: the activations the pooling averages, weighted by the linear layer's row
    with torch.no_grad():
        A = net[: len(middle) + 1](torch.as_tensor(X)).numpy()
        logits = net(torch.as_tensor(X)).numpy()
    W, b = net[-1].weight.detach().numpy(), net[-1].bias.detach().numpy()
    t = logits.argmax(axis=1)
    np.testing.assert_allclose(exp.raw_map, np.einsum("nk,nkhw->nhw", W[t], A), rtol=1e-10)
    np.testing.assert_allclose(exp.raw_map.mean(axis=(1, 2)) + b[t], logits[np.arange(4), t], rtol=1e-10)
    assert exp.quantity == "logit"


def test_a_layer_that_cannot_give_a_cam_names_the_one_to_use():
    net = _gap_net(nn.ReLU())
    X = _images()
    # the conv's output is not what the pooling averages (the ReLU comes between)
    with pytest.raises(ValueError, match=r"Use target_layer='1'"):
        CamExplainer(net, target_layer="0").fit(X).transform(X)
    # a layer with no feature map
    with pytest.raises(ValueError, match=r"feature map.*Use target_layer='1'"):
        GradCamExplainer(net, target_layer="4").fit(X).transform(X)


class _ResidualBlock(nn.Module):
    """torchvision's BasicBlock pattern: one ReLU module used twice, the skip added in place."""

    def __init__(self, c, inplace):
        super().__init__()
        self.conv1, self.conv2 = nn.Conv2d(c, c, 3, padding=1), nn.Conv2d(c, c, 3, padding=1)
        self.relu = nn.ReLU(inplace=inplace)

    def forward(self, x):
        out = self.conv2(self.relu(self.conv1(x)))
        out += x
        return self.relu(out)


@pytest.mark.parametrize("inplace", [True, False], ids=["inplace-relu", "relu"])
def test_cam_default_layer_on_a_residual_block_with_a_shared_relu(inplace):
    # the chain from the last conv ends at the block's ReLU, which runs twice per pass and
    # cannot be captured: the default is the block itself, whose output the pooling averages
    block = _ResidualBlock(5, inplace)
    net = _gap_net(nn.ReLU(), block).eval()
    X = _images()
    exp = CamExplainer(net, relu=False, upsample=False).fit(X).explain(X)
    assert exp.target_layer == "2"
    np.testing.assert_allclose(exp.raw_map, cam_by_hand(net, X, 3), rtol=1e-10)
    assert GradCamExplainer(net).fit(X).transform(X).shape == (4, 6, 6)


def _alpha_weights(G, A):
    """Grad-CAM++ weights from the paper's formula, written here (0 where G = 0)."""
    s = A.sum(axis=(2, 3), keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = np.where(G != 0, G**2 / (2 * G**2 + s * G**3), 0.0)
    return (alpha * np.maximum(G, 0)).sum(axis=(2, 3))


@pytest.mark.parametrize("scale", [1.0, None], ids=["median-G-1", "median-G-1e-4"])
def test_gradcampp_weights_follow_the_formula_at_any_gradient_scale(scale):
    net = _gap_net(nn.ReLU())
    with torch.no_grad():  # mixed signs, mostly positive: some channels get weight, some not
        net[-1].weight[0] = torch.tensor([1.0, -0.5, 2.0, 0.7, -1.2], dtype=torch.float64)
    X = _images(6)
    x = torch.as_tensor(X)

    def grads():
        box = {}
        h = net[1].register_forward_hook(lambda m, i, o: box.setdefault("a", o))
        out = net(x)
        h.remove()
        (G,) = torch.autograd.grad(out[:, 0].sum(), box["a"])
        return G.numpy(), box["a"].detach().numpy()

    G, _ = grads()
    target = 1.0 if scale == 1.0 else 1e-4
    with torch.no_grad():  # scale the classifier so the median |G| is the target
        net[-1].weight.mul_(target / np.median(np.abs(G[G != 0])))
    G, A = grads()
    assert np.isclose(np.median(np.abs(G[G != 0])), target)
    exp = GradCamPlusPlusExplainer(net, target=0, response_method="decision_function").fit(X).explain(X)
    ref = _alpha_weights(G, A)
    np.testing.assert_allclose(exp.weights, ref, rtol=1e-9)
    if target < 1e-3:  # pytorch-grad-cam's fixed 1e-6 would be far off the formula here
        s = A.sum(axis=(2, 3), keepdims=True)
        eps_alpha = np.where(G != 0, G**2 / (2 * G**2 + s * G**3 + 1e-6), 0.0)
        eps_w = (eps_alpha * np.maximum(G, 0)).sum(axis=(2, 3))
        assert np.abs(eps_w - ref).max() > 0.5 * np.abs(ref).max()


def test_scorecam_masks_towards_the_shared_baseline():
    # masked image = x * M + (1 - M) * baseline, M the min-max scaled upsampled channel
    from skxai import ScoreCamExplainer
    from skxai._baselines import make_baseline

    net = _gap_net(nn.ReLU()).eval()
    X = _images(3)
    x = torch.as_tensor(X)
    with torch.no_grad():
        A = net[1](net[0](x))
        t = net(x).argmax(1)
        for name in ("zeros", "blur", "channel_mean"):
            b = torch.as_tensor(make_baseline(name, X))
            scores = torch.empty(3, 5, dtype=torch.float64)
            for i in range(3):
                for k in range(5):
                    m = A[i, k]
                    m = (m - m.min()) / (m.max() - m.min()) if m.max() > m.min() else torch.zeros_like(m)
                    xi = x[i] * m + (1 - m) * b[i]
                    scores[i, k] = net(xi[None])[0, t[i]]
            ref = torch.softmax(scores, dim=1).numpy()
            got = ScoreCamExplainer(net, baseline=name).fit(X).explain(X).weights
            np.testing.assert_allclose(got, ref, rtol=1e-9, err_msg=name)


def test_opticam_masked_score_is_the_score_of_the_image_through_its_mask():
    # the reported masked_score is f(x * M + (1 - M) * baseline) with M rebuilt here from the
    # returned weights: relu(sum_k w_k A_k), min-max scaled (the layer has the input's size)
    from skxai import OptiCamExplainer
    from skxai._baselines import make_baseline

    net = _gap_net(nn.ReLU()).eval()
    X = _images(3)
    x = torch.as_tensor(X)
    with torch.no_grad():
        A = net[1](net[0](x))
        t = net(x).argmax(1)
        for name in ("zeros", "blur"):
            exp = OptiCamExplainer(net, baseline=name, max_iter=4).fit(X).explain(X)
            w = torch.as_tensor(exp.weights)
            s = torch.relu((w[:, :, None, None] * A).sum(1))
            lo, hi = s.amin(dim=(1, 2), keepdim=True), s.amax(dim=(1, 2), keepdim=True)
            m = ((s - lo) / (hi - lo))[:, None]
            b = torch.as_tensor(make_baseline(name, X))
            ref = net(x * m + (1 - m) * b)[torch.arange(3), t].numpy()
            np.testing.assert_allclose(exp.masked_score, ref, rtol=1e-9, err_msg=name)
