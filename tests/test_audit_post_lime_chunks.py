"""Post-merge audit: LIME's surrogate of a sample does not depend on the rows fitted with it."""

import numpy as np
from sklearn.datasets import load_wine
from sklearn.ensemble import RandomForestClassifier

import skxai
from skxai._wls import ridge_wls


def test_ridge_wls_columns_do_not_depend_on_the_others():
    rng = np.random.RandomState(0)
    Z = (rng.rand(200, 9) > 0.5).astype(float)
    w = rng.rand(200)
    Y = rng.randn(200, 37)
    whole = ridge_wls(Z, w, Y)
    for sl in (slice(0, 1), slice(0, 7), slice(7, 14), slice(30, 37)):
        part = ridge_wls(Z, w, Y[:, sl])
        np.testing.assert_array_equal(part[0], whole[0][:, sl])
        np.testing.assert_array_equal(part[1], whole[1][sl])
        np.testing.assert_array_equal(part[2], whole[2][sl])


def test_lime_in_chunks_equals_one_call():
    X, y = load_wine(return_X_y=True)
    model = RandomForestClassifier(n_estimators=5, random_state=0).fit(X, y)
    e = skxai.LimeExplainer(model, n_samples=60, random_state=0).fit(X)
    whole = e.explain(X[:21])
    parts = [e.explain(X[i:i + 7]) for i in range(0, 21, 7)]
    np.testing.assert_array_equal(np.concatenate([p.values for p in parts]), whole.values)
    for key in ("score", "intercept"):
        np.testing.assert_array_equal(np.concatenate([p.extras[key] for p in parts]), whole.extras[key])


def test_ridge_wls_leaves_its_inputs_unchanged():
    rng = np.random.RandomState(1)
    Z = (rng.rand(50, 4) > 0.5).astype(float)
    w = rng.rand(50)
    Y = np.asfortranarray(rng.randn(50, 6))  # Y.T is C-contiguous: a view, not a copy
    before = Y.copy()
    ridge_wls(Z, w, Y)
    np.testing.assert_array_equal(Y, before)
