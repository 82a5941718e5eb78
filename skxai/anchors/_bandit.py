"""KL-LUCB machinery: Bernoulli KL confidence bounds and the exploration rate.

The bounds are the exact KL-UCB/KL-LCB of Kaufmann & Kalyanakrishnan (2013), solved to
machine precision by a monotone multi-step root search (not the one-step, Hoeffding-like
shortcut of some implementations), vectorised over arms.
"""

from __future__ import annotations

import numpy as np
from scipy.special import xlogy

#: Constants of the KL-LUCB exploration rate used by Anchors (Ribeiro et al. 2018).
LUCB_K = 405.5
LUCB_ALPHA = 1.1
_N_NEWTON = 10


def kl_bernoulli(p, q):
    """KL divergence ``KL(Bernoulli(p) || Bernoulli(q))``, elementwise.

    Exact at ``p`` in {0, 1}; infinite where ``q`` is 0 or 1 and differs from ``p``.

    Examples
    --------
    >>> from skxai.anchors._bandit import kl_bernoulli
    >>> round(float(kl_bernoulli(0.5, 0.25)), 6)
    0.143841
    """
    p = np.asarray(p, dtype=np.float64)
    q = np.asarray(q, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = xlogy(p, p) - xlogy(p, q) + xlogy(1 - p, 1 - p) - xlogy(1 - p, 1 - q)
    return np.where(np.isnan(out), np.inf, out)


def _kl_root(p, level, upper):
    p, level = np.broadcast_arrays(np.asarray(p, dtype=np.float64), np.asarray(level, dtype=np.float64))
    p = np.clip(p, 0.0, 1.0)
    level = np.maximum(level, 0.0)
    # g(q) = KL(p, q) - level is convex in q, increasing on [p, 1) and decreasing on (0, p].
    # Newton's method started on the outer side of the root (where g >= 0) then moves
    # monotonically towards it and never crosses it: every iterate is a valid (conservative)
    # bound, and convergence is quadratic. Pinsker (KL >= 2 (q - p)^2) gives the start on the
    # near side; for the lower bound, KL(p, q) >= p log(p / q) + (1 - p) log(1 - p) gives a
    # start that is never too far from 0.
    h = xlogy(p, p) + xlogy(1.0 - p, 1.0 - p)
    half = np.sqrt(level / 2.0)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if upper:
            q = np.minimum(p + half, 1.0 - 1e-16)
            q = np.where(q < p, p, q)
            alt = 1.0 - (1.0 - p) * np.exp(-(level - xlogy(p, p)) / (1.0 - p))
            q = np.minimum(q, np.where(p < 1.0, np.maximum(alt, p), q))
        else:
            q = np.maximum(p - half, 1e-300)
            alt = p * np.exp(-(level - xlogy(1.0 - p, 1.0 - p)) / p)
            q = np.maximum(q, np.where(p > 0.0, np.minimum(alt, p), q))
        for _ in range(_N_NEWTON):
            g = h - xlogy(p, q) - xlogy(1.0 - p, 1.0 - q) - level
            slope = (q - p) / (q * (1.0 - q))
            step = np.where((g > 0) & (slope != 0), g / slope, 0.0)
            q = np.clip(q - step, 0.0, 1.0)
    if upper:
        return np.where((p >= 1.0) | (level == 0), np.maximum(p, np.where(p >= 1, 1.0, q)), q)
    return np.where((p <= 0.0) | (level == 0), np.minimum(p, np.where(p <= 0, 0.0, q)), q)


def kl_upper_bound(p, level):
    """Largest ``q >= p`` with ``KL(p, q) <= level`` (elementwise, to machine precision).

    Parameters
    ----------
    p : array-like
        Empirical means in [0, 1].
    level : array-like
        ``beta / n``, non-negative.

    Returns
    -------
    ndarray
        Upper confidence bounds, never below the exact root (Newton iterates from above).
    """
    return _kl_root(p, level, True)


def kl_lower_bound(p, level):
    """Smallest ``q <= p`` with ``KL(p, q) <= level`` (elementwise, to machine precision).

    Returns
    -------
    ndarray
        Lower confidence bounds, never above the exact root (Newton iterates from below).

    Examples
    --------
    >>> from skxai.anchors._bandit import kl_bernoulli, kl_lower_bound
    >>> q = kl_lower_bound(0.9, 0.05)
    >>> bool(abs(kl_bernoulli(0.9, q) - 0.05) < 1e-9)
    True
    """
    return _kl_root(p, level, False)


def lucb_beta(n_arms, t, delta):
    """Exploration rate ``beta(t) = log(k n t^alpha / delta) + log log(k n t^alpha / delta)``."""
    temp = np.log(LUCB_K * n_arms * float(t) ** LUCB_ALPHA / delta)
    return temp + np.log(temp)


def validation_beta(n_units, beam_size, delta):
    """Confidence level for validating a chosen anchor.

    The anchor was picked among the at most ``beam_size * n_units`` candidates of its size,
    with samples that also drove the choice, so the bound takes a union over all of them
    (anchor-exp's ``(beam_size - 1) * n_units + 1`` vanishes at ``beam_size=1``, which leaves
    greedy searches validated at the bare ``log(1 / delta)`` level).
    """
    return np.log((1 + beam_size * n_units) / delta)


def kl_bounds(counts, beta):
    """Mean, KL lower and upper bound at level ``beta / n``, and ``n``, of ``(n, n_positive)`` rows.

    The one place both anchor searches turn counts into confidence bounds (the text search on
    perturbation samples, the tabular search on background rows). Rows with ``n = 0`` get the
    vacuous bounds [0, 1] and mean 0.

    Examples
    --------
    >>> import numpy as np
    >>> from skxai.anchors._bandit import kl_bounds
    >>> mean, lb, ub, n = kl_bounds(np.array([[10, 10], [0, 0]]), np.log(10))
    >>> mean.tolist(), bool(lb[0] < 1.0 == ub[0]), float(lb[1]), float(ub[1])
    ([1.0, 0.0], True, 0.0, 1.0)
    """
    st = np.asarray(counts, dtype=np.float64).reshape(-1, 2)
    n = st[:, 0]
    mean = np.where(n > 0, st[:, 1] / np.maximum(n, 1), 0.0)
    level = beta / np.maximum(n, 1)
    lb = np.where(n > 0, kl_lower_bound(mean, level), 0.0)
    ub = np.where(n > 0, kl_upper_bound(mean, level), 1.0)
    return mean, lb, ub, n


def accepts(mean, lb, n, threshold, epsilon_stop):
    """The acceptance rule of both searches: precision estimate >= ``threshold`` and its lower
    bound >= ``threshold - epsilon_stop``, on samples that did not choose the anchor."""
    return (np.asarray(n) > 0) & (np.asarray(mean) >= threshold) & (np.asarray(lb) >= threshold - epsilon_stop)


def empty_anchor_bar(threshold, epsilon_stop):
    """The lower bound the empty anchor must reach: the threshold itself, as in anchor-exp (it
    claims that nothing needs keeping), but ``threshold - epsilon_stop`` at a threshold of 1,
    which no finite sample's bound reaches: the empty anchor was never accepted there, and a
    model that decides the same everywhere got an arbitrary first feature or word instead."""
    return threshold - epsilon_stop if threshold >= 1.0 else threshold
