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
