"""The k-additive KernelSHAP fit on more than 255 players."""

import warnings

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression

from skxai import KernelShapExplainer


def test_order_three_on_more_than_255_features_is_exact_on_a_linear_model():
    # the kernel's overlap counts were uint8: past 255 shared players they wrapped, the system
    # was no kernel, and explain failed with LAPACK's "leading minor ... is not positive definite"
    rng = np.random.default_rng(0)
    p = 270
    X = rng.normal(size=(40, p))
    coef = rng.normal(size=p)
    model = LinearRegression().fit(X, X @ coef)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # many terms a coalition: said at fit
        explainer = KernelShapExplainer(model, max_order=3, n_samples=700, max_background=10, random_state=0).fit(X)

    exact = (X[:2] - explainer.background_.mean(axis=0)) * model.coef_
    np.testing.assert_allclose(explainer.transform(X[:2]), exact, atol=1e-8)


def test_the_many_terms_warning_does_not_advise_a_budget_fit_refuses():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 300))
    model = LinearRegression().fit(X, X[:, 0])
    with pytest.warns(UserWarning, match=r"max_order='auto' \(or 1\), or fewer features \(feature_groups\)") as caught:
        KernelShapExplainer(model, max_order=3, max_background=5).fit(X)
    advised = [str(w.message) for w in caught if "n_samples >=" in str(w.message)]
    assert not advised
