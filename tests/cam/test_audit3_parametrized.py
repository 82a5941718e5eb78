"""Networks whose weights are parametrized (``torch.nn.utils.parametrize``) (audit 3, torch3).

``parametrizations.weight_norm`` / ``spectral_norm`` turn a ``Conv2d`` into a module with
children (its ``parametrizations``), so the default CAM layer search, which followed leaf
modules only, found "no convolution layer" in a network of two convolutions, and DeepSHAP
refused the parametrizations' own modules (``_WeightNorm``, ``_SpectralNorm``) as layers it
"cannot apply DeepLIFT rules to", though they compute weights, not activations. Both now give
the numbers of the same network with its weights computed once and stored plainly.
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402
from torch.nn.utils import parametrizations, parametrize  # noqa: E402

from skxai.cam import CamExplainer, GradCamExplainer  # noqa: E402
from skxai.gradient import DeepShapExplainer, GuidedBackpropExplainer  # noqa: E402
from tests._nets import cam_by_hand, one_torch_thread, seeded_float64  # noqa: E402, F401

X = np.random.RandomState(0).normal(size=(4, 2, 6, 6))


class _Positive(nn.Module):
    def forward(self, w):
        return nn.functional.softplus(w)


def _build(seed):
    net = nn.Sequential(
        nn.Conv2d(2, 3, 3, padding=1),
        nn.ReLU(),
        nn.Conv2d(3, 4, 3),
        nn.ReLU(),
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
        nn.Linear(4, 3),
    )
    return seeded_float64(net, seed=seed, scale=0.5)


def _nets(kind):
    """A GAP network with parametrized convolutions, and its copy with plain weights."""
    net, plain = _build(2), _build(2)
    if kind == "weight_norm":
        parametrizations.weight_norm(net[0])
        parametrizations.weight_norm(net[2])
    elif kind == "spectral_norm":
        parametrizations.spectral_norm(net[2])
    else:  # a custom parametrization holding an activation module (weights kept positive)
        parametrize.register_parametrization(net[2], "weight", nn.Softplus())
        parametrize.register_parametrization(net[0], "weight", _Positive())
    net.eval()
    with torch.no_grad():  # the weights the parametrized network computes, stored plainly
        for i in (0, 2):
            plain[i].weight.copy_(net[i].weight)
    return net, plain


@pytest.mark.parametrize("kind", ["weight_norm", "spectral_norm", "custom"])
def test_default_cam_layer_of_parametrized_convolutions(kind):
    net, plain = _nets(kind)
    cam = CamExplainer(net, relu=False, upsample=False).fit(X)
    assert cam.target_layer_ == "3"
    np.testing.assert_allclose(cam.transform(X), cam_by_hand(plain, X, 4), rtol=1e-10, atol=1e-12)
    ref = GradCamExplainer(plain).fit(X).transform(X)
    np.testing.assert_allclose(GradCamExplainer(net).fit(X).transform(X), ref, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("kind", ["weight_norm", "spectral_norm", "custom"])
def test_deepshap_of_parametrized_convolutions(kind):
    net, plain = _nets(kind)
    exp = DeepShapExplainer(net, target=1).fit(X[:2]).explain(X[2:])
    ref = DeepShapExplainer(plain, target=1).fit(X[:2]).explain(X[2:])
    np.testing.assert_allclose(exp.values, ref.values, rtol=1e-9, atol=1e-12)
    # efficiency: the attributions sum to f(x) - E[f(background)]
    with torch.no_grad():
        f = net(torch.as_tensor(X)).numpy()[:, 1]
    np.testing.assert_allclose(exp.values.sum(axis=(1, 2, 3)), f[2:] - f[:2].mean(), rtol=1e-9, atol=1e-12)


def test_guided_backprop_leaves_a_parametrization_activation_alone():
    # the Softplus that keeps the weights positive is no activation of the forward pass: no
    # warning that it is "crossed with its plain gradient"
    import warnings

    net, plain = _nets("custom")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = GuidedBackpropExplainer(net).fit(X).transform(X)
    np.testing.assert_allclose(got, GuidedBackpropExplainer(plain).fit(X).transform(X), rtol=1e-10, atol=1e-12)
