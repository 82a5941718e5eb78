"""The k-additive KernelSHAP fit: its ridge, its interaction features, and its replicate fits.

The fit itself (all interactions up to an odd order, ridge-penalised, under KernelSHAP's weights
and efficiency constraint) is solved in its dual form by :func:`skxai._estimate._kadd_solve`:
one m x m system whatever the number of interaction terms t. The jackknife refits it 8 to 32
times on reweighted designs. When t is well below m the primal normal equations (t x t) cost
far less, and :class:`KaddReplicateFits` reads each weighting's normal matrix from the superset
sums of its weights over all coalitions (no product of the m x t interaction features).
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


#: Most players for the primal form: its normal matrices are read from superset sums over all
#: ``2 ** p`` coalitions (8 MiB at 20 players). It is only cheaper up to 19 players anyway (at
#: most :data:`~skxai._estimate.KADD_JACKKNIFE_MAX` coalitions, twice as many as terms).
PRIMAL_MAX_PLAYERS = 20


def primal_is_cheaper(p, order, m):
    """Whether the replicate fits run in primal form: at most half as many terms as coalitions
    (and at most :data:`PRIMAL_MAX_PLAYERS` players).

    Then a replicate costs a t x t factorisation (t^3 / 3, under a twentieth of the dual's
    m^3 / 3), and its normal matrix a pass over the ``2 ** p`` coalitions and a t x t gather.
    """
    return p <= PRIMAL_MAX_PLAYERS and 2 * n_interaction_terms(p, order) <= m


def superset_sums(f, p):
    """``g[U] = sum over V containing U of f[V]``, in place, over the last axis (``2 ** p``
    coalitions coded by their bits): one pass per player (the zeta transform)."""
    lead = f.shape[:-1]
    for j in range(p):
        # axis -2 is player j's bit: add each coalition holding j into the same one without j
        v = f.reshape(lead + (-1, 2, 1 << j))
        v[..., 0, :] += v[..., 1, :]
    return f


def coalition_codes(Z):
    """Integer code ``sum_j z_j 2^j`` of each coalition (rows of a boolean mask matrix)."""
    Z = np.asarray(Z, dtype=bool)
    return Z.astype(np.int64) @ (np.int64(1) << np.arange(Z.shape[1], dtype=np.int64))


def complement_partners(Z):
    """Row of each coalition's complement in the boolean mask matrix ``Z``, or None when some
    complement is missing (the design is not made of complement pairs)."""
    Z = np.asarray(Z, dtype=bool)
    m, p = Z.shape
    if p <= 62:
        codes = coalition_codes(Z)
        wanted = codes ^ ((np.int64(1) << p) - 1)
    else:  # beyond int64 codes: the rows' bytes
        codes = np.packbits(Z, axis=1).view(np.dtype((np.void, (p + 7) // 8))).ravel()
        wanted = np.packbits(~Z, axis=1).view(np.dtype((np.void, (p + 7) // 8))).ravel()
    order = np.argsort(codes, kind="stable")
    pos = np.minimum(np.searchsorted(codes[order], wanted), m - 1)
    partner = order[pos]
    return partner if m and bool((codes[partner] == wanted).all()) else None


def antisymmetric_values(Z, v0, v1, values):
    """Coalition values of the game's antisymmetric part, ``(v(S) - v(N \\ S)) / 2``, plus the
    constant ``(v0 + v1) / 2``; None when the design is not made of complement pairs.

    A game and its dual ``v*(S) = v(N) - v(N \\ S)`` have the same Shapley values, so the values
    depend on the antisymmetric part alone. The paired linear fit already sees only that part;
    the k-additive fit of ``v`` itself would also fit the symmetric rest with its even-order
    terms, whose ridge then pulls on the values (games of order 2, whose antisymmetric part is
    additive, lost their exactness: relative error 0.004-0.011). On these values what the linear
    fit leaves is antisymmetric, and a game of order 2 is fitted exactly
    (benchmarks/probe_antisymmetric_kadd.py).

    ``values`` is ``(n, m, k)``, ``v0`` and ``v1`` ``(n, k)``.
    """
    partner = complement_partners(Z)
    if partner is None:
        return None
    return (values - values[:, partner]) / 2 + ((v0 + v1) / 2)[:, None, :]


class KaddReplicateFits:
    """k-additive fits of one design under any weighting of its coalitions, in primal form.

    The fit of ``y`` with weights ``w``: ``min sum_i w_i (y_i - Phi_i b)^2 + b' P b`` subject to
    ``1' b = 0`` (the efficiency gap the linear fit leaves is zero), returned as Shapley values
    ``L b``. ``P`` depends on the kept coalitions' count and mean weight as in the dual
    (:func:`kadd_penalties`), so both forms solve the same problem.

    The normal matrix needs no product of ``Phi``: since ``Phi_iS Phi_iT = [S u T in z_i]``, its
    entry ``(S, T)`` is the total weight of the coalitions holding ``S u T``, read from the
    superset sums of the weights over all ``2 ** p`` coalitions. A jackknife replicate (whose
    weights rescale whole strata and drop a group of units) then costs ``O(m + p 2^p + t^2)``
    before its factorisation, not the ``m t^2`` of a Gram product.

    Parameters
    ----------
    design : CoalitionDesign
    order : int
    """

    def __init__(self, design, order):
        self.order = order
        self.p = design.masks.shape[1]
        if self.p > PRIMAL_MAX_PLAYERS:
            raise ValueError(f"the primal form takes at most {PRIMAL_MAX_PLAYERS} players, got {self.p}.")
        self.Phi, self.sizes, self.L = interaction_features(design.masks, order)
        self.codes = coalition_codes(design.masks)
        # the code of each term (the coalition of its members), then of each pair's union
        terms = coalition_codes(self.L.T > 0)
        self.union = terms[:, None] | terms[None, :]

    def _normal_matrix(self, w):
        """``Phi' W Phi`` for weights ``w`` (one per coalition of the design)."""
        f = np.bincount(self.codes, weights=w, minlength=1 << self.p)
        return superset_sums(f, self.p)[self.union]

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
