"""A row's permutation-sampling error does not depend on the rows explained with it, to the last
bit (an outside audit, session 24: 16 of 100 rows explained alone differed from the same rows in a
batch by 7e-18 to 1e-16; the values were equal)."""

import numpy as np

from skxai import ShapleySamplingExplainer
from skxai._estimate import antithetic_permutations, shapley_from_permutations


def _game(A):
    return np.tanh(A[:, 0] * A[:, 1] * A[:, 2]) + np.sin(A[:, 3] + A[:, 4]) * A[:, 5] + 0.1 * A[:, 6:].sum(axis=1)


def test_strided_values_give_the_same_errors_as_contiguous_ones():
    # (2 of these 40 draws differed in a last bit before)
    p, n_perm = 10, 10
    for seed in range(40):
        rng = np.random.RandomState(seed)
        perms = antithetic_permutations(p, n_perm, rng)
        prefix = rng.normal(size=(5, n_perm, p + 1, 1)).cumsum(axis=2) * np.exp(rng.normal(size=(1, 1, p + 1, 1)))
        phi, std = shapley_from_permutations(perms, prefix)
        phi_f, std_f = shapley_from_permutations(perms, np.asfortranarray(prefix))
        np.testing.assert_array_equal(phi_f, phi)
        np.testing.assert_array_equal(std_f, std)


def test_rows_alone_and_in_a_batch_have_the_same_errors():
    rng = np.random.RandomState(1)
    X = rng.normal(size=(30, 10))
    for seed in range(8):
        est = ShapleySamplingExplainer(_game, n_permutations=10, random_state=seed).fit(X)
        batch = est.explain(X[:5])
        for i in range(5):
            alone = est.explain(X[i : i + 1])
            np.testing.assert_array_equal(alone.values[0], batch.values[i])
            np.testing.assert_array_equal(alone.std[0], batch.std[i])
