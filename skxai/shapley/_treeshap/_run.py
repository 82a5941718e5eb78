"""Run the TreeSHAP engine over all trees of an ensemble: tables once, rows in chunks."""

from __future__ import annotations

import threading

import numpy as np
from joblib import Parallel, delayed, effective_n_jobs

from skxai.shapley._treeshap import _paths
from skxai.shapley._treeshap._engine import (
    DENSE_COLUMNS,
    build_bytes,
    build_tables,
    dense_floats,
    explain_tree,
    explain_tree_rows,
    own_tables_work,
    part_floats,
    row_path_work,
    table_base,
)
from skxai.shapley._treeshap._interactions import interaction_values
from skxai.shapley._treeshap._paths import compile_tree
from skxai.utils._memory import refuse_beyond_working_memory
from skxai.utils._parallel import (
    Shipped,
    dask_client,
    lost_workers_named,
    one_blas_thread,
    scattered,
    unwrap,
    worker_threads,
)

# Most float64 entries of tables kept between calls (per process, so per Dask worker): the chunks
# of trees whose tables fit, in chunk order, are kept; the others are rebuilt per call.
CACHE_FLOATS = 1 << 24
# Least number of tree chunks (fixed, so partial sums are added in the same order for any n_jobs).
N_CHUNKS = 16
# Most nodes per chunk of trees, beyond N_CHUNKS chunks: building a chunk's tables needs several
# times the tables' own memory for a moment (about 40 MiB for 2.5 trees of depth 8 over 20
# features), so large forests get one chunk per tree or so, which also keeps explain's
# per-chunk temporaries small (and is no slower: the products stay in cache).
PLAN_NODES = 512
# Bytes of plans kept (per process) for chunks whose tables are rebuilt per call: compiling them
# again at every call was 0.15 s of a 0.28 s call of 10 rows on a default forest of diabetes
# (100 plans, 27 MB). Concurrent calls may pass it by a plan or two.
PLAN_CACHE_BYTES = 32 << 20
# Below this many (row x node) decisions a pool of threads costs more than it saves.
_MIN_PARALLEL_WORK = 4_000_000
# Threads in this process explain a call's chunks only from this many times that work: building
# the tables holds the GIL (np.add.at), so two threads were 10-44% slower on a 200-tree boosted
# model at 2,000-10,000 rows and up to 26% on a 100-tree forest of depth 8 at 2,000, and 8-18%
# faster on the forest at 10,000 (benchmarks/probe_tree_threads.py). Dask's worker processes
# take calls from _MIN_PARALLEL_WORK.
_THREAD_WORK_FACTOR = 50
# Chunks whose tables are not built read their leaves at the rows' own patterns
# (engine.explain_tree_rows: the same values to the bit) when that is less work than building
# the tables for the call. None chooses so; True / False force the row path / the tables (for
# every chunk with dense tables, kept or not: tests).
ROW_PATH = None
# Guards the making of a runner's per-chunk build locks.
_LOCKS_LOCK = threading.Lock()


def _n_floats(a):
    # sparse: an 8-byte value and a 4-byte column per entry
    return (a.nnz * 3) // 2 if hasattr(a, "nnz") else a.size


class TreeRunner:
    """Plans and game tables of every tree of a :class:`TreeEnsemble`.

    Parameters
    ----------
    ensemble : TreeEnsemble
    game : {"tree_path_dependent", "interventional"}
    background, weights : ndarray
        Background rows (trees' space) and weights, for the interventional game.
    n_jobs : int or None
        Threads over chunks of trees.
    block_bits : int
        Largest block index (table rows ``2**block_bits`` per block).
    """

    def __init__(self, ensemble, game, background, weights, n_jobs=None, block_bits=9, cache_share=1):
        self.ensemble = ensemble
        self.game = game
        self.n_jobs = n_jobs
        # the caches' share this runner holds (one of the runners of OutputRunners)
        self.cache_share = int(cache_share)
        self.block_bits = min(int(block_bits), _paths.MAX_TABLE_BITS)
        ens = ensemble
        if game == "interventional":
            bg = ens.prepare(background)
            self._bgT = np.ascontiguousarray(bg.T)
            self._bg_nan = bool(np.isnan(bg).any())
            self._bg_w = np.asarray(weights, dtype=np.float64)
        else:
            self._bgT = self._bg_w = None
            self._bg_nan = False
        T = ens.n_trees
        # one class's runner: its share of the chunks (16 chunks a class made 16 k per call, and a
        # 5-class, 20-round model's calls 3 times as long)
        least = -(-N_CHUNKS // self.cache_share)
        n_chunks = min(T, max(least, -(-len(ens.left) // PLAN_NODES)))
        bounds = np.linspace(0, T, n_chunks + 1).round().astype(int)
        self.chunks = [np.arange(a, b) for a, b in zip(bounds[:-1], bounds[1:], strict=True) if b > a]
        n_nodes = len(ens.left)
        work = n_nodes * (1 << self.block_bits)  # table entries to fill, roughly
        jobs = n_jobs if work >= _MIN_PARALLEL_WORK else 1
        # Plans, bases and the sizes of dense tables come from the trees alone: tables are built
        # here only where they are kept (sparse ones, whose size is known once built, are held
        # meanwhile while they fit the cache). All of them built, most to be dropped, took a
        # depth-10 forest's fit through 1.2 GB of tables for a 128 MiB cache. Under joblib's
        # Dask backend the workers build their own tables (shap_values), so none is kept here.
        on_dask = dask_client() is not None
        bases, sizes, rebuilt, plans = [], [], [], []
        dense_held = 0
        k = ens.n_outputs
        with one_blas_thread():
            for chunk in self.chunks:
                # One plan for a whole chunk of trees: blocks never cross trees, and numpy
                # calls then cover many small trees (boosting) at once.
                plan = compile_tree(ens, ens.roots[chunk], self.block_bits)
                self._check_table_memory(plan, chunk)
                bases.append(table_base(plan, ens, game, self._bgT, self._bg_w, self._bg_nan))
                size = dense_floats(plan, k)
                sizes.append(size)
                # held at once when rebuilt by a call: the blocks' tables and one part of the rest
                rebuilt.append(None if size is None else dense_floats(plan, k, outside=False) + part_floats(plan, k))
                if size is not None:
                    dense_held += size
                # kept for a build below: sparse tables (their size) and dense ones that may be
                # kept; the others' within the plans' budget (below), for the first call
                plans.append(plan if size is None or dense_held <= self._cache_floats() else self._spare_plan(plan))
                del plan
            tables = [None] * len(self.chunks)
            sparse = [c for c, size in enumerate(sizes) if size is None]
            # the rows of leaves outside blocks beyond the cache alone: never kept, so only the
            # blocks are built (to learn their size), as a call would build them
            whole = [part_floats(plans[c], k, whole=True) <= self._cache_floats() for c in sparse]
            for c, tab in zip(sparse, self._builds(plans, sparse, 1 if on_dask else jobs, whole), strict=True):
                sizes[c] = _n_floats(tab.block_table) + part_floats(plans[c], k, whole=True)
                rebuilt[c] = _n_floats(tab.block_table) + part_floats(plans[c], k)
                if not on_dask and sum(sizes[: c + 1]) <= self._cache_floats():  # (in order: all known)
                    tables[c] = tab  # the kept chunks are a prefix of these
                del tab
            self._rebuilt = rebuilt
            self._keep = _kept_chunks(sizes, rebuilt, self._cache_floats())
        self.bases = np.array(bases)
        self._row_spent = [0.0] * len(self.chunks)  # the row path's work on each kept chunk (_row_path)
        self._sizes = sizes
        self._tables = [tab if keep else None for tab, keep in zip(tables, self._keep, strict=True)]
        # a plan is kept with its tables; those of chunks rebuilt per call within
        # PLAN_CACHE_BYTES (a depth-10 forest's plans took 20 MiB), compiled again where used
        # beyond it. Dropped here, the first call compiled them all again (0.2 s of a fully
        # grown 100-tree forest's 0.9 s for 10 rows).
        self._plan_bytes_held = 0
        self._plans = [
            plan if keep or plan is None else self._spare_plan(plan)
            for plan, keep in zip(plans, self._keep, strict=True)
        ]
        # Kept tables are built where a call first needs them (_row_path): building them here
        # took most of a fit (path-dependent, 0.6 s of 0.74 for a 100-tree forest of depth 8;
        # interventional against 100 background rows, 0.9-1.3 s of 1.0-1.4), which a call of a
        # few rows never paid back.
        self._build_jobs = jobs

    def build_kept_tables(self, n_jobs="fit"):
        """Build the tables of the kept chunks not built yet, over ``n_jobs`` threads (by
        default as at construction: threads only for forests large enough to gain)."""
        n_jobs = self.__dict__.get("_build_jobs", 1) if n_jobs == "fit" else n_jobs
        todo = [c for c, keep in enumerate(self._keep) if keep and self._tables[c] is None]
        with one_blas_thread():
            plans = {c: self._plan(c) for c in todo}
            for c, tab in zip(todo, self._builds(plans, todo, n_jobs), strict=True):
                self._tables[c] = tab
                del tab

    def _cache_floats(self):
        """This runner's share of :data:`CACHE_FLOATS` (read when used: tests set it)."""
        return CACHE_FLOATS // self.__dict__.get("cache_share", 1)

    def interaction_values(self, Z, phi):
        """Interaction values ``(n, p, p, k)`` of rows ``Z`` given their Shapley values ``phi``."""
        return interaction_values(self, Z, phi)

    def _builds(self, plans, chunks, n_jobs, outside=None):
        """The tables of ``chunks`` (plans ``plans[c]``), in order, over ``n_jobs`` threads (with
        the leaves outside blocks where ``outside`` says so: all by default)."""
        if not chunks:
            return []
        outside = [True] * len(chunks) if outside is None else outside
        if effective_n_jobs(n_jobs) == 1:  # here: joblib's Dask backend ships even n_jobs=1 (_parts)
            return (self._build(plans[c], whole) for c, whole in zip(chunks, outside, strict=True))
        return Parallel(n_jobs=n_jobs, prefer="threads", return_as="generator")(
            delayed(self._build)(plans[c], whole) for c, whole in zip(chunks, outside, strict=True)
        )

    def _check_table_memory(self, plan, chunk):
        """Refuse tables whose build cannot fit in the working memory, before building them
        (as a call builds them: tables kept between calls fit the cache, the others are
        built part by part)."""
        n_bg = 0 if self._bgT is None else self._bgT.shape[1]
        ens = self.ensemble
        need = build_bytes(plan, ens.n_outputs, self.game, n_bg, outside=False)
        # the model's own tree numbers, also for one class's runner (OutputRunners)
        ids = getattr(ens, "tree_ids", None)
        ids = chunk if ids is None else ids[chunk]
        trees = f"tree {ids[0]}" if len(ids) == 1 else f"trees {ids[0]}..{ids[-1]}"
        leaves = int((plan.leaf_d > 0).sum())
        bg = f", {n_bg} background rows" if n_bg else ""
        depth = int(plan.leaf_d.max(initial=0))
        part_of = getattr(ens, "part_of", None)  # (output, number of outputs) of one class's trees
        outputs = f"{ens.n_outputs} outputs" if part_of is None else f"output {part_of[0]} of {part_of[1]}"
        fewer = "fewer classes" if part_of is None and ens.n_outputs > 1 else "fewer trees (max_iter, n_estimators)"
        refuse_beyond_working_memory(
            need,
            "TreeShapExplainer",
            f"building the game tables of {trees} ({leaves} leaves, up to {depth} features on a path, {outputs}{bg})",
            f"explain trees with fewer leaves (max_depth, max_leaf_nodes, min_samples_leaf), or {fewer}"
            + (", or lower max_background" if n_bg else ""),
        )

    def _build(self, plan, outside=True):
        return build_tables(plan, self.ensemble, self.game, self._bgT, self._bg_w, self._bg_nan, outside)

    def expected_value(self):
        """Value of the empty coalition, per output."""
        return self.ensemble.offset + self.bases.sum(axis=0)

    def __getstate__(self):
        # Cached tables can be large: they are rebuilt where they are used after unpickling (on
        # a Dask worker, its first task on each chunk). So are the plans: several times the
        # model's own size (a fitted explainer of a 140 kB forest pickled to 700 kB), and
        # compile_tree rebuilds one from the ensemble faster than its table.
        state = self.__dict__.copy()
        state["_tables"] = [None] * len(self.chunks)
        state["_plans"] = [None] * len(self.chunks)
        state["_plan_bytes_held"] = 0
        state["_row_spent"] = [0.0] * len(self.chunks)
        state.pop("_chunk_locks", None)  # (locks do not pickle; made again where used)
        return state

    def _plan(self, c):
        """Plan of chunk ``c``: kept with the chunk's cached tables (compiled again on first use
        after unpickling), kept within PLAN_CACHE_BYTES where they are rebuilt."""
        plan = self._plans[c]
        if plan is None:
            plan = compile_tree(self.ensemble, self.ensemble.roots[self.chunks[c]], self.block_bits)
            # a race only compiles the same plan twice
            self._plans[c] = plan if self._keep[c] else self._spare_plan(plan)
        return plan

    def _spare_plan(self, plan):
        """``plan`` if it fits the plans' budget of chunks whose tables are rebuilt per call
        (counted as held), else None."""
        size = _plan_bytes(plan)
        held = getattr(self, "_plan_bytes_held", 0)  # (runners pickled before it)
        if held + size > PLAN_CACHE_BYTES // self.__dict__.get("cache_share", 1):
            return None
        self._plan_bytes_held = held + size
        return plan

    @property
    def plans(self):
        """Plans of every chunk of trees, in chunk order."""
        return [self._plan(c) for c in range(len(self.chunks))]

    def _table(self, c, plan):
        """Tables of chunk ``c`` (plan ``plan``): kept ones from the cache (built whole on first
        use), the others built for this call only, the leaves outside blocks part by part as
        they are explained (the same values)."""
        tab = self._tables[c]
        if tab is not None:
            return tab
        if not self._keep[c]:
            return self._build(plan, False)
        # one build per kept chunk: threads whose first calls met the chunk at once each built
        # it (4 threads, up to 4 builds), now the others wait for the first
        with self._chunk_lock(c):
            tab = self._tables[c]
            if tab is None:
                tab = self._tables[c] = self._build(plan, True)
        return tab

    def _chunk_lock(self, c):
        with _LOCKS_LOCK:
            locks = self.__dict__.setdefault("_chunk_locks", {})
            return locks.setdefault(c, threading.Lock())

    def _row_path(self, c, plan, n):
        """Whether chunk ``c`` (plan ``plan``) explains ``n`` rows by the row path: only dense
        tables; by default only where the rows' own patterns are less work than the tables
        (rebuilt for the call, or kept: below). The values are the same to the bit either way,
        so the choice (by the number of rows) never shows in them."""
        k = self.ensemble.n_outputs
        if len(plan.players) * k > DENSE_COLUMNS:
            return False
        if ROW_PATH is not None:
            return bool(ROW_PATH)
        # Chunks whose leaves all lie in blocks (trees of depth 8) were left to the tables, which
        # write every leaf at each of its block's 2**block_bits index values: 10 rows of a
        # 100-tree forest of depth 8 on 20 features took 1.4 s (shap 0.03 s), the tables of 72
        # of its 96 chunks rebuilt.
        rows, tables = row_path_work(plan, k, n)
        if not self._keep[c]:
            return rows < tables
        if self._tables[c] is not None:
            return False
        # Kept tables not built yet: a ski rental. The row path serves the chunk while the work
        # it has done there, this call's included, stays within the tables' price; then the
        # tables are built and kept. Both sides count each leaf's own table, which the row path
        # pays at every call and a build once: without it one-row serving loops stayed on the
        # row path for 200 calls, 8 times slower each (an outside audit); building at the second
        # call made two small calls 5 times slower, and a rule on measured time sent a large
        # call after a small one down the row path (reviews).
        own = own_tables_work(plan, k, 0 if self._bgT is None else self._bgT.shape[1])
        spent = self.__dict__.setdefault("_row_spent", [0.0] * len(self.chunks))
        if spent[c] + rows + own <= tables + own:
            spent[c] += rows + own  # (a race only builds the tables a call early or late)
            return True
        return False

    def _chunk_values(self, c, XT, has_nan):
        ens = self.ensemble
        phi = np.zeros((XT.shape[1], ens.n_players, ens.n_outputs))
        plan = self._plan(c)
        if self._row_path(c, plan, XT.shape[1]):
            background = None if self._bgT is None else (self._bgT, self._bg_w, self._bg_nan)
            explain_tree_rows(plan, ens, XT, has_nan, phi, background)
        else:
            explain_tree(plan, self._table(c, plan), ens, XT, has_nan, phi)
        return phi

    def shap_values(self, Z, n_jobs="fit"):
        """Shapley values ``(n_rows, n_players, n_outputs)`` of rows ``Z`` (trees' space).

        ``n_jobs`` defaults to the value given at construction.
        """
        n_jobs = self.n_jobs if n_jobs == "fit" else n_jobs
        work = Z.shape[0] * len(self.ensemble.left)
        if work < _MIN_PARALLEL_WORK:
            n_jobs = 1  # the results are the same: chunks are fixed and summed in order
        X = self.ensemble.prepare(Z)
        XT = np.ascontiguousarray(X.T)
        has_nan = bool(np.isnan(X).any())
        client = dask_client() if n_jobs != 1 else None
        workers = worker_threads(client, n_jobs) if client is not None else []
        if sum(threads for _, threads in workers) > 1:  # (one worker thread: run here, as joblib would)
            return _sum_in_order(self._dask_parts(client, workers, XT, has_nan))
        if work < _MIN_PARALLEL_WORK * _THREAD_WORK_FACTOR:
            n_jobs = 1
        with one_blas_thread():
            return _sum_in_order(self._parts(range(len(self.chunks)), XT, has_nan, n_jobs))

    def _parts(self, chunks, XT, has_nan, n_jobs):
        """Each chunk's values, in chunk order, over ``n_jobs`` threads (a generator)."""
        if effective_n_jobs(n_jobs) == 1:
            # here, not through joblib: under its Dask backend Parallel(n_jobs=1) still sent each
            # chunk to the cluster with the whole runner (tables rebuilt per task: a 200-row call
            # took 0.65-0.88 s on 2 workers, 12 ms in this process; an outside audit). A plain
            # loop, not utils._parallel.here_or_parallel: its sequential pool cost 1 ms of a 3 ms
            # call on 20 rows.
            return (self._chunk_values(c, XT, has_nan) for c in chunks)
        return Parallel(n_jobs=n_jobs, prefer="threads", return_as="generator")(
            delayed(self._chunk_values)(c, XT, has_nan) for c in chunks
        )

    def _dask_parts(self, client, workers, XT, has_nan):
        """Each chunk's values from the workers of a Dask cluster, in chunk order.

        The runner is scattered once per worker, and every worker always gets the same
        contiguous group of chunks (balanced by table size), so each worker's copy keeps the
        tables of its own group up to its own cache: the cluster keeps as many tables as it has
        workers' caches, and no table is built on two workers.

        The pinning is a preference: a worker that dies during the call (the out-of-memory
        killer, a lost node) comes back from its nanny at another address, and a group pinned
        to the old one strictly could run nowhere: the call waited forever. Its group then
        runs on another worker (with the same numbers; that worker's cache settles on it)."""
        remote = scattered(client, self)
        groups = _balanced_groups(self._sizes, len(workers))
        futures = [
            client.submit(
                _dask_group_values,
                remote,
                group,
                XT,
                has_nan,
                threads,
                pure=False,
                workers=[address],
                allow_other_workers=True,
            )
            for (address, threads), group in zip(workers, groups, strict=False)
        ]
        with lost_workers_named(self):
            return [part for parts in client.gather(futures) for part in parts]

    def _settle_cache(self, group):
        """Keep the tables of ``group``'s chunks that fit the cache (in chunk order) and drop
        every other chunk's: the cache of a worker that owns ``group``."""
        keep = [False] * len(self.chunks)
        sizes = [self._sizes[c] for c in group]
        rebuilt = [self._rebuilt[c] for c in group]
        for c, kept in zip(group, _kept_chunks(sizes, rebuilt, self._cache_floats()), strict=True):
            keep[c] = kept
        self._keep = keep
        self._tables = [tab if kept else None for tab, kept in zip(self._tables, keep, strict=True)]
        self._plans = [plan if kept else None for plan, kept in zip(self._plans, keep, strict=True)]
        self._plan_bytes_held = 0  # (the plans of chunks rebuilt per call are compiled again)


class OutputRunners:
    """One :class:`TreeRunner` per output, for an ensemble whose trees each add to one output
    (a boosted multi-class model: a tree per class and round).

    A runner of the whole ensemble built tables of every tree for every output, all but one
    column of them 0: 10 classes over 8 features passed the dense tables' width
    (:data:`~skxai.shapley._treeshap._engine.DENSE_COLUMNS`), the sparse tables passed the
    cache and were rebuilt at every call (4.5 s for 1 row of a 10-class, 50-round
    HistGradientBoosting; 0.03 s per output). Each output's runner holds its share of the caches.

    Parameters
    ----------
    ensemble : TreeEnsemble
    outputs : ndarray of int
        The output each tree adds to (:meth:`TreeEnsemble.tree_outputs`); every output has trees.
    game, background, weights, n_jobs, block_bits
        As :class:`TreeRunner`'s.
    """

    def __init__(self, ensemble, outputs, game, background, weights, n_jobs=None, block_bits=9):
        self.ensemble = ensemble
        self.game = game
        self.n_jobs = n_jobs
        k = ensemble.n_outputs
        self.runners = [
            TreeRunner(
                ensemble.output_part(np.flatnonzero(outputs == c), c),
                game,
                background,
                weights,
                n_jobs=n_jobs,
                block_bits=block_bits,
                cache_share=k,
            )
            for c in range(k)
        ]

    def expected_value(self):
        """Value of the empty coalition, per output."""
        return np.array([r.expected_value()[0] for r in self.runners])

    def shap_values(self, Z, n_jobs="fit"):
        """Shapley values ``(n_rows, n_players, n_outputs)`` of rows ``Z`` (trees' space)."""
        phi = np.empty((Z.shape[0], self.ensemble.n_players, len(self.runners)))
        for c, runner in enumerate(self.runners):
            phi[:, :, c] = runner.shap_values(Z, n_jobs)[:, :, 0]
        return phi

    def interaction_values(self, Z, phi):
        """Interaction values ``(n, p, p, k)``, output by output."""
        out = np.empty((*phi.shape[:2], phi.shape[1], phi.shape[2]))
        for c, runner in enumerate(self.runners):
            out[..., c] = runner.interaction_values(Z, phi[:, :, c : c + 1])[..., 0]
        return out


def tree_runner(ensemble, game, background, weights, n_jobs=None):
    """The runner of ``ensemble``: one per output where each tree adds to one output of
    several (:class:`OutputRunners`), else one :class:`TreeRunner`."""
    outputs = ensemble._outputs_of_trees()  # kept on the ensemble: predict_raw reads it too
    if outputs is not None and len(np.unique(outputs)) == ensemble.n_outputs:
        return OutputRunners(ensemble, outputs, game, background, weights, n_jobs=n_jobs)
    return TreeRunner(ensemble, game, background, weights, n_jobs=n_jobs)


def _plan_bytes(plan):
    """Bytes of a plan's arrays (sparse ones: their three arrays)."""
    total = 0
    for value in vars(plan).values():
        if isinstance(value, np.ndarray):
            total += value.nbytes
        elif hasattr(value, "indptr"):
            total += value.data.nbytes + value.indices.nbytes + value.indptr.nbytes
    return total


def _table_floats(tab):
    """Floats that kept tables hold."""
    return _n_floats(tab.block_table) + _n_floats(tab.out_rows)


def _kept_chunks(sizes, rebuilt=None, cache=None):
    """Which chunks' tables are kept between calls: the longest prefix (in chunk order) whose
    tables (``sizes``), with the largest of what the others hold while a call rebuilds them
    (``rebuilt``, by default their whole tables), fit ``CACHE_FLOATS``.

    So the tables held at once during a call stay within the cache: kept ones up to the whole
    cache plus a rebuilt one took a forest of depth-12 trees (116 MiB of tables each) to twice
    the cache.
    """
    s = np.asarray(sizes, dtype=np.int64)
    r = s if rebuilt is None else np.asarray(rebuilt, dtype=np.int64)
    held = np.concatenate([[0], np.cumsum(s)])  # kept: the first m chunks
    largest = np.concatenate([np.maximum.accumulate(r[::-1])[::-1], [0]])  # the largest of the rest
    fits = np.flatnonzero(held + largest <= (CACHE_FLOATS if cache is None else cache))
    m = int(fits.max()) if len(fits) else 0
    return [c < m for c in range(len(s))]


def _sum_in_order(parts):
    """The sum of the chunks' values, added in chunk order whatever ``n_jobs`` is (so the
    result is the same to the last bit)."""
    out = None
    for part in parts:
        if out is None:
            out = part
        else:
            out += part
    return out


def _balanced_groups(sizes, n_groups):
    """Split chunk indices into at most ``n_groups`` contiguous, non-empty groups of about equal
    total size."""
    n = len(sizes)
    k = max(1, min(int(n_groups), n))
    cum = np.cumsum(np.asarray(sizes, dtype=np.float64))
    cuts = np.searchsorted(cum, cum[-1] * np.arange(1, k) / k, side="left") + 1
    bounds = [0]
    for i, cut in enumerate(cuts, start=1):  # every group keeps at least one chunk
        bounds.append(int(min(max(cut, bounds[-1] + 1), n - k + i)))
    bounds.append(n)
    return [list(range(a, b)) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]


def _dask_group_values(runner, group, XT, has_nan, threads):
    """The values of a group of chunks on the Dask worker that owns them (module level: pickled
    by reference), over the worker's threads. The worker's copy of the runner keeps the tables of
    its group up to the cache, between calls. A cluster of threads in this process shares the
    explainer's own runner instead of a copy: its cache is left as the explainer set it (each
    worker settling the one runner to its own group dropped the other workers' tables, and the
    explainer kept the last worker's group only)."""
    own = isinstance(runner, Shipped) and runner.obj is not None
    runner = unwrap(runner)
    if not own:
        runner._settle_cache(group)
    with one_blas_thread():
        return list(runner._parts(group, XT, has_nan, threads))
