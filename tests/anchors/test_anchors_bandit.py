"""KL-LUCB pieces: exact KL bounds, the exploration rate, and the sample-reuse rule."""

import numpy as np
import pytest
from scipy.optimize import brentq

from skxai.anchors._bandit import (
    kl_bernoulli,
    kl_lower_bound,
    kl_upper_bound,
    lucb_beta,
    validation_beta,
)
from skxai.anchors._store import SampleStore


def _root(p, level, upper):
    f = lambda q: kl_bernoulli(p, q) - level  # noqa: E731
    if upper:
        if p >= 1 or f(1 - 1e-16) <= 0:
            return 1.0
        return brentq(f, p, 1 - 1e-16, xtol=1e-17, rtol=1e-14, maxiter=500)
    if p <= 0 or f(1e-300) <= 0:
        return 0.0
    return brentq(f, 1e-300, p, xtol=1e-30, rtol=1e-14, maxiter=500)


def test_kl_bounds_are_the_exact_roots():
    rng = np.random.RandomState(0)
    p = np.r_[rng.rand(200), 0.0, 1.0, 0.5, 0.95, 1e-9, 1 - 1e-9]
    level = np.r_[10 ** rng.uniform(-4, 1.2, 200), 0.1, 0.1, 0.1, 0.003, 0.1, 0.1]
    ub = kl_upper_bound(p, level)
    lb = kl_lower_bound(p, level)
    exp_ub = np.array([_root(a, b, True) for a, b in zip(p, level, strict=True)])
    exp_lb = np.array([_root(a, b, False) for a, b in zip(p, level, strict=True)])
    np.testing.assert_allclose(ub, exp_ub, atol=1e-12)
    np.testing.assert_allclose(lb, exp_lb, atol=1e-12)
    assert np.all(lb <= p + 1e-15) and np.all(ub >= p - 1e-15)


def test_kl_bounds_are_tighter_than_hoeffding():
    # a one-step bisection from the Hoeffding bracket returns that bracket; the exact KL
    # bound of a mean near 1 is much tighter
    p, level = 0.98, 0.05
    hoeffding = p - np.sqrt(level / 2)
    assert kl_lower_bound(p, level) > hoeffding + 0.05
    assert abs(kl_bernoulli(p, kl_lower_bound(p, level)) - level) < 1e-10


def test_kl_bernoulli_edges():
    assert kl_bernoulli(1.0, 0.5) == pytest.approx(np.log(2))
    assert kl_bernoulli(0.0, 0.5) == pytest.approx(np.log(2))
    assert kl_bernoulli(0.3, 0.3) == 0.0
    assert np.isinf(kl_bernoulli(0.5, 1.0))


def test_beta_formula():
    t, n, delta = 7, 20, 0.1
    temp = np.log(405.5 * n * t**1.1 / delta)
    assert lucb_beta(n, t, delta) == pytest.approx(temp + np.log(temp))
    assert validation_beta(20, 1, 0.1) == pytest.approx(np.log(21 / 0.1))


def test_reuse_rule_matches_brute_force():
    rng = np.random.RandomState(1)
    F = 6
    store = SampleStore(F)
    for anchor in [(), (1,), (2,), (1, 3), (0, 2, 4)]:
        P = rng.rand(40, F) < 0.5
        P[:, list(anchor)] = True
        store.add(anchor, P, rng.rand(40) < 0.7, ["x"] * 40)
    for parent in [(), (1,), (2,), (1, 3)]:
        rest = [u for u in range(F) if u not in parent]
        children = store.track_children(parent, rest)
        for child in children:
            # brute force: samples drawn for S <= child that kept all of child
            n = pos = 0
            for i in range(store.m):
                S = set(np.flatnonzero(store.anchor_masks[store.aid[i]]))
                if S <= set(child) and store.presence[i, list(child)].all():
                    n += 1
                    pos += int(store.labels[i])
            assert store.stats[child] == [n, pos], child
        store.stats.clear()


def test_no_reuse_counts_own_samples_only():
    store = SampleStore(3, reuse=False)
    store.add((), np.ones((5, 3), dtype=bool), np.ones(5, dtype=bool), list(range(5)))
    assert store.count((0,)) == (0, 0)
    store.add((0,), np.ones((4, 3), dtype=bool), np.array([1, 0, 1, 1], bool), list(range(4)))
    assert store.count((0,)) == (4, 3)
