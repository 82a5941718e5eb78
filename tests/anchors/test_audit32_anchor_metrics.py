"""The metrics remove an anchor's features through its background, as for every tabular explainer."""

import numpy as np
import pytest
from sklearn.compose import make_column_transformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder

from skxai import AnchorTabularExplainer
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
    np.testing.assert_array_equal(view.background, explainer.background_)
    np.testing.assert_allclose(
        deletion_auc(explainer, numeric.iloc[:3]), deletion_auc(explainer, numeric.iloc[:3], baseline="zeros")
    )
