"""Audit 2 (exact14) of Grad-CAM++'s alpha (issue 14) and of the pytorch-grad-cam comparison."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from skxai import GradCamExplainer, GradCamPlusPlusExplainer  # noqa: E402
from tests._peers import import_peer  # noqa: E402


def _net(dtype, scale):
    # conv -> ReLU -> conv (explained, no ReLU after it: negative activations) -> pooling
    with torch.random.fork_rng():
        torch.manual_seed(1)
        net = (
            nn.Sequential(
                nn.Conv2d(2, 4, 3, padding=1),
                nn.ReLU(),
                nn.Conv2d(4, 5, 3, padding=1),
                nn.AdaptiveAvgPool2d(1),
                nn.Flatten(),
                nn.Linear(5, 3),
            )
            .to(dtype)
            .eval()
        )
    with torch.no_grad():
        net[-1].weight.mul_(scale)
        net[-1].bias.mul_(scale)
        net[-1].weight[:, 1] = 0  # channel 1's gradients are exactly zero
    return net


def _paper_map(net, X, targets):
    """Grad-CAM++ of layer "2" by the paper's formula, with hooks, in float64."""
    store = {}
    hook = net[2].register_forward_hook(lambda m, i, o: store.setdefault("A", o))
    out = net(X)
    hook.remove()
    A = store["A"]
    if targets is None:
        targets = out.argmax(1)
    (G,) = torch.autograd.grad(out.gather(1, targets[:, None]).sum(), A)
    A, G = A.detach().double(), G.double()
    den = 2 * G**2 + A.sum(dim=(2, 3), keepdim=True) * G**3
    alpha = torch.where(den != 0, G**2 / den, torch.zeros_like(G))
    w = (alpha * torch.relu(G)).sum(dim=(2, 3))
    return w.numpy(), (w[:, :, None, None] * A).sum(1).numpy()


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("scale", [1e-6, 1.0, 1e6])
@pytest.mark.parametrize("n, target", [(1, "predicted"), (4, "predicted"), (4, [2, 0, 1, 2])])
def test_gradcampp_follows_the_formula_at_any_gradient_scale(dtype, scale, n, target):
    with torch.random.fork_rng():
        torch.manual_seed(3)
        X = torch.randn(n, 2, 6, 6, dtype=dtype)
    net = _net(dtype, scale)
    targets = None if target == "predicted" else torch.as_tensor(target)
    w, ref = _paper_map(net, X, targets)
    est = GradCamPlusPlusExplainer(net, target_layer="2", target=target, relu=False, upsample=False).fit(X)
    exp = est.explain(X)
    assert np.all(w[:, 1] == 0)
    # float32: alpha = 1 / (2 + sum(A) G) loses digits where the denominator nearly cancels
    rtol = 1e-12 if dtype == torch.float64 else 1e-4
    np.testing.assert_allclose(exp.values, ref, rtol=0, atol=rtol * np.abs(ref).max())
    normalised = GradCamPlusPlusExplainer(net, target_layer="2", target=target, normalize=True, upsample=False)
    got = normalised.fit(X).transform(X)
    pos = np.maximum(ref, 0)
    span = pos.max(axis=(1, 2), keepdims=True) - pos.min(axis=(1, 2), keepdims=True)
    np.testing.assert_allclose(got, (pos - pos.min(axis=(1, 2), keepdims=True)) / span, atol=10 * rtol)


@pytest.mark.peer
def test_pytorch_grad_cam_targets_are_as_the_docs_say():
    # doc/user_guide/cams.rst said pytorch-grad-cam's single target for a batch "explained
    # image 0's class for every image"; with pytorch-grad-cam 1.5, targets=None explains each
    # image's own predicted class (as skxai), and a one-item list explains image 0 only.
    pgc = import_peer("pytorch_grad_cam")
    from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget

    with torch.random.fork_rng():
        torch.manual_seed(2)
        net = nn.Sequential(
            nn.Conv2d(2, 4, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 3)
        ).eval()
        X = torch.randn(5, 2, 8, 8)
    ours = GradCamExplainer(net, target="predicted", response_method="decision_function", normalize=True)
    ours = ours.fit(X).transform(X)
    with pgc.GradCAM(net, target_layers=[net[1]]) as cam:
        per_image = cam(X, targets=None)
        one = cam(X, targets=[ClassifierOutputTarget(int(net(X[:1]).argmax()))])
    np.testing.assert_allclose(per_image, ours, atol=1e-5)
    np.testing.assert_allclose(one[0], ours[0], atol=1e-5)
    assert np.all(one[1:] == 0)
