"""ShapleyRegressionExplainer keeps its 2**p subset models: k-nearest neighbours keep their
training rows, and 1,024 of them took 5.2 GiB past the working-memory bound without a refusal
(an outside audit, session 30: the bound counted 512 bytes a model). The models' own bytes are
now measured as they are trained and set against the bound."""

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression
from sklearn.neighbors import KNeighborsRegressor

import skxai.utils._memory as memory
from skxai import ShapleyRegressionExplainer
from skxai.utils._memory import model_bytes


def _data(n=3000, p=6):
    X = np.random.RandomState(0).normal(size=(n, p))
    return X, X[:, 0] + X[:, 1] * X[:, 2]


def test_subset_models_past_the_bound_are_refused_before_all_are_trained(monkeypatch):
    X, y = _data()
    model = KNeighborsRegressor(algorithm="brute").fit(X, y)
    # 63 subset models of 3,000 rows on 1-5 columns: about 4.5 MiB in all
    monkeypatch.setattr(memory, "MAX_WORKING_BYTES", 2**20)
    trained = []
    real = memory.model_bytes
    monkeypatch.setattr("skxai.shapley._regression.model_bytes", lambda m: trained.append(m) or real(m))
    with pytest.raises(ValueError, match=r"keeping the 62 subset models it trains \(up to .* MiB each"):
        ShapleyRegressionExplainer(model).fit(X, y)
    assert len(trained) < 40  # refused after a few chunks, not after all 62


def test_within_the_bound_the_models_are_kept_and_the_values_add_up():
    X, y = _data(400)
    ex = ShapleyRegressionExplainer(KNeighborsRegressor(algorithm="brute"), n_jobs=2).fit(X, y)
    values = ex.transform(X[:5])
    np.testing.assert_allclose(values.sum(axis=1), ex.estimator_.predict(X[:5]) - ex.expected_value_[0], atol=1e-10)
    alone = ShapleyRegressionExplainer(KNeighborsRegressor(algorithm="brute")).fit(X, y).transform(X[:5])
    np.testing.assert_array_equal(values, alone)


def test_model_bytes_counts_the_arrays_a_model_holds():
    X, y = _data(5000, 10)
    knn = KNeighborsRegressor(algorithm="brute").fit(X, y)
    assert X.nbytes <= model_bytes(knn) <= X.nbytes + y.nbytes + 100_000
    assert model_bytes(LinearRegression().fit(X, y)) < 10_000
    assert model_bytes(lambda x: x) is None  # not picklable: not measured
