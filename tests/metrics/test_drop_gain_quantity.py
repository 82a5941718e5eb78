"""Average Drop / Gain's "auto" probabilities follow the explained quantity, not the rows."""

import numpy as np
from numpy.testing import assert_allclose
from sklearn.linear_model import LogisticRegression

from skxai import KernelShapExplainer
from skxai.metrics import average_drop_increase_gain


def test_a_log_odds_rows_terms_do_not_depend_on_the_other_rows_scored():
    # A decision value of 0.3 looks like a probability: scored alone it was kept as one
    # (identity); next to a row whose decision value is 5 it went through the sigmoid. One row,
    # two answers. The explained quantity (log-odds) now decides.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 3))
    clf = LogisticRegression().fit(X, (X[:, 0] + 0.3 * rng.normal(size=200) > 0).astype(int))
    ex = KernelShapExplainer(clf, response_method="decision_function", n_samples=8, random_state=0).fit(X)
    z = clf.decision_function(X)
    small = X[np.flatnonzero((z > 0.1) & (z < 0.9))[:1]]
    large = X[np.flatnonzero(z > 3)[:1]]
    alone = average_drop_increase_gain(ex, small)
    together = average_drop_increase_gain(ex, np.concatenate([small, large]))
    for field in ("drop", "increase", "gain"):
        assert_allclose(getattr(together, field)[:1], getattr(alone, field), rtol=1e-12, atol=1e-15)
    explicit = average_drop_increase_gain(ex, small, probabilities="sigmoid")
    assert_allclose(alone.drop, explicit.drop, rtol=1e-12)
    assert_allclose(alone.gain, explicit.gain, rtol=1e-12)


def test_probabilities_are_kept_as_they_are():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 3))
    clf = LogisticRegression().fit(X, (X[:, 0] > 0).astype(int))
    ex = KernelShapExplainer(clf, n_samples=8, random_state=0).fit(X)
    auto = average_drop_increase_gain(ex, X[:5])
    ident = average_drop_increase_gain(ex, X[:5], probabilities="identity")
    assert_allclose(auto.drop, ident.drop, rtol=1e-12)
