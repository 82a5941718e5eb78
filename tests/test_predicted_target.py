"""``target="predicted"`` is the model's own prediction (its ``predict``) in every family.

A thresholded classifier's ``predict`` is not the argmax of its probabilities: the explained
class of each row must be the class ``predict`` returns, not the most probable one.
"""

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import FixedThresholdClassifier
from sklearn.pipeline import make_pipeline

import skxai
from skxai._adapters import class_indices


@pytest.fixture(scope="module")
def thresholded():
    """A FixedThresholdClassifier (0.85) whose predict differs from the argmax on many rows."""
    X, y = make_classification(160, 4, n_informative=3, n_redundant=0, random_state=0)
    model = FixedThresholdClassifier(LogisticRegression(), threshold=0.85).fit(X, y)
    Xe = X[:40]
    pred = np.searchsorted(model.classes_, model.predict(Xe))
    assert (pred != model.predict_proba(Xe).argmax(axis=1)).sum() >= 5  # the case that matters
    return X, y, model, Xe, pred


TABULAR = [
    ("ExactShapleyExplainer", {}),
    ("KernelShapExplainer", {"n_samples": 64, "random_state": 0}),
    ("ShapleySamplingExplainer", {"n_permutations": 8, "random_state": 0}),
    ("LimeExplainer", {"n_samples": 64, "random_state": 0}),
    ("RandomExplainer", {"random_state": 0}),
]


@pytest.mark.parametrize("name, kw", TABULAR, ids=[n for n, _ in TABULAR])
def test_tabular_families_explain_the_class_predict_returns(thresholded, name, kw):
    X, _, model, Xe, pred = thresholded
    ex = getattr(skxai, name)(FrozenEstimator(model), target="predicted", **kw).fit(X[:30])
    np.testing.assert_array_equal(ex.target_indices(Xe), pred)
    exp = ex.explain(Xe)
    np.testing.assert_array_equal(exp._target_positions(), pred)
    values = np.asarray(exp.values)
    np.testing.assert_allclose(ex.transform(Xe), values[np.arange(len(Xe)), :, pred])


def test_shapley_regression_explains_the_class_predict_returns(thresholded):
    X, y, model, Xe, pred = thresholded
    ex = skxai.ShapleyRegressionExplainer(FixedThresholdClassifier(LogisticRegression(), threshold=0.85),
                                          target="predicted").fit(X, y)
    np.testing.assert_array_equal(np.searchsorted(ex.classes_, ex.predict(Xe)), pred)
    np.testing.assert_array_equal(ex.target_indices(Xe), pred)
    np.testing.assert_array_equal(ex.explain(Xe)._target_positions(), pred)


def test_anchors_target_indices_are_the_class_the_anchor_keeps(thresholded):
    X, _, model, Xe, pred = thresholded
    ex = skxai.AnchorTabularExplainer(FrozenEstimator(model), random_state=0).fit(X[:60])
    np.testing.assert_array_equal(ex.target_indices(Xe), pred)


def test_image_shapley_sklearn_explains_the_class_predict_returns(thresholded):
    X, _, model, Xe, pred = thresholded
    ex = skxai.ImageShapleyExplainer(FrozenEstimator(model), image_shape=(2, 2), n_segments=(2, 2),
                                     method="exact", target="predicted").fit(X[:10])
    np.testing.assert_array_equal(ex.target_indices(Xe), pred)
    exp = ex.explain(Xe)
    np.testing.assert_array_equal(exp._target_positions(), pred)
    heat = np.asarray(exp.values)
    np.testing.assert_allclose(ex.transform(Xe), heat[np.arange(len(Xe)), ..., pred])


def test_random_explainer_array_mode_explains_the_class_predict_returns(thresholded):
    X, _, model, Xe, pred = thresholded
    images = Xe.reshape(-1, 1, 2, 2)
    clf = make_pipeline(_Flatten(), FixedThresholdClassifier(LogisticRegression(), threshold=0.85))
    clf.fit(X.reshape(-1, 1, 2, 2), thresholded[1])
    ex = skxai.RandomExplainer(FrozenEstimator(clf), target="predicted", random_state=0).fit(images)
    np.testing.assert_array_equal(ex.target_indices(images), pred)
    np.testing.assert_array_equal(ex.explain(images)._target_positions(), pred)


class _Flatten:
    def fit(self, X, y=None):
        return self

    def transform(self, X):
        return np.asarray(X).reshape(len(X), -1)

    def get_params(self, deep=True):
        return {}

    def set_params(self, **params):
        return self


@pytest.fixture(scope="module")
def text_model():
    rng = np.random.RandomState(0)
    words = ["good", "bad", "fine", "awful", "great", "poor", "ok", "meh"]
    docs = [" ".join(rng.choice(words, 6)) for _ in range(120)]
    y = np.array(["pos" if sum(w in ("good", "great", "fine") for w in d.split()) > 1 else "neg" for d in docs])
    y[rng.rand(len(y)) < 0.2] = "neg"  # noisy labels: probabilities away from 0 and 1
    model = FixedThresholdClassifier(make_pipeline(CountVectorizer(), LogisticRegression(C=0.3)), threshold=0.8,
                                     pos_label="pos").fit(docs, y)
    pred = class_indices(model.predict(docs), model.classes_)
    assert (pred != model.predict_proba(docs).argmax(axis=1)).sum() >= 5
    return docs, model, pred


def test_lime_text_explains_the_class_predict_returns(text_model):
    docs, model, pred = text_model
    ex = skxai.LimeTextExplainer(FrozenEstimator(model), target="predicted", n_samples=40,
                                 random_state=0).fit(docs)
    np.testing.assert_array_equal(ex.target_indices(docs[:30]), pred[:30])
    np.testing.assert_array_equal(ex.explain(docs[:30]).target, pred[:30])


def test_anchor_text_target_indices_are_the_class_predict_returns(text_model):
    docs, model, pred = text_model
    ex = skxai.AnchorTextExplainer(FrozenEstimator(model), random_state=0).fit(docs)
    np.testing.assert_array_equal(ex.target_indices(docs[:30]), pred[:30])


# ----------------------------------------------------------------- classes_ order and names
@pytest.mark.parametrize("labels", [["spam", "ham", "eggs"], [7, 3, 5]], ids=["strings", "ints-not-from-0"])
def test_predicted_maps_labels_through_classes_order(labels):
    """classes_ sorted differently from the order labels first appear; a Pipeline's classes_."""
    X, y = make_classification(150, 4, n_informative=3, n_redundant=0, n_classes=3, random_state=1)
    y = np.asarray(labels, dtype=object if isinstance(labels[0], str) else int)[y]
    model = make_pipeline(FixedThresholdLikeScaler(), LogisticRegression()).fit(X, y)
    pred = class_indices(model.predict(X[:40]), model.classes_)
    np.testing.assert_array_equal(np.asarray(model.classes_)[pred], model.predict(X[:40]))
    ex = skxai.KernelShapExplainer(FrozenEstimator(model), n_samples=32, random_state=0).fit(X[:20])
    np.testing.assert_array_equal(ex.target_indices(X[:40]), pred)  # target=None: predicted for 3 classes


class FixedThresholdLikeScaler:
    """A do-nothing first step: the classes are the last step's."""

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        return X

    def get_params(self, deep=True):
        return {}

    def set_params(self, **params):
        return self


def test_tree_shap_predicted_is_the_model_prediction_with_string_classes():
    from sklearn.ensemble import GradientBoostingClassifier

    X, y = make_classification(150, 4, n_informative=3, n_redundant=0, n_classes=3, random_state=2)
    y = np.array(["spam", "ham", "eggs"], dtype=object)[y]
    model = GradientBoostingClassifier(n_estimators=10, random_state=0).fit(X, y)
    ex = skxai.TreeShapExplainer(FrozenEstimator(model), target="predicted").fit(X[:30])
    pred = class_indices(model.predict(X[:40]), model.classes_)
    np.testing.assert_array_equal(ex.target_indices(X[:40]), pred)
    np.testing.assert_array_equal(ex.explain(X[:40])._target_positions(), pred)


def test_class_indices_refuses_a_label_that_is_not_a_class():
    with pytest.raises(ValueError, match="'z', which is not one of the classes"):
        class_indices(np.array(["a", "z"]), ["a", "b"], LogisticRegression())


def test_predicted_with_a_binary_decision_function_is_refused():
    """One output scores the positive class: rows predicted negative were explained as the
    positive class's log-odds under target='predicted'."""
    from sklearn.ensemble import GradientBoostingClassifier

    X, y = make_classification(100, 4, random_state=0)
    y = np.array(["neg", "pos"])[y]
    lr = LogisticRegression().fit(X, y)
    with pytest.raises(ValueError, match=r"target='predicted' needs one output per class.*'pos'"):
        skxai.ExactShapleyExplainer(FrozenEstimator(lr), response_method="decision_function",
                                    target="predicted").fit(X[:20])
    gb = GradientBoostingClassifier(n_estimators=5, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match=r"target='predicted' needs one output per class"):
        skxai.TreeShapExplainer(FrozenEstimator(gb), response_method="decision_function",
                                target="predicted").fit(X[:20])
    # with one column per class, each row explains its own predicted class
    ex = skxai.ExactShapleyExplainer(FrozenEstimator(lr), target="predicted").fit(X[:20])
    np.testing.assert_array_equal(ex.target_indices(X[:30]), class_indices(lr.predict(X[:30]), lr.classes_))


def test_image_and_control_explanations_record_the_quantity_and_classes():
    """Image Shapley recorded no quantity (its pictures said 'output of 2' for a probability);
    the controls' array-mode explanations had neither quantity nor class names."""
    from skxai.plot._base import output_label

    X, y = make_classification(150, 4, n_informative=3, n_redundant=0, n_classes=3, random_state=1)
    y = np.array(["spam", "ham", "eggs"], dtype=object)[y]
    lr = LogisticRegression().fit(X, y)
    image = skxai.ImageShapleyExplainer(FrozenEstimator(lr), image_shape=(2, 2), n_segments=(2, 2),
                                        method="exact", target="spam").fit(X[:10])
    assert image.explain(X[:2]).quantity == "probability"
    assert output_label(image.explain(X[:2]), image) == "probability of spam"
    df = skxai.ImageShapleyExplainer(FrozenEstimator(lr), image_shape=(2, 2), n_segments=(2, 2), method="exact",
                                     response_method="decision_function", target="ham").fit(X[:10])
    assert df.explain(X[:2]).quantity == "logit"
    clf = make_pipeline(_Flatten(), LogisticRegression()).fit(X.reshape(-1, 1, 2, 2), y)
    images = X[:10].reshape(-1, 1, 2, 2)
    control = skxai.RandomExplainer(FrozenEstimator(clf), target="eggs", random_state=0).fit(images)
    exp = control.explain(X[:2].reshape(-1, 1, 2, 2))
    assert exp.quantity == "probability" and list(exp.output_names) == ["eggs", "ham", "spam"]
    assert output_label(exp, control) == "probability of eggs"
    table = skxai.RandomExplainer(FrozenEstimator(lr), random_state=0).fit(X[:10])
    assert table.explain(X[:2]).quantity == "probability"
