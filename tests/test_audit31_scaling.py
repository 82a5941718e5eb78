"""Findings of a scaling audit: image batches share the working memory among n_jobs workers, and
tol on a dask collection says that each block stops on its own rows."""

import os
import tracemalloc
import warnings

import numpy as np
import pytest
from joblib import parallel_config

from skxai import ImageShapleyExplainer, KernelShapExplainer
from skxai.utils import _memory


def _mean_pixel(images):
    return np.asarray(images).reshape(len(images), -1).mean(axis=1)


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="two workers run at once only on two cores")
def test_image_batches_of_two_workers_stay_within_the_bound_together(monkeypatch):
    # each worker's batch was sized to fill the whole bound: 116 MiB peak at a 64 MiB bound
    bound = 64 * 2**20
    monkeypatch.setattr(_memory, "MAX_WORKING_BYTES", bound)
    images = np.random.RandomState(0).rand(2, 3, 128, 128)
    ex = ImageShapleyExplainer(_mean_pixel, method="kernel", n_segments=(8, 8), n_samples=1024, random_state=0,
                               batch_size=10**6, n_jobs=2).fit(images)  # fmt: skip
    with warnings.catch_warnings(), parallel_config(backend="threading"):
        warnings.simplefilter("ignore")
        tracemalloc.start()
        try:
            two = ex.transform(images)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert peak <= bound
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        np.testing.assert_array_equal(two, ex.set_params(n_jobs=1).transform(images))


def test_tol_on_a_dask_collection_warns_that_blocks_stop_on_their_own_rows():
    da = pytest.importorskip("dask.array")
    from sklearn.linear_model import Ridge

    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 5))
    model = Ridge().fit(X, X @ np.arange(5.0))
    lazy = da.from_array(X[:6], chunks=(3, -1))
    with pytest.warns(UserWarning, match=r"tol=0.1\) stops on the errors of every row of a call"):
        KernelShapExplainer(model, n_samples=64, tol=0.1, random_state=0).fit(X).transform(lazy)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        KernelShapExplainer(model, n_samples=64, random_state=0).fit(X).transform(lazy)
