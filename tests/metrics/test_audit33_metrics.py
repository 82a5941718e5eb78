"""Metrics (an outside audit, session 33): ImageShapley's heatmaps give every pixel its region's
whole value, so the metrics that sum attributions over removed pixels take each pixel's share;
the randomisation checks refuse documents by name."""

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression, LogisticRegression

from skxai import ImageShapleyExplainer
from skxai.metrics import (
    completeness_gap,
    data_randomization_test,
    faithfulness_correlation,
    infidelity,
    model_randomization_test,
)


def _additive_over_unequal_regions():
    rng = np.random.RandomState(0)
    probe = ImageShapleyExplainer(
        LinearRegression().fit(rng.normal(size=(30, 25)), rng.normal(size=30)),
        method="exact",
        image_shape=(5, 5),
        n_segments=(2, 2),
    ).fit(np.zeros((2, 25)))
    seg = probe.explain(np.ones((1, 25))).segments[0]
    sizes = np.bincount(seg.ravel())
    assert len(set(sizes.tolist())) > 1  # regions of unequal sizes
    w = (np.array([4.0, -1.0, 2.5, 1.0]) / sizes)[seg].ravel()  # each pixel its region's share
    X_train = rng.normal(size=(200, 25))
    model = LinearRegression().fit(X_train, X_train @ w)
    ex = ImageShapleyExplainer(model, method="exact", image_shape=(5, 5), n_segments=(2, 2)).fit(np.zeros((2, 25)))
    X = np.ones((4, 25)) * np.array([[1.0], [2.0], [0.5], [3.0]])  # uniform: shares are exact
    return ex, X


def test_exact_region_values_of_a_model_additive_over_regions_score_as_exact():
    ex, X = _additive_over_unequal_regions()
    np.testing.assert_allclose(completeness_gap(ex, X), 0, atol=1e-10)
    np.testing.assert_allclose(faithfulness_correlation(ex, X, n_subsets=100), 1.0, atol=1e-9)
    np.testing.assert_allclose(infidelity(ex, X, perturbation="subset", n_perturbations=100), 0.0, atol=1e-12)


def test_the_explainers_own_attributions_score_the_same_given_or_computed():
    # the report passes them (exp.target_values): its faithfulness row read 0.95 beside a score of 1
    ex, X = _additive_over_unequal_regions()
    own = ex.transform(X)
    np.testing.assert_allclose(faithfulness_correlation(ex, X, n_subsets=100, attributions=own), 1.0, atol=1e-9)
    np.testing.assert_allclose(
        infidelity(ex, X, perturbation="subset", n_perturbations=100, attributions=ex.explain(X)), 0.0, atol=1e-12
    )


@pytest.mark.parametrize("flat", [False, True])
def test_a_regions_value_counts_once_over_its_channels_too(flat):
    rng = np.random.RandomState(1)
    shape = (3, 4, 4)
    probe = ImageShapleyExplainer(
        LinearRegression().fit(rng.normal(size=(30, 48)), rng.normal(size=30)),
        method="exact",
        image_shape=shape,
        n_segments=(2, 2),
    ).fit(np.zeros((2, 48)))
    seg = probe.explain(np.ones((1, 48))).segments[0]
    sizes = np.bincount(seg.ravel())
    w = np.broadcast_to((np.array([4.0, -1.0, 2.5, 1.0]) / sizes)[seg] / 3, shape).ravel()
    X_train = rng.normal(size=(300, 48))
    model = LinearRegression().fit(X_train, X_train @ w)
    X = np.ones((2, 48))  # x = 1: each element's share is the model's weight (Gaussian infidelity's 0)
    if not flat:
        model_in = model

        def model(images):  # the same model on (n, C, H, W) images
            return model_in.predict(np.asarray(images).reshape(len(images), -1))

        X = X.reshape(2, *shape)
    kwargs = {"image_shape": shape} if flat else {}
    ex = ImageShapleyExplainer(model, method="exact", n_segments=(2, 2), **kwargs).fit(np.zeros((2, *X.shape[1:])))
    for perturbation in ("subset", "gaussian"):
        got = infidelity(ex, X, perturbation=perturbation, n_perturbations=100, normalize=False)
        np.testing.assert_allclose(got, 0.0, atol=1e-10)


@pytest.mark.parametrize("check", [model_randomization_test, data_randomization_test])
def test_the_randomisation_checks_refuse_documents_by_name(check):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_pipeline

    from skxai.surrogate import LimeTextExplainer

    docs = ["good film", "bad film", "good plot", "bad plot", "fine acting", "poor acting"]
    model = make_pipeline(TfidfVectorizer(), LogisticRegression()).fit(docs, [1, 0, 1, 0, 1, 0])
    ex = LimeTextExplainer(model, n_samples=50, random_state=0).fit(docs)
    kwargs = {} if check is model_randomization_test else {"X_train": docs, "y_train": [1, 0, 1, 0, 1, 0]}
    with pytest.raises(ValueError, match=f"{check.__name__} does not apply to text"):
        check(ex, docs[:2], **kwargs)


def test_a_tables_text_column_is_no_document_to_the_randomisation_checks():
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder

    from skxai import ExactShapleyExplainer

    rng = np.random.RandomState(0)
    colour = rng.choice(["red", "green", "blue"], 80)
    X = np.empty((80, 3), dtype=object)
    X[:, 0], X[:, 1:] = colour, rng.normal(size=(80, 2))
    y = ((colour == "red") ^ (X[:, 1].astype(float) > 0)).astype(int)
    model = make_pipeline(
        ColumnTransformer([("oh", OneHotEncoder(), [0])], remainder="passthrough"), LogisticRegression()
    )
    model.fit(X, y)
    ex = ExactShapleyExplainer(model, random_state=0).fit(X[:20])
    assert data_randomization_test(ex, X[:8], X_train=X, y_train=y).records
    assert model_randomization_test(ex, X[:8]).records
