"""The report names its local samples by their row labels."""

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression

from skxai import ExactShapleyExplainer
from skxai.report._sections import _sample_name

pd = pytest.importorskip("pandas")


def test_local_samples_are_named_by_their_row_labels():
    # "highest output (sample 35)" was the row 'cust-1135', which the page never named
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(12, 3)), columns=list("abc"), index=[f"cust-{i}" for i in range(12)])
    exp = ExactShapleyExplainer(LinearRegression().fit(X, X.sum(axis=1))).fit(X).explain(X.iloc[2:6])
    assert _sample_name(exp, 1) == "sample 1, row 'cust-3'"
    plain = ExactShapleyExplainer(LinearRegression().fit(X.to_numpy(), X.sum(axis=1))).fit(X.to_numpy())
    assert _sample_name(plain.explain(X.to_numpy()[:3]), 1) == "sample 1"
    assert _sample_name(plain.explain(X.reset_index(drop=True).to_numpy()[:3]), 2) == "sample 2"


def test_numeric_row_labels_read_as_numbers():
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(12, 3)), columns=list("abc"), index=np.arange(100, 112))
    exp = ExactShapleyExplainer(LinearRegression().fit(X, X.sum(axis=1))).fit(X).explain(X.iloc[2:6])
    assert _sample_name(exp, 1) == "sample 1, row 103"  # not np.int64(103)
