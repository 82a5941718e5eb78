"""``tol`` stops a KernelSHAP run early only on errors estimated from enough sampled pairs (an
outside audit, session 24): at its first step of 30 coalitions of 120 on 10 features (4 pairs
sampled beyond the one-player coalitions) it stopped on values 0.28 of the row's largest off."""

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

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


def test_a_step_sampling_the_one_player_coalitions_does_not_stop_silently():
    # n_samples=30 on 10 features: the steps are 22 (one-player coalitions sampled, not
    # enumerated) and 30, which no longer fits beside them; the run returns the first step and
    # says that tol was not met, where it stopped there silently before
    p = 10
    X = np.random.RandomState(1).normal(size=(30, p))
    with pytest.warns(ConvergenceWarning, match="tol"):
        exp = KernelShapExplainer(_three_way, n_samples=30, tol=10.0, random_state=0).fit(X).explain(X[:2])
    assert int(np.max(exp.n_evaluations)) <= 30
