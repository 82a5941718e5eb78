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


def test_a_forest_on_dask_workers_gives_the_numbers_of_one_process(dask_process_client):
    """KernelSHAP of a random forest (``n_jobs=None``) with ``n_jobs=-1`` under joblib's Dask
    backend differed from one process by 1e-16 to 2e-16, and from run to run: on the workers,
    the forest's own ``n_jobs=None`` loop ran under the Dask backend that joblib sets for each
    batch, in threads that summed its trees in a varying order (the calling process was already
    kept from it, for ``skxai explain --scheduler``)."""
    from joblib import parallel_config
    from sklearn.ensemble import RandomForestClassifier

    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.normal(size=(40, 4)), columns=["a", "b", "c", "d"])
    model = RandomForestClassifier(n_estimators=10, max_depth=4, random_state=0).fit(X, X.a + X.b > 0)
    explainer = KernelShapExplainer(model, n_samples=32, random_state=0, max_background=20).fit(X)
    expected = explainer.transform(X[:20])
    explainer.set_params(n_jobs=-1)
    for _ in range(2):
        with parallel_config(backend="dask", client=dask_process_client):
            np.testing.assert_array_equal(explainer.transform(X[:20]), expected)
