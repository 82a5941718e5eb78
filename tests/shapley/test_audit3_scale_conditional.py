"""Third audit, numerical scale: the conditional game's Gaussian draws do not depend on the
features' units or on the last bits of the data."""

import numpy as np
import pytest

from skxai import ExactShapleyExplainer


def _data():
    rng = np.random.RandomState(0)
    cov = [[1, 0.5, 0.3, 0.0], [0.5, 1, 0.4, 0.2], [0.3, 0.4, 1, 0.6], [0.0, 0.2, 0.6, 1]]
    return rng.multivariate_normal(np.zeros(4), cov, size=80)


def _model(scale):
    # nonlinear, so the values depend on the draws themselves, not only on their mean
    def f(A):
        Z = A / scale
        return np.tanh(Z[:, 0] * Z[:, 1]) + Z[:, 2] ** 2 * Z[:, 3]

    return f


@pytest.mark.parametrize("scale", [[1.001, 1.0, 1.0, 1.0], [1e-6, 3.0, 1.0, 1e6], [7.0, 7.0, 7.0, 7.0]])
def test_gaussian_draws_rescale_with_the_features(scale):
    # The noise's square root was V sqrt(E) from an eigendecomposition, whose eigenvectors'
    # signs are arbitrary: the last bits of a rescaled covariance flipped some of them, and
    # the game drew other (equally distributed) samples. x0 in units 1.001 larger moved the
    # values by 0.16 of their largest (Monte-Carlo noise), though the docstring promises that
    # rescaling a feature rescales its draws and nothing else changes.
    X = _data()
    scale = np.asarray(scale)

    def phi(s):
        est = ExactShapleyExplainer(_model(s), game="conditional", n_conditional_samples=8, random_state=0).fit(X * s)
        return est.transform(X[:5] * s)

    ref = phi(np.ones(4))
    np.testing.assert_allclose(phi(scale), ref, rtol=1e-9, atol=1e-9 * np.abs(ref).max())
