"""KernelSHAP's tol at a budget that covers every coalition: sampled steps first, enumeration
only where none meets tol (it enumerated first, so tol did nothing at such budgets)."""

import warnings

import numpy as np
import pytest

from skxai import ExactShapleyExplainer, KernelShapExplainer


def _smooth(Z):
    return np.tanh(Z[:, 0] + 0.5 * Z[:, 1] * Z[:, 2]) + 0.3 * Z[:, 3] ** 2 + Z[:, 4:].sum(axis=1)


def _parity(Z):
    return np.prod(np.sign(Z), axis=1) + 0.1 * Z[:, 0]


@pytest.mark.parametrize("n_samples", ["auto", 1024, 5000])
def test_a_loose_tol_stops_before_enumerating(n_samples):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 10))
    est = KernelShapExplainer(_smooth, n_samples=n_samples, tol=0.2, max_background=None, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # met: no ConvergenceWarning
        e = est.fit(X[:12]).explain(X[20:24])
    assert e.n_evaluations < 2**10
    exact = ExactShapleyExplainer(_smooth, max_background=None).fit(X[:12]).transform(X[20:24])
    scale = np.abs(exact).max(axis=1, keepdims=True)
    assert (np.abs(e.values.reshape(exact.shape) - exact) / scale).max() < 0.2


def test_a_tol_no_step_meets_ends_with_every_coalition():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(30, 8))
    est = KernelShapExplainer(_parity, n_samples=300, tol=1e-6, max_background=None, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # enumerated: exact, so tol is met without a warning
        e = est.fit(X[:10]).explain(X[20:23])
    assert e.n_evaluations == 2**8
    exact = ExactShapleyExplainer(_parity, max_background=None).fit(X[:10]).transform(X[20:23])
    np.testing.assert_allclose(e.values.reshape(exact.shape), exact, atol=1e-12)


def test_without_tol_a_covering_budget_enumerates():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(30, 8))
    e = KernelShapExplainer(_parity, n_samples=256, max_background=None, random_state=0).fit(X[:10]).explain(X[:2])
    assert e.n_evaluations == 2**8
    exact = ExactShapleyExplainer(_parity, max_background=None).fit(X[:10]).transform(X[:2])
    np.testing.assert_allclose(e.values.reshape(exact.shape), exact, atol=1e-12)
