"""Audit of the tabular anchors: rules' text vs the bins applied, degenerate columns."""

import re

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.tree import DecisionTreeClassifier

from skxai.anchors import AnchorTabularExplainer


class _Below(ClassifierMixin, BaseEstimator):
    """Class 1 where feature 0 is below ``cut``."""

    def __init__(self, cut=0.0):
        self.cut = cut

    def fit(self, X, y=None):
        self.classes_ = np.array([0, 1])
        return self

    def predict(self, X):
        return (np.asarray(X, dtype=float)[:, 0] < self.cut).astype(int)

    def predict_proba(self, X):
        p = self.predict(X).astype(float)
        return np.c_[1 - p, p]


def _holds(rule, row, names):
    """Evaluate a rule string of the explainer on a row (numeric predicates only)."""
    env = dict(zip(names, (float(v) for v in row), strict=True))
    m = re.fullmatch(r"(\S+) <= (\S+) < (\S+)", rule)
    if m:
        return float(m[1]) <= env[m[2]] < float(m[3])
    name, op, value = rule.split(" ")
    return {"<": env[name] < float(value), ">=": env[name] >= float(value),
            "==": env[name] == float(value)}[op]


def test_rule_text_is_the_rule_applied():
    # edges like 1000.09 were shown with 4 significant digits ("x0 < 1000"): the explained row
    # at 1000.03, in the bin x0 < 1000.09, broke its own anchor as written
    rng = np.random.RandomState(0)
    X = np.c_[1000 + rng.randint(0, 40, 400) / 100.0, rng.rand(400)]
    model = _Below(1000.2).fit(X)
    ex = AnchorTabularExplainer(model, random_state=0, n_validation_samples=200).fit(X)
    rows = X[:20]
    exp = ex.explain(rows)
    names = ["x0", "x1"]
    assert sum(map(len, exp.anchor)) >= 15
    for i, rules in enumerate(exp.anchor):
        for rule in rules:
            assert _holds(rule, rows[i], names), (rule, rows[i])
    # the text of every bin selects exactly the background rows of that bin
    bins = ex.background_bins_
    for j in range(2):
        for b in np.unique(bins[:, j]):
            rule = ex._predicate(j, b)
            text = np.array([_holds(rule, r, names) for r in ex.background_])
            np.testing.assert_array_equal(text, bins[:, j] == b)


def test_value_bins_show_the_value():
    X = np.c_[np.tile([123456.7, 2.0], 50), np.arange(100) % 2]
    model = _Below(100.0).fit(X)
    ex = AnchorTabularExplainer(model, random_state=0, n_validation_samples=200).fit(X)
    assert ex._predicate(0, 1) == "x0 == 123456.7"


def test_a_column_mostly_at_its_minimum_is_split_from_the_rest():
    # every inner quantile equals the minimum: the column was left with no edge at all, and
    # explain raised IndexError while writing the rule of its single bin
    rng = np.random.RandomState(0)
    c = np.zeros(200)
    c[:5] = [1, 2, 3, 4, 5]
    X = np.c_[c, rng.rand(200)]
    model = DecisionTreeClassifier(random_state=0).fit(X, X[:, 1] > 0.5)
    ex = AnchorTabularExplainer(model, random_state=0, n_validation_samples=200).fit(X)
    np.testing.assert_array_equal(ex.bin_edges_[0], [1.0])
    exp = ex.explain(X[:8])
    assert ex._predicate(0, 0) == "x0 < 1" and ex._predicate(0, 1) == "x0 >= 1"
    assert len(exp.anchor) == 8


@pytest.mark.parametrize("seed", [0, 1])
def test_edges_split_the_background_like_the_quantiles(seed):
    rng = np.random.RandomState(seed)
    X = rng.randn(300, 2) * 1e-3 + 5.0
    model = _Below(5.0).fit(X)
    ex = AnchorTabularExplainer(model, random_state=0).fit(X)
    for j in range(2):
        q = np.unique(np.quantile(X[:, j], [0.25, 0.5, 0.75], method="inverted_cdf"))
        q = q[q > X[:, j].min()]
        np.testing.assert_array_equal(
            ex.background_bins_[:, j], np.searchsorted(q, X[:, j], side="right"))
