"""Kill tests for the Shapley formulas, KernelSHAP designs and solve, and sampling (issue 17).

Modules: ``skxai/_wls.py``, ``skxai/_designs.py``, ``skxai/shapley/_kernel.py``,
``skxai/shapley/_sampling.py``, ``skxai/_estimate.py``. Every reference is a closed form written
here (the Shapley weights ``|S|! (p - |S| - 1)! / p!``, the Shapley kernel
``(p - 1) / (C(p, s) s (p - s))``, the constrained least squares from its KKT system), a
brute-force enumeration, or a hand-worked number; none comes from the code under test.
"""

import itertools
from collections import Counter
from dataclasses import replace
from math import comb, factorial

import numpy as np
import pytest
from scipy import optimize, stats

from skxai import KernelShapExplainer, ShapleySamplingExplainer, _estimate
from skxai._designs import CoalitionDesign, full_kernel_design, kernel_design, kernel_mass
from skxai._estimate import (
    Z95,
    CachedGame,
    _collapsed_strata,
    _jackknife,
    _kadd_solve,
    _overlaps,
    _stratified_variance,
    _use_jackknife,
    _within_tol,
    antithetic_permutations,
    exact_estimate,
    exact_shapley_from_values,
    kadd_bytes,
    kernel_estimate,
    kernel_order,
    kernel_shap_from_values,
    n_interaction_terms,
    permutation_estimate,
    permutation_masks,
    shapley_from_permutations,
    shapley_weights,
    t_inflation,
    unique_coalitions,
)
from skxai._kadd import (
    PRIMAL_MAX_PLAYERS,
    KaddReplicateFits,
    coalition_codes,
    interaction_features,
    kadd_penalties,
    primal_is_cheaper,
    superset_sums,
)
from skxai._wls import efficiency_constrained_wls
from tests._enumeration import assert_rounding_only, rounding_floor


def shapley_kernel(p, s):
    """Weight of one coalition of size s: (p - 1) / (C(p, s) s (p - s))."""
    return (p - 1) / (comb(p, s) * s * (p - s))


def kkt_solution(Z, w, Y, delta, penalty=None):
    """min sum_i w_i (Y_i - z_i phi)^2 (+ sum pen phi^2) s.t. 1'phi = delta, from the bordered normal equations."""
    p = Z.shape[1]
    A = Z.T @ np.diag(w) @ Z + (np.diag(penalty) if penalty is not None else 0.0)
    K = np.zeros((p + 1, p + 1))
    K[:p, :p] = A
    K[:p, p] = K[p, :p] = 1.0
    rhs = np.vstack([Z.T @ np.diag(w) @ Y, delta[None, :]])
    Kinv = np.linalg.inv(K)
    return (Kinv @ rhs)[:p], Kinv[:p, :p]


# -- skxai/_wls.py -----------------------------------------------------------------------------


@pytest.mark.parametrize("with_penalty", [False, True])
def test_constrained_wls_is_the_kkt_solution(with_penalty):
    rng = np.random.RandomState(0)
    m, p, r = 40, 5, 3
    Z = (rng.random_sample((m, p)) < 0.5).astype(float)
    w = rng.uniform(0.1, 2.0, size=m)
    Y = rng.normal(size=(m, r))
    delta = rng.normal(size=r)
    penalty = rng.uniform(0.5, 3.0, size=p) if with_penalty else None
    phi, M = efficiency_constrained_wls(Z, w, Y, delta, penalty=penalty)
    ref, ref_M = kkt_solution(Z, w, Y, delta, penalty)
    np.testing.assert_allclose(phi, ref, atol=1e-10)
    np.testing.assert_allclose(phi.sum(axis=0), delta, atol=1e-12)
    # M: the top-left block of the bordered inverse, the map from Z'WY to phi's random part
    np.testing.assert_allclose(M, ref_M, atol=1e-10)
    np.testing.assert_allclose(M, M.T, atol=1e-12)


def test_constrained_wls_on_a_singular_design_splits_tied_players_equally():
    # Players 0 and 1 always enter together: A is singular and their split is not determined.
    # The inverse of A was rounding noise (scipy warned, the split was arbitrary); the solution
    # now is the one closest to the equal split: they share equally, without a warning, the
    # constraint holds and the determined players are exact.
    import warnings

    from skxai._wls import undetermined_players

    rng = np.random.RandomState(1)
    m = 30
    Z = (rng.random_sample((m, 4)) < 0.5).astype(float)
    Z[:, 1] = Z[:, 0]
    true = np.array([1.5, 0.5, -2.0, 0.5])
    Y = (Z @ true)[:, None]
    w = rng.uniform(0.5, 1.5, size=m)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        phi, M = efficiency_constrained_wls(Z, w, Y, np.array([true.sum()]))
    np.testing.assert_allclose(phi[:, 0], [1.0, 1.0, -2.0, 0.5], atol=1e-12)
    np.testing.assert_allclose(M @ (Z * w[:, None]).T @ (Y - Z @ phi), 0.0, atol=1e-12)
    np.testing.assert_array_equal(undetermined_players(Z, w), [True, True, False, False])
    Z[:, 1] = 1.0 - Z[:, 0]  # now they are told apart
    assert undetermined_players(Z, w) is None


def test_constrained_wls_with_a_player_never_present_takes_it_from_the_constraint():
    # Player 3 is in no coalition: A has a zero row and is singular, but the constraint still
    # determines player 3 (whatever the others do not take of delta): exact values, and the
    # linear map M gives player 3 minus the others' random part (the old map gave it none).
    rng = np.random.RandomState(2)
    m = 25
    Z = (rng.random_sample((m, 4)) < 0.5).astype(float)
    Z[:, 3] = 0.0
    true = np.array([0.7, -1.2, 2.0, 0.0])
    Y = np.stack([Z @ true, Z @ (2 * true)], axis=1)
    phi, M = efficiency_constrained_wls(Z, rng.uniform(0.5, 1.5, size=m), Y, np.array([1.5, 3.0]))
    np.testing.assert_allclose(phi, np.stack([true, 2 * true], axis=1), atol=1e-10)
    np.testing.assert_allclose(M[3], -M[:3].sum(axis=0), atol=1e-12)
    assert np.abs(M[3]).max() > 1e-3


@pytest.mark.parametrize("m, p", [(300, 12), (40, 5), (700, 30)])
def test_constrained_wls_solves_each_column_on_its_own(m, p):
    # A column's solution must not depend on the columns solved with it (rows explained together
    # or alone give the same bits), whether it comes alone (contiguous) or as a slice of many.
    rng = np.random.RandomState(3)
    r = 40
    Z = (rng.random_sample((m, p)) < 0.5).astype(float)
    w = rng.uniform(0.1, 2.0, size=m)
    Y = rng.normal(size=(m, r))
    delta = rng.normal(size=r)
    phi, _ = efficiency_constrained_wls(Z, w, Y, delta)
    for c in (0, 17, 39):
        for cols in ([c], [c, (c + 5) % r]):
            alone, _ = efficiency_constrained_wls(Z, w, Y[:, cols].copy(), delta[cols])
            np.testing.assert_array_equal(alone[:, 0], phi[:, c])
        view, _ = efficiency_constrained_wls(Z, w, Y[:, c : c + 1], delta[c : c + 1])
        np.testing.assert_array_equal(view[:, 0], phi[:, c])


@pytest.mark.parametrize("max_order, n_samples", [(1, 300), (1, 100), (3, 400)])
def test_single_output_rows_alone_equal_rows_in_a_batch_to_the_last_bit(max_order, n_samples):
    # One output and 12 features: a row explained alone is a single contiguous column of the solve
    # (before the fix its values differed in the last bit from the same row in a batch).
    rng = np.random.RandomState(0)
    w = rng.normal(size=12)

    def f(A):
        return np.tanh(A @ w) + A[:, 0] * A[:, 1] * A[:, 2]

    X = rng.normal(size=(30, 12))
    ex = KernelShapExplainer(f, n_samples=n_samples, max_order=max_order, max_background=10, random_state=0).fit(X)
    batch = ex.explain(X[:25])
    assert batch.values.shape[2] == 1
    for i in (0, 7, 24):
        alone = ex.explain(X[i : i + 1])
        np.testing.assert_array_equal(alone.values[0], batch.values[i])
        np.testing.assert_array_equal(alone.std[0], batch.std[i])


def test_ridge_wls_is_the_weighted_ridge_with_an_unpenalised_intercept():
    from skxai._wls import ridge_wls

    rng = np.random.RandomState(4)
    m, p = 50, 4
    Z = (rng.random_sample((m, p)) < 0.5).astype(float)
    w = rng.uniform(0.2, 1.5, size=m)
    Y = np.stack([rng.normal(size=m), 1e-3 * rng.normal(size=m), np.zeros(m)], axis=1)
    for alpha, kw in [(1.0, {}), (0.3, {"alpha": 0.3})]:  # the default penalty is 1
        coef, intercept, r2 = ridge_wls(Z, w, Y, **kw)
        # normal equations of sum w (y - b0 - Z b)^2 + alpha |b|^2 with b0 unpenalised
        X = np.hstack([np.ones((m, 1)), Z])
        A = X.T @ (w[:, None] * X) + alpha * np.diag([0.0] + [1.0] * p)
        sol = np.linalg.solve(A, X.T @ (w[:, None] * Y))
        np.testing.assert_allclose(intercept, sol[0], atol=1e-10)
        np.testing.assert_allclose(coef, sol[1:], atol=1e-10)
        for c in range(2):  # weighted R^2 = 1 - sum w r^2 / sum w (y - ybar_w)^2, at any scale
            res = Y[:, c] - X @ sol[:, c]
            ybar = np.average(Y[:, c], weights=w)
            assert r2[c] == pytest.approx(1 - (w * res**2).sum() / (w * (Y[:, c] - ybar) ** 2).sum(), rel=1e-9)
    # a target with no variance at all is fitted exactly: R^2 = 1, and no warning about 0 / 0
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _, intercept, r2 = ridge_wls(Z, w, Y[:, 2:])
    assert r2[0] == 1.0 and intercept[0] == 0.0


# -- skxai/_designs.py -------------------------------------------------------------------------


@pytest.mark.parametrize("p, s", [(2, 1), (5, 1), (5, 2), (10, 3), (10, 5), (11, 4)])
def test_kernel_mass_is_the_kernel_summed_over_a_size(p, s):
    assert kernel_mass(p, s) == pytest.approx(comb(p, s) * shapley_kernel(p, s), rel=1e-14)
    assert kernel_mass(p, s) == pytest.approx((p - 1) / (s * (p - s)), rel=1e-14)


@pytest.mark.parametrize("p", [2, 3, 6])
def test_full_design_is_every_coalition_with_the_shapley_kernel(p):
    d = full_kernel_design(p)
    assert d.exact
    rows = {tuple(r) for r in d.masks}
    assert len(rows) == len(d.masks) == 2**p - 2
    assert not d.masks.all(axis=1).any() and d.masks.any(axis=1).all()
    for mask, w in zip(d.masks, d.weights, strict=True):
        assert w == pytest.approx(shapley_kernel(p, int(mask.sum())), rel=1e-13)
    assert (d.unit == -1).all() and len(d.stratum) == 0


def _size_weight_totals(design, p):
    sizes = design.masks.sum(axis=1)
    return {s: design.weights[sizes == s].sum() for s in range(1, p)}


def _check_design(d, p, budget):
    """Properties every design must have, from the definitions (module docstring of _designs)."""
    m = len(d.masks)
    assert d.masks.dtype == bool and d.masks.shape[1] == p
    assert not d.masks.all(axis=1).any() and d.masks.any(axis=1).all()  # no empty, no full coalition
    assert len({tuple(r) for r in d.masks}) == m  # distinct: sampled without replacement
    assert m <= budget - 2
    sizes = d.masks.sum(axis=1)
    enumerated = d.unit < 0
    # Enumerated coalitions: every subset of their size, each weighted by the Shapley kernel.
    for s in np.unique(sizes[enumerated]):
        assert (sizes[~enumerated] != s).all()
        assert (sizes[enumerated] == s).sum() == comb(p, s)
        np.testing.assert_allclose(d.weights[enumerated & (sizes == s)], shapley_kernel(p, s), rtol=1e-13)
    # Sampled: units are complement pairs (one row, then its complement), same weight.
    units = d.unit[~enumerated]
    assert len(units) % 2 == 0
    n_units = len(units) // 2
    np.testing.assert_array_equal(units, np.repeat(np.arange(n_units), 2))
    S = d.masks[~enumerated]
    np.testing.assert_array_equal(S[1::2], ~S[0::2])
    Ws = d.weights[~enumerated]
    np.testing.assert_array_equal(Ws[0::2], Ws[1::2])
    # Horvitz-Thompson: the sampled coalitions of a size carry that size's whole kernel mass,
    # i.e. each weighs k(s) C(p, s) / (number drawn of size s).
    for s in np.unique(sizes[~enumerated]):
        here = ~enumerated & (sizes == s)
        np.testing.assert_allclose(d.weights[here], shapley_kernel(p, s) * comb(p, s) / here.sum(), rtol=1e-13)
    # Each size present carries its whole kernel mass (a size given no sample carries none).
    for s, total in _size_weight_totals(d, p).items():
        if total == 0:
            continue
        assert total == pytest.approx((p - 1) / (s * (p - s)), rel=1e-12), s
    # Strata: one per sampled size pair, with its unit count and finite-population correction.
    assert len(d.stratum) == n_units
    assert d.stratum_size.sum() == n_units
    first = S[0::2].sum(axis=1)
    for h, n_h in enumerate(d.stratum_size):
        in_h = d.stratum == h
        assert in_h.sum() == n_h
        s = int(min(first[in_h].min(), p - first[in_h].min()))
        assert set(np.minimum(first[in_h], p - first[in_h])) == {s}
        pairs = comb(p, s) // 2 if 2 * s == p else comb(p, s)
        assert d.stratum_fpc[h] == pytest.approx(1.0 - n_h / pairs, rel=1e-13)
    return sizes, enumerated


@pytest.mark.parametrize(
    "p, budget", [(4, 10), (5, 14), (6, 30), (8, 60), (8, 252), (9, 200), (10, 100), (12, 300), (20, 100)]
)
@pytest.mark.parametrize("sampling", ["leverage", "kernel"])
def test_design_weights_are_the_shapley_kernel_per_size(p, budget, sampling):
    d = kernel_design(p, budget, np.random.RandomState(p + budget), sampling=sampling)
    assert not d.exact
    _check_design(d, p, budget)


def test_design_enumerates_the_extreme_sizes_while_they_fit():
    # p = 10, budget 100: 98 coalitions to place. Sizes 1 and 9 (20 coalitions) fit with a pair kept
    # for each of the 4 size pairs after them (20 <= 98 - 8); sizes 2 and 8 (90) do not (90 > 78 - 6).
    d = kernel_design(10, 100, np.random.RandomState(0))
    sizes, enumerated = _check_design(d, 10, 100)
    assert sorted(set(sizes[enumerated])) == [1, 9]
    # 78 left: 39 pairs over the strata (2,8), (3,7), (4,6), (5,5). "leverage": the same number of
    # coalitions per size, so shares 2:2:2:1 (the last stratum is one size). Water-filling:
    # floor(39 * 2/7) = 11 (three times), floor(39/7) = 5, 38 placed; floor(1 * share) = 0 everywhere,
    # so the last pair goes to the first largest share: 12, 11, 11, 5.
    assert d.stratum_size.tolist() == [12, 11, 11, 5]
    counts = Counter(np.minimum(sizes[~enumerated], 10 - sizes[~enumerated]))
    assert counts == {2: 24, 3: 22, 4: 22, 5: 10}
    assert len(d.masks) == 98
    np.testing.assert_allclose(d.stratum_fpc, [1 - 12 / 45, 1 - 11 / 120, 1 - 11 / 210, 1 - 5 / 126])


def test_design_kernel_sampling_shares_by_kernel_mass():
    # p = 10, budget 100, sampling="kernel": the 39 pairs go in proportion to the kernel mass of the
    # stratum, 2 k(s) for s != 5 and k(5) with k(s) = 9 / (s (10 - s)): relative 2/16, 2/21, 2/24, 1/25
    # = 0.3638, 0.2772, 0.2425, 0.1164 of the total. 39 x those = 14.19, 10.81, 9.46, 4.54 -> 14, 10,
    # 9, 4 (37); 2 x those < 1, so the two last pairs go one by one to the largest share: 16, 10, 9, 4.
    d = kernel_design(10, 100, np.random.RandomState(0), sampling="kernel")
    _check_design(d, 10, 100)
    assert d.stratum_size.tolist() == [16, 10, 9, 4]


def test_design_respects_the_pair_caps_and_shares_the_rest():
    # p = 4, budget 14: 12 coalitions. Sizes 1 and 3 (8) fit with a pair kept for size 2 (8 <= 12 - 2);
    # size 2 (6 coalitions, 3 complement pairs) does not fit the 4 left: 2 of its 3 pairs are sampled.
    d = kernel_design(4, 14, np.random.RandomState(0))
    sizes, enumerated = _check_design(d, 4, 14)
    assert enumerated.sum() == 8 and (~enumerated).sum() == 4
    assert d.stratum_size.tolist() == [2]
    np.testing.assert_allclose(d.stratum_fpc, [1 - 2 / 3])
    # Where the budget exceeds a stratum's pairs, the stratum is taken whole and the rest moves on.
    d = kernel_design(6, 62, np.random.RandomState(0), max_enumerated_share=0.2)
    sizes, enumerated = _check_design(d, 6, 62)
    assert enumerated.sum() == 12  # sizes 1 and 5 (12 <= 0.2 * 62); sizes 2 and 4 (12 + 30) are not
    # 48 coalitions left = 24 pairs for sizes (2, 4) (15 pairs) and (3, 3) (10 pairs): leverage
    # shares 2:1 give 16 and 8, the first capped at 15; the pair left goes to the open stratum: 15, 9.
    assert d.stratum_size.tolist() == [15, 9]
    np.testing.assert_allclose(d.stratum_fpc, [0.0, 1 - 9 / 10])
    assert len(d.masks) == 60


def test_design_enumeration_share_is_a_bound():
    # p = 10, budget 300 (298 to place): sizes 1, 9 (20) and 2, 8 (90 more: 110) fit the budget, sizes
    # 3, 7 (240) do not (240 > 188 - 4). A share of 0.4 (120) allows 110; 0.3 (90) only 20; 0.05 none.
    d = kernel_design(10, 300, np.random.RandomState(0), max_enumerated_share=0.4)
    sizes, enumerated = _check_design(d, 10, 300)
    assert sorted(set(sizes[enumerated])) == [1, 2, 8, 9]
    d = kernel_design(10, 300, np.random.RandomState(0), max_enumerated_share=0.3)
    sizes, enumerated = _check_design(d, 10, 300)
    assert sorted(set(sizes[enumerated])) == [1, 9]
    d = kernel_design(10, 300, np.random.RandomState(0), max_enumerated_share=0.05)
    sizes, enumerated = _check_design(d, 10, 300)
    assert not enumerated.any()


def test_design_boundary_of_the_enumeration_rule():
    # p = 6: sizes 1 and 5 (12 coalitions) are enumerated when 12 <= left - 2 * 2 (a pair kept for
    # each of the two size pairs after them), i.e. budget - 2 >= 16: budget 18 yes, 17 no.
    d = kernel_design(6, 18, np.random.RandomState(0))
    sizes, enumerated = _check_design(d, 6, 18)
    assert sorted(set(sizes[enumerated])) == [1, 5]
    d = kernel_design(6, 17, np.random.RandomState(0))
    sizes, enumerated = _check_design(d, 6, 17)
    assert not enumerated.any()
    # The share bound is inclusive: 12 enumerated coalitions at share 0.5 of a budget of 24.
    d = kernel_design(6, 24, np.random.RandomState(0), max_enumerated_share=0.5)
    sizes, enumerated = _check_design(d, 6, 24)
    assert enumerated.sum() == 12


def test_design_sampling_is_uniform_over_coalitions():
    # Many designs, counting how often each coalition of a sampled size is drawn: uniform within a
    # size (inclusion probability n_s / C(p, s)), including the middle size (pairs containing player 0).
    for p, budget, big in [(6, 16, False), (8, 40, False), (14, 60, True)]:
        hits = Counter()
        n_designs = 300 if not big else 150
        for seed in range(n_designs):
            d = kernel_design(p, budget, np.random.RandomState(seed))
            sampled = d.masks[d.unit >= 0]
            for row in sampled:
                hits[tuple(np.flatnonzero(row))] += 1
        for s in range(1, p):
            drawn = [hits[c] for c in itertools.combinations(range(p), s)]
            if sum(drawn) == 0:
                continue
            mean = np.mean(drawn)
            # each count is binomial around the mean: 5 standard deviations (plus one draw) is ample
            assert max(abs(x - mean) for x in drawn) <= 5 * np.sqrt(mean) + 1, (p, s, mean, min(drawn), max(drawn))


def test_design_errors():
    with pytest.raises(ValueError, match=r"^budget covers every coalition: compute exact values instead$"):
        kernel_design(4, 16, np.random.RandomState(0))
    kernel_design(4, 15, np.random.RandomState(0))  # one short of 2**4 is a design
    with pytest.raises(ValueError, match=r"^sampling='uniform' is not supported; use 'leverage' or 'kernel'\.$"):
        kernel_design(10, 40, np.random.RandomState(0), sampling="uniform")
    with pytest.raises(ValueError, match=r"^budget too small to form a single coalition$"):
        kernel_design(10, 3, np.random.RandomState(0))


# -- skxai/shapley/_kernel.py and skxai/shapley/_sampling.py ----------------------------------


class SizeLog:
    """A model on {0, 1} rows (explained row of ones against a background row of zeros): the output
    is a fixed nonlinear function of the coalition, and every coalition it sees is recorded."""

    def __init__(self, p, seed=0):
        self.table = np.random.RandomState(seed).normal(size=2**p)
        self.codes = 2 ** np.arange(p)
        self.seen = []

    def __call__(self, A):
        rows = (np.asarray(A) > 0.5).astype(int) @ self.codes
        self.seen.extend(rows.tolist())
        return self.table[rows]


def _one_row(p):
    return np.ones((1, p)), np.zeros((1, p))


@pytest.mark.parametrize(
    "cls, extra",
    [
        (KernelShapExplainer, dict(n_samples=77, sampling="kernel", max_order=3, tol=0.05)),
        (ShapleySamplingExplainer, dict(n_permutations=12, tol=0.05)),
    ],
)
def test_init_stores_every_parameter_unchanged(cls, extra):
    # scikit-learn's contract: __init__ stores each parameter as given (clone and get_params rely on it).
    sampler = lambda X, n, rng: X  # noqa: E731
    params = dict(
        target=1,
        response_method="predict",
        max_background=7,
        background="kmeans",
        feature_groups=[[0, 1], [2]],
        batch_size=123,
        n_jobs=2,
        random_state=5,
        scoring="r2",
        verbose=1,
        game="conditional",
        conditional_sampler=sampler,
        n_conditional_samples=9,
        bandwidth=0.3,
        **extra,
    )
    est = cls(len, **params)
    got = est.get_params()
    assert got.pop("estimator") is len
    assert got == params


def test_kernel_auto_budget():
    # "auto" is min(2**p, 2 p + 2048): every coalition up to 11 players (2**11 = 2048 < 2070), then
    # 2 p + 2048 coalitions, empty and full included (2072 for 12 players).
    for p, n_eval, exact in [(3, 8, True), (11, 2048, True), (12, 2072, False)]:
        x, bg = _one_row(p)
        f = SizeLog(p)
        exp = KernelShapExplainer(f, max_order=1, max_background=None, random_state=0).fit(bg).explain(x)
        assert exp.n_evaluations == n_eval and bool(exp.exact) is exact
        assert len(set(f.seen)) == n_eval


def test_kernel_budget_floor_is_two_p_plus_two():
    x, bg = _one_row(5)
    KernelShapExplainer(SizeLog(5), n_samples=12, max_background=None).fit(bg)  # 2 * 5 + 2
    with pytest.raises(
        ValueError,
        match=r"^n_samples=11 is too small for 5 features: KernelSHAP needs at least "
        r"2 \* n_features \+ 2 = 12 coalitions \(or all 2\*\*5\)\.$",
    ):
        KernelShapExplainer(SizeLog(5), n_samples=11, max_background=None).fit(bg)
    # Two players: 2 p + 2 = 6 > 2**2, and every budget that covers the 4 coalitions is allowed.
    x, bg = _one_row(2)
    for n in (4, 5):
        exp = KernelShapExplainer(SizeLog(2), n_samples=n, max_background=None).fit(bg).explain(x)
        assert exp.exact and exp.n_evaluations == 4
    with pytest.raises(ValueError, match=r"^n_samples=3 is too small for 2 features"):
        KernelShapExplainer(SizeLog(2), n_samples=3, max_background=None).fit(bg)


def test_kernel_explainer_passes_its_parameters_to_the_estimator():
    # sampling="kernel" shares the sampled pairs by kernel mass: p = 10, budget 100 gives the
    # strata (2,8), (3,7), (4,6), (5,5) 16, 10, 9, 4 pairs (test_design_kernel_sampling_shares_by_kernel_mass),
    # "leverage" 12, 11, 11, 5: the model sees that many coalitions of each size.
    p = 10
    x, bg = _one_row(p)
    for sampling, pairs in [("kernel", [16, 10, 9, 4]), ("leverage", [12, 11, 11, 5])]:
        f = SizeLog(p)
        exp = (
            KernelShapExplainer(f, n_samples=100, sampling=sampling, max_order=1, max_background=None, random_state=0)
            .fit(bg)
            .explain(x)
        )
        sizes = Counter(bin(c).count("1") for c in set(f.seen))
        want = {
            0: 1,
            10: 1,
            1: 10,
            9: 10,
            2: pairs[0],
            8: pairs[0],
            3: pairs[1],
            7: pairs[1],
            4: pairs[2],
            6: pairs[2],
            5: 2 * pairs[3],
        }
        assert sizes == want, sampling
        assert exp.order == 1 and exp.n_evaluations == 100
    # max_order reaches the fit; random_state the draw (same seed, same numbers; another seed, others)
    # (200 coalitions: the 175 order-3 terms do not interpolate them, so the errors are finite)
    kw3 = dict(n_samples=200, max_background=None)
    a = KernelShapExplainer(SizeLog(p), max_order=3, random_state=1, **kw3).fit(bg).explain(x)
    b = KernelShapExplainer(SizeLog(p), max_order=3, random_state=1, **kw3).fit(bg).explain(x)
    c = KernelShapExplainer(SizeLog(p), max_order=3, random_state=2, **kw3).fit(bg).explain(x)
    assert a.order == 3 and np.isfinite(a.std).all()
    kw = dict(n_samples=100, max_background=None)
    np.testing.assert_array_equal(a.values, b.values)
    assert np.abs(a.values - c.values).max() > 1e-6
    # tol reaches the estimator: a loose tolerance stops before the budget. (Not at the first step,
    # 24 coalitions: 11 pairs on 10 players, where deleting a pair can leave two players always
    # together, so some errors are unknown and no tolerance is met.)
    loose = KernelShapExplainer(SizeLog(p), max_order=1, tol=100.0, random_state=0, **kw).fit(bg).explain(x)
    assert loose.n_evaluations < 100 and np.isfinite(loose.std).all()


def test_sampling_auto_permutations():
    # "auto": max(4, 2 ceil(1024 / p)) permutations: 294 for 7 players, 4 from 512 players on (two
    # pairs: a single pair's error is unknown), at most the p! there are (24 for 4 players).
    x, bg = _one_row(7)
    exp = ShapleySamplingExplainer(SizeLog(7), max_background=None, random_state=0).fit(bg).explain(x)
    assert exp.n_permutations == 294
    x, bg = _one_row(4)
    exp = ShapleySamplingExplainer(SizeLog(4), max_background=None, random_state=0).fit(bg).explain(x)
    assert exp.n_permutations == 24 and exp.exact
    p = 1024
    exp = (
        ShapleySamplingExplainer(lambda A: A.sum(axis=1), max_background=None, random_state=0)
        .fit(np.zeros((1, p)))
        .explain(np.ones((1, p)))
    )
    assert exp.n_permutations == 4
    np.testing.assert_allclose(exp.values[0, :, 0], 1.0)  # additive: exact with any permutation
    assert_rounding_only(exp.std, p)


def test_sampling_explainer_passes_its_parameters_to_the_estimator():
    p = 6
    x, bg = _one_row(p)
    kw = dict(n_permutations=16, max_background=None)
    a = ShapleySamplingExplainer(SizeLog(p), random_state=1, **kw).fit(bg).explain(x)
    b = ShapleySamplingExplainer(SizeLog(p), random_state=1, **kw).fit(bg).explain(x)
    c = ShapleySamplingExplainer(SizeLog(p), random_state=2, **kw).fit(bg).explain(x)
    np.testing.assert_array_equal(a.values, b.values)
    assert np.abs(a.values - c.values).max() > 1e-6
    assert a.n_permutations == 16
    loose = ShapleySamplingExplainer(SizeLog(p), tol=100.0, random_state=0, **kw).fit(bg).explain(x)
    assert loose.n_permutations == 4  # max(4, 2 * (16 // 8)) permutations first


# -- skxai/_estimate.py: the exact formula --------------------------------------------------------


def subset_shapley(table, p):
    """phi_j = sum_{S without j} |S|! (p - |S| - 1)! / p! (v(S + j) - v(S)); table indexed by bit codes."""
    phi = np.zeros((p,) + table.shape[1:])
    for j in range(p):
        for code in range(2**p):
            if not code >> j & 1:
                s = bin(code).count("1")
                phi[j] += factorial(s) * factorial(p - s - 1) / factorial(p) * (table[code | 1 << j] - table[code])
    return phi


@pytest.mark.parametrize("n", [1, 2, 3, 7, 12])
def test_shapley_weights_are_the_factorial_formula(n):
    want = [factorial(s) * factorial(n - s - 1) / factorial(n) for s in range(n)]
    np.testing.assert_allclose(shapley_weights(n), want, rtol=1e-12)


@pytest.mark.parametrize("p", [1, 2, 3, 5])
def test_exact_formula_against_the_subset_sum_in_any_row_order(p):
    rng = np.random.RandomState(p)
    table = rng.normal(size=(2**p, 2))  # two outputs
    codes = rng.permutation(2**p)  # coalitions in a scrambled order
    masks = (codes[:, None] >> np.arange(p)) & 1 == 1
    values = np.stack([table[codes], 3 * table[codes]])  # two explained samples: (2, 2**p, 2)
    phi = exact_shapley_from_values(masks, values)
    ref = subset_shapley(table, p)
    assert phi.shape == (2, p, 2)
    np.testing.assert_allclose(phi[0], ref, atol=1e-12)
    np.testing.assert_allclose(phi[1], 3 * ref, atol=1e-12)


def test_exact_formula_needs_every_coalition():
    masks = ((np.arange(7)[:, None] >> np.arange(3)) & 1).astype(bool)
    with pytest.raises(ValueError, match=r"^Need all 2\*\*3 = 8 coalitions, got 7\.$"):
        exact_shapley_from_values(masks, np.zeros((7, 1)))


def test_exact_estimate_reports_base_exact_and_evaluations():
    p = 4
    rng = np.random.RandomState(0)
    table = rng.normal(size=(2**p, 3))  # 3 outputs
    calls = []

    def evaluate(masks):
        calls.append(len(masks))
        codes = masks.astype(int) @ (2 ** np.arange(p))
        return np.stack([table[codes], -table[codes]])  # (2, m, 3)

    est = exact_estimate(evaluate, p)
    assert calls == [16]
    np.testing.assert_allclose(est.phi[0], subset_shapley(table, p), atol=1e-12)
    np.testing.assert_allclose(est.phi[1], -subset_shapley(table, p), atol=1e-12)
    np.testing.assert_array_equal(est.base, [table[0], -table[0]])  # v(empty) per sample
    assert est.std.shape == (2, p, 3)
    # exact: the rounding floor of each sample's and output's largest value alone
    np.testing.assert_array_equal(est.std, np.broadcast_to(rounding_floor(np.stack([table, -table])), est.std.shape))
    assert est.extras == {"exact": True, "n_evaluations": 16}


def test_cached_game_evaluates_each_coalition_once():
    seen = []

    def evaluate(masks):
        seen.append(masks.copy())
        return np.stack([masks.sum(axis=1) * 1.0, masks[:, 0] * 2.0], axis=1)[None]  # (1, m, 2)

    game = CachedGame(evaluate)
    A = np.array([[1, 0, 1], [0, 0, 0], [1, 0, 1], [0, 1, 1]], dtype=bool)
    assert game.n_new(A) == 3
    out = game(A)
    np.testing.assert_array_equal(out[0], [[2, 2], [0, 0], [2, 2], [2, 0]])
    np.testing.assert_array_equal(seen[0], A[[0, 1, 3]])  # distinct, in order of first appearance
    assert game.n_evaluated == 3
    B = np.array([[0, 1, 1], [1, 1, 1], [1, 1, 1]], dtype=bool)
    assert game.n_new(B) == 1
    out = game(B)
    np.testing.assert_array_equal(seen[1], B[[1]])
    np.testing.assert_array_equal(out[0], [[2, 0], [3, 2], [3, 2]])
    assert game.n_evaluated == 4
    game(A)
    assert len(seen) == 2  # nothing new: no call


# -- _estimate.py: helpers of the KernelSHAP fit ---------------------------------------------------


def test_t_inflation_is_the_student_quantile_over_the_normal_one():
    assert Z95 == pytest.approx(1.959963984540054, rel=1e-12)
    df = np.array([0.5, 1.0, 3.0, 30.0, np.inf])
    want = [np.inf, 12.706204736174707 / Z95, 3.182446305284263 / Z95, stats.t.ppf(0.975, 30) / Z95, 1.0]
    np.testing.assert_allclose(t_inflation(df), want, rtol=1e-10)


def test_interaction_terms_and_solve_memory():
    assert n_interaction_terms(10, 1) == 10
    assert n_interaction_terms(10, 3) == 10 + 45 + 120
    assert n_interaction_terms(10, 5) == 175 + 210 + 252
    assert kadd_bytes(1000) == 9_000_000


@pytest.mark.parametrize(
    "p, budget, order",
    [
        (10, 99, 1),
        (10, 100, 3),  # 175 terms of order 3 <= 1.8 (budget - 2) from budget 100 (39 pairs)
        (10, 1063, 3),
        (10, 1064, 5),  # 637 terms of order 5 <= 0.6 (budget - 2) from budget 1064
        (8, 138, 1),
        (8, 140, 3),  # 92 terms, 0.67 per coalition: order 3 once 33 pairs are sampled
        (9, 85, 1),
        (9, 86, 3),
        (9, 127, 3),
        (9, 128, 1),
        (9, 158, 3),  # 33, 18, 33 pairs sampled
        (16, 1026, 1),
        (16, 1162, 3),  # 696 terms: the stretch stops at 15 players (614 terms)
        (20, 2088, 1),
        (20, 2252, 3),  # 1,350 terms: 0.6 only
        (5, 43, 1),
        (5, 44, 3),  # 25 terms of order 3 for 5 players; order 5 needs 5 < p
        (3, 7, 1),
        (4, 25, 1),
        (4, 26, 3),  # order 3 needs 3 < p; 14 terms for 4 players
    ],
)
def test_auto_order_rule(p, budget, order):
    assert kernel_order("auto", p, budget) == order


def test_auto_order_memory_bound_and_explicit_orders():
    m = 1000  # budget 1002 on 12 players: order 5 has 1585 terms > 1500, order 3 has 298
    assert kernel_order("auto", 12, m + 2, max_bytes=9 * m**2) == 3
    assert kernel_order("auto", 12, m + 2, max_bytes=9 * m**2 - 1) == 1
    assert kernel_order(7, 4, 10) == 4  # never above the number of players
    assert kernel_order(1, 30, 10**6) == 1  # the linear fit has no m x m system
    assert kernel_order(3, 30, m + 2, max_bytes=9 * m**2) == 3
    with pytest.raises(
        ValueError,
        match=r"^max_order=3 with n_samples=200 needs a 198 x 198 kernel system "
        r"\(0\.0 GiB, over the 0\.00 GiB limit\): use max_order=1 or 'auto' \(they bound memory\), "
        r"or n_samples <= 102\.$",
    ):
        kernel_order(3, 30, 200, max_bytes=9 * 100**2)


# -- _estimate.py: permutations ------------------------------------------------------------------


def test_antithetic_permutations_are_uniform_and_paired():
    rng = np.random.RandomState(0)
    perms = antithetic_permutations(4, 7, rng)
    assert perms.shape == (7, 4)
    for row in perms:
        assert sorted(row) == [0, 1, 2, 3]
    np.testing.assert_array_equal(perms[1::2], perms[0:6:2, ::-1])
    # each first member uniform over the 24 orders
    first = antithetic_permutations(3, 2 * 6000, np.random.RandomState(1))[0::2]
    counts = Counter(map(tuple, first))
    assert len(counts) == 6 and all(abs(c - 1000) < 5 * np.sqrt(1000) for c in counts.values())


def test_permutation_masks_are_the_prefixes():
    perms = np.array([[2, 0, 1], [1, 2, 0]])
    M = permutation_masks(perms)
    want = np.array(
        [
            [[0, 0, 0], [0, 0, 1], [1, 0, 1], [1, 1, 1]],
            [[0, 0, 0], [0, 1, 0], [0, 1, 1], [1, 1, 1]],
        ],
        dtype=bool,
    )
    np.testing.assert_array_equal(M, want)


def test_unique_coalitions_and_their_inverse():
    A = np.array([[1, 0, 1, 0, 0, 0, 0, 0, 1], [0] * 9, [1, 0, 1, 0, 0, 0, 0, 0, 1], [0] * 8 + [1]], dtype=bool)
    U, inv = unique_coalitions(A)
    assert len(U) == 3 and inv.shape == (4,)
    np.testing.assert_array_equal(U[inv], A)


def _prefix_values(perms, table):
    """Value of each prefix coalition of each permutation from a table of v by bit code: (n, n_perm, p + 1, k)."""
    n_perm, p = perms.shape
    out = np.zeros((table.shape[0], n_perm, p + 1, table.shape[2]))
    for a, perm in enumerate(perms):
        code = 0
        out[:, a, 0] = table[:, 0]
        for i, j in enumerate(perm):
            code |= 1 << j
            out[:, a, i + 1] = table[:, code]
    return out


def permutation_reference(perms, table):
    """Mean marginal contribution and its standard error over antithetic pairs, from the definition
    (module notes of skxai._estimate): per-unit variance floored at the mean over players (those whose
    contribution varies and whose pairs do not all agree; 1 when there are none) of their
    (a player that never varied, or that every pair met after the same two sets of players, takes
    the mean single variance of the others that varied)
    pair/single ratios times
    the single-permutation variance over the number of pairs; for a player whose contribution
    varies but whose pairs all agree, at least z^2 pseudo-pairs of that prior spread (ratio times
    single variance) among z^2 + pairs - 1 (Agresti-Coull); then divided by the number of pairs
    (the standard error of a mean), then inflated by t_{0.975, pairs - 1} / 1.96 and, from 3
    pairs on, by the row's skewness (:func:`_hall_skewness_factor`)."""
    n_perm, p = perms.shape
    n, k = table.shape[0], table.shape[2]
    contrib = np.zeros((n, n_perm, p, k))
    for a, perm in enumerate(perms):
        code = 0
        for j in perm:
            contrib[:, a, j] = table[:, code | 1 << j] - table[:, code]
            code |= 1 << j
    phi = contrib.mean(axis=1)
    if n_perm < 2:  # no spread seen: the error is unknown (inf), but one player is exact
        return phi, np.full_like(phi, 0.0 if p == 1 else np.inf), None
    single = contrib.var(axis=1, ddof=1)
    live_single = single.copy()
    n_pairs = n_perm // 2
    # a player every pair met after the same two sets of players (in either order) saw one unit
    steps = [
        [
            frozenset(
                {
                    frozenset(perms[2 * u][: list(perms[2 * u]).index(j)]),
                    frozenset(perms[2 * u + 1][: list(perms[2 * u + 1]).index(j)]),
                }
            )
            for u in range(n_pairs)
        ]
        for j in range(p)
    ]
    one_unit = [n_pairs >= 2 and len(set(steps[j])) == 1 for j in range(p)]
    for i in range(n):
        for c in range(k):
            tiny = (1e-12 * np.abs(contrib[i, :, :, c]).max()) ** 2
            live = [j for j in range(p) if single[i, j, c] > tiny]
            informative = [j for j in live if not one_unit[j]]
            for j in range(p):  # a player that never varied (or saw one unit) borrows the others' mean
                if informative and j not in informative:
                    single[i, j, c] = np.mean([live_single[i, q, c] for q in informative])
    if n_pairs == 1:  # one sampling unit: the error is unknown (inf) wherever a contribution varies
        tiny = (1e-12 * np.abs(contrib).max(axis=(1, 2))[:, None, :]) ** 2
        return phi, np.where(single > tiny, np.inf, 0.0), None
    pair_means = np.stack([(contrib[:, 2 * u] + contrib[:, 2 * u + 1]) / 2 for u in range(n_pairs)], axis=1)
    pair_var = pair_means.var(axis=1, ddof=1)
    std = np.zeros_like(phi)
    floored = np.zeros(phi.shape, dtype=bool)
    for i in range(n):
        for c in range(k):
            # players whose contributions vary beyond rounding (1e-12 of the largest)
            tiny = (1e-12 * np.abs(contrib[i, :, :, c]).max()) ** 2
            live = [j for j in range(p) if live_single[i, j, c] > tiny]
            # players whose pairs all agree say nothing of the others' variance reduction; when
            # no varying player's pairs vary, none is assumed (ratio 1)
            counted = [j for j in live if pair_var[i, j, c] > tiny]
            if counted:
                ratio = np.mean([pair_var[i, j, c] / single[i, j, c] for j in counted])
            else:
                ratio = 1.0 if live else 0.0
            for j in range(p):
                floor = ratio * single[i, j, c] / n_pairs
                if j in live and j not in counted:  # its pairs all agree: z^2 pseudo-pairs
                    z2 = 1.959963984540054**2
                    floor = max(floor, z2 * ratio * single[i, j, c] / (n_pairs - 1 + z2))
                floored[i, j, c] = floor > pair_var[i, j, c]
                v = max(pair_var[i, j, c], floor)
                # the mean of the pairs' means and, for an odd count, the last permutation alone
                var_phi = (4 * n_pairs * v + (n_perm % 2) * single[i, j, c]) / n_perm**2
                std[i, j, c] = np.sqrt(var_phi) * stats.t.ppf(0.975, n_pairs - 1) / 1.959963984540054
            std[i, :, c] *= _hall_skewness_factor(pair_means[i, :, counted, c], phi[i, counted, c])
    return phi, std, floored


def _hall_skewness_factor(pair_means, phi):
    """Widening of a row's t interval from 3 pairs on: the mean over the players ``(q, m)`` of
    their pairs' skewness (Fisher-Pearson adjusted) signed towards their value, if positive, sets
    Hall's (1992) transform ``T + a T^2 + a^2 T^3 / 3 + b`` (``a = g / (3 sqrt m)``,
    ``b = g / (6 sqrt m)``); the factor is its quantile solving ``= -t_{0.975, m - 1}`` over t,
    within [1, 2]."""
    m = pair_means.shape[1]
    if m < 3 or not len(pair_means):
        return 1.0
    g = max(np.mean([stats.skew(u, bias=False) * np.sign(v) for u, v in zip(pair_means, phi, strict=True)]), 0.0)
    if g == 0:
        return 1.0
    a, b, t = g / (3 * np.sqrt(m)), g / (6 * np.sqrt(m)), stats.t.ppf(0.975, m - 1)
    q = optimize.brentq(lambda T: T + a * T**2 + a**2 * T**3 / 3 + b + t, -1e3 * t, 0.0, xtol=1e-15, rtol=1e-15)
    return min(max(-q / t, 1.0), 2.0)


@pytest.mark.parametrize("n_perm", [1, 2, 3, 4, 6, 9])
def test_permutation_estimate_and_standard_error_from_their_definition(n_perm):
    p = 5
    rng = np.random.RandomState(n_perm)
    table = rng.normal(size=(2, 2**p, 2))  # 2 samples, 2 outputs
    table[1, :, 1] = (np.arange(2**p)[:, None] >> np.arange(p) & 1) @ [1, 2, 0, 0, 3]  # additive
    perms = antithetic_permutations(p, n_perm, rng)
    phi, std = shapley_from_permutations(perms, _prefix_values(perms, table))
    ref_phi, ref_std, floored = permutation_reference(perms, table)
    ref_std = np.maximum(ref_std, rounding_floor(table))  # never below the values' rounding
    np.testing.assert_allclose(phi, ref_phi, atol=1e-12)
    np.testing.assert_allclose(std, ref_std, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(phi.sum(axis=1), table[:, -1] - table[:, 0], atol=1e-12)
    # sample 1, output 1 is additive: every contribution is exact, the error 0
    np.testing.assert_allclose(phi[1, :, 1], [1, 2, 0, 0, 3], atol=1e-12)
    if n_perm >= 2:
        np.testing.assert_allclose(std[1, :, 1], 0.0, atol=1e-12)
    if floored is not None and n_perm >= 6:
        assert floored.any() and (~floored).any()  # both sides of the floor are checked


def test_pairs_that_agree_by_chance_are_floored():
    # Two antithetic pairs whose means agree exactly for player 0 while single permutations differ:
    # the pair variance is 0, but the reported error is not: the floor (the players' mean ratio of
    # pair to single variance, times the single variance, over the 2 pairs) holds it up.
    perms = np.array([[0, 1, 2, 3], [3, 2, 1, 0], [1, 2, 0, 3], [3, 0, 2, 1]])
    v = np.random.RandomState(0).normal(size=16)
    v[0] = 0.0
    # player 0's contributions: v({0}); v(all) - v({1,2,3}); v({0,1,2}) - v({1,2}); v({0,3}) - v({3}).
    # v({0,3}) (code 9) is a prefix of the last permutation only: set it so the two pair means agree.
    c = [v[1], v[15] - v[14], v[7] - v[6]]
    v[9] = c[0] + c[1] - c[2] + v[8]
    c0 = np.array(c + [v[9] - v[8]])
    assert c0[:2].mean() == pytest.approx(c0[2:].mean(), abs=1e-12) and c0.std() > 0.1
    phi, std = shapley_from_permutations(perms, _prefix_values(perms, v[None, :, None]))
    np.testing.assert_allclose(phi[0, 0, 0], c0.mean())
    ref_phi, ref_std, floored = permutation_reference(perms, v[None, :, None])
    assert floored[0, 0, 0]
    assert std[0, 0, 0] > 0.01
    np.testing.assert_allclose(std, ref_std, rtol=1e-10)


# -- _estimate.py: the KernelSHAP solve and its standard errors -----------------------------------


def hand_design(p, strata, enumerated=(), seed=0, fpc=None):
    """A design built here: whole sizes ``enumerated`` (Shapley-kernel weights) and, per stratum
    ``(s, n_units)``, that many distinct complement pairs with a first member of size s, weighted
    k(s) C(p, s) / (coalitions of size s drawn), as the module docstring of _designs defines."""
    rng = np.random.RandomState(seed)
    masks, weights, units, stratum = [], [], [], []
    for s in enumerated:
        for c in itertools.combinations(range(p), s):
            row = np.zeros(p, dtype=bool)
            row[list(c)] = True
            masks.append(row)
            weights.append(shapley_kernel(p, s))
            units.append(-1)
    u = 0
    sizes = []
    for h, (s, n_h) in enumerate(strata):
        combos = [c for c in itertools.combinations(range(p), s) if 2 * s != p or 0 in c]
        pick = rng.choice(len(combos), size=n_h, replace=False)
        # n_h coalitions of size s drawn (2 n_h when p - s = s)
        w = shapley_kernel(p, s) * comb(p, s) / (2 * n_h if 2 * s == p else n_h)
        for i in pick:
            row = np.zeros(p, dtype=bool)
            row[list(combos[i])] = True
            masks += [row, ~row]
            weights += [w, w]
            units += [u, u]
            stratum.append(h)
            u += 1
        sizes.append(n_h)
    fpc = np.asarray(fpc if fpc is not None else [0.5 + 0.1 * h for h in range(len(strata))], dtype=float)
    return CoalitionDesign(
        masks=np.array(masks),
        weights=np.array(weights),
        unit=np.array(units),
        stratum=np.array(stratum, dtype=int),
        stratum_fpc=fpc,
        stratum_size=np.array(sizes),
    )


def _game_values(p, masks, seed, n=2, k=2):
    """Nonlinear values of the coalitions for n samples and k outputs, with their empty and full values."""
    rng = np.random.RandomState(seed)
    table = rng.normal(size=(n, 2**p, k))
    codes = masks.astype(int) @ (2 ** np.arange(p))
    return table[:, 0], table[:, -1], table[:, codes]


def kkt_columns(Z, w, values, v0, v1):
    """The constrained WLS per (sample, output) column: phi (n, p, k) and the bordered inverse block M."""
    n, m, k = values.shape
    p = Z.shape[1]
    phi = np.zeros((n, p, k))
    for i in range(n):
        for c in range(k):
            sol, M = kkt_solution(Z, w, (values[i, :, c] - v0[i, c])[:, None], np.array([v1[i, c] - v0[i, c]]))
            phi[i, :, c] = sol[:, 0]
    return phi, M


def skewness_widening_reference(pseudo, theta):
    """Hall's (1992) widening for the pseudo-values' deviations ``pseudo`` (m, n, p, k) of the
    estimate ``theta`` (n, p, k): per (row, output), the Fisher-Pearson adjusted skewness of
    each player whose pseudo-values vary, signed towards its value, averaged over those players
    and floored at 0, gives ``a = g / (3 sqrt(m))``, ``b = g / (6 sqrt(m))``; the root T of
    ``T + a T^2 + a^2 T^3 / 3 + b = -t_{0.975, m-1}`` (increasing in T), over -t, capped at 2."""
    m = len(pseudo)
    m2, m3 = (pseudo**2).mean(axis=0), (pseudo**3).mean(axis=0)
    counted = np.sqrt(m2) > 1e-10 * np.sqrt(m2).max(axis=1, keepdims=True)
    skew = np.where(counted, m3 / np.where(counted, m2, 1.0) ** 1.5 * np.sign(theta), 0.0)
    g = np.maximum(skew.sum(axis=1) / np.maximum(counted.sum(axis=1), 1), 0.0) * np.sqrt(m * (m - 1)) / (m - 2)
    t = stats.t.ppf(0.975, m - 1)
    factor = np.ones(g.shape)
    for idx, gi in np.ndenumerate(g):
        a, b = gi / (3 * np.sqrt(m)), gi / (6 * np.sqrt(m))

        def f(T, a=a, b=b):
            return T + a * T**2 + a**2 * T**3 / 3 + b + t

        factor[idx] = 2.0 if f(-2 * t) > 0 else -optimize.brentq(f, -2 * t, 0.0, xtol=1e-14) / t
    return np.maximum(factor, 1.0)[:, None, :]


def jackknife_reference(design, fit, theta, widening=False):
    """Delete-one-unit stratified jackknife (JKn), units of a stratum reweighted n_h / (n_h - 1):
    var = sum_h v_h, v_h = fpc_h (n_h - 1) / n_h sum_u (theta_u - mean_h)^2, plus the squared bias
    estimate (sum_h fpc_h (n_h - 1) (mean_h - theta))^2 with theta the full-sample estimate, and
    Welch-Satterthwaite df = var^2 / sum_h v_h^2 / (n_h - 1) (of the variance part). With
    ``widening``, also the linear fit's skewness widening of the pseudo-values
    ``-(n_h - 1) (theta_u - mean_h)`` (:func:`skewness_widening_reference`)."""
    n_units = design.unit.max() + 1
    thetas = []
    for u in range(n_units):
        h = design.stratum[u]
        n_h = (design.stratum == h).sum()
        w = design.weights.copy()
        in_h = np.isin(design.unit, np.flatnonzero(design.stratum == h))
        w[in_h] *= n_h / (n_h - 1)
        w[design.unit == u] = 0.0
        thetas.append(fit(w))
    thetas = np.array(thetas)
    var = den = bias = 0.0
    pseudo = []
    for h in range(len(design.stratum_size)):
        t = thetas[design.stratum == h]
        v = design.stratum_fpc[h] * (len(t) - 1) / len(t) * ((t - t.mean(axis=0)) ** 2).sum(axis=0)
        var, den = var + v, den + v**2 / (len(t) - 1)
        bias = bias + design.stratum_fpc[h] * (len(t) - 1) * (t.mean(axis=0) - theta)
        pseudo.append(-(len(t) - 1) * (t - t.mean(axis=0)))
    if widening:
        return var + bias**2, var**2 / den, skewness_widening_reference(np.concatenate(pseudo), theta)
    return var + bias**2, var**2 / den


def test_kernel_solve_is_the_constrained_wls_with_jackknife_errors():
    p = 6
    d = hand_design(p, [(2, 5), (3, 4)], enumerated=[1, 5])  # 9 units: one refit per unit
    v0, v1, values = _game_values(p, d.masks, 0)
    Z = d.masks.astype(float)
    phi, std = kernel_shap_from_values(d, v0, v1, values)
    ref, _ = kkt_columns(Z, d.weights, values, v0, v1)
    np.testing.assert_allclose(phi, ref, atol=1e-10)
    np.testing.assert_allclose(phi.sum(axis=1), v1 - v0, atol=1e-12)
    var, df, widen = jackknife_reference(d, lambda w: kkt_columns(Z, w, values, v0, v1)[0], ref, widening=True)
    assert (df <= 7 + 1e-9).all()  # at most units - strata
    assert (widen > 1.0).any()  # the check below sees the widening
    np.testing.assert_allclose(std, np.sqrt(var) * stats.t.ppf(0.975, df) / Z95 * widen, rtol=1e-8)
    # without std, the same values
    phi2, none = kernel_shap_from_values(d, v0, v1, values, with_std=False)
    assert none is None
    np.testing.assert_allclose(phi2, phi, atol=1e-12)


@pytest.mark.parametrize("order, width", [(1, 2), (3, 2), (1, 1)])
def test_jackknife_replicates_run_in_column_chunks_within_the_byte_budget(any_units, monkeypatch, order, width):
    # 3 samples x 3 outputs = 9 columns; a budget of `width` columns per chunk (32 bytes x groups x
    # players each) must give chunks of that many columns in order (the last one shorter), each
    # column once, and the same values and errors as one chunk
    p = 6
    d = hand_design(p, [(2, 7), (3, 10)], enumerated=[1, 5])
    assert len(d.masks) == 46 >= n_interaction_terms(p, 3)  # the order-3 fit does not interpolate
    v0, v1, values = _game_values(p, d.masks, 3, n=3, k=3)
    phi, std = kernel_shap_from_values(d, v0, v1, values, order=order)
    assert np.isfinite(std).all()
    seen = []
    real = _estimate._jackknife

    def spy(design, solve, max_groups, theta, **kw):
        seen.append(theta.copy())
        return real(design, solve, max_groups=max_groups, theta=theta, **kw)

    monkeypatch.setattr(_estimate, "_jackknife", spy)
    monkeypatch.setattr(_estimate, "JACKKNIFE_CHUNK_BYTES", width * 32 * _estimate.JACKKNIFE_GROUPS * p + 5)
    phi2, std2 = kernel_shap_from_values(d, v0, v1, values, order=order)
    assert [t.shape for t in seen] == [(p, width)] * (9 // width) + [(p, 9 % width)] * (9 % width > 0)
    np.testing.assert_array_equal(np.hstack(seen), phi.transpose(1, 0, 2).reshape(p, 9))
    np.testing.assert_allclose(phi2, phi, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(std2, std, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("order", [1, 3])
def test_a_constant_game_has_zero_spread_and_an_unknown_error_without_a_warning(any_units, order):
    # every coalition worth the same: every replicate is exactly 0, so the variance is exactly 0
    # and its degrees of freedom 0/0; the spread must be 0 (not NaN), without a warning, and the
    # error reported unknown: a sampled design that saw no change cannot tell a constant game
    # from one whose changes lie in the coalitions not drawn (session 37)
    import warnings

    p = 6
    d = hand_design(p, [(2, 7), (3, 10)], enumerated=[1, 5])  # 46 coalitions >= 41 order-3 terms
    values = np.full((2, len(d.masks), 2), 0.7)
    v0 = v1 = np.full((2, 2), 0.7)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        phi, spread = _estimate._kernel_shap_from_values(d, v0, v1, values, order=order, with_std=True)
        phi2, std = kernel_shap_from_values(d, v0, v1, values, order=order)
    np.testing.assert_array_equal(phi, 0.0)
    np.testing.assert_array_equal(phi2, 0.0)
    np.testing.assert_array_equal(spread, 0.0)
    np.testing.assert_array_equal(std, np.inf)


@pytest.fixture
def any_units(monkeypatch):
    """The jackknife's own rules on k-additive fits of small designs: with at most
    KADD_MIN_UNITS sampled pairs their errors are otherwise reported unknown before any refit."""
    monkeypatch.setattr(_estimate, "KADD_MIN_UNITS", 0)


@pytest.mark.parametrize("order, p, size, enumerated", [(1, 5, 2, [1, 4]), (3, 6, 3, [1, 2, 4, 5])])
def test_a_single_sampled_unit_reports_an_unknown_error(any_units, order, p, size, enumerated):
    # whole sizes enumerated and one sampled pair: deleting the only unit leaves nothing to
    # compare, so no spread can be estimated; the error is infinite (not the 0 it was reported
    # as, while the values were up to 0.65 off on a 5-feature model)
    d = hand_design(p, [(size, 1)], enumerated=enumerated)
    v0, v1, values = _game_values(p, d.masks, 4)
    phi, std = kernel_shap_from_values(d, v0, v1, values, order=order)
    assert np.isfinite(phi).all() and np.isposinf(std).all()
    two = hand_design(p, [(size, 2)], enumerated=enumerated)  # two units: a spread, finite and positive
    v0, v1, values = _game_values(p, two.masks, 4)
    std2 = kernel_shap_from_values(two, v0, v1, values, order=order)[1]
    assert np.isfinite(std2).all() and (std2 > 0).all()


def test_kernel_solve_on_enumerated_sizes_only_has_zero_error():
    p = 4
    d = hand_design(p, [], enumerated=[1, 2, 3])  # every coalition: the exact Shapley values
    v0, v1, values = _game_values(p, d.masks, 1)
    phi, std = kernel_shap_from_values(d, v0, v1, values)
    table = np.random.RandomState(1).normal(size=(2, 2**p, 2))
    for i in range(2):
        np.testing.assert_allclose(phi[i], subset_shapley(table[i], p), atol=1e-10)
    assert std.shape == phi.shape
    assert_rounding_only(std, np.abs(values).max())


def sandwich_reference(design, Z, values, v0, v1, phi, M):
    """Linearisation over sampling units: coalition i's influence w_i M z_i times its leave-one-out
    residual r_i / (1 - w_i z_i' M z_i), summed per unit (a complement pair); per stratum
    fpc_h n_h / (n_h - 1) sum_u (H_u - mean_h)^2, Welch-Satterthwaite degrees of freedom."""
    n, m, k = values.shape
    p = Z.shape[1]
    w = design.weights
    std = np.zeros((n, p, k))
    for i in range(n):
        for c in range(k):
            r = values[i, :, c] - v0[i, c] - Z @ phi[i, :, c]
            H = np.zeros((design.unit.max() + 1, p))
            for j in range(m):
                if design.unit[j] >= 0:
                    h = w[j] * Z[j] @ M @ Z[j]
                    H[design.unit[j]] += w[j] * (M @ Z[j]) * r[j] / (1 - h)
            std[i, :, c] = unit_totals_std(design, H)
    return std


def unit_totals_std(design, H):
    """From per-unit totals ``H (units, p)``: per stratum fpc_h n_h / (n_h - 1) sum_u (H_u -
    mean_h)^2, summed; Welch-Satterthwaite degrees of freedom; scaled by t(0.975, df) / 1.96."""
    parts, dens = [], []
    for h, n_h in enumerate(design.stratum_size):
        Hh = H[design.stratum == h]
        v = design.stratum_fpc[h] * n_h / (n_h - 1) * ((Hh - Hh.mean(axis=0)) ** 2).sum(axis=0)
        parts.append(v)
        dens.append(v**2 / (n_h - 1))
    var = np.sum(parts, axis=0)
    df = var**2 / np.sum(dens, axis=0)
    return np.sqrt(var) * stats.t.ppf(0.975, df) / Z95


def test_kernel_solve_errors_by_linearisation_beyond_128_units():
    p = 10
    d = hand_design(p, [(2, 40), (3, 45), (4, 50)], enumerated=[1, 9], seed=2)  # 135 units
    v0, v1, values = _game_values(p, d.masks, 2)
    Z = d.masks.astype(float)
    phi, std = kernel_shap_from_values(d, v0, v1, values)
    ref, M = kkt_columns(Z, d.weights, values, v0, v1)
    np.testing.assert_allclose(phi, ref, atol=1e-10)
    np.testing.assert_allclose(std, sandwich_reference(d, Z, values, v0, v1, ref, M), rtol=1e-8)


def test_jackknife_up_to_128_units_for_linear_fits_and_512_coalitions_for_k_additive():
    assert _use_jackknife(1, 10_000, 128) and not _use_jackknife(1, 10, 129)
    assert _use_jackknife(3, 2560, 10_000) and not _use_jackknife(3, 2561, 1)
    assert _use_jackknife(5, 2560, 10_000) and not _use_jackknife(5, 2561, 1)


def kadd_features(Z, order):
    """Interaction features z_T = prod_{j in T} z_j for 1 <= |T| <= order, and the subsets T."""
    p = Z.shape[1]
    subsets = [T for s in range(1, order + 1) for T in itertools.combinations(range(p), s)]
    Phi = np.stack([Z[:, list(T)].prod(axis=1) for T in subsets], axis=1)
    return Phi, subsets


def kadd_penalty(p, order, m, mean_weight):
    """The documented ridge: main effects 1e-4 of the base 1e-3 x mean weight; size s >= 2: the base
    times growth^(s - 2), growth 10 near the interpolation threshold (terms < 2 m), else 1."""
    terms = sum(comb(p, s) for s in range(1, order + 1))
    growth = 1.0 if terms >= 2 * m else 10.0
    base = 1e-3 * mean_weight
    return {1: 1e-4 * base, **{s: base * growth ** (s - 2) for s in range(2, order + 1)}}


def kadd_reference(Z, w, y, delta, order):
    """k-additive fit in its primal form: min sum w (y - Phi b)^2 + b' P b s.t. 1'b = delta; its Shapley
    values L b (1/|T| to each member of T); the influence of each y_i on them; leave-one-out residuals
    r_i / (1 - h_ii) with the hat matrix of the ridge fit Phi (Phi'W Phi + P)^-1 Phi' W."""
    m, p = Z.shape
    Phi, subsets = kadd_features(Z, order)
    pen = kadd_penalty(p, order, m, w.mean())
    P = np.diag([pen[len(T)] for T in subsets])
    q = len(subsets)
    A = Phi.T @ (w[:, None] * Phi) + P
    K = np.zeros((q + 1, q + 1))
    K[:q, :q] = A
    K[:q, q] = K[q, :q] = 1.0
    Kinv = np.linalg.inv(K)
    b = Kinv[:q, :q] @ (Phi.T @ (w * y)) + Kinv[:q, q] * delta
    L = np.zeros((p, q))
    for t, T in enumerate(subsets):
        L[list(T), t] = 1.0 / len(T)
    influence = (L @ Kinv[:q, :q] @ Phi.T * w).T  # (m, p)
    r = y - Phi @ b
    hat = np.einsum("ij,ji->i", Phi @ np.linalg.inv(A), Phi.T) * w
    return L @ b, influence, r / (1 - hat)


@pytest.mark.parametrize("m_units, order", [(20, 3), (60, 3), (60, 5)])
def test_k_additive_solve_is_the_penalised_constrained_fit(m_units, order):
    p = 8
    d = hand_design(p, [(2, m_units // 3), (3, m_units - m_units // 3)], enumerated=[1, 7], seed=m_units)
    rng = np.random.RandomState(order)
    m = len(d.masks)
    y = rng.normal(size=(m, 2))
    delta = rng.normal(size=2)
    phi, C, loo = _kadd_solve(d, y, delta, order, with_influence=True)
    Z = d.masks.astype(float)
    for c in range(2):
        ref_phi, ref_C, ref_loo = kadd_reference(Z, d.weights, y[:, c], delta[c], order)
        np.testing.assert_allclose(phi[:, c], ref_phi, atol=1e-6 * np.abs(ref_phi).max())
        np.testing.assert_allclose(loo[:, c], ref_loo, atol=1e-5 * np.abs(ref_loo).max())
    np.testing.assert_allclose(C, ref_C, atol=1e-6 * np.abs(ref_C).max())
    np.testing.assert_allclose(phi.sum(axis=0), delta, atol=1e-12)
    phi2, none, none2 = _kadd_solve(d, y, delta, order)
    assert none is None and none2 is None
    np.testing.assert_allclose(phi2, phi, atol=1e-12)


def test_k_additive_leave_one_out_beyond_one_block_of_512():
    p = 10
    d = hand_design(p, [(3, 110), (4, 200)], enumerated=[1, 9], seed=5)  # 640 coalitions
    rng = np.random.RandomState(5)
    y = rng.normal(size=(len(d.masks), 1))
    phi, C, loo = _kadd_solve(d, y, np.array([0.3]), 3, with_influence=True)
    ref_phi, ref_C, ref_loo = kadd_reference(d.masks.astype(float), d.weights, y[:, 0], 0.3, 3)
    np.testing.assert_allclose(phi[:, 0], ref_phi, atol=1e-6 * np.abs(ref_phi).max())
    np.testing.assert_allclose(loo[:, 0], ref_loo, atol=1e-5 * np.abs(ref_loo).max())


def _jackknife_like_weights(d, h_scaled, deleted, factor):
    """The design's weights with the units ``deleted`` zeroed and the other units of stratum
    ``h_scaled`` multiplied by ``factor`` (one replicate of the stratified jackknife)."""
    w = d.weights.copy()
    in_h = np.isin(d.unit, np.flatnonzero(d.stratum == h_scaled))
    w[in_h] *= factor
    w[np.isin(d.unit, deleted)] = 0.0
    return w


@pytest.mark.parametrize("weighting", ["design", "replicate", "any"])
def test_primal_k_additive_operator_is_the_penalised_constrained_fit(weighting):
    # 8 players, order 3: 92 terms for 254 coalitions (the primal form applies).
    p = 8
    d = hand_design(p, [(2, 28), (3, 56), (4, 35)], enumerated=[1, 7], seed=6)
    m = len(d.masks)
    assert primal_is_cheaper(p, 3, m)
    w = {
        "design": d.weights,
        "replicate": _jackknife_like_weights(d, 1, [3, 70, 71], 56 / 54),
        "any": d.weights * np.random.RandomState(1).uniform(0.5, 2.0, size=m),
    }[weighting]
    fits = KaddReplicateFits(d, 3)
    T = fits.operator(w)
    y = np.random.RandomState(2).normal(size=(m, 2))
    keep = w > 0
    Z = d.masks.astype(float)
    for c in range(2):
        ref, _, _ = kadd_reference(Z[keep], w[keep], y[keep, c], 0.0, 3)
        np.testing.assert_allclose(T @ y[:, c], ref, atol=1e-8 * np.abs(ref).max())
    np.testing.assert_allclose((T @ y).sum(axis=0), 0.0, atol=1e-10)  # efficiency gap 0


def test_primal_normal_matrix_from_superset_sums_equals_the_rows():
    p = 9
    d = hand_design(p, [(2, 30), (3, 80), (4, 50)], enumerated=[1, 8], seed=7)
    fits = KaddReplicateFits(d, 3)
    Phi, sizes, L = interaction_features(d.masks, 3)
    assert Phi.shape[1] == 9 + 36 + 84 and np.bincount(sizes).tolist() == [0, 9, 36, 84]
    np.testing.assert_allclose(L.sum(axis=0), 1.0)  # each term's value shared among its members
    m = len(d.masks)
    for w in (
        d.weights,
        _jackknife_like_weights(d, 0, [0, 5, 21], 30 / 27),
        _jackknife_like_weights(d, 1, list(range(30, 110)), 0.0),  # a whole stratum deleted
        d.weights * np.random.RandomState(4).uniform(0.0, 3.0, size=m),
    ):  # any weights
        np.testing.assert_allclose(fits._normal_matrix(w), (Phi * w[:, None]).T @ Phi, rtol=1e-12, atol=1e-12)


def test_superset_sums_against_enumeration():
    p = 5
    f = np.random.RandomState(0).normal(size=(2, 1 << p))
    codes = np.arange(1 << p)
    ref = np.array([[f[r, (codes & u) == u].sum() for u in codes] for r in range(2)])
    np.testing.assert_allclose(superset_sums(f.copy(), p), ref, rtol=1e-13, atol=1e-13)
    # codes: bit j is player j; duplicate coalitions add up in the normal matrix
    Z = np.array([[1, 0, 1], [0, 1, 1], [1, 0, 1]], dtype=bool)
    np.testing.assert_array_equal(coalition_codes(Z), [5, 6, 5])
    d = hand_design(3, [], enumerated=[1, 2], seed=0)
    d = replace(
        d, masks=np.vstack([d.masks, d.masks[:1]]), weights=np.append(d.weights, 2.0), unit=np.append(d.unit, -1)
    )
    Phi, _, _ = interaction_features(d.masks, 1)
    np.testing.assert_allclose(KaddReplicateFits(d, 1)._normal_matrix(d.weights), (Phi * d.weights[:, None]).T @ Phi)


def test_primal_form_takes_at_most_twenty_players():
    assert not primal_is_cheaper(PRIMAL_MAX_PLAYERS + 1, 1, 10**6)
    assert primal_is_cheaper(PRIMAL_MAX_PLAYERS, 1, 10**6)
    d = hand_design(PRIMAL_MAX_PLAYERS + 1, [], enumerated=[1], seed=0)
    with pytest.raises(ValueError, match="at most 20 players"):
        KaddReplicateFits(d, 1)


def test_primal_form_is_used_up_to_half_as_many_terms_as_coalitions():
    assert n_interaction_terms(10, 3) == 175
    assert primal_is_cheaper(10, 3, 350) and not primal_is_cheaper(10, 3, 349)
    assert primal_is_cheaper(13, 3, 754) and not primal_is_cheaper(13, 3, 753)


def test_k_additive_penalties_closed_form():
    # base 1e-3 x mean weight; main effects 1e-4 of it; size s: base x growth^(s - 2), growth 1
    # from twice as many terms as coalitions on (92 terms for 8 players at order 3), else 10
    for m, growth in [(46, 1.0), (47, 10.0), (30, 1.0), (200, 10.0)]:
        pen = kadd_penalties(8, 3, m, 2.0)
        np.testing.assert_allclose(pen[1:], [2e-7, 2e-3, 2e-3 * growth], rtol=1e-15)
    pen = kadd_penalties(10, 5, 100, 0.5)  # 637 terms >= 200: growth 1
    np.testing.assert_allclose(pen[1:], [5e-8, 5e-4, 5e-4, 5e-4, 5e-4], rtol=1e-15)


def test_interaction_features_are_the_products_of_their_members():
    Z = np.random.RandomState(3).random_sample((30, 6)) < 0.5
    Phi, sizes, L = interaction_features(Z, 3)
    ref, subsets = kadd_features(Z.astype(float), 3)
    np.testing.assert_array_equal(Phi, ref)
    for t, T in enumerate(subsets):
        assert sizes[t] == len(T)
        np.testing.assert_array_equal(np.flatnonzero(L[:, t]), T)
        np.testing.assert_allclose(L[list(T), t], 1.0 / len(T))


def test_k_additive_solve_in_primal_and_dual_form_agree(monkeypatch):
    # 9 players, order 3: 129 terms for 378 coalitions: primal fit and jackknife replicates.
    p = 9
    d = hand_design(p, [(2, 36), (3, 84), (4, 60)], enumerated=[1, 8], seed=8)
    v0, v1, values = _game_values(p, d.masks, 8, n=2, k=2)
    calls = []
    real = KaddReplicateFits.operator
    monkeypatch.setattr(KaddReplicateFits, "operator", lambda self, w: calls.append(1) or real(self, w))
    _estimate._kadd_cache.clear()
    phi, std = kernel_shap_from_values(d, v0, v1, values, order=3)
    assert len(calls) == 1 + 32  # the estimate and 32 group replicates (180 units)
    np.testing.assert_allclose(phi.sum(axis=1), v1 - v0, atol=1e-12)
    monkeypatch.setattr(_estimate, "primal_is_cheaper", lambda p, order, m: False)
    dual_phi, dual_std = kernel_shap_from_values(d, v0, v1, values, order=3)
    Z = d.masks.astype(float)
    ref, _ = kadd_total_reference(Z, d.weights, values, v0, v1, 3)
    # The primal form is the better conditioned one (the dual's kernel carries the main effects'
    # 1e7 / weight inverse penalty): 1e-13 from the reference, the dual 2e-7.
    np.testing.assert_allclose(phi, ref, atol=1e-11 * np.abs(ref).max())
    np.testing.assert_allclose(dual_phi, ref, atol=1e-5 * np.abs(ref).max())
    np.testing.assert_allclose(std, dual_std, rtol=1e-4)
    var, df = group_jackknife_reference(d, lambda w: kadd_total_reference(Z, w, values, v0, v1, 3)[0], ref, 32)
    np.testing.assert_allclose(std, np.sqrt(var) * stats.t.ppf(0.975, df) / Z95, rtol=1e-5)


def test_overlap_counts_in_chunks():
    rng = np.random.RandomState(0)
    Z = rng.random_sample((11, 7)) < 0.5
    want = Z.astype(int) @ Z.T.astype(int)
    for chunk in (2048, 3, 1):
        got = _overlaps(Z, chunk=chunk)
        assert got.dtype == np.uint8
        np.testing.assert_array_equal(got, want)
    Z = rng.random_sample((2100, 5)) < 0.5  # more rows than the default chunk
    np.testing.assert_array_equal(_overlaps(Z)[-60:], (Z[-60:].astype(int) @ Z.T.astype(int)))


# -- _estimate.py: strata, the stratified variance and the jackknife -------------------------------


def strata_design(sizes, fpc, n_enumerated=3, p=5, seed=0):
    """A design with ``sizes[h]`` units (complement pairs) in stratum h, plus enumerated coalitions."""
    rng = np.random.RandomState(seed)
    n_units = int(np.sum(sizes))
    first = rng.random_sample((n_units, p)) < 0.5
    masks = np.vstack([rng.random_sample((n_enumerated, p)) < 0.5, np.repeat(first, 2, axis=0)])
    masks[n_enumerated + 1 :: 2] = ~masks[n_enumerated::2]
    unit = np.concatenate([np.full(n_enumerated, -1), np.repeat(np.arange(n_units), 2)])
    return CoalitionDesign(
        masks=masks,
        weights=rng.uniform(0.5, 2.0, size=len(masks)),
        unit=unit,
        stratum=np.repeat(np.arange(len(sizes)), sizes),
        stratum_fpc=np.asarray(fpc, float),
        stratum_size=np.asarray(sizes),
    )


@pytest.mark.parametrize(
    "sizes, groups",
    [
        ([5, 2, 6, 1, 3], [[0, 1], [2, 3, 4]]),  # small strata join the one before
        ([2, 5, 1], [[0, 1, 2]]),  # a stratum joins while its group holds fewer than 4 units
        ([5, 4], [[0], [1]]),  # 4 units are enough
        ([1, 2], [[0, 1]]),
        ([6, 5, 6, 3], [[0], [1], [2, 3]]),
        ([3], [[0]]),  # a single stratum stays as it is
        ([1], [[0]]),  # even of one unit (its fpc kept as it is)
        ([3, 5], [[0, 1]]),  # 3 units are not enough to stand alone
    ],
)
def test_collapsed_strata(sizes, groups):
    fpc = np.linspace(0.1, 0.9, len(sizes))
    d = strata_design(sizes, fpc)
    new, count, new_fpc = _collapsed_strata(d)
    old_to_new = {s: g for g, members in enumerate(groups) for s in members}
    np.testing.assert_array_equal(new, [old_to_new[s] for s in d.stratum])
    np.testing.assert_array_equal(count, [sum(sizes[s] for s in g) for g in groups])
    want = [sum(sizes[s] * fpc[s] for s in g) / sum(sizes[s] for s in g) for g in groups]
    np.testing.assert_allclose(new_fpc, want, rtol=1e-12)


def test_collapsed_strata_minimum_and_no_strata():
    d = strata_design([3, 3], [0.2, 0.4])
    assert _collapsed_strata(d, min_units=3)[1].tolist() == [3, 3]
    assert _collapsed_strata(d)[1].tolist() == [6]
    empty = CoalitionDesign(
        masks=np.ones((2, 3), bool), weights=np.ones(2), unit=np.full(2, -1), stratum=np.zeros(0, dtype=int)
    )
    new, count, new_fpc = _collapsed_strata(empty)
    assert len(new) == 0 and len(count) == 0 and len(new_fpc) == 0


def stratified_reference(d, C, resid):
    """Unit sums H_u = sum over the unit's coalitions of resid_i C_i: (units, r, p)."""
    sampled_unit = d.unit[d.unit >= 0]
    return np.stack(
        [np.einsum("mr,mp->rp", resid[sampled_unit == u], C[sampled_unit == u]) for u in range(sampled_unit.max() + 1)]
    )


@pytest.mark.parametrize("sizes, strata", [([5, 2, 6, 1, 3], [[0, 1], [2, 3, 4]]), ([4, 7], [[0], [1]])])
def test_stratified_variance_from_its_definition(sizes, strata):
    rng = np.random.RandomState(len(sizes))
    fpc = rng.uniform(0.2, 1.0, size=len(sizes))
    d = strata_design(sizes, fpc)
    m_s = 2 * int(np.sum(sizes))
    p, r = 5, 3
    C = rng.normal(size=(m_s, p))
    resid = rng.normal(size=(m_s, r))
    var, df = _stratified_variance(d, C, resid)
    H = stratified_reference(d, C, resid)
    parts, dens = [], []
    for g in strata:
        in_g = np.isin(d.stratum, g)
        n_g = in_g.sum()
        f_g = sum(sizes[s] * fpc[s] for s in g) / n_g
        Hg = H[in_g]
        v = f_g * n_g / (n_g - 1) * ((Hg - Hg.mean(axis=0)) ** 2).sum(axis=0)  # (r, p)
        parts.append(v.T)
        dens.append(v.T**2 / (n_g - 1))
    want = np.sum(parts, axis=0)
    np.testing.assert_allclose(var, want, rtol=1e-12)
    np.testing.assert_allclose(df, want**2 / np.sum(dens, axis=0), rtol=1e-12)


def test_stratified_variance_in_column_chunks_and_without_replicates():
    # 1001 units of 1000 players: columns go 3 at a time (4,000,000 // (1001 * 1000)); 4 columns.
    rng = np.random.RandomState(3)
    d = strata_design([501, 500], [0.9, 0.8], p=4)
    C = rng.normal(size=(2002, 1000))
    resid = rng.normal(size=(2002, 4))
    var, df = _stratified_variance(d, C, resid)
    H = stratified_reference(d, C, resid)
    want = sum(
        f * n / (n - 1) * ((H[d.stratum == h] - H[d.stratum == h].mean(axis=0)) ** 2).sum(axis=0).T
        for h, (n, f) in enumerate([(501, 0.9), (500, 0.8)])
    )
    np.testing.assert_allclose(var, want, rtol=1e-10)
    # one stratum of one unit: no variance can be estimated (0, infinite df)
    d = strata_design([1], [0.5])
    var, df = _stratified_variance(d, rng.normal(size=(2, 3)), rng.normal(size=(2, 2)))
    assert not var.any() and np.isinf(df).all()


def _linear_statistic(d, seed=0):
    """theta(w) = sum_i w_i y_i (a (2, 3) array per coalition): the jackknife of a weighted total."""
    y = np.random.RandomState(seed).normal(size=(len(d.weights), 2, 3))
    return y, lambda w: np.einsum("m,mab->ab", w, y)


def test_jackknife_of_a_weighted_total_is_the_textbook_variance():
    # JKn (at most 32 units): for a total, sum_h fpc_h (n_h - 1) / n_h sum_u (theta_u - mean)^2
    # equals sum_h fpc_h n_h s_h^2 with s_h^2 the variance (ddof 1) of the unit totals.
    sizes, fpc = [5, 2, 6], [0.3, 0.5, 0.7]  # strata 0 and 1 collapse: 7 and 6 units
    d = strata_design(sizes, fpc)
    y, solve = _linear_statistic(d)
    var, df = _jackknife(d, solve)
    t = np.array([sum(d.weights[i] * y[i] for i in np.flatnonzero(d.unit == u)) for u in range(13)])
    want = den = 0.0
    for members, f in [(range(0, 7), (5 * 0.3 + 2 * 0.5) / 7), (range(7, 13), 0.7)]:
        tu = t[list(members)]
        v = f * len(tu) * tu.var(axis=0, ddof=1)
        want, den = want + v, den + v**2 / (len(tu) - 1)
    np.testing.assert_allclose(var, want, rtol=1e-10)
    np.testing.assert_allclose(df, want**2 / den, rtol=1e-10)  # Welch-Satterthwaite


@pytest.mark.parametrize("sizes", [[64], [40, 24]])
def test_delete_a_group_jackknife_beyond_32_units(sizes):
    # 64 units in 32 groups: the unit of rank u (by stratum, then a fixed random key) in group u % 32.
    # Deleting a group reweights
    # the rest of each stratum it touches by n_h / (n_h - deleted); var = f (G - 1) / G sum_g
    # (theta_g - mean)^2 with f the unit-weighted mean fpc, df = G - 1.
    fpc = [0.6, 0.9][: len(sizes)]
    d = strata_design(sizes, fpc)
    y, solve = _linear_statistic(d, seed=1)
    var, df = _jackknife(d, solve)
    t = np.array([sum(d.weights[i] * y[i] for i in np.flatnonzero(d.unit == u)) for u in range(64)])
    fixed = sum(d.weights[i] * y[i] for i in np.flatnonzero(d.unit < 0))
    thetas = []
    rank = np.empty(64, dtype=int)
    rank[_dealing_order(d.stratum)] = np.arange(64)
    for g in range(32):
        gone = rank % 32 == g
        theta = fixed.copy()
        for h in range(len(sizes)):
            in_h = d.stratum == h
            theta += in_h.sum() / (in_h & ~gone).sum() * t[in_h & ~gone].sum(axis=0)
        thetas.append(theta)
    thetas = np.array(thetas)
    f = np.average(fpc, weights=sizes)
    np.testing.assert_allclose(var, f * 31 / 32 * ((thetas - thetas.mean(axis=0)) ** 2).sum(axis=0), rtol=1e-10)
    np.testing.assert_array_equal(df, np.full((2, 3), 31.0))


# -- _estimate.py: the k-additive fit inside the KernelSHAP solve ----------------------------------


def antisymmetric_reference(Z, values, v0, v1):
    """``(v(S) - v(N \\ S)) / 2 + (v0 + v1) / 2`` for every coalition, its complement found row by
    row (the designs here are made of complement pairs)."""
    row_of = {tuple(z): i for i, z in enumerate(np.asarray(Z, dtype=bool))}
    partner = [row_of[tuple(~z)] for z in np.asarray(Z, dtype=bool)]
    return (values - values[:, partner]) / 2 + ((v0 + v1) / 2)[:, None, :]


def kadd_total_reference(Z, w, values, v0, v1, order):
    """Linear constrained fit, then the k-additive fit of its residual (zero-weight coalitions left
    out, efficiency gap 0), all on the game's antisymmetric part: phi (n, p, k), and per column the
    k-additive influence and leave-one-out residuals."""
    values = antisymmetric_reference(Z, values, v0, v1)
    n, m, k = values.shape
    lin, _ = kkt_columns(Z, w, values, v0, v1)
    keep = w > 0
    phi = lin.copy()
    parts = {}
    for i in range(n):
        for c in range(k):
            resid = values[i, :, c] - v0[i, c] - Z @ lin[i, :, c]
            extra, C, loo = kadd_reference(Z[keep], w[keep], resid[keep], 0.0, order)
            phi[i, :, c] += extra
            parts[i, c] = (C, loo)
    return phi, parts


@pytest.mark.parametrize("primal", [False, True])
def test_k_additive_refits_use_the_weights_they_are_given_even_when_none_is_zero(any_units, monkeypatch, primal):
    # the refit behind the errors fits the weights it is handed: a reweighting with every weight
    # positive (a bootstrap's, say) must not fall back to the design's own weights in the
    # k-additive stage (the dual form did: only deleted units changed it)
    if primal:  # 8 players, order 3: 92 terms for 254 coalitions
        p, d = 8, hand_design(8, [(2, 28), (3, 56), (4, 35)], enumerated=[1, 7], seed=6)
    else:
        p, d = 6, hand_design(6, [(2, 7), (3, 10)], enumerated=[1, 5], seed=3)
    assert _estimate.primal_is_cheaper(p, 3, len(d.masks)) == primal
    v0, v1, values = _game_values(p, d.masks, 3)
    Z = d.masks.astype(float)
    w = d.weights * np.random.RandomState(5).uniform(0.5, 2.0, size=len(d.weights))
    seen = []

    def spy(design, solve, **kw):
        seen.append(solve(w))
        return np.zeros_like(seen[0]), np.full(seen[0].shape, 5.0)

    monkeypatch.setattr(_estimate, "_jackknife", spy)
    _estimate._kadd_cache.clear()
    kernel_shap_from_values(d, v0, v1, values, order=3)
    ref, _ = kadd_total_reference(Z, w, values, v0, v1, 3)
    np.testing.assert_allclose(seen[0], ref.transpose(1, 0, 2).reshape(p, -1), atol=1e-6 * np.abs(ref).max())


def test_k_additive_kernel_solve_with_jackknife_errors(any_units):
    p = 6
    d = hand_design(p, [(2, 7), (3, 10)], enumerated=[1, 5], seed=3)  # 17 units, 46 coalitions
    v0, v1, values = _game_values(p, d.masks, 3)
    Z = d.masks.astype(float)
    phi, std = kernel_shap_from_values(d, v0, v1, values, order=3)
    ref, _ = kadd_total_reference(Z, d.weights, values, v0, v1, 3)
    np.testing.assert_allclose(phi, ref, atol=1e-6 * np.abs(ref).max())
    np.testing.assert_allclose(phi.sum(axis=1), v1 - v0, atol=1e-10)
    var, df = jackknife_reference(d, lambda w: kadd_total_reference(Z, w, values, v0, v1, 3)[0], ref)
    np.testing.assert_allclose(std, np.sqrt(var) * stats.t.ppf(0.975, df) / Z95, rtol=1e-4)


def _dealing_order(stratum):
    """Units by stratum, and within a stratum in the order of a fixed random key: groups dealt in
    the units' own order were systematic samples of sorted combinations."""
    key = np.random.RandomState(len(stratum)).random_sample(len(stratum))
    return sorted(range(len(stratum)), key=lambda u: (stratum[u], key[u]))


def group_jackknife_reference(design, fit, theta, n_groups, widening=False):
    """Delete-a-group jackknife: units ordered by stratum, then by a fixed random key (the
    ``RandomState(n_units)`` draw), unit of rank r in group r % G; deleting a group reweights the
    rest of each stratum it touches by n_h / (n_h - deleted). var = f (G - 1) / G
    sum_g (theta_g - mean)^2 + (f (G - 1) (mean - theta))^2, f the unit-weighted mean fpc, df = G - 1.
    With ``widening``, also the skewness widening of the pseudo-values ``-(G - 1) (theta_g - mean)``."""
    n_units = design.unit.max() + 1
    group = np.empty(n_units, dtype=int)
    group[_dealing_order(design.stratum)] = np.arange(n_units) % n_groups
    thetas = []
    for g in range(n_groups):
        w = design.weights.copy()
        for h in range(len(design.stratum_size)):
            in_h = design.stratum == h
            gone = in_h & (group == g)
            w[np.isin(design.unit, np.flatnonzero(in_h))] *= in_h.sum() / (in_h.sum() - gone.sum())
        w[np.isin(design.unit, np.flatnonzero(group == g))] = 0.0
        thetas.append(fit(w))
    thetas = np.array(thetas)
    f = np.average(design.stratum_fpc, weights=design.stratum_size)
    mean = thetas.mean(axis=0)
    var = f * (n_groups - 1) / n_groups * ((thetas - mean) ** 2).sum(axis=0)
    if widening:
        widen = skewness_widening_reference(-(n_groups - 1) * (thetas - mean), theta)
        return var + (f * (n_groups - 1) * (mean - theta)) ** 2, n_groups - 1, widen
    return var + (f * (n_groups - 1) * (mean - theta)) ** 2, n_groups - 1


def test_k_additive_kernel_solve_with_a_group_jackknife_beyond_1024_coalitions():
    p = 11
    d = hand_design(p, [(3, 160), (4, 300), (5, 100)], enumerated=[1, 10], seed=4)  # 1142 coalitions
    v0, v1, values = _game_values(p, d.masks, 4, n=1, k=2)
    Z = d.masks.astype(float)
    phi, std = kernel_shap_from_values(d, v0, v1, values, order=3)
    ref, _ = kadd_total_reference(Z, d.weights, values, v0, v1, 3)
    np.testing.assert_allclose(phi, ref, atol=1e-5 * np.abs(ref).max())
    var, df = group_jackknife_reference(d, lambda w: kadd_total_reference(Z, w, values, v0, v1, 3)[0], ref, 8)
    np.testing.assert_allclose(std, np.sqrt(var) * stats.t.ppf(0.975, df) / Z95, rtol=1e-4)


def test_k_additive_kernel_solve_errors_by_linearisation_beyond_the_jackknife_limit(monkeypatch):
    # The limit (2,560 coalitions) is lowered so the linearisation is checked on a small design,
    # and the primal form (whose replicates are refitted past the limit) is taken away.
    monkeypatch.setattr(_estimate, "KADD_JACKKNIFE_MAX", 1024)
    monkeypatch.setattr(_estimate, "_primal_form", lambda p, order, m: False)
    p = 11
    d = hand_design(p, [(3, 160), (4, 300), (5, 100)], enumerated=[1, 10], seed=4)  # 1142 coalitions
    v0, v1, values = _game_values(p, d.masks, 4, n=1, k=2)
    Z = d.masks.astype(float)
    phi, std = kernel_shap_from_values(d, v0, v1, values, order=3)
    ref, parts = kadd_total_reference(Z, d.weights, values, v0, v1, 3)
    np.testing.assert_allclose(phi, ref, atol=1e-5 * np.abs(ref).max())  # the primal system is ill-conditioned
    s = d.unit >= 0
    for c in range(2):
        C, loo = parts[0, c]
        H = stratified_reference(d, C[s], loo[s][:, None])[:, 0]
        np.testing.assert_allclose(std[0, :, c], unit_totals_std(d, H), rtol=1e-4)


# -- _estimate.py: the estimators' loops and the tolerance rule -------------------------------------


def test_within_tol_is_per_row_and_output_and_inclusive():
    phi = np.zeros((2, 3, 2))
    phi[0, :, 0] = [1.0, -4.0, 2.0]  # scale 4
    phi[0, :, 1] = [0.5, 0.1, 0.0]  # scale 0.5
    phi[1, :, 0] = [0.0, 0.0, 0.0]  # scale 0 -> 1
    phi[1, :, 1] = [10.0, 0.0, 0.0]  # scale 10
    tol = 0.1
    scale = np.array([[4.0, 0.5], [1.0, 10.0]])[:, None, :]
    edge = np.broadcast_to(tol * scale / Z95, phi.shape).copy()
    assert _within_tol(phi, edge, tol)
    for idx in [(0, 1, 0), (0, 2, 1), (1, 0, 0), (1, 2, 1)]:
        over = edge.copy()
        over[idx] *= 1.0 + 1e-9
        assert not _within_tol(phi, over, tol), idx
    nan = edge.copy()
    nan[0, 0, 0] = np.nan
    assert not _within_tol(phi, nan, tol)


def _logged_game(p, seed=0):
    table = np.random.RandomState(seed).normal(size=(2**p, 2))
    codes = 2 ** np.arange(p)
    log = []

    def evaluate(masks):
        c = masks.astype(int) @ codes
        log.extend(c.tolist())
        return np.stack([table[c], 2 * table[c]])  # (2, m, 2)

    return table, log, evaluate


def test_kernel_estimate_exact_from_the_full_budget():
    p = 5
    table, log, evaluate = _logged_game(p)
    est = kernel_estimate(evaluate, p, 2**p)
    assert est.extras == {"exact": True, "n_evaluations": 32}
    np.testing.assert_allclose(est.phi[0], subset_shapley(table, p), atol=1e-12)
    table, log, evaluate = _logged_game(p)
    est = kernel_estimate(evaluate, p, 2**p - 1, max_order=1, random_state=0)
    # 29 coalitions between the ends: sizes 1 and 4 (10) whole, then 9 pairs of sizes 2 and 3 (one left over)
    assert est.extras == {"exact": False, "n_evaluations": 30, "order": 1, "std_rows_correlated": True}
    np.testing.assert_array_equal(est.base, [table[0], 2 * table[0]])
    assert len(log) == len(set(log)) == 30
    np.testing.assert_allclose(est.phi.sum(axis=1), [table[-1] - table[0], 2 * (table[-1] - table[0])], atol=1e-12)


@pytest.mark.parametrize("budget, enumerated", [(511, [1, 2, 9, 10]), (512, [1, 2, 3, 8, 9, 10])])
def test_interaction_fits_enumerate_at_most_forty_percent_below_a_quarter_of_all_coalitions(budget, enumerated):
    # p = 11 (2048 coalitions): the order-3 fit ("auto": 231 terms) at budget 511 < 2048 / 4 enumerates
    # whole sizes within 40% of the budget (sizes 1, 10: 22; with 2, 9: 132; with 3, 8: 462 > 204.4);
    # at 512 every size that fits (462 <= 510 - 4 for sizes 3, 8). The linear fit enumerates past the
    # single players within half the budget (LINEAR_ENUMERATED_SHARE) at any budget: sizes 1, 2, 9, 10.
    # ("auto" takes order 3 at 511; at 512 its design would sample only 24 pairs, so "auto" takes
    # the linear fit and order 3 is asked for explicitly.)
    p = 11
    for max_order, want in [
        (3 if budget == 512 else "auto", enumerated),
        (1, [1, 2, 9, 10]),
    ]:
        table, log, evaluate = _logged_game(p)
        est = kernel_estimate(evaluate, p, budget, max_order=max_order, random_state=0)
        assert est.extras["order"] == (1 if max_order == 1 else 3)
        sizes = Counter(bin(c).count("1") for c in log)
        whole = sorted(s for s in range(1, p) if sizes[s] == comb(p, s))
        assert whole == want, (max_order, sizes)


@pytest.mark.parametrize("p, budget", [(10, 200), (10, 150), (12, 500), (7, 100)])
def test_kernel_tolerance_steps_stay_within_the_budget(p, budget):
    # tol so small it is never met: steps from max(2 p + 2, budget // 4), doubling, to the budget; the
    # coalitions of all steps together never exceed the budget, and the last step uses most of it
    # (the designs of successive steps overlap without being nested: here at least 95%).
    table, log, evaluate = _logged_game(p)
    est = kernel_estimate(evaluate, p, budget, max_order=1, tol=1e-15, random_state=0)
    assert est.extras["n_evaluations"] == len(log) == len(set(log)) <= budget
    assert est.extras["n_evaluations"] >= 0.95 * budget
    # a loose tolerance stops after the first step whose errors are trusted: the one-player
    # coalitions enumerated and at least TOL_MIN_UNITS pairs sampled
    from skxai._designs import enumerated_coalitions, sampled_units
    from skxai._estimate import TOL_MIN_UNITS, enumerated_share

    table, log, evaluate = _logged_game(p)
    est = kernel_estimate(evaluate, p, budget, max_order=1, tol=1e6, random_state=0)
    first = max(2 * p + 2, budget // 4)
    trusted = (
        enumerated_coalitions(p, first)[0] > 0
        and sampled_units(p, first, enumerated_share(1, p, first)) >= TOL_MIN_UNITS
    )
    if trusted:
        assert first - 1 <= est.extras["n_evaluations"] <= first
    else:
        assert first < est.extras["n_evaluations"] <= budget


@pytest.mark.parametrize("n_perm, first", [(32, 8), (16, 4), (40, 10), (3, 3), (6, 4)])
def test_permutation_tolerance_steps(n_perm, first):
    p = 8  # 256 coalitions: no step visits them all (then the values are exact, see below)
    table, log, evaluate = _logged_game(p)
    loose = permutation_estimate(evaluate, p, n_perm, tol=1e6, random_state=0)
    assert loose.extras["n_permutations"] == first
    strict = permutation_estimate(evaluate, p, n_perm, tol=1e-15, random_state=0)
    full = permutation_estimate(evaluate, p, n_perm, random_state=0)
    assert strict.extras["n_permutations"] == full.extras["n_permutations"] == n_perm
    np.testing.assert_array_equal(strict.phi, full.phi)


def test_permutation_estimate_walks_the_antithetic_permutations_of_its_seed():
    p = 5
    table, log, evaluate = _logged_game(p)
    est = permutation_estimate(evaluate, p, 6, random_state=3)
    perms = antithetic_permutations(p, 6, np.random.RandomState(3))
    ref_phi, ref_std, _ = permutation_reference(perms, np.stack([table, 2 * table]))
    np.testing.assert_allclose(est.phi, ref_phi, atol=1e-12)
    np.testing.assert_allclose(est.std, ref_std, rtol=1e-10)
    np.testing.assert_array_equal(est.base, [table[0], 2 * table[0]])
    assert est.extras == {"n_evaluations": len(set(log)), "n_permutations": 6, "std_rows_correlated": True}
    assert len(log) == len(set(log))


def test_kernel_auto_budget_from_62_players():
    # From 62 players 2**p is not formed: "auto" is 2 p + 2048 coalitions (2172 for 62).
    p = 62
    w = np.random.RandomState(0).normal(size=p)
    exp = (
        KernelShapExplainer(lambda A: np.tanh(A @ w), max_order=1, max_background=None, random_state=0)
        .fit(np.zeros((1, p)))
        .explain(np.ones((1, p)))
    )
    assert exp.n_evaluations == 2172 and not exp.exact


@pytest.mark.parametrize("cls", [KernelShapExplainer, ShapleySamplingExplainer])
def test_explainers_pass_n_jobs_and_verbose_to_the_game(cls, monkeypatch):
    from skxai._games._background import BackgroundGame

    calls = []
    original = BackgroundGame.values_parallel

    def spy(self, X, masks, n_jobs=None, verbose=0):
        calls.append((n_jobs, verbose))
        return original(self, X, masks)

    monkeypatch.setattr(BackgroundGame, "values_parallel", spy)
    x, bg = _one_row(4)
    cls(SizeLog(4), n_jobs=3, verbose=0, max_background=None).fit(bg).explain(x)
    cls(SizeLog(4), n_jobs=None, verbose=1, max_background=None).fit(bg).explain(x)
    assert calls and set(calls) == {(3, 0), (None, 1)}


class CallSizes:
    def __init__(self):
        self.sizes = []

    def __call__(self, A):
        self.sizes.append(len(A))
        return np.tanh(A).sum(axis=1)


@pytest.mark.parametrize(
    "cls, kw",
    [(KernelShapExplainer, dict(n_samples=8000, max_order=1)), (ShapleySamplingExplainer, dict(n_permutations=4000))],
)
def test_default_background_is_100_rows_and_calls_at_most_50000_rows(cls, kw):
    # documented defaults: max_background=100 rows, batch_size=50_000 model rows per call (whole
    # (row, coalition) pairs: 7 background rows -> 7142 pairs = 49,994 rows per call).
    rng = np.random.RandomState(0)
    X = rng.normal(size=(150, 13))
    assert cls(CallSizes(), random_state=0, **kw).fit(X).background_.shape[0] == 100
    f = CallSizes()
    cls(f, max_background=None, random_state=0, **kw).fit(X[:7]).explain(X[7:8])
    assert max(f.sizes) == 7 * (50_000 // 7)


def test_permutation_values_of_a_game_of_order_two_are_exact_and_their_error_fades():
    # antithetic pairs recover a game of order 2 exactly: every pair variance is rounding. The
    # sample cannot tell that from pairs agreeing by chance (tests/shapley/test_audit_std.py), so
    # the error is not 0: the floor assumes no variance reduction and fades as 1/n_pairs.
    p = 6
    rng = np.random.RandomState(3)
    a, pairs = rng.normal(size=p), np.triu(rng.normal(size=(p, p)), 1)
    pairs[0], pairs[:, 0] = 0.0, 0.0  # player 0 is additive: its contribution never varies
    Z = (np.arange(2**p)[:, None] >> np.arange(p) & 1).astype(float)
    v = (Z @ a + np.einsum("ci,ij,cj->c", Z, pairs, Z))[None, :, None]
    Zb = Z.astype(bool)
    truth = exact_shapley_from_values(Zb, v)
    largest = []
    for n_perm in (4, 10, 40):
        perms = antithetic_permutations(p, n_perm, np.random.RandomState(n_perm))
        phi, std = shapley_from_permutations(perms, _prefix_values(perms, v))
        np.testing.assert_allclose(phi, truth, atol=1e-12)
        assert np.all(np.isfinite(std)) and np.all(std > 0), (n_perm, std)
        largest.append(std.max())
    assert largest[0] > largest[1] > largest[2]


def test_permutation_error_of_an_additive_game_is_zero_without_warnings():
    # every contribution is constant: pair and single variances are 0, no player's ratio counts
    # (the mean of none is taken as 0 silently), and the error is exactly 0
    import warnings

    p = 4
    v = ((np.arange(2**p)[:, None] >> np.arange(p) & 1) @ [1.0, -2.0, 0.5, 3.0])[None, :, None]
    perms = antithetic_permutations(p, 6, np.random.RandomState(0))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        phi, std = shapley_from_permutations(perms, _prefix_values(perms, v))
    np.testing.assert_allclose(phi[0, :, 0], [1.0, -2.0, 0.5, 3.0], atol=1e-12)
    np.testing.assert_array_equal(std, np.broadcast_to(rounding_floor(v), std.shape))
