"""KernelSHAP with ``n_jobs`` on many rows: whole rows per worker, the numbers of one process."""

import numpy as np
import pytest
from joblib import parallel_config

from skxai import KernelShapExplainer, _estimate
from skxai.shapley import _kernel


def _model(A):
    return A[:, 0] * A[:, 1] + np.sin(A[:, 2]) + A[:, 3] * A[:, 4] * A[:, 5] - A[:, 6]


@pytest.fixture
def data():
    rng = np.random.RandomState(0)
    return rng.normal(size=(40, 7)), rng.normal(size=(30, 7))


def _spy(monkeypatch):
    chunks = []
    real = _kernel._estimate_rows

    def spy(game, X, *args):
        chunks.append(len(X))
        return real(game, X, *args)

    monkeypatch.setattr(_kernel, "_estimate_rows", spy)
    return chunks


@pytest.mark.parametrize("kw", [dict(n_samples=60, max_order=1), dict(n_samples=100, max_order=3),
                                dict(n_samples=110, max_order="auto", sampling="kernel")])
def test_row_chunks_on_workers_give_the_numbers_of_one_process(data, kw, monkeypatch):
    # 7 players sample at most 35 pairs: let the k-additive fits report their (jackknife) errors
    # on fewer, so those travel through the chunks too
    monkeypatch.setattr(_estimate, "KADD_MIN_UNITS", 0)
    bg, X = data
    one = KernelShapExplainer(_model, max_background=None, random_state=3, **kw).fit(bg).explain(X)
    chunks = _spy(monkeypatch)
    with parallel_config(backend="threading"):  # the spy reaches thread workers
        two = KernelShapExplainer(_model, max_background=None, random_state=3, n_jobs=2, **kw).fit(bg).explain(X)
    assert chunks and sum(chunks) == len(X) and len(chunks) == 8
    np.testing.assert_array_equal(two.values, one.values)
    np.testing.assert_array_equal(two.std, one.std)
    np.testing.assert_array_equal(two.base_values, one.base_values)
    assert two.n_evaluations == one.n_evaluations and two.order == one.order
    assert one.order == 1 or np.isfinite(one.std).all()


def test_a_random_state_instance_is_drawn_once_as_in_one_process(data):
    bg, X = data
    rs1, rs2 = np.random.RandomState(7), np.random.RandomState(7)
    one = KernelShapExplainer(_model, n_samples=60, max_background=None, random_state=rs1).fit(bg).explain(X)
    two = KernelShapExplainer(_model, n_samples=60, max_background=None, random_state=rs2,
                              n_jobs=2).fit(bg).explain(X)
    np.testing.assert_array_equal(two.values, one.values)
    assert rs1.randint(10**9) == rs2.randint(10**9)  # both advanced by the same draws


@pytest.mark.parametrize("case", ["tol", "few rows", "conditional", "one job"])
def test_row_chunks_only_where_they_keep_the_numbers(data, case, monkeypatch):
    bg, X = data
    kw = dict(n_samples=60, max_background=None, random_state=3, n_jobs=2)
    if case == "tol":
        kw["tol"] = 0.05  # one stopping rule over all rows
    elif case == "few rows":
        X = X[:3]
    elif case == "conditional":
        kw.update(game="conditional", conditional_sampler="gaussian")
    else:
        kw["n_jobs"] = 1
    chunks = _spy(monkeypatch)
    with parallel_config(backend="threading"):
        got = KernelShapExplainer(_model, **kw).fit(bg).explain(X)
    assert chunks == []
    want = KernelShapExplainer(_model, **{**kw, "n_jobs": 1}).fit(bg).explain(X)
    np.testing.assert_array_equal(got.values, want.values)
