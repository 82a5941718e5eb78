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

Path-dependent, a call with fewer rows than the block tables have patterns may skip them
(:func:`explain_tree_rows`, "the row path"): every leaf's own table is read at the rows' own
patterns and its contributions are added in the block tables' order, so the values are the
same to the bit whatever the number of rows of the call.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import scipy.sparse as sp

from skxai.shapley._treeshap import _paths
from skxai.shapley._treeshap._paths import apply_pattern_maps, leaf_patterns, leaves_satisfied
from skxai.shapley._treeshap._tables import gauss01, interventional_tables, path_dependent_tables

# Tables with more columns (players x outputs) than this are stored sparse.
DENSE_COLUMNS = 64
# Floats that the temporaries of one group of leaves may hold while their tables are built
# (16 MiB): the leaves of a plan are built group by group into the final tables, so a build
# holds the tables plus this. All at once took up to 7 times the tables (a 9 MiB chunk of
# depth-8 trees peaked at 67 MiB).
BUILD_FLOATS = 1 << 21
# Floats that reading the leaves outside blocks may hold for a block of rows (16 MiB).
OUTSIDE_FLOATS = 1 << 21
# Leaves with at least this many players write their table rows one leaf at a time (a
# slice each: four times faster than one scatter of all of them for 10 players).
_SLICED_BITS = 6
# Floats that the closed forms of the widest leaves may hold for a batch of leaves (16 MiB).
WIDE_FLOATS = 1 << 21
# Most floats of one part of the table rows of the leaves outside blocks (32 MiB). Rows are
# explained part by part, so tables rebuilt at each call (beyond the cache) are built one part
# at a time and dropped: one fully grown tree held 200 MiB of them at once.
OUT_PART_FLOATS = 1 << 22
# Floats that the row path (:func:`explain_tree_rows`) may hold for a step of leaves or rows
# (16 MiB).
ROW_FLOATS = 1 << 21
# The row path's work per (row, leaf) against the tables' per (index value, leaf). Measured
# crossovers (benchmarks/results/tree.md, the row path): about 200 rows on a default forest of
# diabetes (a factor of 0.6 would put it there) and 120 on a fully grown forest of 20 features
# (1.6): 1.0 costs at most about 10% near either.
ROW_WORK_FACTOR = 1.0


def _dense(a):
    return a.toarray() if sp.issparse(a) else a


class TreeTables:
    """Game tables of a plan: ``base`` (n_outputs,), ``block_table`` (entries,
    n_players_used * n_outputs) with ``block_off``, ``out_rows`` / ``out_off`` for the
    leaves outside blocks, and what the closed forms need for the widest leaves.

    Built with ``outside=False``, ``out_rows`` is ``None`` and the rows of each part of the
    leaves outside blocks (:func:`out_parts`) are built when :meth:`outside` asks for them.
    """

    def outside(self, lo, hi):
        """Table rows of ``plan.out_leaves[lo:hi]`` and each leaf's first row among them."""
        if self.out_rows is None:
            rows = _OutsideRows(self.plan, self.p_t, self.k, self.dense, self.plan.out_leaves[lo:hi])
            for leaves in _leaf_groups(self.plan, self.p_t * self.k, self.n_bg, rows.leaves):
                off, hist = _pattern_histogram(self.plan, self.bg_DT, self.bg_w, leaves)
                for sel, _, T in _leaf_tables(self.plan, self.game, leaves, off, hist):
                    rows.add(leaves[sel], T, self.values, self.local)
            return rows.finish()
        first = self.out_off[lo]
        stop = self.out_off[hi] if hi < len(self.out_off) else self.out_rows.shape[0]
        return self.out_rows[first:stop], self.out_off[lo:hi] - first


def _out_leaf_floats(plan, k):
    """Floats of each leaf's table rows in ``plan.out_leaves`` (sparse rows count 1.5 an entry:
    an 8-byte value and a 4-byte column)."""
    d = plan.leaf_d[plan.out_leaves]
    columns = len(plan.players) * k
    # dense rows hold every column; sparse ones the leaf's own players (a leaf's players differ)
    return (2.0**d) * (columns if columns <= DENSE_COLUMNS else 1.5 * d * k)


def out_parts(plan, k):
    """Ranges ``(lo, hi)`` of ``plan.out_leaves`` whose table rows hold at most
    ``OUT_PART_FLOATS`` (a leaf over it is a part of its own), in order."""
    cum = np.cumsum(_out_leaf_floats(plan, k))
    parts, lo = [], 0
    while lo < len(cum):
        done = cum[lo - 1] if lo else 0.0
        hi = max(int(np.searchsorted(cum, done + OUT_PART_FLOATS, side="right")), lo + 1)
        parts.append((lo, hi))
        lo = hi
    return parts


def part_floats(plan, k, whole=False):
    """Floats of the largest part of :func:`out_parts` (0 without leaves outside blocks), or
    with ``whole``, of all of them."""
    floats = _out_leaf_floats(plan, k)
    if whole:
        return int(floats.sum())
    return int(max((floats[lo:hi].sum() for lo, hi in out_parts(plan, k)), default=0))


def _pattern_histogram(plan, bg_DT, bg_w, leaves):
    """Row offsets ``off`` of the ``2**d`` patterns of each of ``leaves``, and the background's
    weight on every pattern (interventional; ``None`` without a background)."""
    sizes = 2 ** plan.leaf_d[leaves]
    off = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    if bg_DT is None:
        return off, None
    flat = off[None, :] + leaf_patterns(plan, bg_DT, leaves)  # (n_bg, len)
    return off, np.bincount(flat.ravel(), weights=np.repeat(bg_w, len(leaves)), minlength=int(sizes.sum()))


def _leaf_tables(plan, game, leaves, off, hist):
    """Tables of ``leaves`` by number of players: ``(sel, d, T)`` with ``T`` (len(sel),
    2**d, d) the tables of ``leaves[sel]``."""
    d = plan.leaf_d[leaves]
    for dd in np.unique(d):
        if dd == 0:
            continue
        sel = np.flatnonzero(d == dd)
        if game == "interventional":
            yield sel, int(dd), interventional_tables(hist[off[sel][:, None] + np.arange(2**dd)], int(dd))
        else:
            yield sel, int(dd), path_dependent_tables(plan.leaf_r[leaves[sel], :dd])


def build_tables(plan, ens, game, bgT=None, bg_w=None, bg_nan=False, outside=True):
    """Tables of one tree for ``game`` ("tree_path_dependent" or "interventional").

    The leaves are built in groups of whole blocks (:func:`_leaf_groups`) straight into the
    final tables, so the build holds the tables plus one group's temporaries. With
    ``outside=False`` the leaves outside blocks are left to :meth:`TreeTables.outside`, part by
    part (their rows are the same to the bit), and ``base`` is not computed.
    """
    tab = TreeTables()
    k = ens.n_outputs
    values = ens.value[plan.leaf_ids]
    players = plan.players
    p_t = len(players)
    local = np.full(ens.n_players, p_t, dtype=np.int64)
    local[players] = np.arange(p_t)
    bg_DT = None
    if game == "interventional":
        bg_DT = ens.decisions(bgT, plan.internal, bg_nan, plan.runs)
    # Few players: dense tables (entries x players); many: sparse tables holding only the
    # (at most block_bits) players of each block, so memory does not grow with p.
    dense = p_t * k <= DENSE_COLUMNS
    n_bg = 0 if bg_DT is None else bg_DT.shape[1]
    tab.plan, tab.game, tab.values, tab.local, tab.p_t, tab.k, tab.dense = plan, game, values, local, p_t, k, dense
    tab.bg_DT, tab.bg_w, tab.n_bg = bg_DT, bg_w, n_bg
    blocks = _BlockTables(plan, p_t, k, dense)
    rows_out = _OutsideRows(plan, p_t, k, dense, plan.out_leaves if outside else plan.out_leaves[:0])
    reach = np.zeros(len(plan.leaf_d))
    lb = plan.leaf_block
    for leaves in _leaf_groups(plan, p_t * k, n_bg, None if outside else _block_order(plan)):
        off, hist = _pattern_histogram(plan, bg_DT, bg_w, leaves)
        if game == "interventional":  # the background share reaching a leaf: its full pattern's
            reach[leaves] = hist[off + (1 << plan.leaf_d[leaves]) - 1]
        # Block leaves go to their blocks through rows by path slot; the others straight to
        # their own rows.
        in_block = (lb[leaves] >= 0) & (plan.leaf_d[leaves] > 0)
        blocked = leaves[in_block]
        sizes = 2 ** plan.leaf_d[blocked]
        boff = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
        at = np.cumsum(in_block) - 1  # position among the block leaves
        width = max(1, int(plan.leaf_d[blocked].max(initial=1)))
        rows = np.zeros((int(sizes.sum()), width))
        for sel, dd, T in _leaf_tables(plan, game, leaves, off, hist):
            mine = in_block[sel]
            if mine.any():
                rows[boff[at[sel[mine]]][:, None] + np.arange(1 << dd), :dd] = T[mine]
            if not mine.all():
                rows_out.add(leaves[sel[~mine]], T[~mine], values, local)
        del hist
        if len(blocked):
            rows_pk, loc = _valued_rows(plan, values, local, blocked, rows, p_t)
            del rows
            blocks.add(blocked, boff, rows_pk, loc)
    if game == "interventional":
        tab.wide_bg = _wide_background(plan, bg_DT)
        for leaves, sat in tab.wide_bg:
            reach[leaves] = _wide_reach(sat, bg_w)
    else:
        reach = np.prod(plan.leaf_r, axis=1)  # pads are 1
    # as table_base gives it without the tables, to the bit
    tab.base = reach @ values if outside else None
    tab.block_table, tab.block_off = blocks.finish()
    tab.out_rows, tab.out_off = rows_out.finish() if outside else (None, None)
    if outside:  # what the parts' builds need
        tab.bg_DT = None
    return tab


def _wide_groups(plan):
    """Leaves with more players than tables hold (read row by row by the closed forms), in
    groups with the same number of players."""
    wide = np.flatnonzero(plan.leaf_d > _paths.MAX_TABLE_BITS)
    for d in np.unique(plan.leaf_d[wide]):
        yield wide[plan.leaf_d[wide] == d]


def _wide_background(plan, bg_DT):
    """Each group of :func:`_wide_groups` with the background's satisfied bits of its leaves
    (what the interventional closed forms read, in :func:`_explain_wide`)."""
    return [(leaves, leaves_satisfied(plan, bg_DT, leaves)) for leaves in _wide_groups(plan)]


def _wide_reach(sat, bg_w):
    """Background share reaching each leaf, from its satisfied bits ``sat`` (L, d, n_bg)."""
    return sat.all(axis=1) @ bg_w


#: Most bytes of background patterns (and their temporaries) read at once for the background's
#: share reaching each leaf (:func:`_small_reach`).
REACH_BYTES = 64 * 2**20


def _small_reach(plan, bg_DT, bg_w, leaves):
    """Background share reaching each of ``leaves`` (at most ``MAX_TABLE_BITS`` players).

    Summed background row by background row, as a pattern histogram would: the same additions
    in the same order as the tables' own (their base is the same to the bit). The patterns are
    read for groups of leaves and rows within :data:`REACH_BYTES`: all at once, 3,000,000
    background rows on 20 trees of depth 8 held 7 kB a row and went past 4 GiB.
    """
    n = bg_DT.shape[1]
    full = (np.int64(1) << plan.leaf_d[leaves]) - 1
    reach = np.zeros(len(leaves))
    cell = 40  # a row's pattern of a leaf (int64) and the temporaries that make it
    per_group = max(1, min(len(leaves), REACH_BYTES // (cell * max(n, 1))))
    per_chunk = max(1, REACH_BYTES // (cell * per_group))
    for a in range(0, len(leaves), per_group):
        cols = slice(a, a + per_group)
        part = reach[cols]
        for r in range(0, n, per_chunk):
            rows = slice(r, r + per_chunk)
            b, leaf = np.nonzero(leaf_patterns(plan, bg_DT[:, rows], leaves[cols]) == full[cols][None, :])
            if per_chunk >= n:
                part[:] = np.bincount(leaf, weights=bg_w[b], minlength=len(part))
            else:  # added in place, in row order: the same additions as one bincount
                np.add.at(part, leaf, bg_w[rows][b])
    return reach


def _base(plan, values, game, bg_DT, bg_w):
    """Value of the empty coalition: every leaf's value times the share of the trees' cover
    (path-dependent) or of the background (interventional) that reaches it."""
    if game != "interventional":
        return np.prod(plan.leaf_r, axis=1) @ values  # pads are 1
    reach = np.zeros(len(plan.leaf_d))
    small = np.flatnonzero(plan.leaf_d <= _paths.MAX_TABLE_BITS)
    reach[small] = _small_reach(plan, bg_DT, bg_w, small)
    for leaves in _wide_groups(plan):
        reach[leaves] = _wide_reach(leaves_satisfied(plan, bg_DT, leaves), bg_w)
    return reach @ values


def table_base(plan, ens, game, bgT=None, bg_w=None, bg_nan=False):
    """Value of the empty coalition of the trees of ``plan``, without their tables."""
    bg_DT = ens.decisions(bgT, plan.internal, bg_nan, plan.runs) if game == "interventional" else None
    return _base(plan, ens.value[plan.leaf_ids], game, bg_DT, bg_w)


def dense_floats(plan, k, outside=True):
    """Entries of the tables of ``plan`` when they are dense (None when sparse: their size is
    known once they are built); with ``outside=False``, those of the blocks only."""
    columns = len(plan.players) * k
    if columns > DENSE_COLUMNS:
        return None
    blocks = int((np.int64(1) << np.asarray(plan.block_bits, dtype=np.int64)).sum()) * columns
    # the leaves outside blocks as their parts count them (exact: whole numbers below 2**53)
    return blocks + (part_floats(plan, k, whole=True) if outside else 0)


def _block_order(plan):
    """The leaves in blocks (with players), by block and then by index: the order in which a
    block's leaves are summed."""
    d = plan.leaf_d
    lb = plan.leaf_block
    blocked = np.flatnonzero((d <= _paths.MAX_TABLE_BITS) & (lb >= 0) & (d > 0))
    return blocked[np.argsort(lb[blocked], kind="stable")]


def _leaf_units(plan, columns, n_bg, order=None):
    """The leaves with tables (at most ``MAX_TABLE_BITS`` players) in build order, where each
    unit of them starts (a block's leaves, or one leaf: never split), and each unit's build
    temporaries in floats.

    By default, block leaves come first (:func:`_block_order`), then the others by index (the
    order of ``plan.out_leaves``); ``order`` builds only the leaves it names, in its order.
    """
    d = plan.leaf_d
    lb = plan.leaf_block
    if order is None:
        small = np.flatnonzero(d <= _paths.MAX_TABLE_BITS)
        rest = small[(lb[small] < 0) | (d[small] == 0)]
        order = np.concatenate([_block_order(plan), rest])
    if len(order) == 0:
        return order, order, np.zeros(0)
    in_block = (lb[order] >= 0) & (d[order] > 0)
    unit = np.where(in_block, lb[order], len(plan.block_bits) + np.arange(len(order)))
    first = np.flatnonzero(np.r_[True, unit[1:] != unit[:-1]])
    # leaf tables and their product temporaries, their valued rows and the cells they are
    # written to and, interventional, the background's patterns; block leaves add their
    # gathered block rows (a bound: most of these are smaller now)
    width = max(1, int(d[order].max()))
    cost = (2.0 ** d[order]) * (4 * width + 3 * (columns + 1)) + 5.0 * n_bg
    cost[in_block] += 2.0 * (2.0 ** plan.block_bits[lb[order[in_block]]]) * (columns + 1)
    return order, first, np.add.reduceat(cost, first)


def _leaf_groups(plan, columns, n_bg, order=None):
    """The leaves with tables (or those of ``order``), in groups of whole units whose build
    temporaries stay within ``BUILD_FLOATS`` (a unit over it is a group of its own)."""
    order, first, unit_cost = _leaf_units(plan, columns, n_bg, order)
    cum = np.cumsum(unit_cost)
    start = 0
    while start < len(first):
        done = cum[start - 1] if start else 0.0
        stop = max(int(np.searchsorted(cum, done + BUILD_FLOATS, side="right")), start + 1)
        yield order[first[start] : first[stop] if stop < len(first) else len(order)]
        start = stop


def build_bytes(plan, k, game, n_bg, outside=True):
    """Bytes that building the tables of ``plan`` holds at its peak, from the plan alone: the
    finished tables, one group's temporaries and, interventional, the background's decisions.
    With ``outside=False``, the tables as a call that builds them part by part holds them: the
    blocks' and the largest part of the leaves outside blocks (:func:`out_parts`).

    Sparse tables (many players times outputs) are bounded by ``width`` entries a row, and
    take about 40 bytes an entry while the groups' pieces are joined.
    """
    p_t = len(plan.players)
    columns = p_t * k
    _, _, unit_cost = _leaf_units(plan, columns, n_bg if game == "interventional" else 0)
    temp = 8 * max(float(BUILD_FLOATS), float(unit_cost.max(initial=0.0)))
    block_rows = int((np.int64(1) << np.asarray(plan.block_bits, dtype=np.int64)).sum())
    out_rows = int((np.int64(1) << plan.leaf_d[plan.out_leaves]).sum())
    if columns <= DENSE_COLUMNS:
        tables = 8 * block_rows * columns
        out = 8 * out_rows * columns
    else:
        width = max(1, int(plan.leaf_d.max(initial=1)))
        tables = 40 * block_rows * min(width, p_t) * k
        out = 40 * out_rows * min(width, p_t) * k
    if not outside:  # (a sparse part's floats count 1.5 an entry)
        part = part_floats(plan, k)
        out = min(out, 8 * part if columns <= DENSE_COLUMNS else int(40 * part / 1.5))
    tables += out
    if game == "interventional":
        tables += n_bg * len(plan.internal)
    return int(tables + temp)


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


def _stack_rows(pieces, shape):
    """One CSR of ``shape`` from ``(first_row, csr)`` pieces whose rows never overlap (a row's
    entries all come from one piece, which may skip rows that others fill).

    Each piece's entries are copied once into the final arrays, in place: joined through one
    COO matrix, the build of a fully grown tree's sparse tables held about four times them.
    """
    counts = np.zeros(shape[0] + 1, dtype=np.int64)
    for start, piece in pieces:
        counts[start + 1 : start + 1 + piece.shape[0]] += np.diff(piece.indptr)
    indptr = np.cumsum(counts)
    nnz = int(indptr[-1])
    index_dtype = np.int32 if max(nnz, shape[1]) < np.iinfo(np.int32).max else np.int64
    data = np.empty(nnz)
    indices = np.empty(nnz, dtype=index_dtype)
    for start, piece in pieces:
        n = piece.shape[0]
        # where the piece's rows start in the final arrays, less where they start in the piece
        shift = indptr[start : start + n] - piece.indptr[:-1]
        at = np.repeat(shift, np.diff(piece.indptr)) + np.arange(piece.nnz)
        data[at] = piece.data
        indices[at] = piece.indices
    return sp.csr_matrix((data, indices, indptr.astype(index_dtype)), shape=shape)


def _valued_rows(plan, values, local, leaves, rows, p_t):
    """Table rows of ``leaves`` with the leaf values applied, by path slot: ``(rows, width,
    k)``, with ``loc`` (len(leaves), width) the player of each leaf's slots (``p_t`` for
    pads)."""
    R, width = rows.shape
    leaf_of_row = np.repeat(leaves, 2 ** plan.leaf_d[leaves])
    pl = plan.leaf_players[leaves, :width]
    loc = np.where(pl >= 0, local[np.maximum(pl, 0)], p_t)
    return rows[:, :, None] * values[leaf_of_row][:, None, :], loc


def _slot_table(n_rows, columns):
    """Zeros ``(n_rows, columns)`` for :func:`_scatter_slots`: a view of a flat buffer one cell
    longer, the cell that pad slots are added to."""
    return np.zeros(n_rows * columns + 1)[:-1].reshape(n_rows, columns)


def _scatter_slots(table, rows, vals, loc, p_t):
    """Add slot-space ``vals`` (..., width, k) of players ``loc`` (..., width) into the
    dense ``table`` (n_rows, p_t * k; made by :func:`_slot_table`) at ``rows`` (...): pads
    to the buffer's cell after the table, and entries that meet the same cell summed one after
    the other in the order of ``vals`` (leaf by leaf). Pads were dropped by a mask, which
    took 0.6 s of the 0.75 s this took for 2,000 rows of a 100-tree forest of depth 8."""
    k = vals.shape[-1]
    buffer = table.base
    if (
        buffer is None
        or buffer.size != table.size + 1
        or not table.flags.c_contiguous
        or table.ctypes.data != buffer.ctypes.data
        or table.shape[-1] != p_t * k
    ):
        raise ValueError("_scatter_slots writes into tables made by _slot_table, p_t * k columns wide")
    if rows.size and (rows.min() < 0 or rows.max() >= table.shape[0]):
        # (a row past the end would meet the pad cell, not an IndexError)
        raise IndexError(f"table rows {rows.min()}..{rows.max()} outside a table of {table.shape[0]}")
    cell = rows[..., None] * p_t + loc
    pad = np.broadcast_to(loc >= p_t, cell.shape)
    if k > 1:
        cell = cell[..., None] * k + np.arange(k)
        pad = np.broadcast_to(pad[..., None], cell.shape)
    cell[pad] = table.size
    np.add.at(buffer, cell.ravel(), vals.ravel())


class _BlockTables:
    """``(sum 2**bits, p_t * k)`` summed leaf contributions per block index value (dense, or
    sparse when ``dense`` is false), filled one group of whole blocks at a time."""

    def __init__(self, plan, p_t, k, dense):
        self.plan, self.p_t, self.k, self.dense = plan, p_t, k, dense
        sizes = 2**plan.block_bits
        self.boff = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
        self.total = int(sizes.sum())
        self.table = _slot_table(self.total, p_t * k) if dense else None
        self.pieces = []

    def add(self, leaves, off, prow, loc):
        """Add the blocks whose leaves are all in ``leaves`` (table rows ``off`` in ``prow``)."""
        plan, boff = self.plan, self.boff
        lb = plan.leaf_block
        pick = np.flatnonzero((lb[leaves] >= 0) & (plan.leaf_d[leaves] > 0))
        if len(pick) == 0:
            return
        bits_of_leaf = plan.block_bits[lb[leaves[pick]]]
        triplets = []
        for bits in np.unique(bits_of_leaf):
            mine = pick[bits_of_leaf == bits]
            mine = mine[np.argsort(lb[leaves[mine]], kind="stable")]
            group = leaves[mine]
            alpha = _block_patterns(plan, group, int(bits))
            ridx = off[mine][:, None] + alpha.reshape(len(group), -1)
            vals = prow[ridx]  # (L, 2**bits, width, k) in slot space
            rows = boff[lb[group]][:, None] + np.arange(1 << int(bits))[None, :]
            leaf_loc = np.broadcast_to(loc[mine][:, None, :], vals.shape[:3])  # a leaf's players at every row
            if self.dense:  # a block's leaves are summed into its rows in leaf order
                _scatter_slots(self.table, rows, vals, leaf_loc, self.p_t)
                continue
            triplets.append((vals.reshape(-1, *vals.shape[2:]), leaf_loc.reshape(-1, loc.shape[1]), rows.ravel()))
        if triplets:
            v, lc, rw = (np.concatenate([t[i] for t in triplets]) for i in range(3))
            first, stop = int(rw.min()), int(rw.max()) + 1  # the group's blocks: one range of rows
            self.pieces.append((first, _sparse_rows(v, lc, rw - first, stop - first, self.p_t, self.k)))

    def finish(self):
        width = self.p_t * self.k
        if self.dense:
            return self.table, self.boff
        return _stack_rows(self.pieces, (self.total, width)), self.boff


def _block_patterns(plan, group, bits):
    """Each leaf's pattern ``(len(group), 2**bits)`` for every index value of its block."""
    nlo = bits // 2
    nhi = bits - nlo
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
    return full[:, None, None] & ~(fail_hi[:, :, None] | fail_lo[:, None, :])


class _OutsideRows:
    """Table rows of ``leaves`` (outside blocks; ``plan.out_leaves`` or a range of them,
    ``2**d`` rows each, at ``off``), filled one group of leaves at a time."""

    def __init__(self, plan, p_t, k, dense, leaves):
        self.p_t, self.k, self.dense = p_t, k, dense
        self.leaves = leaves
        sizes = 2 ** plan.leaf_d[leaves]
        self.off = (np.cumsum(sizes) - sizes).astype(np.int64)
        self.n_rows = int(sizes.sum())
        self.position = np.full(len(plan.leaf_d), -1, dtype=np.int64)
        self.position[leaves] = np.arange(len(leaves))
        self.players = plan.leaf_players
        self.rows = _slot_table(self.n_rows, p_t * k) if dense else None
        if not dense:
            # A leaf's rows hold its d players' k outputs each: the sparse structure is known
            # from the plan, so the values are written in place (pieces joined at the end held
            # twice the rows).
            per_row = plan.leaf_d[leaves] * k
            nnz = int((sizes * per_row).sum())
            index = np.int32 if max(nnz, p_t * k) < np.iinfo(np.int32).max else np.int64
            self.indptr = np.zeros(self.n_rows + 1, dtype=index)
            np.cumsum(np.repeat(per_row, sizes), out=self.indptr[1:])
            self.start = self.indptr[self.off].astype(np.int64)
            self.data = np.zeros(nnz)
            self.indices = np.zeros(nnz, dtype=index)

    def add(self, leaves, T, values, local):
        """Add the tables ``T`` (L, 2**d, d) of ``leaves`` (outside blocks, ``d`` players each)."""
        L, P, d = T.shape
        k = self.k
        dst = self.off[self.position[leaves]]
        cols = local[self.players[leaves, :d]]  # (L, d)
        v = values[leaves]
        if self.dense and d >= _SLICED_BITS:  # a leaf's rows are one slice of the table
            table = self.rows.reshape(self.n_rows, self.p_t, k)
            for j in range(L):
                table[dst[j] : dst[j] + P, cols[j]] = T[j][:, :, None] * v[j]
            return
        if not self.dense:  # each row's columns ascending, as a canonical CSR holds them
            order = np.argsort(cols, axis=1, kind="stable")
            cols = np.take_along_axis(cols, order, axis=1)
            T = np.take_along_axis(T, order[:, None, :], axis=2)
            at = self.start[self.position[leaves]][:, None] + np.arange(P * d * k)  # (L, P * d * k)
            self.data[at] = (T[..., None] * v[:, None, None, :]).reshape(L, -1)
            self.indices[at] = np.broadcast_to(
                (cols[:, :, None] * k + np.arange(k)).reshape(L, 1, -1), (L, P, d * k)
            ).reshape(L, -1)
            return
        vals = T[..., None] * v[:, None, None, :]  # (L, P, d, k) by path slot
        rows = dst[:, None] + np.arange(P)[None, :]  # (L, P)
        loc = np.broadcast_to(cols[:, None, :], (L, P, d))
        _scatter_slots(self.rows, rows, vals, loc, self.p_t)  # small tables all at once (each cell met once)

    def finish(self):
        if self.dense:
            return self.rows, self.off
        shape = (self.n_rows, self.p_t * self.k)
        return sp.csr_matrix((self.data, self.indices, self.indptr), shape=shape), self.off


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
        _explain_outside(plan, tab, DT, phi)


class _RowGame:
    """What :func:`_explain_wide` reads of the tables, for the row path: the leaf values and,
    interventional, the background's weights and satisfied bits of the wide leaves."""

    def __init__(self, values, plan, background=None):
        self.values = values
        self.game = "tree_path_dependent" if background is None else "interventional"
        self.wide_bg = None
        if background is not None:
            bg_DT, self.bg_w = background
            self.wide_bg = _wide_background(plan, bg_DT)


def _valued_leaf_rows(plan, DT, leaves, values, local, p_t, background=None):
    """Contributions of ``leaves`` (at most ``MAX_TABLE_BITS`` players, any number each) at
    the rows' own patterns with the leaf values applied, by path slot: ``(L, n, width, k)``,
    with ``loc`` (L, n, width) the player of each slot (``p_t`` for pads). The
    path-dependent game, or the interventional one given ``background`` (its decisions
    ``bg_DT`` and weights ``bg_w``).

    A leaf's entry for a row is its table's entry at the row's pattern: the leaf's table is
    built by :func:`_leaf_tables` as the tables build it (each leaf's matrix products have the
    same shapes whatever the leaves beside it, and each pattern's background weight is summed
    over the background rows in their order), then read at the rows' patterns and multiplied
    by the leaf value as :func:`_valued_rows` does. A table of at most ``2**MAX_TABLE_BITS``
    patterns costs far less than the ``2**block_bits`` rows of its block's table it would be
    written into.
    """
    d_of = plan.leaf_d[leaves]
    width = max(1, int(d_of.max(initial=1)))
    n = DT.shape[1]
    T = np.zeros((len(leaves), n, width))
    # every leaf's pattern at once (as leaves_satisfied reads them, group by group)
    pats = leaf_patterns(plan, DT, leaves).T  # (L, n)
    bg_DT, bg_w = (None, None) if background is None else background
    off, hist = _pattern_histogram(plan, bg_DT, bg_w, leaves)
    game = "tree_path_dependent" if background is None else "interventional"
    for sel, dd, tables in _leaf_tables(plan, game, leaves, off, hist):  # (len(sel), 2**dd, dd)
        T[sel, :, :dd] = tables[np.arange(len(sel))[:, None], pats[sel]]
    pl = plan.leaf_players[leaves, :width]
    loc = np.where(pl >= 0, local[np.maximum(pl, 0)], p_t)[:, None, :]
    return T[..., None] * values[leaves][:, None, None, :], np.broadcast_to(loc, T.shape)


def _leaf_table_floats(plan, n_bg=0):
    """Floats a leaf's own table and its build's temporaries hold in the row path (at most
    ``MAX_TABLE_BITS`` players: wider leaves are read by the closed forms), with the patterns
    of ``n_bg`` background rows (interventional: a leaf's pattern of each background row, its
    place in the histogram, its weight and the temporaries of :func:`leaf_patterns`)."""
    d = min(int(plan.leaf_d.max(initial=1)), _paths.MAX_TABLE_BITS)
    return (2 * d + len(gauss01(d)[0]) + 5) * (1 << d) + 6 * n_bg


def row_path_work(plan, k, n):
    """Rough work ``(rows, tables)`` of the values of ``n`` rows through the
    rows' own patterns (:func:`explain_tree_rows`) and through tables built for the call
    (:func:`build_tables` and :func:`explain_tree`), less what both do: every leaf's own table,
    and the leaves too wide for tables, read row by row either way. The tables write each block
    leaf at every index value of its block (``2**block_bits``) and each other leaf at its
    ``2**d`` patterns; the row path reads every leaf at every row's pattern."""
    d = plan.leaf_d
    small = (d > 0) & (d <= _paths.MAX_TABLE_BITS)
    dd = d[small].astype(np.float64)
    lb = plan.leaf_block[small]
    depth = float(plan.path_slot.shape[1])
    bits = plan.block_bits[np.maximum(lb, 0)] if len(plan.block_bits) else np.zeros(len(lb))  # no blocks
    spread = np.where(lb >= 0, 2.0**bits * (dd * 3 * k + depth), 2.0**dd * dd * k)
    rows = n * float((dd * (3 * k + 2) + depth).sum()) * ROW_WORK_FACTOR
    return rows, float(spread.sum())


def own_tables_work(plan, k, n_bg=0):
    """Rough work of every leaf's own table (``2**d`` patterns of ``d`` players by the Gauss
    form and, interventional, the patterns of ``n_bg`` background rows), in the units of
    :func:`row_path_work`: what the row path pays at every call whatever its rows, and what a
    build of the tables pays once."""
    d = plan.leaf_d
    dd = d[(d > 0) & (d <= _paths.MAX_TABLE_BITS)].astype(np.int64)
    nodes = np.array([len(gauss01(int(x))[0]) for x in range(int(dd.max(initial=0)) + 1)], dtype=np.float64)
    patterns = len(dd) * n_bg * (float(plan.path_slot.shape[1]) + 2)
    return float((2.0**dd * dd * (2 * nodes[dd] + 2 + k)).sum()) + patterns


def explain_tree_rows(plan, ens, XT, has_nan, phi, background=None):
    """Add the tree's contributions for rows ``XT`` into ``phi`` without tables: each leaf
    read at the rows' own patterns ("the row path"), for calls with fewer rows than the
    tables have patterns. Path-dependent, or interventional given ``background``: the
    background rows (prepared, transposed), their weights and whether they hold NaN.

    The values are those of :func:`explain_tree` to the bit (a row's values must not depend
    on the rows explained with it): a leaf's value at a pattern is its own table's entry,
    built as the tables build it (:func:`_valued_leaf_rows`); a block's leaves are added for each (row, block) in the
    order the block tables add them (:func:`_block_order`, ``np.add.at`` in input order),
    then the same sparse product adds a row's blocks in block order, from (row, block) rows
    instead of every index value; a part's leaves outside blocks are added in leaf order, as
    the product of :func:`_explain_outside` adds them. Only dense tables
    (``p_t * k <= DENSE_COLUMNS``); the leaves too wide for tables as :func:`explain_tree`
    reads them. Rows are taken in steps within ``min(ROW_FLOATS, BUILD_FLOATS)``.
    """
    if len(plan.internal) == 0:
        return
    n = XT.shape[1]
    DT = ens.decisions(XT, plan.internal, has_nan, plan.runs)
    players = plan.players
    p_t = len(players)
    k = ens.n_outputs
    values = ens.value[plan.leaf_ids]
    local = np.full(ens.n_players, p_t, dtype=np.int64)
    local[players] = np.arange(p_t)
    width = max(1, int(plan.leaf_d.max(initial=1)))
    nb = len(plan.block_bits)
    budget = min(ROW_FLOATS, BUILD_FLOATS)
    bg = None
    if background is not None:
        bgT, bg_w, bg_nan = background
        bg = (ens.decisions(bgT, plan.internal, bg_nan, plan.runs), bg_w)
    n_bg = 0 if bg is None else bg_w.shape[0]
    # Leaves in steps within the budget, each leaf's table built once for the rows of a step
    # (the (row, block) sums of a step's rows within the budget too: usually one step, the row
    # path being taken for fewer rows than a block has index values).
    step = max(1, budget // (2 * n * (width * (k + 3) + 8) + _leaf_table_floats(plan, n_bg)))
    rstep = max(1, budget // max(1, nb * p_t * k))
    order = _block_order(plan)
    for r0 in range(0, n if nb else 0, rstep):
        D = DT[:, r0 : r0 + rstep]
        s = D.shape[1]
        table = _slot_table(s * nb, p_t * k)
        rows_of = np.arange(s, dtype=np.int64)[None, :] * nb
        # the leaves in block order: each (row, block) cell meets its leaves one after the
        # other in that order, step after step (a row's sums never meet another row's)
        for a in range(0, len(order), step):
            leaves = order[a : a + step]
            vals, loc = _valued_leaf_rows(plan, D, leaves, values, local, p_t, bg)
            _scatter_slots(table, rows_of + plan.leaf_block[leaves][:, None], vals, loc, p_t)
            del vals
        M = sp.csr_matrix((np.ones(s * nb), np.arange(s * nb), np.arange(0, s * nb + 1, nb)), shape=(s, s * nb))
        phi[r0 : r0 + s, players, :] += _dense(M @ table).reshape(s, p_t, k)
        del table
    if ((plan.leaf_block < 0) & (plan.leaf_d > 0)).any():
        for lo, hi in out_parts(plan, k):
            # The tables' product M @ rows adds a row's (row, leaf) rows in leaf order from 0:
            # their cells off the leaf's players hold 0.0, which never changes a sum started at
            # +0.0 (it never reaches -0.0), so each cell gets the part's leaves that hold it one
            # after the other, in leaf order: np.add.at in input order, (leaf, row, slot).
            part = _slot_table(n, p_t * k)
            rows_of = np.arange(n, dtype=np.int64)[None, :]
            for a in range(lo, hi, step):
                out = plan.out_leaves[a : min(a + step, hi)]
                vals, loc = _valued_leaf_rows(plan, DT, out, values, local, p_t, bg)
                _scatter_slots(part, rows_of, vals, loc, p_t)
                del vals
            phi[:, players, :] += part.reshape(n, p_t, k)
    _explain_wide(plan, _RowGame(values, plan, bg), DT, phi)


def _explain_outside(plan, tab, DT, phi):
    n = DT.shape[1]
    players = plan.players
    A, a0, W = plan.out_A, plan.out_a0, plan.out_W
    start = np.concatenate([[0], np.cumsum(plan.leaf_d[plan.out_leaves])])  # each leaf's rows of A
    # Part by part (the same parts whether the tables are kept or built now, so the same sums)
    parts = out_parts(plan, tab.k)
    for lo, hi in parts:
        rows, off = tab.outside(lo, hi)
        maps = (A, a0, W)
        if len(parts) > 1:
            maps = (A[start[lo] : start[hi]], a0[start[lo] : start[hi]], W[lo:hi, start[lo] : start[hi]])
        # Every (leaf, row) pair holds its conditions' counts and its pattern's index: rows go
        # in blocks, as a deep tree's hundreds of such leaves took 47 kB a row.
        per_row = 2 * (start[hi] - start[lo]) + 5 * (hi - lo)
        step = max(1, OUTSIDE_FLOATS // per_row)
        for a in range(0, n, step):
            D = DT[:, a : a + step]
            m = D.shape[1]
            idx = (apply_pattern_maps(maps, D) + off[:, None]).T.ravel()
            M = sp.csr_matrix((np.ones(idx.size), idx, np.arange(0, idx.size + 1, hi - lo)), shape=(m, rows.shape[0]))
            phi[a : a + step, players, :] += _dense(M @ rows).reshape(m, len(players), -1)
        del rows
    _explain_wide(plan, tab, DT, phi)


def _explain_wide(plan, tab, DT, phi):
    """The leaves too wide for tables, by their closed forms: in batches of leaves with the
    same number of players, and blocks of rows, within ``WIDE_FLOATS``."""
    n = DT.shape[1]
    interventional = tab.game == "interventional"
    groups = tab.wide_bg if interventional else [(leaves, None) for leaves in _wide_groups(plan)]
    for leaves_all, sat_bg in groups:
        d = int(plan.leaf_d[leaves_all[0]])
        # floats a (leaf, row) pair holds: the rows' bits, products and sums; interventional,
        # the overlaps with every background row and the pairs that reach the leaf
        per = 4 * d + 2 * len(gauss01(d)[0])
        if interventional:
            per += sat_bg.shape[2] * (2 * d + 4)
        row_step = max(1, WIDE_FLOATS // per)
        for a in range(0, n, row_step):
            D = DT[:, a : a + row_step]
            step = max(1, WIDE_FLOATS // (D.shape[1] * per))
            for start in range(0, len(leaves_all), step):
                leaves = leaves_all[start : start + step]
                sat = leaves_satisfied(plan, D, leaves)
                if interventional:
                    contrib = _wide_interventional(sat, sat_bg[start : start + step], tab.bg_w)
                else:
                    contrib = _wide_path_dependent(sat, plan.leaf_r[leaves, :d])
                _add_leaves(phi[a : a + row_step], contrib, plan.leaf_players[leaves, :d], tab.values[leaves])


def _add_leaves(phi, contrib, players, values):
    """Add contributions ``contrib`` (L, d, n) of leaves with ``players`` (L, d) and
    ``values`` (L, k) into ``phi``, leaf by leaf (sums in the same order for any batch)."""
    for j in range(len(players)):
        phi[:, players[j], :] += contrib[j].T[:, :, None] * values[j]


def _wide_interventional(sat_x, sat_b, w):
    """Closed form of the interventional game for ``L`` leaves with ``d`` players each:
    satisfied bits of the rows ``sat_x`` (L, d, n) and of the background ``sat_b`` (L, d, m)
    with weights ``w`` (m,): ``(L, d, n)``.

    One pair's game (see :mod:`skxai.shapley._treeshap._tables`) is zero when a player fails
    for both, as it does for most pairs of a deep leaf; otherwise the players only the row
    satisfies are those the background row fails (``P``) and the other way round (``N``).
    Only the pairs whose game is not zero are summed, background row by background row for
    each row (so that a row's sums never depend on the other rows of a call).
    """
    L, d, n = sat_x.shape
    Tp, Tn = _pair_weights(d)
    Fb = ~sat_b  # (L, d, m)
    Fx = ~sat_x
    # no player fails for both: a product of counts of 0/1, exact
    ok = np.matmul(Fx.transpose(0, 2, 1).astype(np.float64), Fb.astype(np.float64)) < 0.5  # (L, n, m)
    leaf, row, b = np.nonzero(ok)  # by leaf, row, then background row
    cP = Fb.sum(axis=1)[leaf, b]
    cN = Fx.sum(axis=1)[leaf, row]
    cell = leaf * n + row
    on_P = np.zeros((L * n, d))
    np.add.at(on_P.reshape(-1), (cell * d)[:, None] + np.arange(d), (Tp[cP, cN] * w[b])[:, None] * Fb[leaf, :, b])
    on_N = np.zeros(L * n)
    np.add.at(on_N, cell, Tn[cP, cN] * w[b])
    return on_P.reshape(L, n, d).transpose(0, 2, 1) - Fx * on_N.reshape(L, 1, n)


@lru_cache(maxsize=64)
def _pair_weights(d):
    """Shapley weights of one pair's game by its counts ``(|P|, |N|)``: ``B(|P|, |N| + 1)``
    on P and ``B(|P| + 1, |N|)`` on N (0 where the set is empty)."""
    from scipy.special import beta

    p, q = np.meshgrid(np.arange(d + 1), np.arange(d + 1), indexing="ij")
    Tp = np.where(p > 0, beta(np.maximum(p, 1), q + 1), 0.0)
    Tn = np.where(q > 0, beta(p + 1, np.maximum(q, 1)), 0.0)
    Tp.setflags(write=False)
    Tn.setflags(write=False)
    return Tp, Tn


def _wide_path_dependent(a, r):
    """Closed form of the path-dependent game for satisfied bits ``a`` (L, d, n) of ``L``
    leaves with ``d`` players each and cover ratios ``r`` (L, d): ``(L, d, n)``.

    The tables' formula (:func:`path_dependent_tables`) at the rows' own patterns: with
    ``G(t) = prod_k g_k(t)``, ``phi_i = sum_m c_{a_i}(t_m) G(t_m)`` where ``c`` holds the
    weight, the division by ``g_i`` and the factor ``a_i - r_i``.
    """
    L, d, n = a.shape
    t, w = gauss01(d)
    rr = r[:, :, None]  # (L, d, 1) against nodes (q,)
    g1 = t + (1.0 - t) * rr
    g0 = (1.0 - t) * rr
    c1 = w * (1.0 - rr) / g1
    c0 = -np.divide(w * rr, g0, out=np.zeros_like(g0), where=g0 > 0)
    G = np.ones((L, len(t), n))
    for k in range(d):
        G *= np.where(a[:, k, None, :], g1[:, k, :, None], g0[:, k, :, None])
    # summed node by node rather than by a matrix product (or einsum), whose rounding can
    # depend on how many rows share the call: a row's values must not
    out = np.zeros(a.shape)
    term = np.empty(a.shape)
    for m in range(len(t)):
        np.copyto(term, c0[:, :, m, None])
        np.copyto(term, c1[:, :, m, None], where=a)
        term *= G[:, None, m, :]
        out += term
    return out
