"""Audit of tabular anchors on classifiers their first tests did not try (issue 14)."""

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier

from skxai import AnchorTabularExplainer


@pytest.mark.parametrize("model", [RandomForestClassifier(n_estimators=20, random_state=0),
                                   LogisticRegression(max_iter=500), KNeighborsClassifier(7)])
def test_accepted_anchors_hold_on_fresh_perturbation_samples(model):
    # 3 classes, 6 features; each successful anchor re-checked on 3,000 samples drawn from the
    # explainer's own perturbation distribution with another generator (never seen by the search)
    X, y = make_classification(400, 6, n_informative=4, n_classes=3, random_state=0)
    model.fit(X[:200], y[:200])
    est = AnchorTabularExplainer(model, random_state=0).fit(X[:200])
    rows = X[200:240]
    exp = est.explain(rows)
    bins, refs = est._bin(est._rows(rows)), est._decide(est._rows(rows))
    rng = np.random.RandomState(12345)
    fresh = np.array([np.mean(est._decide(est._fresh_samples(bins[i], [(tuple(f), 3000)], rng)) == refs[i])
                      for i, f in enumerate(exp.anchor_features)])
    ok = np.asarray(exp.success)
    assert ok.sum() >= 10
    # accepted: lower bound >= threshold - epsilon_stop, at level delta over the whole search
    assert np.all(fresh[ok] >= est.threshold - est.epsilon_stop - 0.01)
    assert abs(np.mean(np.asarray(exp.precision)[ok]) - fresh[ok].mean()) < 0.02
    assert np.all(np.asarray(exp.precision_lower)[ok] <= fresh[ok] + 0.02)


def test_a_wrong_feature_count_names_the_explainer():
    X, y = make_classification(100, 4, random_state=0)
    est = AnchorTabularExplainer(LogisticRegression().fit(X, y), random_state=0).fit(X)
    with pytest.raises(ValueError, match="X has 3 features, but AnchorTabularExplainer is expecting 4"):
        est.explain(X[:2, :3])
