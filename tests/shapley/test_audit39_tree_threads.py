"""TreeSHAP's threads on one machine: only for calls with enough work to gain.

Building the game tables holds the GIL (``np.add.at``), so two threads were 10-44% slower than one
on a 200-tree boosted model at 2,000-10,000 rows (``benchmarks/probe_tree_threads.py``, session
39): a call below ``_MIN_PARALLEL_WORK * _THREAD_WORK_FACTOR`` (row x node) decisions runs its
chunks in this process, one after the other. The values are the same either way."""

import numpy as np
from sklearn.ensemble import GradientBoostingRegressor

from skxai import TreeShapExplainer
from skxai.shapley._treeshap import _run


def _spy_threads(monkeypatch):
    used = []
    real = _run.TreeRunner._parts

    def spy(self, chunks, XT, has_nan, n_jobs):
        used.append(n_jobs)
        return real(self, chunks, XT, has_nan, n_jobs)

    monkeypatch.setattr(_run.TreeRunner, "_parts", spy)
    return used


def test_threads_only_for_calls_with_enough_work(monkeypatch):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(600, 8))
    model = GradientBoostingRegressor(n_estimators=200, random_state=0).fit(X, X[:, 0] * X[:, 1] + X[:, 2])
    rows = np.tile(X, (4, 1))  # 2,400 rows: above _MIN_PARALLEL_WORK, below the threads' share
    one = TreeShapExplainer(model).fit(X[:100]).transform(rows)
    used = _spy_threads(monkeypatch)
    ex = TreeShapExplainer(model, n_jobs=2).fit(X[:100])
    work = len(rows) * len(ex._runner.ensemble.left)
    assert _run._MIN_PARALLEL_WORK <= work < _run._MIN_PARALLEL_WORK * _run._THREAD_WORK_FACTOR
    assert np.array_equal(ex.transform(rows), one)
    assert used == [1]  # in this process, one chunk after the other
    monkeypatch.setattr(_run, "_THREAD_WORK_FACTOR", 1)
    assert np.array_equal(ex.transform(rows), one)
    assert used == [1, 2]  # enough work: the two threads
