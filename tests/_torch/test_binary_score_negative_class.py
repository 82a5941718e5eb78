"""The negative class of a binary classifier with one score, in the gradient families.

A binary model's one logit ``z`` is read as ``[0, z]`` (scikit-learn's logistic models and
binary MLPs, skorch's NeuralNetBinaryClassifier). Under ``decision_function`` the negative class
had the constant 0 as its score, and its attributions were a silent 0; the tabular families
refuse that target. Now the torch families refuse it too, however it is named.
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402

from skxai import (  # noqa: E402
    DeepShapExplainer,
    GradientExplainer,
    IntegratedGradientsExplainer,
    KernelShapExplainer,
)


def _data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 4))
    y = np.where(X[:, 0] - X[:, 1] > 0, "spam", "ham")
    return X, y


@pytest.fixture(scope="module", params=["logistic", "mlp"])
def model(request):
    X, y = _data()
    if request.param == "logistic":
        return LogisticRegression().fit(X, y), X
    return MLPClassifier((5,), max_iter=2000, random_state=0).fit(X, y), X


@pytest.mark.parametrize("cls", [GradientExplainer, IntegratedGradientsExplainer, DeepShapExplainer])
@pytest.mark.parametrize("target", ["ham", 0, "predicted"])
def test_the_negative_class_of_one_score_is_refused_at_fit(cls, target, model):
    est, X = model
    with pytest.raises(ValueError, match="binary classifier's decision function"):
        cls(est, response_method="decision_function", target=target).fit(X[:20])


def test_the_tabular_families_refuse_the_same_targets_with_the_same_words():
    # (an MLP has no decision_function for the tabular families; the torch ones read its logit)
    X, y = _data()
    est = LogisticRegression().fit(X, y)
    for target in ("ham", "predicted"):
        with pytest.raises(ValueError) as tab:
            KernelShapExplainer(est, response_method="decision_function", target=target).fit(X[:20])
        with pytest.raises(ValueError) as grad:
            GradientExplainer(est, response_method="decision_function", target=target).fit(X[:20])
        assert str(tab.value) == str(grad.value)


def test_one_label_per_sample_naming_the_negative_class_is_refused(model):
    est, X = model
    ex = GradientExplainer(est, response_method="decision_function", target=["spam", "ham", "spam"]).fit(X[:20])
    with pytest.raises(ValueError, match="target='ham' is not an output of the model"):
        ex.transform(X[:3])
    with pytest.raises(ValueError, match="target='ham' is not an output of the model"):
        ex.explain(X[:3])
    positive = ex.set_params(target=["spam"] * 3).transform(X[:3])
    ref = GradientExplainer(est, response_method="decision_function").fit(X[:20]).transform(X[:3])
    np.testing.assert_array_equal(positive, ref)


def test_the_positive_class_and_probabilities_are_explained(model):
    est, X = model
    # target=None is the positive class: for a logistic model, its gradient is the coefficients
    phi = GradientExplainer(est, response_method="decision_function").fit(X[:20]).transform(X[:5])
    if isinstance(est, LogisticRegression):
        np.testing.assert_allclose(phi, np.tile(est.coef_[0], (5, 1)), rtol=1e-12)
    # under predict_proba both classes have an output: p0 = 1 - p1, so their gradients are opposite
    p0 = GradientExplainer(est, response_method="predict_proba", target="ham").fit(X[:20]).transform(X[:5])
    p1 = GradientExplainer(est, response_method="predict_proba", target="spam").fit(X[:20]).transform(X[:5])
    assert np.abs(p0).max() > 1e-3
    np.testing.assert_allclose(p0, -p1, rtol=1e-10, atol=1e-14)


def test_a_skorch_binary_net_refuses_predicted_under_its_logit():
    skorch = pytest.importorskip("skorch")
    from torch import nn

    class OneLogit(nn.Module):
        def __init__(self):
            super().__init__()
            self.f = nn.Sequential(nn.Linear(4, 5), nn.Tanh(), nn.Linear(5, 1))

        def forward(self, x):
            return self.f(x).squeeze(-1)

    X, y = _data()
    X = X.astype(np.float32)
    torch.manual_seed(0)
    net = skorch.NeuralNetBinaryClassifier(OneLogit, max_epochs=2, train_split=None, verbose=0)
    net.fit(X, (y == "spam").astype(np.float32))
    for target in ("predicted", 0):
        with pytest.raises(ValueError, match="binary classifier's decision function"):
            GradientExplainer(net, response_method="decision_function", target=target).fit(X)
    pred = net.predict(X[:6])
    exp = GradientExplainer(net, target="predicted").fit(X).explain(X[:6])  # auto: probabilities
    np.testing.assert_array_equal(exp.targets, pred)
