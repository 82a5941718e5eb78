"""Metamorphic checks of the tabular Shapley explainers found failing by the audit4 fuzzer."""

import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestClassifier

from skxai import TreeShapExplainer


def _forest():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(80, 4))
    y = (X[:, 0] * X[:, 1] > 0).astype(int) + (X[:, 2] > 0)
    return RandomForestClassifier(n_estimators=5, max_depth=4, random_state=0).fit(X, y), X


def test_interaction_values_take_a_list_and_a_reordered_dataframe():
    # interaction_values read X.shape before converting X: a list of rows (which transform
    # and explain take) failed with AttributeError: 'list' object has no attribute 'shape'
    model, X = _forest()
    explainer = TreeShapExplainer(model).fit(X)
    ref = explainer.interaction_values(X[:3])
    np.testing.assert_array_equal(explainer.interaction_values(X[:3].tolist()), ref)
    # and every row of interaction values still sums to that row's Shapley values
    np.testing.assert_allclose(ref.sum(axis=2), explainer.explain(X[:3]).values, atol=1e-12)

    cols = ["a", "b", "c", "d"]
    df = pd.DataFrame(X, columns=cols)
    model_df = RandomForestClassifier(n_estimators=5, max_depth=4, random_state=0).fit(df, model.predict(X))
    explainer_df = TreeShapExplainer(model_df).fit(df)
    ref_df = explainer_df.interaction_values(df.iloc[:3])
    shuffled = df.iloc[:3][["c", "a", "d", "b"]]
    np.testing.assert_array_equal(explainer_df.interaction_values(shuffled), ref_df)
