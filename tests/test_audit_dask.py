"""Dask inputs and workers the first tests did not try: unknown block sizes, lazy dataframes read
once, models that cannot be pickled."""

import threading

import numpy as np
import pytest

distributed = pytest.importorskip("distributed")
da = pytest.importorskip("dask.array")
dd = pytest.importorskip("dask.dataframe")

import dask  # noqa: E402
import pandas as pd  # noqa: E402
from joblib import parallel_config  # noqa: E402
from sklearn.linear_model import Ridge  # noqa: E402

from skxai import KernelShapExplainer  # noqa: E402


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(80, 5))
    return X, X[:, 0] + 2 * X[:, 1] - X[:, 3]


@pytest.fixture(scope="module")
def explainer(data):
    X, y = data
    return KernelShapExplainer(Ridge().fit(X, y), n_samples=32, max_background=10, random_state=0).fit(X)


def test_unknown_block_sizes_are_explained_lazily(data, explainer):
    """A boolean filter, ``from_delayed`` and ``to_dask_array()`` without lengths give blocks of
    unknown size; ``transform`` used to fail on them while building the graph ("Arrays chunk sizes
    are unknown"), because it sliced ``X[:1]`` to learn the shape of the attributions."""
    X, _ = data
    expected = explainer.transform(X)
    with dask.config.set(scheduler="sync"):
        lazy = da.from_array(X, chunks=(20, 5))
        kept = X[:, 0] > 0
        filtered = explainer.transform(lazy[lazy[:, 0] > 0])
        np.testing.assert_array_equal(filtered.compute(), expected[kept])
        # the first block emptied by the filter: the sample comes from the next one
        late = explainer.transform(lazy[da.arange(80, chunks=20) >= 50])
        np.testing.assert_array_equal(late.compute(), expected[50:])
        frame = dd.from_pandas(pd.DataFrame(X, columns=list("abcde")), npartitions=4)
        np.testing.assert_array_equal(explainer.transform(frame.to_dask_array()).compute(), expected)
        parts = [da.from_delayed(dask.delayed(X.__getitem__)(slice(i, i + 30)), shape=(np.nan, 5), dtype=float)
                 for i in range(0, 80, 30)]
        np.testing.assert_array_equal(explainer.transform(da.concatenate(parts)).compute(), expected)
        with pytest.raises(ValueError, match="holds no samples"):
            explainer.transform(lazy[lazy[:, 0] > 100])


def test_other_dask_collections_are_refused_by_name(data, explainer):
    """A dask Series, Bag or Delayed failed deep inside (a 2-D check on a pandas Series, a
    missing ``head`` or ``get_partition``, an integer check on a ``DelayedAttr``)."""
    db = pytest.importorskip("dask.bag")
    X, _ = data
    frame = dd.from_pandas(pd.DataFrame(X, columns=list("abcde")), npartitions=2)
    for lazy, name in ((frame["a"], r"Series \(X.to_frame\(\)"), (db.from_sequence(X.tolist()), "Bag"),
                       (dask.delayed(X), "Delayed")):
        with pytest.raises(TypeError, match=rf"takes a dask array or a dask dataframe, not a dask {name}"):
            explainer.transform(lazy)


_LOADS = []


def _load(frame):
    _LOADS.append(len(frame))
    return frame


def test_a_lazy_dataframe_is_not_read_whole_to_build_the_graph(data):
    """Building the lazy attributions of a dask dataframe used to read every partition (``head``
    over all of them) to find one row: a whole pass over an input larger than memory before any
    work. Only the partitions up to the first non-empty one are read now."""
    X, y = data
    frame = pd.DataFrame(X, columns=list("abcde"))
    ex = KernelShapExplainer(Ridge().fit(frame, y), n_samples=32, max_background=10, random_state=0).fit(frame)
    with dask.config.set(scheduler="sync"):
        lazy = dd.from_delayed([dask.delayed(_load)(frame.iloc[i : i + 10]) for i in range(0, 80, 10)],
                               meta=frame.iloc[:0])
        _LOADS.clear()
        out = ex.transform(lazy)
        assert len(_LOADS) == 1
        np.testing.assert_array_equal(out.compute().to_numpy(), ex.transform(frame))
        _LOADS.clear()
        later = ex.transform(lazy.map_partitions(lambda f: f[f.index >= 25]))  # partitions 0 and 1 empty
        assert len(_LOADS) == 3
        np.testing.assert_array_equal(later.compute().to_numpy(), ex.transform(frame)[25:])


class _Unpicklable:
    """A model holding a lock: it cannot be pickled, so it cannot reach worker processes."""

    def __init__(self):
        self.lock = threading.Lock()

    def __call__(self, X):
        return np.asarray(X)[:, 0] * 2.0


@pytest.fixture(scope="module")
def client(dask_process_client):
    return dask_process_client


def test_a_model_that_cannot_be_pickled_is_refused_by_name_on_worker_processes(client, data):
    """It used to fail with distributed's "Could not serialize object of type Shipped" (skxai's
    internal handle) after dozens of logged tracebacks, naming neither the model nor the cause."""
    X, _ = data
    ex = KernelShapExplainer(_Unpicklable(), n_samples=16, max_background=5, random_state=0).fit(X)
    with pytest.raises(TypeError, match=r"cannot send the KernelShapExplainer .*cannot be pickled.*_thread\.lock"):
        ex.transform(da.from_array(X, chunks=(40, 5))).compute()
    with pytest.raises(TypeError, match=r"cannot be pickled.*_thread\.lock"), parallel_config(backend="dask"):
        ex.set_params(n_jobs=2).transform(X[:4])


def test_repeated_calls_ship_the_model_once_per_fit_not_once_per_call(client, data):
    """Under joblib's Dask backend every call made a new coalition game, which was scattered
    (and unpickled by every worker) again: the command line's --scheduler shipped the model once
    per chunk of rows. The game made at fit is reused while the fit is unchanged."""
    import copy

    from skxai import ShapleySamplingExplainer
    from tests import _counting

    X, y = data
    model = _counting.CountingRidge().fit(X, y)
    for k, ex in enumerate((
        KernelShapExplainer(model, n_samples=32, max_background=10, random_state=0, n_jobs=-1),
        ShapleySamplingExplainer(model, n_permutations=4, max_background=10, random_state=0, n_jobs=-1),
    )):
        ex.fit(X)
        expected = copy.deepcopy(ex).set_params(n_jobs=None).transform(X)
        client.run(lambda: _counting.LOADS.__setitem__(0, 0))
        with parallel_config(backend="dask"):
            got = np.concatenate([ex.transform(X[i : i + 20]) for i in range(0, 80, 20)])  # four calls
            assert all(n <= 1 for n in client.run(_counting.loads).values())
            # a new fit is shipped again (an equal game, the same bytes, is not: each explainer its own data)
            ex.fit((2 + k) * X)
            ex.transform(X[:20])
        np.testing.assert_array_equal(got, expected)
        assert sum(client.run(_counting.loads).values()) >= 2


def _clear_process_cache():
    from skxai.utils import _parallel

    _parallel._PROCESS_CACHE.clear()


def _process_cache_size():
    from skxai.utils import _parallel

    return len(_parallel._PROCESS_CACHE)


def test_tree_shap_enumeration_ships_its_game_once_per_fit(client, data):
    """TreeSHAP of a probability (enumerated coalitions) made a new game, holding the model and
    the background, on every call: under joblib's Dask backend each call shipped it again."""
    from sklearn.ensemble import GradientBoostingClassifier

    from skxai import TreeShapExplainer

    X, _ = data
    model = GradientBoostingClassifier(n_estimators=5, max_depth=2, random_state=0).fit(X, X[:, 0] > 0)
    params = dict(response_method="predict_proba", feature_perturbation="interventional")
    ex = TreeShapExplainer(model, n_jobs=-1, **params).fit(X[:20])
    assert ex._enumerate
    expected = TreeShapExplainer(model, **params).fit(X[:20]).transform(X)
    client.run(_clear_process_cache)
    with parallel_config(backend="dask"):
        got = np.concatenate([ex.transform(X[i : i + 16]) for i in range(0, 80, 16)])  # five calls
    assert all(n == 1 for n in client.run(_process_cache_size).values())
    np.testing.assert_array_equal(got, expected)


def test_a_cluster_of_threads_still_takes_a_model_that_cannot_be_pickled(data):
    X, _ = data
    ex = KernelShapExplainer(_Unpicklable(), n_samples=16, max_background=5, random_state=0).fit(X)
    expected = ex.transform(X)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None,
                                  silence_logs=50) as cluster, distributed.Client(cluster):
        np.testing.assert_array_equal(ex.transform(da.from_array(X, chunks=(40, 5))).compute(), expected)
