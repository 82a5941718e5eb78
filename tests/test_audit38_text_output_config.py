"""The text explainers' sparse (documents x vocabulary) attributions under the global
transform_output="pandas" stay sparse (transform failed with scikit-learn's own "outputs a
scipy sparse matrix"), and a dataframe asked of the explainer itself is refused, saying why."""

import numpy as np
import pytest
import scipy.sparse as sp
import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.frozen import FrozenEstimator
from sklearn.naive_bayes import MultinomialNB
from sklearn.pipeline import make_pipeline

from skxai import AnchorTextExplainer, LimeTextExplainer

pytest.importorskip("pandas")

DOCS = [
    "lovely film superb cast",
    "dreadful story tedious ending",
    "charming scene lovely score",
    "clumsy film mess story",
    "superb ending delight",
    "tedious cast dreadful scene",
] * 5
LABELS = ["good", "bad", "good", "bad", "good", "bad"] * 5
MODEL = FrozenEstimator(make_pipeline(TfidfVectorizer(), MultinomialNB()).fit(DOCS, LABELS))
MAKERS = [
    lambda: LimeTextExplainer(MODEL, n_samples=50, random_state=0),
    lambda: AnchorTextExplainer(MODEL, threshold=0.8, n_examples=1, random_state=0),
]


@pytest.mark.parametrize("make", MAKERS)
def test_sparse_attributions_stay_sparse_under_the_global_pandas_output(make):
    plain = make().fit(DOCS).transform(DOCS[:2])
    with sklearn.config_context(transform_output="pandas"):
        ex = make().fit(DOCS)
        out = ex.transform(DOCS[:2])
    assert sp.issparse(out)
    np.testing.assert_array_equal(out.toarray(), plain.toarray())


@pytest.mark.parametrize("make", MAKERS)
def test_a_dataframe_asked_of_a_text_explainer_is_refused_saying_why(make):
    ex = make().fit(DOCS).set_output(transform="pandas")
    with pytest.raises(ValueError, match=r"sparse \(documents x vocabulary\) matrix.*transform='default'"):
        ex.transform(DOCS[:2])
    assert sp.issparse(ex.set_output(transform="default").transform(DOCS[:2]))
