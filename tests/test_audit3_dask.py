"""Dask collections the earlier audits did not try: a dataframe indexed by a named column of
another type than integers, where the lazy result's meta must say what computing gives."""

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import Ridge

from skxai import KernelShapExplainer

dd = pytest.importorskip("dask.dataframe")
dask = pytest.importorskip("dask")


@pytest.mark.parametrize(
    "index",
    [
        pd.Index([f"r{i}" for i in range(12)], name="key"),
        pd.date_range("2020-01-01", periods=12, name="day"),
        pd.Index(np.arange(12) * 0.5, name="t"),
    ],
    ids=["text", "dates", "floats"],
)
def test_the_lazy_index_is_the_inputs(index):
    """The lazy attributions of a dask dataframe declared an unnamed integer index whatever
    the input's (a text "key", dates): ``lazy.reset_index()`` then declared a column "index"
    of integers and computed one named "key" holding text."""
    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.normal(size=(12, 3)), columns=["a", "b", "c"], index=index)
    explainer = KernelShapExplainer(Ridge().fit(X, X.a), n_samples=16, random_state=0).fit(X)
    with dask.config.set(scheduler="synchronous"):
        dX = dd.from_pandas(X, npartitions=3)  # sorted by the index, text as dask stores it
        lazy = explainer.transform(dX)
        got, rows = lazy.compute(), dX.compute()
        flat = lazy.reset_index()
        assert list(flat.columns) == list(flat.compute().columns) == [index.name, "a", "b", "c"]
    assert lazy.index.dtype == got.index.dtype == rows.index.dtype
    assert lazy.index.name == got.index.name == index.name
    pd.testing.assert_index_equal(got.index, rows.index)
    np.testing.assert_array_equal(got.to_numpy(), explainer.transform(X.loc[rows.index.astype(index.dtype)]))
