"""A k-means background for models that read some columns as categories (audit 3)."""

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from skxai import ExactShapleyExplainer
from tests._enumeration import shapley_by_enumeration


def _weighted_brute_force(f, x, background, weights):
    p = background.shape[1]

    def value(S):
        rows = background.copy()
        rows[:, list(S)] = x[list(S)]
        return weights @ f(rows)

    return shapley_by_enumeration(value, p)


def test_kmeans_background_keeps_real_category_codes():
    # HistGradientBoosting reading column 1 as categories: k-means centroids averaged its
    # codes into values no row holds (0.44, 2.42, 2.79 for categories 0..3), so
    # expected_value_ and every value described rows the model never sees (TreeShapExplainer
    # refuses kmeans there). The medoids, real rows, are kept instead, as for integer columns.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 3))
    X[:, 1] = rng.randint(0, 4, 300)
    y = np.digitize(X[:, 0] + (X[:, 1] == 2) - X[:, 2], [-0.5, 0.5])
    hgb = HistGradientBoostingClassifier(max_iter=10, categorical_features=[1], random_state=0).fit(X, y)
    for model in (hgb, make_pipeline(FunctionTransformer(), hgb)):
        explainer = ExactShapleyExplainer(FrozenEstimator(model), max_background=5, background="kmeans", random_state=0)
        explainer.fit(X)
        bg, w = explainer.background_, explainer.background_weights_
        assert all((X == row).all(axis=1).any() for row in bg)  # real rows
        assert set(bg[:, 1]) <= {0.0, 1.0, 2.0, 3.0}
        np.testing.assert_allclose(explainer.expected_value_, w @ model.predict_proba(bg), atol=1e-12)
        expected = np.stack([_weighted_brute_force(model.predict_proba, x, bg, w) for x in X[:2]])
        np.testing.assert_allclose(explainer.explain(X[:2]).values, expected, atol=1e-12)
