"""Kill tests for the Shapley formulas, KernelSHAP designs and solve, and sampling (issue 17).

Modules: ``skxai/_wls.py``, ``skxai/_designs.py``, ``skxai/shapley/_kernel.py``,
``skxai/shapley/_sampling.py``, ``skxai/_estimate.py``. Every reference is a closed form written
here (the Shapley weights ``|S|! (p - |S| - 1)! / p!``, the Shapley kernel
``(p - 1) / (C(p, s) s (p - s))``, the constrained least squares from its KKT system), a
brute-force enumeration, or a hand-worked number; none comes from the code under test.
"""

import itertools
from collections import Counter
from math import comb

import numpy as np
import pytest

from skxai._designs import full_kernel_design, kernel_design, kernel_mass
from skxai._wls import efficiency_constrained_wls


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


def test_constrained_wls_on_a_singular_design_still_meets_the_constraint():
    # Players 0 and 1 always enter together: A is singular up to rounding (the solve warns and is
    # inaccurate), but the Lagrange step still makes sum(phi) = delta to rounding.
    rng = np.random.RandomState(1)
    m = 30
    Z = (rng.random_sample((m, 4)) < 0.5).astype(float)
    Z[:, 1] = Z[:, 0]
    true = np.array([1.0, 1.0, -2.0, 0.5])
    Y = (Z @ true)[:, None]
    w = rng.uniform(0.5, 1.5, size=m)
    with np.errstate(all="ignore"), pytest.warns(Warning):
        phi, _ = efficiency_constrained_wls(Z, w, Y, np.array([true.sum()]))
    np.testing.assert_allclose(phi.sum(), true.sum(), atol=1e-12)


def test_constrained_wls_with_a_player_never_present_falls_back_to_least_squares():
    # Player 3 is in no coalition: A has a zero row, Cholesky fails, and the pseudo-inverse gives
    # the minimum-norm solution: nothing for player 3, the others exact.
    rng = np.random.RandomState(2)
    m = 25
    Z = (rng.random_sample((m, 4)) < 0.5).astype(float)
    Z[:, 3] = 0.0
    true = np.array([0.7, -1.2, 2.0, 0.0])
    Y = np.stack([Z @ true, Z @ (2 * true)], axis=1)
    phi, M = efficiency_constrained_wls(Z, rng.uniform(0.5, 1.5, size=m), Y, np.array([1.5, 3.0]))
    np.testing.assert_allclose(phi, np.stack([true, 2 * true], axis=1), atol=1e-10)
    np.testing.assert_allclose(M[3], 0.0, atol=1e-12)


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


@pytest.mark.parametrize("p, budget", [(4, 10), (5, 14), (6, 30), (8, 60), (8, 252), (9, 200), (10, 100),
                                       (12, 300), (20, 100)])
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
