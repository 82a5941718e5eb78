"""Explanation indexing and ``skxai.explain`` on inputs their first tests did not try."""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_array_equal
from sklearn.compose import make_column_transformer
from sklearn.decomposition import PCA
from sklearn.linear_model import Ridge
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder

import skxai
from skxai import Explanation


@pytest.fixture
def frame():
    rng = np.random.RandomState(0)
    X = pd.DataFrame({"a": rng.normal(size=60), "b": rng.normal(size=60), "c": rng.choice(["x", "y", "z"], 60)})
    return X, X["a"] * 2 + (X["c"] == "y")


def test_explain_names_features_after_a_nested_pipelines_own_steps(frame):
    # the explainer sits in an inner pipeline after a PCA with as many components as the outer
    # steps have outputs: its features are the components, not the one-hot columns
    X, y = frame
    ct = make_column_transformer((OneHotEncoder(sparse_output=False), ["c"]), remainder="passthrough")
    inner = make_pipeline(PCA(5), skxai.ExactShapleyExplainer(Ridge()))
    pipe = make_pipeline(ct, inner).fit(X, y)
    exp = skxai.explain(pipe, X.iloc[:2])
    assert list(exp.feature_names) == [f"pca{i}" for i in range(5)]
    Xt = inner[0].transform(ct.transform(X.iloc[:2]))
    assert_array_equal(exp.values, inner[-1].explain(Xt).values)
    # the outer steps' names still reach an inner explainer that keeps its inputs' columns
    kept = make_pipeline(ct, make_pipeline(skxai.ExactShapleyExplainer(Ridge()))).fit(X, y)
    assert list(skxai.explain(kept, X.iloc[:2]).feature_names) == list(ct.get_feature_names_out())


def test_explain_through_a_pipeline_of_passthrough_steps():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 2))
    y = X @ [1.0, -2.0]
    pipe = Pipeline([("pt", "passthrough"), ("ex", skxai.ExactShapleyExplainer(Ridge()))]).fit(X, y)
    exp = skxai.explain(pipe, X[:2])
    assert list(exp.feature_names) == list(pipe[-1].explain(X[:2]).feature_names)
    assert_array_equal(exp.values, pipe[-1].explain(X[:2]).values)


def test_names_as_an_array_or_index_pick_features_and_outputs():
    v = np.arange(4 * 3 * 2.0).reshape(4, 3, 2)
    data = pd.DataFrame(np.arange(12.0).reshape(4, 3), columns=["a", "b", "c"])
    exp = Explanation(v, data=data, std=v / 10, feature_names=["a", "b", "c"], output_names=["n", "y"],
                      output_axis=-1, target_index=1)
    for key in (np.array(["c", "a"]), pd.Index(["c", "a"]), np.array(["c", "a"], dtype=object)):
        sub = exp[:, key]
        assert_array_equal(sub.values, v[:, [2, 0]])
        assert_array_equal(sub.std, v[:, [2, 0]] / 10)
        assert list(sub.feature_names) == ["c", "a"]
        assert list(sub.data.columns) == ["c", "a"]
    assert_array_equal(exp[..., np.array(["y"])].values, v[..., [1]])
    assert_array_equal(exp[:, pd.Index(["b"]), pd.Index(["y", "n"])].values, v[:, [1]][..., [1, 0]])


def test_notebook_view_of_one_sample_one_feature_or_one_image():
    v = np.arange(4 * 3 * 2.0).reshape(4, 3, 2)
    exp = Explanation(v, base_values=np.zeros((4, 2)), feature_names=["a", "b", "c"], output_names=["n", "y"],
                      output_axis=-1, target_index=1, outputs=np.ones((4, 2)))
    # one sample: a table of one row of three features, not "3 input(s) of shape ()"
    row = exp[2]._repr_html_()
    assert "of 1 sample(s) x 3 feature(s)" in row and "<th>c</th>" in row
    # one feature of every sample, one cell: tables too (the cell raised IndexError)
    assert "of 4 sample(s) x 1 feature(s)" in exp[:, "b"]._repr_html_()
    assert "of 1 sample(s) x 1 feature(s)" in exp[2, "b"]._repr_html_()
    assert "of 1 sample(s) x 1 feature(s)" in exp[2, "b", "y"]._repr_html_()
    # one image (H, W): a picture's summary, not a table of H rows and W features
    image = Explanation(np.ones((2, 5, 6)))[0]._repr_html_()
    assert "<table" not in image and "1 input(s) of shape (5, 6)" in image
    # the standard errors still show on hover for one sample
    withstd = Explanation(v, base_values=np.zeros((4, 2)), std=v / 100, feature_names=["a", "b", "c"],
                          output_axis=-1, target_index=1)
    assert "title=\"±0.05 (std)\"" in withstd[0]._repr_html_()
