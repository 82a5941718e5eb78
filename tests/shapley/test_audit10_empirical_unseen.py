"""The empirical sampler says when an explained row's values on discrete columns never occur
together in the background (an outside audit, session 24): the nearest rows stood in for that
combination silently."""

import warnings

import numpy as np
import pytest

from skxai import ExactShapleyExplainer


def _discrete():
    rng = np.random.RandomState(0)
    x0 = rng.randint(0, 4, size=2000)
    x1 = np.clip(x0 + rng.randint(-1, 2, size=2000), 0, 3)  # within 1 of x0
    x2 = rng.randint(0, 3, size=2000)
    return np.c_[x0, x1, x2].astype(float)


def _f(A):
    A = np.asarray(A, dtype=float)
    return A[:, 0] * A[:, 1] - A[:, 2]


def _explainer():
    return ExactShapleyExplainer(
        _f, game="conditional", conditional_sampler="empirical", max_background=None, n_conditional_samples=2000,
        random_state=0,
    )


def test_a_combination_the_background_never_holds_warns():
    B = _discrete()
    ex = _explainer().fit(B)
    with pytest.warns(UserWarning, match=r"discrete columns \[0, 1\] that no background row has together"):
        ex.explain(np.array([[0.0, 3.0, 2.0]]))


def test_seen_rows_and_continuous_data_do_not_warn():
    B = _discrete()
    ex = _explainer().fit(B)
    rng = np.random.RandomState(1)
    C = rng.normal(size=(300, 3))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ex.explain(np.array([[1.0, 1.0, 2.0], [2.0, 3.0, 0.0]]))
        ExactShapleyExplainer(_f, game="conditional", conditional_sampler="empirical", random_state=0).fit(C).explain(
            rng.normal(size=(5, 3))
        )
