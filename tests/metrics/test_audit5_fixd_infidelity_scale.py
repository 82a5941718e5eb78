"""infidelity of a model whose outputs are about 1e160 (or 1e-160).

The squares of the attributed masses and drops overflowed (``sum(a*a)`` = inf, beta = NaN or
0, infidelity inf) from outputs of about 1e154 on, and underflowed at 1e-160, while every other
metric divides by a power of two first. A model scaled by 2**k gives exact Shapley values
scaled by 2**k to the bit, so the squared gap is exactly 2**(2k) times the unscaled one.
"""

import numpy as np
import pytest

from skxai import ExactShapleyExplainer
from skxai.metrics import infidelity
from skxai.metrics._infidelity import infidelity_from_terms


def _f(Z):
    return np.sin(Z[:, 0]) * Z[:, 1] + Z[:, 2] ** 2 - Z[:, 3]


@pytest.mark.parametrize("k", [531, -531, 900, -700])
@pytest.mark.parametrize("perturbation", ["subset", "gaussian"])
@pytest.mark.parametrize("normalize", [True, False])
def test_infidelity_scales_exactly_with_the_outputs(k, perturbation, normalize):
    X = np.random.RandomState(0).normal(size=(40, 5))
    kw = dict(perturbation=perturbation, n_perturbations=8, normalize=normalize, random_state=0)
    ref = infidelity(ExactShapleyExplainer(_f, max_background=10, random_state=0).fit(X), X[:4], **kw)
    scale = 2.0**k
    scaled = ExactShapleyExplainer(lambda Z: _f(Z) * scale, max_background=10, random_state=0).fit(X)
    got = infidelity(scaled, X[:4], **kw)
    assert np.all(ref > 0) and np.all(np.isfinite(ref))
    expected = np.ldexp(ref, 2 * k)  # 2**(2k): beyond float64's range for |k| > 512
    if np.all(np.isfinite(expected)) and np.all(expected > 0):
        np.testing.assert_array_equal(got, expected)
    else:
        # the figure itself is out of range: inf above, 0 below, never NaN
        np.testing.assert_array_equal(got, np.where(expected > 0, expected, 0.0))


@pytest.mark.parametrize("sa, sb", [(1e160, 1e160), (1e-160, 1e-160), (1e200, 1e-100), (2.0**-600, 2.0**400)])
def test_terms_are_scaled_exactly(sa, sb):
    rng = np.random.RandomState(1)
    a, b = rng.normal(size=(3, 10)), rng.normal(size=(3, 10))
    for normalize in (True, False):
        ref = infidelity_from_terms(a, b, normalize)
        # scaling a alone: beta absorbs it (normalize=True)
        if normalize:
            np.testing.assert_allclose(infidelity_from_terms(a * sa, b, True), ref, rtol=1e-13)
        got = infidelity_from_terms(a * sb, b * sb, normalize)
        e = np.frexp(sb)[1] - 1
        if sb == 2.0**e:
            np.testing.assert_array_equal(got, np.ldexp(ref, 2 * e))
        else:
            np.testing.assert_allclose(got, ref * sb * sb, rtol=1e-13)
