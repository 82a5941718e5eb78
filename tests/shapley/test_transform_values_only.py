"""KernelSHAP's transform computes the values alone: the same bits as explain's, no errors."""

import numpy as np
import pytest

from skxai import KernelShapExplainer, _estimate


def _model(A):
    A = np.asarray(A, dtype=np.float64)
    return np.tanh(A[:, 0] * A[:, 1] - A[:, 2]) + A[:, 3] * A[:, 4] * A[:, 5] + A[:, 6:].sum(axis=1)


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    return rng.normal(size=(40, 9)), rng.normal(size=(5, 9))


@pytest.mark.parametrize(
    "params",
    [
        dict(n_samples=40, max_order=1),  # linear fit, jackknife
        dict(n_samples=400, max_order=1),  # linear fit, over 128 units: the sandwich
        dict(n_samples=300, max_order=3),  # k-additive, primal form, jackknife
        dict(n_samples=120, max_order=3),  # k-additive, dual form
        dict(n_samples=511, max_order=5),  # order 5
        dict(n_samples=200, game="conditional", n_conditional_samples=8),
        dict(n_samples=200, n_jobs=2),  # rows split over workers
    ],
)
def test_transform_gives_explains_values_to_the_bit_without_their_errors(data, params, monkeypatch):
    background, X = data
    ex = KernelShapExplainer(_model, random_state=0, max_background=20, **params).fit(background)
    values = ex.explain(X).values[:, :, 0]
    calls = []
    real = _estimate._jackknife
    monkeypatch.setattr(_estimate, "_jackknife", lambda *a, **k: calls.append(1) or real(*a, **k))
    real_var = _estimate._stratified_variance
    monkeypatch.setattr(_estimate, "_stratified_variance", lambda *a, **k: calls.append(1) or real_var(*a, **k))
    np.testing.assert_array_equal(ex.transform(X), values)
    if params.get("n_jobs", 1) == 1:  # workers run their own copy of the module
        assert calls == []


def test_transform_with_tol_still_stops_on_the_errors(data):
    background, X = data
    ex = KernelShapExplainer(_model, n_samples=400, tol=0.5, max_order=1, random_state=0).fit(background)
    np.testing.assert_array_equal(ex.transform(X), ex.explain(X).values[:, :, 0])
    assert ex.explain(X).extras["n_evaluations"] < 400  # stopped early: the errors were computed
