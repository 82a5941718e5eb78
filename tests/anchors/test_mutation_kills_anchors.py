"""Kill tests for the anchors' precision bounds and beam search (issue 17).

References are closed forms written out here (the Bernoulli KL divergence with ``math.log``, a
bisection of it), hand-worked counts, and tiny rule models whose anchor is known by construction.
"""

import math
import warnings

import numpy as np
import pytest

from skxai.anchors._bandit import (
    accepts,
    kl_bernoulli,
    kl_bounds,
    kl_lower_bound,
    kl_upper_bound,
    lucb_beta,
    validation_beta,
)
from skxai.anchors._driver import run_lockstep
from skxai.anchors._search import AnchorSearch
from skxai.anchors._store import SampleStore


def _kl(p, q):
    """Closed-form Bernoulli KL divergence, with 0 log 0 = 0."""
    out = 0.0
    if p > 0:
        if q <= 0:
            return math.inf
        out += p * math.log(p / q)
    if p < 1:
        if q >= 1:
            return math.inf
        out += (1 - p) * math.log((1 - p) / (1 - q))
    return out


def _bisect(p, level, upper):
    """Exact KL root by 200 bisection steps on the monotone side of ``p``."""
    lo, hi = (p, 1.0) if upper else (0.0, p)
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        inside = _kl(p, mid) <= level
        if upper:
            lo, hi = (mid, hi) if inside else (lo, mid)
        else:
            lo, hi = (lo, mid) if inside else (mid, hi)
    return hi if upper else lo


# -- KL divergence and bounds ----------------------------------------------------------------
@pytest.mark.parametrize("p, q", [(0.5, 0.25), (0.1, 0.9), (0.9, 0.1), (0.0, 0.3), (1.0, 0.3), (0.7, 0.7),
                                  (0.25, 0.999)])
def test_kl_bernoulli_is_the_closed_form(p, q):
    assert kl_bernoulli(p, q) == pytest.approx(_kl(p, q), rel=1e-13, abs=1e-300)


def test_kl_bernoulli_is_infinite_where_q_is_certain_and_p_is_not():
    assert np.isinf(kl_bernoulli(0.5, 0.0)) and np.isinf(kl_bernoulli(0.5, 1.0))
    assert np.isinf(kl_bernoulli(1.0, 0.0)) and np.isinf(kl_bernoulli(0.0, 1.0))
    assert kl_bernoulli(0.0, 0.0) == 0.0 and kl_bernoulli(1.0, 1.0) == 0.0
    out = kl_bernoulli(np.array([0.2, 0.4]), np.array([0.2, 1.0]))
    assert out[0] == 0.0 and np.isinf(out[1])


P_LEVELS = [(0.5, 0.1), (0.9, 0.05), (0.98, 0.01), (0.02, 0.3), (0.3, 2.0), (0.999, 1e-4), (0.6, 8.0),
            (0.1, 1e-3), (1e-6, 0.05), (1 - 1e-6, 0.05),
            (0.25, 0.125)]  # the upper start is 0.5, where Newton's slope (q - p) / (q (1 - q)) is exactly 1


@pytest.mark.parametrize("p, level", P_LEVELS)
def test_kl_bounds_equal_a_bisection_of_the_closed_form(p, level):
    ub, lb = float(kl_upper_bound(p, level)), float(kl_lower_bound(p, level))
    assert ub == pytest.approx(_bisect(p, level, True), abs=1e-12)
    assert lb == pytest.approx(_bisect(p, level, False), abs=1e-12)
    # conservative: never inside the exact interval by more than rounding
    assert ub >= _bisect(p, level, True) - 1e-15 and lb <= _bisect(p, level, False) + 1e-15


def test_kl_bounds_at_the_edges():
    # level 0: the bounds are the mean itself
    np.testing.assert_array_equal(kl_upper_bound([0.0, 0.3, 1.0], 0.0), [0.0, 0.3, 1.0])
    np.testing.assert_array_equal(kl_lower_bound([0.0, 0.3, 1.0], 0.0), [0.0, 0.3, 1.0])
    # a certain mean keeps its side: p = 1 has upper bound 1, p = 0 lower bound 0
    assert kl_upper_bound(1.0, 0.5) == 1.0 and kl_lower_bound(0.0, 0.5) == 0.0
    # the other side of a certain mean: KL(1, q) = -log q, KL(0, q) = -log(1 - q)
    assert kl_lower_bound(1.0, 0.5) == pytest.approx(math.exp(-0.5), abs=1e-12)
    assert kl_upper_bound(0.0, 0.5) == pytest.approx(1 - math.exp(-0.5), abs=1e-12)
    # a negative level is read as 0; means outside [0, 1] are clipped
    assert kl_upper_bound(0.4, -1.0) == 0.4 and kl_lower_bound(0.4, -1.0) == 0.4
    assert kl_upper_bound(1.5, 0.5) == 1.0 and kl_lower_bound(-0.5, 0.5) == 0.0
    # a huge level gives the vacuous side
    assert kl_upper_bound(0.5, 50.0) == pytest.approx(1.0, abs=1e-12)
    assert kl_lower_bound(0.5, 50.0) == pytest.approx(0.0, abs=1e-12)


def test_kl_bounds_broadcast_means_against_levels():
    p = np.array([[0.2], [0.8]])
    level = np.array([0.01, 0.1, 1.0])
    ub, lb = kl_upper_bound(p, level), kl_lower_bound(p, level)
    assert ub.shape == lb.shape == (2, 3)
    for i in range(2):
        for j in range(3):
            assert ub[i, j] == pytest.approx(_bisect(p[i, 0], level[j], True), abs=1e-12)
            assert lb[i, j] == pytest.approx(_bisect(p[i, 0], level[j], False), abs=1e-12)


def test_exploration_rates_by_hand():
    # beta = log(405.5 * n * t^1.1 / delta) + log log(...)
    for n, t, delta in [(3, 1, 0.05), (12, 40, 0.1), (1, 2, 0.5)]:
        a = math.log(405.5 * n * t**1.1 / delta)
        assert lucb_beta(n, t, delta) == pytest.approx(a + math.log(a), rel=1e-13)
    # union over beam_size * n_units candidates plus the chosen one
    assert validation_beta(7, 3, 0.05) == pytest.approx(math.log(22 / 0.05), rel=1e-13)
    assert validation_beta(1, 1, 0.2) == pytest.approx(math.log(2 / 0.2), rel=1e-13)


def test_kl_bounds_of_count_rows():
    counts = np.array([[20, 17], [0, 0], [5, 5], [8, 0], [1, 1], [1, 0]])
    beta = 2.3
    mean, lb, ub, n = kl_bounds(counts, beta)
    np.testing.assert_array_equal(n, [20, 0, 5, 8, 1, 1])
    np.testing.assert_allclose(mean, [17 / 20, 0, 1, 0, 1, 0], rtol=0, atol=1e-15)
    assert ub[5] == pytest.approx(1 - math.exp(-beta), abs=1e-12)  # one sample is already informative
    for i, (k, pos) in enumerate(counts):
        if k == 0:
            assert lb[i] == 0.0 and ub[i] == 1.0
            continue
        assert lb[i] == pytest.approx(_bisect(pos / k, beta / k, False), abs=1e-12)
        assert ub[i] == pytest.approx(_bisect(pos / k, beta / k, True), abs=1e-12)
    # a flat (n, pos) pair is read as one row
    m1, l1, u1, n1 = kl_bounds([20, 17], beta)
    assert n1.tolist() == [20] and l1[0] == lb[0] and u1[0] == ub[0] and m1[0] == mean[0]


def test_acceptance_rule_boundaries():
    # mean >= threshold and lb >= threshold - epsilon_stop, with samples
    assert accepts(0.9, 0.85, 10, 0.9, 0.05)  # both exactly on the boundary
    assert not accepts(0.9 - 1e-12, 0.85, 10, 0.9, 0.05)
    assert not accepts(0.9, 0.85 - 1e-12, 10, 0.9, 0.05)
    assert not accepts(0.95, 0.9, 0, 0.9, 0.05)  # no samples
    assert accepts(0.95, 0.9, 1, 0.9, 0.05)
    np.testing.assert_array_equal(accepts([1.0, 0.8], [0.95, 0.79], [3, 3], 0.8, 0.01), [True, True])


# -- KL-LUCB on hand-made arms ---------------------------------------------------------------
def _search(store, **kw):
    params = dict(threshold=0.9, delta=0.1, epsilon=0.1, epsilon_stop=0.05, samples_per_round=10,
                  beam_size=1, max_anchor_size=None, objective="shortest", n_initial=10)
    params.update(kw)
    return AnchorSearch(store, lambda a: 0.0, **params)


def test_lucb_samples_the_best_challenger_and_the_weakest_leader():
    store = SampleStore(4)
    arms = [(0,), (1,), (2,), (3,)]
    stats = {(0,): [50, 45], (1,): [20, 18], (2,): [40, 24], (3,): [10, 5]}
    store.stats.update({a: list(v) for a, v in stats.items()})
    s = _search(store, epsilon=1e-3, delta=0.1)
    gen = s._lucb(arms, 2)
    request = next(gen)
    # by hand: leaders (0,) 0.9 and (1,) 0.9 (stable order keeps (0,) first); challengers (2,) 0.6, (3,) 0.5
    beta = math.log(405.5 * 4 * 1**1.1 / 0.1)
    beta += math.log(beta)
    ub = {a: _bisect(stats[a][1] / stats[a][0], beta / stats[a][0], True) for a in [(2,), (3,)]}
    lb = {a: _bisect(stats[a][1] / stats[a][0], beta / stats[a][0], False) for a in [(0,), (1,)]}
    challenger = max(ub, key=ub.get)
    leader = min(lb, key=lb.get)
    assert (challenger, leader) == ((3,), (1,))  # fewer samples, wider bounds
    assert request == [(challenger, 10), (leader, 10)]
    assert s.n_rounds == 0


def test_lucb_stops_when_the_gap_is_within_epsilon():
    store = SampleStore(3)
    arms = [(0,), (1,), (2,)]
    stats = {(0,): [400, 396], (1,): [400, 200], (2,): [400, 100]}
    store.stats.update({a: list(v) for a, v in stats.items()})
    beta = math.log(405.5 * 3 / 0.1)
    beta += math.log(beta)
    gap = _bisect(0.5, beta / 400, True) - _bisect(0.99, beta / 400, False)
    assert gap < 0  # separated arms: stop at once with the best
    gen = _search(store, epsilon=0.0)._lucb(arms, 1)
    with pytest.raises(StopIteration) as stop:
        next(gen)
    assert stop.value.value == [0]
    # overlapping arms: stop when the gap is at most epsilon (equal included), sample when above
    stats = {(0,): [30, 24], (1,): [30, 21], (2,): [30, 3]}
    store = SampleStore(3)
    store.stats.update({a: list(v) for a, v in stats.items()})
    assert _bisect(0.7, beta / 30, True) - _bisect(0.8, beta / 30, False) > 0
    # the exact float gap, from the bound functions checked above against the bisection
    b = lucb_beta(3, 1, 0.1)
    gap = float(kl_upper_bound(np.array([21 / 30, 3 / 30]), np.full(2, b / 30)).max()
                - kl_lower_bound(np.array([24 / 30]), np.array([b / 30])).min())
    gen = _search(store, epsilon=gap)._lucb(arms, 1)
    with pytest.raises(StopIteration) as stop:
        next(gen)
    assert stop.value.value == [0]
    gen = _search(store, epsilon=np.nextafter(gap, 0))._lucb(arms, 1)
    assert next(gen) == [((1,), 10), ((0,), 10)]


def test_lucb_first_samples_arms_without_samples_and_returns_all_when_few():
    store = SampleStore(3)
    store.stats.update({(0,): [5, 5], (1,): [0, 0], (2,): [0, 0]})
    s = _search(store, samples_per_round=7)
    gen = s._lucb([(0,), (1,), (2,)], 3)
    assert next(gen) == [((1,), 7), ((2,), 7)]
    assert s.n_rounds == 0
    store.stats[(1,)] = [7, 1]
    store.stats[(2,)] = [7, 2]
    with pytest.raises(StopIteration) as stop:
        gen.send(None)
    assert stop.value.value == [0, 1, 2] and s.n_rounds == 1


def test_lucb_caps_its_rounds():
    import skxai.anchors._search as search_module

    store = SampleStore(2)
    store.stats.update({(0,): [10, 5], (1,): [10, 5]})  # identical arms never separate
    gen = _search(store, epsilon=0.0)._lucb([(0,), (1,)], 1)
    n = 0
    with pytest.raises(StopIteration) as stop:
        for _ in range(2 * search_module._MAX_LUCB_ROUNDS):  # a cap never reached fails, not hangs
            next(gen)  # stats never change: LUCB goes on until its cap
            n += 1
    assert n == search_module._MAX_LUCB_ROUNDS and stop.value.value == [0]


# -- validation on hand-made samples ---------------------------------------------------------
def _feed(store, anchor, k, n_pos):
    presence = np.ones((k, store.n_units), dtype=bool)
    labels = np.arange(k) < n_pos
    store.add(anchor, presence, labels, list(range(k)))


def test_validation_counts_fresh_samples_only():
    store = SampleStore(2)
    store.stats[(0,)] = [100, 95]  # pooled samples: 0.95 ...
    s = _search(store, threshold=0.9, epsilon_stop=0.05, samples_per_round=10)
    beta = math.log(3 / 0.1)
    assert _bisect(0.95, beta / 100, False) < 0.9  # ... but not sure enough: fresh samples decide
    gen = s._validate([(0,)])
    assert next(gen) == [((0,), 10)]
    _feed(store, (0,), 10, 5)  # fresh 5/10: its upper bound is already below 0.95 ...
    assert _bisect(0.5, beta / 10, True) < 0.95 and _bisect(100 / 110, beta / 110, True) > 0.9
    assert gen.send(None) == [((0,), 10)]  # ... but one batch never rejects
    _feed(store, (0,), 10, 5)
    assert _bisect(105 / 120, beta / 120, True) > 0.9  # the pooled bound alone would go on
    with pytest.raises(StopIteration):
        gen.send(None)  # fresh 10/20: ub < 0.9 + 0.05 after two batches: rejected
    assert (0,) not in s.accepted and s.n_rounds == 2


def test_validation_accepts_on_fresh_samples_and_records_them():
    store = SampleStore(2)
    store.stats[(1,)] = [4, 2]
    s = _search(store, threshold=0.8, epsilon_stop=0.5, samples_per_round=20)
    gen = s._validate([(1,)])
    assert next(gen) == [((1,), 20)]
    _feed(store, (1,), 20, 18)
    beta = math.log((1 + 1 * 2) / 0.1)
    assert _bisect(0.9, beta / 20, False) >= 0.3  # the bound of 18/20 clears 0.8 - 0.5
    with pytest.raises(StopIteration):
        gen.send(None)
    assert s.accepted[(1,)] == pytest.approx(0.9) and s.validation[(1,)] == (20, 18)


def test_validation_accepts_on_pooled_samples_whose_bound_clears_the_threshold():
    store = SampleStore(2)
    store.stats[(0,)] = [400, 400]
    s = _search(store, threshold=0.9, samples_per_round=10)
    beta = math.log(3 / 0.1)
    assert _bisect(1.0, beta / 400, False) >= 0.9
    gen = s._validate([(0,)])
    with pytest.raises(StopIteration):
        next(gen)  # no sample drawn
    assert s.accepted[(0,)] == 1.0 and s.validation[(0,)] == (400, 400) and s.n_rounds == 0


def test_validation_rejects_when_the_pooled_upper_bound_is_below_the_threshold():
    store = SampleStore(2)
    store.stats[(0,)] = [400, 200]
    s = _search(store, threshold=0.9, samples_per_round=10)
    gen = s._validate([(0,)])
    with pytest.raises(StopIteration):
        next(gen)
    assert s.accepted == {} and s.validation == {}


def test_validation_without_fresh_counts_everything():
    store = SampleStore(2)
    store.stats[(0,)] = [30, 29]
    s = _search(store, threshold=0.9, epsilon_stop=0.2, samples_per_round=10)
    gen = s._validate([(0,)], fresh=False)
    with pytest.raises(StopIteration):
        next(gen)  # 29/30 >= 0.9 and its bound >= 0.7 on all 30 samples
    assert s.validation[(0,)] == (30, 29)


def test_validation_stops_at_its_round_cap_without_accepting():
    import skxai.anchors._search as search_module

    store = SampleStore(2)
    store.stats[(0,)] = [10, 9]
    s = _search(store, threshold=0.9, epsilon_stop=0.0, samples_per_round=10)
    gen = s._validate([(0,)])
    n = 0
    with pytest.raises(StopIteration):
        while True:
            next(gen)  # nothing fed: undecided every round
            n += 1
    assert n == search_module._MAX_VALIDATION_ROUNDS and s.accepted == {}


# -- the whole search on tiny rule models ----------------------------------------------------
class _RuleSampler:
    """Units kept independently with probability 1/2; ``rule(presence, rng)`` says if the decision holds."""

    reuse = True

    def __init__(self, n_units, rule, seed=0):
        self.F = n_units
        self.rule = rule
        self.reference = [True]
        self.noise = np.random.RandomState(seed)

    def sample(self, i, anchor, n, rng):
        P = rng.rand(n, self.F) < 0.5
        P[:, list(anchor)] = True
        return P, P

    def concat(self, parts):
        return np.concatenate(parts)

    def predict(self, P):
        return self.rule(P, self.noise), np.zeros(len(P), dtype=int)


def _run(rule, n_units=4, coverage=None, seed=0, **kw):
    sampler = _RuleSampler(n_units, rule, seed)
    params = dict(threshold=0.95, delta=0.1, epsilon=0.1, epsilon_stop=0.05, samples_per_round=20,
                  beam_size=2, max_anchor_size=None, objective="shortest", n_initial=20)
    params.update(kw)
    s = AnchorSearch(SampleStore(n_units), coverage or (lambda a: 1.0 / 2 ** len(a)), **params)
    (best, success, beams), = run_lockstep([s], sampler, [np.random.RandomState(seed)])[0]
    return s, best, success, beams


def test_search_finds_the_single_unit_of_a_rule():
    for unit in range(4):
        s, best, success, beams = _run(lambda P, r, u=unit: P[:, u])
        assert best == (unit,) and success
        assert s.accepted[best] == 1.0
        assert beams[0] == [()] and len(beams) == 2


def test_search_finds_a_two_unit_rule_and_respects_the_size_cap():
    rule = lambda P, r: P[:, 1] & P[:, 3]  # noqa: E731
    s, best, success, beams = _run(rule)
    assert best == (1, 3) and success and s.order[(1, 3)] in [(1, 3), (3, 1)]
    assert [len(b[0]) for b in beams] == [0, 1, 2]
    # capped at one unit: no anchor; the flagged answer is a most precise size-1 member (p = 1/2)
    s, best, success, beams = _run(rule, max_anchor_size=1)
    assert not success and best in [(1,), (3,)] and len(beams) == 2


def test_search_returns_the_empty_anchor_when_nothing_matters():
    s, best, success, beams = _run(lambda P, r: np.ones(len(P), dtype=bool))
    assert best == () and success and beams == [[()]]
    assert s.validation[()][0] == s.validation[()][1] > 0


def test_search_flags_failure_on_a_coin_flip_and_returns_the_most_precise_member():
    s, best, success, beams = _run(lambda P, r: r.rand(len(P)) < 0.5, n_units=3, max_anchor_size=2)
    assert not success
    members = [a for b in beams for a in b]
    mean, lb, _, _ = s.bounds(members)
    assert best in members and s.bounds([best])[0][0] == mean.max()


def test_search_threshold_decides_a_noisy_rule():
    # unit 0 kept: the decision holds with probability 0.8, otherwise with 0.1 -> (0,) has precision 0.8
    rule = lambda P, r: np.where(P[:, 0], r.rand(len(P)) < 0.8, r.rand(len(P)) < 0.1)  # noqa: E731
    s, best, success, _ = _run(rule, n_units=3, threshold=0.7, epsilon_stop=0.05, max_anchor_size=1)
    assert best == (0,) and success and s.accepted[(0,)] >= 0.7
    s, best, success, _ = _run(rule, n_units=3, threshold=0.95, epsilon_stop=0.05, max_anchor_size=1)
    assert not success and best == (0,)


def test_coverage_objective_prefers_the_larger_coverage():
    rule = lambda P, r: P[:, 0] | P[:, 2]  # noqa: E731
    cov = {(): 1.0, (0,): 0.3, (1,): 0.5, (2,): 0.6, (3,): 0.5}
    cover = lambda a: cov.get(a, 0.1)  # noqa: E731
    _, best, success, _ = _run(rule, coverage=cover, objective="coverage", max_anchor_size=1)
    assert best == (2,) and success
    cov[(0,)] = 0.7
    _, best, success, _ = _run(rule, coverage=cover, objective="coverage", max_anchor_size=1)
    assert best == (0,) and success
    # shortest: both are precise; ties go to the higher precision, then to the earlier beam member
    s, best, success, beams = _run(rule, coverage=cover, max_anchor_size=1)
    assert best in [(0,), (2,)] and best == max(
        [a for a in beams[1] if a in s.accepted], key=lambda a: (s.accepted[a], -beams[1].index(a)))


def test_kl_bounds_emit_no_floating_point_warnings_at_the_edges():
    # means of 0 or 1 divide by zero in the starting points: that must stay silent in users' logs
    p = np.array([0.0, 1.0, 0.5, 1e-300, 1 - 1e-16, 0.0, 1.0])
    level = np.array([0.1, 0.1, 1e3, 50.0, 1e-9, 0.0, 0.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ub, lb = kl_upper_bound(p, level), kl_lower_bound(p, level)
        kl_bernoulli(p, [0.0, 1.0, 0.5, 0.0, 1.0, 1.0, 0.0])
    assert np.isfinite(ub).all() and np.isfinite(lb).all()


def test_single_precision_means_are_bounded_in_double_precision():
    p32 = np.array([0.9, 0.3, 0.999], dtype=np.float32)
    level = np.array([0.05, 0.2, 1e-4])
    for upper, f in [(True, kl_upper_bound), (False, kl_lower_bound)]:
        got = f(p32, level)
        assert got.dtype == np.float64
        ref = [_bisect(float(a), b, upper) for a, b in zip(p32, level, strict=True)]
        np.testing.assert_allclose(got, ref, rtol=0, atol=1e-12)


# -- the empty anchor's phase of the search, on hand-fed samples -----------------------------
def _start(n_initial, n_pos, **kw):
    """A search on 3 units whose first ``n_initial`` samples (every unit kept) hold ``n_pos`` times."""
    store = SampleStore(3)
    s = _search(store, n_initial=n_initial, beam_size=1, **kw)
    gen = s.run()
    assert next(gen) == [((), n_initial)]
    _feed(store, (), n_initial, n_pos)
    return s, store, gen


def _next(gen):
    try:
        return gen.send(None)
    except StopIteration as stop:
        return stop.value


def test_empty_anchor_below_the_threshold_is_left_at_once():
    # 15/20 < 0.9: the search moves on to single units even though the upper bound is wide
    s, store, gen = _start(20, 15, threshold=0.9, epsilon_stop=0.05)
    request = _next(gen)
    assert all(len(a) == 1 for a, _ in request) and s.n_rounds == 1


def test_empty_anchor_exactly_at_the_threshold_draws_more():
    # 15/20 = 0.75 = threshold, lower bound below it, upper bound above 0.8: draw more of it
    s, store, gen = _start(20, 15, threshold=0.75, epsilon_stop=0.05)
    assert _next(gen) == [((), 10)] and s.n_rounds == 1
    _feed(store, (), 10, 8)  # 23/30 > 0.75, still undecided
    assert _next(gen) == [((), 10)] and s.n_rounds == 2


def test_a_zero_threshold_accepts_the_empty_anchor_even_at_precision_zero():
    s, store, gen = _start(20, 0, threshold=0.0, epsilon_stop=0.0)
    assert _next(gen) == ((), True, [[()]]) and s.accepted[()] == 0.0 and s.validation[()] == (20, 0)


def test_empty_anchor_whose_bound_is_exactly_the_threshold_is_accepted():
    beta = validation_beta(3, 1, 0.1)
    lb = float(kl_bounds(np.array([[20, 20]]), beta)[1][0])  # the bound functions checked above
    s, store, gen = _start(20, 20, threshold=lb, epsilon_stop=0.05)
    assert _next(gen) == ((), True, [[()]])
    assert s.accepted[()] == 1.0 and s.validation[()] == (20, 20) and s.n_rounds == 1


def test_empty_anchor_with_a_tight_upper_bound_just_above_the_threshold_is_given_up():
    # 900/1000 = 0.9 at threshold 0.9: the upper bound is below 0.95, not worth more rows; not accepted
    beta = validation_beta(3, 1, 0.1)
    _, lb, ub, _ = kl_bounds(np.array([[1000, 900]]), beta)
    assert lb[0] < 0.9 and 0.85 <= ub[0] < 0.95
    s, store, gen = _start(1000, 900, threshold=0.9, epsilon_stop=0.05)
    request = _next(gen)
    assert all(len(a) == 1 for a, _ in request) and () not in s.accepted


def test_rounds_count_every_request():
    sampler = _RuleSampler(4, lambda P, r: P[:, 1] & P[:, 3])
    s2 = AnchorSearch(SampleStore(4), lambda a: 1.0 / 2 ** len(a), threshold=0.95, delta=0.1, epsilon=0.1,
                      epsilon_stop=0.05, samples_per_round=20, beam_size=2, max_anchor_size=None,
                      objective="shortest", n_initial=20)
    gen, rng, n_requests = s2.run(), np.random.RandomState(0), 0
    request = next(gen)
    while True:
        n_requests += 1
        for anchor, k in request:
            P, X = sampler.sample(0, anchor, k, rng)
            s2.store.add(anchor, P, sampler.predict(X)[0], X)
        try:
            request = gen.send(None)
        except StopIteration:
            break
    assert s2.n_rounds == n_requests > 3


def test_candidates_are_the_distinct_children_of_the_beam():
    s, best, success, beams = _run(lambda P, r: P[:, 0] & P[:, 1])
    assert best == (0, 1) and success and len(beams) == 3
    expected = {tuple(sorted(p + (u,))) for p in beams[1] for u in range(4) if u not in p}
    assert {a for a in s.order if len(a) == 2} == expected
    assert all(len(set(a)) == len(a) for a in s.order)
    assert len(set(beams[2])) == len(beams[2])


def test_coverage_objective_keeps_an_accepted_empty_anchor():
    s, best, success, beams = _run(lambda P, r: np.ones(len(P), dtype=bool), objective="coverage")
    assert best == () and success and beams == [[()]]


# -- the coverage objective and the flagged fallback (mutH) ----------------------------------
def test_coverage_objective_searches_only_candidates_that_could_cover_more():
    # (0,) is precise with coverage 0.5; every pair covers 0.5 too, so none can beat it: no size-2 beam
    cover = lambda a: {(): 1.0}.get(a, 0.5)  # noqa: E731
    s, best, success, beams = _run(lambda P, r: P[:, 0], n_units=3, coverage=cover, objective="coverage",
                                   max_anchor_size=2)
    assert best == (0,) and success and len(beams) == 2
    # a pair that covers more than 0.5 (impossible for real data, but it is what the filter reads) is searched
    cover2 = lambda a: {(): 1.0, (0, 1): 0.6, (0, 2): 0.6}.get(a, 0.5)  # noqa: E731
    s, best, success, beams = _run(lambda P, r: P[:, 0], n_units=3, coverage=cover2, objective="coverage",
                                   max_anchor_size=2)
    assert best in [(0, 1), (0, 2)] and success and len(beams) == 3


def test_coverage_objective_breaks_coverage_ties_by_precision():
    # (2,) holds always, (0,) with precision 1/2 + 1/2 * 0.8 = 0.9; both accepted, both cover 0.5: (2,) wins
    # (the more precise one comes second in unit order, so neither order of the units nor the last
    # one seen can give it)
    rule = lambda P, r: P[:, 2] | (P[:, 0] & (r.rand(len(P)) < 0.8))  # noqa: E731
    cover = lambda a: {(): 1.0}.get(a, 0.5)  # noqa: E731
    for seed in range(3):
        s, best, success, beams = _run(rule, n_units=4, coverage=cover, objective="coverage", max_anchor_size=1,
                                       threshold=0.8, seed=seed)
        assert {(0,), (2,)} <= set(s.accepted) and s.accepted[(2,)] == 1.0 > s.accepted[(0,)]
        assert best == (2,) and success


def test_coverage_objective_stops_at_full_coverage():
    # an accepted single unit that covers everything: no pair is even considered
    cover = lambda a: 1.0 if len(a) < 2 else 0.5  # noqa: E731
    s, best, success, beams = _run(lambda P, r: P[:, 1], n_units=3, coverage=cover, objective="coverage")
    assert best == (1,) and success and len(beams) == 2
    assert not [a for a in s.order if len(a) == 2] and not [a for a in s.store.stats if len(a) == 2]


def test_failed_search_prefers_the_shorter_of_equally_precise_members():
    # one unit; the empty anchor's 100 samples (every unit kept) count for (0,) too: both hold 50/100,
    # the pooled upper bound rejects (0,) at once, and the flagged answer is the shorter, ()
    store = SampleStore(1)
    s = _search(store, n_initial=100, threshold=0.9, beam_size=1)
    gen = s.run()
    assert next(gen) == [((), 100)]
    _feed(store, (), 100, 50)
    assert store.stats[()] == [100, 50]
    # one unit: the validation level is log((1 + beam_size * 1) / delta), on the bounds checked above
    mean, lb, ub, n = s.bounds([()])
    ref = kl_bounds(np.array([[100, 50]]), math.log(2 / 0.1))
    np.testing.assert_array_equal(np.r_[mean, lb, ub, n], np.r_[ref[0], ref[1], ref[2], ref[3]])
    assert _next(gen) == ((), False, [[()], [(0,)]])
    assert store.stats[(0,)] == [100, 50]


def _validate_now(stats, threshold, epsilon_stop=0.05, fresh=True):
    """Run ``_validate`` on one anchor ``(0,)`` with ``stats``; returns (first request or None, search)."""
    store = SampleStore(2)
    store.stats[(0,)] = list(stats)
    s = _search(store, threshold=threshold, epsilon_stop=epsilon_stop, samples_per_round=10)
    gen = s._validate([(0,)], fresh=fresh)
    try:
        return next(gen), s
    except StopIteration:
        return None, s


BETA_2 = math.log(30)  # validation level of a 2-unit search with beam 1, delta 0.1


def test_validation_accepts_pooled_samples_whose_bound_is_exactly_the_threshold():
    # one sample, positive: its lower bound 1/30 (KL(1 || q) = -log q = log 30) is the threshold
    lb = float(kl_bounds(np.array([[1, 1]]), BETA_2)[1][0])
    assert lb == pytest.approx(1 / 30, rel=1e-9)
    request, s = _validate_now([1, 1], threshold=lb)
    assert request is None and s.accepted == {(0,): 1.0} and s.validation == {(0,): (1, 1)}
    lb = float(kl_bounds(np.array([[20, 20]]), BETA_2)[1][0])
    request, s = _validate_now([20, 20], threshold=lb)
    assert request is None and s.accepted == {(0,): 1.0} and s.validation == {(0,): (20, 20)}


def test_validation_records_the_pooled_counts_it_accepted_on():
    request, s = _validate_now([100, 97], threshold=0.8)
    assert request is None and s.accepted == {(0,): 0.97} and s.validation == {(0,): (100, 97)}


def test_validation_at_threshold_zero_accepts_sampled_anchors_only():
    request, s = _validate_now([20, 0], threshold=0.0, epsilon_stop=0.0)
    assert request is None and s.accepted == {(0,): 0.0} and s.validation == {(0,): (20, 0)}
    request, s = _validate_now([0, 0], threshold=0.0, epsilon_stop=0.0)  # no sample, no acceptance
    assert request == [((0,), 10)] and s.accepted == {}


def test_validation_rejects_one_failed_sample_when_its_bound_is_below_the_threshold():
    # 0/1: upper bound 1 - 1/30 (KL(0 || q) = -log(1 - q) = log 30) < 0.98: rejected, nothing drawn
    ub = float(kl_bounds(np.array([[1, 0]]), BETA_2)[2][0])
    assert ub == pytest.approx(29 / 30, rel=1e-9)
    request, s = _validate_now([1, 0], threshold=0.98)
    assert request is None and s.accepted == {}
    request, s = _validate_now([1, 0], threshold=0.96)  # bound above the threshold: draw fresh samples
    assert request == [((0,), 10)]


def test_validation_draws_more_when_the_pooled_upper_bound_is_exactly_the_threshold():
    ub = float(kl_bounds(np.array([[40, 30]]), BETA_2)[2][0])
    request, s = _validate_now([40, 30], threshold=ub)
    assert request == [((0,), 10)]
    request, s = _validate_now([40, 30], threshold=np.nextafter(ub, 2))
    assert request is None and s.accepted == {}


def test_validation_rejects_fresh_samples_whose_upper_bound_is_below_threshold_plus_epsilon_stop():
    # 170/200 counted as fresh: upper bound between threshold and threshold + epsilon_stop, mean below
    _, _, ub, _ = kl_bounds(np.array([[200, 170]]), BETA_2)
    thr = float(ub[0]) - 0.01
    assert 0.85 < thr < float(ub[0]) < thr + 0.05
    request, s = _validate_now([200, 170], threshold=thr, epsilon_stop=0.05, fresh=False)
    assert request is None and s.accepted == {}
    # the same counts with an upper bound above threshold + epsilon_stop: undecided, draw more
    request, s = _validate_now([200, 170], threshold=thr, epsilon_stop=0.005, fresh=False)
    assert request == [((0,), 10)]


def test_lucb_reads_the_mean_of_an_arm_with_one_sample():
    # (0,) holds 1/1, (1,) 24/40: (0,) leads (mean 1 > 0.6) and its one-sample bound is the weakest
    store = SampleStore(2)
    store.stats.update({(0,): [1, 1], (1,): [40, 24]})
    s = _search(store, epsilon=1e-3)
    assert next(s._lucb([(0,), (1,)], 1)) == [((1,), 10), ((0,), 10)]


def test_lucb_counts_the_round_of_unsampled_arms():
    store = SampleStore(2)
    store.stats.update({(0,): [0, 0], (1,): [10, 5]})
    s = _search(store)
    s.n_rounds = 5
    gen = s._lucb([(0,), (1,)], 2)
    assert next(gen) == [((0,), 10)] and s.n_rounds == 5
    store.stats[(0,)] = [10, 6]
    with pytest.raises(StopIteration) as stop:
        gen.send(None)
    assert stop.value.value == [0, 1] and s.n_rounds == 6


def test_lucb_breaks_ties_by_candidate_order():
    # 19 identical arms and a better last one, two leaders: the last and the first candidate lead
    # (the first is the weaker), the second challenges (numpy's default argsort is not stable from
    # 16 elements on: it puts the third before the second here)
    store = SampleStore(20)
    arms = [(u,) for u in range(20)]
    store.stats.update({a: [10, 5] for a in arms})
    store.stats[(19,)] = [10, 6]
    s = _search(store, epsilon=0.0)
    assert next(s._lucb(arms, 2)) == [((1,), 10), ((0,), 10)]
