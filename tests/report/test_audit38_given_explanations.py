"""make_report(explanations=...): an explanation of other rows is refused, and one whose features
were reordered is scored by name (its values were read by position)."""

import re
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_wine
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skxai import KernelShapExplainer
from skxai.report import make_report

pytest.importorskip("matplotlib")


@pytest.fixture(scope="module")
def fitted():
    X, y = load_wine(return_X_y=True, as_frame=True)
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500)).fit(X, y)
    ex = KernelShapExplainer(model, n_samples=60, max_background=10, target=0, random_state=0).fit(X)
    return ex, X


def _metric(ex, X, exp):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        given = {} if exp is None else {"explanations": {"ks": exp}}
        report = make_report({"ks": ex}, X, n_local=1, metrics=["deletion_auc"], n_metric_samples=len(X), **given)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", report.html))
    found = re.search(r"deletion_auc (-?[0-9.]+) ±", text)
    return (None if found is None else float(found.group(1))), [str(w.message) for w in caught]


def test_an_explanation_of_other_rows_is_refused(fitted):
    ex, X = fitted
    rows = X.iloc[:8]
    value, said = _metric(ex, rows, ex.explain(X.iloc[60:68]))
    assert value is None
    assert any("computed for other rows than X[:max_samples]" in m for m in said)


def test_reordered_features_are_scored_by_name(fitted):
    ex, X = fitted
    rows = X.iloc[:8]
    exp = ex.explain(rows)
    whole, _ = _metric(ex, rows, exp)
    reordered, said = _metric(ex, rows, exp[:, list(X.columns[::-1])])
    assert whole is not None and reordered == whole, said


def test_a_grouped_beeswarm_is_not_captioned_as_coloured_by_value(fitted):
    ex, X = fitted
    cols = list(X.columns)
    grouped = KernelShapExplainer(
        ex.estimator, n_samples=60, max_background=10, target=0, random_state=0,
        feature_groups={"first": cols[:6], "rest": cols[6:]},
    ).fit(X)  # fmt: skip
    text = re.sub(r"\s+", " ", make_report({"g": grouped}, X.iloc[:6], n_local=1, metrics=[]).html)
    assert "in one colour (feature groups have no single value to colour them by)" in text
    assert "red high, blue low" not in text
    plain = re.sub(r"\s+", " ", make_report({"k": ex}, X.iloc[:6], n_local=1, metrics=[]).html)
    assert "red high, blue low" in plain


def test_a_column_transformer_pipelines_metrics_are_computed():
    # the steps name the features num__a ... while the explainer's players are x0 ...: the
    # metrics matched the explanation by name and refused every metric (a review, session 38)
    import pandas as pd
    from sklearn.compose import ColumnTransformer

    from skxai import ExactShapleyExplainer
    from skxai.metrics import deletion_auc

    rng = np.random.RandomState(0)
    df = pd.DataFrame(rng.randn(120, 4), columns=list("abcd"))
    y = (df.a + df.b > 0).astype(int)
    ct = ColumnTransformer([("num", StandardScaler(), list("abcd"))]).fit(df)
    clf = LogisticRegression().fit(ct.transform(df), y)
    explainer = ExactShapleyExplainer(clf, max_background=10, target=1, random_state=0)
    pipe = make_pipeline(ct, explainer).fit(df)
    rows = df.iloc[:12]
    value, said = _metric(pipe, rows, None)
    inner = pipe[-1]
    expected = np.mean(deletion_auc(inner, ct.transform(rows)))
    assert value is not None, said
    assert value == pytest.approx(expected, abs=5e-4)


def test_step_names_that_are_also_player_names_are_read_as_the_steps():
    # the steps name the columns x3, x2, x1, x0 while the explainer's players are x0 ... x3: an
    # explanation named by the steps and one of the inner explainer are scored alike (a review)
    import pandas as pd
    from sklearn.compose import ColumnTransformer

    from skxai import ExactShapleyExplainer, explain
    from skxai.metrics import deletion_auc

    rng = np.random.RandomState(0)
    df = pd.DataFrame(rng.randn(120, 4), columns=["x0", "x1", "x2", "x3"])
    y = (3 * df.x0 + df.x1 > 0).astype(int)
    ct = ColumnTransformer([("n", StandardScaler(), ["x3", "x2", "x1", "x0"])], verbose_feature_names_out=False).fit(df)
    clf = LogisticRegression().fit(ct.transform(df), y)
    pipe = make_pipeline(ct, ExactShapleyExplainer(clf, max_background=10, target=1, random_state=0)).fit(df)
    rows = df.iloc[:12]
    truth = np.mean(deletion_auc(pipe[-1], ct.transform(rows)))
    stepped = explain(pipe, rows)
    inner = pipe[-1].explain(pipe[:-1].transform(rows))
    for given in (None, stepped, stepped[:, [2, 0, 3, 1]], inner):
        value, said = _metric(pipe, rows, given)
        assert value == pytest.approx(truth, abs=5e-3), said
