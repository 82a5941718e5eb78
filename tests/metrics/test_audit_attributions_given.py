"""Attributions given to the metrics that compare them with the explainer's own (an outside
audit, session 30): sensitivity and the randomisation checks read a DataFrame by position, so
reordered columns changed the score (and a sanity check's verdict); an Explanation failed deep
inside numpy; sparseness took attributions of other samples or players without a word."""

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier

from skxai import ExactShapleyExplainer
from skxai.metrics import (
    avg_sensitivity,
    data_randomization_test,
    max_sensitivity,
    model_randomization_test,
    sparseness,
)


@pytest.fixture(scope="module")
def setting():
    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.normal(size=(120, 5)), columns=["a", "b", "c", "d", "e"])
    y = (X.a + 2 * X.b - X.c * X.d > 0).astype(int)
    mlp = MLPClassifier(hidden_layer_sizes=(8, 6), max_iter=3000, random_state=0).fit(X, y)
    ex = ExactShapleyExplainer(mlp, max_background=10, random_state=0).fit(X)
    rows = X.iloc[:6]
    A = pd.DataFrame(ex.transform(rows), columns=ex.get_feature_names_out())
    return ex, X, y, rows, A


@pytest.mark.parametrize("metric", [max_sensitivity, avg_sensitivity])
def test_sensitivity_matches_named_columns_by_name(setting, metric):
    ex, _, _, rows, A = setting
    plain = metric(ex, rows, attributions=A, n_perturbations=4)
    np.testing.assert_array_equal(metric(ex, rows, attributions=A[A.columns[::-1]], n_perturbations=4), plain)
    np.testing.assert_array_equal(metric(ex, rows, attributions=ex.explain(rows), n_perturbations=4), plain)


def _spearman(report):
    return [r["spearman"] for r in report.records]


def test_the_randomisation_checks_match_named_columns_by_name(setting):
    ex, X, y, rows, A = setting
    model = _spearman(model_randomization_test(ex, rows, attributions=A, similarity="spearman", random_state=0))
    data = _spearman(
        data_randomization_test(ex, rows, X_train=X, y_train=y, attributions=A, similarity="spearman", random_state=0)
    )
    for given in (A[A.columns[::-1]], ex.explain(rows)):
        assert (
            _spearman(model_randomization_test(ex, rows, attributions=given, similarity="spearman", random_state=0))
            == model
        )
        again = data_randomization_test(
            ex, rows, X_train=X, y_train=y, attributions=given, similarity="spearman", random_state=0
        )
        assert _spearman(again) == data


def test_an_explanation_of_another_output_is_refused():
    rng = np.random.RandomState(1)
    X = rng.normal(size=(90, 3))
    y = np.digitize(X[:, 0] + X[:, 1], [-0.5, 0.5])
    ex = ExactShapleyExplainer(LogisticRegression().fit(X, y), target=2, max_background=10).fit(X)
    other = ExactShapleyExplainer(LogisticRegression().fit(X, y), target=0, max_background=10).fit(X)
    with pytest.raises(ValueError, match="attributions explain output 0"):
        max_sensitivity(ex, X[:4], attributions=other.explain(X[:4]), n_perturbations=2)


def test_sparseness_checks_given_attributions_against_x_and_the_players(setting):
    ex, _, _, rows, A = setting
    np.testing.assert_array_equal(sparseness(ex, rows, attributions=ex.explain(rows)), sparseness(ex, rows))
    np.testing.assert_allclose(sparseness(ex, rows, attributions=A[A.columns[::-1]]), sparseness(ex, rows), rtol=1e-12)
    # (the Gini index ignores the order: named columns are checked against the players instead)
    with pytest.raises(ValueError, match="players are"):
        sparseness(ex, rows, attributions=A.rename(columns={"a": "z"}))
    with pytest.raises(ValueError, match="attributions hold 4 samples but X holds 6"):
        sparseness(ex, rows, attributions=A.iloc[:4])
    with pytest.raises(ValueError, match=r"expected \(n_samples, n_players\) = \(6, 5\)"):
        sparseness(ex, rows, attributions=np.ones((6, 7)))
    # without an explainer: the attributions alone, as documented
    np.testing.assert_allclose(sparseness(None, None, attributions=np.array([[1.0, 1, 1, 1], [0, 0, 0, 5]])), [0, 0.75])


def test_the_array_metrics_read_an_explanation_as_its_explained_values(setting):
    # np.asarray(explanation) gave every output's values: the similarity of two explanations of
    # the same output read 0.37 where it is 1
    from skxai.metrics import spearman_similarity

    ex, _, _, rows, _ = setting
    exp = ex.explain(rows)
    np.testing.assert_allclose(spearman_similarity(exp, exp.target_values), 1.0)
