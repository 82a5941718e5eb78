"""LIME's surrogate with more features than samples (a long document, few perturbations)."""

import numpy as np
import pytest
from sklearn.linear_model import Ridge

from skxai._wls import ridge_operator_bytes, ridge_wls


@pytest.mark.parametrize("m, p", [(25, 400), (60, 60), (80, 20)])
def test_the_surrogate_is_sklearns_weighted_ridge_whatever_the_shape(m, p):
    # the p x p system was solved whatever the number of samples: 14,000 words at 20 samples
    # took 4.7 GiB and 32 s; the samples' m x m system gives the same weights
    rng = np.random.default_rng(0)
    Z = rng.integers(0, 2, size=(m, p)).astype(float)
    w = rng.random(m)
    y = rng.normal(size=(m, 2))
    coef, intercept, _ = ridge_wls(Z, w, y, alpha=1.0)
    ref = Ridge(alpha=1.0).fit(Z, y, sample_weight=w)
    np.testing.assert_allclose(coef.T, ref.coef_, atol=1e-10)
    np.testing.assert_allclose(intercept, ref.intercept_, atol=1e-10)


def test_the_memory_of_a_wide_surrogate_follows_the_smaller_side():
    assert ridge_operator_bytes(20, 14_000) < 10 * 2**20
    assert ridge_operator_bytes(20_000, 14_000) > 4 * 2**30  # refused where it would not fit


def test_a_long_document_with_few_samples_is_explained_quickly():
    from skxai.surrogate import LimeTextExplainer

    words = [f"w{i}" for i in range(3000)]
    doc = " ".join(words)

    def model(docs):
        p = np.array([[0.3 + 0.4 * ("w7" in d.split())] for d in docs])
        return np.hstack([1 - p, p])

    est = LimeTextExplainer(model, n_samples=40, target=1, random_state=0).fit([doc])
    with pytest.warns(UserWarning, match=r"document\(s\) \(0 \(3000 words\)\)"):
        exp = est.explain([doc])
    weights = dict(zip(exp.tokens[0], exp.values[0], strict=False))
    assert max(weights, key=lambda t: abs(weights[t])) == "w7"


def test_the_wide_surrogate_solves_the_samples_system(monkeypatch):
    from skxai import _wls

    shapes = []
    real = _wls._solve_spd
    monkeypatch.setattr(_wls, "_solve_spd", lambda A, B: shapes.append(A.shape) or real(A, B))
    rng = np.random.default_rng(0)
    ridge_wls(rng.integers(0, 2, size=(20, 500)).astype(float), rng.random(20), rng.normal(size=(20, 1)))
    ridge_wls(rng.integers(0, 2, size=(50, 10)).astype(float), rng.random(50), rng.normal(size=(50, 1)))
    assert shapes == [(20, 20), (10, 10)]


def test_a_long_document_at_the_default_budget_is_not_refused():
    # the first count of the surrogate's system counted its (m, p) arrays twice: a 7,000-word
    # document at n_samples=5000 (1.6 GiB in fact) was refused at 4.5 GiB
    from types import SimpleNamespace

    from skxai._text import perturbed_doc_bytes
    from skxai.surrogate._lime_text import LIME_BYTES_PER_UNIT

    words = [f"w{i}" for i in range(7000)]
    doc = SimpleNamespace(n_units=7000, tokens=words, text=" ".join(words))
    need = perturbed_doc_bytes(doc, 5000, LIME_BYTES_PER_UNIT) + ridge_operator_bytes(5000, 7000)
    assert need < 4 * 2**30


def test_alpha_zero_with_as_many_words_as_samples_is_refused_without_the_words_system(monkeypatch):
    from skxai import _lime_engine

    built = []
    monkeypatch.setattr(_lime_engine, "_cholesky_if_regular", lambda A: built.append(A.shape))
    keep = np.random.default_rng(0).integers(0, 2, size=(20, 3000)).astype(bool)
    with pytest.raises(ValueError, match="do not determine the 3000 weights"):
        _lime_engine.fit_surrogate(keep, np.random.default_rng(1).random(20), 0.75, np.zeros((20, 1)), alpha=0.0)
    assert not built
