"""``Explanation`` indexes as numpy does on each axis, or says clearly why it cannot.

Real explanations (KernelSHAP of a logistic regression on the wine data) are sliced and
compared with their ``values`` indexed by numpy.
"""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_array_equal
from sklearn.datasets import load_wine
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression

from skxai import Explanation, KernelShapExplainer


@pytest.fixture(scope="module")
def wine():
    data = load_wine(as_frame=True)
    X = data.data.iloc[:, :5]
    model = LogisticRegression(max_iter=5000).fit(X, data.target_names[data.target])
    ex = KernelShapExplainer(FrozenEstimator(model), n_samples=20, max_background=10, random_state=0).fit(X)
    # as many samples as features: no field may be told apart from another by its length
    return ex.explain(X.iloc[[0, 70, 140, 1, 71]])


def _same(sub, exp, samples, features, outputs):
    one = isinstance(samples, int | np.integer)
    for got, full in ((sub.values, exp.values), (sub.std, exp.std)):
        want = full[samples][features] if one else full[samples][:, features]
        assert_array_equal(got, want[..., outputs])
    assert_array_equal(sub.base_values, exp.base_values[samples][..., outputs])
    assert_array_equal(sub.outputs, exp.outputs[samples][..., outputs])
    assert_array_equal(np.asarray(sub.data), np.asarray(exp.data)[samples][..., features])
    assert_array_equal(np.atleast_1d(sub.feature_names), np.atleast_1d(exp.feature_names[features]))
    assert_array_equal(np.atleast_1d(sub.output_names), np.atleast_1d(exp.output_names[outputs]))


def test_label_slices_keep_both_named_ends(wine):
    exp = wine
    names = list(exp.feature_names)
    sub = exp[:, names[1]:names[3]]
    _same(sub, exp, slice(None), slice(1, 4), slice(None))
    _same(exp[:, names[2]:], exp, slice(None), slice(2, None), slice(None))
    _same(exp[:, :names[1]], exp, slice(None), slice(0, 2), slice(None))
    _same(exp[:, names[3]:names[0]:-1], exp, slice(None), [3, 2, 1, 0], slice(None))
    _same(exp[:, names[3]::-2], exp, slice(None), [3, 1], slice(None))
    outs = list(exp.output_names)
    _same(exp[:, :, outs[1]:outs[2]], exp, slice(None), slice(None), slice(1, 3))
    with pytest.raises(IndexError, match="names .or None. at both ends"):
        exp[:, names[0]:3]
    with pytest.raises(KeyError, match="unknown feature 'nope'"):
        exp[:, "nope":]
    with pytest.raises(IndexError, match="slice bounds must be integers"):
        exp[0.5:]


def test_numpy_integers_arrays_and_negative_steps_index_as_numpy(wine):
    exp = wine
    _same(exp[::-1], exp, slice(None, None, -1), slice(None), slice(None))
    _same(exp[4:0:-2, ::-1, ::-1], exp, slice(4, 0, -2), slice(None, None, -1), slice(None, None, -1))
    _same(exp[np.array([3, -1]), np.array([4, 0])], exp, [3, -1], [4, 0], slice(None))
    _same(exp[pd.Index([2, 0]), :, pd.Series([True, False, True])], exp, [2, 0], slice(None), [0, 2])
    _same(exp[np.int32(2)], exp, 2, slice(None), slice(None))
    _same(exp[[]], exp, np.array([], dtype=int), slice(None), slice(None))
    # a 0-d integer array is the integer it holds: the sample axis is dropped everywhere
    one = exp[np.array(2)]
    _same(one, exp, 2, slice(None), slice(None))
    assert not one._has_samples()
    assert_array_equal(one.target_values, exp.target_values[2])
    assert_array_equal(exp[np.array(2), np.array(1)].values, exp.values[2, 1])


def test_indices_numpy_would_read_otherwise_are_refused_with_the_axis_named(wine):
    exp = wine
    with pytest.raises(IndexError, match="boolean feature index has 2 entries for 5 features"):
        exp[:, [True, False]]
    with pytest.raises(IndexError, match="boolean sample index has 4 entries for 5 samples"):
        exp[np.array([True, False, True, True])]
    with pytest.raises(IndexError, match="boolean output index has 2 entries for 3 outputs"):
        exp[..., [True, False]]
    with pytest.raises(IndexError, match="sample index 7 is out of range for an axis of 5 samples"):
        exp[[0, 7]]
    with pytest.raises(IndexError, match="feature index -6 is out of range"):
        exp[:, np.array([-6])]
    with pytest.raises(IndexError, match="output index 3 is out of range"):
        exp[:, :, 3]
    with pytest.raises(IndexError, match="boolean scalar"):
        exp[True]
    with pytest.raises(IndexError, match="np.newaxis"):
        exp[:, None]
    with pytest.raises(IndexError, match="must be 1-D"):
        exp[np.array([[0, 1], [2, 3]])]
    with pytest.raises(IndexError, match="must be 1-D"):
        exp[exp.values[..., 0] > 0]
    with pytest.raises(IndexError, match="indices must be integers"):
        exp[:, [0.0, 1.0]]
    with pytest.raises(IndexError, match="too many indices"):
        exp[0, 1, 2][0]
    with pytest.raises(KeyError, match=r"samples have no names: pick the feature 'ash' with exp\[:, 'ash'\]"):
        exp["ash"]


def test_tensor_indices_index_as_their_numbers(wine):
    torch = pytest.importorskip("torch")
    exp = wine
    _same(exp[torch.tensor(3)], exp, 3, slice(None), slice(None))
    _same(exp[:, torch.tensor([4, 1])], exp, slice(None), [4, 1], slice(None))
    _same(exp[torch.tensor([True, False, True, False, False])], exp, [0, 2], slice(None), slice(None))
    with pytest.raises(IndexError, match="boolean scalar"):
        exp[torch.tensor(True)]  # not sample 1


def test_lists_on_several_axes_pick_every_combination(wine):
    exp = wine
    sub = exp[[0, 1], [2, 3]]
    assert sub.values.shape == (2, 2, 3)
    assert_array_equal(sub.values, exp.values[np.ix_([0, 1], [2, 3])])


def test_a_duplicated_name_is_refused_not_read_as_its_first_position():
    v = np.arange(2 * 3 * 2.0).reshape(2, 3, 2)
    exp = Explanation(v, feature_names=["a", "b", "a"], output_names=["y", "y"], output_axis=-1, target_index=0)
    with pytest.raises(KeyError, match=r"feature name 'a' is not unique: .* positions \[0, 2\]"):
        exp[:, "a"]
    with pytest.raises(KeyError, match="not unique"):
        exp[:, ["b", "a"]]
    with pytest.raises(KeyError, match="output name 'y' is not unique"):
        exp[..., "y"]
    # unique names and positions still pick
    assert_array_equal(exp[:, "b"].values, v[:, 1])
    assert_array_equal(exp[:, 2, 1].values, v[:, 2, 1])


def test_integer_names_are_not_positions_and_the_error_says_so():
    v = np.arange(2 * 3.0).reshape(2, 3)
    exp = Explanation(v, feature_names=[10, 20, 30])
    assert_array_equal(exp[:, "20"].values, v[:, 1])
    assert_array_equal(exp[:, 2].values, v[:, 2])
    with pytest.raises(IndexError, match="pass its name as a string: '20'"):
        exp[:, 20]
