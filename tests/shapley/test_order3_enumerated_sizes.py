"""Interaction fits' designs enumerate sizes past the single players only while enough
coalitions are left to sample (``KADD_SAMPLED_PER_TOP_TERM`` per top-order term).

Just past the budget that first enumerated size 2, order 3 covered 0.42-0.84 (a ridge bias the
same in every draw): benchmarks/probe_order3_enumerated.py."""

import numpy as np
import pytest
from scipy.special import comb

from skxai import ExactShapleyExplainer, KernelShapExplainer
from skxai._designs import enumerated_coalitions
from skxai._estimate import KADD_SAMPLED_PER_TOP_TERM, enumerated_share, kernel_order


@pytest.mark.parametrize("p", range(6, 17))
@pytest.mark.parametrize("order", [3, 5])
def test_sizes_past_the_singles_are_enumerated_only_with_enough_sampled_coalitions(p, order):
    if order >= p:
        pytest.skip("no interaction fit")
    for budget in range(2 * p + 2, min(2**p // 4, 3000), 7):
        share = enumerated_share(order, p, budget)
        k, count = enumerated_coalitions(p, budget, share)
        assert share <= 0.4
        if k > 1:
            assert budget - 2 - count >= KADD_SAMPLED_PER_TOP_TERM * comb(p, order, exact=True)
        # the single players stay enumerated wherever the 0.4 rule enumerated them
        assert k >= min(1, enumerated_coalitions(p, budget, 0.4)[0])


def test_the_single_players_and_pairs_still_enumerated_where_enough_is_left():
    # 12 features at 520: 156 coalitions of sizes 1, 2, 10 and 11, 362 sampled (1.65 per triple)
    assert enumerated_coalitions(12, 520, enumerated_share(3, 12, 520)) == (2, 156)
    # 14 features at 530: sizes 2 and 12 would leave 318 sampled for 364 triples
    assert enumerated_coalitions(14, 530, enumerated_share(3, 14, 530)) == (1, 28)


def test_order3_intervals_cover_just_past_the_budget_that_enumerated_size_2():
    # A logistic model's probability on 12 features at 400 coalitions: "auto" fits order 3. With
    # sizes 2 and 10 enumerated its intervals covered 0.77 here (RMS error / RMS std 0.86); 1.00 now.
    rng = np.random.RandomState(0)
    w = rng.normal(size=12)
    pairs = np.triu(rng.normal(size=(12, 12)) * (rng.random_sample((12, 12)) < 0.2), 1) / 3

    def game(A):
        return 1.0 / (1.0 + np.exp(-(A @ w + np.einsum("ni,ij,nj->n", A, pairs, A))))

    bg, X = rng.normal(size=(6, 12)), rng.normal(size=(4, 12))
    exact = ExactShapleyExplainer(game, max_background=None).fit(bg).transform(X)
    assert kernel_order("auto", 12, 400) == 3
    hits = total = 0
    for seed in range(8):
        exp = KernelShapExplainer(game, n_samples=400, max_background=None, random_state=seed).fit(bg).explain(X)
        err, std = np.abs(exp.values[..., 0] - exact), exp.std[..., 0]
        live = (err > 1e-9) & np.isfinite(std)
        hits += (err[live] <= 1.96 * std[live]).sum()
        total += live.sum()
    assert total > 300
    assert hits / total >= 0.93
