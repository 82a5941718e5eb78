"""Coalition designs for KernelSHAP: enumerate whole subset sizes, sample the rest in pairs.

Shared by every coalition estimator (:mod:`skxai._estimate`): tables, images, text.

The KernelSHAP objective is a sum over all coalitions ``z`` of ``k(|z|) (v(z) - v0 - z.phi)^2``
with the Shapley kernel ``k(s) = (p - 1) / (C(p, s) s (p - s))``. A design estimates that sum:
coalition sizes whose every subset fits the budget are enumerated (weight ``k(s)``); the
remaining sizes are strata sampled uniformly *without replacement*, each sampled coalition
weighted ``k(s) C(p, s) / n_s`` (inverse inclusion probability), and always together with its
complement (paired sampling). How the sampled budget is shared among sizes:

- ``"leverage"``: equally per size (the leverage scores of the constrained regression give
  every size the same mass; Musco & Witter, ICLR 2025);
- ``"kernel"``: in proportion to the kernel mass of the size (shap's choice).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

import numpy as np
from scipy.special import comb

from skxai._wls import undetermined_players


def kernel_mass(p, s):
    """Total Shapley-kernel weight of all coalitions of size s: (p - 1) / (s (p - s))."""
    return (p - 1) / (s * (p - s))


@dataclass
class CoalitionDesign:
    """Coalitions (excluding empty and full) with regression weights and sampling strata."""

    masks: np.ndarray
    weights: np.ndarray
    unit: np.ndarray  # paired unit id of each coalition (-1 when enumerated)
    stratum: np.ndarray  # stratum id of each unit
    stratum_fpc: np.ndarray = field(default_factory=lambda: np.zeros(0))
    stratum_size: np.ndarray = field(default_factory=lambda: np.zeros(0))
    exact: bool = False


def _size_pairs(p):
    return [(s, p - s) for s in range(1, p // 2 + 1)]


#: Coalition counts above this are not needed exactly (no budget or finite-population factor
#: tells them apart): :func:`_count` stops there. Exact counts of every size of 20,000 players
#: took minutes (six-thousand-digit integers); these stop after a few products.
COUNT_CAP = 2**63


def _count(p, s):
    """``comb(p, s)`` exactly when at most :data:`COUNT_CAP`, else ``math.inf``."""
    s = min(s, p - s)
    if s < 0:
        return 0
    c = 1
    for i in range(s):
        c = c * (p - i) // (i + 1)  # exact: a product of i + 1 consecutive integers
        if c > COUNT_CAP:
            return math.inf
    return c


def _pair_count(p, s):
    """Distinct complement pairs among coalitions of sizes s and p - s (``math.inf`` beyond
    :data:`COUNT_CAP`)."""
    total = _count(p, s)
    return total // 2 if 2 * s == p and total != math.inf else total


def _allocate(budget_pairs, shares, caps):
    """Integer water-filling of ``budget_pairs`` over strata in proportion to ``shares``."""
    n = np.zeros(len(shares), dtype=int)
    active = np.ones(len(shares), dtype=bool)
    left = budget_pairs
    while left > 0 and active.any():
        share = np.where(active, shares, 0.0)
        share = share / share.sum()
        want = np.floor(share * left).astype(int)
        if want.sum() == 0:
            want[np.argmax(share)] = 1
        new = np.minimum(n + want, caps)
        left -= int((new - n).sum())
        n = new
        active &= n < caps
    return n


def _sample_subsets(p, s, n, rng):
    """n distinct subsets of size s (as bool rows), uniformly without replacement."""
    total = _count(p, s)
    if total <= max(4 * n, 64):
        combos = np.array(list(itertools.combinations(range(p), s)), dtype=int)
        pick = combos[np.sort(rng.choice(total, size=n, replace=False))]
        out = np.zeros((n, p), dtype=bool)
        np.put_along_axis(out, pick, True, axis=1)
        return out
    seen = set()
    rows = []
    while len(rows) < n:
        draw = np.argsort(rng.random_sample((2 * (n - len(rows)), p)), axis=1)[:, :s]
        for r in draw:
            key = tuple(np.sort(r))
            if key not in seen:
                seen.add(key)
                rows.append(key)
                if len(rows) == n:
                    break
    out = np.zeros((n, p), dtype=bool)
    np.put_along_axis(out, np.asarray(rows, dtype=int), True, axis=1)
    return out


def _sample_half_pairs(p, s, n, rng):
    """n distinct complement pairs of size p/2: canonical member contains player 0."""
    total = _count(p - 1, s - 1)
    if total <= max(4 * n, 64):
        combos = np.array(list(itertools.combinations(range(1, p), s - 1)), dtype=int)
        pick = combos[np.sort(rng.choice(total, size=n, replace=False))]
        out = np.zeros((n, p), dtype=bool)
        out[:, 0] = True
        if s > 1:
            np.put_along_axis(out, pick, True, axis=1)
        return out
    rest = _sample_subsets(p - 1, s - 1, n, rng)
    return np.hstack([np.ones((n, 1), dtype=bool), rest])


#: Draws of a design before giving up on one whose coalitions determine every value.
MAX_DESIGN_DRAWS = 100


def kernel_design(p, budget, rng, *, sampling="leverage", max_enumerated_share=1.0):
    """Build the coalitions and weights for a KernelSHAP fit on ``budget`` model evaluations.

    ``budget`` counts every coalition evaluated, the empty and full ones included. Whole sizes
    are enumerated while they fit and, all together, stay within ``max_enumerated_share`` of
    the budget (fits with interactions learn more from coalitions spread over every size).

    A draw whose coalitions leave some players' values undetermined (near the smallest budget,
    ``2 p + 2``, a quarter of the draws on 5-8 players hold two players always together) is
    drawn again: the regression would otherwise split them by rounding noise.
    """
    for _ in range(MAX_DESIGN_DRAWS):
        design = _draw_kernel_design(p, budget, rng, sampling, max_enumerated_share)
        if (
            singletons_enumerated(design)
            or undetermined_players(design.masks.astype(np.float64), design.weights) is None
        ):
            return design
    raise ValueError(
        f"n_samples={budget} is too small to tell {p} features apart: {MAX_DESIGN_DRAWS} designs drawn in a "
        "row each left some features' values undetermined. Raise n_samples."
    )


def singletons_enumerated(design):
    """True when every one-player coalition is enumerated (weights fixed): then every value is
    determined whatever the sampled units' weights (the p x p check is skipped)."""
    fixed = design.masks[design.unit < 0]
    single = fixed[fixed.sum(axis=1) == 1]
    return bool(single.any(axis=0).all())


def _enumerated_pairs(p, budget, max_enumerated_share):
    """How many size pairs ``(s, p - s)`` (from the extremes in) are enumerated whole."""
    left = budget - 2
    pairs = _size_pairs(p)
    for i, (s, t) in enumerate(pairs):
        count = _count(p, s) * (1 if s == t else 2)
        # Keep one pair for every size left, so each size stays represented.
        if count > left - 2 * (len(pairs) - i - 1):
            return i
        if budget - 2 - left + count > max_enumerated_share * budget:
            return i
        left -= count
    return len(pairs)


def enumerated_coalitions(p, budget, max_enumerated_share=1.0):
    """``(k, count)``: the design for ``budget`` enumerates its first ``k`` size pairs ``(s, p - s)``
    (from the extremes in) whole, ``count`` coalitions in all (empty and full ones aside)."""
    k = _enumerated_pairs(p, budget, max_enumerated_share)
    return k, sum(_count(p, s) * (1 if s == t else 2) for s, t in _size_pairs(p)[:k])


def sampled_units(p, budget, max_enumerated_share=1.0):
    """Sampled complement pairs (the jackknife's units) of every design drawn for ``budget``."""
    if p < 62 and 2**p <= budget:
        return 0
    pairs = _size_pairs(p)
    k, count = enumerated_coalitions(p, budget, max_enumerated_share)
    left = budget - 2 - count
    available = 0
    for s, _ in pairs[k:]:
        available += _pair_count(p, s)
        if available >= left // 2:  # more pairs than the budget draws: no need to count on
            break
    return min(left // 2, available)


def _draw_kernel_design(p, budget, rng, sampling, max_enumerated_share):
    if 2**p <= budget:
        raise ValueError("budget covers every coalition: compute exact values instead")
    left = budget - 2
    masks, weights, units, strata = [], [], [], []
    pairs = _size_pairs(p)
    enumerated = _enumerated_pairs(p, budget, max_enumerated_share)
    # Whole sizes first, those with the largest weight per coalition (the extremes).
    for s, t in pairs[:enumerated]:
        count = _count(p, s) * (1 if s == t else 2)
        for size in {s, t}:
            combos = np.array(list(itertools.combinations(range(p), size)), dtype=int)
            block = np.zeros((len(combos), p), dtype=bool)
            np.put_along_axis(block, combos, True, axis=1)
            masks.append(block)
            weights.append(np.full(len(block), kernel_mass(p, size) / len(block)))
            units.append(np.full(len(block), -1))
        left -= count
    rest = pairs[enumerated:]
    n_pairs_budget = left // 2
    fpc, sizes_of_stratum = [], []
    if rest and n_pairs_budget > 0:
        counts = [_pair_count(p, s) for s, _ in rest]
        # a stratum never gets more than the budget: capping there allocates the same
        caps = np.array([min(c, n_pairs_budget) for c in counts], dtype=np.int64)
        if sampling == "leverage":
            shares = np.array([1.0 if s == t else 2.0 for s, t in rest])
        elif sampling == "kernel":
            shares = np.array([kernel_mass(p, s) * (1 if s == t else 2) for s, t in rest])
        else:
            raise ValueError(f"sampling={sampling!r} is not supported; use 'leverage' or 'kernel'.")
        n_alloc = _allocate(n_pairs_budget, shares, caps)
        unit_id = 0
        for k, ((s, t), n_s) in enumerate(zip(rest, n_alloc, strict=True)):
            if n_s == 0:
                continue
            if s == t:
                first = _sample_half_pairs(p, s, n_s, rng)
                w = kernel_mass(p, s) / (2 * n_s)
            else:
                first = _sample_subsets(p, s, n_s, rng)
                w = kernel_mass(p, s) / n_s
            block = np.empty((2 * n_s, p), dtype=bool)
            block[0::2] = first
            block[1::2] = ~first
            masks.append(block)
            weights.append(np.full(2 * n_s, w))
            units.append(np.repeat(np.arange(unit_id, unit_id + n_s), 2))
            strata.append(np.full(n_s, len(fpc)))
            fpc.append(1.0 - n_s / counts[k])
            sizes_of_stratum.append(n_s)
            unit_id += n_s
        # Sizes given no sample carry no estimate; shares above keep every size funded when
        # the budget reaches 2 (pairs) per size, which the explainers require.
    if not masks:
        raise ValueError("budget too small to form a single coalition")
    return CoalitionDesign(
        masks=np.vstack(masks),
        weights=np.concatenate(weights),
        unit=np.concatenate(units),
        stratum=np.concatenate(strata) if strata else np.zeros(0, dtype=int),
        stratum_fpc=np.asarray(fpc),
        stratum_size=np.asarray(sizes_of_stratum),
    )


def full_kernel_design(p):
    """Every coalition but the empty and full ones, with exact Shapley-kernel weights.

    The KernelSHAP regression on this design has the Shapley values as its exact solution.
    """
    from skxai._games._background import all_coalitions

    masks = all_coalitions(p)[1:-1]
    sizes = masks.sum(axis=1)
    per_size = np.zeros(p + 1)
    per_size[1:p] = [kernel_mass(p, s) / comb(p, s) for s in range(1, p)]
    return CoalitionDesign(
        masks=masks, weights=per_size[sizes], unit=np.full(len(masks), -1), stratum=np.zeros(0, dtype=int), exact=True
    )
