"""joblib's Dask backend explains the model as it is now, like ``n_jobs=1``.

The model and background sent to the workers (once, then kept) were keyed by the explainer's
game object alone: after the model changed in place (a torch network trained further between two
explanations, a scikit-learn model refitted inside its FrozenEstimator), ``n_jobs=1`` explained
the new model while the workers kept explaining the first one they were sent, silently (the
tabular Shapley explainers call the model at ``transform`` time: no refit is needed in memory).
Unchanged, it is still sent once and kept across calls."""

import numpy as np
import pytest

distributed = pytest.importorskip("distributed")
torch = pytest.importorskip("torch")

from joblib import parallel_config  # noqa: E402
from sklearn.frozen import FrozenEstimator  # noqa: E402
from sklearn.linear_model import Ridge  # noqa: E402

from skxai import ExactShapleyExplainer, KernelShapExplainer, ShapleySamplingExplainer  # noqa: E402
from tests import _counting  # noqa: E402


@pytest.fixture(scope="module")
def client(dask_process_client):
    return dask_process_client


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 4))
    return X, X @ np.array([1.0, 2.0, -1.0, 0.5])


def _explainers(model):
    return [
        KernelShapExplainer(model, n_samples=32, max_background=10, random_state=0),
        ExactShapleyExplainer(model, max_background=10, random_state=0),
        ShapleySamplingExplainer(model, n_permutations=4, max_background=10, random_state=0),
    ]


def _on_workers(ex, X):
    with parallel_config(backend="dask"):
        return ex.set_params(n_jobs=2).transform(X)


@pytest.mark.parametrize("index", [0, 1, 2], ids=["kernel", "exact", "sampling"])
def test_a_torch_network_trained_further_is_explained_as_it_is_now(client, data, index):
    X, _ = data
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.Tanh(), torch.nn.Linear(3, 1)).double()
    ex = _explainers(net)[index].fit(X)
    before = _on_workers(ex, X[:8])
    np.testing.assert_array_equal(before, ex.set_params(n_jobs=1).transform(X[:8]))
    with torch.no_grad():  # a training step, in place
        net[0].weight.mul_(3.0)
    now = ex.set_params(n_jobs=1).transform(X[:8])
    assert not np.allclose(now, before)  # the network's change shows in one process
    np.testing.assert_array_equal(_on_workers(ex, X[:8]), now)
    # additive: each row's attributions sum to f(x) - E f(background) of the network as it is now
    with torch.no_grad():
        f = net(torch.as_tensor(X[:8])).numpy().ravel()
        on_background = net(torch.as_tensor(np.asarray(ex.background_, dtype=np.float64))).numpy().ravel()
    base = np.average(on_background, weights=ex.background_weights_)
    np.testing.assert_allclose(now.sum(axis=1), f - base, atol=1e-10)


def test_a_model_refitted_in_its_frozen_estimator_is_explained_as_it_is_now(client, data):
    X, y = data
    model = Ridge().fit(X, y)
    ex = KernelShapExplainer(FrozenEstimator(model), n_samples=32, max_background=10, random_state=0).fit(X)
    before = _on_workers(ex, X[:8])
    model.fit(X, -3 * y + X[:, 0])
    now = ex.set_params(n_jobs=1).transform(X[:8])
    assert not np.allclose(now, before)
    np.testing.assert_array_equal(_on_workers(ex, X[:8]), now)


def test_an_unchanged_model_is_still_sent_once_across_calls(client, data):
    X, y = data
    model = _counting.CountingRidge().fit(X, y)
    ex = KernelShapExplainer(model, n_samples=32, max_background=10, random_state=0).fit(X)
    client.run(lambda: _counting.LOADS.__setitem__(0, 0))
    first = _on_workers(ex, X[:20])
    second = _on_workers(ex, X[:20])
    np.testing.assert_array_equal(first, second)
    client.run(lambda: None)
    loads = sorted(client.run(_counting.loads).values())
    assert all(n <= 1 for n in loads), loads  # two calls, each worker unpickled the model once at most


@pytest.mark.parametrize("algorithm", ["kd_tree", "ball_tree"])
def test_neighbours_whose_tree_counts_its_queries_are_sent_once_across_calls(client, data, algorithm):
    # the tree's query counters, in its pickled bytes, change whenever the model predicts: the
    # model (its whole training set) was sent and unpickled on every worker at every call
    X, y = data
    model = _counting.CountingNeighbors(5, algorithm=algorithm).fit(X, y)
    ex = KernelShapExplainer(model, n_samples=32, max_background=10, random_state=0).fit(X)
    client.run(lambda: _counting.LOADS.__setitem__(0, 0))
    calls = []
    for _ in range(3):
        model.predict(X[:5])  # the model used here between explanations (a classifier's
        calls.append(_on_workers(ex, X[:20]))  # predicted class is found so at every call)
    np.testing.assert_array_equal(calls[0], calls[2])
    np.testing.assert_array_equal(calls[0], ex.set_params(n_jobs=1).transform(X[:20]))
    loads = sorted(client.run(_counting.loads).values())
    assert all(n <= 1 for n in loads), loads
    model.fit(X, -y)  # refitted in place: sent again
    np.testing.assert_array_equal(_on_workers(ex, X[:20]), ex.set_params(n_jobs=1).transform(X[:20]))
