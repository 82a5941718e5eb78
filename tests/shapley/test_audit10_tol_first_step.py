"""``tol`` stops a KernelSHAP run early only on errors estimated from enough sampled pairs (an
outside audit, session 24): at its first step of 30 coalitions of 120 on 10 features (4 pairs
sampled beyond the one-player coalitions) it stopped on values 0.28 of the row's largest off."""

import numpy as np

from skxai import KernelShapExplainer
from skxai._designs import sampled_units
from skxai._estimate import TOL_MIN_UNITS, enumerated_share


def _three_way(A):
    return A[:, 0] * A[:, 1] * A[:, 2] + np.tanh(A[:, 3] * A[:, 4] * A[:, 5]) + A[:, 6:].sum(axis=1)


def test_first_step_with_few_sampled_pairs_does_not_stop():
    p = 10
    assert sampled_units(p, 30, enumerated_share(1, p, 30)) < TOL_MIN_UNITS
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, p))
    for seed in range(5):
        exp = KernelShapExplainer(_three_way, n_samples=120, tol=10.0, random_state=seed).fit(X).explain(X[:1])
        # a tol this loose is met at once; the first step (30) is not trusted, the second (62) is
        assert int(np.max(exp.n_evaluations)) > 40


def test_a_run_whose_early_steps_cannot_stop_spends_its_budget_as_without_tol():
    # n_samples=30 on 10 features: the first step (22, one-player coalitions sampled) cannot
    # stop the run, so it is not evaluated; the run is then the whole budget's, as without tol.
    # Before, it stopped there silently; evaluating it and going on would have left the last
    # step no room (the steps' designs are not nested)
    p = 10
    X = np.random.RandomState(1).normal(size=(30, p))
    with_tol = KernelShapExplainer(_three_way, n_samples=30, tol=10.0, random_state=0).fit(X).explain(X[:2])
    without = KernelShapExplainer(_three_way, n_samples=30, random_state=0).fit(X).explain(X[:2])
    assert int(np.max(with_tol.n_evaluations)) == 30
    np.testing.assert_array_equal(with_tol.values, without.values)
    np.testing.assert_array_equal(with_tol.std, without.std)
