"""A tabular anchor's examples (background rows that keep or break it) are cut with the features,
as its data are (session 35; left by session 34's note, and failing on the code before)."""

from __future__ import annotations

import numpy as np
from sklearn.datasets import load_iris
from sklearn.ensemble import RandomForestClassifier

from skxai import AnchorTabularExplainer


def test_examples_follow_a_feature_index():
    X, y = load_iris(return_X_y=True, as_frame=True)
    model = RandomForestClassifier(n_estimators=10, random_state=0).fit(X, y)
    exp = AnchorTabularExplainer(model, random_state=0).fit(X).explain(X.iloc[:3])
    # the anchors' features, reordered, and one feature left out (an anchored one may not be:
    # session 38)
    used = sorted({j for feats in exp.anchor_features for j in feats})
    assert len(used) < 4
    cols = used[::-1]
    names = [str(X.columns[j]) for j in cols]
    cut = exp[:, names]
    for field in ("examples_held", "examples_failed"):
        for full, part in zip(exp.extras[field], cut.extras[field], strict=True):
            np.testing.assert_array_equal(np.asarray(part), np.asarray(full)[..., cols])
    one = exp[0][names]
    np.testing.assert_array_equal(one.extras["examples_held"], np.asarray(exp.extras["examples_held"][0])[:, cols])
    np.testing.assert_array_equal(np.asarray(one.data), X.iloc[0][names].to_numpy())
