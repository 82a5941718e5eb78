"""Third audit, dtypes: SmoothGrad draws the same noise for a float32 or float16 copy of a
float64 network, so a seed gives the same numbers up to the dtype's rounding."""

import copy

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from skxai import SmoothGradExplainer  # noqa: E402
from tests._nets import one_torch_thread, seeded_float64  # noqa: E402, F401


@pytest.mark.parametrize("dtype, rtol", [(torch.float32, 1e-5), (torch.float16, 3e-2)])
def test_smoothgrad_noise_does_not_depend_on_the_networks_dtype(dtype, rtol):
    # The noise was drawn with torch.randn in the input's dtype, and a generator draws other
    # values in float32 than in float64 (from 16 elements on): the float32 copy of this network
    # got values 0.15 (of the largest) away from the float64 one's with the same random_state
    # (0.47 on a small CNN).
    # tanh: smooth, so the dtype's rounding moves the gradients by that rounding only
    net = seeded_float64(nn.Sequential(nn.Linear(20, 8), nn.Tanh(), nn.Linear(8, 2)), seed=0, scale=0.5)
    X = np.random.default_rng(0).normal(size=(4, 20))

    def explain(n):
        return SmoothGradExplainer(n, target=0, n_samples=5, random_state=0).fit(X).transform(X)

    ref = explain(net)
    got = explain(copy.deepcopy(net).to(dtype))
    np.testing.assert_allclose(got, ref, rtol=0, atol=rtol * np.abs(ref).max())
