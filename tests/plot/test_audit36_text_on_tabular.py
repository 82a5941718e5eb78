"""The text highlight refuses a tabular explanation (session 36: it drew the feature names as a
document, and a single feature's name letter by letter)."""

import matplotlib
import pytest
from sklearn.datasets import load_wine
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skxai import ExactShapleyExplainer
from skxai.plot import TextHighlightDisplay

matplotlib.use("Agg")


def test_a_tabular_explanation_is_refused_by_the_text_highlight():
    X, y = load_wine(return_X_y=True, as_frame=True)
    X = X.iloc[:, :5]
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500)).fit(X, y)
    exp = ExactShapleyExplainer(model).fit(X.iloc[:30]).explain(X.iloc[:4])
    for view in (exp, exp[..., 1], exp[:, "alcohol"]):
        with pytest.raises(ValueError, match="draws text explanations.*a tabular explanation"):
            TextHighlightDisplay.from_explanation(view)


def test_documents_given_as_tokens_are_still_text():
    import numpy as np

    from skxai import Explanation

    for data in (
        [["great", "film"]],
        np.array([np.array(["great", "film"], dtype=object)], dtype=object),
        np.array([["great", "film"]]),
        [b"great film"],
    ):
        exp = Explanation(np.array([[0.5, -0.2]]), data=data, feature_names=["great", "film"])
        disp = TextHighlightDisplay.from_explanation(exp)
        assert disp is not None
