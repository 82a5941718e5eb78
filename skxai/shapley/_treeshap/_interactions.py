"""Shapley interaction values of the path-dependent tree game (Lundberg et al. 2020).

For one leaf with path players ``1..d`` the game is ``v(S) = prod_{k in S} a_k
prod_{k not in S} r_k``; its pairwise Shapley interaction index (halved, as shap reports it)
is ``Phi_ij = 1/2 (a_i - r_i)(a_j - r_j) int_0^1 prod_{k != i, j} g_k(t) dt`` with
``g_k = a_k t + (1 - t) r_k`` (the Beta-integral form of ``|S|! (d - |S| - 2)! / (d - 1)!``),
exact with Gauss-Legendre nodes. Players off a leaf's path are null in its game, so the
ensemble's index is the sum over leaves; the diagonal is ``phi_i - sum_{j != i} Phi_ij``.
"""

from __future__ import annotations

import numpy as np

from skxai.shapley._treeshap._paths import MAX_TABLE_BITS, apply_pattern_maps, leaves_satisfied, pattern_maps
from skxai.shapley._treeshap._tables import _bits, gauss01

# Leaves processed together so temporaries stay near this many floats.
_TEMP_FLOATS = 1 << 22


def _factors(a, r, t):
    """G (product of all factors) and c (each player's (a - r) / g) for node t."""
    g = np.where(a, t + (1.0 - t) * r, (1.0 - t) * r)
    # player by player (not np.prod), so a pattern's product has the same bits whatever
    # else is in the array: tables and the rows' own patterns then agree to the bit
    G = g[..., 0].copy()
    for k in range(1, g.shape[-1]):
        G *= g[..., k]
    # g vanishes only where a = 0 and r = 0, and then (a - r) = 0: that player's c is 0.
    c = np.divide(np.where(a, 1.0 - r, -r), g, out=np.zeros_like(g), where=g > 0)
    return G, c


def _leaf_interactions(a, r):
    """Off-diagonal interaction values ``(L, m, d, d)`` of ``L`` leaves with ratios ``r``
    (L, d) at satisfied bits ``a`` (L or 1, m, d): every pattern (tables) or the rows' own."""
    L, d = r.shape
    out = np.zeros((L, a.shape[1], d, d))
    for t, w in zip(*gauss01(d), strict=True):
        G, c = _factors(a, r[:, None, :], t)
        out += (0.5 * w) * G[:, :, None, None] * c[:, :, :, None] * c[:, :, None, :]
    idx = np.arange(d)
    out[:, :, idx, idx] = 0.0
    return out


def interaction_tables(r):
    """Off-diagonal interaction values ``(n_leaves, 2**d, d, d)`` for every pattern."""
    r = np.asarray(r, dtype=np.float64)
    return _leaf_interactions(_bits(r.shape[1]).astype(bool)[None], r)


def _direct(a, r):
    """Off-diagonal interaction values ``(n, d, d)`` of one leaf at the rows' bits ``a``."""
    return _leaf_interactions(np.asarray(a, dtype=bool)[None], np.asarray(r, dtype=np.float64)[None])[0]


def _scatter(out, vals, players, values):
    """Add ``vals`` (L, n, d, d) of leaves with ``players`` (L, d) and ``values`` (L, k)."""
    n, p, _, k = out.shape
    L, _, d, _ = vals.shape
    flat = out.reshape(-1)
    rows = np.arange(n)[None, :, None, None]
    pi = players[:, None, :, None]
    pj = players[:, None, None, :]
    base = ((rows * p + pi) * p + pj) * k
    for c in range(k):
        w = vals * values[:, c][:, None, None, None]
        flat += np.bincount((base + c).ravel(), weights=w.ravel(), minlength=flat.size)


def interaction_values(runner, Z, phi):
    """Interaction values ``(n, p, p, k)`` of rows ``Z`` given their Shapley values ``phi``."""
    ens = runner.ensemble
    X = ens.prepare(Z)
    XT = np.ascontiguousarray(X.T)
    has_nan = bool(np.isnan(X).any())
    n, p, k = phi.shape
    out = np.zeros((n, p, p, k))
    for plan in runner.plans:
        if len(plan.internal) == 0:
            continue
        DT = ens.decisions(XT, plan.internal, has_nan, plan.runs)
        d_all = plan.leaf_d
        values = ens.value[plan.leaf_ids]
        small = np.flatnonzero((d_all >= 2) & (d_all <= MAX_TABLE_BITS))
        for d in np.unique(d_all[small]):
            group = small[d_all[small] == d]
            # Tables hold 2**d patterns a leaf: for fewer rows than that, the rows' own
            # patterns cost less, and give the same bits (the same arithmetic per pattern).
            tables = n >= 2 ** int(d)
            step = max(1, _TEMP_FLOATS // ((n + (2 ** int(d) if tables else 0)) * int(d) ** 2 + 1))
            for start in range(0, len(group), step):
                leaves = group[start : start + step]
                alpha = apply_pattern_maps(pattern_maps(plan, leaves, len(plan.internal)), DT)
                r = plan.leaf_r[leaves, :d]
                if tables:
                    vals = interaction_tables(r)[np.arange(len(leaves))[:, None], alpha]  # (L, n, d, d)
                else:
                    vals = _leaf_interactions(((alpha[:, :, None] >> np.arange(d)) & 1).astype(bool), r)
                _scatter(out, vals, plan.leaf_players[leaves, :d], values[leaves])
        wide = np.flatnonzero(d_all > MAX_TABLE_BITS)
        for d in np.unique(d_all[wide]):
            group = wide[d_all[wide] == d]
            step = max(1, _TEMP_FLOATS // (n * int(d) ** 2 + 1))
            for start in range(0, len(group), step):
                leaves = group[start : start + step]
                sat = leaves_satisfied(plan, DT, leaves).transpose(0, 2, 1)  # (L, n, d)
                vals = _leaf_interactions(sat, plan.leaf_r[leaves, :d])
                _scatter(out, vals, plan.leaf_players[leaves, :d], values[leaves])
    idx = np.arange(p)
    out[:, idx, idx, :] = phi - out.sum(axis=2)
    return out
