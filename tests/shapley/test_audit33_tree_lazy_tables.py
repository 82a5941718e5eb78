"""TreeSHAP leaves its tables to the calls that need them: fit builds none, calls of a few rows
read each leaf at the rows' own patterns, and a chunk's kept tables are built once the row path's
work on it would have paid for them (the values are the same bits either way). Both games: the
interventional game built every kept table at fit until session 39 (0.9-1.3 s of a 100-tree
forest's fit against 100 background rows, for a call of 100 rows that the row path explains in
0.4 s; shap took 0.8 s)."""

import numpy as np
import pytest
from sklearn.ensemble import RandomForestRegressor

from skxai import TreeShapExplainer
from skxai.shapley._treeshap import _run


@pytest.fixture(params=["tree_path_dependent", "interventional"])
def game(request):
    return request.param


@pytest.fixture
def builds(monkeypatch):
    built = []
    real = _run.TreeRunner._build
    monkeypatch.setattr(
        _run.TreeRunner, "_build", lambda self, plan, outside=True: built.append(1) or real(self, plan, outside)
    )
    return built


def _forest():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(600, 8))
    y = X[:, 0] * X[:, 1] + np.sin(X[:, 2]) + X[:, 3]
    return RandomForestRegressor(20, max_depth=6, random_state=0).fit(X, y), X


def _reference(model, X, rows, monkeypatch, game):
    monkeypatch.setattr(_run, "ROW_PATH", False)
    out = TreeShapExplainer(model, feature_perturbation=game).fit(X[:50]).transform(rows)
    monkeypatch.setattr(_run, "ROW_PATH", None)
    return out


def test_fit_builds_no_table_and_few_rows_build_none(builds, monkeypatch, game):
    model, X = _forest()
    want = _reference(model, X, X[:5], monkeypatch, game)
    builds.clear()
    est = TreeShapExplainer(model, feature_perturbation=game).fit(X[:50])
    assert builds == []
    np.testing.assert_array_equal(est.transform(X[:5]), want)
    assert builds == []


def test_kept_tables_are_built_once_the_row_path_would_have_paid_for_them(builds, monkeypatch, game):
    model, X = _forest()
    rows = X[:400]
    want = _reference(model, X, rows, monkeypatch, game)
    builds.clear()
    est = TreeShapExplainer(model, feature_perturbation=game).fit(X[:50])
    runner = est._runner
    n_kept = sum(runner._keep)
    assert n_kept == len(runner.chunks)  # a small forest: every chunk's tables fit the cache
    for _ in range(3):
        np.testing.assert_array_equal(est.transform(rows), want)
    assert len(builds) == n_kept  # each chunk built once, when paid for, and kept
    assert all(tab is not None for tab in runner._tables)
    np.testing.assert_array_equal(est.transform(rows[:3]), want[:3])
    assert len(builds) == n_kept


def test_chunks_beyond_the_cache_take_the_row_path_for_few_rows_whatever_their_depth(builds, monkeypatch, game):
    # Trees of depth 6: every leaf lies in a block, and such chunks were left to the tables,
    # rebuilt at every call (1.4 s for 10 rows of a 100-tree forest of depth 8; shap 0.03 s).
    model, X = _forest()
    want = _reference(model, X, X[:5], monkeypatch, game)
    monkeypatch.setattr(_run, "CACHE_FLOATS", 0)
    builds.clear()
    est = TreeShapExplainer(model, feature_perturbation=game).fit(X[:50])
    assert not any(est._runner._keep)
    for _ in range(2):
        np.testing.assert_array_equal(est.transform(X[:5]), want)
    assert builds == []


def test_one_row_calls_build_the_kept_tables_once_their_work_pays_for_them(builds, monkeypatch, game):
    # A ski rental counting each leaf's own table, which the row path pays at every call.
    # Without it 200 one-row calls stayed on the row path, each 8 times slower than a call with
    # the tables (an outside audit's serving loop); building at the second call made two
    # one-row calls 5 times slower (a review).
    from skxai.shapley._treeshap._engine import own_tables_work, row_path_work

    model, X = _forest()
    want = _reference(model, X, X[:60], monkeypatch, game)
    builds.clear()
    est = TreeShapExplainer(model, feature_perturbation=game).fit(X[:50])
    runner = est._runner
    n_kept = sum(runner._keep)
    # the calls the rental should take: the first chunk's price over a one-row call's rent
    plan = runner._plan(0)
    rows, tables = row_path_work(plan, 1, 1)
    own = own_tables_work(plan, 1, 0 if runner._bgT is None else runner._bgT.shape[1])
    rented = int((tables + own) // (rows + own))
    assert rented >= 2  # some calls rent before the tables are bought
    for i in range(60):
        np.testing.assert_array_equal(est.transform(X[i : i + 1]), want[i : i + 1])
        if runner._tables[0] is not None:
            break
    assert i == rented  # bought by the call whose rent would pass the price
    for i in range(60):
        est.transform(X[i : i + 1])
    assert len(builds) == n_kept  # every kept chunk bought once


def test_a_large_call_after_small_ones_builds_the_tables(builds, monkeypatch, game):
    # A rule on measured time sent every later call down the row path once one small call had
    # rented it: 2,000 rows after a one-row call took 3.2 s instead of 1.2 (a review).
    model, X = _forest()
    want = _reference(model, X, X[:500], monkeypatch, game)
    builds.clear()
    est = TreeShapExplainer(model, feature_perturbation=game).fit(X[:50])
    n_kept = sum(est._runner._keep)
    np.testing.assert_array_equal(est.transform(X[:1]), want[:1])
    assert builds == []
    np.testing.assert_array_equal(est.transform(X[:500]), want)
    assert len(builds) == n_kept


def test_threads_meeting_an_unbuilt_kept_chunk_build_it_once(builds, monkeypatch, game):
    from concurrent.futures import ThreadPoolExecutor

    model, X = _forest()
    want = _reference(model, X, X[:300], monkeypatch, game)
    builds.clear()
    est = TreeShapExplainer(model, feature_perturbation=game).fit(X[:50])
    est.transform(X[:1])  # the first call: the row path
    runner = est._runner
    n_kept = sum(runner._keep)
    runner._row_spent = [1e9] * len(runner.chunks)  # the rent paid: every thread goes to build
    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(lambda _: est.transform(X[:300]), range(4)))
    for g in got:
        np.testing.assert_array_equal(g, want)
    assert len(builds) == n_kept  # 4 threads, one build each chunk
