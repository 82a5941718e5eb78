"""The conditional game at two edges an outside audit found (session 24): a row about 1e154
standard deviations from the background crashed the empirical sampler, and a column constant on
the background (and in the row), which the model never reads, got credit (-0.10)."""

import numpy as np
import pytest

from skxai import ExactShapleyExplainer, KernelShapExplainer, ShapleySamplingExplainer

EXPLAINERS = [ExactShapleyExplainer, KernelShapExplainer, ShapleySamplingExplainer]


@pytest.mark.parametrize("cls", EXPLAINERS)
def test_a_row_far_beyond_the_background_gets_finite_values(cls):
    rng = np.random.RandomState(0)
    B = rng.normal(size=(300, 3))
    X = rng.normal(size=(4, 3))
    X[0, 0] = 1e155

    def f(A):
        return np.asarray(A, dtype=float) @ [1.0, 2.0, -1.0]

    ex = cls(f, game="conditional", conditional_sampler="empirical", random_state=0).fit(B)
    exp = ex.explain(X)
    assert np.isfinite(exp.values).all()
    np.testing.assert_allclose(exp.values.sum(axis=1) + exp.base_values, f(X)[:, None], rtol=1e-12)
    # the other rows are what they are alone
    np.testing.assert_allclose(exp.values[1:], ex.explain(X[1:]).values, rtol=0, atol=1e-12)


@pytest.mark.parametrize("sampler", ["empirical", "gaussian"])
@pytest.mark.parametrize("cls", EXPLAINERS)
def test_a_constant_column_the_model_ignores_gets_no_credit(cls, sampler):
    rng = np.random.RandomState(1)
    B = np.c_[rng.normal(size=(300, 3)) @ [[1, 0.5, 0.2], [0, 1, 0.4], [0, 0, 1]], np.full(300, 5.0)]
    X = np.c_[rng.normal(size=(4, 3)), np.full(4, 5.0)]

    def f(A):
        A = np.asarray(A, dtype=float)
        return A[:, 0] * A[:, 1] + A[:, 2]

    ex = cls(f, game="conditional", conditional_sampler=sampler, max_background=None, random_state=0)
    with np.errstate(all="ignore"):
        values = ex.fit(B).explain(X).values
    np.testing.assert_allclose(values[:, 3], 0.0, atol=1e-12)
