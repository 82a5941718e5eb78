"""joblib's Dask backend ships the conditional game's model once per worker process.

The conditional game (``game="conditional"`` of the tabular Shapley explainers) sent its tasks
to joblib as bound methods, so under the Dask backend every task pickled the game (model and
background) again and every worker unpickled the model once per task: 7 loads over 2 workers
for one ``transform`` of 60 rows, 19 after three calls, where the interventional game scatters
it once and the workers keep it across calls. Same numbers as ``n_jobs=1``."""

import numpy as np
import pytest

distributed = pytest.importorskip("distributed")

from joblib import parallel_config  # noqa: E402

from skxai import KernelShapExplainer, ShapleySamplingExplainer  # noqa: E402
from tests import _counting  # noqa: E402


@pytest.fixture(scope="module")
def client(dask_process_client):
    return dask_process_client


def _loads(client):
    client.run(lambda: None)
    return sorted(client.run(_counting.loads).values())


@pytest.mark.parametrize("sampler", ["gaussian", "empirical"])
@pytest.mark.parametrize("explainer", [ShapleySamplingExplainer, KernelShapExplainer])
def test_conditional_game_ships_the_model_once_per_worker_across_calls(client, explainer, sampler):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 5))
    model = _counting.CountingRidge().fit(X, X @ np.arange(1.0, 6.0))
    budget = {"n_permutations": 4} if explainer is ShapleySamplingExplainer else {"n_samples": 32}
    ex = explainer(
        model, max_background=20, random_state=0, game="conditional", conditional_sampler=sampler,
        batch_size=64, **budget,
    ).fit(X)
    expected = ex.transform(X[:60])
    client.run(lambda: _counting.LOADS.__setitem__(0, 0))
    with parallel_config(backend="dask"):
        for _ in range(3):
            np.testing.assert_array_equal(ex.set_params(n_jobs=2).transform(X[:60]), expected)
    assert all(n <= 1 for n in _loads(client)), _loads(client)
