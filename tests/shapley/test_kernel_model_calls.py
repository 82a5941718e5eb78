"""KernelSHAP calls the model once per explained row (at budgets whose rows fit one call).

The empty and full coalitions went to the model in a call of their own before the design's:
two calls per row, and a pandas Pipeline's call costs 1-3 ms whatever its rows (4.95 ms per row
at 16 coalitions on 7 columns, 1.59 ms now, with the dtype casts below)."""

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from skxai import KernelShapExplainer


class CountingModel:
    def __init__(self, w):
        self.w = w
        self.calls = 0

    def __call__(self, A):
        self.calls += 1
        return np.tanh(A @ self.w) + A[:, 0] * A[:, 1]


@pytest.mark.parametrize("n_samples", [20, 64])
def test_one_model_call_per_row(n_samples):
    rng = np.random.RandomState(0)
    model = CountingModel(rng.normal(size=6))
    exp = KernelShapExplainer(model, n_samples=n_samples, max_background=None, random_state=0).fit(
        rng.normal(size=(5, 6)))
    X = rng.normal(size=(7, 6))
    model.calls = 0
    phi = exp.explain(X)
    assert model.calls == len(X)
    # the values still add up: the empty and full coalitions came with the design's
    np.testing.assert_allclose(phi.values[..., 0].sum(axis=1) + phi.base_values[:, 0], model(X), atol=1e-10)


def test_a_model_fitted_on_a_frame_gets_the_columns_and_dtypes_it_was_fitted_on():
    # the perturbed rows are cast back only where the dtype differs from the array's
    rng = np.random.RandomState(1)
    X = pd.DataFrame(rng.normal(size=(60, 3)), columns=["a", "b", "c"])
    X["d"] = rng.randint(0, 3, size=60).astype(np.int32)
    y = (X.a + X.d > 1).astype(int)
    seen = []

    class Spy(LogisticRegression):
        def predict_proba(self, Z):
            seen.append(Z.dtypes.to_dict())
            return super().predict_proba(Z)

    model = Spy(max_iter=500).fit(X, y)
    exp = KernelShapExplainer(model, n_samples=12, random_state=0).fit(X[:10])
    seen.clear()
    exp.transform(X[:3])
    assert seen and all(d == {"a": np.float64, "b": np.float64, "c": np.float64, "d": np.int32} for d in seen)
