"""Fresh audit of the metrics and of ``score`` as a search scorer (closed forms, edge cases)."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.dummy import DummyRegressor
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LinearRegression

from skxai import ExactShapleyExplainer
from skxai.metrics import (
    average_drop_increase_gain,
    faithfulness_correlation,
    get_metric_names,
    make_explanation_scorer,
    one_standard_error_rule,
    sparseness,
)


def _constant_model_explainer():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 4))
    model = DummyRegressor().fit(X, X @ [3.0, -2, 1, 0])
    return ExactShapleyExplainer(model).fit(X), X


def test_faithfulness_correlation_of_a_constant_model_is_zero_not_rounding_noise():
    # The background mean of a constant output differs from it by ulps for some subsets
    # (-2.8e-17 here); Pearson's r of those ulps against the attributed masses was -0.10.
    ex, X = _constant_model_explainer()
    phi = np.random.RandomState(1).normal(size=(3, 4))
    r = faithfulness_correlation(ex, X[:3], attributions=phi, n_subsets=10)
    assert np.array_equal(r, np.zeros(3))


@pytest.fixture(scope="module")
def text_explainer():
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    from skxai import LimeTextExplainer

    docs = ["good movie great", "bad movie awful", "great fun", "awful boring bad"] * 4
    model = make_pipeline(TfidfVectorizer(), LogisticRegression()).fit(docs, [1, 0, 1, 0] * 4)
    return LimeTextExplainer(FrozenEstimator(model), n_samples=20, random_state=0).fit(docs), docs[:2]


@pytest.mark.parametrize("name", [n for n in get_metric_names() if n != "sparseness"])
def test_perturbation_metrics_refuse_text_by_name(text_explainer, name):
    # before: "could not convert string to float: np.str_('good movie great')"
    ex, docs = text_explainer
    with pytest.raises(ValueError, match="does not apply to text"):
        make_explanation_scorer(name)(ex, docs)
    with pytest.raises(ValueError, match="does not apply to text"):
        clone(ex).set_params(scoring=name).fit(docs).score(docs)


def test_sparseness_refuses_a_sparse_text_explanation(text_explainer):
    # before: "setting an array element with a sequence."
    ex, docs = text_explainer
    with pytest.raises(ValueError, match="does not apply to sparse attributions"):
        sparseness(ex, docs)


@pytest.mark.parametrize("name", ["average_drop", "increase_in_confidence", "average_gain"])
def test_drop_gain_refuse_a_regressor_under_auto(name):
    # before: a LinearRegression's predictions went through a sigmoid (or, in [0, 1], were
    # read as probabilities): average_drop 0.0095 for a model with no class confidence
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 4))
    model = LinearRegression().fit(X, X @ [3.0, -2, 1, 0])
    ex = ExactShapleyExplainer(model).fit(X)
    with pytest.raises(ValueError, match="explains a regression output"):
        make_explanation_scorer(name)(ex, X[:5])
    # an explicit choice stays the user's
    res = average_drop_increase_gain(ex, X[:5], probabilities="sigmoid")
    assert res.drop.shape == (5,)


def test_sparseness_matches_quantus_gini():
    # Chalasani et al.'s Gini index; quantus adds 1e-7 to every sorted value (hence atol)
    from tests._peers import import_peer

    quantus = import_peer("quantus")
    rng = np.random.RandomState(0)
    A = rng.normal(size=(4, 1, 5, 5))
    A[1] = 0.0
    A[1, 0, 2, 2] = 3.0  # one non-zero of 25: (d - 1) / d = 0.96
    A[2] = 1.0  # uniform: 0
    metric = quantus.Sparseness(abs=True, normalise=False, disable_warnings=True)
    ref = metric(model=None, x_batch=rng.normal(size=A.shape), y_batch=np.zeros(4, int),
                 a_batch=A.copy())
    ours = sparseness(None, None, attributions=A)
    np.testing.assert_allclose(ours, ref, atol=1e-5)
    np.testing.assert_allclose(ours[1:3], [0.96, 0.0], atol=1e-12)


def test_one_standard_error_rule_uses_the_standard_error_of_the_fold_mean():
    # folds [0.8, 0.9, 1.0]: sample std 0.1, standard error 0.1 / sqrt(3) = 0.0577, line
    # 0.842; GridSearchCV's std_test_score is the population std 0.0816, and dividing it by
    # sqrt(3) gave 0.047 (line 0.853), rejecting the cheap candidate at 0.85.
    splits = np.array([[0.85, 0.85, 0.85], [0.8, 0.9, 1.0]])
    cv_results = {"param_n_samples": np.array([10, 100]),
                  "params": [{"n_samples": 10}, {"n_samples": 100}],
                  "mean_test_score": splits.mean(axis=1),
                  "std_test_score": splits.std(axis=1)}
    for k in range(3):
        cv_results[f"split{k}_test_score"] = splits[:, k]
    se = splits[1].std(ddof=1) / np.sqrt(3)
    assert 0.9 - se < 0.85 < 0.9 - splits[1].std() / np.sqrt(3)
    assert one_standard_error_rule("n_samples")(cv_results) == 0


def test_infidelity_and_max_sensitivity_closed_forms_on_a_quadratic():
    # f(x) = |x|^2, phi = grad f = 2x. Yeh et al.: f(x) - f(x - I) = 2x.I - |I|^2, so the
    # unnormalised infidelity is E|I|^4 = 8 sigma^4 for I ~ N(0, sigma^2 I_2); the
    # explanation moves by 2e, so max-sensitivity tends to 2 r sqrt(2) / |2x|.
    torch = pytest.importorskip("torch")

    class Square(torch.nn.Module):
        def forward(self, x):
            return (x**2).sum(1, keepdim=True)

    from skxai import GradientExplainer
    from skxai.metrics import infidelity, max_sensitivity

    X = np.array([[0.5, -1.0], [2.0, 0.3]])
    ex = GradientExplainer(Square()).fit(X)
    v = infidelity(ex, X, n_perturbations=20000, noise_scale=0.1, normalize=False)
    np.testing.assert_allclose(v, 8e-4, rtol=0.03)
    s = max_sensitivity(ex, X, radius=0.02, n_perturbations=2000)
    bound = 2 * 0.02 * np.sqrt(2) / np.linalg.norm(2 * X, axis=1)
    assert np.all(s <= bound * (1 + 1e-5)) and np.all(s > 0.95 * bound)


def test_faithfulness_correlation_refuses_a_single_subset():
    # before: r = 0 for every explanation (one point has no correlation), silently
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 4))
    ex = ExactShapleyExplainer(LinearRegression().fit(X, X @ [3.0, -2, 1, 0])).fit(X)
    with pytest.raises(ValueError, match="at least 2 subsets"):
        faithfulness_correlation(ex, X[:3], n_subsets=1)


def test_faithfulness_correlation_keeps_small_real_effects_on_a_large_output():
    # the rounding tolerance is relative to the output, but a 1e-5 effect on an output of
    # 1e6 (1e5 ulps) is a real change: an exact explanation still correlates perfectly
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 4))
    model = LinearRegression().fit(X, 1e6 + X @ [3e-5, -2e-5, 1e-5, 0.5e-5])
    ex = ExactShapleyExplainer(model).fit(X)
    np.testing.assert_allclose(faithfulness_correlation(ex, X[:3]), 1.0, atol=1e-6)


def test_documents_as_a_series_or_object_array_are_refused_too(text_explainer):
    import pandas as pd

    ex, docs = text_explainer
    for X in (pd.Series(docs), np.array(docs, dtype=object)):
        with pytest.raises(ValueError, match="does not apply to text"):
            make_explanation_scorer("deletion_auc")(ex, X)
