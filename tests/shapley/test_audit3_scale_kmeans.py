"""Third audit, numerical scale: background="kmeans" summarises the background the same way
whatever the columns' units."""

import numpy as np
import pytest

from skxai import KernelShapExplainer


def _model(scale):
    def f(A):
        Z = np.asarray(A, dtype=float) / scale
        return np.tanh(Z[:, 0] * Z[:, 1]) + Z[:, 2] ** 2 - Z[:, 3] * Z[:, 4]

    return f


@pytest.mark.parametrize("unit", [1e3, 1e-6])
@pytest.mark.parametrize("integers", [False, True])
def test_kmeans_background_does_not_depend_on_the_units(unit, integers):
    # k-means ran on the raw columns: one column in units 1e3 larger decided the clusters
    # alone, and the same model on the same data got values 0.24 (of the largest) and a base
    # value 0.59 away from those in the original units.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 5))
    if integers:  # medoids (real rows) instead of centroids: their distances too
        X = np.round(X * 4)
    scale = np.ones(5)
    scale[3] = unit

    def explain(s):
        est = KernelShapExplainer(_model(s), background="kmeans", max_background=8, random_state=0)
        if integers:
            pd = pytest.importorskip("pandas")
            frame = pd.DataFrame(X * s).astype(dict.fromkeys([0, 1, 2, 4], "int64"))
            return est.fit(frame).explain(frame.iloc[:4]), est
        return est.fit(X * s).explain(X[:4] * s), est

    (ref, ref_est), (got, got_est) = explain(np.ones(5)), explain(scale)
    np.testing.assert_allclose(got_est.background_, ref_est.background_ * scale, rtol=1e-9, atol=1e-9 * unit)
    np.testing.assert_allclose(got.values, ref.values, rtol=1e-8, atol=1e-8 * np.abs(ref.values).max())
    np.testing.assert_allclose(got.base_values, ref.base_values, rtol=1e-8)
