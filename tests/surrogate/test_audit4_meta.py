"""LIME's ``perturbation="average"`` on an additive model, as its docstring states it."""

import numpy as np

from skxai import LimeExplainer


def test_average_perturbation_is_exact_for_additive_models_without_the_ridge():
    # The docstring said "exact for additive models" with the default alpha=1, whose ridge
    # shrinks every weight (by about 0.14 % here); exact needs alpha=0, as the user guide says.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 3))
    bg, x = X[:10], X[20:22]

    def f(Z):
        return np.sin(Z[:, 0]) + Z[:, 1] ** 2 - 2 * Z[:, 2]

    exact = np.c_[
        np.sin(x[:, 0]) - np.sin(bg[:, 0]).mean(),
        x[:, 1] ** 2 - (bg[:, 1] ** 2).mean(),
        -2 * (x[:, 2] - bg[:, 2].mean()),
    ]
    lime = LimeExplainer(f, perturbation="average", alpha=0.0, n_samples=200, random_state=0).fit(bg)
    np.testing.assert_allclose(lime.transform(x), exact, rtol=1e-10, atol=1e-12)
    shrunk = LimeExplainer(f, perturbation="average", n_samples=200, random_state=0).fit(bg).transform(x)
    assert np.all(np.abs(shrunk) < np.abs(exact))
    assert "with\n        ``alpha=0``" in LimeExplainer.__doc__
