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
    names = ["petal length (cm)", "sepal width (cm)"]
    cut = exp[:, names]
    for field in ("examples_held", "examples_failed"):
        for full, part in zip(exp.extras[field], cut.extras[field], strict=True):
            np.testing.assert_array_equal(np.asarray(part), np.asarray(full)[..., [2, 1]])
    one = exp[0][names]
    np.testing.assert_array_equal(one.extras["examples_held"], np.asarray(exp.extras["examples_held"][0])[:, [2, 1]])
    np.testing.assert_array_equal(np.asarray(one.data), X.iloc[0][names].to_numpy())
