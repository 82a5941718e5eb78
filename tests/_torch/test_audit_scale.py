"""Audit E: torch explainers on dtypes and networks the first tests did not try."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from skxai.cam import GradCamExplainer, ScoreCamExplainer  # noqa: E402
from skxai.gradient import DeepShapExplainer, GradientExplainer, IntegratedGradientsExplainer  # noqa: E402


def _cnn(dtype):
    torch.manual_seed(0)
    net = nn.Sequential(
        nn.Conv2d(3, 4, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 5)
    )
    return net.to(dtype).eval()


@pytest.mark.parametrize("cls", [GradientExplainer, IntegratedGradientsExplainer, GradCamExplainer, ScoreCamExplainer])
def test_bfloat16_network_takes_float64_numpy(cls):
    # A float64 numpy array was handed to a bfloat16 network unconverted (numpy reads
    # ``dtype == None`` as float64 == float64), so fit failed in the first convolution; and
    # the bfloat16 results then failed in .numpy(). Same numbers as the float32 tensor input.
    X = np.random.RandomState(0).normal(size=(4, 3, 6, 6))
    net = _cnn(torch.bfloat16)
    a = cls(net).fit(X).transform(X)
    b = cls(net).fit(X).transform(torch.as_tensor(X, dtype=torch.bfloat16))
    assert a.dtype == np.float64 and np.isfinite(a).all()
    np.testing.assert_array_equal(a, b)
    exp = cls(net).fit(X).explain(X)
    np.testing.assert_array_equal(exp.values, a)
    assert exp.outputs.dtype == np.float64


def test_deepshap_float16_relu_is_finite():
    # In float16 the rule's threshold 1e-10 rounds to 0: a ReLU input that did not move
    # between sample and reference (0 / 0) made every attribution NaN.
    X = np.random.RandomState(0).normal(size=(5, 3, 6, 6))
    net = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(144, 2))
    torch.manual_seed(0)
    net = net.half().eval()
    exp = DeepShapExplainer(net).fit(X).explain(X)
    assert np.isfinite(exp.values).all()
    # efficiency holds to float16 precision
    change = exp.outputs[np.arange(5), exp.targets] - exp.base_values
    np.testing.assert_allclose(exp.values.reshape(5, -1).sum(axis=1), change, atol=0.05 * (1 + np.abs(change).max()))


@pytest.mark.parametrize(
    "params",
    [
        {"n_steps": 10**6, "max_steps": 10**6},  # numpy's leggauss: a 10^6 x 10^6 matrix
        {"n_steps": 32, "max_steps": 10**6, "tol": 1e-3},  # reached by doubling
        {"n_steps": 2**40, "max_steps": 2**40, "method": "riemann_middle"},  # 16 TiB of nodes
    ],
)
def test_integrated_gradients_refuses_steps_that_cannot_fit(params):
    # numpy's Gauss-Legendre nodes cost an n x n matrix: a large n_steps (or max_steps with
    # tol) allocated gigabytes to terabytes in fit instead of a clear error.
    X = np.random.RandomState(0).normal(size=(3, 4))
    net = nn.Sequential(nn.Linear(4, 2))
    with pytest.raises(ValueError, match="n_steps|max_steps"):
        IntegratedGradientsExplainer(net, **params).fit(X)


def test_integrated_gradients_largest_allowed_gauss_rule_runs():
    from skxai.gradient._integrated import MAX_GAUSS_NODES

    X = np.random.RandomState(0).normal(size=(2, 4))
    net = nn.Sequential(nn.Linear(4, 3), nn.Tanh(), nn.Linear(3, 2)).double()
    exp = IntegratedGradientsExplainer(net, n_steps=MAX_GAUSS_NODES, max_steps=MAX_GAUSS_NODES, batch_size=2).fit(
        X
    ).explain(X)
    assert np.abs(exp.convergence_delta).max() < 1e-10


def _eigen_reference(A):
    """Eigen-CAM by the K x K Gram matrix (the first principal direction of the positions)."""
    n, k = A.shape[:2]
    P = A.reshape(n, k, -1).transpose(0, 2, 1)
    P = P - P.mean(axis=1, keepdims=True)
    v = np.linalg.eigh(np.swapaxes(P, 1, 2) @ P)[1][:, :, -1]
    proj = (P @ v[:, :, None])[:, :, 0]
    sign = np.sign((proj * A.mean(axis=1).reshape(n, -1)).sum(axis=1))
    return (proj * sign[:, None]).reshape((n,) + A.shape[2:])


def test_eigencam_gram_matrix_is_the_smaller_side(monkeypatch):
    # A deep layer has few positions and many channels (ResNet-50: 7 x 7 x 2048): the K x K
    # Gram matrices of a 256-image batch took 8.6 GB (and eigh's eigenvectors as much again).
    from skxai.cam import EigenCamExplainer

    torch.manual_seed(0)
    net = nn.Sequential(
        nn.Conv2d(3, 40, 3, stride=2), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(40, 3)
    ).eval()
    X = torch.randn(4, 3, 9, 9)  # 4 x 4 = 16 positions, 40 channels
    sides = []
    eigh = torch.linalg.eigh

    def spy(m, *args, **kwargs):
        sides.append(m.shape[-1])
        return eigh(m, *args, **kwargs)

    monkeypatch.setattr(torch.linalg, "eigh", spy)
    exp = EigenCamExplainer(net, upsample=False, relu=False).fit(X).explain(X)
    assert sides and max(sides) <= 16
    with torch.no_grad():
        A = torch.relu(net[0](X)).double().numpy()
    np.testing.assert_allclose(exp.values, _eigen_reference(A), rtol=1e-5, atol=1e-6 * np.abs(exp.values).max())
    np.testing.assert_allclose(np.linalg.norm(exp.weights, axis=1), 1.0, rtol=1e-6)
