"""TreeSHAP's memory at the edges an outside audit found (session 27): ``transform`` held every
class's values to return one (93 classes of 5,000 rows on 1,000 features: 3.5 GiB for a 40 MB
result), ``explain`` asked numpy for 41.6 GiB after 12 s of work instead of refusing at once,
and the interventional game's empty-coalition value read all background patterns at once
(7 kB a background row: 3,000,000 rows went past 4 GiB at ``fit``)."""

import tracemalloc

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor

import skxai.shapley._tree as tree_module
import skxai.shapley._treeshap._engine as engine
from skxai import TreeShapExplainer
from skxai.utils import _memory


@pytest.fixture(scope="module")
def classes():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 12))
    y = (3 * X[:, 0] + X[:, 1] * X[:, 2]).round().astype(int) % 7
    return RandomForestClassifier(n_estimators=5, max_depth=6, random_state=0).fit(X, y), X


@pytest.mark.parametrize("target", ["predicted", 3, "per-sample"])
@pytest.mark.parametrize("kind", ["array", "frame", "sparse", "list"])
def test_transform_in_chunks_of_rows_gives_the_same_bits(classes, monkeypatch, target, kind):
    model, X = classes
    rows = X[:53]
    if target == "per-sample":
        target = np.arange(len(rows)) % 7
    est = TreeShapExplainer(model, target=target).fit(X[:40])
    whole = est.transform(rows)
    values = est.explain(rows)
    np.testing.assert_array_equal(whole, values.target_values)
    data = {"array": rows, "frame": pd.DataFrame(rows), "sparse": sp.coo_matrix(rows), "list": rows.tolist()}[kind]
    if kind == "frame":
        est = TreeShapExplainer(model, target=target).fit(pd.DataFrame(X[:40]))
    # 5 rows' values of every output a chunk
    monkeypatch.setattr(tree_module, "TRANSFORM_BYTES", 5 * 8 * est.n_players_ * est.n_outputs_)
    np.testing.assert_array_equal(est.transform(data), whole)


def test_transform_holds_one_chunk_of_every_outputs_values(classes, monkeypatch):
    model, X = classes
    est = TreeShapExplainer(model).fit(X[:40])
    rows = np.tile(X, (20, 1))  # 6,000 rows: every output's values take 4 MB
    full = 8 * len(rows) * est.n_players_ * est.n_outputs_
    monkeypatch.setattr(tree_module, "TRANSFORM_BYTES", full // 16)
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        est.transform(rows)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < full, (peak, full)  # the whole call held 8 times every output's values


def test_values_beyond_the_result_bound_are_refused_before_any_work(classes, monkeypatch):
    model, X = classes
    est = TreeShapExplainer(model).fit(X[:40])
    monkeypatch.setattr(_memory, "MAX_RESULT_BYTES", 8 * 100 * est.n_players_ * est.n_outputs_)
    calls = []
    monkeypatch.setattr(est, "_explain_rows", lambda Z: calls.append(len(Z)))
    with pytest.raises(ValueError, match=r"the values of 101 rows \(12 players x 7 outputs\).*transform them"):
        est.explain(X[:101])
    assert calls == []


def test_the_empty_coalitions_value_reads_the_background_in_chunks(monkeypatch):
    rng = np.random.RandomState(1)
    X = rng.normal(size=(20000, 6))
    y = X[:3000, 0] * X[:3000, 1]
    model = RandomForestRegressor(n_estimators=8, max_depth=8, random_state=0).fit(X[:3000], y)

    def fit():
        return TreeShapExplainer(model, feature_perturbation="interventional", max_background=None).fit(X)

    whole = fit()
    # chunks of leaves and of rows: the same additions in the same order, the same bits
    monkeypatch.setattr(engine, "REACH_BYTES", 40 * 700)
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        chunked = fit()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    np.testing.assert_array_equal(chunked.expected_value_, whole.expected_value_)
    np.testing.assert_array_equal(chunked.transform(X[:30]), whole.transform(X[:30]))
    # all leaves' patterns of all rows at once: 40 bytes a row and leaf, about 13 MB a chunk of trees
    leaves = max(len(p.leaf_d) for p in whole._runner.plans)
    assert peak < 0.5 * 40 * len(X) * leaves, (peak, leaves)
