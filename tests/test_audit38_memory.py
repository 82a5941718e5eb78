"""transform returns one output: its rows are not refused for the size of every output's values
(the chunks keep the explained output only), and a Dask block's refusal names the blocks."""

import warnings

import numpy as np
import pytest

from skxai import KernelShapExplainer, LimeExplainer, ShapleySamplingExplainer
from skxai.utils import _memory

RESULTS = 8 * 2**20


@pytest.fixture
def small_bound(monkeypatch):
    # the working bound leaves chunks of a few hundred rows beside KernelSHAP's 192 MB errors block
    monkeypatch.setattr(_memory, "MAX_WORKING_BYTES", 256 * 2**20)
    monkeypatch.setattr(_memory, "MAX_RESULT_BYTES", RESULTS)


def _problem():
    rng = np.random.RandomState(0)
    W = rng.randn(10, 60)
    X = rng.randn(2500, 10)
    return (lambda Z: Z @ W), X


@pytest.mark.usefixtures("small_bound")
@pytest.mark.parametrize("target", [7, "per-sample"])
def test_transform_of_one_output_is_not_refused_for_all_outputs(target):
    # 2,500 rows x 10 players x 60 outputs = 12 MiB of values: over the 8 MiB result bound; one output
    # (0.2 MiB) is what transform returns
    model, X = _problem()
    if target == "per-sample":
        target = np.arange(X.shape[0]) % 60
    ex = KernelShapExplainer(model, n_samples=40, max_background=5, target=target, batch_size=1000, random_state=0).fit(
        X[:50]
    )
    with pytest.raises(ValueError, match=r"60 outputs.*explain fewer rows per call"):
        ex.explain(X)
    values = ex.transform(X)
    assert values.shape == (2500, 10)
    # the same numbers as explaining a few rows at a time with every output
    every = KernelShapExplainer(model, n_samples=40, max_background=5, batch_size=1000, random_state=0).fit(X[:50])
    idx = np.broadcast_to(target, (X.shape[0],))
    for rows in (slice(0, 30), slice(1200, 1230), slice(2470, 2500)):
        exp = every.explain(X[rows])
        np.testing.assert_array_equal(values[rows], exp.values[np.arange(30), :, idx[rows]])


@pytest.mark.usefixtures("small_bound")
def test_transform_of_the_predicted_class_uses_each_chunks_outputs():
    rng = np.random.RandomState(1)
    W = rng.randn(10, 60)

    def proba(Z):
        e = np.exp(Z @ W / 3)
        return e / e.sum(axis=1, keepdims=True)

    X = rng.randn(2500, 10)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ex = ShapleySamplingExplainer(
            proba, n_permutations=2, max_background=3, target="predicted", batch_size=1000, random_state=0
        )
        ex.fit(X[:50])
        values = ex.transform(X)
        exp = ex.explain(X[-40:])
    np.testing.assert_array_equal(values[-40:], exp.target_values)


@pytest.mark.usefixtures("small_bound")
def test_lime_transform_of_one_output_follows_the_models_prediction():
    model, X = _problem()
    ex = LimeExplainer(model, n_samples=60, max_background=5, target=3, batch_size=1000, random_state=0).fit(X[:50])
    values = ex.transform(X)
    np.testing.assert_array_equal(values[:25], ex.explain(X[:25]).target_values)


@pytest.mark.usefixtures("small_bound")
@pytest.mark.parametrize("kind", ["array", "dataframe"])
def test_a_dask_blocks_refusal_says_to_use_smaller_blocks(kind):
    da = pytest.importorskip("dask.array")
    model, X = _problem()
    ex = KernelShapExplainer(model, n_samples=40, max_background=5, target=2, batch_size=1000, random_state=0)
    ex.fit(X[:50])
    big = np.repeat(X, 60, axis=0)  # 150,000 rows: one output of them is 11 MiB
    if kind == "array":
        lazy = da.from_array(big, chunks=(150_000, 10))
    else:
        dd = pytest.importorskip("dask.dataframe")
        pd = pytest.importorskip("pandas")
        lazy = dd.from_pandas(pd.DataFrame(big), npartitions=1)
    with pytest.raises(ValueError, match=r"use smaller blocks of the dask collection") as caught:
        ex.transform(lazy).compute(scheduler="synchronous")
    assert "fewer rows per call" not in str(caught.value)
