"""The metrics remove an anchor's features through its background, as for every tabular explainer."""

import numpy as np
import pytest
from sklearn.compose import make_column_transformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder

from skxai import AnchorTabularExplainer, ExactShapleyExplainer
from skxai.metrics import deletion_auc

pd = pytest.importorskip("pandas")


def _data():
    rng = np.random.default_rng(0)
    n = 120
    X = pd.DataFrame({"x": rng.normal(size=n), "colour": rng.choice(["blue", "red", "green"], n)})
    y = ((X["x"] > 0) ^ (X["colour"] == "blue")).astype(int)
    model = make_pipeline(
        make_column_transformer((OneHotEncoder(), ["colour"]), remainder="passthrough"), LogisticRegression()
    ).fit(X, y)
    return X, model


def test_deletion_of_a_table_with_text_columns_is_computed():
    # "Could not convert string to float: 'blue'": anchors were read as an array explainer
    X, model = _data()
    explainer = AnchorTabularExplainer(model, random_state=0).fit(X)
    scores = deletion_auc(explainer, X.iloc[:4])
    assert scores.shape == (4,) and np.isfinite(scores).all()


def test_removed_features_take_the_background_not_zeros():
    # zeros (the array default) on numbers: rows the data never holds, beside the other
    # explainers' background in one report
    X, model = _data()
    numeric = X.assign(colour=(X["colour"] == "blue").astype(float))
    num_model = LogisticRegression().fit(numeric, model.predict(X))
    explainer = AnchorTabularExplainer(num_model, random_state=0).fit(numeric)
    view = explainer.perturbation_view(numeric.iloc[:3])
    assert [g.tolist() for g in view.groups] == [[0], [1]]
    np.testing.assert_array_equal(view.background, explainer.background_[np.linspace(0, 119, 100).astype(int)])
    # the same removals as a tabular explainer of that background, given the anchors' values
    exact = ExactShapleyExplainer(num_model, target="predicted").fit(view.background)
    rows = numeric.iloc[:3]
    marks = explainer.transform(rows)
    np.testing.assert_allclose(deletion_auc(explainer, rows), deletion_auc(exact, rows, attributions=marks))


def test_a_large_fit_set_is_thinned_for_the_metrics():
    # anchors keep every fit row: each removal averaged over all of them (27 s for a report's
    # metrics on 20,000 rows)
    X, model = _data()
    big = pd.concat([X] * 10, ignore_index=True)
    explainer = AnchorTabularExplainer(model, random_state=0).fit(big)
    assert len(explainer.background_) == len(big)
    assert len(explainer.perturbation_view(X.iloc[:2]).background) == 100
