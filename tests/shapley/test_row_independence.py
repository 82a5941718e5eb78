"""A row's explanation never depends on the other rows explained in the same call."""

import numpy as np
import pytest
from sklearn.datasets import load_wine
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

from skxai import KernelShapExplainer, ShapleySamplingExplainer
from skxai._games._background import row_aligned_calls


@pytest.fixture(scope="module")
def mlp_data():
    X, y = load_wine(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    return MLPClassifier(hidden_layer_sizes=(32,), max_iter=500, random_state=0).fit(X, y), X


@pytest.mark.parametrize(
    "make",
    [
        lambda m: KernelShapExplainer(m, n_samples=512, max_background=20, random_state=0, batch_size=3000),
        lambda m: KernelShapExplainer(m, n_samples=700, max_background=20, random_state=0, max_order=3),
        lambda m: ShapleySamplingExplainer(m, n_permutations=8, max_background=20, random_state=0),
    ],
)
def test_rows_alone_equal_rows_in_a_batch_to_the_last_bit(mlp_data, make):
    model, X = mlp_data
    ex = make(model).fit(X)
    batch = ex.transform(X[:25])
    for i in (0, 7, 24):
        np.testing.assert_array_equal(ex.transform(X[i : i + 1])[0], batch[i])
    np.testing.assert_array_equal(ex.transform(X[5:19]), batch[5:19])


def test_row_aligned_calls_cover_every_pair_once_and_never_split_a_row_that_fits():
    for n, m, per_call in [(5, 4, 10), (3, 7, 3), (1, 5, 100), (4, 6, 6)]:
        calls = row_aligned_calls(n, m, per_call)
        covered = np.concatenate([np.arange(a, b) for a, b in calls])
        np.testing.assert_array_equal(covered, np.arange(n * m))
        assert all(b - a <= max(per_call, 1) for a, b in calls)
        if per_call >= m:
            assert calls == [(r * m, (r + 1) * m) for r in range(n)]
        else:  # cut at the same places in every row
            assert {a % m for a, _ in calls} == set(range(0, m, per_call))


def test_interaction_fit_gives_the_same_numbers_for_any_n_jobs_whatever_the_blas_threads():
    # A kept design operator built under two BLAS threads rounded differently from the one a
    # loky worker (one thread) builds: n_jobs=1 and 2 then differed by 1e-14 on every value.
    from threadpoolctl import threadpool_limits

    from skxai import KernelShapExplainer, _estimate

    rng = np.random.RandomState(0)
    a, pairs = rng.normal(size=13), np.triu(rng.normal(size=(13, 13)) * 0.3, 1)

    def model(X):
        return np.tanh(X @ a + np.einsum("ni,ij,nj->n", X, pairs, X) * np.sin(X[:, 0]))

    bg, rows = rng.normal(size=(6, 13)), rng.normal(size=(12, 13))
    _estimate._kadd_cache.clear()
    with threadpool_limits(limits=2, user_api="blas"):
        KernelShapExplainer(model, n_samples=1024, max_background=None, random_state=0).fit(bg).transform(rows[:4])
    out = {}
    with threadpool_limits(limits=1, user_api="blas"):
        for n_jobs in (1, 2):
            est = KernelShapExplainer(model, n_samples=1024, max_background=None, random_state=0, n_jobs=n_jobs)
            out[n_jobs] = est.fit(bg).explain(rows)
    assert out[1].order == 3
    np.testing.assert_array_equal(out[1].values, out[2].values)
    np.testing.assert_array_equal(out[1].std, out[2].std)
