"""Findings of a workflow audit: sparse rows, output names, CAM layers, unconverted probabilities."""

import re
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import load_iris
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

from skxai import ExactShapleyExplainer, KernelShapExplainer, LimeExplainer, ShapleySamplingExplainer
from skxai.utils import _memory


def _sparse_problem():
    X = sp.random(60, 6, density=0.4, format="csr", random_state=0)
    y = (X.sum(axis=1).A1 > 0.6).astype(int)
    return X, y, LogisticRegression().fit(X, y)


@pytest.mark.parametrize(
    "make",
    [
        lambda m: KernelShapExplainer(m, n_samples=40, random_state=0),
        lambda m: LimeExplainer(m, n_samples=200, random_state=0),
        lambda m: ShapleySamplingExplainer(m, n_permutations=4, random_state=0),
        lambda m: ExactShapleyExplainer(m),
    ],
)
def test_sparse_rows_are_explained_as_their_dense_copy(make):
    # a model that takes sparse rows (OneHotEncoder's default output) takes them dense too: the
    # perturbation explainers refused them with scikit-learn's bare "dense data is required"
    X, _, model = _sparse_problem()
    dense = X.toarray()
    from_sparse = make(model).fit(X).transform(X[:5])
    from_dense = make(model).fit(dense).transform(dense[:5])
    np.testing.assert_array_equal(from_sparse, from_dense)
    assert make(model).fit(X).transform(sp.csc_matrix(X[:5])).shape == (5, 6)


def test_a_sparse_one_hot_pipeline_is_explained():
    rng = np.random.RandomState(0)
    colours = rng.choice(["red", "green", "blue"], 80).reshape(-1, 1)
    y = (colours[:, 0] == "red").astype(int)
    rows = OneHotEncoder().fit_transform(colours)
    assert sp.issparse(rows)
    model = LogisticRegression().fit(rows, y)
    explain = Pipeline([("encode", OneHotEncoder()), ("explain", KernelShapExplainer(model, n_samples=8))])
    values = explain.fit(colours).transform(colours[:4])
    # exact at this budget (2**3 coalitions): efficiency against the model's own outputs
    out = model.predict_proba(rows[:4].toarray())[:, 1]
    base = model.predict_proba(rows.toarray())[:, 1].mean()
    np.testing.assert_allclose(values.sum(axis=1), out - base, atol=1e-12)


def test_a_sparse_matrix_beyond_the_working_memory_is_refused_before_its_copy(monkeypatch):
    X, _, model = _sparse_problem()
    monkeypatch.setattr(_memory, "MAX_WORKING_BYTES", 8 * 6 * 59)
    with pytest.raises(ValueError, match=r"sparse matrix of shape \(60, 6\).*pass fewer rows"):
        KernelShapExplainer(model, n_samples=40).fit(X)


def test_a_bare_class_of_a_multi_output_classifier_is_pointed_to_its_output_name():
    X, y = load_iris(return_X_y=True)
    Y = np.c_[np.array(["s", "ve", "vi"])[y], np.where(X[:, 0] > 5.8, "big", "small")]
    forest = RandomForestClassifier(5, random_state=0).fit(X, Y)
    from skxai import TreeShapExplainer

    with pytest.raises(ValueError, match=re.escape("nor an output name")) as err:
        TreeShapExplainer(forest, target="big").fit(X).transform(X[:2])
    assert "'y1=small'" in str(err.value) and "Did you mean 'y1=big'?" in str(err.value)
    ok = TreeShapExplainer(forest, target="y1=big").fit(X).transform(X[:2])
    assert ok.shape == (2, 4)


def test_sgd_modified_huber_probabilities_are_named_as_unconverted():
    pytest.importorskip("torch")
    from skxai.gradient import GradientExplainer

    X, y = load_iris(return_X_y=True)
    huber = SGDClassifier(loss="modified_huber", random_state=0).fit(X, y)
    with pytest.warns(UserWarning, match="SGDClassifier's predict_proba is neither a softmax"):
        ex = GradientExplainer(huber).fit(X)
    assert ex.quantity_ == "logit"
    with pytest.raises(ValueError, match="neither a softmax nor a one-vs-rest sigmoid"):
        GradientExplainer(huber, response_method="predict_proba").fit(X)
    # a classifier without probabilities keeps its own message, and no warning under "auto"
    hinge = SGDClassifier(random_state=0).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        GradientExplainer(hinge).fit(X)
    with pytest.raises(ValueError, match="has no probability output"):
        GradientExplainer(hinge, response_method="predict_proba").fit(X)


@pytest.mark.parametrize("layer, reason", [("4", "a CAM needs a feature map"), ("2", "one position per channel")])
def test_a_cam_layer_that_gives_no_map_is_refused_at_fit(layer, reason):
    torch = pytest.importorskip("torch")
    from torch import nn

    from skxai.cam import GradCamExplainer, ScoreCamExplainer

    torch.manual_seed(0)
    net = nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 3)
    )
    net.train()
    X = torch.randn(3, 1, 8, 8)
    for make in (GradCamExplainer, ScoreCamExplainer):
        with pytest.raises(ValueError, match=reason):
            make(net, target_layer=layer).fit(X)
        assert net.training and all(p.requires_grad for p in net.parameters())
        assert not any(m._forward_hooks for m in net.modules())
    assert GradCamExplainer(net, target_layer="1").fit(X).transform(X).shape == (3, 8, 8)
