"""scikit-learn models converted for the gradient family: the probability head is the one that
reproduces the model's own ``predict_proba`` (chosen by class name, a modified-Huber
SGDClassifier got a sigmoid labelled as its probabilities, and LogisticRegressionCV or LDA lost
theirs), and a frame whose columns differ from the model's is refused (they were read by
position and labelled with the frame's names: an outside audit)."""

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer, load_iris
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.linear_model import LinearRegression, LogisticRegressionCV, SGDClassifier
from sklearn.preprocessing import StandardScaler

pytest.importorskip("torch")

from skxai import GradientExplainer, IntegratedGradientsExplainer  # noqa: E402


def test_a_modified_huber_classifier_is_explained_through_its_decision_function():
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    model = SGDClassifier(loss="modified_huber", random_state=0).fit(X, y)
    # its probabilities are (clip(z, -1, 1) + 1) / 2, not a sigmoid: no probability head, said so
    with pytest.warns(UserWarning, match="neither a softmax nor a one-vs-rest sigmoid"):
        ex = GradientExplainer(model).fit(X)
    assert ex.quantity_ == "logit"
    z = model.decision_function(X[:5])
    np.testing.assert_allclose(ex.explain(X[:5]).outputs[:, 1], z, rtol=1e-12)
    np.testing.assert_allclose(ex.transform(X[:5]), np.tile(model.coef_, (5, 1)), rtol=1e-12)
    with pytest.raises(ValueError, match="predict_proba is neither a softmax"):
        GradientExplainer(model, response_method="predict_proba").fit(X)


@pytest.mark.parametrize(
    "model", [LogisticRegressionCV(max_iter=2000), LinearDiscriminantAnalysis()], ids=["lrcv", "lda"]
)
def test_softmax_classifiers_keep_their_probabilities(model):
    X, y = load_iris(return_X_y=True)
    model.fit(X, y)
    ex = IntegratedGradientsExplainer(model, target=2).fit(X)
    assert ex.quantity_ == "probability"
    exp = ex.explain(X[:4])
    np.testing.assert_allclose(exp.outputs, model.predict_proba(X[:4]), rtol=1e-9, atol=1e-12)


def test_columns_of_another_order_than_the_models_are_refused():
    rng = np.random.RandomState(0)
    df = pd.DataFrame(rng.normal(size=(50, 3)), columns=["a", "b", "c"])
    model = LinearRegression().fit(df, 3 * df.a - df.b + 0.1 * df.c)
    with pytest.raises(ValueError, match=r"columns \['c', 'b', 'a'\], but LinearRegression was fitted on"):
        GradientExplainer(model).fit(df[["c", "b", "a"]])
    ex = GradientExplainer(model).fit(df)
    np.testing.assert_allclose(ex.transform(df.iloc[:2]), [[3.0, -1.0, 0.1]] * 2, rtol=1e-12)
