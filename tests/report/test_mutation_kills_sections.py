"""Kill tests for the survivors of ``skxai/report/_sections.py`` (issue 17, mutF).

The escaping tests pin what is escaped; these pin the rest of the settings table and of the
agreement section, written out by hand: the explainer's own parameters only, the first explainer's
feature names as the reference, Spearman correlations of importances of any spread (scipy's
``spearmanr`` of the hand-computed importances), no warning for a constant explanation, the top-five
list with ties in feature order, and the whole section's text.
"""

import warnings

import numpy as np
from scipy.stats import spearmanr
from sklearn.linear_model import LinearRegression

from skxai import ExactShapleyExplainer, Explanation
from skxai.report._sections import agreement_section, settings_html


def test_settings_are_the_explainers_own_parameters_not_its_estimators():
    import inspect

    got = settings_html(ExactShapleyExplainer(LinearRegression(fit_intercept=False)))
    assert "<th>estimator</th>" in got and "<th>estimator__fit_intercept</th>" not in got
    # one row per parameter of __init__ (none of them is left at a "deprecated" default here)
    own = [k for k, p in inspect.signature(ExactShapleyExplainer).parameters.items() if p.default != "deprecated"]
    assert got.count("<tr>") == len(own)


def test_the_first_explainers_features_are_the_reference():
    a = Explanation(np.array([[3.0, 2.0, 1.0]]), feature_names=["a", "b", "c"])
    x = Explanation(np.array([[1.0, 2.0, 3.0]]), feature_names=["x", "y", "z"])
    y = Explanation(np.array([[1.0, 3.0, 2.0]]), feature_names=["x", "y", "z"])
    # the second and third agree with each other, not with the first: nothing to compare
    assert agreement_section([("a", a), ("x", x), ("y", y)]) is None


def test_correlations_of_importances_of_small_spread():
    # importances (mean |v|) spread over less than 1: (0.3, 0.2, 0.1), (0.1, 0.2, 0.3), (0.1, 0.3, 0.2)
    a = Explanation(np.array([[0.3, 0.2, 0.1]]), feature_names=["a", "b", "c"])
    b = Explanation(np.array([[0.1, -0.2, 0.3]]), feature_names=["a", "b", "c"])
    c = Explanation(np.array([[0.1, 0.3, 0.2]]), feature_names=["a", "b", "c"])
    got = agreement_section([("A", a), ("B", b), ("C", c)])
    rho = spearmanr([0.3, 0.2, 0.1], [0.1, 0.3, 0.2]).statistic  # -0.5
    assert "<tr><th>A</th><td>1.000</td><td>-1.000</td>" + f"<td>{rho:.3f}</td></tr>" in got
    assert "<tr><th>C</th><td>-0.500</td><td>0.500</td><td>1.000</td></tr>" in got


def test_a_constant_explanation_gives_nan_without_warnings():
    a = Explanation(np.array([[3.0, 2.0, 1.0]]), feature_names=["a", "b", "c"])
    flat = Explanation(np.array([[1.0, 1.0, 1.0]]), feature_names=["a", "b", "c"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # scipy warns on a constant input: it must not be called
        got = agreement_section([("a", a), ("flat", flat)])
        got2 = agreement_section([("flat", flat), ("a", a)])
    assert "<tr><th>a</th><td>1.000</td><td>nan</td></tr>" in got
    assert "<tr><th>flat</th><td>nan</td><td>nan</td></tr>" in got
    assert "<tr><th>flat</th><td>nan</td><td>nan</td></tr><tr><th>a</th><td>nan</td><td>1.000</td></tr>" in got2


def test_top_five_of_many_tied_features_in_feature_order():
    # 20 features with tied importances: the five largest, ties by index
    v = np.random.RandomState(0).randint(1, 4, size=(1, 20)).astype(float)
    names = [f"f{j}" for j in range(20)]
    a = Explanation(v, feature_names=names)
    b = Explanation(v[:, ::-1].copy(), feature_names=names)
    got = agreement_section([("a", a), ("b", b)])
    top = sorted(range(20), key=lambda j: (-v[0, j], j))[:5]
    assert "<tr><th>a</th><td>" + ", ".join(f"f{j}" for j in top) + "</td></tr>" in got


def test_whole_section_by_hand():
    # importances: a = (3, 2, 1, 0.5, 0.25, 6), b = (6, 5, 4, 3, 2, 1); top five by size;
    # Spearman of the two rankings: ranks a (5, 4, 3, 2, 1, 6) vs b (6, 5, 4, 3, 2, 1): d = (1, 1, 1, 1, 1, 5),
    # rho = 1 - 6 * 30 / (6 * 35) = 1/7 = 0.143
    names = ["f0", "f1", "f2", "f3", "f4", "f5"]
    a = Explanation(np.array([[3.0, -2.0, 1.0, 0.5, 0.25, 6.0]]), feature_names=names)
    b = Explanation(np.array([[6.0, 5.0, 4.0, -3.0, 2.0, 1.0]]), feature_names=names)
    got = agreement_section([("a", a), ("b", b)])
    assert got == (
        "<p>Spearman rank correlation between the global importances (mean absolute attribution per "
        "feature over the explained samples; for anchors, the share of the samples whose anchor uses "
        "the feature) of each pair of explainers: 1 means the same ranking.</p>"
        '<table class="metrics"><tr><th></th><th>a</th><th>b</th></tr>'
        "<tr><th>a</th><td>1.000</td><td>0.143</td></tr><tr><th>b</th><td>0.143</td><td>1.000</td></tr></table>"
        '<h3>Five most important features</h3><table class="kv">'
        "<tr><th>a</th><td>f5, f0, f1, f2, f3</td></tr><tr><th>b</th><td>f0, f1, f2, f3, f4</td></tr></table>"
    )
    # features of no importance are not listed among the five (a depth-2 tree's unused ones)
    c = Explanation(np.array([[0.0, 2.0, 0.0, 0.0, 1.0, 0.0]]), feature_names=names)
    got = agreement_section([("a", a), ("c", c)])
    assert "<tr><th>c</th><td>f1, f4</td></tr>" in got


def test_a_model_setting_reads_as_the_model_row_not_a_cut_repr():
    # the demo's pages showed "Pipeline(steps=[('standardscaler', ... LogisticRegression(max_i..."
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    got = settings_html(ExactShapleyExplainer(make_pipeline(StandardScaler(), LinearRegression())))
    model = "Pipeline: standardscaler (StandardScaler) → linearregression (LinearRegression)"
    assert f"<th>estimator</th><td>{model}</td>" in got
    assert "steps=" not in got and "..." not in got


def test_the_score_row_says_it_is_what_score_returns():
    # it repeated a metric's row at another precision with only a run time beside it (the demo)
    from skxai.report._sections import metrics_html

    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 3))
    ex = ExactShapleyExplainer(LinearRegression().fit(X, X @ [1.0, 2.0, 3.0])).fit(X)
    html = metrics_html(ex, X[:5], ex.explain(X[:5]), [], 5)
    assert "score (" in html and "what explainer.score(X) returns" in html
