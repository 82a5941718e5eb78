"""scikit-learn's "X does not have valid feature names", quieted for the explainer's own model
calls in every thread, without swapping the process's warning filters."""

import threading
import warnings
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from sklearn.linear_model import Ridge

from skxai import KernelShapExplainer, LimeExplainer

pd = pytest.importorskip("pandas")


class _FiltersSpy(Ridge):
    """A Ridge that records the filter list in place at each of its calls."""

    def predict(self, X):
        _seen.append(warnings.filters)
        return super().predict(X)


_seen = []


def _fitted(make):
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(40, 4)), columns=list("abcd"))
    model = _FiltersSpy().fit(X, X.sum(axis=1))
    # fitted on the array for a model fitted on named columns: the rows stay arrays
    return make(model).fit(X.to_numpy()[:20]), X.to_numpy()


@pytest.mark.parametrize(
    "make",
    [
        lambda m: KernelShapExplainer(m, n_samples=40, random_state=0),
        lambda m: LimeExplainer(m, n_samples=60, random_state=0),
    ],
)
def test_calls_from_any_thread_are_quiet_and_leave_the_filter_list_in_place(make):
    explainer, A = _fitted(make)
    before = warnings.filters
    snapshot = list(before)
    _seen.clear()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")  # the caller's own filter, ahead of every other
        inside = warnings.filters
        explainer.transform(A[:2])
        with ThreadPoolExecutor(3) as pool:  # a web server's threads: they warned at every call
            list(pool.map(explainer.transform, [A[i : i + 1] for i in range(3)]))
    assert not [w for w in caught if "valid feature names" in str(w.message)]
    # catch_warnings swapped the process's list at each call, under every other thread
    assert _seen and all(f is inside for f in _seen)
    assert warnings.filters is before and [
        f for f in warnings.filters if f[1] is None or "skxai" not in repr(f[1])
    ] == [f for f in snapshot if f[1] is None or "skxai" not in repr(f[1])]


def test_the_users_own_calls_still_warn():
    explainer, A = _fitted(lambda m: KernelShapExplainer(m, n_samples=40, random_state=0))
    explainer.transform(A[:1])
    done = threading.Event()

    def user_call():
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            explainer.estimator_.predict(A[:1])
        done.caught = [str(w.message) for w in caught]
        done.set()

    threading.Thread(target=user_call).start()
    assert done.wait(30)
    assert any("valid feature names" in m for m in done.caught)


def test_process_pools_take_the_filters_after_an_explanation():
    # scikit-learn's Parallel pickles the process's filters with every task: the filter's
    # thread-local could not be pickled, and every loky pool after an explanation failed
    from sklearn.model_selection import cross_val_score

    explainer, A = _fitted(lambda m: KernelShapExplainer(m, n_samples=40, random_state=0))
    explainer.transform(A[:1])
    assert any("skxai" in repr(f[1]) for f in warnings.filters)
    y = A.sum(axis=1)
    scores = cross_val_score(Ridge(), A, y, cv=2, n_jobs=2)
    assert scores.shape == (2,)
