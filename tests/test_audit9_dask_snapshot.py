"""A lazy result is the explainer's as it was at ``transform``, its model included (session 23).

An outside audit: with the local schedulers (synchronous, threads, processes) and clusters of
threads, the graph held a shallow copy of the explainer, which shared its model: a model refitted
in place (``model.fit``) or a network whose weights changed between ``transform`` and ``compute``
changed the lazy result, while a distributed cluster of processes (which pickles the explainer at
``transform``) kept the old one. The same code gave different numbers by scheduler.
"""

import numpy as np
import pytest

dask = pytest.importorskip("dask")
da = pytest.importorskip("dask.array")

from sklearn.linear_model import Ridge  # noqa: E402

from skxai import KernelShapExplainer  # noqa: E402

rng = np.random.RandomState(0)
X = rng.normal(size=(20, 4))
y = X @ [1.0, 2.0, 3.0, 4.0]


def _built_then_model_refit():
    model = Ridge().fit(X, y)
    ex = KernelShapExplainer(model, n_samples=32, random_state=0).fit(X)
    expected = ex.transform(X)
    lazy = ex.transform(da.from_array(X, chunks=10))
    model.fit(X, -y)  # the user's model refitted in place, then the explainer
    ex.fit(X)
    return lazy, expected, ex


@pytest.mark.parametrize("scheduler", ["synchronous", "threads"])
def test_a_model_refitted_in_place_after_transform_does_not_change_the_lazy_result(scheduler):
    with dask.config.set(scheduler=scheduler):
        lazy, expected, ex = _built_then_model_refit()
        np.testing.assert_array_equal(lazy.compute(), expected)
        # a graph built now explains the refitted model
        np.testing.assert_allclose(ex.transform(da.from_array(X, chunks=10)).compute(), -expected, atol=1e-12)


def test_the_same_on_a_cluster_of_threads():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(processes=False, n_workers=1, threads_per_worker=2, dashboard_address=None) as cl:
        with distributed.Client(cl):
            lazy, expected, _ = _built_then_model_refit()
            np.testing.assert_array_equal(lazy.compute(), expected)


def test_a_network_changed_in_place_after_transform_does_not_change_the_lazy_result():
    torch = pytest.importorskip("torch")
    from skxai import IntegratedGradientsExplainer

    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 2)).double()
    ig = IntegratedGradientsExplainer(net, n_steps=8, target=1).fit(X)
    expected = ig.transform(X)
    with dask.config.set(scheduler="synchronous"):
        lazy = ig.transform(da.from_array(X, chunks=10))
        with torch.no_grad():
            for p in net.parameters():
                p.add_(0.5)
        np.testing.assert_array_equal(lazy.compute(), expected)
    assert not np.allclose(ig.transform(X), expected)  # the network did change


def test_an_explainer_that_cannot_be_pickled_is_still_explained_lazily():
    import threading

    lock = threading.Lock()  # a model holding a lock cannot be pickled

    def model(A):
        with lock:
            return (A @ [1.0, 2.0, 3.0, 4.0])[:, None]

    ex = KernelShapExplainer(model, n_samples=32, random_state=0).fit(X)
    with dask.config.set(scheduler="synchronous"):
        np.testing.assert_array_equal(ex.transform(da.from_array(X, chunks=10)).compute(), ex.transform(X))
