"""Shapley estimation over any coalition game: enumeration, KernelSHAP regression, permutations.

A *game* here is any callable ``evaluate(masks) -> values`` mapping a boolean coalition matrix
``(m, p)`` to the values ``(n, m, k)`` of those coalitions for ``n`` explained samples and
``k`` outputs: the tabular background game, the image superpixel game, a text token game. The
three estimators return an :class:`Estimate`; the explainers are a game plus one of them.

Standard errors
---------------
``std`` is a standard error *scaled so that* ``phi +/- 1.96 * std`` is a 95% confidence
interval. The raw estimate of the sampling standard deviation has few degrees of freedom when
few sampling units are drawn (a handful of antithetic pairs, a few coalition pairs per subset
size), so it is multiplied by ``t_{0.975, df} / 1.96`` with the units' degrees of freedom
(Student-t; Welch-Satterthwaite over strata for KernelSHAP, groups - 1 for the grouped
jackknife). Further:

- KernelSHAP: stratified jackknife over paired sampling units (the fit is a non-linear
  function of the sampled weights), its bias estimate added in quadrature so that ``std`` is
  a root mean squared error; for linear fits over 128 units and k-additive fits over
  :data:`KADD_JACKKNIFE_MAX` coalitions and terms, the linearisation (sandwich) with finite-population
  corrections and *leave-one-out* residuals (the fit passes close to the coalitions it was
  fitted on, so plain residuals understate the error). Strata holding fewer than
  :data:`MIN_STRATUM_UNITS` units are collapsed into a neighbour.
- Permutation sampling: antithetic pairs are the units. A pair's mean takes few distinct values
  on many games, so a few pairs can agree exactly while the estimate is off; the per-unit
  variance is floored at the variance of single permutations times the variance reduction the
  pairs achieve on the players of the same row (the mean of their ratios), divided by the
  number of pairs (a guard for few pairs that fades as pairs accumulate). A player whose
  contribution never varied on the drawn permutations while others of its row did borrows their
  mean single variance (unseen permutations may differ); when no player's pairs show any
  spread (a game of order 2, which pairs recover exactly, or pairs agreeing by chance: the
  sample cannot tell) no variance reduction is assumed. A varying player whose pairs all agree
  (a pair mean of few values, one of them drawn every time: the Wald interval at 0 successes)
  gets, as in Agresti and Coull's interval, :data:`PSEUDO_PAIRS` (``z^2``) pseudo-pairs of that
  prior spread among ``pairs - 1 + z^2``, not the prior over the pairs. The floor is zero only
  when no player's contribution varies (an additive row: the estimate is exact). Pairs are drawn distinct
  while there are enough of them, and with an odd count the last permutation's own variance
  enters the error. From 3 pairs on, a row whose pairs' means are skewed away from zero (the
  mean over its players of their standardised third moments, signed towards each value) has
  its t interval widened by Hall's (1992) transformation of the studentized mean, by at most
  :data:`SKEW_INFLATION_MAX` (multiplicative games: 5 pairs that miss the tail give a value
  too small and a small spread).

The calibration is measured in ``benchmarks/bench_calibration.py`` against exact values.
"""

from __future__ import annotations

import functools
import hashlib
import math
import threading
from collections import OrderedDict
from dataclasses import dataclass, field, replace

import numpy as np
import scipy.linalg
from scipy import stats
from scipy.special import comb, gammaln
from sklearn.exceptions import ConvergenceWarning

from skxai._designs import enumerated_coalitions, kernel_design, sampled_units, singletons_enumerated
from skxai._games._background import all_coalitions
from skxai._kadd import (
    PRIMAL_MAX_PLAYERS,
    KaddReplicateFits,
    antisymmetric_values,
    kadd_penalties,
    n_interaction_terms,
    primal_is_cheaper,
)
from skxai._wls import efficiency_constrained_wls, power_of_two_scale, undetermined_players
from skxai.utils._parallel import one_blas_thread
from skxai.utils._random import seed_from
from skxai.utils._warnings import warn_at_caller

#: Two-sided 95% normal quantile: ``phi +/- Z95 * std`` is the reported 95% interval.
Z95 = float(stats.norm.ppf(0.975))

#: Most bytes the k-additive solve may hold at once (its m x m kernel system).
SOLVE_MAX_BYTES = 512 * 2**20


@dataclass
class Estimate:
    """Player values ``phi (n, p, k)``, base values ``(n, k)``, ``std`` (or None), extras."""

    phi: np.ndarray
    base: np.ndarray
    std: np.ndarray | None
    extras: dict = field(default_factory=dict)


def t_inflation(df):
    """``t_{0.975, df} / 1.96``: turns a standard error with ``df`` degrees of freedom into one
    whose +/- 1.96 interval covers 95% (infinite below one degree of freedom)."""
    df = np.asarray(df, dtype=np.float64)
    out = np.full(df.shape, np.inf)
    ok = df >= 1
    out[ok] = stats.t.ppf(0.975, df[ok]) / Z95
    return out


#: Units in the last place of a row's largest change of coalition value (times the players for a
#: least-squares fit) in the least standard error an estimate reports (see :func:`rounding_floor`).
ROUNDING_ULPS = 16


def rounding_floor(std, values, base, growth=1, output_eps=None, ends=()):
    """``std (n, p, k)`` raised to the rounding error of the values it is the error of.

    Where the samples recover a game exactly (an additive game, a game of order 2 under
    antithetic pairs, every coalition enumerated), the replicates agree to rounding and the
    spread they show is 0 or a few units in the last place, while the values still differ from
    any exact reference by rounding. An interval of width 0 then held the exact values of an
    additive game 0.26-0.82 of the time (benchmarks/results/calibration.md, session 27).

    Two roundings, from ``values (n, ..., k)``, any further coalition values ``ends`` (each
    ``(n, k)``: KernelSHAP's full coalition) and the empty coalition's ``base (n, k)``:

    - the estimator's arithmetic on the changes ``v(S) - v(empty)``: ``ROUNDING_ULPS *
      growth`` ulps of the largest change (``growth``: the players for a least-squares fit,
      whose rounding grows with them, up to 200 ulps measured on 40 players near the smallest
      budget; 1 for a mean of contributions or an enumeration, about one ulp measured);
    - the model's own outputs, one ulp of the largest value at their precision (``output_eps``
      where coarser than float64's: float32 networks): an output of 1e12 is known to 1e-4,
      and the same row's output can differ by that with the batch it came in.

    With float64 outputs near their changes the floor is 1e-14 to 1e-12 of the largest change:
    no sampling error is that small. (A first version counted 16 ulps of the largest value
    times the players: on outputs of 1e12 + x w it reported 600 times the actual error and
    ``tol=1e-3`` could no longer stop a run.)
    """
    eps = float(np.finfo(np.float64).eps)
    change, level, precision = _change_and_level(values, base, ends, output_eps)
    floor = ROUNDING_ULPS * max(growth, 1) * eps * change + precision * level
    return np.maximum(std, floor[:, None, :])


def _change_and_level(values, base, ends, output_eps):
    """The largest change ``|v(S) - v(empty)|`` and the largest ``|v(S)|`` of each row and
    output ``(n, k)`` (:func:`rounding_floor`), and the outputs' precision."""
    eps = float(np.finfo(np.float64).eps)
    precision = eps if output_eps is None else max(float(output_eps), eps)
    values = np.asarray(values)
    flat = values.reshape(values.shape[0], -1, values.shape[-1])
    base = np.asarray(base)
    change = np.abs(flat - base[:, None, :]).max(axis=1, initial=0.0)
    level = np.maximum(np.abs(flat).max(axis=1, initial=0.0), np.abs(base))
    for end in ends:
        change = np.maximum(change, np.abs(end - base))
        level = np.maximum(level, np.abs(end))
    return change, level, precision


def nothing_changed(values, base, output_eps=None, ends=()):
    """``(n, k)``: the rows and outputs whose sampled coalition values ``values`` (and ``ends``)
    all equal the empty coalition's ``base`` to the outputs' rounding.

    Such a row's values read 0 whatever the game does on the coalitions not sampled, and no
    spread is seen to estimate the error from: its ``std`` is inf (unknown). A row of a
    1-nearest-neighbour classifier explained against one background row (outputs 0 or 1) came
    back 0 +/- 0 from 4 permutations or 30 coalitions while its exact values reached +/-0.3, and
    ``tol`` stopped there (1.96 * 0 <= tol * 0; an outside audit, session 37). A game that is
    constant on every coalition (a row no feature moves) reads the same: its zeros are exact,
    but the sample cannot tell. Only sampled designs ask: an enumeration's values are exact.
    """
    change, level, precision = _change_and_level(values, base, ends, output_eps)
    return change <= precision * level


def _kernel_nothing_changed(design, v0, v1, values, output_eps=None):
    """:func:`nothing_changed` of a KernelSHAP fit: on the values of the game's antisymmetric
    part for a paired design, the only part the paired fit sees (a row whose every pair's
    coalitions took one value, a 0/1 output flipped by both or neither, reads 0 +/- 0)."""
    anti = antisymmetric_values(design.masks, v0, v1, values)
    return nothing_changed(values if anti is None else anti, v0, output_eps, ends=(v1,))


# --------------------------------------------------------------------------- exact
def shapley_weights(n_players):
    """``w[s] = s! (n - s - 1)! / n!`` for s = 0 .. n-1: the weight of a coalition of size s."""
    s = np.arange(n_players)
    return np.exp(gammaln(s + 1) + gammaln(n_players - s) - gammaln(n_players + 1))


def exact_shapley_from_values(masks, values):
    """Shapley values from the values of *all* coalitions.

    Parameters
    ----------
    masks : bool ndarray of shape (2**p, p)
        Every coalition exactly once, in any order.
    values : ndarray of shape (..., 2**p, k)
        Their values (leading axes: samples).

    Returns
    -------
    phi : ndarray of shape (..., p, k)
    """
    masks = np.asarray(masks, dtype=bool)
    m, p = masks.shape
    if m != 2**p:
        raise ValueError(f"Need all 2**{p} = {2**p} coalitions, got {m}.")
    w = shapley_weights(p)
    values = np.asarray(values)
    # Values taken relative to the empty coalition's: each player's coefficients sum to 0 only
    # in exact arithmetic, so a level left in the values came back as eps * |level| noise (a
    # constant game of 5e9 got values of 2.4e-7, an offset of 1e12 errors of 2.7e-4).
    empty = int(np.flatnonzero(~masks.any(axis=1))[0])
    ref = values[..., empty : empty + 1, :]
    # The coefficient matrix (float64, m x p) is built for blocks of coalitions: whole it was 8
    # times the masks (6.7 GB for 25 players). Up to 16 players one block holds every coalition.
    step = max(1, (1 << 20) // max(p, 1))
    phi = None
    for start in range(0, m, step):
        block = masks[start : start + step]
        sizes = block.sum(axis=1)
        # Coalition S enters phi_j with +w(|S|-1) when j in S and -w(|S|) otherwise.
        plus = w[np.clip(sizes - 1, 0, p - 1)][:, None]
        minus = np.where(sizes < p, w[np.clip(sizes, 0, p - 1)], 0.0)[:, None]
        coef = np.where(block, plus, -minus)
        part = np.einsum("...mk,mp->...pk", values[..., start : start + step, :] - ref, coef)
        phi = part if phi is None else phi + part
    return phi


def exact_estimate(evaluate, p, output_eps=None):
    """Exact Shapley values from all ``2**p`` coalitions (one call to ``evaluate``); ``std`` is
    the rounding floor (:func:`rounding_floor`)."""
    masks = all_coalitions(p)
    values = evaluate(masks)
    phi = exact_shapley_from_values(masks, values)
    # exact over the coalitions: its error is its arithmetic's rounding alone
    empty = int(np.flatnonzero(~masks.any(axis=1))[0])
    std = rounding_floor(np.zeros_like(phi), values, values[:, empty], output_eps=output_eps)
    return Estimate(phi, values[:, 0, :], std, {"exact": True, "n_evaluations": 2**p})


class CachedGame:
    """Evaluates coalitions once, whatever the number of designs that ask for them."""

    def __init__(self, evaluate):
        self.evaluate = evaluate
        self.cache = {}
        self.n_evaluated = 0

    def n_new(self, masks):
        """Number of distinct coalitions of ``masks`` not evaluated yet."""
        keys = {m.tobytes() for m in np.packbits(masks, axis=1)}
        return len(keys - self.cache.keys())

    def __call__(self, masks):
        keys = [m.tobytes() for m in np.packbits(masks, axis=1)]
        missing = list(dict.fromkeys(k for k in keys if k not in self.cache))
        if missing:
            first = {}
            for i, key in enumerate(keys):
                first.setdefault(key, i)
            vals = self.evaluate(masks[[first[k] for k in missing]])
            self.n_evaluated += len(missing)
            for j, key in enumerate(missing):
                self.cache[key] = vals[:, j, :]
            if len(missing) == len(keys):  # all new and distinct: already in order
                return vals
        return np.stack([self.cache[k] for k in keys], axis=1)


# --------------------------------------------------------------------------- kernel
def kadd_bytes(m, p=0):
    """Peak bytes of the k-additive kernel solve on ``m`` coalitions of ``p`` players (float64
    system + overlap counts, :func:`_overlaps`)."""
    return (8 + _overlap_dtype(p).itemsize) * int(m) ** 2


def _overlap_dtype(p):
    """The smallest unsigned integers that count up to ``p`` shared players: uint8 wrapped
    past 255 (a kernel that is no kernel: 300 players at order 3 failed with "301-th leading
    minor ... is not positive definite")."""
    return np.dtype(
        np.uint8 if p <= np.iinfo(np.uint8).max else np.uint16 if p <= np.iinfo(np.uint16).max else np.uint32
    )


#: "auto" fits interactions up to an order only when its terms number at most this share of the
#: coalitions (at least 1.7 coalitions per term), or, for order 3 on small designs, up to
#: :data:`AUTO_ORDER3_SHARE` of them. Beyond this share order 3 is 1.2-2x more accurate on most
#: games but its intervals over-cover (0.97-1.00; benchmarks/probe_terms_rule.py; the cells this
#: rule was first set on, 0.36-0.90, had too few sampled pairs, :data:`KADD_MIN_UNITS`, or
#: predate the jackknife errors).
AUTO_TERMS_SHARE = 0.6

#: Order 3 is also taken up to this many terms per coalition, on players whose order-3 terms
#: meet :data:`AUTO_TERMS_SHARE` by :data:`AUTO_ORDER3_MAX_COALITIONS` coalitions (up to 15),
#: where the design samples more than :data:`KADD_MIN_UNITS` pairs (so its errors are
#: estimated). Measured from 1.17 to 1.79 terms per coalition (10-13 features, 100-256
#: coalitions): 1.2-2.7x more accurate than the linear fit on every calibration game but the
#: order-2 one, which both fit exactly since the k-additive fit sees the antisymmetric part
#: only; its intervals over-cover there (0.97-1.00).
AUTO_ORDER3_SHARE = 1.8

#: See :data:`AUTO_ORDER3_SHARE`: the stretch was measured on 100-400 coalitions; on 16 players
#: or more it would reach designs of over 1,000 coalitions, where nothing was measured.
AUTO_ORDER3_MAX_COALITIONS = 1024


#: A k-additive fit's errors are reported only when its design samples more than this many
#: coalition pairs. With fewer, most coalitions are enumerated by whole sizes and the fit's error
#: comes from the few sizes sampled, which the jackknife of a handful of pairs does not see:
#: coverage 0.10-0.86 with 3 pairs, 0.70-0.99 with 23, 0.77-0.98 with 20 ("auto" on 9 features
#: at 300), 0.76-1.00 with 7 (8 features at 200); 0.95-1.00 from 43 pairs on
#: (benchmarks/probe_kadd_units.py). The values are kept (there "auto"'s order-3 fit is 2-6
#: times more accurate than the linear one on a saturating classifier, and over 18 times on an
#: interaction-heavy game), their ``std`` is inf.
KADD_MIN_UNITS = 32


#: An interaction fit's design enumerates whole sizes beyond the single players only while it
#: still samples at least this many coalitions per interaction term of the top order.
#: Enumerating sizes 1 and 2 (and their complements) pins the fit's main effects and pairs at
#: the extremes; the sampled middle sizes must then set the top-order terms alone, and with fewer
#: sampled coalitions than about 1.5 per term their ridge leaves a bias the same in every draw,
#: which no jackknife over the sampled pairs sees: order 3 covered 0.42-0.84 just past the budget
#: that first enumerates size 2 (12 features at 400, 13 at 460-500, 14 at 530, 15 at 600-700; 0.24-0.87
#: with max_order=3 on 16 at 700-1,000), 0.93-0.95 at 1.34 coalitions per term, 0.997-1.00
#: from 1.55 on (benchmarks/probe_order3_enumerated.py).
KADD_SAMPLED_PER_TOP_TERM = 1.5


#: A k-additive fit whose design enumerates whole sizes beyond the single players and samples
#: fewer coalitions than this per top-order term has its errors bounded through the linear fit
#: (:func:`_ridge_bias_unseen`); this many when it samples a single pair of sizes (the middle).
KADD_BIAS_MIN_PER_TERM = 1.2
KADD_BIAS_MIN_PER_TERM_ONE_SIZE = 0.6


def _ridge_bias_unseen(design, order):
    """Whether a k-additive fit's jackknife misses its ridge's bias: its design enumerates whole
    sizes beyond the single players and samples fewer than :data:`KADD_BIAS_MIN_PER_TERM`
    coalitions per interaction term of the top order, and its errors are estimated (more than
    :data:`KADD_MIN_UNITS` sampled pairs).

    :func:`enumerated_share` keeps 1.5 a term for budgets under ``2^p / 4``; past it the design
    enumerates every size it can, and the sizes left can hold few. The ridge then leaves a bias
    that is the same in every draw: an outside audit (session 25) found order 5 on 12 features
    at 3,300 coalitions (sizes 0-5 and 7-12 enumerated, 0.16 sampled coalitions a term) with a
    bias four times the spread over draws (1.96 std held 0.60-0.71 of the exact values). Where
    several sizes are sampled, order 3 held 0.75-0.93 at 0.36-1.05 a term on a k-NN classifier of
    12 features, 0.68 and 0.89 at 0.40 and 0.46 on a forest of 11, 0.70-0.87 at 0.81-1.05 on 9
    features and 0.82-0.90 at 0.60-0.98 on 10 (a second audit); from 1.23 a term on every cell
    measured held 0.95-0.99 (the calibration games on 10 features at 500 and 700, 9 features at
    200). Where only the middle size is sampled the bias weighs less: order 3 held 0.95 at 0.58 a
    term (12 features at 3,300) and at 0.65 (10 features at 850), order 5 0.96 at 0.67 (3,700),
    but 0.87-0.90 at 0.46-0.49 (11 and 13 features, a third audit) and 0.90 at 0.31: the bound is
    kept there for fewer than 0.6 a term. Above the floors, cells held 0.90-0.99 (0.90-0.95 where
    only the middle size is sampled; 0.91 for order 5 at 1.21 a term over three sizes on 14
    features). Where the bound applies it is conservative: the linear fit's error is its width,
    up to a hundred times the k-additive fit's (benchmarks/probe_kadd_large_budgets.py)."""
    Z, unit = design.masks, design.unit
    p = Z.shape[1]
    if order == 1 or not (unit >= 0).any():
        return False
    if kadd_errors_unknown(order, int(unit.max()) + 1):
        return False  # its std is inf anyway
    sizes = Z[unit < 0].sum(axis=1)
    if not ((sizes >= 2) & (sizes <= p - 2)).any():
        return False  # single players at most: the stretch of "auto", measured to over-cover
    sampled = Z[unit >= 0].sum(axis=1)
    one_size = len(np.unique(np.minimum(sampled, p - sampled))) == 1
    floor = KADD_BIAS_MIN_PER_TERM_ONE_SIZE if one_size else KADD_BIAS_MIN_PER_TERM
    return len(sampled) < floor * comb(p, order, exact=True)


#: Most of the budget a linear fit's design enumerates by whole sizes past the single players.
#: Enumerating sizes 2 and 3 while one sampled pair was left for each other size took the middle
#: sizes' kernel mass from a handful of pairs: the error rose with the budget (13 features,
#: 190 -> 200 coalitions: 2.4 times larger; 12 features at 610 coalitions 0.0075 against 0.0021,
#: at 1,600 0.0112 against 0.0021; 30 features past 932; coverage 0.92-0.97,
#: benchmarks/probe_linear_share.py).
LINEAR_ENUMERATED_SHARE = 0.5


def enumerated_share(order, p, budget):
    """Largest share of the budget the design enumerates by whole sizes.

    A linear fit enumerates the one-player coalitions whenever they fit (with one sampled pair
    left for every other size) and larger sizes only within :data:`LINEAR_ENUMERATED_SHARE` of
    the budget, at any budget. Interaction fits learn more from coalitions spread over every
    size, as long as the budget is a small part of all coalitions: at most 0.4 of it is
    enumerated, and sizes past the single players only while the rest samples
    :data:`KADD_SAMPLED_PER_TOP_TERM` coalitions per top-order term; from a quarter of all
    coalitions on, every size that fits."""
    if order == 1:
        # half a coalition above the single players' 2 p: they are never held back by the cap
        # (a budget beyond a float's range, 2**p of thousands of players, leaves them no share)
        return max(LINEAR_ENUMERATED_SHARE, (2 * p + 0.5) / budget) if budget < 2**62 else LINEAR_ENUMERATED_SHARE
    if budget >= 2 ** min(p, 62) / 4:
        return 1.0
    share = 0.4
    k, count = enumerated_coalitions(p, budget, share)
    top_terms = comb(p, order, exact=True)
    while k > 1 and budget - 2 - count < KADD_SAMPLED_PER_TOP_TERM * top_terms:
        # half a coalition below the present count: the last size pair enumerated drops out
        share = (count - 0.5) / budget
        k, count = enumerated_coalitions(p, budget, share)
    return share


def kadd_errors_unknown(order, n_units):
    """Whether a k-additive fit's errors cannot be estimated: at most :data:`KADD_MIN_UNITS`
    sampled pairs (the explainers warn at ``fit``). Fits with more terms than coalitions are not
    singled out: from 64 sampled pairs on they covered 0.95-1.00 (benchmarks/probe_kadd_units.py)."""
    return order > 1 and n_units <= KADD_MIN_UNITS


def kadd_unknown_errors_message(max_order, p, budget, players="features"):
    """The warning an explainer gives before a k-additive fit whose errors will be unknown
    (:func:`kadd_errors_unknown`), or None when the fit's errors will be estimated.

    One text for every KernelSHAP explainer (tabular at ``fit``, images once their regions are
    counted), so they name the same alternatives."""
    order = kernel_order(max_order, p, budget)
    if order == 1 or (p < 62 and budget >= 2**p):
        return None
    units = sampled_units(p, budget, enumerated_share(order, p, budget))
    if not kadd_errors_unknown(order, units):
        return None
    fit = f"max_order={max_order!r}" + (f" (order {order} here)" if max_order == "auto" else "")
    return (
        f"{fit} with n_samples={budget} samples only {units} coalition pairs of {p} {players} (the "
        f"other coalitions are whole sizes): too few to see the error of a fit with interactions, "
        f"so its values are kept and std is reported as inf (unknown). Use max_order=1 for error "
        f"bars, or n_samples={2**p} (every coalition: exact values)."
    )


def kadd_many_terms_message(max_order, p, budget, players="features"):
    """The warning before an explicit k-additive fit with more interaction terms per coalition
    than "auto" ever takes (:data:`AUTO_ORDER3_SHARE`), whose errors were measured too small: an
    outside audit found order 3 on 13 features (377 terms) covering 0.85 at 100 coalitions, 0.89
    at 120 and 0.91 at 130, 0.93 from 150 (a random forest on wine). None otherwise."""
    if max_order == "auto" or (p < 62 and budget >= 2**p):
        return None
    order = kernel_order(max_order, p, budget)
    m = max(0, int(budget) - 2)
    terms = n_interaction_terms(p, order)
    if order == 1 or terms <= AUTO_ORDER3_SHARE * m:
        return None
    if kadd_errors_unknown(order, sampled_units(p, budget, enumerated_share(order, p, budget))):
        return None  # kadd_unknown_errors_message says more
    enough = int(np.ceil(terms / AUTO_ORDER3_SHARE)) + 2
    if kadd_bytes(enough - 2, p) <= SOLVE_MAX_BYTES:
        advice = f"Use max_order='auto', or n_samples >= {enough}."
    else:
        # the budget that would do is refused at fit (its kernel system is past the bound)
        advice = (
            f"Use max_order='auto' (or 1), or fewer {players} (feature_groups): the n_samples it "
            f"would take, {enough}, needs a kernel system past the memory bound."
        )
    return (
        f"max_order={max_order} fits {terms} interaction terms of {p} {players} to {m} coalitions "
        f"({terms / m:.2f} a coalition, more than the {AUTO_ORDER3_SHARE} that max_order='auto' "
        f"allows): its standard errors can be too small there, the more so the more terms a coalition "
        f"(intervals of 1.96 std held 0.85-0.91 of the exact values for order 3 at 2.9-3.8 terms a "
        f"coalition, 0.71 on the features a model used at 4.8). {advice}"
    )


def kadd_sandwich_message(max_order, p, budget, players="features"):
    """The warning before an explicit k-additive fit whose errors come from the leave-one-out
    sandwich (past :data:`KADD_JACKKNIFE_MAX` coalitions and terms, or on more than 20 players):
    it covered 0.38-0.92 for orders 3 and 5 on 12 features, 0.70 for order 5 on 14 (a smooth
    game at 6,000 coalitions). "auto" takes an order the jackknife refits. None otherwise."""
    if max_order == "auto" or (p < 62 and budget >= 2**p):
        return None
    order = kernel_order(max_order, p, budget)
    m = max(0, int(budget) - 2)
    if order == 1 or _use_jackknife(order, m, 0, p):
        return None
    if kadd_errors_unknown(order, sampled_units(p, budget, enumerated_share(order, p, budget))):
        return None  # kadd_unknown_errors_message says more
    return (
        f"max_order={max_order} fits {n_interaction_terms(p, order)} interaction terms of {p} {players} "
        f"to {m} coalitions: past {KADD_JACKKNIFE_MAX} coalitions and terms its standard errors come "
        f"from a linearisation, which held 0.38-0.92 of the exact values where measured (intervals of "
        f"1.96 std). Use max_order='auto' (it takes an order whose errors are refitted), or fewer "
        f"n_samples."
    )


def linear_unknown_errors_message(max_order, p, budget, players="features"):
    """The warning an explainer gives before a linear KernelSHAP fit whose every error will be
    unknown (inf): its design samples a single coalition pair (the budget enumerates whole sizes
    and keeps one pair for the size left), from which no spread can be estimated. None otherwise.

    On 5 features ``n_samples=14`` is such a budget (the sizes 1 and 4 whole, one pair drawn):
    the message names the nearest smaller budget that samples at least
    :data:`MIN_STRATUM_UNITS` pairs, where there is one."""
    if (p < 62 and budget >= 2**p) or kernel_order(max_order, p, budget) != 1:
        return None
    if sampled_units(p, budget, enumerated_share(1, p, budget)) > 1:
        return None
    lower = next(
        (
            b
            for b in range(budget - 1, 2 * p + 1, -1)
            # (and enumerates the one-player coalitions: linear_unproven_zero_errors_message)
            if sampled_units(p, b, enumerated_share(1, p, b)) >= MIN_STRATUM_UNITS
            and enumerated_coalitions(p, b)[0] > 0
        ),
        None,
    )
    other = f"n_samples={lower} (more coalition pairs sampled), or " if lower is not None else ""
    return (
        f"n_samples={budget} samples a single coalition pair of {p} {players} (the other coalitions "
        f"are whole sizes): no error can be estimated from it, so std is reported as inf (unknown) "
        f"for every value. Use {other}n_samples={2**p} (every coalition: exact values) for error bars."
    )


def _enough_pairs_budget(p, budget):
    """The smallest budget above ``budget`` whose linear design enumerates the one-player
    coalitions and samples at least :data:`TOL_MIN_UNITS` pairs (None past ``8 p``)."""
    return next(
        (
            b
            for b in range(budget + 1, 8 * p + 3)
            if enumerated_coalitions(p, b)[0] > 0 and sampled_units(p, b, enumerated_share(1, p, b)) >= TOL_MIN_UNITS
        ),
        None,
    )


def _enough_pairs_advice(p, budget, what):
    """``"n_samples=B <what>."`` for the budget :func:`_enough_pairs_budget` names, or the whole
    game's budget where that one is not below it."""
    enough = _enough_pairs_budget(p, budget)
    if enough is None or (p < 62 and enough >= 2**p):
        return f"n_samples={2**p} evaluates every coalition (exact values)."
    return f"n_samples={enough} {what}."


def linear_few_pairs_message(max_order, p, budget, players="features"):
    """The warning before a linear KernelSHAP fit that enumerates the one-player coalitions and
    samples fewer than :data:`TOL_MIN_UNITS` pairs beside them (budgets from about ``3 p`` to
    ``4 p``): errors estimated from so few pairs are unstable. None otherwise."""
    # (from half the coalitions on, the sampled strata are mostly enumerated: their finite
    # population keeps the errors small)
    if (p < 62 and 2 * budget >= 2**p) or kernel_order(max_order, p, budget) != 1:
        return None
    units = sampled_units(p, budget, enumerated_share(1, p, budget))
    if enumerated_coalitions(p, budget)[0] == 0 or units <= 1 or units >= TOL_MIN_UNITS:
        return None
    advice = _enough_pairs_advice(p, budget, f"samples {TOL_MIN_UNITS}")
    return (
        f"n_samples={budget} samples {units} coalition pairs of {p} {players} beside the "
        f"one-player coalitions: errors estimated from so few pairs are unstable (at 3 p "
        f"coalitions intervals of 1.96 std held 0.89-0.99 of the exact values on 7-16 features, "
        f"single errors reaching 15-170 times their std). {advice}"
    )


def single_pair_permutations_message(n_permutations, p, players="features", setting=None, advice=None):
    """The warning before permutation sampling that walks a single antithetic pair
    (``n_permutations`` 2 or 3) of ``p >= 3`` players, or one permutation of ``p >= 2``: its
    errors are unknown (std inf). None
    otherwise (on 2 players a pair is every order: the values are exact). ``setting`` and
    ``advice`` name the caller's parameter (default: ``n_permutations``)."""
    if n_permutations not in (1, 2, 3) or p < (2 if n_permutations == 1 else 3):
        # (one permutation of 2 players is one of their 2 orders: not exact, and no spread)
        return None
    setting = setting or f"n_permutations={n_permutations}"
    advice = advice or "n_permutations >= 4"
    walk = "one permutation" if n_permutations == 1 else "a single antithetic pair of permutations"
    return (
        f"{setting} walks {walk} of {p} {players}: no error can "
        "be estimated from one sampling unit, so std is reported as inf (unknown) wherever a "
        f"contribution varies. Use {advice} for error bars."
    )


def linear_unproven_zero_errors_message(max_order, p, budget, players="features"):
    """The warning before a linear KernelSHAP fit whose design samples the single players'
    coalitions instead of enumerating them (budgets from ``2 p + 2`` to about ``3 p``): there a
    value whose replicates all agree reports an unknown error (std inf), since the few sampled
    pairs cannot tell an exact fit from one that only interpolates them
    (:func:`_zero_spread_unproven`). None otherwise, or when a single pair is sampled
    (:func:`linear_unknown_errors_message` then says more)."""
    if (p < 62 and budget >= 2**p) or kernel_order(max_order, p, budget) != 1:
        return None
    if enumerated_coalitions(p, budget)[0] > 0 or sampled_units(p, budget, enumerated_share(1, p, budget)) <= 1:
        return None
    # the next budget that enumerates them and samples enough pairs to estimate errors from
    advice = _enough_pairs_advice(p, budget, f"enumerates them and samples {TOL_MIN_UNITS} pairs beside them")
    return (
        f"n_samples={budget} samples the one-player coalitions of {p} {players} instead of "
        f"enumerating them: a value whose replicates all agree then has std inf (its error is "
        f"unknown: so few sampled pairs cannot tell an exact fit from one that only interpolates "
        f"them). {advice}"
    )


def kernel_order(max_order, p, budget, max_bytes=SOLVE_MAX_BYTES):
    """The order of the KernelSHAP fit: ``max_order`` checked against memory, or the "auto" rule.

    "auto" takes the highest odd order 5 or 3 whose interaction terms number at most
    :data:`AUTO_TERMS_SHARE` of the coalitions *and* whose m x m kernel system fits
    ``max_bytes``; else order 3 on small designs up to :data:`AUTO_ORDER3_SHARE` terms per
    coalition when its errors can be estimated (more than :data:`KADD_MIN_UNITS` sampled pairs);
    else 1. An explicit order whose system does not fit is refused.
    """
    m = max(0, int(budget) - 2)
    if max_order == "auto":
        fits = kadd_bytes(m, p) <= max_bytes
        for order in (5, 3):
            # only an order whose errors the jackknife estimates: the sandwich it would get past
            # 2,560 coalitions and terms covered 0.70 (order 5 on 14 features at 6,000
            # coalitions, a smooth game; order 3 there held 0.96-0.97 by the jackknife)
            if (
                order < p
                and n_interaction_terms(p, order) <= AUTO_TERMS_SHARE * m
                and fits
                and _use_jackknife(order, m, 0, p)
            ):
                return order
        terms = n_interaction_terms(p, 3)
        # only where the stretch keeps errors known: on 9 players, 128-157 coalitions enumerate
        # whole sizes up to 18 sampled pairs, and the linear fit is taken there again
        if (
            3 < p
            and fits
            and terms <= AUTO_TERMS_SHARE * AUTO_ORDER3_MAX_COALITIONS
            and terms <= AUTO_ORDER3_SHARE * m
            and not kadd_errors_unknown(3, sampled_units(p, budget, enumerated_share(3, p, budget)))
        ):
            return 3
        return 1
    order = min(int(max_order), p)
    if order > 1 and kadd_bytes(m, p) > max_bytes:
        m_max = int(np.sqrt(max_bytes / kadd_bytes(1, p)))
        raise ValueError(
            f"max_order={max_order} with n_samples={budget} needs a {m} x {m} kernel system "
            f"({kadd_bytes(m, p) / 2**30:.1f} GiB, over the {max_bytes / 2**30:.2f} GiB limit): use "
            f"max_order=1 or 'auto' (they bound memory), or n_samples <= {m_max + 2}."
        )
    return order


#: The fewest sampled coalition pairs whose errors may stop a ``tol`` run before its budget (with
#: the one-player coalitions enumerated: sampled, their errors reach z = 50-80 too): at
#: ``3 p`` coalitions (the one-player coalitions enumerated, 4-7 pairs sampled) 1.96 std held
#: 0.90-0.94 of the exact values, with single errors 15-170 times their std, and ``tol`` stopped
#: its first step of 30 (of 120 on 10 features) on values 0.28 of the row's largest off (an
#: outside audit, session 24); from 8-9 pairs (``4 p``) they held 0.94-0.98.
TOL_MIN_UNITS = 8


def _errors_stop_tol(design):
    """Whether the errors of ``design`` may stop a ``tol`` run before its budget: every
    coalition enumerated, or the one-player coalitions enumerated and at least
    :data:`TOL_MIN_UNITS` pairs sampled (below, single errors run 15-170 times their std)."""
    if design.exact:
        return True
    sizes = design.masks.sum(axis=1)
    singles = (sizes == 1) | (sizes == design.masks.shape[1] - 1)
    enumerated_singles = bool(singles.any()) and bool((design.unit[singles] < 0).all())
    return enumerated_singles and len(design.stratum) >= TOL_MIN_UNITS


#: Strata with fewer sampling units are merged with a neighbour (collapsed strata): a variance
#: estimated from 2 or 3 units per stratum is too unstable (coverage 0.87 at budget 40 on 10
#: players with 2, 0.91-0.93 with 4; benchmarks/results/calibration.md).
MIN_STRATUM_UNITS = 4


def _collapsed_strata(design, min_units=MIN_STRATUM_UNITS):
    """Stratum of each sampled unit, strata of fewer than ``min_units`` merged with neighbours.

    Returns the new stratum id per unit, and per new stratum its unit count and fpc.
    """
    sizes = np.asarray(design.stratum_size, dtype=int)
    fpc = np.asarray(design.stratum_fpc, dtype=np.float64)
    # A stratum opens a new group only when it and the group before both reach min_units, so
    # every group but a lone one reaches it: no small group is left at the end to merge.
    target = np.zeros(len(sizes), dtype=int)
    group_units = 0
    for s, n_s in enumerate(sizes):
        if s and n_s >= min_units and group_units >= min_units:
            target[s], group_units = target[s - 1] + 1, n_s
        else:
            target[s], group_units = (target[s - 1] if s else 0), group_units + n_s
    count = np.bincount(target, weights=sizes)
    new_fpc = np.bincount(target, weights=sizes * fpc) / np.maximum(count, 1)
    return target[design.stratum], count.astype(int), new_fpc


#: Most per-unit products (floats) :func:`_stratified_variance` forms at once (columns of
#: residuals in blocks).
VARIANCE_BLOCK_FLOATS = 4_000_000


def variance_working_bytes(n_units, p, columns=None):
    """Bytes :func:`_stratified_variance` holds at once on ``n_units`` units of ``p`` players:
    a block of per-unit products, their sorted copy and their sums (6 float64 copies), at least
    one column's, at most ``columns`` (rows times outputs) when given."""
    block = max(VARIANCE_BLOCK_FLOATS, int(n_units) * int(p))
    if columns is not None:
        block = min(block, int(n_units) * int(p) * max(int(columns), 1))
    return 8 * 6 * block


def _stratified_variance(design, C, resid):
    """Variance and Welch-Satterthwaite degrees of freedom of ``sum_i C_i resid_i``.

    ``C (m_sampled, p)`` is each sampled coalition's influence per unit residual and
    ``resid (m_sampled, r)`` its (leave-one-out) residual; paired coalitions form one sampling
    unit, units are drawn without replacement within strata.
    """
    p, r = C.shape[1], resid.shape[1]
    var = np.zeros((p, r))
    df_den = np.zeros((p, r))
    unit = design.unit[design.unit >= 0]
    n_units = unit.max() + 1
    stratum, count, fpc = _collapsed_strata(design)
    step = max(1, VARIANCE_BLOCK_FLOATS // max(1, n_units * p))
    by_unit = np.argsort(unit, kind="stable")
    sorted_unit = unit[by_unit]
    for c0 in range(0, r, step):
        c1 = min(r, c0 + step)
        # Per-unit sums (np.add.at's sums, in the same order, by a stable sort and reduceat).
        H = np.zeros((n_units, c1 - c0, p))
        starts = np.flatnonzero(np.r_[True, sorted_unit[1:] != sorted_unit[:-1]])
        H[sorted_unit[starts]] = np.add.reduceat((resid[:, c0:c1, None] * C[:, None, :])[by_unit], starts, axis=0)
        for s, (n_s, f) in enumerate(zip(count, fpc, strict=True)):
            if n_s < 2:
                continue
            Hs = H[stratum == s]
            dev = Hs - Hs.mean(axis=0)
            v_s = (f * n_s / (n_s - 1) * (dev**2).sum(axis=0)).T
            var[:, c0:c1] += v_s
            df_den[:, c0:c1] += v_s**2 / (n_s - 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        df = np.where(df_den > 0, var**2 / df_den, np.inf)
    return var, df


#: Most replicate fits of the jackknife (groups of sampling units deleted in turn).
JACKKNIFE_GROUPS = 32

#: The jackknife's replicate estimates (groups x players x columns, float64, with their
#: temporaries: 4 copies) are computed in chunks of columns within these bytes.
JACKKNIFE_CHUNK_BYTES = 64_000_000


def _jackknife(design, solve, max_groups=JACKKNIFE_GROUPS, theta=None, linear=False, skewness=False):
    """Stratified jackknife variance and degrees of freedom of ``solve(weights) -> (p, r)``.

    Units (coalition pairs) are deleted one at a time when there are at most ``max_groups``
    (JKn: ``sum_h (1 - f_h) (n_h - 1) / n_h sum_i (theta_hi - mean_h)^2``, Welch-Satterthwaite
    df over strata); otherwise in ``max_groups`` groups, each stratum's units dealt to them
    at random (delete-a-group jackknife, df = groups - 1). The other units of a touched stratum are
    reweighted so the stratum keeps its mass.

    With ``theta`` (the estimate on all units), the jackknife's estimate of the estimator's
    bias, ``sum_h (1 - f_h) (n_h - 1) (mean_h - theta)`` (groups: ``(1 - f) (G - 1) (mean -
    theta)``), is added in quadrature: the variance returned is a mean squared error. The
    regression is a non-linear (ratio-type) function of the sampled weights, biased by O(1/n):
    at budget 40 on 10 players the bias is a third of the spread, and for a k-additive fit at
    500 it is as large as the spread (coverage 0.91-0.92 from the variance alone, 0.94-0.98
    with the bias term; benchmarks/results/calibration.md).

    With ``linear`` (the plain KernelSHAP fit), a replicate whose coalitions no longer
    determine some players' values (near the smallest budget, deleting a pair can leave two
    players always together) says nothing about those players' spread: they get no degrees of
    freedom (an unknown error), instead of a spread made of an arbitrary split.
    """
    w = design.weights
    unit = design.unit
    stratum, count, fpc = _collapsed_strata(design)
    n_units = len(stratum)
    if n_units <= max_groups:
        group = np.arange(n_units)
    else:
        # Each stratum's units dealt round the groups in an order drawn at random (a fixed draw:
        # the same design gets the same groups). A stratum mostly sampled lists its units in the
        # order of their combinations, and groups dealt in that order were systematic samples
        # of it: near the full budget (1,000 of 1,024 coalitions on 10 players) the replicates
        # of the players leading that order barely moved, and their std was 4 times too small
        # (coverage 0.2-0.4, session 23).
        shuffle = np.random.RandomState(n_units).random_sample(n_units)
        order = np.lexsort((shuffle, stratum))
        group = np.empty(n_units, dtype=int)
        group[order] = np.arange(n_units) % max_groups
    n_groups = group.max() + 1
    thetas = []
    undetermined = np.zeros(design.masks.shape[1], dtype=bool)
    Z = design.masks.astype(np.float64) if linear and not singletons_enumerated(design) else None
    for g in range(n_groups):
        mult = np.ones(n_units)
        gone = group == g
        for h in np.unique(stratum[gone]):
            in_h = stratum == h
            left = in_h.sum() - (in_h & gone).sum()
            mult[in_h] = in_h.sum() / left if left else 0.0
        mult[gone] = 0.0
        wg = w.copy()
        s = unit >= 0
        wg[s] = w[s] * mult[unit[s]]
        if Z is not None:
            lost = undetermined_players(Z, wg)
            if lost is not None:
                undetermined |= lost
        thetas.append(solve(wg))
    thetas = np.stack(thetas)
    pseudo = []  # the pseudo-values' deviations from their stratum's mean
    if n_units <= max_groups:
        var = np.zeros(thetas.shape[1:])
        bias = np.zeros(thetas.shape[1:])
        df_den = np.zeros(thetas.shape[1:])
        lone = False
        for h in range(len(count)):
            in_h = stratum == h
            n_h = in_h.sum()
            if n_h < 2:
                lone = True
                continue
            mean_h = thetas[in_h].mean(axis=0)
            dev = thetas[in_h] - mean_h
            pseudo.append(-(n_h - 1) * dev)
            v_h = fpc[h] * (n_h - 1) / n_h * (dev**2).sum(axis=0)
            var += v_h
            df_den += v_h**2 / (n_h - 1)
            if theta is not None:
                bias += fpc[h] * (n_h - 1) * (mean_h - theta)
        # Welch-Satterthwaite: a stratum that dominates the variance brings only its own
        # units' degrees of freedom (units - strata overstates them).
        with np.errstate(invalid="ignore", divide="ignore"):
            df = np.where(df_den > 0, var**2 / df_den, np.inf)
        if lone:
            # a stratum of one unit (a design with a single sampled unit: collapsing leaves no
            # other) has a spread nobody can estimate: no degrees of freedom, not zero error
            df[...] = 0.0
    else:
        f = float(np.average(fpc, weights=count)) if len(count) else 0.0
        mean = thetas.mean(axis=0)
        dev = thetas - mean
        pseudo.append(-(n_groups - 1) * dev)
        var = f * (n_groups - 1) / n_groups * (dev**2).sum(axis=0)
        df = np.full(var.shape, float(n_groups - 1))
        bias = f * (n_groups - 1) * (mean - theta) if theta is not None else 0.0
    if undetermined.any():
        df[undetermined] = 0.0
    if not skewness:
        return var + bias**2, df
    return var + bias**2, df, _jackknife_skewness_widening(pseudo, theta)


def _jackknife_skewness_widening(pseudo, theta):
    """Factor ``(1, r)`` widening the linear fit's jackknife interval for the skewness of its
    pseudo-values, as :func:`_skewness_inflation` does for permutation sampling's pairs.

    At small budgets (40 coalitions on 10 players: 10 sampled pairs) a multiplicative game's
    pseudo-values have a long tail towards the value's sign; designs that miss it give a value
    too small in magnitude *and* a small spread, and the t interval covered 0.897-0.910 on
    ``prod(1 + 0.4 tanh x)``, ``prod(1 + 0.8 tanh x)`` and ``exp(0.5 sum x)`` while every
    other game covered 0.94-0.96 (benchmarks/results/calibration.md).
    """
    if theta is None or not pseudo:
        return np.ones((1,) + np.shape(theta)[1:])
    P = np.concatenate(pseudo)
    m = len(P)
    if m < 3:
        return np.ones((1,) + theta.shape[1:])
    spread = np.sqrt((P**2).mean(axis=0))
    counted = spread > ROUNDING_SHARE * np.maximum(spread.max(axis=0, keepdims=True), np.finfo(float).tiny)
    return _hall_widening(_pooled_skewness(P, theta, counted, axis=0)[None, :], m)


def _overlaps(Z, chunk=2048):
    """``Z @ Z.T`` as small unsigned counts (:func:`_overlap_dtype`), built in row chunks."""
    m, p = Z.shape
    Zf = Z.astype(np.float32)  # counts up to 2**24 exact
    dtype = _overlap_dtype(p)
    out = np.empty((m, m), dtype=dtype)
    for c0 in range(0, m, chunk):
        out[c0 : c0 + chunk] = (Zf[c0 : c0 + chunk] @ Zf.T).astype(dtype)
    return out


#: Most bytes of k-additive operators kept between calls (:func:`_kadd_operator`).
KADD_CACHE_BYTES = 96 * 2**20


def _op_bytes(op):
    return sum(v.nbytes for v in op.values() if isinstance(v, np.ndarray))


class _OperatorCache:
    """Operators (dicts of read-only arrays) by key, least recently used first out within
    :data:`KADD_CACHE_BYTES`; the byte total is kept, not recounted per insertion (a call on a
    new design inserts one operator per jackknife replicate)."""

    def __init__(self):
        self._entries = OrderedDict()  # key -> (operator, bytes)
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            self._entries.move_to_end(key)
            return entry[0]

    def put(self, key, op):
        size = _op_bytes(op)
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._entries[key] = (op, size)
            self._bytes += size
            while self._bytes > KADD_CACHE_BYTES and len(self._entries) > 1:
                self._bytes -= self._entries.popitem(last=False)[1][1]

    def clear(self):
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    def __len__(self):
        return len(self._entries)


_kadd_cache = _OperatorCache()


def _kadd_operator(design, order, with_influence):
    """The parts of the k-additive fit that depend on the design only (not on the values).

    The m x m factorisation is most of a call's cost when few rows are explained, and the same
    design recurs whenever ``random_state`` is fixed (repeated ``explain`` calls, chunks of a
    stream or of a dask array, jackknife replicates): the operators are kept, least recently
    used first out, within :data:`KADD_CACHE_BYTES`. A kept operator gives the same numbers to
    the last bit (the same arithmetic runs on the values). Without ``with_influence`` only
    ``(m, p)`` arrays are kept; with it, also the inverse Cholesky factor (m x m, computed in
    place of the factor: peak memory unchanged).
    """
    Z = design.masks
    w = design.weights
    m, p = Z.shape
    key = _design_key(design, order)
    op = _kadd_cache.get(key)
    if op is not None and (op["Linv"] is not None or not with_influence):
        return op
    pen = kadd_penalties(p, order, m, w.mean())
    inv = 1.0 / pen[1:]
    # Every kernel entry depends on a count 0..p only: tabulate, then gather.
    counts = np.arange(p + 1)
    binom = np.stack([comb(counts, s) for s in range(1, order + 1)], axis=1)  # C(c, s)
    binom_minus = np.stack([comb(counts - 1, s - 1) / s for s in range(1, order + 1)], axis=1)
    table = binom @ inv
    overlap = _overlaps(Z)
    G = table[overlap]  # K, then K + W^-1 in place
    del overlap
    G.flat[:: m + 1] += 1.0 / w
    z_size = Z.sum(axis=1).astype(int)
    e = table[z_size]
    r_coef = (binom_minus @ inv)[z_size]
    R = (Z * r_coef[:, None]).T  # (p, m): L P^-1 Phi^T
    c0 = float(table[p])
    c1 = float((binom_minus @ inv)[p])
    # G is symmetric: its transpose is the Fortran-ordered array LAPACK factors in place.
    factor = scipy.linalg.cho_factor(G.T, lower=True, overwrite_a=True, check_finite=False)
    Ge = scipy.linalg.cho_solve(factor, e, check_finite=False)
    d = c0 - e @ Ge
    a = c1 - R @ Ge  # L A^-1 1
    # phi = T Y + a delta' / d with T = (R - a e'/d) G^-1; C = T' (column i: coalition i's
    # influence). T is solved for with p right-hand sides whatever the number of rows.
    C = scipy.linalg.cho_solve(factor, R.T - np.outer(e, a) / d, check_finite=False)
    op = {"e": e, "Ge": Ge, "d": d, "a": a, "C": C, "Linv": None, "ginv_diag": None}
    if with_influence:
        # L^-1 in place of L (LAPACK trtri on the Fortran-ordered factor: no second m x m
        # array). diag(G^-1) = squared column norms of L^-1; its upper triangle, left over by
        # cho_factor, is skipped (a sub-block would be copied).
        Linv, info = scipy.linalg.lapack.dtrtri(factor[0], lower=1, overwrite_c=1)
        ginv_diag = np.full(m, np.nan)
        if info == 0:
            for j0 in range(0, m, 512):
                j1 = min(m, j0 + 512)
                block = Linv[j0:, j0:j1]
                ginv_diag[j0:j1] = (np.tril(block[: j1 - j0]) ** 2).sum(axis=0) + (block[j1 - j0 :] ** 2).sum(axis=0)
        op["Linv"], op["ginv_diag"] = Linv, ginv_diag
    _keep(key, op)
    return op


def _keep(key, op):
    """Keep an operator (a dict of arrays) between calls, least recently used first out."""
    if _op_bytes(op) > KADD_CACHE_BYTES // 2:
        return
    for v in op.values():
        if isinstance(v, np.ndarray):
            v.flags.writeable = False  # shared between calls
    _kadd_cache.put(key, op)


def _kadd_solve(design, Y, delta, order, with_influence=False, columns_per_row=1):
    """k-additive fit in its dual (kernel) form: cost O(m^3) whatever the number of terms.

    The interaction features ``z_T`` (|T| <= order) with a ridge penalty depending on |T|
    only have the closed-form kernel ``K(z, z') = sum_s C(|z & z'|, s) / pen_s``; the
    efficiency constraint and the map to Shapley values (``1/|T|`` to each member of T) have
    closed forms too (see :mod:`skxai.shapley._kernel`). Peak memory: one m x m float64
    system and its overlap counts (uint8; uint16 past 255 players) (:func:`kadd_bytes`). The
    design-only part is :func:`_kadd_operator` (kept between calls).

    Returns phi ``(p, r)`` and, with ``with_influence``, the influence ``C (m, p)`` of each
    coalition's residual on phi and the leave-one-out residuals ``(m, r)``.
    """
    op = _kadd_operator(design, order, with_influence)
    e, Ge, d, a, C = op["e"], op["Ge"], op["d"], op["a"], op["C"]
    # C is applied column by column (einsum's own loop, no BLAS blocking over the columns), so
    # a row's values never depend on which other rows are explained in the same call.
    phi = _restore_efficiency(_columnwise(C.T, Y) + np.outer(a, delta) / d, delta)
    if not with_influence:
        return phi, None, None
    # G^-1 Y = L^-T (L^-1 Y): two triangular products (BLAS trmm, lower triangle only), one
    # explained row's columns (its outputs) at a time: trmm's result for a column depends on
    # its position among the others, and a row's std depended on its batch and on n_jobs
    # (1.8e-9 relative, session 25). A row's block has the same shape in every call.
    Linv = op["Linv"]
    Gy = np.empty(Y.shape, order="F")
    step = max(1, int(columns_per_row))
    for j in range(0, Y.shape[1], step):
        block = np.array(Y[:, j : j + step], dtype=np.float64, order="F")  # a copy: Y is the caller's
        half = scipy.linalg.blas.dtrmm(1.0, Linv, block, lower=1, overwrite_b=1)
        Gy[:, j : j + step] = scipy.linalg.blas.dtrmm(1.0, Linv, half, lower=1, trans_a=1, overwrite_b=1)
    # by einsum's loop, not BLAS: a vector-matrix product's columns depend on how many there
    # are, and the std of a row depended on its batch and on n_jobs (1.4e-8 relative)
    mu = (_columnwise(e[None, :], Gy)[0] - delta) / d
    # Residuals W^-1 G^-1 (y + mu e); leave-one-out: divide by 1 - h_ii = (G^-1)_ii / w_i.
    alpha = Gy + np.outer(Ge, mu)
    return phi, C, alpha / op["ginv_diag"][:, None]


def _restore_efficiency(phi, delta):
    """``phi (p, r)`` shifted so each column sums to ``delta``: the k-additive fits satisfy the
    constraint in exact arithmetic, and this removes what rounding left of it."""
    # Summed row after row: numpy's pairwise sum of a single column runs in another order.
    col_sum = phi[0].copy()
    for row in phi[1:]:
        col_sum += row
    return phi - (col_sum - delta) / phi.shape[0]


def _columnwise(A, B):
    """``A @ B`` by einsum's own loop: each column of the result depends on that column of B only.

    Both operands are laid out contiguous along the summed axis, so every entry is the same dot
    product of contiguous vectors whatever the number of columns (einsum picks another loop, and
    another summation order, for a single contiguous column of B than for a column of many)."""
    Bt = np.ascontiguousarray(B.T)
    return np.einsum("rj,ij->ri", Bt, np.ascontiguousarray(A), optimize=False).T


def kernel_shap_from_values(design, v0, v1, values, *, order=1, with_std=True, output_eps=None):
    """Solve the KernelSHAP regression for a design and coalition values.

    The solve runs on one BLAS thread: its factorisations and products (and the design-only
    operators kept between calls) then round the same way in the caller's process and in
    joblib's workers, so the numbers do not depend on ``n_jobs`` or on the thread settings of
    the call that first built a kept operator.

    With ``order=1`` this is KernelSHAP's constrained weighted least squares. With an odd
    ``order > 1`` the regression fits a k-additive game (all interactions up to that size,
    ridge-penalised, the penalty growing with the interaction size) under the same weights
    and efficiency constraint, and returns that game's exact Shapley values (the k-additive
    estimator of Pelegrina et al. 2023, solved in its kernel form; even orders add nothing
    under paired sampling). The k-additive fit is made to the game's antisymmetric part
    (:func:`skxai._kadd.antisymmetric_values`) when the design is made of complement pairs, as
    every KernelSHAP design is.

    Parameters
    ----------
    design : CoalitionDesign
    v0, v1 : ndarray of shape (n, k)
        Values of the empty and full coalitions.
    values : ndarray of shape (n, m, k)
        Values of ``design.masks``.
    order : int, default=1
    with_std : bool, default=True
    output_eps : float, optional
        Machine epsilon of the model's outputs, where coarser than float64's (the rounding
        floor of ``std``: :func:`rounding_floor`).

    Returns
    -------
    phi, std : ndarrays of shape (n, p, k)
        ``std`` is the standard error of the fit actually returned (linear or k-additive),
        inflated for its degrees of freedom so that ``phi +/- 1.96 std`` covers 95%, and never
        below the values' rounding (:func:`rounding_floor`); inf where it cannot be estimated
        (no degrees of freedom, or a k-additive fit on too few sampled pairs:
        :func:`kadd_errors_unknown`).
    """
    phi, std, _ = _kernel_fit(design, v0, v1, values, order=order, with_std=with_std, output_eps=output_eps)
    return phi, std


def _kernel_fit(design, v0, v1, values, *, order, with_std, output_eps):
    """:func:`kernel_shap_from_values`, and the rows that showed no change (:func:`nothing_changed`,
    on the values the paired fit sees; None without ``std``), for ``tol``'s test."""
    with one_blas_thread():
        phi, std = _kernel_shap_from_values(design, v0, v1, values, order=order, with_std=with_std)
    unchanged = None
    if std is not None:
        # a least-squares fit's rounding grows with its players (200 ulps on 40 near the
        # smallest budget): that growth is the floor's
        std = rounding_floor(std, values, v0, growth=phi.shape[1], output_eps=output_eps, ends=(v1,))
        unchanged = _kernel_nothing_changed(design, v0, v1, values, output_eps)
        std = np.where(unchanged[:, None, :], np.inf, std)
    return phi, std, unchanged


def _kernel_shap_from_values(design, v0, v1, values, *, order, with_std):
    n, m, k = values.shape
    p = design.masks.shape[1]
    given = values
    if order > 1:
        # the values depend on the antisymmetric part alone: fit nothing else (no even-order
        # terms spent on the symmetric rest, games of order 2 stay exact)
        anti = antisymmetric_values(design.masks, v0, v1, values)
        values = values if anti is None else anti
    Y = (values - v0[:, None, :]).transpose(1, 0, 2).reshape(m, n * k)
    delta = (v1 - v0).reshape(n * k)
    Z = design.masks.astype(np.float64)
    sampled = design.unit >= 0

    def solve(w, influence=False, cols=slice(None)):
        Y_, delta_ = Y[:, cols], delta[cols]
        phi, M = efficiency_constrained_wls(Z, w, Y_, delta_)
        if order > 1:
            # The k-additive fit runs on what the linear fit leaves, so additive games (zero
            # residual) stay exact to rounding while interactions are still captured.
            keep = w > 0  # jackknife replicates drop units (a zero weight has no dual)
            if keep.all():
                # the k-additive fit with the weights asked for, also when none is zero
                d = design if w is design.weights else replace(design, weights=w)
            else:
                d = replace(design, masks=design.masks[keep], weights=w[keep])
            resid = (Y_ - _columnwise(Z, phi))[keep]
            extra, C, loo = _kadd_solve(
                d, resid, np.zeros_like(delta_), order, with_influence=influence, columns_per_row=k
            )
            return phi + extra, C, loo
        if not influence:
            return phi, None, None
        ZM = Z @ M  # M is symmetric
        # Constrained hat diagonal w_i z_i' M z_i; the leave-one-out residual is r / (1 - h).
        hat = np.einsum("ij,ij->i", ZM, Z) * w
        return phi, ZM * w[:, None], (Y_ - _columnwise(Z, phi)) / np.maximum(1.0 - hat, 1e-12)[:, None]

    n_units = int(design.unit.max()) + 1 if sampled.any() else 0
    unknown = sampled.any() and kadd_errors_unknown(order, n_units)
    want_std = sampled.any() and not unknown
    jack = want_std and _use_jackknife(order, m, n_units, p)
    influence = want_std and not jack
    # The values come from the same form (primal or dual) with or without errors: skipping
    # them never changes a value's last bit.
    primal = None if influence else _primal_solver(design, order, Z, Y, delta, solve)
    if primal is None:
        phi, C, loo = solve(design.weights, influence=influence and with_std)
    else:
        phi = _restore_efficiency(primal(design.weights, slice(None)), delta)
    std = None
    if with_std:
        std = np.zeros_like(phi)
        if want_std:
            if jack:
                # Replicate estimates (groups x p x columns) in bounded column chunks.
                var, df = np.empty_like(phi), np.empty_like(phi)
                widen = np.ones((1, phi.shape[1]))
                groups = _jackknife_groups(order, m)
                refit = primal or (lambda w, cols: solve(w, cols=cols)[0])
                step = max(1, JACKKNIFE_CHUNK_BYTES // (32 * JACKKNIFE_GROUPS * p))
                for c0 in range(0, phi.shape[1], step):
                    cols = slice(c0, c0 + step)
                    parts = _jackknife(
                        design,
                        lambda w, cols=cols: refit(w, cols),
                        max_groups=groups,
                        theta=phi[:, cols],
                        linear=order == 1,
                        skewness=order == 1,
                    )
                    var[:, cols], df[:, cols] = parts[:2]
                    if order == 1:
                        widen[:, cols] = parts[2]
            else:
                var, df = _stratified_variance(design, C[sampled], loo[sampled])
            if order == 1:
                df = np.minimum(df, _residual_df(design, n_units))
                if jack and _few_pairs_beside_singletons(design, n_units):
                    df = np.where(df >= 3, df - FEW_PAIRS_DF_LOSS, df)
                if jack:
                    df[_zero_spread_unproven(design, Y, delta, var, n_units)] = 0.0
                    var = _few_df_spread_floor(design, var, n_units)
            with np.errstate(invalid="ignore"):
                std = np.sqrt(var) * np.where(var > 0, t_inflation(df), 1.0)
            if jack and order == 1:
                std *= widen
            std[df < 1] = np.inf  # a spread estimated from no degrees of freedom is unknown
        elif unknown:
            std[...] = np.inf
        std = std.reshape(p, n, k).transpose(1, 0, 2)
    phi = phi.reshape(p, n, k).transpose(1, 0, 2)
    if with_std and want_std and _ridge_bias_unseen(design, order):
        # The linear fit of the same coalitions has no ridge: |phi - phi_linear| + 1.96
        # std_linear bounds the error wherever the linear fit's interval holds (0.94-0.97 of the
        # values in these cells): a conservative interval around the k-additive values, which
        # are 3 to 2,400 times more accurate there than the linear fit's.
        linear, linear_std = _kernel_shap_from_values(design, v0, v1, given, order=1, with_std=True)
        std = np.maximum(std, np.abs(phi - linear) / Z95 + linear_std)
    return phi, std


#: Degrees of freedom a linear fit's jackknife loses (where it has at least 3) with fewer than
#: :data:`TOL_MIN_UNITS` sampled pairs beside the enumerated one-player coalitions.
FEW_PAIRS_DF_LOSS = 1


def _few_pairs_beside_singletons(design, n_units):
    """Whether a linear fit's design enumerates the one-player coalitions and samples fewer than
    :data:`TOL_MIN_UNITS` pairs beside them (budgets from about ``3 p``: the warning of
    :func:`linear_few_pairs_message`), short of half the coalitions.

    There 4-6 pairs covered 0.91-0.94 of four models' exact values on 10 features (a boosted
    classifier, a saturating logistic model, k-NN, a tanh network), the misses mostly mild
    (median z 2.7): the spread over so few pairs is itself a rough estimate. One degree of
    freedom fewer (``t`` of 2 instead of 3 at 4 pairs: 1.35 times the width) covers 0.93-0.96
    there; an outside review on 7-16 features found every cell it touches improved (0.907-0.991
    after; 16 features at 7 pairs, where the width grows by 1.05 only, stayed at 0.907-0.922);
    below 3 degrees of freedom (3 pairs on 6-8 features, already 0.92-0.96 with the skewness
    widening) the loss over-covered (0.98-0.99), and from half the coalitions on the finite
    population keeps the errors small (benchmarks/results/calibration.md, session 27)."""
    m, p = design.masks.shape
    if p < 62 and 2 * (m + 2) >= 2**p:  # mostly enumerated: a finite population, small errors
        return False
    return 1 < n_units < TOL_MIN_UNITS and singletons_enumerated(design)


#: Below this share of a column's largest coalition value a replicate spread is rounding.
ROUNDING_SHARE = 1e-10

#: Residual degrees of freedom of the linear fit up to which a zero replicate spread is not
#: taken for an exact value (zero spreads with errors far from zero were seen at 1 and 2).
ZERO_SPREAD_MAX_RESIDUAL_DF = 2


def _zero_spread_unproven(design, Y, delta, var, n_units):
    """Values whose jackknife spread is zero (to rounding) on a fit with too few residual degrees
    of freedom for that to mean an exact value; a boolean mask ``(p, r)``: their error is unknown.

    The linear fit is exact where the game's antisymmetric part is additive, and then every
    replicate agrees. But near the smallest budget (``p`` pairs for ``p - 1`` free values: one
    residual degree of freedom) the pairs left after a deletion fix the values exactly, and the
    one or two redundancies among the sampled pairs often test only a few players: when they
    happen to hold, those players' replicates agree whatever the coalitions left out, and the
    sample cannot tell that from an exact fit. On the interaction-heavy calibration game at 14
    coalitions on 6 features, 160 of the 174 values outside their intervals reported an error of
    exactly zero (errors up to 0.66; coverage 0.75, now 0.97), at 16 coalitions (2 residual
    degrees of freedom) 10 of 94 (benchmarks/results/calibration.md). The price: a game of
    order 2, whose values are exact, reports unknown errors there instead of zero.

    The same holds at any number of residual degrees of freedom while the single players'
    coalitions are sampled rather than enumerated (budgets below about ``3 p``): a player then
    meets the game in one or two sampled pairs, and a tree of depth 3 or a game with seven
    idle players out of ten reported zero errors on values off by up to 0.7 at 3-5 residual
    degrees of freedom (10 and 12 players), never once the single players were enumerated
    (benchmarks/results/calibration.md, session 23).
    """
    if _residual_df(design, n_units) > ZERO_SPREAD_MAX_RESIDUAL_DF and singletons_enumerated(design):
        return np.zeros(var.shape, dtype=bool)
    scale = np.maximum(np.abs(Y).max(axis=0), np.abs(delta)) * ROUNDING_SHARE
    return np.sqrt(np.maximum(var, 0.0)) <= scale[None, :]


#: Share of the players' mean replicate variance below which no value's variance may fall where
#: the linear fit has at most :data:`ZERO_SPREAD_MAX_RESIDUAL_DF` residual degrees of freedom.
FEW_DF_VARIANCE_SHARE = 1e-3


def _few_df_spread_floor(design, var, n_units):
    """Replicate variances ``(p, r)`` floored at :data:`FEW_DF_VARIANCE_SHARE` of their mean over
    the players, where the linear fit has at most 2 residual degrees of freedom.

    There every replicate's deviations come from the one or two redundancies among the sampled
    pairs, and a player those redundancies barely involve gets a spread far below its error (not
    zero, so :func:`_zero_spread_unproven` does not see it): on a 3-class gradient boosting model
    at 10 coalitions on 4 features the finite errors covered 0.77, with |error| / std up to 487.
    The floor (a standard error of at least 3% of the players' root mean square) brings that to
    0.94 and the additive calibration game at 16 coalitions on 6 features from 0.91 to 0.97; the
    other floor cells, already covered, widen to 0.97-1.00 (benchmarks/results/calibration.md).
    """
    if _residual_df(design, n_units) > ZERO_SPREAD_MAX_RESIDUAL_DF:
        return var
    return np.maximum(var, FEW_DF_VARIANCE_SHARE * var.mean(axis=0, keepdims=True))


def _design_key(design, order):
    Z, w = design.masks, design.weights
    return (
        order,
        Z.shape,
        hashlib.blake2b(np.packbits(Z).tobytes() + np.ascontiguousarray(w).tobytes(), digest_size=16).digest(),
    )


def _primal_solver(design, order, Z, Y, delta, solve):
    """The k-additive fit ``(w, cols) -> phi (p, cols)`` in primal form, or None for the dual.

    Fits with at most half as many interaction terms as coalitions are solved in primal form
    (:class:`skxai._kadd.KaddReplicateFits`: a t x t system per weighting, its normal matrix read
    from superset sums of the weights, instead of the dual's m x m one). Both
    forms solve the same problem; the estimate and its replicates then come from the same
    arithmetic, so the two forms' rounding never reads as bias. The ``(p, m)`` operators are
    kept between calls with the dual's (:data:`KADD_CACHE_BYTES`).
    """
    m, p = design.masks.shape
    if order == 1 or not _primal_form(p, order, m):
        return None
    base = ("primal",) + _design_key(design, order)
    fits = []

    def operator(w):
        key = base + (hashlib.blake2b(np.ascontiguousarray(w).tobytes(), digest_size=16).digest(),)
        op = _kadd_cache.get(key)
        if op is not None:
            return op["T"]
        if not fits:
            fits.append(KaddReplicateFits(design, order))
        op = {"T": fits[0].operator(w)}
        _keep(key, op)
        return op["T"]

    def fit(w, cols):
        T = operator(w)
        if T is None:  # a singular normal matrix (the dual form has no such failure)
            return solve(w, cols=cols)[0]
        Y_ = Y[:, cols]
        phi, _ = efficiency_constrained_wls(Z, w, Y_, delta[cols])
        return phi + _columnwise(T, Y_ - _columnwise(Z, phi))

    return fit


#: Largest k-additive fit refitted by the jackknife, in coalitions (dual form) or interaction
#: terms (primal form); beyond, the leave-one-out sandwich. The default budget (2 p + 2048)
#: stays under it up to 256 players.
KADD_JACKKNIFE_MAX = 2560


def _residual_df(design, n_units):
    """Degrees of freedom the linear fit leaves: coalition pairs (sampled units and enumerated
    pairs; a pair pins one combination of the values) less the ``p - 1`` free values. At the
    smallest budget (``p`` sampled pairs) it is 1, and a spread estimated from the units cannot
    be surer than the fit's own residuals."""
    enumerated_pairs = int((design.unit < 0).sum()) // 2
    return max(n_units + enumerated_pairs - (design.masks.shape[1] - 1), 0)


def _jackknife_groups(order, m):
    """Replicates of the jackknife: 32; for k-additive designs, whose replicates cost an m x m
    factorisation each, 16 over 512 coalitions and 8 over 1,024 (they cover as well: 0.94-0.97
    at 700 and 1,000 on 10 players, 0.96-0.97 at 2,048 on 12)."""
    if order == 1 or m <= 512:
        return JACKKNIFE_GROUPS
    return JACKKNIFE_GROUPS // 2 if m <= 1024 else JACKKNIFE_GROUPS // 4


def _use_jackknife(order, m, n_units, p=None):
    """Replicates (jackknife) where the linearisation is known to mis-cover, when affordable.

    The sandwich under-covers with few sampling units (budget 40 on 10 players: 0.83) and for
    the k-additive fit (0.5-0.7 for order 3 at 300 on 10 players, 0.88-0.93 at 700-1,000),
    and over-covers for an order-5 fit near its interpolation threshold (0.98-0.99 at 700);
    the jackknife refits capture the fit's non-linearity in the weights (and its bias, see
    :func:`_jackknife`; the sandwich covered 0.75-0.91 at 2,048 on 12 players). A k-additive
    refit costs an m x m solve in dual form, or a t x t one in primal form (``t`` interaction
    terms, on ``p`` players): it is used while either size is at most
    :data:`KADD_JACKKNIFE_MAX`, the linearisation beyond. Past 2,560 coalitions the sandwich
    covered 0.38-0.92 on 12 players (orders 3 and 5, 2,600-3,900 coalitions: an outside audit,
    session 25), the primal jackknife 0.94-0.99 on the same cells but one
    (benchmarks/results/calibration.md).
    """
    if order == 1:
        return n_units <= 4 * JACKKNIFE_GROUPS
    return m <= KADD_JACKKNIFE_MAX or (p is not None and _primal_form(p, order, m))


def _primal_form(p, order, m):
    """Whether the k-additive fit of ``p`` players on ``m`` coalitions runs in primal form:
    where it is the cheaper (:func:`~skxai._kadd.primal_is_cheaper`), and past
    :data:`KADD_JACKKNIFE_MAX` coalitions wherever its terms are at most that many (its t x t
    replicates then cost less than the m x m ones the jackknife was bounded by, and the
    sandwich the dual form falls back to there under-covered)."""
    if primal_is_cheaper(p, order, m):
        return True
    return m > KADD_JACKKNIFE_MAX and p <= PRIMAL_MAX_PLAYERS and n_interaction_terms(p, order) <= KADD_JACKKNIFE_MAX


def output_scale(values, axis=1):
    """A power of two per row and output (``values`` reduced over ``axis``) that brings the
    largest absolute value into ``[1, 2)``; 1 where it lies within ``2**±OUTPUT_EXPONENT`` (or
    is 0, inf or NaN).

    The error estimates square the values (and their variances, in the degrees of freedom), so
    outputs of 1e160 gave std = inf and outputs of 1e-160 gave std = 0: divided by this scale
    first, and multiplied back after, every step scales exactly, and values within the range
    are not touched (their numbers are the same to the bit).
    """
    return power_of_two_scale(np.abs(values).max(axis=axis))


def _row_scale(phi):
    """Each row's largest absolute value per output (1 for zeros): what ``tol`` is relative to."""
    scale = np.abs(phi).max(axis=1, keepdims=True)
    return np.where(scale > 0, scale, 1.0)


def _within_tol(phi, std, tol, unjudged=None):
    """True when every value's 95% half-width is at most ``tol`` times its row's largest value,
    the rows and outputs ``unjudged (n, k)`` left out (:func:`nothing_changed`: their error is
    unknown whatever the budget short of every coalition, and they held every row's run to the
    whole budget)."""
    if unjudged is not None:
        if unjudged.all():
            # nothing judged: more coalitions may show a change (a 1-nearest-neighbour row against
            # one background row, 0 +/- inf at half the budget where the whole budget found it)
            return False
        std = np.where(unjudged[:, None, :], 0.0, std)
    with np.errstate(invalid="ignore"):
        return bool(np.all(Z95 * std <= tol * _row_scale(phi)))


def _warn_unchanged_rows(unchanged, knob, spent_all):
    """Say which rows ``tol`` could not judge: no sampled coalition changed their value
    (``spent_all``: on the whole budget; otherwise the run stopped on the other rows' errors)."""
    rows = np.flatnonzero(unchanged.any(axis=1))
    if not rows.size:
        return
    where = "on the whole budget" if spent_all else "before the other rows met tol and the run stopped"
    warn_at_caller(
        f"tol could not judge {rows.size} row(s) (rows {rows[:10].tolist()}{' ...' if rows.size > 10 else ''}): "
        f"no coalition sampled {where} changed their value, so their values read 0 with an unknown error "
        f"(std inf). {'A larger' if spent_all else f'The whole {knob} (tol=None) or a larger'} {knob} may show "
        "a change; ExactShapleyExplainer tells for few features.",
        ConvergenceWarning,
    )


def _warn_tol_not_met(tol, phi, std, spent, knob, error=None, unchanged=None):
    """Warn that the budget ran out before ``tol`` was met: the values returned are the last
    step's, and their errors are larger than ``tol`` promises (the run does not stop silently).

    ``error`` as in :func:`kernel_estimate`: when a conditional game's Monte Carlo error alone
    misses ``tol``, more coalitions cannot meet it, and the warning names
    ``n_conditional_samples`` instead of ``knob``. Rows ``unchanged`` (no sampled coalition
    changed their value: :func:`_warn_unchanged_rows` names them) are left out of the half-width
    quoted, and nothing is said here when no row is left: quoting their zeros read "the half-width
    is 0 times" beside the warning that their error is unknown.
    """
    if unchanged is not None:
        if unchanged.all():
            return
        std = np.where(unchanged[:, None, :], np.nan, std)
    if error is not None:
        mc_phi, mc_std = error(phi, np.zeros_like(std))
        phi, std = error(phi, std)
        if not _within_tol(mc_phi, mc_std, tol):
            knob = (
                f"n_conditional_samples (the conditional game's Monte Carlo error alone is larger "
                f"than tol asks; more of {knob} cannot reduce it)"
            )
    with np.errstate(invalid="ignore"):
        reached = float(np.nanmax(Z95 * std / _row_scale(phi)))
    judged = "" if unchanged is None or not unchanged.any() else " (of the rows tol could judge)"
    warn_at_caller(
        f"tol={tol} was not reached: the budget ran out at {spent}, where the largest 95% "
        f"half-width 1.96 * std{judged} is {reached:.3g} times its row's largest absolute value. The "
        f"values are returned with their std; raise {knob} (or tol) for the accuracy asked.",
        ConvergenceWarning,
    )


@functools.lru_cache(maxsize=64)
def _seeded_design(p, budget, seed, sampling, share):
    """:func:`kernel_design` drawn from ``RandomState(seed)``, kept between calls.

    A fixed ``random_state`` draws the same design for every call (repeated ``explain``,
    chunks of a stream): it is built once. Its arrays are read-only, being shared.
    """
    design = kernel_design(p, budget, np.random.RandomState(seed), sampling=sampling, max_enumerated_share=share)
    for value in vars(design).values():
        if isinstance(value, np.ndarray):
            value.flags.writeable = False
    return design


def kernel_estimate(
    evaluate,
    p,
    budget,
    *,
    sampling="leverage",
    max_order="auto",
    tol=None,
    random_state=None,
    max_bytes=SOLVE_MAX_BYTES,
    seed=None,
    error=None,
    with_std=True,
    output_eps=None,
):
    """KernelSHAP over a game (exact when the budget covers all ``2**p`` coalitions; with
    ``tol``, only after sampled steps below ``2**p`` that did not meet it).

    ``budget`` counts every coalition evaluated, the empty and full ones included. With
    ``tol``, the budget is spent in doubling steps from a quarter of it (each step the design
    and fit order of its own budget, as without ``tol``), and the run stops once
    the 95% half-width ``1.96 * std`` of every value is at most ``tol`` times the largest
    absolute value. ``seed`` (from :func:`skxai.utils._random.seed_from`) replaces the draw
    from ``random_state``: row chunks explained apart share it, so their design is the one
    drawn in process. ``error(phi, std) -> (phi, std)`` gives the values and errors ``tol`` is
    checked on (a conditional game's Monte Carlo error: :func:`skxai._games.monte_carlo_error`).
    Without ``with_std`` (and ``tol``) no standard error is computed (``std`` is None); the
    values are the same to the bit. ``output_eps``: the precision of the model's outputs, where
    coarser than float64's (:func:`rounding_floor`).
    """
    with_std = with_std or tol is not None

    def enumerated(game):
        est = exact_estimate(game, p, output_eps=output_eps)
        # exact over the coalitions, but a conditional game's values carry its sampler's error:
        # a tol that error misses is not met, whatever the budget
        if tol is not None and error is not None and not _within_tol(*error(est.phi, est.std), tol):
            _warn_tol_not_met(
                tol, est.phi, est.std, f"n_samples={budget} (every coalition evaluated)", "n_samples", error
            )
        return est

    covers_all = p < 62 and budget >= 2**p
    if covers_all and (tol is None or 2**p // 4 < 2 * p + 2):
        return enumerated(evaluate)
    cached = CachedGame(evaluate)
    if covers_all:
        # With tol, sampled steps from a quarter of the 2**p coalitions come first, and every
        # coalition is enumerated only where none of them meets tol (enumerating first made
        # tol do nothing at any budget that covers them: the default's on up to 11 features).
        steps = [max(2 * p + 2, 2**p // 4)]
        while 2 * steps[-1] < 2**p:
            steps.append(2 * steps[-1])
    else:
        kernel_order(max_order, p, budget, max_bytes=max_bytes)  # refuses an order that cannot fit
        steps = [budget]
        if tol is not None:
            steps = [max(2 * p + 2, budget // 4)]
            while steps[-1] < budget:
                steps.append(min(budget, 2 * steps[-1]))
    est = _kernel_steps(
        cached, p, steps, budget, sampling=sampling, max_order=max_order, max_bytes=max_bytes, seed=seed,
        random_state=random_state, error=error, tol=tol, with_std=with_std, output_eps=output_eps,
        last_is_final=not covers_all,
    )  # fmt: skip
    return est if est is not None else enumerated(cached)


def _kernel_steps(
    cached,
    p,
    steps,
    budget,
    *,
    sampling,
    max_order,
    max_bytes,
    seed,
    random_state,
    error,
    tol,
    with_std,
    output_eps,
    last_is_final=True,
):
    """KernelSHAP fits on the designs of ``steps`` budgets in turn (one, without ``tol``),
    within ``budget`` coalitions of ``cached`` in all, until one meets ``tol``.

    The last step is fitted whatever its errors when ``last_is_final``; otherwise (a budget
    that enumerates every coalition after the steps) returns None where no step met ``tol``.
    """
    ends = np.zeros((2, p), dtype=bool)
    ends[1] = True
    # The empty and full coalitions go with the first design's coalitions: one model call per
    # row for both (a call of a pandas Pipeline costs 1-3 ms whatever its rows, twice that per
    # row at small budgets when they were called apart).
    first = True
    if seed is None:
        seed = seed_from(random_state)
    met = False
    scale = None
    phi = unchanged = None

    def step_design(b):
        # Each step is the design and fit of its own budget, the ones whose errors were
        # calibrated. With the whole budget's order and enumerated share, the step of 200 of
        # 400 on 10 features enumerated sizes 1-2 and sampled 44 pairs (89 at n_samples=200):
        # its values were 99% bias, 1.96 std covered 0.35 on an SVC, and tol stopped there
        # with errors above it.
        order = kernel_order(max_order, p, b, max_bytes=max_bytes)
        return order, _seeded_design(p, b, seed, sampling, enumerated_share(order, p, b))

    for i_step, b in enumerate(steps):
        last = last_is_final and i_step == len(steps) - 1
        if not last and not _errors_stop_tol(step_design(b)[1]):
            # a step whose errors could not stop the run is not evaluated: its coalitions would
            # only shrink the steps after it (designs are not nested), down to a last step
            # worse than the whole budget without tol (std inf where tol=None was finite)
            continue
        # Designs of successive steps overlap but are not nested: shrink the design until
        # the coalitions it adds keep the total within the budget.
        while True:
            order, design = step_design(b)
            asked = np.vstack([ends, design.masks]) if first else design.masks
            excess = cached.n_evaluated + cached.n_new(asked) - budget
            if excess <= 0 or b - excess < 2 * p + 2:
                break
            b -= excess
        if excess > 0:
            break
        values = cached(asked)
        if first:
            # one scale for every step, from the empty and full coalitions and the first design
            scale = output_scale(values)[:, None, :]
            base = values[:, 0]
            values = values / scale
            v0, v1, values, first = values[:, 0], values[:, 1], values[:, 2:], False
        else:
            values = values / scale
        phi, std, unchanged = _kernel_fit(design, v0, v1, values, order=order, with_std=with_std, output_eps=output_eps)
        phi, std = phi * scale, None if std is None else std * scale
        fitted = order
        if tol is not None and _within_tol(*(error(phi, std) if error else (phi, std)), tol, unchanged):
            met = True
            break
    if not last_is_final and not met:
        return None
    if tol is not None:
        if not met:
            spent = f"n_samples={budget} ({cached.n_evaluated} coalitions evaluated)"
            _warn_tol_not_met(tol, phi, std, spent, "n_samples", error, unchanged)
        if unchanged is not None:
            _warn_unchanged_rows(unchanged, "n_samples", spent_all=not met)
    # every row was fitted on the same coalitions: their errors are correlated (BarDisplay)
    extras = {"exact": False, "n_evaluations": cached.n_evaluated, "order": fitted, "std_rows_correlated": True}
    return Estimate(phi, base, std, extras)


# --------------------------------------------------------------------------- permutations
def permutations_to_walk(n_permutations, n_players):
    """``n_permutations``, at most the ``p!`` permutations there are: distinct antithetic pairs
    then walk every one, visit every coalition and give the exact values. A budget of 10**6 on
    3 players built 10**6 permutations (344 MiB) for the same exact values, and 10**8 was
    refused for memory (KernelSHAP takes any budget past ``2**p`` as every coalition)."""
    if n_players <= 20:
        return min(int(n_permutations), max(2, math.factorial(n_players)))
    return int(n_permutations)


def antithetic_permutations(n_players, n_permutations, rng):
    """``n_permutations`` permutations (rows), each followed by its reverse."""
    half = (n_permutations + 1) // 2
    first = np.argsort(rng.random_sample((half, n_players)), axis=1)
    if n_players > 1 and half <= math.factorial(min(n_players, 20)) // 2:
        # Distinct pairs while there are that many: a pair drawn twice agrees with itself, and
        # when every pair is a repeat no spread shows (an error of 0 on 3 or 4 players with 4
        # permutations while the values were off). Repeats are redrawn, so the pairs are a
        # sample without replacement (the with-replacement variance is then conservative).
        while True:
            key = np.where((first[:, 0] < first[:, -1])[:, None], first, first[:, ::-1])
            _, keep = np.unique(key, axis=0, return_index=True)
            again = np.setdiff1d(np.arange(half), keep)
            if not len(again):
                break
            first[again] = np.argsort(rng.random_sample((len(again), n_players)), axis=1)
    perms = np.empty((2 * half, n_players), dtype=int)
    perms[0::2] = first
    perms[1::2] = first[:, ::-1]
    return perms[:n_permutations]


def permutation_masks(perms):
    """Coalitions walked by each permutation: ``(n_perm, p + 1, p)``, prefix k holds the first k."""
    n_perm, p = perms.shape
    rank = np.empty_like(perms)
    np.put_along_axis(rank, perms, np.arange(p)[None, :], axis=1)
    return rank[:, None, :] < np.arange(p + 1)[None, :, None]


def unique_coalitions(masks):
    """Distinct rows of a boolean matrix and the index of each row among them."""
    packed = np.packbits(masks, axis=1)
    _, first, inverse = np.unique(packed, axis=0, return_index=True, return_inverse=True)
    return masks[first], inverse.ravel()


def _every_order_equally(perms):
    """Whether ``perms`` holds every permutation of its players, each as often."""
    n_perm, p = perms.shape
    if p > 10 or n_perm % math.factorial(p):  # 10! permutations: more than are ever walked
        return False
    _, counts = np.unique(perms, axis=0, return_counts=True)
    return len(counts) == math.factorial(p) and counts.min() == counts.max()


#: Share of the mean single-permutation variance of a row's varying players below which a
#: player's own variance is taken as no evidence of its spread (:func:`_faint_players`).
FAINT_VARIANCE_SHARE = 1e-3


def _faint_players(var_single, varying):
    """Varying players ``(n, p, k)`` whose contributions varied less than
    :data:`FAINT_VARIANCE_SHARE` of the row's mean variance over its varying players.

    A tree's or a saturated network's player can contribute next to nothing in most orders and
    much in a few: the few sampled permutations that all missed those orders show a spread of
    1e-5 of the others' where its value is off by 0.0167 (z up to 4,800 on a boosted wine
    classifier at 4-10 permutations, coverage 0.91-0.92; 77% of the misses had a variance under
    1e-3 of their row's mean, against 22% of all values). Its variance says as little as a
    constant player's: it borrows the row's, as they do. At 1e-3 those cells cover 0.97-0.99
    and digit images' regions 0.94-0.97 (0.91-0.93 before); at 1e-4, 0.95-0.98 and 0.93-0.95;
    at 1e-2, 0.98-0.99 and 0.96-0.99 (benchmarks/results/calibration.md, session 27).
    """
    row = np.where(varying, var_single, 0.0).sum(axis=1, keepdims=True) / np.maximum(
        varying.sum(axis=1, keepdims=True), 1
    )
    return varying & (var_single < FAINT_VARIANCE_SHARE * row)


#: Pseudo-pairs (``z^2``, Agresti and Coull's count) whose spread is the row's prior pair variance,
#: for a varying player whose antithetic pairs all agree (:func:`shapley_from_permutations`).
PSEUDO_PAIRS = Z95**2


#: Most a row's errors are widened for the skewness of its pairs' means
#: (:func:`_skewness_inflation`).
SKEW_INFLATION_MAX = 2.0


def _skewness_inflation(pairs, phi, counted):
    """Factor ``(n, 1, k)`` widening a row's t interval for the skewness of its pairs' means.

    On multiplicative games (``prod(1 + 0.8 tanh x)``, ``exp(0.5 sum x)``) a pair's mean has a
    long tail away from zero (skewness about 2): a few pairs that miss the tail give a value
    too small in magnitude *and* a small spread, and 5 pairs' t interval covered 0.855-0.885.
    Hall's (1992) transformation of the studentized mean, ``T + a T^2 + a^2 T^3 / 3 + b`` with
    ``a = g / (3 sqrt(m))`` and ``b = g / (6 sqrt(m))``, removes the skewness ``g`` of ``m``
    units to second order; its quantile on the tail's side, over ``t_{0.975, m - 1}``, widens
    the symmetric std (the interval's wider side). A player's own 3 to 5 pairs hardly show the
    skewness, so ``g`` pools the row: the mean over the players whose pairs vary of their
    standardised third moment (Fisher-Pearson adjusted), signed towards the player's value (a tail away from zero,
    where the misses were; signs cancel on a symmetric game, so noise does not widen it: the
    skewness's magnitude raised a 4-feature forest from 0.969 to 0.988). Only ``g > 0`` widens,
    by at most :data:`SKEW_INFLATION_MAX` (past ``1 + 3 a (t + b) = 0`` the expansion is
    unbounded: a factor of up to 10 on the product games, RMS error / RMS std 0.24, and the
    forest 0.977). 1 below 3 pairs (no third moment); it fades as ``1 / sqrt(m)``.
    """
    n, m, p, k = pairs.shape
    if m < 3:
        return np.ones((n, 1, k))
    dev = pairs - pairs.mean(axis=1, keepdims=True)
    return _hall_widening(_pooled_skewness(dev, phi, counted, axis=1)[:, None, :], m)


def _pooled_skewness(dev, phi, counted, axis):
    """Mean over the ``counted`` players of the units' standardised third moment, signed towards
    each player's value, floored at 0, Fisher-Pearson adjusted (:func:`_skewness_inflation`).
    ``dev``: the ``m >= 3`` units' deviations from their mean along ``axis``; ``phi`` and
    ``counted``: ``dev``'s shape without that axis, players on the axis that follows it.

    The adjustment ``sqrt(m (m - 1)) / (m - 2)`` (1.49 for 5 units, 1.19 for 9) corrects the
    sample skewness's shrinkage, which a few units bound far below a long tail's: without it
    the multiplicative games covered 0.910-0.926 at 10 permutations (0.930-0.939 with it) and
    0.914-0.923 at 40 KernelSHAP coalitions (0.917-0.927; benchmarks/results/calibration.md).
    """
    m = dev.shape[axis]
    m2 = (dev**2).mean(axis=axis)
    m3 = (dev**3).mean(axis=axis)
    with np.errstate(invalid="ignore", divide="ignore"):
        skew = np.where(counted, m3 / np.where(counted, m2, 1.0) ** 1.5 * np.sign(phi), 0.0)
    # summed player by player: numpy's sum over a contiguous axis (one column) is pairwise, over
    # a strided one (a batch of rows) sequential, and a row's error must not depend on its call
    total = np.zeros(np.delete(skew.shape, axis))
    for player in np.moveaxis(skew, axis, 0):
        total += player
    g = np.maximum(total / np.maximum(counted.sum(axis=axis), 1), 0.0)
    return g * np.sqrt(m * (m - 1)) / (m - 2)


def _hall_widening(g, m):
    """Hall's (1992) widening of a t interval on ``m`` units for a pooled skewness ``g >= 0``
    (:func:`_skewness_inflation`), between 1 and :data:`SKEW_INFLATION_MAX`."""
    t = float(stats.t.ppf(0.975, m - 1))
    a = g / (3 * np.sqrt(m))
    y = 1 - 3 * a * (t + g / (6 * np.sqrt(m)))  # (1 + a T)^3 at the tail's quantile of T
    with np.errstate(invalid="ignore", divide="ignore"):
        q = np.where(a > 1e-12, (1 - np.cbrt(y)) / np.where(a > 1e-12, a, 1.0), t)
    return np.clip(q / t, 1.0, SKEW_INFLATION_MAX)


def _one_unit_players(perms):
    """Players whose antithetic pairs (rows ``2u, 2u + 1`` of ``perms``) are all one sampling
    unit: every pair's permutations put them after the same two sets of players (A and
    ``N - A - {j}``, in either order), so every pair walked the same two steps for them.
    False with fewer than two pairs."""
    forward = perms[0::2]
    n_pairs, p = forward.shape
    if n_pairs < 2:
        return np.zeros(p, dtype=bool)
    rank = np.empty_like(forward)
    np.put_along_axis(rank, forward, np.arange(p)[None, :], axis=1)
    before = rank[:, None, :] < rank[:, :, None]  # (pair, player, other): other comes first
    after = rank[:, None, :] > rank[:, :, None]
    # a pair is the unordered pair of steps: forward after A, reverse after the rest (N - A - j)
    same = (before == before[:1]).all(axis=2) | (before == after[:1]).all(axis=2)
    return same.all(axis=0)


def shapley_from_permutations(perms, prefix_values, output_eps=None):
    """Average marginal contributions along permutations.

    Parameters
    ----------
    perms : ndarray of shape (n_perm, p)
    prefix_values : ndarray of shape (n, n_perm, p + 1, k)
        Value of each prefix coalition of each permutation.
    output_eps : float, optional
        Machine epsilon of the model's outputs (float32's for a float32 network); float64's
        when None.

    Returns
    -------
    phi : ndarray (n, p, k)
        Mean contribution; efficiency holds exactly for every permutation.
    std : ndarray (n, p, k)
        Standard error over antithetic pairs (the sampling units), floored and inflated for
        its degrees of freedom and its row's skewness (:func:`_skewness_inflation`) so that
        ``phi +/- 1.96 std`` covers 95% (module notes); the values' rounding alone
        (:func:`rounding_floor`) when ``perms`` holds every permutation equally often or no
        contribution varies (the values are then exact).
    """
    phi, std, _ = _permutation_fit(perms, prefix_values, output_eps)
    return phi, std


def _permutation_fit(perms, prefix_values, output_eps):
    """:func:`shapley_from_permutations`, and the rows that showed no change
    (:func:`nothing_changed`; None where the permutations hold every order), for ``tol``'s test."""
    phi, std = _permutation_std(perms, prefix_values, output_eps)
    prefix_values = np.asarray(prefix_values)
    std = rounding_floor(std, prefix_values, prefix_values[:, 0, 0], output_eps=output_eps)
    unchanged = None
    if perms.shape[1] > 1 and not _every_order_equally(perms):
        unchanged = nothing_changed(prefix_values, prefix_values[:, 0, 0], output_eps)
        std = np.where(unchanged[:, None, :], np.inf, std)
    return phi, std, unchanged


def _permutation_std(perms, prefix_values, output_eps):
    """:func:`shapley_from_permutations` before the rounding floor."""
    # one memory layout whatever the caller's (a batch's values came strided, a row's not):
    # numpy's reductions follow the layout, and a row's error changed in its last bit with it
    prefix_values = np.ascontiguousarray(prefix_values)
    n, n_perm, _, k = prefix_values.shape
    p = perms.shape[1]
    steps = np.diff(prefix_values, axis=2)  # contribution of perms[:, i] at step i
    contrib = np.empty_like(steps)
    idx = np.broadcast_to(perms[None, :, :, None], steps.shape)
    np.put_along_axis(contrib, idx, steps, axis=2)
    # Summed permutation after permutation (not numpy's pairwise reduction, whose order depends
    # on the array's shape), so a row's values do not depend on the rows explained with it.
    total = contrib[:, 0].copy()
    for j in range(1, n_perm):
        total += contrib[:, j]
    phi = total / n_perm
    if _every_order_equally(perms):
        # the mean over every order is the Shapley value itself: no sampling error (on 2
        # players every antithetic pair is both orders; the floor below reported 2.9 there)
        return phi, np.zeros_like(phi)
    if n_perm < 2:
        # One permutation shows no spread: the error is unknown (inf, as documented for the
        # other designs without degrees of freedom), not NaN; one player is exact.
        return phi, np.full_like(phi, 0.0 if p == 1 else np.inf)
    var_single = contrib.var(axis=1, ddof=1)
    n_pairs = n_perm // 2
    # A player counts as varying when its contributions vary beyond rounding: 1e-12 of the row's
    # largest contribution, or the rounding of the outputs they are differences of (64 eps of
    # the row's largest value, eps of the outputs' own precision), where that is larger. With
    # the first alone, f + 1e6 made the null players' rounding noise (1e-10) read as variation
    # and changed every reported error; so did float32 outputs (noise 1e-7).
    eps = float(np.finfo(np.float64).eps) if output_eps is None else max(float(output_eps), 0.0)
    rounding = np.maximum(1e-12 * np.abs(contrib).max(axis=(1, 2)), 64 * eps * np.abs(prefix_values).max(axis=(1, 2)))[
        :, None, :
    ]
    live = var_single > rounding**2
    # A player whose contributions never varied on the sampled permutations while others of its
    # row did is not shown exact: its contribution can differ on permutations not drawn (a tree's
    # split reached only when a few players come first; errors of 1.8 times the row's reported
    # errors came with an error of 0 at 16 permutations). It borrows the mean single variance of
    # the row's varying players (then the floor below, the pairs' variance reduction on the row,
    # applies to it as to them: on a game that pairs recover exactly it stays 0). Where no player
    # varies (an additive row) the values are exact and the error stays 0.
    # A player that every pair met at the same place after the same players (first or last in
    # each forward permutation: the coalitions {} and N \ {j}, chance (2/p)^2 at 4 permutations)
    # has seen one unit, twice: its contributions' spread is that unit's, not the spread over
    # units. It borrows too (its own, 1e-10 at an end of the order, had reported std 4e-5 for
    # a value off by 0.02, z = 500, on a wine logistic model at 4 permutations).
    one_unit = _one_unit_players(perms[: 2 * n_pairs])[None, :, None] & live
    faint = _faint_players(var_single, live & ~one_unit)
    informative = live & ~one_unit & ~faint
    borrowed = np.where(informative, var_single, 0.0).sum(axis=1, keepdims=True) / np.maximum(
        informative.sum(axis=1, keepdims=True), 1
    )
    still = (~live | one_unit | faint) & informative.any(axis=1, keepdims=True)
    var_single = np.where(still, borrowed, var_single)
    if n_pairs >= 2:
        pairs = contrib[:, : 2 * n_pairs].reshape(n, n_pairs, 2, p, k).mean(axis=2)
        var_pair = pairs.var(axis=1, ddof=1)
        # Variance reduction of the pairs on this row, the mean of the players' own: the floor.
        # Weighting them by their single variance (as before) let the high-variance players,
        # whose pairs can cancel far better than the others', set every player's floor: 6
        # permutations covered 0.917 on an interaction game. A player counts when its
        # contributions vary beyond rounding (as for ``live``): a ratio of two
        # rounding-level variances says nothing, and on a game that pairs recover exactly
        # (order 2) it would raise every other player's floor.
        # A player whose pairs all agree (their means equal to rounding) says nothing about the
        # others' variance reduction (pairs recover it exactly, or agreed by chance): its ratio of
        # 0 left out of the mean, which it lowered for every other player (the non-exact values of
        # the interaction-heavy calibration game, 2 of its 10 players recovered exactly, covered
        # 0.89 at 6 permutations; 0.92 without those ratios, 0.98 at 4).
        counted = live & ~faint & (var_pair > rounding**2)
        with np.errstate(invalid="ignore", divide="ignore"):
            own = np.where(counted, var_pair / np.where(live, var_single, 1.0), 0.0)
        ratio = own.sum(axis=1, keepdims=True) / np.maximum(counted.sum(axis=1, keepdims=True), 1)
        # No varying player's pairs showed any spread: either pairs recover the game exactly (a
        # game of order 2) or every pair fell in the same class by chance (a pair's mean takes
        # two values on a three-way interaction, equal on all 4 pairs a fifth of the time: an
        # error of 0.25 came with an error of 1e-14 at 4 and 8 permutations). The sample cannot
        # tell them apart: no variance reduction is assumed (ratio 1), fading as 1/n_pairs.
        ratio = np.where(live.any(axis=1, keepdims=True) & (ratio <= 1e-12), 1.0, ratio)
        # The floor fades as 1/n_pairs: it guards against a few pairs agreeing by chance, and
        # is gone by the time the pairs' own spread is well estimated (4-50 permutations cover
        # 0.93-0.99 on the calibration games, benchmarks/probe_sampling_floor.py; a three-way
        # product gated by a step covers 0.88-0.89 at 8-12, benchmarks/probe_gated_step_game.py).
        var_unit = np.maximum(var_pair, ratio * var_single / n_pairs)
        # A varying player whose pairs all agree: its pair mean takes few values (whether its
        # interaction partners sit on one side of it or not), and none of the n_pairs showed
        # another. The pairs' variance, 0, is the Wald interval's at 0 successes, which misses
        # exactly where the estimate is off; as Agresti and Coull do for a proportion, z^2
        # pseudo-pairs with the prior spread (the row's ratio times the player's single variance)
        # join the n_pairs - 1 degrees of freedom of the pairs' spread. The values those players
        # miss by were covered 0.62 on a three-way interaction at 8 permutations (all values:
        # 0.903, now 0.947; calibration.md, 2026-12-05).
        agreed = live & ~counted
        var_unit = np.where(
            agreed, np.maximum(var_unit, PSEUDO_PAIRS * ratio * var_single / (n_pairs - 1 + PSEUDO_PAIRS)), var_unit
        )
        # phi is the mean of the n_perm contributions: the pairs' means, and with an odd count
        # the last permutation alone, whose single variance the pairs' spread does not show (5
        # permutations covered 0.87 on a 3-class booster without it).
        var_phi = (4 * n_pairs * var_unit + (n_perm % 2) * var_single) / n_perm**2
        std = np.sqrt(var_phi) * t_inflation(n_pairs - 1) * _skewness_inflation(pairs, phi, counted)
    else:
        # One pair, the only sampling unit: no spread over units can be estimated. The spread of
        # its two permutations (forward and reverse) is not the units' and vanishes when they
        # happen to agree: a value off by 20% of its row's largest reported std 1e-4 (z = 563,
        # an outside audit). The error is unknown (inf, as KernelSHAP's single pair); a row
        # whose players never vary (additive) stays exact.
        std = np.where(var_single > rounding**2, np.inf, 0.0)
    return phi, std


def permutation_estimate(
    evaluate,
    p,
    n_permutations,
    *,
    tol=None,
    random_state=None,
    error=None,
    budget_name="n_permutations",
    output_eps=None,
):
    """Antithetic permutation sampling over a game.

    With ``tol``, permutations are walked in doubling steps (from a quarter of them, in pairs)
    until ``1.96 * std`` is at most ``tol`` times its row's largest absolute value (``error`` as
    in :func:`kernel_estimate`); when they run out first, a ``ConvergenceWarning`` names
    ``budget_name``, the caller's parameter that sets the permutations. ``output_eps`` is the
    precision of the model's outputs (:func:`shapley_from_permutations`).
    """
    from skxai.utils._random import check_random_state

    rng = check_random_state(random_state)
    perms = antithetic_permutations(p, n_permutations, rng)
    steps = [n_permutations]
    if tol is not None:
        steps = [min(n_permutations, max(4, 2 * (n_permutations // 8)))]
        while steps[-1] < n_permutations:
            steps.append(min(n_permutations, 2 * steps[-1]))
    cached = CachedGame(evaluate)
    met = False
    scale = None
    for n_perm in steps:
        sub = perms[:n_perm]
        uniq, inverse = unique_coalitions(permutation_masks(sub).reshape(-1, p))
        values = cached(uniq)
        if scale is None:  # one scale for every step (see output_scale)
            scale = output_scale(values)[:, None, :]
        prefix = values[:, inverse].reshape(values.shape[0], n_perm, p + 1, -1)
        if p < 62 and cached.n_evaluated == 2**p:
            # The permutations have visited every coalition: the exact values cost no model
            # call more (tol asked for "raise n_permutations" where no permutation could help).
            exact = exact_estimate(cached, p, output_eps=output_eps)
            exact.extras.update(n_evaluations=cached.n_evaluated, n_permutations=n_perm)
            if tol is not None and error is not None and not _within_tol(*error(exact.phi, exact.std), tol):
                # exact on the game, but a conditional game's own Monte Carlo error misses tol
                _warn_tol_not_met(
                    tol, exact.phi, exact.std, f"{n_perm} permutations (every coalition evaluated)", budget_name, error
                )
            return exact
        phi, std, unchanged = _permutation_fit(sub, prefix / scale[:, None], output_eps)
        phi, std = phi * scale, std * scale
        if tol is not None and _within_tol(*(error(phi, std) if error else (phi, std)), tol, unchanged):
            met = True
            break
    if tol is not None:
        if not met:
            _warn_tol_not_met(tol, phi, std, f"{n_permutations} permutations", budget_name, error, unchanged)
        if unchanged is not None:
            _warn_unchanged_rows(unchanged, budget_name, spent_all=n_perm == n_permutations)
    # every row walked the same permutations: their errors are correlated (BarDisplay)
    extras = {"n_evaluations": cached.n_evaluated, "n_permutations": n_perm, "std_rows_correlated": True}
    return Estimate(phi, prefix[:, 0, 0], std, extras)
