"""Working memory of an explain call: requests that cannot fit are refused before any work, and
many rows are explained in chunks with the numbers of one call."""

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression, LogisticRegression

from skxai import (
    ExactShapleyExplainer,
    KernelShapExplainer,
    LimeExplainer,
    ShapleySamplingExplainer,
)
from skxai.utils import _memory


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 10))
    return X, LinearRegression().fit(X, X @ np.arange(10.0) + np.sin(X[:, 0] * X[:, 1]))


@pytest.mark.parametrize(
    "make, knob",
    [
        (lambda m: ShapleySamplingExplainer(m, n_permutations=10**8), "n_permutations"),
        (lambda m: LimeExplainer(m, n_samples=10**9), "n_samples"),
        (lambda m: KernelShapExplainer(m, n_samples=10**8, game="conditional", n_conditional_samples=10**8),
         "n_conditional_samples"),
        (lambda m: ExactShapleyExplainer(m, game="conditional", n_conditional_samples=10**9), "n_conditional_samples"),
    ],
)
def test_a_request_no_row_fits_is_refused_at_fit(data, make, knob):
    X, model = data
    with pytest.raises(ValueError, match=f"GiB of working memory for a single row.*{knob}"):
        make(model).fit(X)


def test_kernel_shap_on_many_features_with_a_huge_budget_is_refused():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 40))
    model = LinearRegression().fit(X, X.sum(axis=1))
    with pytest.raises(ValueError, match="lower n_samples"):
        KernelShapExplainer(model, n_samples=10**9).fit(X)


def _limit_rows(monkeypatch, explainer, rows, n_rows=7):
    """Set the memory limit so that ``rows`` rows fit in a chunk, beside the values and standard
    errors of the ``n_rows`` rows explained (held as the chunks finish)."""
    fixed, per_row = explainer._working_bytes()
    # values and standard errors, held by the finished chunks and again by their join
    results = 2 * (2 * 8 * explainer.n_players_ * explainer.n_outputs_ * n_rows)
    monkeypatch.setattr(_memory, "MAX_WORKING_BYTES", fixed + rows * per_row + results)


@pytest.mark.parametrize(
    "make, rtol",
    [
        (lambda m, rs: KernelShapExplainer(m, n_samples=200, random_state=rs), 0),
        (lambda m, rs: ShapleySamplingExplainer(m, n_permutations=6, random_state=rs), 0),
        # the conditional game's model calls hold several rows: the same draws, call rounding
        (lambda m, rs: ExactShapleyExplainer(m, game="conditional", n_conditional_samples=16, random_state=rs,
                                             feature_groups=[[0, 1], [2, 3], [4, 5], [6, 7], [8, 9]]), 1e-12),
    ],
)
def test_rows_in_chunks_give_the_numbers_of_one_call(monkeypatch, data, make, rtol):
    X, model = data
    whole = make(model, 0).fit(X).explain(X[:7])
    est = make(model, 0).fit(X)
    _limit_rows(monkeypatch, est, 3)
    calls = []
    real = type(est)._explain_rows
    monkeypatch.setattr(type(est), "_explain_rows", lambda self, Xr: calls.append(len(Xr)) or real(self, Xr))
    chunked = est.explain(X[:7])
    assert calls == [3, 3, 1]
    np.testing.assert_allclose(chunked.values, whole.values, rtol=rtol, atol=rtol)
    np.testing.assert_allclose(chunked.std, whole.std, rtol=1e3 * rtol, atol=rtol)
    np.testing.assert_array_equal(chunked.base_values, whole.base_values)


def test_a_random_state_instance_draws_once_for_all_chunks(monkeypatch, data):
    X, model = data
    one = KernelShapExplainer(model, n_samples=200, random_state=np.random.RandomState(5)).fit(X)
    whole = one.explain(X[:7])
    rs = np.random.RandomState(5)
    est = KernelShapExplainer(model, n_samples=200, random_state=rs).fit(X)
    _limit_rows(monkeypatch, est, 2)
    chunked = est.explain(X[:7])
    np.testing.assert_array_equal(chunked.values, whole.values)
    # the instance stands where one call leaves it, and is still the user's own
    assert est.random_state is rs
    assert rs.randint(10**9) == one.random_state.randint(10**9)
    fresh = KernelShapExplainer(model, n_samples=200, random_state=None).fit(X)
    _limit_rows(monkeypatch, fresh, 2)
    values = fresh.explain(X[:7]).values
    assert fresh.random_state is None and np.isfinite(values).all()


def test_lime_chunks_merge_their_per_row_extras(monkeypatch, data):
    X, _ = data
    clf = LogisticRegression().fit(X, X[:, 0] > 0)
    whole = LimeExplainer(clf, n_samples=300, random_state=0).fit(X).explain(X[:5])
    est = LimeExplainer(clf, n_samples=300, random_state=0).fit(X)
    _limit_rows(monkeypatch, est, 2)
    chunked = est.explain(X[:5])
    np.testing.assert_allclose(chunked.values, whole.values, rtol=1e-10, atol=1e-12)
    assert chunked.extras["score"].shape == whole.extras["score"].shape
    np.testing.assert_allclose(chunked.outputs, whole.outputs)


def test_rows_that_a_rule_sees_together_are_refused_rather_than_split(monkeypatch, data):
    X, model = data
    est = KernelShapExplainer(model, n_samples=200, tol=0.05, random_state=0).fit(X)
    _limit_rows(monkeypatch, est, 3)
    with pytest.raises(ValueError, match="explain fewer rows per call"):
        est.explain(X[:7])
    assert est.explain(X[:3]).values.shape[0] == 3


def test_tree_interaction_values_beyond_the_bound_are_refused(monkeypatch):
    # the result is n x p x p x k: 300 rows on 1,000 features asked for 2.2 GiB at once
    from sklearn.tree import DecisionTreeRegressor

    from skxai import TreeShapExplainer
    from skxai.utils import _memory

    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 30))
    ex = TreeShapExplainer(DecisionTreeRegressor(max_depth=3, random_state=0).fit(X, X[:, 0])).fit(X)
    small = ex.interaction_values(X[:2])
    monkeypatch.setattr(_memory, "MAX_WORKING_BYTES", 8 * 2 * 30 * 30 * 10)
    with pytest.raises(ValueError, match="interaction values of 60 rows on 30 players.*explain fewer rows"):
        ex.interaction_values(X)
    np.testing.assert_array_equal(ex.interaction_values(X[:2]), small)


@pytest.mark.parametrize("make", [
    lambda f: KernelShapExplainer(f, max_background=2),
    lambda f: ShapleySamplingExplainer(f, max_background=2, n_permutations=2),
])
def test_twenty_thousand_features_are_refused_at_once_naming_feature_groups(make):
    # KernelSHAP's fit counted every coalition size exactly (6,000-digit integers): minutes
    # before the refusal; and lowering the budget cannot help there: the players must go.
    X = np.zeros((3, 20_000))
    with pytest.raises(ValueError, match="single row.*feature_groups"):
        make(lambda A: np.asarray(A).sum(axis=1)).fit(X)


def test_capped_coalition_counts_are_exact_below_the_cap():
    from scipy.special import comb

    from skxai import _designs

    for p in (5, 20, 61, 62, 63, 64, 100):
        for s in range(0, p + 1):
            exact = comb(p, s, exact=True)
            assert _designs._count(p, s) == (exact if exact <= _designs.COUNT_CAP else float("inf")), (p, s)
