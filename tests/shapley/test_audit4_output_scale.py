"""Shapley estimates and their errors scale with the model's outputs, at 1e160 and 1e-160 too.

The error estimates square the values (and their variances): outputs of 1e160 gave std = inf
(NaN for permutation sampling, inf for the conditional game's Monte Carlo error) and outputs of
1e-160 gave std = 0 or lost digits, for values that were right.
"""

import warnings

import numpy as np
import pytest

from skxai import ExactShapleyExplainer, KernelShapExplainer, ShapleySamplingExplainer


def _f(Z):
    return (
        np.sin(Z[:, 0]) * Z[:, 1]
        + Z[:, 2] ** 2
        - Z[:, 3] * Z[:, 0]
        + np.exp(Z[:, 4]) * Z[:, 5]
        + Z[:, 6] * Z[:, 7] * Z[:, 8]
        + np.cos(Z[:, 9] * Z[:, 1])
    )


MAKERS = {
    "exact": lambda m: ExactShapleyExplainer(m, max_background=4, random_state=0),
    "kernel": lambda m: KernelShapExplainer(m, n_samples=60, max_order=1, max_background=4, random_state=0),
    "kernel order 3": lambda m: KernelShapExplainer(m, n_samples=300, max_order=3, max_background=4, random_state=0),
    "sampling": lambda m: ShapleySamplingExplainer(m, n_permutations=6, max_background=4, random_state=0),
    # the Monte Carlo error of the conditional game, added to the sampling error
    "sampling conditional": lambda m: ShapleySamplingExplainer(
        m, n_permutations=6, max_background=4, random_state=0, game="conditional", n_conditional_samples=10
    ),
    "exact conditional": lambda m: ExactShapleyExplainer(
        m, max_background=4, random_state=0, game="conditional", n_conditional_samples=10
    ),
    "kernel tol": lambda m: KernelShapExplainer(m, n_samples=400, tol=0.05, max_background=4, random_state=0),
}


@pytest.fixture(scope="module")
def reference():
    X = np.random.RandomState(0).normal(size=(20, 10))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tol not met: the point is the scaling of what comes back
        return X, {name: make(_f).fit(X).explain(X[:3]) for name, make in MAKERS.items()}


def _explain(name, scale, X):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return MAKERS[name](lambda Z: _f(Z) * scale).fit(X).explain(X[:3])


@pytest.mark.parametrize("name", list(MAKERS))
@pytest.mark.parametrize("scale", [1e160, 1e-160, 2.0**531, 2.0**-531])
def test_values_and_std_scale_with_the_outputs(reference, name, scale):
    X, refs = reference
    ref, got = refs[name], _explain(name, scale, X)
    if ref.std is not None and name != "exact":
        # a real sampling error (not 0, not inf), so that the comparison means something
        assert np.all(np.isfinite(ref.std)) and np.all(ref.std > 0)
    if np.log2(scale) % 1 == 0:
        # a power of two scales every step exactly: the same numbers to the bit
        np.testing.assert_array_equal(got.values, ref.values * scale)
        np.testing.assert_array_equal(got.base_values, ref.base_values * scale)
        if ref.std is not None:
            np.testing.assert_array_equal(got.std, ref.std * scale)
        return
    # 1e160 rounds the outputs: equal to that rounding, amplified by the solves
    top = np.abs(ref.values).max()
    np.testing.assert_allclose(got.values / scale, ref.values, rtol=1e-9, atol=1e-12 * top)
    if ref.std is not None:
        np.testing.assert_allclose(got.std / scale, ref.std, rtol=1e-8, atol=1e-12 * top)
