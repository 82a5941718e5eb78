"""An Explanation's names are one per entry of their axis."""

import numpy as np
import pytest

from skxai import Explanation


def test_names_of_the_wrong_number_are_refused_naming_the_axis():
    # the feature axis was read as unnamed: exp[:, 0] cut the values and kept all 4 names
    with pytest.raises(ValueError, match=r"feature_names has 4 names.*3 features on axis 1"):
        Explanation(np.zeros((2, 3, 2)), feature_names=list("abcd"), output_names=["no", "yes"], output_axis=-1)
    with pytest.raises(ValueError, match=r"output_names has 3 names.*2 outputs on axis 2"):
        Explanation(np.zeros((2, 3, 2)), feature_names=list("abc"), output_names=["a", "b", "c"], output_axis=-1)
    exp = Explanation(np.zeros((2, 3, 2)), feature_names=list("abc"), output_names=["no", "yes"], output_axis=-1)
    assert exp[:, 0].feature_names == "a" and exp[:, :, "yes"].output_names == "yes"


def test_tuple_names_of_a_multiindex_frame_stay_one_name_per_feature():
    pd = pytest.importorskip("pandas")
    columns = pd.MultiIndex.from_tuples([("a", 1), ("a", 2), ("b", 1)])
    data = pd.DataFrame(np.arange(6.0).reshape(2, 3), columns=columns)
    exp = Explanation(np.arange(6.0).reshape(2, 3), feature_names=list(columns), data=data)
    assert exp.feature_names.shape == (3,)
    assert exp._axis_kinds() == ["sample", "feature"]
    one = exp[:, 1]
    assert one.feature_names == ("a", 2)
    np.testing.assert_array_equal(one.values, [1.0, 4.0])
    np.testing.assert_array_equal(np.asarray(one.data), [1.0, 4.0])
    assert exp[:, [0, 2]].feature_names.tolist() == [("a", 1), ("b", 1)]


def test_names_of_several_kinds_stay_as_given_and_2d_names_are_refused():
    exp = Explanation(np.zeros((2, 3)), feature_names=[("a", 1), "bc", "d"])
    assert exp.feature_names.tolist() == [("a", 1), "bc", "d"]
    with pytest.raises(ValueError, match=r"Names must be 1-D.*\(3, 2\)"):
        Explanation(np.zeros((2, 3)), feature_names=np.array([["a", "b"], ["c", "d"], ["e", "f"]]))
