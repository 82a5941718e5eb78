"""CAMs on networks and activation scales the authors did not try (audit 2, cam2).

XGrad-CAM's weights ``sum_ij A_kij G_kij / sum_ab A_kab`` do not depend on the activations'
scale; an additive ``1e-7`` in the denominator (pytorch-grad-cam's) made them depend on it: on
a randomly initialised MobileNetV3-small, whose channel sums are 1e-11 to 1e-4, the maps were
14% (``features.7``) to 100% (``features.12``) away from the formula.
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from skxai.cam import AblationCamExplainer, OptiCamExplainer, XGradCamExplainer  # noqa: E402

K, H, W = 3, 2, 3
# Sample 1, channel 1 is dead (all zero): its weight is 0 (the only 0/0 of the formula).
X = np.array(
    [
        [[[0.5, 1.0, 2.0], [1.5, 0.2, 0.7]], [[-0.3, 0.8, 1.2], [0.4, 2.0, -0.6]], [[1, 1, 1], [1, 0, 0.5]]],
        [[[1.2, 0.1, 0.9], [0.3, 1.4, 0.6]], [[0, 0, 0], [0, 0, 0]], [[0.7, 0.2, 0.7], [0.1, 0.7, 0.3]]],
    ]
)
V = np.random.RandomState(0).normal(size=(2, K, H, W))
T = np.array([0, 1])


def _net(scale):
    # a 1x1 convolution with weights scale * I: its activations are scale * X; the head
    # y = V . flatten(A) gives the gradient G = V[t], whatever the scale
    net = nn.Sequential(nn.Conv2d(K, K, 1, bias=False), nn.Flatten(), nn.Linear(K * H * W, 2)).double()
    with torch.no_grad():
        net[0].weight.copy_(scale * torch.eye(K, dtype=torch.float64)[:, :, None, None])
        net[2].weight.copy_(torch.as_tensor(V.reshape(2, -1)))
        net[2].bias.zero_()
    return net.eval()


@pytest.mark.parametrize("scale", [1.0, 1e-6, 1e-9])
def test_xgradcam_weights_follow_the_formula_at_any_activation_scale(scale):
    G, A = V[T], scale * X
    total = A.sum(axis=(2, 3))
    w = np.zeros_like(total)
    live = total != 0
    w[live] = (G * A).sum(axis=(2, 3))[live] / total[live]
    assert w[1, 1] == 0 and live.sum() == 5
    exp = XGradCamExplainer(_net(scale), target_layer="0", target=T, relu=False, upsample=False).fit(X).explain(X)
    np.testing.assert_allclose(exp.weights, w, rtol=1e-10, atol=0)
    np.testing.assert_allclose(exp.raw_map, (w[:, :, None, None] * A).sum(axis=1), rtol=1e-10, atol=1e-300)


def test_opticam_of_a_float16_network_is_finite_and_keeps_its_objective():
    # In float16 Adam's eps (1e-8) is 0: an image whose mask is all zero (its map is negative
    # everywhere before the ReLU) has a zero gradient, and u = 0 / 0 made the network's
    # outputs NaN (a ValueError blaming the model).
    with torch.random.fork_rng():
        torch.manual_seed(0)
        net = _build_small_net(torch.float16)
        x = torch.randn(3, 3, 9, 7).half()
    exp = OptiCamExplainer(net, target_layer="2", normalize=True, max_iter=20).fit(x).explain(x)
    assert np.isfinite(exp.values).all() and np.isfinite(exp.weights).all()
    np.testing.assert_allclose(exp.weights.sum(axis=1), 1.0, rtol=1e-6)
    # the reported score is the network's score of the image through the returned mask
    with torch.no_grad():
        y = net(x * torch.as_tensor(exp.values, dtype=torch.float16)[:, None]).double().numpy()
    np.testing.assert_allclose(exp.masked_score, y[np.arange(3), exp.targets], rtol=2e-3, atol=2e-3)


def _build_small_net(dtype):
    """conv -> ReLU -> conv -> ReLU -> pooling -> linear, drawn from torch's current generator."""
    net = nn.Sequential(
        nn.Conv2d(3, 6, 3, padding=1),
        nn.ReLU(),
        nn.Conv2d(6, 5, 3, padding=1),
        nn.ReLU(),
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
        nn.Linear(5, 4),
    )
    return net.eval().to(dtype)


def _small_net():
    with torch.random.fork_rng():
        torch.manual_seed(0)
        return _build_small_net(torch.float64)


def test_ablationcam_keeps_a_users_input_pre_hook_on_the_network():
    # A user's forward pre-hook on the network (an input normalisation) was overridden by the
    # hook that feeds the distinct images to the network before the layer: the ablated scores
    # were those of the raw images (weights up to 0.59 away).
    net = _small_net()
    handle = net.register_forward_pre_hook(lambda m, args: (args[0] * 3.0 - 1.0,))
    x = torch.as_tensor(np.random.RandomState(1).normal(size=(3, 3, 9, 7)))
    exp = AblationCamExplainer(net, target_layer="2", relu=False, upsample=False).fit(x).explain(x)
    # brute force, one ablated forward per (image, channel), through the user's hook
    y = exp.outputs[np.arange(3), exp.targets]
    w = np.empty((3, 5))
    for c in range(5):
        h = net[2].register_forward_hook(lambda m, i, o, c=c: o.index_fill(1, torch.tensor([c]), 0.0))
        with torch.no_grad():
            yc = net(x).numpy()[np.arange(3), exp.targets]
        h.remove()
        w[:, c] = (y - yc) / y
    np.testing.assert_allclose(exp.weights, w, rtol=1e-9, atol=1e-12)
    assert len(net._forward_pre_hooks) == 1  # the user's hook, kept
    handle.remove()


def test_cam_refuses_a_linear_layer_whose_output_a_hook_changes():
    # A forward hook on the linear layer (a temperature, y = 5 (W a + b)) passed every structure
    # check, and CAM's maps, made of W, were 5 times too small for the explained response.
    from skxai.cam import CamExplainer, GradCamExplainer

    with torch.random.fork_rng():
        torch.manual_seed(0)
        net = (
            nn.Sequential(
                nn.Conv2d(3, 6, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(6, 4)
            )
            .eval()
            .double()
        )
        x = torch.randn(3, 3, 9, 7, dtype=torch.float64)
    cam = CamExplainer(net, target_layer="1", relu=False, upsample=False).fit(x)
    plain = cam.explain(x).raw_map
    handle = net[4].register_forward_hook(lambda m, i, o: 5.0 * o)
    try:
        with pytest.raises(ValueError, match=r"'4'.*hook"):
            cam.explain(x)
        assert len(net[4]._forward_hooks) == 1
        # Grad-CAM follows the hooked response: 5 times CAM / (H W) before the hook
        grad = GradCamExplainer(net, target_layer="1", relu=False, upsample=False).fit(x).explain(x).raw_map
        np.testing.assert_allclose(grad * 63, 5 * plain, rtol=1e-10)
    finally:
        handle.remove()
    np.testing.assert_allclose(cam.explain(x).raw_map, plain, rtol=0, atol=0)
