"""Audit of text anchors on inputs its authors did not use."""

import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from skxai.anchors import AnchorTextExplainer

DOCS = ["great film loved it", "terrible boring film", "okay average movie",
        "wonderful acting great", "awful slow plot", "fine but forgettable"] * 3
LABELS = ["pos", "neg", "mid", "pos", "neg", "mid"] * 3


@pytest.fixture(scope="module")
def fitted():
    model = make_pipeline(TfidfVectorizer(), LogisticRegression()).fit(DOCS, LABELS)
    return AnchorTextExplainer(model, random_state=0).fit(DOCS)


def test_estimate_precision_refuses_an_explanation_of_other_documents(fitted):
    # the anchors' token positions were applied to whatever documents were passed: swapped or
    # unrelated documents got a precision for anchors nobody found, silently
    docs = ["awful awful film but great acting", "great film"]
    exp = fitted.explain(docs)
    assert fitted.estimate_precision(docs, exp, n_samples=50, random_state=0).shape == (2,)
    for other in (docs[::-1], docs[:1], ["a b c d e f g h", "x"]):
        with pytest.raises(ValueError, match="explanation was not computed on these documents"):
            fitted.estimate_precision(other, exp, n_samples=50, random_state=0)


def test_estimate_precision_memory_is_refused_before_any_work(fitted, monkeypatch):
    # n_samples fresh copies of every document were drawn and rendered at once, unbounded: a
    # long document with a large n_samples allocated until the process died
    from skxai.utils import _memory

    docs = [" ".join(f"w{j}" for j in range(2000)) + " great"]
    exp = fitted.explain(docs)
    monkeypatch.setattr(_memory, "MAX_WORKING_BYTES", 2**24)
    with pytest.raises(ValueError, match="n_samples=1000"):
        fitted.estimate_precision(docs, exp, n_samples=1000, random_state=0)
    assert fitted.estimate_precision(docs, exp, n_samples=50, random_state=0).shape == (1,)


def test_tabular_estimate_precision_refuses_an_explanation_of_other_rows():
    from sklearn.datasets import load_iris
    from sklearn.ensemble import RandomForestClassifier

    from skxai.anchors import AnchorTabularExplainer

    X, y = load_iris(return_X_y=True)
    model = RandomForestClassifier(n_estimators=5, random_state=0).fit(X, y)
    explainer = AnchorTabularExplainer(model, random_state=0).fit(X)
    exp = explainer.explain(X[:3])
    assert explainer.estimate_precision(X[:3], exp).shape == (3,)
    for other in (X[[2, 1, 0]], X[50:53], X[:2]):
        with pytest.raises(ValueError, match="not computed on these rows"):
            explainer.estimate_precision(other, exp)
