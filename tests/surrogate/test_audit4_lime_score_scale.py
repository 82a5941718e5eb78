"""LIME's surrogate score (weighted R^2) of a model whose outputs are 1e160 or 1e-160.

Its sums of squares overflowed: score NaN at 1e160 (and digits lost at 1e-160), while the
weights were right.
"""

import numpy as np
import pytest

from skxai import LimeExplainer


def _f(Z):
    return np.sin(Z[:, 0]) * Z[:, 1] + Z[:, 2] ** 2 - Z[:, 3]


@pytest.mark.parametrize("scale", [1e160, 1e-160, 2.0**531, 2.0**-531])
def test_score_does_not_depend_on_the_outputs_scale(scale):
    X = np.random.RandomState(0).normal(size=(25, 4))
    ref = LimeExplainer(_f, n_samples=200, random_state=0).fit(X).explain(X[:3])
    got = LimeExplainer(lambda Z: _f(Z) * scale, n_samples=200, random_state=0).fit(X).explain(X[:3])
    assert np.all((ref.score > 0.05) & (ref.score < 0.99))  # a real fit, neither perfect nor none
    if np.log2(scale) % 1 == 0:  # a power of two scales every step exactly
        np.testing.assert_array_equal(got.score, ref.score)
        np.testing.assert_array_equal(got.values, ref.values * scale)
    else:
        np.testing.assert_allclose(got.score, ref.score, rtol=1e-9)
        np.testing.assert_allclose(got.values / scale, ref.values, rtol=1e-9, atol=1e-12)
