"""Dask inputs the earlier Dask tests did not try: per-sample targets, blocks of scipy.sparse
matrices, and a lazy result computed after the explainer changed."""

import numpy as np
import pytest

distributed = pytest.importorskip("distributed")
da = pytest.importorskip("dask.array")
dd = pytest.importorskip("dask.dataframe")

import dask  # noqa: E402
import pandas as pd  # noqa: E402
import scipy.sparse as sp  # noqa: E402
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor  # noqa: E402
from sklearn.linear_model import LogisticRegression, Ridge  # noqa: E402

from skxai import KernelShapExplainer, TreeShapExplainer  # noqa: E402


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 4))
    classes = np.array(["a", "b", "c"])[(X[:, 0] > 0).astype(int) + (X[:, 1] > 0)]
    labels = rng.choice(["a", "b", "c"], size=30)  # one explained class per sample, not the predicted one
    return X, classes, labels


@pytest.fixture(scope="module")
def client(dask_process_client):
    # the last tests use it: with a client, a lazy result refers to it and cannot be computed
    # with the local schedulers the tests before use
    return dask_process_client


def test_a_per_sample_target_follows_the_rows_of_each_block(data):
    """``target`` with one class per sample used to fail on any dask input with "target holds 30
    entries (one per sample) but 1 samples are explained": every block (and the first row that
    gives the attributions' shape) was explained with the whole array of targets. Each block now
    explains its own rows' targets: the numbers of the in-memory call."""
    X, y, labels = data
    frame = pd.DataFrame(X, columns=list("pqrs"))
    models = [
        LogisticRegression().fit(frame, y),
        RandomForestClassifier(n_estimators=4, max_depth=3, random_state=0).fit(frame, y),
    ]
    with dask.config.set(scheduler="sync"):
        for model, cls, kw in (
            (models[0], KernelShapExplainer, dict(n_samples=32, max_background=10, random_state=0)),
            (models[1], TreeShapExplainer, dict(response_method="predict_proba")),
        ):
            ex = cls(model, target=labels, **kw).fit(frame)
            expected = ex.transform(frame)
            assert not np.array_equal(expected, cls(model, target="predicted", **kw).fit(frame).transform(frame))
            for chunks in (((1, 0, 12, 17), 4), ((10, 20), 2)):
                got = ex.transform(da.from_array(X, chunks=chunks)).compute()
                np.testing.assert_array_equal(got, expected)
            parts = dd.from_pandas(frame, npartitions=3, sort=False)
            empty_first = parts.map_partitions(lambda f: f[f.index >= 10])  # partition 0 emptied
            np.testing.assert_array_equal(ex.transform(parts).compute().to_numpy(), expected)
            # the filter left 20 rows: 30 targets do not say which row gets which
            with pytest.raises(
                ValueError,
                match=r"target holds 30 entries \(one per sample\) but the dask "
                r"dataframe holds 20",
            ):
                ex.transform(empty_first)
            tail = cls(model, target=labels[10:], **kw).fit(frame)
            got = tail.transform(empty_first)
            assert isinstance(got, dd.DataFrame)
            out = got.compute()
            np.testing.assert_array_equal(out.index, frame.index[10:])
            np.testing.assert_array_equal(out.to_numpy(), tail.transform(frame.iloc[10:]))


def test_a_per_sample_target_of_the_wrong_length_or_unknown_blocks_is_refused_by_name(data):
    X, y, labels = data
    ex = KernelShapExplainer(
        LogisticRegression().fit(X, y), target=labels, n_samples=32, max_background=10, random_state=0
    ).fit(X)
    lazy = da.from_array(X, chunks=10)
    with pytest.raises(ValueError, match=r"target holds 30 entries \(one per sample\) but the dask array holds 20"):
        ex.transform(lazy[:20])
    with pytest.raises(
        ValueError,
        match=r"per-sample target needs the number of rows of every block.*"
        r"compute_chunk_sizes",
    ):
        ex.transform(lazy[lazy[:, 0] > -100])


def test_blocks_of_scipy_sparse_matrices_are_explained_as_in_memory():
    """TreeSHAP takes a scipy.sparse matrix in memory; a dask array of sparse blocks failed with
    numpy's "setting an array element with a sequence" (the first row, taken to learn the shape
    of the attributions, was wrapped in a 0-d object array)."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 4)) * (rng.rand(30, 4) > 0.5)
    forest = RandomForestRegressor(n_estimators=3, max_depth=3, random_state=0).fit(X, X[:, 0] + X[:, 1])
    ex = TreeShapExplainer(forest).fit(X)
    expected = ex.transform(sp.csr_matrix(X))
    with dask.config.set(scheduler="sync"):
        for lazy in (
            da.from_array(X, chunks=(7, 4)).map_blocks(sp.csr_matrix),
            da.from_array(sp.csr_matrix(X), chunks=(12, 4), asarray=False),
        ):
            np.testing.assert_array_equal(ex.transform(lazy).compute(), expected)


def test_a_lazy_result_keeps_the_explainer_it_was_built_with(data):
    """Without a distributed client (and on a cluster of threads) the graph held the explainer
    itself: fitting it again before ``compute`` silently gave the new fit's numbers to the result
    built before (a distributed cluster of processes kept the old ones). The result is now that
    of the explainer as it was when ``transform`` was called, on every scheduler."""
    X, _, _ = data
    ex = KernelShapExplainer(
        Ridge().fit(X, X[:, 0] + 2 * X[:, 1]), n_samples=32, max_background=10, random_state=0
    ).fit(X)
    before = ex.transform(X)
    lazy = ex.transform(da.from_array(X, chunks=10))
    ex.fit(X + 1.0)  # another background: other values
    after = ex.transform(X)
    assert not np.allclose(before, after)
    for scheduler in ("sync", "threads"):
        got, later = dask.compute(lazy, ex.transform(da.from_array(X, chunks=10)), scheduler=scheduler)
        np.testing.assert_array_equal(got, before)
        np.testing.assert_array_equal(later, after)
    ex.fit(X)
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None, silence_logs=50
        ) as cluster,
        distributed.Client(cluster),
    ):
        lazy = ex.transform(da.from_array(X, chunks=10))
        ex.fit(X + 1.0)
        np.testing.assert_array_equal(lazy.compute(), before)
        np.testing.assert_array_equal(ex.transform(da.from_array(X, chunks=10)).compute(), after)


def test_methods_other_than_transform_take_a_dask_dataframe_as_a_dask_array():
    """Only ``transform`` is lazy; ``fit``, ``score``, ``target_indices``, ``interaction_values``,
    ``model_output`` and the metrics compute a dask input in memory. A dask array was computed
    (numpy's conversion), but a dask dataframe failed deep inside with "'DataFrame' object has
    no attribute 'to_numpy'" in every one of them. Both now give the numbers of the pandas frame."""
    from skxai.metrics import infidelity

    rng = np.random.RandomState(0)
    frame = pd.DataFrame(rng.normal(size=(20, 3)), columns=list("abc"))
    y = frame.a * frame.b + frame.c
    lazy, lazy_y = dd.from_pandas(frame, npartitions=3, sort=False), dd.from_pandas(y, npartitions=3, sort=False)
    forest = RandomForestRegressor(n_estimators=3, max_depth=3, random_state=0).fit(frame, y)
    with dask.config.set(scheduler="sync"):
        for cls, kw in (
            (KernelShapExplainer, dict(n_samples=32, max_background=10, random_state=0)),
            (TreeShapExplainer, {}),
        ):
            ex = cls(forest, **kw).fit(frame)
            got = cls(forest, **kw).fit(lazy)
            np.testing.assert_array_equal(got.transform(frame), ex.transform(frame))
            np.testing.assert_array_equal(ex.target_indices(lazy), ex.target_indices(frame))
            np.testing.assert_array_equal(ex.model_output(lazy), ex.model_output(frame))
            assert ex.score(lazy) == ex.score(frame)
            assert ex.score(lazy, lazy_y) == ex.score(frame, y)
            np.testing.assert_array_equal(infidelity(ex, lazy, random_state=0), infidelity(ex, frame, random_state=0))
        refit = KernelShapExplainer(
            RandomForestRegressor(n_estimators=3, max_depth=3, random_state=0),
            n_samples=32,
            max_background=10,
            random_state=0,
        )
        np.testing.assert_array_equal(refit.fit(lazy, lazy_y).transform(frame), refit.fit(frame, y).transform(frame))
        np.testing.assert_array_equal(ex.interaction_values(lazy), ex.interaction_values(frame))


def test_set_output_pandas_makes_a_dask_array_s_attributions_a_dask_dataframe(data):
    """``set_output(transform="pandas")`` was ignored for a dask array: the lazy result was a dask
    array, computed as a bare ndarray, where the same explainer gives a DataFrame of the
    attribution names for the array in memory."""
    X, _, _ = data
    ex = KernelShapExplainer(Ridge().fit(X, X[:, 0] - X[:, 2]), n_samples=32, max_background=10, random_state=0)
    ex.fit(X).set_output(transform="pandas")
    expected = ex.transform(X)
    assert isinstance(expected, pd.DataFrame)
    with dask.config.set(scheduler="sync"):
        lazy = ex.transform(da.from_array(X, chunks=((1, 0, 12, 17), 2)))
        assert isinstance(lazy, dd.DataFrame) and list(lazy.columns) == list(ex.get_feature_names_out())
        out = lazy.compute()
        pd.testing.assert_frame_equal(out, expected, check_index_type=False)
        assert dict(out.dtypes) == dict(lazy.dtypes)
    ex.set_output(transform="default")
    assert isinstance(ex.transform(da.from_array(X, chunks=10)), da.Array)


def test_per_sample_targets_and_sparse_blocks_on_worker_processes(client, data):
    X, y, labels = data
    ex = KernelShapExplainer(
        LogisticRegression().fit(X, y), target=labels, n_samples=32, max_background=10, random_state=0
    ).fit(X)
    np.testing.assert_array_equal(ex.transform(da.from_array(X, chunks=(7, 4))).compute(), ex.transform(X))
    forest = RandomForestRegressor(n_estimators=3, max_depth=3, random_state=0).fit(X, X[:, 0])
    tree = TreeShapExplainer(forest).fit(X)
    lazy = da.from_array(X, chunks=(7, 4)).map_blocks(sp.csr_matrix)
    np.testing.assert_array_equal(tree.transform(lazy).compute(), tree.transform(sp.csr_matrix(X)))
    # LIME's explainer (a family the first tests did not count) is unpickled once per worker too
    from skxai import LimeExplainer
    from tests import _counting

    lime = LimeExplainer(_counting.CountingRidge().fit(X, X[:, 0]), n_samples=32, random_state=0).fit(X)
    client.run(lambda: _counting.LOADS.__setitem__(0, 0))
    got = lime.transform(da.from_array(X, chunks=(5, 4))).compute()  # six blocks
    loads = sorted(client.run(_counting.loads).values())
    assert all(n <= 1 for n in loads) and sum(loads) >= 1
    np.testing.assert_array_equal(got, lime.transform(X))


def test_a_scattered_explainer_lost_by_the_cluster_is_sent_again(client, data):
    """The explainer scattered for a dask array (or the model under joblib's Dask backend) was
    reused while unchanged, even after the cluster had dropped it: after ``client.restart()``
    (which cancels every future) each later transform of the same explainer failed with
    "FutureCancelledError: ... cancelled for reason: lost dependencies". A scatter that is no
    longer held is made again."""
    from joblib import parallel_config

    from skxai.utils import _parallel

    X, _, _ = data
    ex = KernelShapExplainer(Ridge().fit(X, X[:, 1]), n_samples=32, max_background=10, random_state=0).fit(X)
    expected = ex.transform(X)
    np.testing.assert_array_equal(ex.transform(da.from_array(X, chunks=10)).compute(), expected)
    client.cancel(_parallel._SCATTERED[ex][2])  # what a restart does to every future
    np.testing.assert_array_equal(ex.transform(da.from_array(X, chunks=10)).compute(), expected)
    ex.set_params(n_jobs=2)
    with parallel_config(backend="dask"):
        np.testing.assert_array_equal(ex.transform(X), expected)
        shared = [k for k in _parallel._SCATTERED.keys() if k is not ex]
        for k in shared:
            client.cancel(_parallel._SCATTERED[k][2])
        np.testing.assert_array_equal(ex.transform(X), expected)
