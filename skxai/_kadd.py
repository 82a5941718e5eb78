"""The k-additive KernelSHAP fit: its ridge, its interaction features, and its replicate fits.

The fit itself (all interactions up to an odd order, ridge-penalised, under KernelSHAP's weights
and efficiency constraint) is solved in its dual form by :func:`skxai._estimate._kadd_solve`:
one m x m system whatever the number of interaction terms t. The jackknife refits it 8 to 32
times on reweighted designs. When t is well below m the primal normal equations (t x t) cost
far less, and a replicate's weights differ from the design's by one factor per stratum (its
deleted units aside), so :class:`KaddReplicateFits` assembles each replicate's normal matrix
from Gram matrices computed once per stratum.
"""

from __future__ import annotations

import itertools

import numpy as np
import scipy.linalg
from scipy.special import comb


def n_interaction_terms(p, order):
    """Number of subsets of size 1..order of p players."""
    return int(sum(comb(p, s, exact=True) for s in range(1, order + 1)))


def kadd_penalties(p, order, m, mean_weight):
    """Ridge penalty of an interaction of each size 1..order (index 0 unused)."""
    # Far beyond the interpolation threshold (q >> m) a light ridge acts like the minimum-norm
    # fit; near it (q ~ m) higher orders need damping (double descent). Main effects get a
    # vanishing penalty so additive games stay exact.
    growth = 1.0 if n_interaction_terms(p, order) >= 2 * m else 10.0
    pen = np.empty(order + 1)
    pen[0] = np.inf
    base = 1e-3 * mean_weight
    pen[1] = 1e-4 * base
    for size in range(2, order + 1):
        pen[size] = base * growth ** (size - 2.0)
    return pen


def interaction_features(Z, order):
    """Features ``z_T = prod_{j in T} z_j`` for every subset ``1 <= |T| <= order``.

    Returns ``Phi`` (m, t) float64, the size of each subset (t,), and ``L`` (p, t), the map from
    a k-additive game's coefficients to its Shapley values (``1/|T|`` to each member of T).
    """
    Z = np.asarray(Z, dtype=bool)
    m, p = Z.shape
    cols, sizes, maps = [], [], []
    for s in range(1, order + 1):
        members = np.array(list(itertools.combinations(range(p), s)), dtype=np.intp).reshape(-1, s)
        cols.append(Z[:, members].all(axis=2))
        sizes.append(np.full(len(members), s))
        L_s = np.zeros((p, len(members)))
        L_s[members, np.arange(len(members))[:, None]] = 1.0 / s
        maps.append(L_s)
    return np.hstack(cols).astype(np.float64), np.concatenate(sizes), np.hstack(maps)


def primal_is_cheaper(p, order, m):
    """Whether the replicate fits run in primal form: at most half as many terms as coalitions.

    Then a replicate costs a t x t factorisation (t^3 / 3, under a twentieth of the dual's
    m^3 / 3) and its Gram matrices at most what the dual's m x m system holds.
    """
    return 2 * n_interaction_terms(p, order) <= m


class KaddReplicateFits:
    """k-additive fits of one design under reweightings of its sampling units, in primal form.

    The fit of ``y`` with weights ``w``: ``min sum_i w_i (y_i - Phi_i b)^2 + b' P b`` subject to
    ``1' b = 0`` (the efficiency gap the linear fit leaves is zero), returned as Shapley values
    ``L b``. ``P`` depends on the kept coalitions' count and mean weight as in the dual
    (:func:`kadd_penalties`), so both forms solve the same problem.

    Parameters
    ----------
    design : CoalitionDesign
    order : int
    unit_stratum : ndarray of shape (n_units,)
        Stratum of each sampling unit (the collapsed strata the jackknife deletes within).
    """

    def __init__(self, design, order, unit_stratum):
        self.order = order
        self.p = design.masks.shape[1]
        self.w = np.asarray(design.weights, dtype=np.float64)
        self.Phi, self.sizes, self.L = interaction_features(design.masks, order)
        m, t = self.Phi.shape
        unit = np.asarray(design.unit)
        self.row_stratum = np.full(m, -1)
        sampled = unit >= 0
        self.row_stratum[sampled] = np.asarray(unit_stratum)[unit[sampled]]
        n_strata = int(self.row_stratum.max()) + 1
        self.strata_rows = [np.flatnonzero(self.row_stratum == h) for h in range(n_strata)]
        self.fixed_rows = np.flatnonzero(~sampled)
        # Per-stratum Gram matrices when they fit in the dual's own m x m budget; else each
        # replicate's normal matrix is built from its rows (m t^2, still under the dual's m^3 / 3).
        self.grams = None
        if 8 * (n_strata + 3) * t * t <= 8 * m * m:
            self.fixed = self._gram(self.fixed_rows, self.w)
            # One row per stratum: a replicate's rescaled sum is one matrix-vector product.
            self.grams = np.stack([self._gram(rows, self.w).ravel() for rows in self.strata_rows])

    def _gram(self, rows, w):
        Phi = self.Phi[rows]
        return (Phi * w[rows, None]).T @ Phi

    def _normal_matrix(self, w):
        """``Phi' W Phi`` for weights ``w``: from the strata's Gram matrices when ``w`` rescales
        each stratum by one factor (units deleted aside), else from the rows."""
        if self.grams is not None and np.array_equal(w[self.fixed_rows], self.w[self.fixed_rows]):
            factors = np.zeros(len(self.strata_rows))
            deleted = np.zeros(len(w))  # the deleted rows' weights, times their stratum's factor
            for h, rows in enumerate(self.strata_rows):
                ratio = w[rows] / self.w[rows]
                kept = ratio > 0
                if not kept.any():
                    continue
                c = ratio[kept][0]
                if np.abs(ratio[kept] - c).max() > 1e-12 * abs(c):
                    return self._gram(np.arange(len(w)), w)
                factors[h] = c
                deleted[rows[~kept]] = c * self.w[rows[~kept]]
            t = len(self.fixed)
            A = self.fixed + (factors @ self.grams).reshape(t, t)
            gone = np.flatnonzero(deleted)
            if len(gone):  # all strata's deleted rows in one product
                A -= self._gram(gone, deleted)
            return A
        return self._gram(np.arange(len(w)), w)

    def operator(self, w):
        """``T (p, m)`` with ``L b = T y`` for any ``y``, or None when the system is singular.

        With ``A = Phi' W Phi + P``, ``X = A^-1 L'`` and ``u = A^-1 1``: ``T = (X' - (L u) u' /
        (1' u)) Phi' W``. Applied column by column, a row's values do not depend on the others.
        """
        keep = w > 0
        A = self._normal_matrix(w)
        pen = kadd_penalties(self.p, self.order, int(keep.sum()), float(w[keep].mean()))
        A[np.diag_indices_from(A)] += pen[self.sizes]
        try:
            factor = scipy.linalg.cho_factor(A, lower=True, overwrite_a=True, check_finite=False)
        except np.linalg.LinAlgError:
            return None
        rhs = np.hstack([self.L.T, np.ones((len(A), 1))])
        sol = scipy.linalg.cho_solve(factor, rhs, check_finite=False)
        X, u = sol[:, :-1], sol[:, -1]
        left = X.T - np.outer(self.L @ u, u) / u.sum()
        return (left @ self.Phi.T) * w
