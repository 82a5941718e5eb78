"""TreeSHAP engine: leaf tables -> block tables per tree, then all rows at once per tree.

For each tree (see :mod:`skxai.shapley._treeshap._paths`):

1. leaf tables ``T_l[alpha, i]`` for the chosen game (:mod:`skxai.shapley._treeshap._tables`);
2. block tables: for every index value of a block, the summed contributions of the block's
   leaves, each leaf's pattern read off the index bits;
3. rows: decisions at every internal node (the same comparison as the model's predict),
   block indices by one matrix product, and one sparse product that gathers and sums the
   block rows of every sample.

Leaves outside blocks (deep trees) get their merged patterns from sparse linear maps of the
decisions and are gathered from their own tables by a second sparse product; leaves with
more than ``MAX_TABLE_BITS`` distinct path players are evaluated row by row by the closed
forms.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from skxai.shapley._treeshap import _paths
from skxai.shapley._treeshap._paths import apply_pattern_maps, leaf_patterns, leaf_satisfied
from skxai.shapley._treeshap._tables import gauss01, interventional_tables, path_dependent_tables

# Tables with more columns (players x outputs) than this are stored sparse.
DENSE_COLUMNS = 64


def _dense(a):
    return a.toarray() if sp.issparse(a) else a


class TreeTables:
    """Game tables of a plan: ``base`` (n_outputs,), ``block_table`` (entries,
    n_players_used * n_outputs) with ``block_off``, ``out_rows`` / ``out_off`` for the
    leaves outside blocks, and what the closed forms need for the widest leaves."""


def _leaf_tables(plan, game, bg_DT, bg_w, leaves):
    """Tables of ``leaves`` stacked as rows ``(sum 2**d, width)`` with row offsets."""
    d = plan.leaf_d[leaves]
    width = max(1, int(d.max()) if len(d) else 1)
    sizes = 2**d
    off = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    rows = np.zeros((int(sizes.sum()), width))
    hist = None
    if game == "interventional":
        pats = leaf_patterns(plan, bg_DT, leaves)  # (n_bg, len)
        flat = off[None, :] + pats
        hist = np.bincount(flat.ravel(), weights=np.repeat(bg_w, len(leaves)), minlength=len(rows))
    for dd in np.unique(d):
        if dd == 0:
            continue
        sel = np.flatnonzero(d == dd)
        if game == "interventional":
            h = hist[off[sel][:, None] + np.arange(2**dd)]
            T = interventional_tables(h, int(dd))
        else:
            T = path_dependent_tables(plan.leaf_r[leaves[sel], :dd])
        idx = off[sel][:, None] + np.arange(2**dd)
        rows[idx, :dd] = T
    return rows, off, hist


def build_tables(plan, ens, game, bgT=None, bg_w=None, bg_nan=False):
    """Tables of one tree for ``game`` ("tree_path_dependent" or "interventional")."""
    tab = TreeTables()
    k = ens.n_outputs
    values = ens.value[plan.leaf_ids]
    tab.values = values
    players = plan.players
    p_t = len(players)
    local = np.full(ens.n_players, p_t, dtype=np.int64)
    local[players] = np.arange(p_t)
    tab.local = local
    small = np.flatnonzero(plan.leaf_d <= _paths.MAX_TABLE_BITS)
    wide = np.flatnonzero(plan.leaf_d > _paths.MAX_TABLE_BITS)
    bg_DT = None
    if game == "interventional":
        bg_DT = ens.decisions(bgT, plan.internal, bg_nan, plan.runs)
    rows, off, hist = _leaf_tables(plan, game, bg_DT, bg_w, small)
    row_off = np.full(len(plan.leaf_d), -1, dtype=np.int64)
    row_off[small] = off
    tab.leaf_rows, tab.row_off = rows, row_off
    reach = np.zeros(len(plan.leaf_d))
    if game == "interventional":
        reach[small] = hist[off + (1 << plan.leaf_d[small]) - 1]
        tab.wide_bg = {}
        for li in wide:
            sat = leaf_satisfied(plan, bg_DT, li)
            tab.wide_bg[int(li)] = (sat, bg_w)
            reach[li] = bg_w @ sat.all(axis=1)
    else:
        reach = np.prod(plan.leaf_r, axis=1)  # pads are 1
    tab.base = reach @ values
    # Few players: dense tables (entries x players); many: sparse tables holding only the
    # (at most block_bits) players of each block, so memory does not grow with p.
    dense = p_t * k <= DENSE_COLUMNS
    rows_pk, loc = _valued_rows(plan, tab, p_t, k, dense)
    tab.block_table, tab.block_off = _block_tables(plan, tab, rows_pk, loc, p_t, k)
    # keep the rows of the leaves read one by one only
    out = plan.out_leaves
    sizes = 2 ** plan.leaf_d[out]
    tab.out_off = (np.cumsum(sizes) - sizes).astype(np.int64)
    take = row_off[out][:, None] + np.arange(int(sizes.max()) if len(out) else 0)[None, :]
    keep = np.arange(take.shape[1])[None, :] < sizes[:, None]
    picked = take[keep]
    if dense:
        tab.out_rows = rows_pk[picked].reshape(len(picked), p_t * k)
    else:
        tab.out_rows = _sparse_rows(rows_pk[picked], loc[picked], np.arange(len(picked)), len(picked), p_t, k)
    del tab.leaf_rows
    tab.game = game
    return tab


def _sparse_rows(vals, loc, rows, n_rows, p_t, k):
    """CSR ``(n_rows, p_t * k)`` from values (m, width, k) of players ``loc`` (m, width)
    placed in ``rows`` (m,); pads (loc == p_t) dropped, duplicates summed."""
    ii, jj = np.nonzero(loc < p_t)
    r = np.asarray(rows)[ii]
    cols = loc[ii, jj] * k
    v = vals[ii, jj]  # (nnz, k)
    if k > 1:
        r = np.repeat(r, k)
        cols = (cols[:, None] + np.arange(k)[None, :]).ravel()
    return sp.coo_matrix((v.ravel(), (r, cols)), shape=(n_rows, p_t * k)).tocsr()


def _valued_rows(plan, tab, p_t, k, dense):
    """Leaf table rows with the leaf values applied, and each row's player columns.

    Dense: ``(rows, p_t, k)`` indexed by player. Sparse: ``(rows, width, k)`` indexed by
    path slot, with ``loc`` (rows, width) the player of each slot (``p_t`` for pads).
    """
    rows = tab.leaf_rows
    R, width = rows.shape
    L = len(plan.leaf_d)
    sizes = np.where(tab.row_off >= 0, 2 ** np.minimum(plan.leaf_d, _paths.MAX_TABLE_BITS), 0)
    leaf_of_row = np.repeat(np.arange(L), sizes)
    pl = plan.leaf_players[:, :width]
    loc = np.where(pl >= 0, tab.local[np.maximum(pl, 0)], p_t)[leaf_of_row]
    vals = rows[:, :, None] * tab.values[leaf_of_row][:, None, :]  # (R, width, k)
    if not dense:
        return vals, loc
    out = np.zeros((R, p_t + 1, k))
    out[np.arange(R)[:, None], loc] = vals
    return out[:, :p_t], None


def _block_tables(plan, tab, prow, loc, p_t, k):
    """``(sum 2**bits, p_t * k)`` summed leaf contributions per block index value (dense
    when ``loc`` is None, else sparse)."""
    sizes = 2**plan.block_bits
    boff = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    total = int(sizes.sum())
    dense = loc is None
    table = np.zeros((total, p_t, k)) if dense else None
    triplets = []
    lb = plan.leaf_block
    in_block = np.flatnonzero((lb >= 0) & (plan.leaf_d > 0))
    if len(in_block) == 0:
        if dense:
            return table.reshape(total, p_t * k), boff
        return sp.csr_matrix((total, p_t * k)), boff
    bits_of_leaf = plan.block_bits[lb[in_block]]
    for bits in np.unique(bits_of_leaf):
        group = in_block[bits_of_leaf == bits]
        group = group[np.argsort(lb[group], kind="stable")]
        nlo = int(bits) // 2
        nhi = int(bits) - nlo
        lo = np.arange(1 << nlo, dtype=np.int64)
        hi = np.arange(1 << nhi, dtype=np.int64)
        # The failed-condition mask splits into low and high index bits (each path node
        # reads one bit), so patterns for all 2**bits index values cost one OR.
        fail_lo = np.zeros((len(group), len(lo)), dtype=np.int64)
        fail_hi = np.zeros((len(group), len(hi)), dtype=np.int64)
        for j in range(plan.path_slot.shape[1]):
            slot = plan.path_slot[group, j]
            pos = plan.path_pos[group, j]
            want = plan.path_flip[group, j]  # the condition fails where the bit equals flip
            sh = np.maximum(slot, 0)[:, None]
            in_lo = (slot >= 0) & (pos < nlo)
            in_hi = (slot >= 0) & (pos >= nlo)
            if in_lo.any():
                b = ((lo[None, :] >> np.minimum(pos, nlo)[:, None]) & 1) == want[:, None]
                fail_lo |= (b & in_lo[:, None]).astype(np.int64) << sh
            if in_hi.any():
                b = ((hi[None, :] >> np.maximum(pos - nlo, 0)[:, None]) & 1) == want[:, None]
                fail_hi |= (b & in_hi[:, None]).astype(np.int64) << sh
        full = (np.int64(1) << plan.leaf_d[group]) - 1
        alpha = full[:, None, None] & ~(fail_hi[:, :, None] | fail_lo[:, None, :])
        ridx = tab.row_off[group][:, None] + alpha.reshape(len(group), -1)
        vals = prow[ridx]
        if not dense:  # (L, 2**bits, width, k) in slot space; coo sums duplicates
            rows = boff[lb[group]][:, None] + np.arange(1 << int(bits))[None, :]
            triplets.append((vals.reshape(-1, *vals.shape[2:]), loc[ridx].reshape(-1, loc.shape[1]), rows.ravel()))
            continue
        blocks, starts = np.unique(lb[group], return_index=True)
        summed = np.add.reduceat(vals, starts, axis=0) if len(blocks) < len(group) else vals
        rows = boff[blocks][:, None] + np.arange(1 << int(bits))[None, :]
        table[rows] = summed
    if not dense:
        v = np.concatenate([t[0] for t in triplets])
        lc = np.concatenate([t[1] for t in triplets])
        rw = np.concatenate([t[2] for t in triplets])
        return _sparse_rows(v, lc, rw, total, p_t, k), boff
    return table.reshape(total, p_t * k), boff


def explain_tree(plan, tab, ens, XT, has_nan, phi):
    """Add the tree's contributions for rows ``XT`` (prepared, transposed) into ``phi``."""
    if len(plan.internal) == 0:
        return
    n = XT.shape[1]
    DT = ens.decisions(XT, plan.internal, has_nan, plan.runs)
    players = plan.players
    k = ens.n_outputs
    nb = len(plan.block_bits)
    if nb:
        idx = plan.STd @ DT.astype(plan.index_dtype)
        idx += plan.cd
        idx = idx.astype(np.int32)
        idx += tab.block_off[:, None].astype(np.int32)
        indptr = np.arange(0, n * nb + 1, nb, dtype=np.int64)
        M = sp.csr_matrix((np.ones(n * nb), idx.T.ravel(), indptr), shape=(n, tab.block_table.shape[0]))
        phi[:, players, :] += _dense(M @ tab.block_table).reshape(n, len(players), k)
    outside = np.flatnonzero((plan.leaf_block < 0) & (plan.leaf_d > 0))
    if len(outside):
        _explain_outside(plan, tab, DT, outside, phi)


def _explain_outside(plan, tab, DT, outside, phi):
    n = DT.shape[1]
    out = plan.out_leaves
    if len(out):
        alpha = apply_pattern_maps((plan.out_A, plan.out_a0, plan.out_W), DT)
        idx = (alpha + tab.out_off[:, None]).T.ravel()
        M = sp.csr_matrix(
            (np.ones(idx.size), idx, np.arange(0, idx.size + 1, len(out))), shape=(n, tab.out_rows.shape[0])
        )
        players = plan.players
        phi[:, players, :] += _dense(M @ tab.out_rows).reshape(n, len(players), -1)
    for li in outside[plan.leaf_d[outside] > _paths.MAX_TABLE_BITS]:
        d = plan.leaf_d[li]
        a = leaf_satisfied(plan, DT, li)
        if tab.game == "interventional":
            sat, w = tab.wide_bg[int(li)]
            contrib = _direct_interventional(a, sat, w)
        else:
            contrib = _direct_path_dependent(a, plan.leaf_r[li, :d])
        phi[:, plan.leaf_players[li, :d], :] += contrib[:, :, None] * tab.values[li]


def _direct_path_dependent(a, r):
    """Closed form for rows with satisfied bits ``a`` (n, d) of one leaf."""
    a = a.astype(np.float64)
    n, d = a.shape
    acc = np.zeros((n, d))
    ones = np.ones((n, 1))
    for t, w in zip(*gauss01(d), strict=True):
        g = a * t + (1.0 - t) * r
        # products of all factors but one, by prefix and suffix products (no division)
        pre = np.cumprod(np.concatenate([ones, g[:, :-1]], axis=1), axis=1)
        suf = np.cumprod(np.concatenate([ones, g[:, :0:-1]], axis=1), axis=1)[:, ::-1]
        acc += w * pre * suf
    return acc * (a - r)


def _direct_interventional(a, b, weights, chunk=256):
    """Closed form for rows ``a`` (n, d) against background bits ``b`` (m, d)."""
    from scipy.special import beta

    n, d = a.shape
    out = np.zeros((n, d))
    keep = weights > 0
    b, weights = b[keep], weights[keep]
    for start in range(0, n, chunk):
        x = a[start : start + chunk, None, :]
        bb = b[None, :, :]
        P = x & ~bb
        N = bb & ~x
        ok = ~((~x) & (~bb)).any(axis=2)
        nP = P.sum(axis=2)
        nN = N.sum(axis=2)
        wp = np.where(ok & (nP > 0), beta(np.maximum(nP, 1), nN + 1), 0.0) * weights
        wn = np.where(ok & (nN > 0), beta(nP + 1, np.maximum(nN, 1)), 0.0) * weights
        out[start : start + chunk] = (P * wp[:, :, None] - N * wn[:, :, None]).sum(axis=1)
    return out
