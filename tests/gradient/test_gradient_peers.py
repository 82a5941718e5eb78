"""Same numbers as captum for Saliency, InputXGradient, IntegratedGradients, NoiseTunnel,
GuidedBackprop and Deconvolution (DeepLift is in test_deepshap.py)."""

import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from skxai.gradient import (  # noqa: E402
    DeconvolutionExplainer,
    GradientExplainer,
    GradientXInputExplainer,
    GuidedBackpropExplainer,
    IntegratedGradientsExplainer,
    SmoothGradExplainer,
)
from tests._nets import one_torch_thread, small_cnn  # noqa: E402, F401
from tests._peers import import_peer  # noqa: E402

pytestmark = pytest.mark.peer


@pytest.fixture(scope="module")
def setup():
    net = small_cnn(0, pool=nn.MaxPool2d)
    X = np.random.RandomState(0).normal(size=(6, 2, 8, 8))
    x = torch.as_tensor(X)
    target = torch.tensor([0, 1, 2, 2, 1, 0])
    return net, X, x, target


def _captum(algorithm, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # captum warns about requires_grad and hooks
        return algorithm.attribute(*args, **kwargs).detach().numpy()


@pytest.mark.parametrize(
    "ours, theirs",
    [
        (GradientExplainer, "Saliency"),
        (GradientXInputExplainer, "InputXGradient"),
        (GuidedBackpropExplainer, "GuidedBackprop"),
        (DeconvolutionExplainer, "Deconvolution"),
    ],
)
def test_single_pass_methods(setup, ours, theirs):
    ca = import_peer("captum.attr")
    net, X, x, target = setup
    kwargs = {"abs": False} if theirs == "Saliency" else {}
    ref = _captum(getattr(ca, theirs)(net), x, target=target, **kwargs)
    np.testing.assert_allclose(ours(net, target=target.numpy()).fit(X).transform(X), ref, atol=1e-13)


@pytest.mark.parametrize("method", ["gausslegendre", "riemann_trapezoid", "riemann_left", "riemann_middle"])
def test_integrated_gradients(setup, method):
    ca = import_peer("captum.attr")
    net, X, x, target = setup
    base = torch.full_like(x, 0.2)
    ref = _captum(ca.IntegratedGradients(net), x, baselines=base, target=target, n_steps=20, method=method)
    ig = IntegratedGradientsExplainer(net, n_steps=20, method=method, baseline=0.2, target=target.numpy())
    ours = ig.fit(X).transform(X)
    if method == "riemann_trapezoid":
        # captum's trapezoid weights are 1/n with halved ends: they sum to (n - 1) / n, not 1,
        # so its attributions are shrunk by that factor (ours use 1 / (n - 1))
        ours = ours * 19 / 20
    # captum builds its Riemann nodes with float32 torch.linspace: agreement to ~1e-8
    np.testing.assert_allclose(ours, ref, rtol=1e-6, atol=1e-8)


def test_noise_tunnel_with_fixed_noise(setup, monkeypatch):
    ca = import_peer("captum.attr")
    net, X, x, target = setup
    n, sigma = 5, 0.3
    # captum draws its noise from torch's global RNG in one (rows x samples) block: replay it
    torch.manual_seed(123)
    ref = {
        variant: _captum(
            ca.NoiseTunnel(ca.Saliency(net)),
            x,
            nt_type=nt,
            nt_samples=n,
            stdevs=sigma,
            target=target,
            abs=False,
        )
        for variant, nt in [("mean", "smoothgrad")]
    }
    torch.manual_seed(123)
    noise = torch.normal(0, torch.tensor(sigma).repeat((6 * n,) + x.shape[1:]))  # float32, as captum
    noise = noise.double().reshape((6, n) + x.shape[1:])
    sg = SmoothGradExplainer(net, sigma=sigma, sigma_mode="absolute", n_samples=n, target=target.numpy())
    sg.fit(X)
    monkeypatch.setattr(sg, "_draw_noise", lambda j, xx, gen: noise[:, j] / sigma)
    np.testing.assert_allclose(sg.transform(X), ref["mean"], atol=1e-12)
    for variant, nt in [("mean_square", "smoothgrad_sq"), ("variance", "vargrad")]:
        torch.manual_seed(123)
        theirs = _captum(
            ca.NoiseTunnel(ca.InputXGradient(net)), x, nt_type=nt, nt_samples=n, stdevs=sigma, target=target
        )
        sg.set_params(variant=variant, method="gradient_x_input").fit(X)
        monkeypatch.setattr(sg, "_draw_noise", lambda j, xx, gen: noise[:, j] / sigma)
        np.testing.assert_allclose(sg.transform(X), theirs, atol=1e-12)


def test_layer_methods(setup):
    ca = import_peer("captum.attr")
    net, X, x, target = setup
    ref = _captum(ca.LayerGradientXActivation(net, net[3]), x, target=target)
    ours = GradientXInputExplainer(net, layer="3", target=target.numpy()).fit(X).transform(X)
    np.testing.assert_allclose(ours, ref, atol=1e-13)
    ref = _captum(ca.LayerIntegratedGradients(net, net[3]), x, target=target, n_steps=16)
    ours = IntegratedGradientsExplainer(net, layer="3", n_steps=16, target=target.numpy()).fit(X).transform(X)
    np.testing.assert_allclose(ours, ref, atol=1e-12)
