"""One target per sample where the docs allow it: text LIME and the controls on images."""

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from skxai import LimeTextExplainer, RandomExplainer

DOCS = ["good movie great", "bad film awful", "great acting", "awful plot bad", "good good", "bad", "fine okay"]
LABELS = ["pos", "neg", "pos", "neg", "pos", "neg", "mid"]


def test_text_lime_explains_each_document_for_its_own_target():
    pipe = make_pipeline(TfidfVectorizer(), LogisticRegression()).fit(DOCS, LABELS)
    classes = list(pipe.classes_)
    both = LimeTextExplainer(pipe, target=["neg", "pos"], n_samples=60, random_state=0).fit(DOCS)
    np.testing.assert_array_equal(both.target_indices(DOCS[:2]), [classes.index("neg"), classes.index("pos")])
    weights = both.explain(DOCS[:2]).weights
    for i, label in enumerate(["neg", "pos"]):
        alone = LimeTextExplainer(pipe, target=label, n_samples=60, random_state=0).fit(DOCS)
        np.testing.assert_allclose(weights[i], alone.explain([DOCS[i]]).weights[0], rtol=1e-12, atol=1e-15)
    with pytest.raises(ValueError, match="target holds 2 entries .* 3 samples"):
        both.transform(DOCS[:3])


def test_controls_on_images_resolve_per_sample_targets():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(3, 1, 4, 4))

    def model(A):
        A = np.asarray(A).reshape(len(A), -1)
        return np.stack([A.sum(1), -A.sum(1), A[:, 0]], axis=1)

    ex = RandomExplainer(model, target=np.array([2, 0, 1]), random_state=0).fit(X)
    np.testing.assert_array_equal(ex.target_indices(X), [2, 0, 1])
