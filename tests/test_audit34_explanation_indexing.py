"""Explanation indexing keeps its fields aligned (audit34n)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from sklearn.datasets import load_diabetes, load_iris  # noqa: E402
from sklearn.linear_model import LogisticRegression, Ridge  # noqa: E402

from skxai import ExactShapleyExplainer, Explanation  # noqa: E402
from skxai.plot import BarDisplay, ForceDisplay, WaterfallDisplay  # noqa: E402


def test_tensor_and_list_data_are_cut_with_the_features():
    # a tensor's columns stayed whole: the waterfall printed x3's name beside x0's value
    torch = pytest.importorskip("torch")
    data = torch.arange(12.0).reshape(3, 4)
    exp = Explanation(np.ones((3, 4)), data=data, feature_names=["a", "b", "c", "d"])
    cut = exp[:, ["d", "a"]]
    np.testing.assert_array_equal(np.asarray(cut.data), [[3, 0], [7, 4], [11, 8]])
    np.testing.assert_array_equal(np.asarray(exp[:, ::-1].data)[0], [3, 2, 1, 0])
    rows = Explanation(np.ones((2, 3)), data=[[1, "x", 3], [4, "y", 6]], feature_names=["p", "q", "r"])
    assert rows[:, [2, 1]].data == [[3, "x"], [6, "y"]]


def test_a_feature_subset_draws_the_rest_as_one_bar():
    # the partial sum was labelled f(x) beside another "model f(x)"
    X, y = load_diabetes(return_X_y=True, as_frame=True)
    exp = ExactShapleyExplainer(Ridge().fit(X, y), feature_groups=None).fit(X[:50]).explain(X[:3])
    sub = exp[:, ["bmi", "s5"]]
    waterfall = WaterfallDisplay.from_explanation(sub, index=1)
    labels = [t.get_text() for t in waterfall.ax_.get_yticklabels()]
    assert "features left out of this explanation" in labels
    np.testing.assert_allclose(waterfall.prediction_, exp.outputs[1, 0], rtol=1e-9)
    rest = exp.values[1, :, 0].sum() - sub.values[1, :, 0].sum()
    np.testing.assert_allclose(sub.extras["left_out"][1, 0], rest, rtol=1e-9)
    # cut again, then by samples: the part follows
    again = sub[:, ["s5"]][1:]
    np.testing.assert_allclose(again.extras["left_out"][0, 0], exp.values[1, :, 0].sum() - exp.values[1, 8, 0])
    force = ForceDisplay.from_explanation(sub, index=1)
    assert any("f(x)" in t.get_text() and "model" not in t.get_text() for t in force.ax_.texts)
    assert not any("model f(x)" in t.get_text() for t in force.ax_.texts)
    plt.close("all")


def test_anchor_feature_positions_follow_a_feature_index():
    from skxai.anchors import AnchorTabularExplainer

    X, y = load_iris(return_X_y=True, as_frame=True)
    clf = LogisticRegression(max_iter=500).fit(X, y)
    exp = AnchorTabularExplainer(clf, random_state=0).fit(X).explain(X.iloc[[0, 120]])
    order = list(X.columns)[::-1]
    cut = exp[:, order]
    for i in range(2):
        named = [str(cut.feature_names[j]) for j in cut.anchor_features[i]]
        original = [str(exp.feature_names[j]) for j in exp.anchor_features[i]]
        assert named == original
        for before, after in zip(exp.candidates[i], cut.candidates[i], strict=True):
            assert [order[j] for j in after["features"]] == [list(X.columns)[j] for j in before["features"]]


def test_empty_selections_are_refused_by_name():
    exp = Explanation(np.ones((3, 2)), base_values=np.zeros(3), feature_names=["a", "b"])
    with pytest.raises(ValueError, match="0 samples"):
        BarDisplay.from_explanation(exp[np.zeros(3, dtype=bool)])
    with pytest.raises(ValueError, match="0 features"):
        BarDisplay.from_explanation(exp[:, np.zeros(2, dtype=bool)])


def test_a_name_given_for_the_samples_of_a_text_explanation():
    # the hint sent users to exp[:, name], which fails where there is no feature axis
    exp = Explanation([np.ones(3)], data=["a b c"], tokens=[["a", "b", "c"]], output_names=["neg", "pos"])
    with pytest.raises(KeyError, match="target='pos'"):
        exp["pos"]
    tabular = Explanation(np.ones((2, 2)), feature_names=["age", "bmi"])
    with pytest.raises(KeyError, match=r"exp\[:, 'age'\]"):
        tabular["age"]


def test_a_cropped_cam_map_is_not_titled_as_the_layer_map_upscaled():
    from skxai.plot import CamDisplay

    maps = np.random.default_rng(0).random((2, 8, 8))
    exp = Explanation(maps, data=np.ones((2, 1, 8, 8)), method="GradCamExplainer", raw_map=np.ones((2, 4, 4)))
    exp._grid_fields = {"data": True}
    assert "4x4 -> 8x8" in CamDisplay.from_explanation(exp, index=0).ax_.get_title()
    crop = CamDisplay.from_explanation(exp[:, 0:4, 0:4], index=0)
    assert "->" not in crop.ax_.get_title()
    plt.close("all")


def test_one_sample_then_features_and_repeated_features():
    # review34c: exp[i][features] crashed the waterfall (the left-out part not batched), and a
    # repeated feature counted its part twice and its left-out part not at all
    X, y = load_diabetes(return_X_y=True, as_frame=True)
    exp = ExactShapleyExplainer(Ridge().fit(X, y)).fit(X[:50]).explain(X[:3])
    one = exp[:, :, 0][1][["bmi", "s5"]]
    waterfall = WaterfallDisplay.from_explanation(one)
    np.testing.assert_allclose(waterfall.prediction_, exp.outputs[1, 0], rtol=1e-9)
    ForceDisplay.from_explanation(one)
    twice = exp[:, ["bmi", "bmi"]]
    np.testing.assert_allclose(
        WaterfallDisplay.from_explanation(twice, index=0).prediction_, exp.outputs[0, 0], rtol=1e-9
    )
    X, y = load_iris(return_X_y=True, as_frame=True)
    multi = ExactShapleyExplainer(LogisticRegression(max_iter=500).fit(X, y)).fit(X[::10]).explain(X[:3])
    for output in (None, 0, 2):
        w = WaterfallDisplay.from_explanation(multi[2][["petal length (cm)"]], output=output)
        k = int(np.argmax(multi.outputs[2])) if output is None else output  # the predicted class by default
        np.testing.assert_allclose(w.prediction_, multi.outputs[2, k], rtol=1e-7, atol=1e-12)
    plt.close("all")


def test_a_name_hint_points_to_an_index_that_works():
    exp = Explanation(np.ones((2, 4, 3)), feature_names=list("pqrs"), output_names=list("abc"), output_axis=-1)
    with pytest.raises(KeyError, match=r"exp\[\.\.\., 'b'\]"):
        exp["b"]
    with pytest.raises(KeyError, match=r"exp\[:, 'q'\]"):
        exp["q"]
