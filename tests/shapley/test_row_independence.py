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
