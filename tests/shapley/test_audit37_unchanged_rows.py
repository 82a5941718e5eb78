"""A row whose sampled coalitions showed no change reports an unknown error (session 37).

The game: one background row of zeros, the explained row of ones, and a model that answers 1
only at ``(1, 1, 0, 0, 0, 0)``. Its values are ``1/30`` for the first two features and
``-1/60`` for the others, but a permutation shows a change only when it starts (or, reversed,
ends) with features 0 and 1: most draws of a few permutations, and many small KernelSHAP
designs, see the same value everywhere and read 0. They were reported 0 +/- 0, and ``tol``
stopped there (``1.96 * 0 <= tol * 0``).
"""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from skxai import ExactShapleyExplainer, KernelShapExplainer, ShapleySamplingExplainer

P = 6
BACKGROUND = np.zeros((1, P))
X = np.ones((1, P))


def only_at_the_pair(A):
    A = np.asarray(A)
    return ((A[:, 0] == 1) & (A[:, 1] == 1) & (A[:, 2:] == 0).all(axis=1)).astype(float)


def test_the_games_exact_values():
    exact = ExactShapleyExplainer(only_at_the_pair).fit(BACKGROUND).explain(X).values[0, :, 0]
    np.testing.assert_allclose(exact, [1 / 30, 1 / 30] + [-1 / 60] * 4, rtol=1e-12)


@pytest.mark.parametrize(
    "cls, kw", [(ShapleySamplingExplainer, {"n_permutations": 4}), (KernelShapExplainer, {"n_samples": 30})]
)
def test_a_row_that_saw_no_change_reports_an_unknown_error(cls, kw):
    unchanged = 0
    for seed in range(30):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            exp = cls(only_at_the_pair, random_state=seed, **kw).fit(BACKGROUND).explain(X)
        phi, std = exp.values[0, :, 0], exp.std[0, :, 0]
        if np.all(np.abs(phi) < 1e-12):
            unchanged += 1
            assert np.all(np.isinf(std)), (seed, std)  # was 0 +/- 0, off by 1/30
        else:
            assert not np.any(np.isnan(std))
    assert unchanged >= 5  # the case is met, not assumed


def test_tol_does_not_stop_silently_on_a_row_that_saw_no_change():
    silent = []
    for seed in range(30):
        with warnings.catch_warnings(record=True) as rec:
            warnings.simplefilter("always")
            exp = ShapleySamplingExplainer(only_at_the_pair, random_state=seed, n_permutations=32, tol=0.05)
            exp = exp.fit(BACKGROUND).explain(X)
        met = not any(issubclass(w.category, ConvergenceWarning) for w in rec)
        if met and np.all(exp.values == 0):
            silent.append(seed)
    assert silent == []


def test_every_order_walked_stays_exact_on_a_constant_row():
    # 3 players, 6 permutations: every order once, the values are exact whatever they show
    exp = ShapleySamplingExplainer(lambda A: np.zeros(len(A)), n_permutations=6, random_state=0)
    exp = exp.fit(np.zeros((1, 3))).explain(np.ones((1, 3)))
    np.testing.assert_array_equal(exp.values, 0.0)
    np.testing.assert_array_equal(exp.std, 0.0)


@pytest.mark.parametrize(
    "cls, kw", [(ShapleySamplingExplainer, {"n_permutations": 64}), (KernelShapExplainer, {"n_samples": 400})]
)
def test_a_row_no_feature_moves_does_not_hold_tol_to_the_whole_budget(cls, kw):
    # the first row is the single background row: no budget short of every coalition settles
    # it, and counting it in tol's test spent the whole budget on every row
    rng = np.random.RandomState(0)
    X = rng.normal(size=(3, 12))

    def linear(A):
        return np.asarray(A) @ np.arange(12.0)

    with pytest.warns(ConvergenceWarning, match=r"tol could not judge 1 row\(s\) \(rows \[0\]\)"):
        exp = cls(linear, random_state=0, tol=0.05, **kw).fit(X[:1]).explain(X)
    alone = cls(linear, random_state=0, tol=0.05, **kw).fit(X[:1]).explain(X[1:])
    assert exp.n_evaluations == alone.n_evaluations  # the step the other rows stop at
    assert np.all(np.isinf(exp.std[0])) and np.all(np.isfinite(exp.std[1:]))
    np.testing.assert_allclose(exp.values[1:, :, 0], (X[1:] - X[0]) * np.arange(12.0), atol=1e-9)


@pytest.mark.parametrize(
    "cls, kw", [(ShapleySamplingExplainer, {"n_permutations": 32}), (KernelShapExplainer, {"n_samples": 60})]
)
def test_tol_spends_the_budget_when_no_row_can_be_judged(cls, kw):
    # every row unchanged: leaving them all out of the test stopped at the first step, 0 +/- inf
    # where the whole budget showed the change (a review)
    for seed in range(30):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with_tol = cls(only_at_the_pair, random_state=seed, tol=0.05, **kw).fit(BACKGROUND).explain(X)
            whole = cls(only_at_the_pair, random_state=seed, **kw).fit(BACKGROUND).explain(X)
        if np.all(with_tol.values == 0):
            assert with_tol.n_evaluations == whole.n_evaluations, seed
            np.testing.assert_array_equal(whole.values, 0.0)
