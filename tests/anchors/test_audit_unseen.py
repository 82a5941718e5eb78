"""Audit of anchors on inputs their authors did not use (frames with columns reordered)."""

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression

from skxai.anchors import AnchorTabularExplainer


def _frame_model():
    rng = np.random.RandomState(0)
    df = pd.DataFrame(rng.normal(size=(300, 3)), columns=["a", "b", "c"])
    return df, LogisticRegression().fit(df, (df.a > 0).astype(int))


def test_tabular_data_follows_the_fit_column_order():
    # rows given with their columns in another order: values, feature_names and anchors are in
    # the fit order, but ``data`` kept the caller's order (each indicator beside another
    # column's value), and estimate_precision refused the explanation of these very rows
    df, model = _frame_model()
    est = AnchorTabularExplainer(model, random_state=0).fit(df)
    rows = df[["c", "b", "a"]].iloc[:3]
    exp = est.explain(rows)
    assert list(exp.feature_names) == ["a", "b", "c"]
    np.testing.assert_array_equal(np.asarray(exp.data), df.to_numpy()[:3])
    got = est.estimate_precision(rows, exp)
    np.testing.assert_array_equal(got, est.estimate_precision(df.iloc[:3], est.explain(df.iloc[:3])))
