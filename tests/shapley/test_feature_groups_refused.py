"""feature_groups an outside audit found accepted (session 30): an empty group became a player
of no column named '' (LIME gave it 5% of the largest weight), a boolean member was read as a
column index (True as column 1), and dict keys that print alike named two players '1'."""

import numpy as np
import pytest
from sklearn.linear_model import Ridge

from skxai import ExactShapleyExplainer, KernelShapExplainer, LimeExplainer, ShapleySamplingExplainer

X = np.random.RandomState(0).normal(size=(40, 3))
MODEL = Ridge().fit(X, X @ [1.0, 2.0, 3.0])
EXPLAINERS = [ExactShapleyExplainer, KernelShapExplainer, ShapleySamplingExplainer, LimeExplainer]


@pytest.mark.parametrize("cls", EXPLAINERS)
@pytest.mark.parametrize(
    "groups, message",
    [
        ([[0], [], [1], [2]], "group 1 holds no column"),
        ({"a": [0], "none": [], "b": [1, 2]}, "group 'none' holds no column"),
        ([[True, False], [2]], "holds the boolean True"),
        ([[np.bool_(False)], [1, 2]], "holds the boolean False"),
        ({1: [0], "1": [1, 2]}, r"several groups the name \['1'\]"),
    ],
)
def test_groups_that_name_no_player_or_the_same_one_twice_are_refused(cls, groups, message):
    with pytest.raises(ValueError, match=message):
        cls(MODEL, feature_groups=groups).fit(X)


@pytest.mark.parametrize("groups", [[[0], [1, 2]], [np.array([0, 1]), np.int64(2)], {"a": (0,), "b": [1, 2]}])
def test_groups_of_indices_still_work(groups):
    ex = ExactShapleyExplainer(MODEL, feature_groups=groups).fit(X)
    values = ex.transform(X[:3])
    np.testing.assert_allclose(values.sum(axis=1), MODEL.predict(X[:3]) - ex.expected_value_[0], atol=1e-10)


def test_groups_whose_names_from_their_columns_coincide_are_accepted():
    # ["a+b", "c"] and ["a", "b+c"] are both named "a+b+c": told apart by position, as before
    import pandas as pd

    frame = pd.DataFrame(np.random.RandomState(0).normal(size=(40, 4)), columns=["a+b", "c", "a", "b+c"])
    model = Ridge().fit(frame, frame.to_numpy() @ [1.0, 2.0, 3.0, 4.0])
    ex = ExactShapleyExplainer(model, feature_groups=[["a+b", "c"], ["a", "b+c"]]).fit(frame)
    assert list(ex.feature_names_out_) == ["a+b+c", "a+b+c"]
