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

    exp = LimeTextExplainer(model, n_samples=40, target=1, random_state=0).fit([doc]).explain([doc])
    weights = dict(zip(exp.tokens[0], exp.values[0], strict=False))
    assert max(weights, key=lambda t: abs(weights[t])) == "w7"
