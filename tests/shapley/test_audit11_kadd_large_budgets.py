"""KernelSHAP's interaction fits past 2,560 coalitions (an outside audit, session 25).

Beyond that many coalitions the errors came from the leave-one-out sandwich, which covered
0.38-0.92 on 12 features; now the replicates are refitted in primal form wherever the fit has at
most 2,560 terms. Near every coalition, where the design samples few coalitions per top-order
term, the errors also bound the ridge's bias (order 5 at 3,300 on 12 features: a bias four times
the spread, coverage 0.60-0.71 from the jackknife alone). The sandwich that remains (more terms,
or more than 20 players) gives a row the same std alone and in a batch.
"""

import warnings

import numpy as np
import pytest

from skxai import ExactShapleyExplainer, KernelShapExplainer, _estimate
from skxai._estimate import _use_jackknife, kernel_order


def _game(A):
    A = np.asarray(A, dtype=np.float64)
    return (
        np.tanh(A[:, 0] * A[:, 1] * A[:, 2])
        + A[:, 3] * A[:, 4] * A[:, 5] * A[:, 6]
        + np.sin(A[:, 7]) * A[:, 8]
        + A[:, 9]
        - A[:, 10] * A[:, 11]
    )


@pytest.fixture(scope="module")
def setting():
    X = np.random.RandomState(0).normal(size=(60, 12))
    background, rows = X[:16], X[40:44]
    exact = ExactShapleyExplainer(_game).fit(background).explain(rows).values
    return background, rows, exact


def _coverage(setting, n_samples, max_order, seeds):
    background, rows, exact = setting
    hits = total = 0
    orders = set()
    for seed in range(seeds):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            exp = KernelShapExplainer(_game, n_samples=n_samples, max_order=max_order, random_state=seed)
            exp = exp.fit(background).explain(rows)
        orders.add(exp.extras.get("order"))
        hits += int((np.abs(exp.values - exact) <= 1.96 * exp.std).sum())
        total += exp.values.size
    return hits / total, orders


def test_replicates_past_the_dual_limit_are_refitted_in_primal_form():
    assert _use_jackknife(5, 2598, 100, p=12)  # 1,585 terms: the primal replicates
    assert _use_jackknife(3, 3298, 100, p=12)
    assert not _use_jackknife(3, 3298, 100, p=30)  # 4,525 terms: the sandwich
    assert not _use_jackknife(3, 3298, 100, p=21)  # beyond the primal form's players
    assert not _use_jackknife(3, 3298, 100)  # players unknown: as before


def test_order_5_past_2560_coalitions_covers(setting):
    coverage, orders = _coverage(setting, 2600, 5, seeds=5)
    assert orders == {5}
    assert coverage >= 0.90, coverage  # 0.71 with the sandwich


def test_near_every_coalition_the_errors_bound_the_ridge_bias(setting):
    """Order 5 at 3,300 coalitions on 12 features samples 64 pairs of one size (0.16 coalitions
    per order-5 term): its ridge's bias, the same in every draw, was four times the spread the
    jackknife sees. The error is now bounded through the linear fit of the same coalitions; the
    values themselves do not change."""
    background, rows, exact = setting
    coverage, orders = _coverage(setting, 3300, "auto", seeds=5)
    assert orders == {5}
    assert coverage >= 0.90, coverage  # 0.25 before (the sandwich), 0.60 with the jackknife alone
    ex = KernelShapExplainer(_game, n_samples=3300, random_state=0).fit(background)
    np.testing.assert_array_equal(ex.explain(rows).values[..., 0], ex.transform(rows))
    d = _estimate._seeded_design(12, 3300, 0, "leverage", _estimate.enumerated_share(5, 12, 3300))
    assert _estimate._ridge_bias_unseen(d, 5)
    assert not _estimate._ridge_bias_unseen(d, 1)
    # only the middle size sampled, 0.65 coalitions per order-3 term (10 features at 850):
    # its jackknife held 0.95, and the bound would be a thousand times its error
    d = _estimate._seeded_design(10, 850, 0, "leverage", _estimate.enumerated_share(3, 10, 850))
    assert not _estimate._ridge_bias_unseen(d, 3)
    # only the middle size sampled, 0.46 a term (11 features at 1,200): 0.87-0.90 without it
    d = _estimate._seeded_design(11, 1200, 0, "leverage", _estimate.enumerated_share(3, 11, 1200))
    assert _estimate._ridge_bias_unseen(d, 3)
    # the default budget on 12 features samples 2.2 coalitions per order-3 term: untouched
    d = _estimate._seeded_design(12, 2072, 0, "leverage", _estimate.enumerated_share(3, 12, 2072))
    assert not _estimate._ridge_bias_unseen(d, 3)


def test_the_sandwich_gives_a_row_the_same_std_alone_and_in_a_batch(monkeypatch):
    # the sandwich on a small design: the limit lowered, the primal form taken away
    monkeypatch.setattr(_estimate, "KADD_JACKKNIFE_MAX", 1024)
    monkeypatch.setattr(_estimate, "_primal_form", lambda p, order, m: False, raising=False)
    rng = np.random.RandomState(1)
    X = rng.normal(size=(80, 11))
    background, rows = X[:10], X[40:80]
    ex = KernelShapExplainer(lambda A: _game(np.c_[A, A[:, :1]]), n_samples=1200, max_order=3, random_state=0)
    ex.fit(background)
    batch = ex.explain(rows)
    for i in (0, 17, 39):
        alone = ex.explain(rows[i : i + 1])
        np.testing.assert_array_equal(alone.values[0], batch.values[i])
        np.testing.assert_array_equal(alone.std[0], batch.std[i])


def _tanh_game():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(15, 9))
    rows = X[:4] + 0.5 * rng.normal(size=(4, 9))
    W = rng.normal(size=(9, 9)) / 3

    def f(Z):
        h = np.tanh(np.asarray(Z, dtype=np.float64) @ W)
        return (
            h[:, 0] * h[:, 1]
            + 2 * h[:, 2] * h[:, 3] * h[:, 4]
            + Z[:, 0] * np.sin(Z[:, 1])
            + 0.3 * h.sum(1)
            + np.maximum(Z[:, 2] * Z[:, -1], 0)
        )

    return f, X, rows


def test_order_3_just_past_a_quarter_of_the_coalitions_covers():
    """9 features at 170 coalitions (sizes 1, 2, 7 and 8 enumerated, 0.93 sampled coalitions
    per order-3 term): "auto"'s order-3 fit covered 0.785 (a second audit, session 25)."""
    f, X, rows = _tanh_game()
    truth = ExactShapleyExplainer(f, max_background=15).fit(X).explain(rows).values
    hits = total = 0
    for seed in range(12):
        exp = KernelShapExplainer(f, n_samples=170, max_background=15, random_state=seed).fit(X).explain(rows)
        assert exp.extras["order"] == 3
        hits += int((np.abs(exp.values - truth) <= 1.96 * exp.std).sum())
        total += exp.values.size
    assert hits / total >= 0.90, hits / total


def test_auto_takes_an_order_the_jackknife_refits_and_an_explicit_sandwich_warns():
    """Order 5 on 14 features at 6,000 coalitions (3,472 terms) got the sandwich: 0.70 on a
    smooth game and 0.91 on an MLP (a third audit's harness); order 3 there is refitted and held
    0.96-0.97."""
    assert kernel_order("auto", 14, 6000) == 3
    assert kernel_order("auto", 14, 7700) == 5  # twice as many coalitions as terms: refitted
    assert kernel_order("auto", 25, 6000) == 1  # order 3 has 2,625 terms there
    X = np.random.RandomState(0).normal(size=(5, 14))
    with pytest.warns(UserWarning, match="come from a linearisation"):
        KernelShapExplainer(lambda A: np.asarray(A).sum(axis=1), n_samples=6000, max_order=5).fit(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        KernelShapExplainer(lambda A: np.asarray(A).sum(axis=1), n_samples=6000).fit(X)
