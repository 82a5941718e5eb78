"""Findings of a memory audit: a model call's predictions counted with its block, finished chunks'
results counted beside the next chunk (and a result past the bound refused), and refusals whose
need reads larger than the bound."""

import tracemalloc
import warnings

import numpy as np
import pytest

from skxai import ExactShapleyExplainer, ShapleySamplingExplainer
from skxai.utils import _memory

BOUND = 64 * 2**20


@pytest.fixture
def small_bound(monkeypatch):
    monkeypatch.setattr(_memory, "MAX_WORKING_BYTES", BOUND)
    monkeypatch.setattr(_memory, "MAX_RESULT_BYTES", BOUND)


def _peak(call):
    tracemalloc.start()
    try:
        call()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.usefixtures("small_bound")
@pytest.mark.parametrize("batch_size", [50_000, 10**9])
def test_a_calls_predictions_of_many_outputs_stay_within_the_bound(batch_size):
    # one call of 204,800 rows held 312 MiB of predictions of 200 outputs at a 64 MiB bound
    rng = np.random.RandomState(0)
    W = rng.randn(12, 200)
    sizes = []

    def model(Z):
        sizes.append(len(Z))
        return Z @ W

    X = rng.randn(60, 12)
    ex = ExactShapleyExplainer(model, batch_size=batch_size).fit(X[:50])
    sizes.clear()
    peak = _peak(lambda: ex.explain(X[:1]))
    assert max(sizes) * 200 * 8 <= BOUND / 2
    assert peak <= 1.25 * BOUND


@pytest.mark.usefixtures("small_bound")
def test_a_result_past_the_bound_is_refused_and_chunks_leave_room_for_the_results():
    rng = np.random.RandomState(0)
    W = rng.randn(40, 100)
    X = rng.randn(4000, 40)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a single antithetic pair: std inf, said at fit
        ex = ShapleySamplingExplainer(lambda Z: Z @ W, n_permutations=2, max_background=5, random_state=0).fit(X[:100])
    with pytest.raises(ValueError, match=r"1000 rows \(40 players, 100 outputs\).*explain fewer rows per call"):
        ex.explain(X[:1000])
    # 400 rows: 2.2 times the bound before (chunks sized for the whole bound, results piled on
    # top, and each chunk's base values a view that kept its block of coalition values alive)
    peak = _peak(lambda: ex.explain(X[:400]))
    assert peak <= 1.1 * BOUND


@pytest.mark.usefixtures("small_bound")
def test_values_without_standard_errors_are_counted_as_such():
    # the exact game has no standard errors: 2,000 rows of 200 outputs (18 MiB of values) ran
    # before the results were counted, and must still run
    rng = np.random.RandomState(0)
    W = rng.randn(6, 200)
    X = rng.randn(2000, 6)
    ex = ExactShapleyExplainer(lambda Z: Z @ W, max_background=5, random_state=0).fit(X[:50])
    peak = _peak(lambda: ex.explain(X))
    assert peak <= 1.1 * BOUND


def test_a_refusal_shows_its_need_above_the_bound():
    need = _memory._gib(4 * 2**30 + 2**20, 4 * 2**30)
    assert need != _memory._gib(4 * 2**30) and float(need.split()[0]) > 4.0
    assert _memory._gib(6 * 2**30, 4 * 2**30) == "6.0 GiB"
