"""Shapley regression values of Pipelines over pandas, against brute force (audit 3)."""

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skxai import ShapleyRegressionExplainer
from tests._enumeration import shapley_by_enumeration


def _brute_force(estimator, df, y, rows, groups):
    """Shapley values of ``v(S) = f_S(x_S)``, each ``f_S`` fitted on the sub-frame of S."""
    prior = np.bincount(y) / len(y)
    p = len(groups)

    def value(S):
        cols = [c for c in df.columns if any(c in groups[g] for g in S)]
        if not cols:
            return np.tile(prior, (len(rows), 1))
        return clone(estimator).fit(df[cols], y).predict_proba(rows[cols])

    return np.moveaxis(shapley_by_enumeration(value, p), 0, 1)  # (rows, players, classes)


def test_pipeline_selecting_frame_columns_by_dtype_is_retrained_on_sub_frames():
    # The subset models were trained on bare arrays while the full model got the frame: a
    # ColumnTransformer choosing columns by dtype or name pattern (make_column_selector), which
    # trains on any subset of a frame's columns, failed on every subset ("make_column_selector
    # can only be applied to pandas dataframes") with advice blaming the model's width.
    rng = np.random.RandomState(0)
    n = 120
    df = pd.DataFrame({"a": rng.normal(size=n), "age": rng.randint(18, 80, size=n), "b": rng.normal(size=n)})
    y = np.digitize(df.a + 0.05 * (df.age - 50) - df.b, [-0.5, 0.5])
    scale = ColumnTransformer([("s", StandardScaler(), make_column_selector(dtype_include=np.number))])
    model = make_pipeline(scale, LogisticRegression())
    for groups in (None, {"ab": ["b", "a"], "age": ["age"]}):
        explainer = ShapleyRegressionExplainer(model, feature_groups=groups).fit(df, y)
        exp = explainer.explain(df.iloc[:3])
        players = [["a"], ["age"], ["b"]] if groups is None else [["a", "b"], ["age"]]
        np.testing.assert_allclose(exp.values, _brute_force(model, df, y, df.iloc[:3], players), atol=1e-10)
        np.testing.assert_allclose(
            exp.values.sum(axis=1) + exp.base_values, explainer.predict_proba(df.iloc[:3]), atol=1e-12
        )
