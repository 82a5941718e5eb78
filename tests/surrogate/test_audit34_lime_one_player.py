"""LIME with a single player (audit34a): every perturbation switches it off, only the explained
row keeps it, and the default ridge (alpha=1) halved its weight without a word."""

import warnings

import numpy as np
import pytest

from skxai import LimeExplainer


def _additive(Z):
    return 3.0 * np.asarray(Z).sum(axis=1)


def test_one_player_warns_and_alpha_zero_is_the_effect():
    X = np.random.default_rng(0).normal(size=(200, 1))
    x = np.full((1, 1), 2.0)
    with pytest.warns(UserWarning, match="single player"):
        shrunk = LimeExplainer(_additive, random_state=0).fit(X)
    effect = 3.0 * (x[0, 0] - shrunk.background_.mean())
    assert shrunk.transform(x)[0, 0] < 0.6 * effect  # what the warning says
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        exact = LimeExplainer(_additive, alpha=0.0, perturbation="average", random_state=0).fit(X)
        two = LimeExplainer(_additive, random_state=0).fit(np.hstack([X, X[::-1]]))
    assert exact.transform(x)[0, 0] == pytest.approx(effect, rel=1e-6)
    assert two.n_players_ == 2
