"""A feature index never cuts a tabular anchor to some of its conditions: the rule's text,
precision and coverage are the whole rule's (anchor_features lost the features left out while
anchor kept every condition)."""

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer
from sklearn.tree import DecisionTreeClassifier

from skxai import AnchorTabularExplainer


@pytest.fixture(scope="module")
def explained():
    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    X = X.iloc[:, :6]
    model = DecisionTreeClassifier(max_depth=3, random_state=0).fit(X, y)
    return X, AnchorTabularExplainer(model, random_state=0).fit(X).explain(X.iloc[:3])


def test_leaving_out_an_anchored_feature_is_refused(explained):
    X, exp = explained
    used = sorted({j for feats in exp.anchor_features for j in feats})
    assert used, "the anchors use no feature"
    dropped = str(exp.feature_names[used[0]])
    kept = [c for c in X.columns if c != dropped]
    with pytest.raises(ValueError, match=f"leaves out feature '{dropped}', which a rule of 'anchor_features' uses"):
        exp[:, kept]


def test_an_index_keeping_the_anchors_features_drops_the_candidates_it_cuts(explained):
    X, exp = explained
    used = sorted({j for feats in exp.anchor_features for j in feats})
    names = [str(exp.feature_names[j]) for j in used]
    cut = exp[:, names[::-1]]
    for i in range(len(exp)):
        assert [str(cut.feature_names[j]) for j in cut.anchor_features[i]] == [
            str(exp.feature_names[j]) for j in exp.anchor_features[i]
        ]
        whole = [c for c in exp.candidates[i] if set(c["features"]) <= set(used)]
        assert len(cut.candidates[i]) == len(whole)
        for before, after in zip(whole, cut.candidates[i], strict=True):
            assert after["anchor"] == before["anchor"]
            assert [str(cut.feature_names[j]) for j in after["features"]] == [
                str(exp.feature_names[j]) for j in before["features"]
            ]
    np.testing.assert_array_equal(cut.precision, exp.precision)


def test_a_repeated_feature_is_refused(explained):
    X, exp = explained
    with pytest.raises(ValueError, match="repeats features"):
        exp[:, list(range(X.shape[1])) + [0]]


def test_estimate_precision_says_the_features_were_reordered(explained):
    X, _ = explained
    from sklearn.tree import DecisionTreeClassifier

    X6, y = X, (X.iloc[:, 0] > X.iloc[:, 0].median()).astype(int)
    ex = AnchorTabularExplainer(DecisionTreeClassifier(max_depth=2, random_state=0).fit(X6, y), random_state=0).fit(X6)
    e = ex.explain(X6.iloc[:2])
    np.testing.assert_array_equal(ex.estimate_precision(X6.iloc[:2], e), ex.estimate_precision(X6.iloc[:2]))
    with pytest.raises(ValueError, match="features were indexed or reordered"):
        ex.estimate_precision(X6.iloc[:2], e[:, list(X6.columns[::-1])])


def test_metrics_match_an_anchor_explanations_features_by_name(explained):
    from sklearn.tree import DecisionTreeClassifier

    from skxai.metrics import deletion_auc

    X, _ = explained
    y = (X.iloc[:, 0] + X.iloc[:, 2] > (X.iloc[:, 0] + X.iloc[:, 2]).median()).astype(int)
    ex = AnchorTabularExplainer(DecisionTreeClassifier(max_depth=3, random_state=0).fit(X, y), random_state=0).fit(X)
    rows = X.iloc[:5]
    exp = ex.explain(rows)
    whole = deletion_auc(ex, rows, attributions=exp)
    np.testing.assert_array_equal(deletion_auc(ex, rows, attributions=exp[:, list(X.columns[::-1])]), whole)
