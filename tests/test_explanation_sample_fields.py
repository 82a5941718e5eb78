"""Which fields of an ``Explanation`` a sample index cuts is declared, not guessed from lengths.

Every family that records method-specific fields is explained with as many samples as
features (or channels, segments and documents' tokens), where a length cannot tell a
per-sample field from another one.
"""

import pickle
import warnings

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.datasets import load_iris
from sklearn.ensemble import RandomForestClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression

import skxai
from skxai import Explanation


def _taken(v, key, n):
    if isinstance(v, list):
        return v[key] if isinstance(key, int) else [v[i] for i in np.arange(n)[key]]
    return v[key]


def _check_cut(exp):
    """Per-sample extras equal the whole explanation's indexed; the others are kept whole."""
    n = len(exp.values)
    assert set(exp._sample_fields) <= set(exp.extras)
    for key in (1, [n - 1, 0], slice(None, None, -1)):
        sub = exp[key]
        for name, value in exp.extras.items():
            want = _taken(value, key, n) if name in exp._sample_fields else value
            got = sub.extras[name]
            if isinstance(want, np.ndarray):
                assert_array_equal(got, want, err_msg=name)
            else:
                assert repr(got) == repr(want), name


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return X, y, FrozenEstimator(LogisticRegression(max_iter=500).fit(X, y))


@pytest.mark.parametrize("make", [
    lambda m: skxai.KernelShapExplainer(m, n_samples=20, max_background=10, random_state=0),
    lambda m: skxai.ShapleySamplingExplainer(m, max_background=10, random_state=0),
    lambda m: skxai.LimeExplainer(m, n_samples=100, max_background=10, random_state=0),
    lambda m: skxai.AnchorTabularExplainer(m, random_state=0),
], ids=["kernel", "sampling", "lime", "anchors"])
def test_tabular_families_with_as_many_samples_as_features(iris, make):
    X, _, model = iris
    exp = make(model).fit(X).explain(X[[0, 60, 120, 1]])  # 4 samples, 4 features
    _check_cut(exp)
    # a field a user adds afterwards with one entry per feature stays whole
    exp.extras["mean_abs"] = np.abs(np.asarray(exp.values, dtype=float)).mean(axis=0)
    assert_array_equal(exp[2].mean_abs, exp.mean_abs)
    assert_array_equal(exp[1:3][0].mean_abs, exp.mean_abs)


def test_treeshap_with_as_many_samples_as_features(iris):
    X, y, _ = iris
    forest = RandomForestClassifier(5, random_state=0).fit(X, y)
    exp = skxai.TreeShapExplainer(FrozenEstimator(forest)).fit(X).explain(X[[0, 60, 120, 1]])
    assert exp._sample_fields == ()
    _check_cut(exp)


def test_text_families_with_as_many_documents_as_tokens():
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.pipeline import make_pipeline

    docs = ["good film here", "bad film here", "good plot good", "bad bad acting", "fine film ok"] * 4
    y = np.array([1, 0, 1, 0, 1] * 4)
    model = make_pipeline(CountVectorizer(), LogisticRegression()).fit(docs, y)
    for ex in (skxai.LimeTextExplainer(model, n_samples=50, random_state=0),
               skxai.AnchorTextExplainer(model, random_state=0)):
        exp = ex.fit(docs).explain(docs[:3])  # 3 documents of 3 tokens
        assert "tokens" in exp._sample_fields and "total_rows" not in exp._sample_fields
        _check_cut(exp)


def test_image_families_with_as_many_images_as_channels_and_segments():
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Conv2d(4, 4, 3, padding=1), torch.nn.ReLU(), torch.nn.AdaptiveAvgPool2d(1),
                              torch.nn.Flatten(), torch.nn.Linear(4, 4)).double()
    X = np.random.RandomState(0).normal(size=(4, 4, 4, 4))  # 4 images, channels, rows, segments, classes
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exps = [
            skxai.GradCamExplainer(net, target_layer="1").fit(X).explain(X),
            skxai.OptiCamExplainer(net, target_layer="1", max_iter=3).fit(X).explain(X),
            skxai.GuidedGradCamExplainer(net, target_layer="1").fit(X).explain(X),
            skxai.IntegratedGradientsExplainer(net, n_steps=4).fit(X).explain(X),
            skxai.DeepShapExplainer(net).fit(X[:2]).explain(X),
            skxai.ImageShapleyExplainer(net, method="lime", n_samples=20, n_segments=4,
                                        random_state=0).fit(X).explain(X),
        ]
    for exp in exps:
        assert "target_layer" not in exp._sample_fields and "quantity" not in exp._sample_fields
        _check_cut(exp)


def test_declared_fields_are_the_only_ones_cut():
    v = np.arange(4 * 4.0).reshape(4, 4)
    bins = [np.array([0.0, 1.0])] * 4  # per feature: as many as the samples
    exp = Explanation(v, feature_names=list("abcd"), sample_fields=["delta"], delta=np.arange(4.0), bins=bins,
                      edges=np.ones((4, 3)))
    assert exp[2].delta == 2.0
    assert exp[2].bins is bins and exp[[0, 1]].bins is bins
    assert_array_equal(exp[1:3].edges, np.ones((4, 3)))
    assert "sample_fields" not in exp.fields()
    # kept through pickling and slicing
    again = pickle.loads(pickle.dumps(exp[1:]))
    assert_array_equal(again[0].edges, np.ones((4, 3)))
    assert again[0].delta == 1.0


def test_undeclared_fields_are_judged_once_not_after_every_cut():
    # one entry per feature (4) among 5 samples: not per sample, also once 4 samples are left
    exp = Explanation(np.arange(5 * 4.0).reshape(5, 4), importance=np.arange(4.0), delta=np.arange(5.0))
    assert_array_equal(exp[:4][1].importance, np.arange(4.0))
    assert exp[:4][1].delta == 1.0


def test_declarations_are_checked():
    v = np.zeros((3, 2))
    with pytest.raises(ValueError, match="'nope', which is not among the extras"):
        Explanation(v, sample_fields=["nope"], delta=np.zeros(3))
    with pytest.raises(ValueError, match="'delta' is declared per sample .* has 2 entries for 3 samples"):
        Explanation(v, sample_fields=["delta"], delta=np.zeros(2))
    with pytest.raises(ValueError, match="no first axis"):
        Explanation(v, sample_fields="delta", delta=1.0)
    exp = Explanation(v, sample_fields=["delta"], delta=np.zeros(3))
    exp.extras["delta"] = np.zeros(5)  # changed since: cut it and the numbers would be wrong
    with pytest.raises(ValueError, match="'delta' is declared per sample but now has 5 entries"):
        exp[0]
