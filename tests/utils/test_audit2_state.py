"""Process-wide state that explaining must leave as it found it, also when several threads
explain at once (joblib's threading backend, a Dask cluster of threads, a user's threads)."""

import threading

import numpy as np
import pytest
from joblib import parallel_config
from sklearn.base import clone
from threadpoolctl import ThreadpoolController, threadpool_info

from skxai import KernelShapExplainer
from skxai.utils import _parallel


def _blas_threads():
    return sorted((i["filepath"], i["num_threads"]) for i in threadpool_info() if i["user_api"] == "blas")


def _release_control(controller):
    # threadpoolctl (3.6+) lets only the thread that last changed a process-wide OpenBLAS pool
    # change it again: hand control back so that the worker threads can limit it
    for lib in controller.lib_controllers:
        release = getattr(lib, "clear_controlling_thread", None)
        if release is not None:
            release()


@pytest.fixture
def two_blas_threads():
    """BLAS at two threads (a leaked limit of 1 shows), set without threadpool_limits' block:
    threadpoolctl lets only the thread inside such a block change an OpenBLAS pool, so the
    worker threads would change nothing."""
    np.ones((4, 4)) @ np.ones((4, 4))  # BLAS loaded
    controller = ThreadpoolController()
    if not any(lib.user_api == "blas" for lib in controller.lib_controllers):
        pytest.skip("no BLAS library that threadpoolctl controls")
    limiter = controller.limit(limits=2, user_api="blas")  # also where OMP_NUM_THREADS=1
    _release_control(controller)
    try:
        before = _blas_threads()
        if min(n for _, n in before) < 2:
            pytest.skip("no BLAS library running more than one thread")
        yield before
    finally:
        limiter.restore_original_limits()
        _release_control(controller)


def test_overlapping_blocks_of_two_threads_restore_the_limit(two_blas_threads):
    """Thread A limits BLAS, thread B enters while A is inside, A leaves, then B leaves: the
    BLAS limit of the process is what it was before A (it was left at 1: B recorded A's limit
    as its "original" and put it back last), and B ran under the limit of 1 all along."""
    a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()
    seen = {}

    def a():
        with _parallel.one_blas_thread():
            a_in.set()
            b_in.wait(10)
        a_out.set()

    def b():
        a_in.wait(10)
        with _parallel.one_blas_thread():
            b_in.set()
            a_out.wait(10)
            seen["b_after_a_left"] = {n for _, n in _blas_threads()}

    threads = [threading.Thread(target=a), threading.Thread(target=b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert seen["b_after_a_left"] == {1}
    assert _blas_threads() == two_blas_threads


def test_threading_backend_leaves_the_blas_limit_alone(two_blas_threads):
    """KernelSHAP's least squares run under one BLAS thread in each joblib thread: with
    n_jobs=4 on joblib's threading backend the process was left limited to one BLAS thread."""
    X = np.random.RandomState(0).normal(size=(200, 6))
    weights = np.arange(6.0)

    def model(Z):
        return np.tanh(Z @ weights)

    est = KernelShapExplainer(model, n_samples=40, max_background=5, random_state=0, batch_size=200, n_jobs=4).fit(X)
    reference = clone(est).set_params(n_jobs=1).fit(X).transform(X[:8])
    for _ in range(5):
        with parallel_config(backend="threading"):
            np.testing.assert_array_equal(est.transform(X)[:8], reference)
        assert _blas_threads() == two_blas_threads
