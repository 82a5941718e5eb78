"""Probe (nothing in the package uses it): interventional TreeSHAP by (row, background row) pairs.

Measured in session 21 as a way to explain few rows of a deep forest, and not adopted: see the
figures this script prints and ``benchmarks/results/tree.md`` (deep forests).

The tables of :mod:`skxai.shapley._treeshap._engine` cost ``2**d`` patterns per leaf whatever
the rows: kept between calls they are the fastest way, but the tables of a deep forest beyond
the cache are rebuilt at every call, and on few rows that build is most of the time (a fully
grown 40-tree forest: 20 s for 50 rows, where shap takes 1.2 s). Here each pair walks down the
trees instead, visiting only the nodes it can reach (as shap's interventional algorithm does):
where the row and the background row go the same way, or the node's player is already taken
from one of them, the pair follows; where they part, it follows both, the player taken from the
row (``P``) on one side and from the background row (``N``) on the other. A leaf reached with
``P`` and ``N`` adds ``w_b B(|P|, |N| + 1) v`` to the players of ``P`` and
``-w_b B(|P| + 1, |N|) v`` to those of ``N`` (the pair's game, see
:mod:`skxai.shapley._treeshap._tables`).

The walk goes level by level over all pairs of a block of rows at once. A row's contributions
are added in an order that depends on its own pairs only, so its values never depend on the
other rows of a call.

Usage::

    OMP_NUM_THREADS=1 python benchmarks/probe_tree_pair_walk.py --rows 50 1000
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from skxai.shapley._treeshap._engine import _pair_weights  # noqa: E402

# Players are bits of an int64.
MAX_PLAYERS = 62
# Pairs started together (about 48 bytes each per state reached on a level).
PAIR_BLOCK = 1 << 14


def explain_pairs(plan, ens, XT, has_nan, bgT, bg_nan, bg_w, phi):
    """Add the interventional values of the trees of ``plan`` for rows ``XT`` (prepared,
    transposed) against the background ``bgT`` (weights ``bg_w``) into ``phi``."""
    if len(plan.internal) == 0:
        return
    players = plan.players
    p_t = len(players)
    k = ens.n_outputs
    DT = ens.decisions(XT, plan.internal, has_nan, plan.runs)  # (n_int, n) goes left
    BT = ens.decisions(bgT, plan.internal, bg_nan, plan.runs)  # (n_int, m)
    order = np.argsort(plan.internal)
    sorted_ids = plan.internal[order]
    left, right = ens.left, ens.right
    Tp, Tn = _pair_weights(p_t)
    live = np.flatnonzero(bg_w > 0)
    n, m = XT.shape[1], len(live)
    roots = np.asarray(plan.roots)
    rows_per_block = max(1, PAIR_BLOCK // max(1, m * len(roots)))
    shifts = np.arange(p_t, dtype=np.int64)
    for a in range(0, n, rows_per_block):
        rows = np.arange(a, min(n, a + rows_per_block))
        # row-major, then tree, then background row
        sx = np.repeat(rows, len(roots) * m)
        node = np.tile(np.repeat(roots, m), len(rows))
        sb = np.tile(live, len(rows) * len(roots))
        Pm = np.zeros(len(sx), dtype=np.int64)
        Nm = np.zeros(len(sx), dtype=np.int64)
        acc = np.zeros((len(rows) * p_t * k,))
        while len(sx):
            VISITS[0] += len(sx)
            leaf = left[node] < 0
            if leaf.any():
                i = np.flatnonzero(leaf & ((Pm | Nm) != 0))
                if len(i):
                    bp = (Pm[i, None] >> shifts) & 1
                    bn = (Nm[i, None] >> shifts) & 1
                    cP, cN = bp.sum(axis=1), bn.sum(axis=1)
                    w = bg_w[sb[i]]
                    coef = bp * (Tp[cP, cN] * w)[:, None] - bn * (Tn[cP, cN] * w)[:, None]  # (s, p_t)
                    s, j = np.nonzero(coef)  # by state, then player
                    vals = coef[s, j][:, None] * ens.value[node[i[s]]]  # (nnz, k)
                    cell = ((sx[i[s]] - a) * p_t + j) * k
                    np.add.at(acc, (cell[:, None] + np.arange(k)).ravel(), vals.ravel())
                keep = ~leaf
                sx, sb, node, Pm, Nm = sx[keep], sb[keep], node[keep], Pm[keep], Nm[keep]
                if not len(sx):
                    break
            col = order[np.searchsorted(sorted_ids, node)]
            dx = DT[col, sx]
            db = BT[col, sb]
            bit = np.int64(1) << np.searchsorted(players, ens.player[node]).astype(np.int64)
            in_p = (Pm & bit) != 0
            in_n = (Nm & bit) != 0
            go = np.where(in_n, db, dx)
            follow = in_p | in_n | (dx == db)
            part = ~follow
            nxt = np.where(go, left[node], right[node])
            # the pairs that part: the row's way with the player in P, the background's in N
            px = np.where(dx[part], left[node[part]], right[node[part]])
            pb = np.where(db[part], left[node[part]], right[node[part]])
            sx = np.concatenate([sx[follow], sx[part], sx[part]])
            sb = np.concatenate([sb[follow], sb[part], sb[part]])
            node = np.concatenate([nxt[follow], px, pb])
            Pm = np.concatenate([Pm[follow], Pm[part] | bit[part], Pm[part]])
            Nm = np.concatenate([Nm[follow], Nm[part], Nm[part] | bit[part]])
        phi[rows[:, None], players[None, :], :] += acc.reshape(len(rows), p_t, k)


def main():
    from benchmarks.bench_tree_deep import forest
    from skxai import TreeShapExplainer
    from skxai.shapley._treeshap._paths import compile_tree

    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", nargs="+", type=int, default=[50, 1000])
    args = parser.parse_args()
    model, X, rows = forest(12)
    explainer = TreeShapExplainer(model, feature_perturbation="interventional").fit(X[:100])
    runner = explainer._runner
    ens = runner.ensemble
    print("| rows | tables (the package) s | pair walk s | states visited | max abs diff |")
    print("|---:|---:|---:|---:|---:|")
    for n in args.rows:
        t = time.process_time()
        want = runner.shap_values(rows[:n])
        t_tables = time.process_time() - t
        XT = np.ascontiguousarray(ens.prepare(rows[:n]).T)
        phi = np.zeros_like(want)
        t = time.process_time()
        for chunk in runner.chunks:
            plan = compile_tree(ens, ens.roots[chunk], runner.block_bits)
            plan.roots = ens.roots[chunk]
            explain_pairs(plan, ens, XT, False, runner._bgT, runner._bg_nan, runner._bg_w, phi)
        t_walk = time.process_time() - t
        diff = np.abs(phi - want).max()
        print(f"| {n} | {t_tables:.2f} | {t_walk:.2f} | {VISITS[0]:,} | {diff:.1e} |", flush=True)
        VISITS[0] = 0


VISITS = [0]

if __name__ == "__main__":
    main()
