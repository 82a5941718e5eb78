"""KernelSHAP warns at fit when its linear design samples fewer than 8 pairs beside the
enumerated one-player coalitions (an outside audit, session 24: at 3 p coalitions intervals of
1.96 std held 0.90-0.94 of the exact values, single errors reaching 15-170 times their std)."""

import warnings

import numpy as np
import pytest

from skxai import KernelShapExplainer
from skxai._estimate import linear_few_pairs_message


def _game(A):
    return A[:, 0] * A[:, 1] * A[:, 2] + np.tanh(A[:, 3] * A[:, 4]) + A[:, 5:].sum(axis=1)


X = np.random.RandomState(0).normal(size=(20, 10))


@pytest.mark.parametrize("budget, pairs", [(30, 4), (34, 6), (37, 7)])
def test_few_pairs_beside_the_single_players_warn(budget, pairs):
    with pytest.warns(UserWarning, match=rf"n_samples={budget} samples {pairs} coalition pairs of 10 features"):
        KernelShapExplainer(_game, n_samples=budget, max_order=1).fit(X)


def test_enough_pairs_do_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        KernelShapExplainer(_game, n_samples=38, max_order=1).fit(X)
        KernelShapExplainer(_game, n_samples=200, max_order=1).fit(X)


def test_the_message_names_a_budget_with_enough_pairs():
    message = linear_few_pairs_message(1, 10, 30)
    assert "n_samples=38 samples 8." in message
    assert linear_few_pairs_message(1, 10, 38) is None
    assert linear_few_pairs_message(3, 10, 30) is None  # not a linear fit
    assert linear_few_pairs_message(1, 4, 14) is None  # most coalitions: their finite population
