"""Shapley contributions of one leaf, for every pattern of satisfied path conditions.

A row meets a leaf only through which of the leaf's ``d`` merged path conditions (one per
player on the path: the intersection of its split intervals) it satisfies, a bit
pattern ``alpha`` in ``0 .. 2**d - 1`` (bit ``i`` for the ``i``-th player). The tables
below give, for every pattern, the Shapley value of every path player in the leaf's
game (times the leaf value, applied by the caller).

Both games are written with the Beta-integral form of the Shapley weights,
``|S|! (d - |S| - 1)! / d! = int_0^1 t^|S| (1 - t)^(d - |S| - 1) dt``, whose integrand is a
polynomial of degree ``d - 1`` in ``t``: Gauss-Legendre quadrature with ``ceil(d / 2)``
nodes is exact (the idea of Linear TreeShap, Yu et al. 2022).

Path-dependent game (Lundberg et al. 2020): ``v(S) = prod_{i in S} a_i prod_{i not in S} r_i``
with ``a_i`` the satisfied bit and ``r_i`` the product of the cover ratios of the player's
nodes. ``phi_i = (a_i - r_i) int_0^1 prod_{k != i} g_k(t) dt`` with
``g_k = a_k t + (1 - t) r_k``.

Interventional game against background rows ``b`` with patterns ``beta`` (weights ``w_b``):
``v(S) = sum_b w_b prod_i [x_i satisfies if i in S else b_i satisfies]``. For one pair the
game is ``1[P within S, S misses N]`` (P: players only x satisfies, N: only b; zero when
a player fails for both) whose Shapley values are ``B(|P|, |N| + 1)`` on P and
``-B(|P| + 1, |N|)`` on N. Summed over the background this is a tensor-product
transform of the background histogram with the 2x2 kernel ``M(alpha, beta)``:
``M(1, 1) = 1, M(1, 0) = t, M(0, 1) = 1 - t, M(0, 0) = 0``; each player's own factor is
recovered from the transform by one division, so a leaf costs ``O(d 2^d)`` per node.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

# Leaves are processed in groups so temporaries stay near this many floats.
_TEMP_FLOATS = 1 << 22
# Passes over bits 1 .. _RUN_BITS - 1 of tables of at least 2**_RUN_MIN_BITS patterns go one
# position of the bit's runs at a time: a pass over runs of 2, 4 or 8 contiguous entries spent
# most of its time starting numpy's inner loops (d = 10: 1.7 ms for bit 1 against 0.2 for bit 9).
# The arithmetic of each entry is the same, so the tables are the same to the bit.
_RUN_BITS = 4
_RUN_MIN_BITS = 7


@lru_cache(maxsize=64)
def _gauss01(q):
    x, w = np.polynomial.legendre.leggauss(q)
    x, w = (x + 1.0) / 2.0, w / 2.0
    x.setflags(write=False)
    w.setflags(write=False)
    return x, w


def gauss01(d):
    """Gauss-Legendre nodes and weights on [0, 1], exact for polynomials of degree < d."""
    return _gauss01(max(1, (int(d) + 1) // 2))


def _bits(d):
    """``(2**d, d)`` 0/1 matrix: bit i of every pattern."""
    codes = np.arange(2**d)
    return ((codes[:, None] >> np.arange(d)) & 1).astype(np.float64)


def path_dependent_tables(r):
    """Per-pattern Shapley contributions of the path-dependent game.

    Parameters
    ----------
    r : ndarray (n_leaves, d)
        Cover ratio of each path player (product over its nodes), in ``[0, 1]``.

    Returns
    -------
    T : ndarray (n_leaves, 2**d, d)
        ``T[l, alpha, i]``: Shapley value of player i for a row with pattern alpha (leaf
        value 1); a view of a ``(n_leaves, d, 2**d)`` array.
    """
    r = np.asarray(r, dtype=np.float64)
    n_leaves, d = r.shape
    P = 2**d
    if d == 0 or n_leaves == 0:
        return np.zeros((n_leaves, P, d))
    t, w = gauss01(d)
    q = len(t)
    out = np.empty((n_leaves, d, P))
    on = _bits(d).T.astype(bool)  # (d, P): bit i of every pattern
    step = max(1, _TEMP_FLOATS // (P * (q + 2 * d)))
    for start in range(0, n_leaves, step):
        rr = r[start : start + step, :, None]  # (L, d, 1)
        L = len(rr)
        g1 = t + (1.0 - t) * rr  # (L, d, q): factor of a satisfied player
        g0 = (1.0 - t) * rr  # unsatisfied
        # phi_i = (a_i - r_i) sum_m w_m G_m(alpha) / g_{a_i}(t_m): the division removes a
        # factor of G exactly; g0 vanishes only where r_i = 0, and then phi_i = 0.
        c1 = w * (1.0 - rr) / g1
        c0 = -np.divide(w * rr, g0, out=np.zeros_like(g0), where=g0 > 0)
        G = np.empty((L, q, P))
        G[:, :, 0] = 1.0
        for k in range(d):
            n = 1 << k
            np.multiply(G[:, :, :n], g1[:, k, :, None], out=G[:, :, n : 2 * n])
            G[:, :, :n] *= g0[:, k, :, None]
        # every player's sum for both of its bits, then the one its pattern holds
        o = out[start : start + step]
        np.matmul(c0, G, out=o)
        np.copyto(o, np.matmul(c1, G), where=on)
    return out.transpose(0, 2, 1)


def interventional_tables(h, d):
    """Per-pattern Shapley contributions of the interventional game.

    Parameters
    ----------
    h : ndarray (n_leaves, 2**d)
        Background weight of each pattern (rows' weights summed per pattern).
    d : int

    Returns
    -------
    T : ndarray (n_leaves, 2**d, d)
        A view of a ``(n_leaves, d, 2**d)`` array.
    """
    h = np.asarray(h, dtype=np.float64)
    n_leaves = h.shape[0]
    P = 2**d
    if d == 0 or n_leaves == 0:
        return np.zeros((n_leaves, P, d))
    t, w = gauss01(d)
    q = len(t)
    tt = t[None, :, None, None]
    omt = 1.0 - tt
    # phi_i(alpha) = -K(alpha) if alpha_i = 0, J(alpha) - Q(alpha without i) if alpha_i = 1,
    # with K, J, Q weighted sums over the nodes of the transformed histogram H_m.
    coef = np.stack([w / (1.0 - t), w / t, w / (t * (1.0 - t))], axis=0)  # (3, q)
    out = np.empty((n_leaves, d, P))
    step = max(1, _TEMP_FLOATS // (P * (q + d + 3)))
    for start in range(0, n_leaves, step):
        hh = h[start : start + step]
        L = len(hh)
        H = np.repeat(hh[:, None, :], q, axis=1)
        for k in range(d):
            # In place, the new bit k is stored complemented; undone by reversing below.
            v = H.reshape(L, q, P >> (k + 1), 2, 1 << k)
            for j in _runs(k, d):
                b0, b1 = v[:, :, :, 0, j], v[:, :, :, 1, j]
                b0 *= tt if b0.ndim == 4 else tt[..., 0]
                b0 += b1
                b1 *= omt if b1.ndim == 4 else omt[..., 0]
        KJQ = np.matmul(coef, H)[:, :, ::-1]  # (L, 3, P) in true pattern order
        K, J, Q = KJQ[:, 0], KJQ[:, 1], KJQ[:, 2]
        o = out[start : start + step]
        for i in range(d):
            shape = (L, P >> (i + 1), 2, 1 << i)
            oi = o[:, i, :].reshape(shape)
            for j in _runs(i, d):
                np.negative(K.reshape(shape)[:, :, 0, j], out=oi[:, :, 0, j])
                np.subtract(J.reshape(shape)[:, :, 1, j], Q.reshape(shape)[:, :, 0, j], out=oi[:, :, 1, j])
    return out.transpose(0, 2, 1)


def _runs(k, d):
    """Index of the positions within bit ``k``'s runs of ``2**k`` entries that one pass covers:
    all at once (a slice), or one at a time on short runs of large tables (an integer, which
    drops the axis so numpy runs one strided loop: see ``_RUN_BITS``)."""
    if 0 < k < _RUN_BITS and d >= _RUN_MIN_BITS:
        return range(1 << k)
    return [slice(None)]
