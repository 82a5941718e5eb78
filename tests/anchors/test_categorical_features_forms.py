"""AnchorTabularExplainer(categorical_features=...) takes indices, a boolean mask or column names."""

import numpy as np
import pandas as pd
import pytest
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression

from skxai import AnchorTabularExplainer

RS = np.random.RandomState(0)
X = RS.normal(size=(80, 3))
Y = (X[:, 0] > 0).astype(int)
MODEL = FrozenEstimator(LogisticRegression().fit(X, Y))


def _categorical(e):
    return [j for j, edges in enumerate(e.bin_edges_) if edges is None]


@pytest.mark.parametrize(
    "given, data",
    [
        ([0, 2], X),
        ([True, False, True], X),
        (np.array([True, False, True]), X),
        (["a", "c"], pd.DataFrame(X, columns=list("abc"))),
    ],
    ids=["indices", "mask", "mask-array", "names"],
)
def test_every_form_marks_the_same_columns(given, data):
    e = AnchorTabularExplainer(
        MODEL if isinstance(data, np.ndarray) else LogisticRegression(), categorical_features=given, random_state=0
    )
    e.fit(data, None if isinstance(data, np.ndarray) else Y)
    assert _categorical(e) == [0, 2]


@pytest.mark.parametrize(
    "given, match",
    [
        ([True, False], "one entry per feature"),
        (["a"], "column names, but X has none"),
        ([3], "out of range"),
        ([-1], "out of range"),
        ([0.5], "integer indices, booleans or names"),
    ],
)
def test_a_wrong_form_names_the_parameter(given, match):
    with pytest.raises(ValueError, match=match) as info:
        AnchorTabularExplainer(MODEL, categorical_features=given, random_state=0).fit(X)
    assert "categorical_features" in str(info.value)


def test_unknown_names_are_listed():
    with pytest.raises(ValueError, match=r"categorical_features names \['z'\]"):
        AnchorTabularExplainer(LogisticRegression(), categorical_features=["z"], random_state=0).fit(
            pd.DataFrame(X, columns=list("abc")), Y
        )
