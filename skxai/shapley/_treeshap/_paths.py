"""Root-to-leaf paths of one tree, and how a batch of rows is mapped onto them.

The rows' side of TreeSHAP only needs, per leaf, which merged path conditions a row
satisfies. Reading that leaf by leaf costs rows x leaves x depth; instead the tree is cut
into *blocks*: a node ``u`` whose depth plus number of internal descendants is at most
``block_bits``. A row's relation to every leaf below ``u`` is fully described by one
integer: one bit per ancestor of ``u`` (does the row follow the path there) and one bit per
internal node below ``u`` (does it go left). That integer is linear in the 0/1 decisions of
the row, so the indices of all blocks of a tree come from one small matrix product, and a
table per block (built once from the leaf tables) turns an index into the summed
contributions of all the block's leaves.

Leaves deeper than ``block_bits`` (rare: only for deep trees) are read leaf by leaf.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

# Leaves with more distinct path players than this are evaluated by closed forms per row
# (the engine's tables have 2**d rows per leaf).
MAX_TABLE_BITS = 10
# Leaves with at most this many players have their patterns read as int64 bit sets.
INT_PATTERN_BITS = 62


class TreePlan:
    """Index arithmetic of one tree or a chunk of trees (independent of game and rows).

    Attributes
    ----------
    internal : int64 (n_int,)
        Global ids of the internal nodes, sorted by feature; row j of the decision matrix
        is ``internal[j]``. ``runs`` (feature, start, stop) delimits each feature's rows.
    ST, c : sparse (n_blocks, n_int), (n_blocks,)
        Block index of every row = ``ST @ decisions + c`` (decisions 1 = goes left).
    block_bits : int64 (n_blocks,)
    leaf_ids, leaf_d, leaf_block : (n_leaves,)
        Global id, number of distinct path players, block (-1: outside blocks).
    leaf_players, leaf_r : (n_leaves, width)
        Player and cover ratio of every path slot (first-appearance order; -1 / 1 pads).
    path_col, path_left, path_slot, path_pos, path_flip : (n_leaves, depth)
        For every node on a leaf's path: its decision row, whether the path goes left,
        the slot of its player, and for block leaves the index bit holding the node and
        whether that bit must be flipped to read "condition satisfied" (-1 slot pads).
    out_leaves, out_A, out_a0, out_W
        Leaves outside blocks and the linear maps giving their patterns.
    players : int64 (n_players_used,)
        Players split on (a player is a column, or a group of columns whose split
        conditions merge into one path condition).
    """


def _tree_arrays(ens, roots):
    """Nodes of the trees at ``roots`` level by level (global ids), with their depth."""
    left, right = ens.left, ens.right
    levels = [np.asarray(roots, dtype=np.int64).reshape(-1)]
    while True:
        f = levels[-1]
        f = f[left[f] >= 0]
        if len(f) == 0:
            break
        levels.append(np.concatenate([left[f], right[f]]))
    nodes = np.concatenate(levels)
    depth = np.concatenate([np.full(len(lv), d) for d, lv in enumerate(levels)])
    bounds = np.cumsum([0] + [len(lv) for lv in levels])
    return nodes, depth, bounds


def compile_tree(ens, roots, block_bits):
    """Build the :class:`TreePlan` of the trees at global nodes ``roots`` (one or many)."""
    nodes, depth_of, bounds = _tree_arrays(ens, roots)
    n = len(nodes)
    local = np.full(len(ens.left), -1, dtype=np.int64)
    local[nodes] = np.arange(n)
    gl, gr = ens.left[nodes], ens.right[nodes]
    is_int = gl >= 0
    L_ = np.where(is_int, local[np.maximum(gl, 0)], -1)
    R_ = np.where(is_int, local[np.maximum(gr, 0)], -1)
    parent = np.full(n, -1, dtype=np.int64)
    went_left = np.zeros(n, dtype=bool)
    ints = np.flatnonzero(is_int)
    parent[L_[ints]] = ints
    parent[R_[ints]] = ints
    went_left[L_[ints]] = True
    feat = ens.feature[nodes]  # decisions compare this column
    player = ens.player[nodes]  # path conditions merge per player
    cover = ens.cover[nodes]
    levels = [np.arange(bounds[i], bounds[i + 1]) for i in range(len(bounds) - 1)]
    n_desc = np.zeros(n, dtype=np.int64)  # internal descendants, deepest level first
    for lv in reversed(levels):
        u = lv[is_int[lv]]
        n_desc[u] = 1 + n_desc[L_[u]] + n_desc[R_[u]]
    fits = depth_of + n_desc <= block_bits
    is_root_block = fits & ((parent < 0) | ~fits[np.maximum(parent, 0)])
    # block of every node: its highest ancestor that fits (depth + n_desc never grows
    # going down a path)
    block_node = np.where(is_root_block, np.arange(n), -1)
    for lv in levels[1:]:
        inherit = lv[(block_node[lv] < 0) & fits[lv]]
        block_node[inherit] = block_node[parent[inherit]]
    roots_b = np.flatnonzero(is_root_block)
    nb = len(roots_b)
    bidx = np.full(n, -1, dtype=np.int64)
    bidx[roots_b] = np.arange(nb)
    block_of = np.where(block_node >= 0, bidx[np.maximum(block_node, 0)], -1)
    # Decision rows sorted by feature: each feature's nodes are compared in one call.
    ints = ints[np.argsort(feat[ints], kind="stable")]
    col = np.full(n, -1, dtype=np.int64)
    col[ints] = np.arange(len(ints))
    # sub-positions: rank of each internal node within its block, after the ancestor bits
    in_sub = is_int & (block_of >= 0)
    sub_nodes = np.flatnonzero(in_sub)
    order = np.argsort(block_of[sub_nodes], kind="stable")
    sub_sorted = sub_nodes[order]
    blk_sorted = block_of[sub_sorted]
    starts = np.searchsorted(blk_sorted, np.arange(nb))
    rank = np.arange(len(sub_sorted)) - starts[blk_sorted]
    sub_pos = np.full(n, -1, dtype=np.int64)
    sub_pos[sub_sorted] = depth_of[roots_b][blk_sorted] + rank
    n_sub = np.bincount(blk_sorted, minlength=nb)
    bits = depth_of[roots_b] + n_sub
    st_rows = [block_of[sub_sorted]]
    st_cols = [col[sub_sorted]]
    st_vals = [2.0 ** sub_pos[sub_sorted]]
    c = np.zeros(nb)
    cur = roots_b.copy()
    active = parent[cur] >= 0
    while active.any():  # ancestor bit = 1 when the row follows the path there
        a = cur[active]
        p = parent[a]
        w = 2.0 ** depth_of[p]
        rows = np.flatnonzero(active)
        st_rows.append(rows)
        st_cols.append(col[p])
        st_vals.append(np.where(went_left[a], 1.0, -1.0) * w)
        c[rows] += np.where(went_left[a], 0.0, w)
        cur[active] = p
        active = parent[cur] >= 0
    ST = sp.csr_matrix(
        (np.concatenate(st_vals), (np.concatenate(st_rows), np.concatenate(st_cols))),
        shape=(nb, len(ints)),
    )
    # leaves: paths (root first), merged player slots, cover ratios
    leaves = np.flatnonzero(~is_int)
    Lc = len(leaves)
    D = max(int(depth_of[leaves].max()) if Lc else 0, 1)
    path = np.full((Lc, D), -1, dtype=np.int64)  # node at each depth (parents)
    child = np.full((Lc, D), -1, dtype=np.int64)
    cur = leaves.copy()
    for _ in range(D):
        has = parent[cur] >= 0
        if not has.any():
            break
        r = np.flatnonzero(has)
        p = parent[cur[r]]
        path[r, depth_of[p]] = p
        child[r, depth_of[p]] = cur[r]
        cur[r] = p
    valid = path >= 0
    pf = np.where(valid, player[np.maximum(path, 0)], -1)
    ratio = np.where(
        valid,
        np.divide(
            cover[np.maximum(child, 0)],
            cover[np.maximum(path, 0)],
            out=np.zeros((Lc, D)),
            where=cover[np.maximum(path, 0)] > 0,
        ),
        1.0,
    )
    same = (pf[:, :, None] == pf[:, None, :]) & valid[:, :, None] & valid[:, None, :]
    first = np.argmax(same, axis=2)  # first position with the same player
    is_first = valid & (first == np.arange(D)[None, :])
    slot_of_first = np.cumsum(is_first, axis=1) - 1
    slot = np.where(valid, np.take_along_axis(slot_of_first, first, axis=1), -1)
    d = is_first.sum(axis=1)
    width = max(1, int(d.max()) if Lc else 1)
    players = np.full((Lc, width), -1, dtype=np.int64)
    r_slot = np.ones((Lc, width))
    rr, kk = np.nonzero(is_first)
    players[rr, slot[rr, kk]] = pf[rr, kk]
    for k in range(D):
        v = valid[:, k]
        r_slot[np.flatnonzero(v), slot[v, k]] *= ratio[v, k]
    leaf_blk = block_of[leaves]
    in_block = leaf_blk >= 0
    pos = np.where(valid, np.arange(D)[None, :], 0)
    flip = np.zeros((Lc, D), dtype=np.int64)
    pn = np.maximum(path, 0)
    inside = valid & (block_of[pn] == leaf_blk[:, None]) & in_block[:, None] & (sub_pos[pn] >= 0)
    pos = np.where(inside, sub_pos[pn], pos)
    gl_ = went_left[np.maximum(child, 0)]
    flip = np.where(inside & ~gl_, 1, flip)
    plan = TreePlan()
    plan.internal = nodes[ints]
    plan.ST, plan.c, plan.block_bits = ST, c, bits.astype(np.int64)
    plan.leaf_ids = nodes[leaves]
    plan.leaf_d = d.astype(np.int64)
    plan.leaf_block = leaf_blk
    plan.leaf_players = players
    plan.leaf_r = r_slot
    plan.path_col = np.where(valid, col[pn], 0)
    plan.path_left = np.where(valid, gl_, False)
    plan.path_slot = slot
    plan.path_pos = pos
    plan.path_flip = flip
    plan.players = np.unique(player[ints]).astype(np.int64)
    run_features, starts = np.unique(feat[ints], return_index=True)
    _outside_patterns(plan, len(ints))
    stops = np.append(starts[1:], len(ints)) if len(starts) else starts
    plan.runs = np.column_stack([run_features, starts, stops]).astype(np.int64)
    small = len(bits) == 0 or bits.max() <= 23
    plan.index_dtype = np.float32 if small else np.float64
    plan.STd = plan.ST.astype(plan.index_dtype)
    plan.cd = plan.c.astype(plan.index_dtype)[:, None]
    return plan


def _outside_patterns(plan, n_int):
    """Pattern maps of the leaves outside blocks (see :func:`pattern_maps`)."""
    out = np.flatnonzero((plan.leaf_block < 0) & (plan.leaf_d > 0) & (plan.leaf_d <= MAX_TABLE_BITS))
    plan.out_leaves = out
    plan.out_A, plan.out_a0, plan.out_W = pattern_maps(plan, out, n_int)


def pattern_maps(plan, leaves, n_int):
    """Linear maps giving the merged patterns of ``leaves`` (at most 23 slots each).

    The failed conditions of slot s of leaf l are ``sum over its path nodes of (1 -
    decision)`` (path goes left) or ``decision`` (goes right): ``A @ decisions + a0``; the
    pattern is ``W @ (failed == 0)`` with ``W`` holding ``2**s``.
    """
    d = plan.leaf_d[leaves]
    start = (np.cumsum(d) - d).astype(np.int64)
    rows, cols, vals = [], [], []
    a0 = np.zeros(int(d.sum()))
    for k in range(plan.path_slot.shape[1]):
        slot = plan.path_slot[leaves, k]
        ok = np.flatnonzero(slot >= 0)
        r = start[ok] + slot[ok]
        left = plan.path_left[leaves[ok], k]
        rows.append(r)
        cols.append(plan.path_col[leaves[ok], k])
        vals.append(np.where(left, -1.0, 1.0))
        np.add.at(a0, r[left], 1.0)

    def cat(parts, dt):
        return np.concatenate(parts).astype(dt) if parts else np.zeros(0, dt)

    A = sp.csr_matrix(
        (cat(vals, np.float32), (cat(rows, np.int64), cat(cols, np.int64))),
        shape=(int(d.sum()), n_int),
    )
    seg = np.repeat(np.arange(len(leaves)), d)
    pw = (2.0 ** (np.arange(int(d.sum())) - np.repeat(start, d))).astype(np.float32)
    W = sp.csr_matrix((pw, (seg, np.arange(int(d.sum())))), shape=(len(leaves), int(d.sum())))
    return A, a0.astype(np.float32)[:, None], W


def apply_pattern_maps(maps, DT):
    """Patterns ``(n_leaves, n_rows)`` int64 from maps and decisions ``DT`` (n_int, n)."""
    A, a0, W = maps
    failed = A @ DT.astype(np.float32)
    failed += a0
    return (W @ (failed < 0.5).astype(np.float32)).astype(np.int64)


def leaf_patterns(plan, DT, leaves):
    """Merged patterns of ``leaves`` for decision rows ``DT`` (n_int, n): int64 (n, len)."""
    n = DT.shape[1]
    fail = np.zeros((n, len(leaves)), dtype=np.int64)
    for k in range(plan.path_col.shape[1]):
        slot = plan.path_slot[leaves, k]
        valid = slot >= 0
        if not valid.any():
            continue
        dec = DT[plan.path_col[leaves, k]].T  # (n, len) goes left
        failed = dec != plan.path_left[leaves, k]
        fail |= (failed & valid).astype(np.int64) << np.maximum(slot, 0)
    full = (np.int64(1) << plan.leaf_d[leaves]) - 1
    return full & ~fail


def leaves_satisfied(plan, DT, leaves):
    """Satisfied bits ``(len(leaves), d, n)`` of leaves with the same number ``d`` of players."""
    d = int(plan.leaf_d[leaves[0]]) if len(leaves) else 0
    if d <= INT_PATTERN_BITS:  # from the patterns as integers
        pats = leaf_patterns(plan, DT, leaves).T  # (L, n)
        return ((pats[:, None, :] >> np.arange(d, dtype=np.int64)[None, :, None]) & 1).astype(bool)
    ok = np.ones((len(leaves), d, DT.shape[1]), dtype=bool)
    for k in range(plan.path_col.shape[1]):
        slot = plan.path_slot[leaves, k]
        on = np.flatnonzero(slot >= 0)
        if len(on) == 0:
            continue
        lv = leaves[on]
        ok[on, slot[on]] &= DT[plan.path_col[lv, k]] == plan.path_left[lv, k][:, None]
    return ok
