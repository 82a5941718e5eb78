"""Audit 2 (models): the tabular explainers on models and targets their authors had not tried."""

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.cluster import KMeans
from sklearn.ensemble import BaggingClassifier, VotingClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.linear_model import LogisticRegression, RidgeClassifier
from sklearn.mixture import GaussianMixture
from sklearn.model_selection import FixedThresholdClassifier, GridSearchCV
from sklearn.multiclass import OneVsRestClassifier
from sklearn.multioutput import ClassifierChain
from sklearn.neighbors import KNeighborsRegressor
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC, LinearSVC

from skxai import (
    ExactShapleyExplainer,
    KernelShapExplainer,
    LimeExplainer,
    RandomExplainer,
    ShapleyRegressionExplainer,
    shapley_values,
)


def _interventional(f, x, B):
    """Exact Shapley values of ``mean_b f(x_S, b_rest)`` by enumeration, shape (d, n_outputs)."""

    def v(masks):
        out = []
        for s in masks:
            Z = B.copy()
            Z[:, s] = x[s]
            out.append(np.asarray(f(Z), dtype=float).reshape(len(B), -1).mean(axis=0))
        return np.array(out)

    return shapley_values(v, B.shape[1])


def _binary_strings():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 3))
    y = np.array(["no", "yes"])[(X[:, 0] + 0.5 * X[:, 1] > 0).astype(int)]
    return X, y


@pytest.mark.parametrize("model", [LinearSVC(), RidgeClassifier()], ids=["svc", "ridge"])
def test_an_integer_target_is_a_class_position_for_a_binary_decision_function(model):
    # classes ['no', 'yes']; the decision function has one output, scoring 'yes'. target=1
    # (classes_[1], what it means with predict_proba) was refused and target=0 explained
    # 'yes', the class that target=0 is not under predict_proba. Now 1 is 'yes', 0 refused.
    X, y = _binary_strings()
    model.fit(X, y)
    B = X[:8]
    est = ExactShapleyExplainer(FrozenEstimator(model), target=1).fit(B)
    ref = _interventional(model.decision_function, X[0], B)[:, 0]
    np.testing.assert_allclose(est.transform(X[:1])[0], ref, atol=1e-12)
    assert est.explain(X[:1]).output_names.tolist() == ["yes"]
    with pytest.raises(ValueError, match=r"target=0 is not an output of the model.*'yes'"):
        ExactShapleyExplainer(FrozenEstimator(model), target=0).fit(B)
    # the controls share the resolver
    assert RandomExplainer(FrozenEstimator(model), target=1).fit(B).target_indices(X[:2]).tolist() == [0, 0]
    with pytest.raises(ValueError, match=r"target=0 is not an output"):
        RandomExplainer(FrozenEstimator(model), target=0).fit(B)


def test_integer_targets_mean_the_same_class_under_both_response_methods():
    X, y = _binary_strings()
    model = LogisticRegression().fit(X, y)
    B = X[:8]
    proba = ExactShapleyExplainer(FrozenEstimator(model), target=1).fit(B)
    raw = ExactShapleyExplainer(FrozenEstimator(model), target=1, response_method="decision_function").fit(B)
    assert proba.output_names_[proba.target_index_] == raw.output_names_[raw.target_index_] == "yes"
    # a per-sample array of positions too
    per_sample = ExactShapleyExplainer(FrozenEstimator(model), target=[1, 1], response_method="decision_function").fit(
        B
    )
    assert per_sample.target_indices(X[:2]).tolist() == [0, 0]


def _imbalanced():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 2))
    y = (X[:, 0] + 0.5 * rng.normal(size=300) > 1.2).astype(int)  # about 12% positives
    return X, y


@pytest.mark.parametrize(
    "wrap",
    [
        lambda m: GridSearchCV(m, {"C": [1.0]}, cv=3),
        lambda m: make_pipeline(StandardScaler(), GridSearchCV(m, {"C": [1.0]}, cv=3)),
        lambda m: FixedThresholdClassifier(m, threshold=0.3),
        lambda m: OneVsRestClassifier(m),
        lambda m: VotingClassifier([("a", m), ("b", clone(m))], voting="soft"),
    ],
    ids=["search", "pipeline-search", "threshold", "one-vs-rest", "voting"],
)
def test_shapley_regression_reads_class_weight_through_a_wrapper(wrap):
    # ShapleyRegression's empty coalition predicts the prior of the class-weighted rows (uniform
    # for "balanced"), read from the model's class_weight, a Pipeline's last step's only: for a
    # GridSearchCV of LogisticRegression(class_weight="balanced") it was the plain prior
    # [0.88, 0.12], so the model on a pure-noise feature (about [0.5, 0.5]) gave that feature
    # 0.19 of class 1 on average. The wrapper retrains the same model: the values must be those
    # of the plain balanced LogisticRegression (with the same preprocessing).
    X, y = _imbalanced()
    base = LogisticRegression(class_weight="balanced")
    wrapped = wrap(base)
    plain = make_pipeline(StandardScaler(), base) if isinstance(wrapped, Pipeline) else base
    got = ShapleyRegressionExplainer(wrapped, target=1).fit(X, y)
    ref = ShapleyRegressionExplainer(plain, target=1).fit(X, y)
    np.testing.assert_allclose(got.expected_value_, [0.5, 0.5], atol=1e-12)
    np.testing.assert_allclose(got.transform(X[:20]), ref.transform(X[:20]), atol=1e-10)


def test_shapley_regression_reads_class_weight_of_a_bagged_classifier():
    X, y = _imbalanced()
    model = BaggingClassifier(LogisticRegression(class_weight="balanced"), n_estimators=4, random_state=0)
    est = ShapleyRegressionExplainer(model, target=1).fit(X, y)
    np.testing.assert_allclose(est.expected_value_, [0.5, 0.5], atol=1e-12)
    # the noise feature x1 alone: a bag of balanced models predicts about 0.5, as the empty one
    # (mean |value| 0.013-0.049 over six bagging seeds, against 0.39 for x0; an empty coalition
    # at the unweighted prior, 0.12, would give x1 about 0.4)
    assert np.abs(est.transform(X[:50])[:, 1]).mean() < 0.1


@pytest.mark.parametrize(
    "make",
    [
        lambda m: KernelShapExplainer(m, n_samples=64, random_state=0, target="predicted"),
        lambda m: ExactShapleyExplainer(m, target="predicted"),
        lambda m: LimeExplainer(m, n_samples=64, random_state=0, target="predicted"),
        lambda m: RandomExplainer(m, random_state=0, target="predicted"),
    ],
    ids=["kernel", "exact", "lime", "random"],
)
def test_predicted_target_of_a_multi_output_regressor_is_refused(make):
    # target="predicted" of a regressor with 2 outputs explained, per row, whichever output was
    # larger (the argmax of two unrelated predictions) without a word; TreeShapExplainer
    # refuses it. A single-output regressor keeps "predicted" = its one output.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 3))
    Y = np.c_[X @ [1.0, 2.0, 3.0], X @ [-1.0, 0.0, 1.0]]
    model = FrozenEstimator(KNeighborsRegressor().fit(X, Y))
    with pytest.raises(ValueError, match=r"target='predicted'.*2 outputs.*KNeighborsRegressor"):
        make(model).fit(X[:10])
    single = FrozenEstimator(KNeighborsRegressor().fit(X, Y[:, 0]))
    assert make(single).fit(X[:10]).target_indices(X[:2]).tolist() == [0, 0]


@pytest.mark.parametrize("n_background", [2, 10])
def test_a_model_returning_a_tuple_of_arrays_is_refused_by_name(n_background):
    # GaussianProcessRegressor.predict(X, return_std=True) returns (mean, std): read as an
    # array of shape (2, n), it was "2 rows for 10 input rows", and with 2 background rows
    # (2, 2) passed as two outputs ("The model has 2 outputs; choose one with target=").
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 2))
    gpr = GaussianProcessRegressor(optimizer=None).fit(X, X[:, 0] - X[:, 1])
    with pytest.raises(ValueError, match=r"returned a tuple of 2 arrays.*return_std"):
        KernelShapExplainer(lambda A: gpr.predict(A, return_std=True), random_state=0).fit(X[:n_background])


@pytest.mark.parametrize("chain", [False, True], ids=["one-vs-rest", "classifier-chain"])
def test_default_target_of_a_multilabel_classifier_is_refused_at_fit(chain):
    # OneVsRestClassifier on a 3-column indicator y: predict_proba has one column per label and
    # target=None means the predicted class, which the model's predict (3 labels per row) does
    # not give. fit took it; explain computed every value, then failed with a message about
    # target='predicted', which the user had not asked for. An explicit label index works.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 3))
    Y = (X > 0).astype(int)
    # A ClassifierChain's classes_ is a list (one array per label): its 'predicted' was the
    # argmax of the three label probabilities, silently.
    wrapper = ClassifierChain if chain else OneVsRestClassifier
    model = FrozenEstimator(wrapper(LogisticRegression()).fit(X, Y))
    with pytest.raises(ValueError, match=r"target=None.*(shape \(1, 3\)|3 outputs).*target=<class>"):
        ExactShapleyExplainer(model).fit(X[:6])
    est = ExactShapleyExplainer(model, target=1).fit(X[:6])
    ref = _interventional(model.predict_proba, X[0], X[:6])[:, 1]
    np.testing.assert_allclose(est.transform(X[:1])[0], ref, atol=1e-12)


@pytest.mark.parametrize("n_classes", [3, 4])
def test_a_pairwise_svc_decision_function_is_refused_not_named_by_class(n_classes):
    # SVC(decision_function_shape="ovo") scores each pair of classes: with 3 classes its 3
    # columns (a|b, a|c, b|c) were named ['a', 'b', 'c'], so target='b' explained the score of
    # 'a' against 'c'; with 4 classes its 6 columns were "classes [0, ..., 5]" and target=None
    # explained the largest pairwise score per row. The per-class shape ("ovr") is explained.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(90, 3))
    y = np.array(list("abcd"[:n_classes]))[np.arange(90) % n_classes]
    ovo = SVC(decision_function_shape="ovo").fit(X, y)
    # the advice is no deprecated parameter (SVC's probability=True, from scikit-learn 1.9)
    with pytest.raises(ValueError, match=r"decision_function_shape='ovo'.*pair of classes.*CalibratedClassifierCV"):
        ExactShapleyExplainer(FrozenEstimator(ovo), target="b").fit(X[:5])
    with pytest.raises(ValueError, match=r"decision_function_shape='ovo'"):
        KernelShapExplainer(make_pipeline(StandardScaler(), SVC(decision_function_shape="ovo"))).fit(X, y)
    from sklearn.svm import NuSVC

    with pytest.raises(ValueError, match=r"CalibratedClassifierCV\(NuSVC\(\.\.\.\), ensemble=False\)"):
        KernelShapExplainer(NuSVC(decision_function_shape="ovo").fit(X, y)).fit(X, y)
    ovr = SVC().fit(X, y)
    est = ExactShapleyExplainer(FrozenEstimator(ovr), target="b").fit(X[:5])
    ref = _interventional(ovr.decision_function, X[0], X[:5])[:, 1]
    np.testing.assert_allclose(est.transform(X[:1])[0], ref, atol=1e-12)


@pytest.mark.parametrize("response_method", ["auto", "predict"])
def test_cluster_labels_are_refused_like_class_labels(response_method):
    # KMeans and GaussianMixture were explained through predict, their cluster labels read as
    # numbers (the mean of labels 0, 1, 2 over the background): values such as -0.97 for a
    # label, meaningless. Refused as a classifier's predict is; GaussianMixture's
    # predict_proba is explained.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 3))
    km = KMeans(3, n_init=2, random_state=0).fit(X)
    gm = GaussianMixture(3, random_state=0).fit(X)
    for model in (km, gm):
        with pytest.raises(ValueError, match=r"predict returns cluster labels"):
            ExactShapleyExplainer(FrozenEstimator(model), response_method=response_method).fit(X[:6])
    est = ExactShapleyExplainer(FrozenEstimator(gm), response_method="predict_proba", target=1).fit(X[:6])
    ref = _interventional(gm.predict_proba, X[0], X[:6])[:, 1]
    np.testing.assert_allclose(est.transform(X[:1])[0], ref, atol=1e-12)


def test_a_plain_list_of_classes_still_gives_the_predicted_class():
    # the refusal above is for a list of class arrays, not a classifier whose classes_ is a
    # plain list of labels
    X, y = _binary_strings()
    fitted = LogisticRegression().fit(X, y)

    class ListClasses(ClassifierMixin, BaseEstimator):
        def fit(self, X, y):
            self.classes_ = ["no", "yes"]
            return self

        def predict_proba(self, X):
            return fitted.predict_proba(X)

        def predict(self, X):
            return fitted.predict(X)

    model = ListClasses().fit(X, y)
    est = ExactShapleyExplainer(FrozenEstimator(model), target="predicted").fit(X[:5])
    expected = (fitted.predict(X[:4]) == "yes").astype(int)
    assert est.target_indices(X[:4]).tolist() == expected.tolist()


@pytest.mark.parametrize("wrapper", [OneVsRestClassifier, ClassifierChain])
def test_shapley_regression_of_a_multilabel_classifier_names_the_problem(wrapper):
    # its empty coalition (a DummyClassifier fitted on the 3-column y) returned a list of 3
    # arrays, and the error named DummyClassifier, a model the user never gave
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 3))
    Y = (X > 0).astype(int)
    with pytest.raises(ValueError, match=rf"{wrapper.__name__}.*3 target columns.*y\[:, j\]"):
        ShapleyRegressionExplainer(wrapper(LogisticRegression()), target=1).fit(X, Y)
