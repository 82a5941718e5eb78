"""Audit of LIME on inputs its authors did not use (degenerate kernels, memory bounds)."""

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.pipeline import make_pipeline

from skxai.surrogate import LimeExplainer, LimeTextExplainer

DOCS = ["great film loved it", "terrible boring film", "okay average movie",
        "wonderful acting great", "awful slow plot", "fine but forgettable"] * 3
LABELS = ["pos", "neg", "mid", "pos", "neg", "mid"] * 3


@pytest.fixture(scope="module")
def text_model():
    return make_pipeline(TfidfVectorizer(), LogisticRegression()).fit(DOCS, LABELS)


def test_tiny_kernel_width_text_is_refused_not_zero_weights(text_model):
    # every perturbation but the document got kernel weight 0: the weights came back all 0
    # with a "perfect" score of 1
    lime = LimeTextExplainer(text_model, n_samples=200, kernel_width=1e-6, random_state=0).fit(DOCS)
    with pytest.raises(ValueError, match="kernel_width"):
        lime.explain(["great film loved it"])


def test_tiny_kernel_width_tabular_is_refused_not_zero_weights():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(50, 3))
    model = LinearRegression().fit(X, X @ [2.0, -1.0, 1.0])
    lime = LimeExplainer(model, n_samples=200, kernel_width=1e-8, random_state=0).fit(X)
    with pytest.raises(ValueError, match="kernel_width"):
        lime.explain(X[:2])


def test_text_memory_is_refused_before_any_work(text_model, monkeypatch):
    # nothing bounded a text document's perturbations: a long document with a large
    # n_samples allocated (n_samples, n_words) arrays and texts until the process died
    from skxai.utils import _memory

    monkeypatch.setattr(_memory, "MAX_WORKING_BYTES", 2**23)
    lime = LimeTextExplainer(text_model, n_samples=5000, random_state=0).fit(DOCS)
    calls = []
    real = lime.output_

    class Spy:  # counts the model calls (outputs, and predict for target="predicted")
        def __call__(self, texts):
            calls.append(len(texts))
            return real(texts)

        def predicted(self, texts, outputs=None):
            calls.append(len(texts))
            return real.predicted(texts, outputs)

    lime.output_ = Spy()
    doc = " ".join(f"word{i}" for i in range(2000))
    with pytest.raises(ValueError, match="n_samples=5000"):
        lime.explain([doc])
    assert calls == []
    # a short document still fits
    assert lime.explain(["great film"]).weights[0].shape == (2,)


def test_alpha_zero_singular_design_is_refused_tabular():
    # n_samples=6 for 4 features with alpha=0: the normal matrix was singular and the weights
    # arbitrary (e.g. 11.6 for a true 8.0), with only scipy's LinAlgWarning
    X = np.random.RandomState(0).normal(size=(30, 4))
    model = LinearRegression().fit(X, X @ [1.0, 2.0, 3.0, 4.0])
    lime = LimeExplainer(model, n_samples=6, alpha=0.0, random_state=0).fit(X)
    with pytest.raises(ValueError, match="singular design"):
        lime.explain(X[:1])
    # enough perturbations: exact for a linear model with perturbation="average"
    lime = LimeExplainer(model, n_samples=200, alpha=0.0, perturbation="average", random_state=0).fit(X)
    np.testing.assert_allclose(lime.transform(X[:1])[0], model.coef_ * (X[0] - X.mean(axis=0)), atol=1e-8)


def test_alpha_zero_singular_design_is_refused_text(text_model):
    # two perturbations of a four-word document cannot determine four weights: they came back
    # all equal with a "perfect" score of 1
    lime = LimeTextExplainer(text_model, n_samples=2, alpha=0.0, random_state=0).fit(DOCS)
    with pytest.raises(ValueError, match="singular design"):
        lime.explain(["great film loved it"])


def test_text_documents_are_grouped_within_memory(text_model, monkeypatch):
    # documents were grouped by batch_size alone: many long documents with a small n_samples
    # were all perturbed and held at once, whatever their length
    import skxai.surrogate._lime_text as lime_text
    from skxai.utils import _memory

    docs = [" ".join(f"w{i}x{j}" for j in range(200)) + " great" for i in range(6)]
    lime = LimeTextExplainer(text_model, n_samples=20, random_state=0).fit(DOCS)
    together = lime.explain(docs)
    assert together.total_model_calls == 1
    from skxai._text import DEFAULT_TOKEN_PATTERN, TokenizedDoc, compile_pattern, perturbed_doc_bytes

    one = perturbed_doc_bytes(TokenizedDoc(docs[0], compile_pattern(DEFAULT_TOKEN_PATTERN), "word"), 20,
                              lime_text.LIME_BYTES_PER_UNIT)
    monkeypatch.setattr(_memory, "MAX_WORKING_BYTES", 2 * one + 1)
    apart = lime.explain(docs)
    assert apart.total_model_calls == 3
    for a, b in zip(together.weights, apart.weights, strict=True):
        np.testing.assert_allclose(a, b)


def test_tabular_data_follows_the_fit_column_order():
    # a DataFrame explained with its columns in another order: values and feature_names are in
    # the fit order, but ``data`` kept the caller's order, so each weight sat beside another
    # column's value (data[0] showed c's value under the name "a")
    import pandas as pd

    rng = np.random.RandomState(0)
    df = pd.DataFrame(rng.normal(size=(60, 3)), columns=["a", "b", "c"])
    model = LinearRegression().fit(df, df.to_numpy() @ [3.0, -1.0, 0.5])
    lime = LimeExplainer(model, n_samples=200, random_state=0).fit(df)
    exp = lime.explain(df[["c", "b", "a"]].iloc[:2])
    assert list(exp.feature_names) == ["a", "b", "c"]
    np.testing.assert_array_equal(np.asarray(exp.data), df.to_numpy()[:2])


def test_text_per_document_target_is_honoured():
    # resolve_target accepts one class per document (as the tabular explainers do), but explain
    # compared that whole array with "predicted" and died with "truth value of an array is
    # ambiguous"
    lime = LimeTextExplainer(text_model_fit(), n_samples=200, random_state=0,
                             target=["pos", "neg"]).fit(DOCS)
    docs = ["great film loved it", "terrible boring film"]
    exp = lime.explain(docs)
    classes = list(lime.output_names_)
    assert exp.target.tolist() == [classes.index("pos"), classes.index("neg")]
    assert lime.target_indices(docs).tolist() == exp.target.tolist()
    for i, c in enumerate(["pos", "neg"]):
        one = LimeTextExplainer(lime.estimator_, n_samples=200, random_state=0, target=c).fit(DOCS)
        np.testing.assert_allclose(exp.weights[i], one.explain([docs[i]]).weights[0])
    with pytest.raises(ValueError, match="one per sample"):
        lime.explain(docs[:1])


def text_model_fit():
    return make_pipeline(TfidfVectorizer(), LogisticRegression()).fit(DOCS, LABELS)
