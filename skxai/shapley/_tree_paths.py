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


class TreePlan:
    """Index arithmetic of one tree (independent of the game and of the rows).

    Attributes
    ----------
    internal : int64 (n_int,)
        Global ids of the internal nodes; row j of the decision matrix is ``internal[j]``.
    ST, c : (n_blocks, n_int), (n_blocks,)
        Block index of every row = ``ST @ decisions + c`` (decisions 1 = goes left).
    block_bits : int64 (n_blocks,)
    leaf_ids, leaf_d, leaf_block : (n_leaves,)
        Global id, number of distinct path players, block (-1: read leaf by leaf).
    leaf_players, leaf_r : (n_leaves, width)
        Player and cover ratio of every path slot (first-appearance order; -1 / 1 pads).
    path_col, path_left, path_slot, path_pos, path_flip : (n_leaves, depth)
        For every node on a leaf's path: its decision row, whether the path goes left,
        the slot of its player, and for block leaves the index bit holding the node and
        whether that bit must be flipped to read "condition satisfied" (-1 slot pads).
    players : int64 (n_players_used,)
        Players split on in this tree.
    """


def _walk(ens, root):
    """Breadth-first node ids of one tree with parent and depth of every node."""
    order = [root]
    parent = {root: -1}
    depth = {root: 0}
    left, right = ens.left, ens.right
    i = 0
    while i < len(order):
        u = order[i]
        i += 1
        lft = int(left[u])
        if lft >= 0:
            rgt = int(right[u])
            order.append(lft)
            order.append(rgt)
            parent[lft] = parent[rgt] = u
            depth[lft] = depth[rgt] = depth[u] + 1
    return order, parent, depth


def compile_tree(ens, root, block_bits):
    """Build the :class:`TreePlan` of the tree rooted at global node ``root``."""
    order, parent, depth = _walk(ens, root)
    left = ens.left
    feature = ens.feature
    cover = ens.cover
    internal = [u for u in order if left[u] >= 0]
    col = {u: j for j, u in enumerate(internal)}
    n_int = len(internal)
    n_desc = {}
    for u in reversed(order):
        n_desc[u] = 0 if left[u] < 0 else 1 + n_desc[int(left[u])] + n_desc[int(ens.right[u])]
    blocks, stack = [], [root]
    while stack:
        u = stack.pop()
        if depth[u] + n_desc[u] <= block_bits or left[u] < 0:
            blocks.append(u)
        else:
            stack.append(int(ens.right[u]))
            stack.append(int(left[u]))
    nb = len(blocks)
    ST = np.zeros((nb, n_int))
    c = np.zeros(nb)
    bits = np.zeros(nb, dtype=np.int64)
    block_of, sub_pos = {}, {}
    for b, u in enumerate(blocks):
        du = depth[u]
        a, i = u, du - 1
        while parent[a] >= 0:  # ancestor bit = 1 when the row follows the path there
            p = parent[a]
            if left[p] == a:
                ST[b, col[p]] += 2.0**i
            else:
                ST[b, col[p]] -= 2.0**i
                c[b] += 2.0**i
            a, i = p, i - 1
        st, j = [u], 0
        while st:
            w = st.pop()
            block_of[w] = b
            if left[w] >= 0:
                sub_pos[w] = du + j
                ST[b, col[w]] += 2.0 ** (du + j)
                j += 1
                st.append(int(ens.right[w]))
                st.append(int(left[w]))
        bits[b] = du + j
    # A leaf too deep for a block of its own is read leaf by leaf (block -1).
    deep = bits > block_bits
    leaves = [u for u in order if left[u] < 0]
    L = len(leaves)
    depth_max = max((depth[u] for u in leaves), default=0)
    width = 1
    rows = []
    for lf in leaves:
        path = []
        a = lf
        while parent[a] >= 0:
            path.append((parent[a], a))
            a = parent[a]
        path.reverse()
        pl, rr, sl = [], [], []
        for p, ch in path:
            f = int(feature[p])
            ratio = cover[ch] / cover[p] if cover[p] > 0 else 0.0
            if f in pl:
                s = pl.index(f)
                rr[s] *= ratio
            else:
                s = len(pl)
                pl.append(f)
                rr.append(ratio)
            sl.append(s)
        width = max(width, len(pl))
        rows.append((path, pl, rr, sl))
    plan = TreePlan()
    plan.internal = np.asarray(internal, dtype=np.int64)
    plan.leaf_ids = np.asarray(leaves, dtype=np.int64)
    plan.leaf_d = np.zeros(L, dtype=np.int64)
    plan.leaf_block = np.full(L, -1, dtype=np.int64)
    plan.leaf_players = np.full((L, width), -1, dtype=np.int64)
    plan.leaf_r = np.ones((L, width))
    D = max(depth_max, 1)
    plan.path_col = np.zeros((L, D), dtype=np.int64)
    plan.path_left = np.zeros((L, D), dtype=bool)
    plan.path_slot = np.full((L, D), -1, dtype=np.int64)
    plan.path_pos = np.zeros((L, D), dtype=np.int64)
    plan.path_flip = np.zeros((L, D), dtype=np.int64)
    for li, (lf, (path, pl, rr, sl)) in enumerate(zip(leaves, rows, strict=True)):
        d = len(pl)
        plan.leaf_d[li] = d
        plan.leaf_players[li, :d] = pl
        plan.leaf_r[li, :d] = rr
        b = block_of[lf]
        if not deep[b]:
            plan.leaf_block[li] = b
        for k, (p, ch) in enumerate(path):
            went_left = bool(left[p] == ch)
            plan.path_col[li, k] = col[p]
            plan.path_left[li, k] = went_left
            plan.path_slot[li, k] = sl[k]
            if p in sub_pos:
                plan.path_pos[li, k] = sub_pos[p]
                plan.path_flip[li, k] = 0 if went_left else 1
            else:
                plan.path_pos[li, k] = k
    keep = ~deep
    plan.ST = ST[keep]
    plan.c = c[keep]
    plan.block_bits = bits[keep]
    remap = np.cumsum(keep) - 1
    plan.leaf_block = np.where(plan.leaf_block >= 0, remap[np.maximum(plan.leaf_block, 0)], -1)
    plan.players = np.unique(feature[plan.internal]).astype(np.int64)
    plan.index_dtype = np.float32 if (len(plan.block_bits) == 0 or plan.block_bits.max() <= 23) else np.float64
    plan.STd = plan.ST.astype(plan.index_dtype)
    plan.cd = plan.c.astype(plan.index_dtype)[:, None]
    return plan


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


def leaf_satisfied(plan, DT, li):
    """Satisfied bits ``(n, d)`` of one leaf (for leaves too wide for an integer)."""
    d = plan.leaf_d[li]
    n = DT.shape[1]
    ok = np.ones((n, d), dtype=bool)
    for k in range(plan.path_col.shape[1]):
        s = plan.path_slot[li, k]
        if s < 0:
            continue
        ok[:, s] &= DT[plan.path_col[li, k]] == plan.path_left[li, k]
    return ok
