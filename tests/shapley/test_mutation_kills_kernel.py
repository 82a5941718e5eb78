"""Kill tests for the KernelSHAP solve, its standard errors and its designs (issue 17, second wave).

Modules: ``skxai/_estimate.py`` (the solve, the jackknife, the stratified variance, the strata,
the k-additive operator, the order rule, ``kernel_estimate``), ``skxai/_designs.py`` and
``skxai/shapley/_kernel.py``. References are definitions written here (the stratified variance
``sum_h fpc_h n_h / (n_h - 1) sum_u (H_u - mean_h)^2``, the constrained least squares from its
bordered normal equations, brute force over all coalitions) or hand-worked numbers; none comes
from the code under test.
"""

import itertools
import warnings

import numpy as np
import pytest
import scipy.linalg
from scipy import stats

from skxai import _estimate
from skxai._designs import CoalitionDesign, kernel_design
from skxai._estimate import (
    Z95,
    _jackknife,
    _jackknife_groups,
    _kadd_solve,
    _stratified_variance,
    kernel_estimate,
    kernel_order,
    kernel_shap_from_values,
)
from skxai._kadd import KaddReplicateFits
from tests.shapley.test_mutation_kills_estimate import (
    _game_values,
    _logged_game,
    group_jackknife_reference,
    hand_design,
    jackknife_reference,
    kadd_reference,
    kadd_total_reference,
    kkt_columns,
    sandwich_reference,
)


def unit_design(sizes, fpc, p=4, seed=0):
    """A design of ``sizes[h]`` complement pairs (units) in stratum h, no enumerated coalition."""
    rng = np.random.RandomState(seed)
    n_units = int(np.sum(sizes))
    first = rng.random_sample((n_units, p)) < 0.5
    masks = np.repeat(first, 2, axis=0)
    masks[1::2] = ~masks[0::2]
    return CoalitionDesign(masks=masks, weights=rng.uniform(0.5, 2.0, size=2 * n_units),
                           unit=np.repeat(np.arange(n_units), 2), stratum=np.repeat(np.arange(len(sizes)), sizes),
                           stratum_fpc=np.asarray(fpc, float), stratum_size=np.asarray(sizes))


# -- _stratified_variance -------------------------------------------------------------------------

@pytest.mark.parametrize("n_units", [2, 3])
def test_stratified_variance_of_a_single_stratum_of_two_or_three_units(n_units):
    # A single stratum is never collapsed: its 2 (or 3) units give the variance
    # f n / (n - 1) sum_u (H_u - mean)^2 with H_u = sum over the unit's coalitions of resid_i C_i,
    # and n - 1 degrees of freedom (one stratum).
    rng = np.random.RandomState(n_units)
    d = unit_design([n_units], [0.75])
    C = rng.normal(size=(2 * n_units, 4))
    resid = rng.normal(size=(2 * n_units, 3))
    H = np.stack([resid[2 * u][:, None] * C[2 * u] + resid[2 * u + 1][:, None] * C[2 * u + 1]
                  for u in range(n_units)])  # (units, r, p)
    want = (0.75 * n_units / (n_units - 1) * ((H - H.mean(axis=0)) ** 2).sum(axis=0)).T
    var, df = _stratified_variance(d, C, resid)
    assert want.min() > 0
    np.testing.assert_allclose(var, want, rtol=1e-12)
    np.testing.assert_allclose(df, n_units - 1.0, rtol=1e-12)


def test_stratified_variance_without_replicates_is_zero_with_infinite_df_and_no_warning():
    # One unit: no variance can be estimated; the df ratio 0/0 is taken as infinite silently.
    d = unit_design([1], [0.5])
    rng = np.random.RandomState(0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        var, df = _stratified_variance(d, rng.normal(size=(2, 3)), rng.normal(size=(2, 2)))
    assert not var.any() and np.isinf(df).all()


def test_stratified_variance_whose_squares_underflow_gives_no_warning():
    # Two strata of 4 units whose variances are 1.2e-162 each: the sum (2.4e-162) squared is a
    # subnormal number (5e-324) while each stratum's square underflows to 0, so the df ratio is
    # x / 0; it is read as infinite degrees of freedom, silently.
    d = unit_design([4, 4], [1.0, 1.0], seed=1)
    rng = np.random.RandomState(1)
    C = rng.normal(size=(16, 3))
    resid = rng.normal(size=(16, 1))
    H = resid.reshape(8, 2, 1) * C.reshape(8, 2, 3)
    H = H.sum(axis=1)  # (units, p)
    for h in range(2):
        Hh = H[4 * h : 4 * h + 4]
        v = 4 / 3 * ((Hh - Hh.mean(axis=0)) ** 2).sum(axis=0)
        resid[8 * h : 8 * h + 8] *= np.sqrt(1.2e-162 / v.max())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        var, df = _stratified_variance(d, C, resid)
    assert var.max() == pytest.approx(2.4e-162, rel=0.5)
    assert np.isinf(df[var.argmax()])


# -- _kadd_operator: the operators kept between calls ---------------------------------------------

def test_k_additive_operator_is_factorised_once_per_design_and_kept_with_its_inverse(monkeypatch):
    # The m x m factorisation is kept between calls (the module's promise): once without the inverse
    # factor, once more when the leave-one-out residuals first need it, then never again.
    p = 7
    d = hand_design(p, [(2, 10), (3, 12)], enumerated=[1, 6], seed=11)
    rng = np.random.RandomState(11)
    y = rng.normal(size=(len(d.masks), 2))
    delta = rng.normal(size=2)
    calls = []
    real = scipy.linalg.cho_factor
    monkeypatch.setattr(scipy.linalg, "cho_factor", lambda *a, **k: calls.append(1) or real(*a, **k))
    _estimate._kadd_cache.clear()
    first, _, _ = _kadd_solve(d, y, delta, 3)
    again, _, _ = _kadd_solve(d, y, delta, 3)
    assert len(calls) == 1
    phi, C, loo = _kadd_solve(d, y, delta, 3, with_influence=True)
    assert len(calls) == 2
    phi2, C2, loo2 = _kadd_solve(d, y, delta, 3, with_influence=True)
    _kadd_solve(d, y, delta, 3)
    assert len(calls) == 2
    np.testing.assert_array_equal(again, first)
    np.testing.assert_array_equal(phi, first)
    np.testing.assert_array_equal(loo2, loo)
    Z = d.masks.astype(float)
    for c in range(2):
        ref_phi, _, ref_loo = kadd_reference(Z, d.weights, y[:, c], delta[c], 3)
        np.testing.assert_allclose(phi[:, c], ref_phi, atol=1e-6 * np.abs(ref_phi).max())
        np.testing.assert_allclose(loo[:, c], ref_loo, atol=1e-5 * np.abs(ref_loo).max())


# -- kernel_estimate -----------------------------------------------------------------------------

@pytest.mark.parametrize("budget, order", [(85, 1), (86, 3), (128, 1), (217, 3)])
def test_kernel_estimate_default_order_is_auto(budget, order):
    # "auto" by default: on 9 players the 129 terms of order 3 are taken from 1.8 (budget - 2) >=
    # 129 (budget 86, 33 sampled pairs), not where the design samples 32 pairs or fewer (18 at
    # 128), and past 0.6 (budget - 2) >= 129 (budget 217, 62 pairs) whatever the pairs.
    table, log, evaluate = _logged_game(9)
    est = kernel_estimate(evaluate, 9, budget, random_state=0)
    assert est.extras["order"] == order


def test_kernel_estimate_passes_its_memory_bound_to_the_order_rule():
    # budget 217 on 9 players: order 3 needs a 215 x 215 system of 9 * 215**2 = 416,025 bytes.
    for max_bytes, order in [(9 * 215**2, 3), (9 * 215**2 - 1, 1)]:
        table, log, evaluate = _logged_game(9)
        est = kernel_estimate(evaluate, 9, 217, random_state=0, max_bytes=max_bytes)
        assert est.extras["order"] == order
    with pytest.raises(ValueError, match="max_order=3 with n_samples=217 needs a 215 x 215 kernel system"):
        kernel_estimate(evaluate, 9, 217, max_order=3, random_state=0, max_bytes=9 * 215**2 - 1)


@pytest.mark.parametrize("p, budget", [(10, 60), (10, 87), (6, 40)])
def test_kernel_tolerance_starts_from_two_p_plus_two_coalitions(p, budget, monkeypatch):
    # The first step is max(2 p + 2, budget // 4) coalitions: here 2 p + 2 (22 for 10 players, 14
    # for 6), never fewer, since a design needs 2 p + 2. A loose tolerance stops at the first
    # step whose errors are all known (a replicate that no longer tells two players apart leaves
    # theirs unknown) and trusted (the one-player coalitions enumerated, enough pairs sampled), or
    # at the last.
    solved = []
    real = _estimate._kernel_fit  # the fit of each tol step

    def spy(design, *a, **k):
        phi, std, unchanged = real(design, *a, **k)
        solved.append((len(design.masks) + 2, bool(np.isfinite(std).all()) and _estimate._errors_stop_tol(design)))
        return phi, std, unchanged

    monkeypatch.setattr(_estimate, "_kernel_fit", spy)
    table, log, evaluate = _logged_game(p)
    est = kernel_estimate(evaluate, p, budget, max_order=1, tol=1e6, random_state=0)
    # steps whose errors could not stop the run are not evaluated
    first_trusted = next(
        (b for b in _tol_steps(p, budget)[:-1] if _estimate._errors_stop_tol(_step_design(p, b))), budget
    )
    assert solved[0][0] <= first_trusted
    stops = [stop for _, stop in solved]
    assert not any(stops[:-1])
    assert stops[-1] or est.extras["n_evaluations"] >= 0.95 * budget
    assert est.extras["n_evaluations"] == len(set(log))


def _tol_steps(p, budget):
    steps = [max(2 * p + 2, budget // 4)]
    while steps[-1] < budget:
        steps.append(min(budget, 2 * steps[-1]))
    return steps


def _step_design(p, b, random_state=0):
    from skxai._estimate import enumerated_share, kernel_order
    from skxai.utils._random import seed_from

    order = kernel_order(1, p, b)
    return _estimate._seeded_design(p, b, seed_from(random_state), "leverage", enumerated_share(order, p, b))


@pytest.mark.parametrize("p, budget, seed", [(5, 19, 0), (6, 25, 0), (6, 27, 1), (5, 21, 2)])
def test_kernel_tolerance_never_met_spends_the_budget(p, budget, seed):
    # Steps whose new coalitions would overrun the budget are shrunk until they fit: a tolerance
    # never met ends with the whole budget spent (an odd budget leaves one coalition of a pair).
    table, log, evaluate = _logged_game(p)
    est = kernel_estimate(evaluate, p, budget, max_order=1, tol=1e-15, random_state=seed)
    assert budget - 1 <= est.extras["n_evaluations"] == len(set(log)) <= budget


def _solved_design_sizes(monkeypatch):
    """Coalitions (empty and full included) of every design kernel_estimate solves, in order."""
    sizes = []
    real = _estimate._kernel_fit  # the fit of each tol step
    monkeypatch.setattr(_estimate, "_kernel_fit",
                        lambda design, *a, **k: sizes.append(len(design.masks) + 2) or real(design, *a, **k))
    return sizes


@pytest.mark.parametrize("p, budget, seed", [(8, 42, 4), (8, 46, 1), (10, 60, 0)])
def test_kernel_tolerance_steps_double_from_two_p_plus_two(p, budget, seed, monkeypatch):
    # Budget steps: max(2 p + 2, budget // 4) = 2 p + 2 here, doubled, then the budget. The first two
    # designs fit the budget as they are (no shrinking): 2 p + 2 and 4 p + 4 coalitions; no design
    # is larger than its step.
    sizes = _solved_design_sizes(monkeypatch)
    table, log, evaluate = _logged_game(p)
    kernel_estimate(evaluate, p, budget, max_order=1, tol=1e-15, random_state=seed)
    steps = [2 * p + 2]
    while steps[-1] < budget:
        steps.append(min(budget, 2 * steps[-1]))
    # the steps whose errors could stop the run (and the last) are evaluated, the others skipped
    evaluated = [b for b in steps[:-1] if _estimate._errors_stop_tol(_step_design(p, b, seed))] + steps[-1:]
    assert evaluated[0] > 2 * p + 2  # 2 p + 2 samples the one-player coalitions: never evaluated
    assert sizes[0] == evaluated[0] or evaluated[0] == budget
    assert len(sizes) <= len(evaluated) and all(n <= b for n, b in zip(sizes, evaluated, strict=False))


@pytest.mark.parametrize("p, budget, seed", [(8, 24, 0), (8, 24, 1), (7, 20, 0)])
def test_kernel_tolerance_steps_never_solve_fewer_than_two_p_plus_two_coalitions(p, budget, seed, monkeypatch):
    # A step that cannot fit the budget with at least 2 p + 2 coalitions ends the run.
    sizes = _solved_design_sizes(monkeypatch)
    table, log, evaluate = _logged_game(p)
    est = kernel_estimate(evaluate, p, budget, max_order=1, tol=1e-15, random_state=seed)
    assert sizes and min(sizes) >= 2 * p + 2
    # the estimate of the last design that fitted, within the budget, efficient
    assert est.extras["n_evaluations"] == len(set(log)) <= budget
    np.testing.assert_allclose(est.phi.sum(axis=1), [table[-1] - table[0], 2 * (table[-1] - table[0])], atol=1e-10)


# -- _designs.kernel_design: the enumeration rule -------------------------------------------------

def _size_counts(design, p):
    return np.bincount(design.masks.sum(axis=1), minlength=p + 1).tolist()


@pytest.mark.parametrize("budget, counts, n_enumerated", [
    (46, [0, 6, 15, 2, 15, 6, 0], 42),  # 12 + 30 enumerated, one pair of size 3 kept: 42 + 2 <= 46 - 2
    (45, [0, 6, 10, 10, 10, 6, 0], 12),  # 12 + 30 + 2 > 43: sizes 2 and 4 sampled with size 3
])
def test_design_enumerates_a_second_size_while_one_pair_per_size_left_fits(budget, counts, n_enumerated):
    # p = 6: sizes 1 and 5 (12 coalitions) first, then sizes 2 and 4 (30) if one pair (2 coalitions)
    # is left for size 3: budget - 2 - 12 - 30 >= 2, from budget 46.
    d = kernel_design(6, budget, np.random.RandomState(0))
    assert _size_counts(d, 6) == counts
    assert (d.unit == -1).sum() == n_enumerated


def test_design_samples_the_single_pair_left_after_enumeration():
    # p = 5, budget 14: sizes 1 and 4 (10) enumerated, 14 - 2 - 10 = 2 coalitions left: one pair
    # of sizes 2 and 3, a stratum of one unit; enumerated coalitions have unit -1.
    d = kernel_design(5, 14, np.random.RandomState(0))
    assert _size_counts(d, 5) == [0, 5, 1, 1, 5, 0]
    sizes = d.masks.sum(axis=1)
    np.testing.assert_array_equal(d.unit[(sizes == 1) | (sizes == 4)], -1)
    np.testing.assert_array_equal(d.unit[(sizes == 2) | (sizes == 3)], [0, 0])
    assert d.stratum.tolist() == [0] and d.stratum_size.tolist() == [1]


@pytest.mark.parametrize("share, n_enumerated", [(0.4, 12), (0.399, 0)])
def test_design_enumeration_share_bound_is_inclusive(share, n_enumerated):
    # p = 6, budget 30: sizes 1 and 5 are 12 coalitions, 0.4 x 30 = 12 (within), 0.399 x 30 = 11.97 (not).
    d = kernel_design(6, 30, np.random.RandomState(0), max_enumerated_share=share)
    assert (d.unit == -1).sum() == n_enumerated
    assert len(d.masks) == 28


def test_kernel_estimate_fits_the_order_it_chose():
    # A 3-additive game on 8 players (a weight per player and per triple): each triple's weight is
    # shared equally by its members (the exact Shapley values). The order-3 fit nearly recovers the
    # game at 200 coalitions (error 6e-4 of values up to 5.4; ridge bias); the linear fit is 0.17 off.
    p = 8
    rng = np.random.RandomState(0)
    triples = list(itertools.combinations(range(p), 3))
    c = rng.normal(size=len(triples))
    b = rng.normal(size=p)

    def evaluate(masks):
        Z = masks.astype(float)
        return (Z @ b + sum(ci * Z[:, list(t)].prod(axis=1) for ci, t in zip(c, triples, strict=True)))[None, :, None]

    exact = b.copy()
    for ci, t in zip(c, triples, strict=True):
        exact[list(t)] += ci / 3
    est = kernel_estimate(evaluate, p, 200, max_order=3, random_state=0)
    assert est.extras["order"] == 3
    np.testing.assert_allclose(est.phi[0, :, 0], exact, atol=5e-3)


# -- _jackknife ------------------------------------------------------------------------------------

def _weighted_total(d, seed=0):
    """theta(w) = sum_i w_i y_i (a (2, 3) array per coalition) and each unit's total at the design weights."""
    y = np.random.RandomState(seed).normal(size=(len(d.weights), 2, 3))
    totals = np.array([sum(d.weights[i] * y[i] for i in np.flatnonzero(d.unit == u)) for u in range(d.unit.max() + 1)])
    return (lambda w: np.einsum("m,mab->ab", w, y)), totals


@pytest.mark.parametrize("n_units", [2, 3])
def test_jackknife_of_a_single_stratum_of_two_or_three_units(n_units):
    # JKn of a weighted total over one stratum: fpc n s^2 (s^2 of the unit totals, ddof 1), n - 1 df.
    d = unit_design([n_units], [0.6], seed=n_units)
    solve, t = _weighted_total(d, seed=n_units)
    var, df = _jackknife(d, solve)
    np.testing.assert_allclose(var, 0.6 * n_units * t.var(axis=0, ddof=1), rtol=1e-10)
    np.testing.assert_allclose(df, n_units - 1.0)


def test_jackknife_of_a_single_unit_has_no_degrees_of_freedom_without_warnings():
    # one unit: deleting it leaves nothing to compare, so the spread is unknown (df 0, which the
    # explainers report as an infinite error), not known to be 0 (df was infinite before)
    d = unit_design([1], [0.5])
    solve, _ = _weighted_total(d)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        var, df = _jackknife(d, solve, theta=solve(d.weights))
    assert not var.any() and not df.any()


def test_jackknife_of_exactly_32_units_deletes_one_unit_at_a_time_per_stratum():
    # 32 units (20 + 12) are still deleted one at a time: JKn per stratum, sum_h fpc_h n_h s_h^2,
    # Welch-Satterthwaite df (not the delete-a-group formula over all units, df 31).
    d = unit_design([20, 12], [0.3, 0.8], seed=4)
    solve, t = _weighted_total(d, seed=4)
    var, df = _jackknife(d, solve)
    parts = [f * len(tu) * tu.var(axis=0, ddof=1) for tu, f in [(t[:20], 0.3), (t[20:], 0.8)]]
    want = parts[0] + parts[1]
    np.testing.assert_allclose(var, want, rtol=1e-10)
    np.testing.assert_allclose(df, want**2 / (parts[0] ** 2 / 19 + parts[1] ** 2 / 11), rtol=1e-10)


def test_jackknife_groups_rule():
    # 32 replicates; k-additive designs: 16 over 512 coalitions, 8 over 1,024; linear fits: always 32.
    assert [_jackknife_groups(3, m) for m in (512, 513, 1024, 1025)] == [32, 16, 16, 8]
    assert [_jackknife_groups(5, m) for m in (100, 700, 5000)] == [32, 16, 8]
    assert [_jackknife_groups(1, m) for m in (100, 600, 5000)] == [32, 32, 32]


# -- _primal_solver --------------------------------------------------------------------------------

def _primal_design():
    # 8 players, 254 coalitions: 92 terms of order 3 and 36 of order 2, both at most half the coalitions
    return hand_design(8, [(2, 28), (3, 56), (4, 35)], enumerated=[1, 7], seed=6)


def _operator_calls(monkeypatch):
    calls = []
    real = KaddReplicateFits.operator
    monkeypatch.setattr(KaddReplicateFits, "operator", lambda self, w: calls.append(1) or real(self, w))
    return calls


def test_primal_form_only_for_interactions_and_where_it_is_cheaper(monkeypatch):
    calls = _operator_calls(monkeypatch)
    d = _primal_design()
    v0, v1, values = _game_values(8, d.masks, 1, n=1, k=1)
    _estimate._kadd_cache.clear()
    kernel_shap_from_values(d, v0, v1, values, order=1, with_std=False)  # the linear fit: no k-additive form
    assert calls == []
    small = hand_design(8, [(2, 20), (3, 30)], enumerated=[1, 7], seed=6)  # 116 coalitions < 2 x 92 terms
    v0, v1, values = _game_values(8, small.masks, 1, n=1, k=1)
    kernel_shap_from_values(small, v0, v1, values, order=3, with_std=False)  # the dual form
    assert calls == []


def test_primal_operators_are_kept_per_order_and_weighting(monkeypatch):
    calls = _operator_calls(monkeypatch)
    d = _primal_design()
    v0, v1, values = _game_values(8, d.masks, 2, n=1, k=2)
    _estimate._kadd_cache.clear()
    fresh, _ = kernel_shap_from_values(d, v0, v1, values, order=3, with_std=False)
    _estimate._kadd_cache.clear()
    kernel_shap_from_values(d, v0, v1, values, order=2, with_std=False)
    n_calls = len(calls)
    after_order_2, _ = kernel_shap_from_values(d, v0, v1, values, order=3, with_std=False)
    assert len(calls) == n_calls + 1  # a new order: its own operator
    again, _ = kernel_shap_from_values(d, v0, v1, values, order=3, with_std=False)
    assert len(calls) == n_calls + 1  # the same design, order and weights: kept
    np.testing.assert_array_equal(after_order_2, fresh)
    np.testing.assert_array_equal(again, fresh)


def test_primal_fit_falls_back_to_the_dual_form_when_its_system_is_singular(monkeypatch):
    # A singular primal normal matrix (operator None) is solved in dual form, column chunk by column
    # chunk (one column per chunk here: the jackknife's chunk size shrinks with its group count, and
    # with that many groups every one of the 119 units is deleted in turn).
    d = _primal_design()
    v0, v1, values = _game_values(8, d.masks, 3, n=1, k=2)
    monkeypatch.setattr(KaddReplicateFits, "operator", lambda self, w: None)
    monkeypatch.setattr(_estimate, "JACKKNIFE_GROUPS", 10**6)
    _estimate._kadd_cache.clear()
    phi, std = kernel_shap_from_values(d, v0, v1, values, order=3)
    Z = d.masks.astype(float)
    ref, _ = kadd_total_reference(Z, d.weights, values, v0, v1, 3)
    np.testing.assert_allclose(phi, ref, atol=1e-5 * np.abs(ref).max())
    var, df = jackknife_reference(d, lambda w: kadd_total_reference(Z, w, values, v0, v1, 3)[0], ref)
    # the dual form's rounding (its kernel carries the main effects' large inverse penalty): 1.5e-4
    np.testing.assert_allclose(std, np.sqrt(var) * stats.t.ppf(0.975, df) / Z95, rtol=1e-3)


# -- kernel_order's message -----------------------------------------------------------------------

def test_explicit_order_refusal_states_the_memory_in_gib():
    # m = 20,000 coalitions: 9 m^2 = 3.6e9 bytes = 3.35 GiB over a 1 GiB limit; the largest budget
    # that fits: int(sqrt(2**30 / 9)) + 2 = 10,924.
    with pytest.raises(ValueError, match=r"needs a 20000 x 20000 kernel system \(3\.4 GiB, over the 1\.00 GiB "
                       r"limit\): use max_order=1 or 'auto' \(they bound memory\), or n_samples <= 10924\.$"):
        kernel_order(3, 40, 20_002, max_bytes=2**30)


# -- KernelShapExplainer -----------------------------------------------------------------------------

def test_kernel_explainer_documented_defaults():
    # "As in ExactShapleyExplainer": no progress bar, 100 conditional samples, bandwidth 0.1, ...
    from skxai import KernelShapExplainer

    got = KernelShapExplainer(len).get_params()
    assert got == dict(estimator=len, n_samples="auto", sampling="leverage", max_order="auto", tol=None, target=None,
                       response_method="auto", max_background=100, background="sample", feature_groups=None,
                       batch_size=50_000, n_jobs=None, random_state=None, scoring=None, verbose=0,
                       game="interventional", conditional_sampler="gaussian", n_conditional_samples=100,
                       bandwidth=0.1)


def test_jackknife_whose_squares_underflow_gives_no_warning():
    # As for the stratified variance: two strata whose JKn variances (1.2e-162) square to 0 while
    # their sum squares to a subnormal number: the df ratio x / 0 is read as infinite, silently.
    d = unit_design([4, 4], [1.0, 1.0], seed=2)
    y = np.random.RandomState(2).normal(size=(16, 2, 3))
    totals = np.array([d.weights[2 * u] * y[2 * u] + d.weights[2 * u + 1] * y[2 * u + 1] for u in range(8)])
    for h in range(2):
        v = 4 * totals[4 * h : 4 * h + 4].var(axis=0, ddof=1)
        y[8 * h : 8 * h + 8] *= np.sqrt(1.2e-162 / v.max())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        var, df = _jackknife(d, lambda w: np.einsum("m,mab->ab", w, y))
    assert var.max() == pytest.approx(2.4e-162, rel=0.5)
    assert np.isinf(df.ravel()[var.argmax()])



# -- kernel_shap_from_values: which standard error --------------------------------------------------

@pytest.mark.parametrize("enumerated, strata, kind", [
    ([1, 9], [(2, 40), (3, 45), (4, 44)], "sandwich"),  # 129 units: the linearisation
    ([1, 9], [(2, 40), (3, 45), (4, 43)], "groups"),  # 128 units: 32 groups
    ([1, 2, 3, 7, 8, 9], [(4, 50), (5, 40)], "groups"),  # 530 coalitions, 90 units: still 32 groups (linear fit)
])
def test_linear_fit_errors_jackknife_up_to_128_units_whatever_the_coalitions(enumerated, strata, kind):
    p = 10
    d = hand_design(p, strata, enumerated=enumerated, seed=7)
    v0, v1, values = _game_values(p, d.masks, 7, n=1, k=2)
    Z = d.masks.astype(float)
    phi, std = kernel_shap_from_values(d, v0, v1, values)
    ref, M = kkt_columns(Z, d.weights, values, v0, v1)
    np.testing.assert_allclose(phi, ref, atol=1e-10)
    if kind == "sandwich":
        want = sandwich_reference(d, Z, values, v0, v1, ref, M)
    else:
        fit = lambda w: kkt_columns(Z, w, values, v0, v1)[0]  # noqa: E731
        var, df, widen = group_jackknife_reference(d, fit, ref, 32, widening=True)
        want = np.sqrt(var) * stats.t.ppf(0.975, df) / Z95 * widen
    np.testing.assert_allclose(std, want, rtol=1e-8)


def test_linear_fit_jackknife_one_column_chunk_at_a_time(monkeypatch):
    # With a group count that large the replicate fits run one column at a time (and every unit
    # is deleted in turn): the same JKn errors per column.
    monkeypatch.setattr(_estimate, "JACKKNIFE_GROUPS", 10**6)
    d = hand_design(6, [(2, 5), (3, 4)], enumerated=[1, 5])
    v0, v1, values = _game_values(6, d.masks, 0)
    Z = d.masks.astype(float)
    phi, std = kernel_shap_from_values(d, v0, v1, values)
    ref, _ = kkt_columns(Z, d.weights, values, v0, v1)
    var, df, widen = jackknife_reference(d, lambda w: kkt_columns(Z, w, values, v0, v1)[0], ref, widening=True)
    np.testing.assert_allclose(std, np.sqrt(var) * stats.t.ppf(0.975, df) / Z95 * widen, rtol=1e-8)
