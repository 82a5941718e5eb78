"""A row's numbers do not depend on the rows explained or scored with it, to the last bit:
``outputs`` of tabular explanations, the metrics' background outputs, and the empirical
conditional sampler (each found 1e-14 off by an outside audit)."""

import numpy as np
import pytest
from sklearn.datasets import make_regression
from sklearn.ensemble import GradientBoostingRegressor

import skxai.metrics as M
from skxai import ExactShapleyExplainer, KernelShapExplainer


@pytest.fixture(scope="module")
def model_and_data():
    X, y = make_regression(80, 8, random_state=0)
    return GradientBoostingRegressor(n_estimators=20, random_state=0).fit(X, y), X


def test_outputs_do_not_depend_on_n_jobs_or_on_rows_alone(model_and_data):
    gb, X = model_and_data
    make = lambda **k: KernelShapExplainer(gb, n_samples=60, max_background=20, random_state=0, **k).fit(X)  # noqa: E731
    a = make().explain(X[:5])
    b = make(n_jobs=2).explain(X[:5])
    e = make()
    alone = np.concatenate([e.explain(X[i : i + 1]).outputs for i in range(5)])
    np.testing.assert_array_equal(a.values, b.values)
    np.testing.assert_array_equal(a.outputs, b.outputs)
    np.testing.assert_array_equal(a.outputs, alone)


@pytest.mark.parametrize("metric", [M.infidelity, M.deletion_auc, M.faithfulness_correlation])
def test_metrics_do_not_depend_on_batch_size_or_rows_alone(model_and_data, metric):
    gb, X = model_and_data
    ex = KernelShapExplainer(gb, n_samples=60, max_background=20, random_state=0).fit(X)
    A = ex.transform(X[:6])
    ref = metric(ex, X[:6], attributions=A)
    np.testing.assert_array_equal(ref, metric(ex, X[:6], attributions=A, batch_size=1))
    alone = np.concatenate([np.atleast_1d(metric(ex, X[i : i + 1], attributions=A[i : i + 1])) for i in range(6)])
    np.testing.assert_array_equal(np.atleast_1d(ref), alone)


@pytest.mark.parametrize("cls, kw", [(KernelShapExplainer, {"n_samples": 60}), (ExactShapleyExplainer, {})])
def test_empirical_conditional_values_do_not_depend_on_the_rows_of_a_call(model_and_data, cls, kw):
    gb, X = model_and_data

    def make(**k):
        return cls(
            gb,
            game="conditional",
            conditional_sampler="empirical",
            n_conditional_samples=10,
            max_background=30,
            random_state=0,
            **kw,
            **k,
        ).fit(X)

    a = make().explain(X[:4])
    b = make(batch_size=1).explain(X[:4])
    e = make()
    alone = [e.explain(X[i : i + 1]) for i in range(4)]
    np.testing.assert_array_equal(a.values, b.values)
    np.testing.assert_array_equal(a.values, np.concatenate([r.values for r in alone]))
    if a.std is not None:
        np.testing.assert_array_equal(a.std, np.concatenate([r.std for r in alone]))
