"""joblib's Dask backend ships the image game's model once per worker and call, not per task.

``ImageShapleyExplainer`` sent its tasks to joblib as bound methods of the image game, so under
the Dask backend every task (up to four per worker) pickled the game, model included, and every
worker unpickled the model once per task. The game now goes through the same shared map as the
tabular games: scattered once per call (it holds the call's images), unpickled once per worker.
Same numbers as ``n_jobs=1``."""

import numpy as np
import pytest

distributed = pytest.importorskip("distributed")

from joblib import parallel_config  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402

from skxai import ImageShapleyExplainer  # noqa: E402
from tests import _counting  # noqa: E402


@pytest.fixture(scope="module")
def client(dask_process_client):
    return dask_process_client


def test_image_game_ships_the_model_once_per_worker_and_call(client):
    X, y = load_digits(return_X_y=True)
    model = _counting.CountingRidge().fit(X[:300], y[:300])
    ex = ImageShapleyExplainer(
        model, method="kernel", image_shape=(8, 8), n_segments=16, n_samples=64, batch_size=16, random_state=0,
    ).fit(X[:20])
    expected = ex.transform(X[:12])
    client.run(lambda: _counting.LOADS.__setitem__(0, 0))
    with parallel_config(backend="dask"):
        got = ex.set_params(n_jobs=2).transform(X[:12])
    np.testing.assert_array_equal(got, expected)
    client.run(lambda: None)
    loads = client.run(_counting.loads).values()
    assert all(n <= 1 for n in loads), loads
