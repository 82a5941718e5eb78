"""A frame's problems are named where they are."""

import numpy as np
import pytest
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import Ridge

from skxai import AnchorTabularExplainer, KernelShapExplainer

pd = pytest.importorskip("pandas")


def _frame():
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "a": rng.normal(size=30),
            "count": pd.array([None if i == 17 else i for i in range(30)], dtype="Int64"),
        },
        index=[f"r{i}" for i in range(30)],
    )


def test_a_missing_cell_for_a_model_without_missing_values_is_located():
    # "Input contains NaN." named no column, no row and no way out
    X = _frame()
    model = FrozenEstimator(Ridge().fit(X.fillna(0).astype(float), np.arange(30.0)))
    with pytest.raises(ValueError, match=r"row 'r17', column 'count' \(1 cell\(s\) in all\).*impute"):
        KernelShapExplainer(model).fit(X)
    explainer = KernelShapExplainer(model).fit(X.dropna())
    with pytest.raises(ValueError, match=r"row 'r17', column 'count'"):
        explainer.transform(X.iloc[15:20])
    with pytest.raises(ValueError, match=r"row 1, column 0 .*Pass finite values"):
        KernelShapExplainer(model).fit(X.dropna()).transform(np.array([[0.0, 1.0], [np.inf, 2.0]]))


def test_column_names_that_read_alike_as_text_are_refused():
    # the int 1 and the str '1' were two features named '1'
    X = pd.DataFrame(np.random.default_rng(0).normal(size=(20, 3)), columns=[1, "1", "b"])
    with pytest.raises(ValueError, match="read alike as text"):
        AnchorTabularExplainer(lambda D: (np.asarray(D)[:, 0] > 0).astype(int)).fit(X)
