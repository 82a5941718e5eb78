"""An explicit k-additive order with more terms per coalition than "auto" takes warns at fit.

An outside audit (session 23) measured order 3 on 13 features (377 terms; a random forest on
wine) covering 0.85 at 100 coalitions, 0.89 at 120 and 0.91 at 130, with no warning: "auto"
never takes order 3 beyond 1.8 terms a coalition, but an explicit order was not checked.
"""

import warnings

import numpy as np
import pytest

from skxai import KernelShapExplainer
from skxai._estimate import AUTO_ORDER3_SHARE, kadd_many_terms_message

rng = np.random.RandomState(0)
X = rng.normal(size=(20, 13))


def model(A):
    return (A[:, 0] * A[:, 1] * A[:, 2] + np.tanh(A[:, 3:]).sum(axis=1))[:, None]


def test_an_explicit_order_three_past_the_auto_share_warns_at_fit():
    explainer = KernelShapExplainer(model, n_samples=100, max_order=3, max_background=None, random_state=0)
    with pytest.warns(UserWarning, match=r"max_order=3 fits 377 interaction terms of 13 features to 98 coalitions"):
        explainer.fit(X)
    assert np.all(np.isfinite(explainer.explain(X[:2]).std))  # the errors are still reported


@pytest.mark.parametrize("max_order, n_samples", [("auto", 100), (3, 212), (1, 100)])
def test_no_warning_where_the_terms_are_within_the_auto_share(max_order, n_samples):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        KernelShapExplainer(model, n_samples=n_samples, max_order=max_order, max_background=None).fit(X)


def test_the_message_names_the_budget_that_meets_the_share():
    message = kadd_many_terms_message(3, 13, 150)
    assert "n_samples >= 212" in message
    assert kadd_many_terms_message(3, 13, 212) is None
    assert 377 / (212 - 2) <= AUTO_ORDER3_SHARE < 377 / (211 - 2)
    assert kadd_many_terms_message(5, 13, 400) is not None
    assert kadd_many_terms_message(3, 4, 16) is None  # every coalition
