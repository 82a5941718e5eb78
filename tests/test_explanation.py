"""``Explanation`` indexes like shap's; ``target_values`` / ``target_base_values`` are attributes."""

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import load_iris
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression

from skxai import Explanation, KernelShapExplainer


@pytest.fixture(scope="module")
def iris():
    data = load_iris(as_frame=True)
    X = data.data.rename(columns=lambda c: c.replace(" (cm)", "").replace(" ", "_"))
    model = LogisticRegression(max_iter=500).fit(X, data.target_names[data.target])
    ex = KernelShapExplainer(FrozenEstimator(model), n_samples=10, max_background=20, random_state=0).fit(X)
    exp = ex.explain(X.iloc[[0, 60, 120, 1, 70]])
    return X, model, ex, exp


def test_integer_drops_the_sample_axis(iris):
    X, model, ex, exp = iris
    n, p, k = exp.values.shape
    assert (n, p, k) == (5, 4, 3)
    one = exp[1]
    assert one.values.shape == (p, k)
    assert_array_equal(one.values, exp.values[1])
    assert_array_equal(one.base_values, exp.base_values[1])
    assert_array_equal(one.outputs, exp.outputs[1])
    assert_array_equal(one.std, exp.std[1])
    assert isinstance(one.data, pd.Series) and one.data.name == X.index[60]
    assert_array_equal(one.data.to_numpy(), X.iloc[60].to_numpy())
    assert list(one.feature_names) == list(X.columns)
    assert list(one.output_names) == ["setosa", "versicolor", "virginica"]
    # the explained output of sample 1 (predicted class) without the sample axis
    pred = model.predict_proba(X.iloc[[60]])[0].argmax()
    assert_allclose(one.target_values, exp.values[1, :, pred])
    assert one.target_base_values == pytest.approx(exp.base_values[1, pred])
    assert_allclose(exp[-1].values, exp.values[-1])
    with pytest.raises(IndexError, match="out of range"):
        exp[5]


def test_features_by_name_or_index(iris):
    X, _, _, exp = iris
    col = exp[:, "petal_length"]
    assert col.values.shape == (5, 3)
    assert_array_equal(col.values, exp.values[:, 2])
    assert_array_equal(col.std, exp.std[:, 2])
    assert_array_equal(col.data.to_numpy(), X.iloc[[0, 60, 120, 1, 70], 2].to_numpy())
    assert col.feature_names == "petal_length"
    assert_array_equal(exp[:, 2].values, col.values)
    two = exp[:, ["sepal_width", "petal_width"]]
    assert two.values.shape == (5, 2, 3)
    assert list(two.feature_names) == ["sepal_width", "petal_width"]
    assert list(two.data.columns) == ["sepal_width", "petal_width"]
    assert_array_equal(two.values, exp.values[:, [1, 3]])
    # base values and outputs do not have a feature axis
    assert_array_equal(two.base_values, exp.base_values)
    assert_array_equal(exp[:, 1:3].values, exp.values[:, 1:3])
    mask = np.array([True, False, False, True])
    assert_array_equal(exp[:, mask].values, exp.values[:, mask])
    assert list(exp[:, mask].feature_names) == ["sepal_length", "petal_width"]
    with pytest.raises(KeyError, match="unknown feature 'age'"):
        exp[:, "age"]


def test_outputs_by_name_or_index(iris):
    _, model, _, exp = iris
    s = exp[:, :, "virginica"]
    assert s.values.shape == (5, 4)
    assert_array_equal(s.values, exp.values[:, :, 2])
    assert_array_equal(s.base_values, exp.base_values[:, 2])
    assert_array_equal(s.outputs, exp.outputs[:, 2])
    assert_array_equal(s.std, exp.std[:, :, 2])
    assert s.output_names == "virginica"
    # one output left: it is the explained one
    assert_array_equal(s.target_values, s.values)
    assert_array_equal(s.target_base_values, s.base_values)
    assert_array_equal(exp[:, :, 1].values, exp.values[:, :, 1])
    # efficiency still holds output by output
    assert_allclose(s.values.sum(1) + s.base_values, model.predict_proba(exp.data)[:, 2], atol=1e-10)
    # several outputs: the predicted class is kept per sample when present
    two = exp[:, :, ["versicolor", "virginica"]]
    assert two.values.shape == (5, 4, 2)
    pred = model.predict_proba(exp.data).argmax(1)
    keep = pred > 0
    assert two[keep].target_index is None  # some samples' explained output was cut away
    sub = exp[keep, :, ["versicolor", "virginica"]]
    assert_allclose(sub.target_values, exp.values[keep][np.arange(keep.sum()), :, pred[keep]])
    # an output mask, and everything at once
    assert_array_equal(exp[:, :, [True, False, True]].values, exp.values[:, :, [0, 2]])
    assert exp[2, "sepal_width", "setosa"].values == exp.values[2, 1, 0]
    assert_array_equal(exp[..., "setosa"].values, exp.values[..., 0])
    assert_array_equal(exp[0, :, 1].values, exp.values[0, :, 1])
    assert exp[0, :, 1].base_values == exp.base_values[0, 1]
    with pytest.raises(KeyError, match="unknown output"):
        exp[:, :, "rose"]
    with pytest.raises(IndexError, match="too many indices"):
        exp[:, :, :, 0]


def test_masks_slices_and_extras_keep_axes(iris):
    _, _, _, exp = iris
    mask = np.array([True, False, True, False, True])
    for key in (mask, list(mask), slice(0, 5, 2), [0, 2, 4]):
        sub = exp[key]
        assert sub.values.shape == (3, 4, 3)
        assert_array_equal(sub.values, exp.values[[0, 2, 4]])
        assert_array_equal(sub.base_values, exp.base_values[[0, 2, 4]])
        assert list(sub.data.index) == list(exp.data.index[[0, 2, 4]])
        assert len(sub) == 3
    e = Explanation(np.arange(24.0).reshape(4, 3, 2), base_values=np.zeros((4, 2)),
                    feature_names=["a", "b", "c"], output_names=["n", "y"], output_axis=-1,
                    target_index="predicted", outputs=np.array([[0, 1], [1, 0], [0, 1], [1, 0.0]]),
                    words=[["w0"], ["w1"], ["w2"], ["w3"]], delta=np.arange(4.0), quantity="probability")
    assert e[2].words == ["w2"] and e[2].delta == 2.0 and e[2].quantity == "probability"
    assert e[[1, 3]].words == [["w1"], ["w3"]]
    assert_array_equal(e.target_values, np.stack([e.values[0, :, 1], e.values[1, :, 0],
                                                  e.values[2, :, 1], e.values[3, :, 0]]))
    assert_array_equal(e[1:3].target_values, e.target_values[1:3])
    assert_array_equal(e[3].target_values, e.values[3, :, 0])
    assert_array_equal(pickle.loads(pickle.dumps(e[1:])).values, e.values[1:])


def test_target_values_are_attributes_and_the_call_form_warns(iris):
    _, _, ex, exp = iris
    tv = exp.target_values
    assert isinstance(tv, np.ndarray) and tv.shape == (5, 4)
    assert_allclose(tv, ex.transform(exp.data))
    with pytest.warns(FutureWarning, match="attributes"):
        called = exp.target_values()
    assert_array_equal(called, tv)
    with pytest.warns(FutureWarning):
        assert_array_equal(exp.target_base_values(), exp.target_base_values)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        doubled = tv * 2  # arithmetic results are plain arrays
        assert type(doubled) is np.ndarray
        assert isinstance(tv.sum(), float)
    unsure = Explanation(np.ones((2, 3, 2)), output_axis=-1)
    with pytest.raises(ValueError, match="which output"):
        _ = unsure.target_values


def test_image_explanations_without_an_output_axis():
    torch = pytest.importorskip("torch")
    from skxai import GradCamExplainer, GradientExplainer

    g = torch.Generator().manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Conv2d(2, 3, 3, padding=1), torch.nn.ReLU(),
                              torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(), torch.nn.Linear(3, 2)).double()
    with torch.no_grad():
        for p in net.parameters():
            p.copy_(torch.randn(p.shape, generator=g, dtype=torch.float64))
    X = np.random.RandomState(0).normal(size=(4, 2, 6, 6))
    cam = GradCamExplainer(net, target_layer="1").fit(X).explain(X)
    one = cam[2]
    assert one.values.shape == cam.values.shape[1:]
    assert_array_equal(one.values, cam.values[2])
    assert_array_equal(one.weights, cam.weights[2])
    assert_array_equal(one.raw_map, cam.raw_map[2])
    assert_array_equal(one.data, X[2])
    assert one.targets == cam.targets[2]
    assert_array_equal(one.target_values, cam.values[2])
    assert_array_equal(cam[1:3].values, cam.values[1:3])
    grad = GradientExplainer(net, target=1).fit(X).explain(X)
    # values shaped like the input: a channel index picks the channel in data too
    ch = grad[:, 1]
    assert_array_equal(ch.values, grad.values[:, 1])
    assert_array_equal(ch.data, X[:, 1])
    assert_array_equal(grad[0, 1, 2:4].values, grad.values[0, 1, 2:4])


def test_text_explanations_index_by_document():
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.pipeline import make_pipeline

    from skxai import LimeTextExplainer

    docs = ["good film", "bad film", "good plot and good cast", "bad bad acting", "fine film"] * 4
    y = np.array([1, 0, 1, 0, 1] * 4)
    model = make_pipeline(CountVectorizer(), LogisticRegression()).fit(docs, y)
    exp = LimeTextExplainer(model, n_samples=50, random_state=0).fit(docs).explain(docs[:3])
    one = exp[2]
    assert one.data == docs[2]
    assert_array_equal(one.values, exp.values[2])
    assert len(one.values) == len(one.tokens) == 5
    assert one.words == exp.words[2]
    sub = exp[[0, 2]]
    assert sub.data == [docs[0], docs[2]] and len(sub.values) == 2
    assert_array_equal(one.values[1:3], exp[2][1:3].values)
    with pytest.raises(IndexError, match="too many indices"):
        exp[:, 0]


def test_unnamed_tabular_features_slice_data_too():
    values = np.arange(24.0).reshape(2, 4, 3)
    data = np.arange(8.0).reshape(2, 4)
    e = Explanation(values, data=data, output_axis=-1, target_index=0)
    assert_array_equal(e[:, 1:3].data, data[:, 1:3])
    assert_array_equal(e[:, 1:3].values, values[:, 1:3])
    assert_array_equal(e[1, 2].data, data[1, 2])
    assert_array_equal(e[:, 2].target_values, values[:, 2, 0])
    with pytest.raises(KeyError, match="no feature names"):
        e[:, "age"]


def test_tensor_data_is_indexed_with_the_samples():
    # torch explainers keep the user's tensor as data: it must follow the sample index
    torch = pytest.importorskip("torch")
    X = torch.arange(4 * 2 * 3, dtype=torch.float32).reshape(4, 2, 3)
    exp = Explanation(np.ones((4, 2, 3)), base_values=np.zeros(4), data=X)
    assert_array_equal(exp[2].data.numpy(), X[2].numpy())
    assert_array_equal(exp[1:3].data.numpy(), X[1:3].numpy())
    assert_array_equal(exp[[3, 0]].data.numpy(), X[[3, 0]].numpy())
    mask = np.array([True, False, True, False])
    assert_array_equal(exp[mask].data.numpy(), X[[0, 2]].numpy())
    assert_array_equal(exp[[True, False, False, True]].data.numpy(), X[[0, 3]].numpy())
    # values shaped like the input: an axis index picks the same entries of a tensor's data
    exp = Explanation(np.ones((4, 2, 3)), base_values=np.zeros(4), data=X)
    assert_array_equal(exp[:, 1].data.numpy(), X[:, 1].numpy())
    assert_array_equal(exp[:, :, [True, False, True]].data.numpy(), X[:, :, [0, 2]].numpy())
    assert_array_equal(exp[0, :, 1:].data.numpy(), X[0, :, 1:].numpy())


def test_no_target_error_shows_an_index_that_picks_an_output():
    # image heatmaps (n, H, W, k): exp[:, :, o] would pick a pixel column, not an output
    exp = Explanation(np.arange(2 * 3 * 4 * 2.0).reshape(2, 3, 4, 2), output_axis=-1, output_names=["a", "b"])
    with pytest.raises(ValueError, match=r"pick one with exp\[\.\.\., name_or_index\]"):
        _ = exp.target_values
    assert_array_equal(exp[..., "b"].target_values, exp.values[..., 1])


def test_explain_through_a_pipeline_names_features_after_its_steps():
    """A ColumnTransformer hands the explainer plain arrays: the explanation takes the steps'
    output names (get_feature_names_out), not x0, x1, ..."""
    import numpy as np
    from sklearn.compose import make_column_transformer
    from sklearn.datasets import load_diabetes
    from sklearn.linear_model import Ridge
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    import skxai

    X, y = load_diabetes(return_X_y=True, as_frame=True)
    X = X.iloc[:, :4]
    steps = make_column_transformer((StandardScaler(), ["age", "bmi"]), remainder="passthrough")
    pipe = make_pipeline(steps, skxai.ExactShapleyExplainer(Ridge())).fit(X, y)
    exp = skxai.explain(pipe, X.iloc[:3])
    assert list(exp.feature_names) == list(pipe[:-1].get_feature_names_out())
    assert exp[:, "standardscaler__bmi"].values.shape == (3, 1)
    # an explainer fitted on named columns keeps its own names
    named = make_pipeline(skxai.ExactShapleyExplainer(Ridge())).fit(X, y)
    assert list(skxai.explain(named, X.iloc[:3]).feature_names) == list(X.columns)
    np.testing.assert_array_equal(skxai.explain(pipe, X.iloc[:3]).values, exp.values)


def test_an_output_index_that_drops_the_explained_output_says_so():
    import numpy as np
    import pytest

    from skxai import Explanation

    values = np.arange(3 * 2 * 3, dtype=float).reshape(3, 2, 3)
    outputs = np.array([[0.9, 0.05, 0.05], [0.1, 0.8, 0.1], [0.1, 0.1, 0.8]])  # predicted 0, 1, 2
    exp = Explanation(values, base_values=np.zeros((3, 3)), outputs=outputs, target_index="predicted",
                      output_axis=-1)
    assert exp[..., [0, 1, 2]].target_values.shape == (3, 2)
    with pytest.raises(ValueError, match="removed the explained output"):
        _ = exp[..., [0, 1]].target_values
