"""Third audit, numerical scale: Opti-CAM maximises the score of the masked image, so the
units of the network's output (a positive factor c) must not change its map."""

import functools

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from skxai import OptiCamExplainer  # noqa: E402
from tests._nets import one_torch_thread, small_cnn  # noqa: E402, F401


class _Scaled(nn.Module):
    def __init__(self, net, c):
        super().__init__()
        self.net, self.c = net, c

    def forward(self, x):
        return self.net(x) * self.c


_X = np.random.default_rng(0).normal(size=(6, 2, 8, 8))


@functools.lru_cache
def _explain(c):
    est = OptiCamExplainer(_Scaled(small_cnn(0), c), target=0, target_layer="net.3", max_iter=20)
    return est.fit(_X).explain(_X)


@pytest.mark.parametrize("c", [1e-13, 1e-9, 1e9])
def test_opticam_map_does_not_depend_on_the_output_units(c):
    # Adam's eps was an absolute 1e-8 (c = 1e-9: maps 84% apart, every image ran to
    # max_iter), the relative tol had an absolute floor of 1e-12, and on a score plateau the
    # rounding of equal scores picked which weights were kept (c = 1e9: maps 18% apart).
    ref, got = _explain(1.0), _explain(c)
    np.testing.assert_allclose(got.values, ref.values, rtol=1e-9, atol=1e-12 * np.abs(ref.values).max())
    np.testing.assert_array_equal(got.extras["n_iter"], ref.extras["n_iter"])
    np.testing.assert_allclose(got.extras["masked_score"], c * np.asarray(ref.extras["masked_score"]), rtol=1e-9)
