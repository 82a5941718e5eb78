"""Parallel maps that ship the model once per worker (joblib, and joblib's Dask backend)."""

from __future__ import annotations

import contextlib
import copy
import functools
import pickle
import sys
import threading
import uuid
import weakref
from collections import OrderedDict

import numpy as np
from joblib import effective_n_jobs
from sklearn.utils.parallel import Parallel, delayed
from threadpoolctl import ThreadpoolController

# shared object -> (client id, token, future): one scatter per object and cluster, however many maps use it.
_SCATTERED = weakref.WeakKeyDictionary()
# hash of pickled bytes -> (client id, future) of the last objects ``scattered(by_content=True)``
# sent, least recently used out first: an equal object made anew (the conditional game is built
# for every call) finds the copy the workers keep instead of being sent and unpickled again.
_BY_CONTENT = OrderedDict()
_BY_CONTENT_LOCK = threading.Lock()

#: Shipped objects a process keeps, least recently used out first.
PROCESS_CACHE_SIZE = 4
_PROCESS_CACHE = OrderedDict()
_PROCESS_LOCK = threading.Lock()


_CONTROLLER = []

# The BLAS limit is process-wide state that threads share (joblib's threading backend, a Dask
# cluster of threads, a user's own threads), so blocks of several threads overlap: each one
# recording the limit it found and putting it back on exit (threadpoolctl's own ``limit``)
# leaves the process at one thread whenever a block enters while another is inside and leaves
# after it (it recorded the other's 1 as the original), and the later block computed under the
# user's thread count once the first had left. Blocks are counted instead: the first one in
# records the limits and sets 1, the last one out puts them back.
_BLAS_LOCK = threading.Lock()
_BLAS_BLOCKS = {"depth": 0, "saved": {}}  # blocks inside; library path -> (controller, limit found)
_BLAS_LOCAL = threading.local()  # per thread: the same for libraries whose limit is per thread


def _blas_libraries():
    """threadpoolctl's controllers of the loaded BLAS libraries. They are scanned again only
    after new Python modules were imported (a BLAS comes with the extension module that loads
    it, e.g. torch's), not on every call."""
    n_modules = len(sys.modules)
    if not _CONTROLLER or _CONTROLLER[0][0] != n_modules:
        _CONTROLLER[:] = [(n_modules, ThreadpoolController())]
    return [lib for lib in _CONTROLLER[0][1].lib_controllers if lib.user_api == "blas"]


def _limit_is_per_thread(lib):
    # OpenBLAS built on OpenMP keeps one limit per calling thread; the other BLAS one per process.
    return lib.internal_api == "openblas" and getattr(lib, "threading_layer", None) == "openmp"


def _set_blas_threads(lib, n):
    lib.set_num_threads(n)
    # threadpoolctl (3.6+) lets only the thread that last changed a process-wide OpenBLAS pool
    # change it again until that thread's ``with`` block ends; these blocks are not its ``with``
    # blocks, so hand control back, or the last block out (another thread) could not restore.
    release = getattr(lib, "clear_controlling_thread", None)
    if release is not None:
        release()


def _limit_to_one(libs, saved):
    for lib in libs:
        if lib.filepath not in saved:
            found = lib.get_num_threads()
            saved[lib.filepath] = (lib, found)
            if found is not None and found != 1:
                _set_blas_threads(lib, 1)


def _restore(saved):
    for lib, found in reversed(list(saved.values())):
        if found is not None and found != 1:
            _set_blas_threads(lib, found)
    saved.clear()


@contextlib.contextmanager
def one_blas_thread():
    """Context limiting BLAS to one thread.

    For two reasons: joblib's threads share the cores instead, and a result must not depend on
    the thread count (a multi-threaded Cholesky or product rounds differently, so a row
    explained in a loky worker, which runs one BLAS thread, would differ in its last bits from
    the same row explained in the parent). Blocks of several threads may overlap: the limits
    found by the first one in are put back by the last one out (per thread for a BLAS whose
    limit is per thread), so the process is left as it was."""
    libs = _blas_libraries()
    local = [lib for lib in libs if _limit_is_per_thread(lib)]
    shared = [lib for lib in libs if not _limit_is_per_thread(lib)]
    if not hasattr(_BLAS_LOCAL, "depth"):
        _BLAS_LOCAL.depth, _BLAS_LOCAL.saved = 0, {}
    _limit_to_one(local, _BLAS_LOCAL.saved)  # a library loaded by an inner block is added
    _BLAS_LOCAL.depth += 1
    try:
        with _BLAS_LOCK:
            _limit_to_one(shared, _BLAS_BLOCKS["saved"])
            _BLAS_BLOCKS["depth"] += 1
        try:
            yield
        finally:
            with _BLAS_LOCK:
                _BLAS_BLOCKS["depth"] -= 1
                if _BLAS_BLOCKS["depth"] == 0:
                    _restore(_BLAS_BLOCKS["saved"])
    finally:
        _BLAS_LOCAL.depth -= 1
        if _BLAS_LOCAL.depth == 0:
            _restore(_BLAS_LOCAL.saved)


class Shipped:
    """What a cluster receives for a shared object: a handle holding its pickled bytes and a
    token, which tasks turn into the object with :func:`unwrap`.

    A worker process deserialises the object once per token and keeps it (the last
    :data:`PROCESS_CACHE_SIZE`). The handle stays a handle in Dask's data, so when Dask copies it
    between workers (its active memory manager drops replicas that no waiting task needs, and a
    worker that needs it again fetches it from another) only the bytes travel: the model is not
    unpickled again, and what the process's copy caches (TreeSHAP's tables) is not lost.
    """

    def __init__(self, obj, token):
        self.obj = obj
        self.token = token
        self._payload = None

    def __reduce__(self):
        return (_handle, (self.token, self.payload()))

    def payload(self):
        """The object's pickled bytes (made once). A ``TypeError`` naming the object when it
        cannot be pickled, instead of distributed's wall of logged tracebacks ending in "Could not
        serialize object of type Shipped"."""
        if self._payload is None:
            try:
                self._payload = _pickled_without_counters(self.obj)
            except Exception as exc:
                parts = self.obj if type(self.obj) is tuple else (self.obj,)
                what = ", ".join(type(p).__name__ for p in parts)
                raise TypeError(
                    f"cannot send the {what} to the Dask workers: it cannot be pickled "
                    f"({type(exc).__name__}: {' '.join(str(exc).split())}). Worker processes need a "
                    "picklable model; explain it here instead (n_jobs=None outside joblib's Dask "
                    "backend, or data in memory), or on a cluster of threads (LocalCluster(processes=False))."
                ) from exc
        return self._payload

    def get(self):
        """The object: itself where it was made, else this process's copy."""
        if self.obj is not None:
            return self.obj
        with _PROCESS_LOCK:
            if self.token in _PROCESS_CACHE:
                _PROCESS_CACHE.move_to_end(self.token)
                return _PROCESS_CACHE[self.token]
        obj = pickle.loads(self._payload)
        with _PROCESS_LOCK:
            obj = _PROCESS_CACHE.setdefault(self.token, obj)  # a concurrent thread's copy wins
            _PROCESS_CACHE.move_to_end(self.token)
            while len(_PROCESS_CACHE) > PROCESS_CACHE_SIZE:
                _PROCESS_CACHE.popitem(last=False)
        return obj


def _pickled_without_counters(obj):
    """``obj``'s pickled bytes (cloudpickle: models may be local functions), with the query
    counters of scikit-learn's KD and ball trees set to 0.

    The counters (``get_n_calls``, ``get_tree_stats``) change whenever the model predicts, and
    the bytes name what :func:`scattered` sends: an unchanged k-nearest-neighbours model was
    sent and unpickled on every worker at every call, its whole training set with it. They only
    count queries; nothing a prediction gives depends on them.
    """
    import io

    import cloudpickle  # distributed's own dependency

    class _CountersReset(cloudpickle.CloudPickler):
        def reducer_override(self, value):
            reduced = _tree_without_counters(value)
            return reduced if reduced is not None else super().reducer_override(value)

    buffer = io.BytesIO()
    _CountersReset(buffer).dump(obj)
    return buffer.getvalue()


def _tree_without_counters(value):
    """The reduction of a scikit-learn ``KDTree`` / ``BallTree`` with its query counters at 0,
    or None for anything else (or a tree whose state is not laid out as its counters say: sent
    as it is)."""
    if not type(value).__module__.startswith("sklearn.neighbors.") or not hasattr(value, "get_tree_stats"):
        return None
    try:
        rebuild, args, state = value.__reduce__()[:3]
        counters = (*value.get_tree_stats(), value.get_n_calls())
    except Exception:
        return None
    # __getstate__: (..., n_trims, n_leaves, n_splits, n_calls, dist_metric, sample_weight)
    if not isinstance(state, tuple) or len(state) < 6 or tuple(state[-6:-2]) != counters:
        return None
    return rebuild, args, (*state[:-6], 0, 0, 0, 0, *state[-2:])


def deep_snapshot(obj):
    """A copy of ``obj`` as it is now, deep (through its pickled bytes) so that a model refitted
    or trained further in place later does not reach it; a shallow copy where it cannot be
    pickled (then only what the object's attributes are replaced by is kept out)."""
    import cloudpickle  # models may be local functions

    try:
        return pickle.loads(cloudpickle.dumps(obj))
    except Exception:
        return copy.copy(obj)


def _handle(token, payload):
    handle = Shipped(None, token)
    handle._payload = payload
    return handle


def unwrap(shared):
    """The object a task was given: a :class:`Shipped` handle's object, or the object itself."""
    return shared.get() if isinstance(shared, Shipped) else shared


def _call_task(func, shared, task):
    return func(unwrap(shared), *task)


#: Arrays larger than this that several tasks of a map share are broadcast to every worker.
SHARED_ARRAY_BYTES = 1000
#: A task's own array larger than this is scattered and kept on two workers, not sent inside the
#: task: inside, every task's rows passed through the scheduler (distributed warned of a "large
#: graph" from 10 MB on).
TASK_ARRAY_BYTES = 1 << 20


def _tasks_for_dask(client, tasks):
    """Each task's arguments as one tuple, which joblib's Dask backend sends inside its task.

    The backend scatters every large argument of a task to one worker: when that worker died
    (the out-of-memory killer, a lost node), the data was lost with it and the whole call
    failed, though the other workers held the model and could run the task again (an outside
    audit). A tuple is sent with the task and runs again anywhere; an array that several
    tasks share (a design's coalitions, the images of a call) is broadcast to every worker once,
    and a task's own large array (over :data:`TASK_ARRAY_BYTES`) is kept on two workers.
    """
    import collections

    uses = collections.Counter(id(a) for task in tasks for a in task if isinstance(a, np.ndarray))
    sent = {}
    out = []
    for task in tasks:
        items = []
        for a in task:
            if isinstance(a, np.ndarray) and id(a) not in sent:
                if uses[id(a)] > 1 and a.nbytes > SHARED_ARRAY_BYTES:
                    sent[id(a)] = client.scatter(a, broadcast=True, hash=False)
                elif a.nbytes > TASK_ARRAY_BYTES:
                    sent[id(a)] = future = client.scatter(a, hash=False)
                    client.replicate([future], n=2)  # one worker's death loses no copy
            items.append(sent.get(id(a), a) if isinstance(a, np.ndarray) else a)
        out.append(tuple(items))
    return out


def dask_client():
    """The ``distributed.Client`` of joblib's active Dask backend, or None for other backends."""
    from joblib.parallel import get_active_backend

    backend, _ = get_active_backend()
    if type(backend).__name__ != "DaskDistributedBackend":
        return None
    return getattr(backend, "client", None)


def here_or_parallel(n_jobs, **params):
    """scikit-learn's ``Parallel(n_jobs, **params)``, its sequential backend where it would use
    one worker: under joblib's Dask backend ``Parallel(n_jobs=1)`` still sends every call, with
    its arguments, to the cluster (an explicit backend overrides the configured one). Takes
    joblib's and scikit-learn's ``delayed`` calls alike. Under the Dask backend, a batch whose
    workers all died ends the call (see :class:`_ReportsFailedBatches`)."""
    if effective_n_jobs(n_jobs) == 1:
        return Parallel(n_jobs=1, backend="sequential", **params)
    if dask_client() is not None and "backend" not in params and params.get("require") is None:
        params["backend"] = _failed_batches_reported()
    return Parallel(n_jobs=n_jobs, **params)


def map_shared(func, shared, tasks, *, n_jobs=None, verbose=0, return_as="list"):
    """``[func(shared, *task) for task in tasks]`` over joblib workers, in task order.

    ``shared`` (the model, its background data, the perturbation design) is the heavy part
    every task needs. Under ``joblib.parallel_config(backend="dask")`` it is scattered once to
    every worker of the cluster (``broadcast``, as a :class:`Shipped` handle), and the tasks
    receive the worker process's copy, so a cluster deserialises the model once per worker
    process, not once per task (nor again when Dask re-copies the scattered bytes). With
    joblib's own backends, joblib batches the tasks and shares what it can.

    Parameters
    ----------
    func : callable
        ``func(shared, *task)``; a module-level function (pickled by reference).
    shared : object
        Passed to every call.
    tasks : iterable of tuple
        The other arguments of each call.
    n_jobs : int, default=None
        joblib's ``n_jobs``.
    verbose : int, default=0
        joblib's verbosity.
    return_as : {"list", "generator"}, default="list"
        joblib's: a generator yields the results in order as they come (a progress bar).

    Returns
    -------
    list or generator
        The results, in the order of ``tasks``.
    """
    tasks = list(tasks)
    client = dask_client()
    # A cluster of one worker thread: joblib runs the tasks here, in order, with the arguments
    # as given (a scattered future would reach ``func`` unresolved).
    if client is not None and effective_n_jobs(n_jobs) != 1:
        # keyed by its bytes: a model changed in place since the last map (a network trained
        # further) is sent again, where the workers kept explaining the one sent first
        remote = scattered(client, shared, by_content=True)
        calls = (delayed(_call_task)(func, remote, task) for task in _tasks_for_dask(client, tasks))
        backend = _failed_batches_reported()
        if return_as == "generator":
            parallel = Parallel(n_jobs=n_jobs, verbose=verbose, return_as="generator", backend=backend)
            return _named_losses(shared, parallel, calls)
        with lost_workers_named(shared):
            return Parallel(n_jobs=n_jobs, verbose=verbose, backend=backend)(calls)
    # (one worker: here, not with ``shared`` in every task to a Dask cluster)
    return here_or_parallel(n_jobs, verbose=verbose, return_as=return_as)(
        delayed(func)(shared, *task) for task in tasks
    )


class _ReportsFailedBatches:
    """Mixin for joblib's Dask backend: a batch that the scheduler fails reaches ``Parallel``.

    joblib's backend (1.3 to 1.6 at least) calls ``Parallel`` back for a batch that returned or
    was cancelled, but for one whose Dask future ends in error it only sets the error on its own
    future, which ``Parallel`` never waits on: errors raised by the tasks come back as values, so
    that error is one of the scheduler's, ``KilledWorker`` (a task that ended every worker it ran
    on, ``distributed.scheduler.allowed-failures`` times). ``Parallel`` then waited for that batch
    forever (an outside audit: a model calling ``os._exit`` with ``allowed-failures=1``)."""

    def submit(self, func, callback=None):
        future = super().submit(func, callback=callback)
        if callback is not None:
            future.add_done_callback(functools.partial(_report_failed_batch, callback))
        return future


def _report_failed_batch(callback, future):
    # A batch that returned or was cancelled was reported by joblib itself (its future holds the
    # result, or the CancelledError as one); ``Parallel`` ignores a second report of a batch.
    if not future.cancelled() and future.exception() is not None:
        callback(future.exception())


_REPORTING_CLASSES = {}


def _failed_batches_reported():
    """joblib's active Dask backend as an instance that also reports the batches the scheduler
    failed (see :class:`_ReportsFailedBatches`), or None (joblib's active backend) for a backend
    without ``submit`` (joblib before 1.3)."""
    from joblib.parallel import get_active_backend

    backend, _ = get_active_backend()
    cls = type(backend)
    if not callable(getattr(cls, "submit", None)):
        return None
    if cls not in _REPORTING_CLASSES:
        _REPORTING_CLASSES[cls] = type(cls.__name__, (_ReportsFailedBatches, cls), {})
    # The same configuration (client, scattered data, submit arguments) without running the
    # backend's ``__init__`` again, which scatters its ``scatter`` data anew.
    reporting = object.__new__(_REPORTING_CLASSES[cls])
    reporting.__dict__.update(backend.__dict__)
    return reporting


def _named_losses(shared, parallel, calls):
    """The results of ``parallel(calls)`` as they come, a lost worker named as
    :func:`lost_workers_named` names it (while the generator runs, not only while it is made)."""
    with lost_workers_named(shared):
        yield from parallel(calls)


@contextlib.contextmanager
def lost_workers_named(shared):
    """Say what happened when the tasks of a map over ``shared``, scattered to a Dask cluster,
    are cancelled because the cluster lost it.

    Scattered data lives on the workers only: a task that kills every worker it runs on (the
    out-of-memory killer, a crash in a model's native code) takes the last copy with it, and
    distributed then cancels the waiting tasks with "FutureCancelledError: ... cancelled for
    reason: already forgotten", which names neither the object nor the dead workers (a task
    without scattered data ends in ``KilledWorker``, "all those workers died")."""
    from concurrent.futures import CancelledError

    try:
        yield
    except CancelledError as exc:
        parts = shared if type(shared) is tuple else (shared,)
        what = ", ".join(type(p).__name__ for p in parts)
        raise RuntimeError(
            f"the Dask cluster lost the model and data sent to its workers ({what}) while the tasks ran: the workers "
            "that held it died or were restarted (a task that ends its worker process: out of memory, "
            "a crash in the model; the workers' logs say why), or the client was closed "
            f"({type(exc).__name__}: {' '.join(str(exc).split())})"
        ) from exc


def scattered(client, shared, token=None, snapshot=False, by_content=False):
    """The future of ``shared`` (as a :class:`Shipped` handle) broadcast to every worker of
    ``client``: one scatter per object and cluster, however many maps use it, and each worker
    process deserialises it once and keeps it (with whatever its copy caches) between calls.
    ``token`` (a hash of its state) scatters it again when it has changed since; tasks receive
    it through :func:`unwrap`. With ``by_content``, the token is a hash of its pickled bytes
    (made now, for worker processes; a cluster of threads shares the object itself), and an
    object with the bytes of one of the last :data:`PROCESS_CACHE_SIZE` sent (another object
    equal to it, as a game built anew for each call) is not sent again. With
    ``snapshot``, a cluster of threads in this process gets a
    deep copy of ``shared`` (processes get its bytes, made now): a lazy graph computed later
    then sees ``shared`` as it is now, not as a later refit (of it or of its model) left it."""
    inproc = str(getattr(getattr(client, "scheduler", None), "address", "")).startswith("inproc://")
    handle = None
    if by_content and not inproc:
        import hashlib

        handle = Shipped(copy.copy(shared) if snapshot else shared, None)
        handle.token = token = "sha256:" + hashlib.sha256(handle.payload()).hexdigest()
        with _BY_CONTENT_LOCK:
            known = _BY_CONTENT.get(token)
            if known is not None and known[0] == client.id and getattr(known[1], "status", "finished") == "finished":
                _BY_CONTENT.move_to_end(token)
                _remember(shared, (client.id, token, known[1]))
                return known[1]
    try:
        known = _SCATTERED.get(shared)
    except TypeError:  # not weak-referenceable: scatter for this map only
        known = None
    # A future the cluster no longer holds (cancelled by client.restart(), lost with its
    # workers) is scattered again: reused, it failed every later compute ("lost dependencies").
    if (
        known is not None
        and known[0] == client.id
        and (token is None or known[1] == token)
        # (a client's stand-in that returns the handle itself has no status: kept)
        and getattr(known[2], "status", "finished") == "finished"
    ):
        return known[2]
    token = token if token is not None else uuid.uuid4().hex
    if handle is None:
        # a cluster of threads shares the object: a deep copy made now (processes get its bytes)
        handle = Shipped((deep_snapshot(shared) if inproc else copy.copy(shared)) if snapshot else shared, token)
    if not inproc:
        # Workers in other processes receive its bytes (made once, here, and reused by the
        # scatter): an object that cannot be pickled is refused now, with its name. A cluster of
        # threads in this process (inproc) shares it without pickling.
        handle.payload()
    future = client.scatter(handle, broadcast=True, hash=False)
    _remember(shared, (client.id, token, future))
    if by_content and not inproc:
        with _BY_CONTENT_LOCK:
            _BY_CONTENT[token] = (client.id, future)
            _BY_CONTENT.move_to_end(token)
            while len(_BY_CONTENT) > PROCESS_CACHE_SIZE:
                _BY_CONTENT.popitem(last=False)
    return future


def _remember(shared, entry):
    try:
        _SCATTERED[shared] = entry
    except TypeError:  # not weak-referenceable: found by its bytes only
        pass


def worker_threads(client, n_jobs=None):
    """``[(address, threads), ...]`` of the cluster's workers in address order, at most
    ``n_jobs`` threads in all when it is positive (the first workers first)."""
    limit = effective_n_jobs(n_jobs)  # the cluster's threads, under joblib's Dask backend
    if n_jobs is not None and n_jobs > 0:
        limit = min(limit, n_jobs)
    out = []
    for address, threads in sorted(client.nthreads().items()):
        if limit <= 0:
            break
        threads = min(int(threads), limit)
        out.append((address, threads))
        limit -= threads
    return out


def model_call():
    """Context for one call of the model by skxai: under joblib's Dask backend, the model's own
    joblib loops (a forest's ``predict`` with ``n_jobs=None``) run under joblib's default
    backend, as without it.

    Under the Dask backend such a loop takes the cluster's thread count and runs in threads of
    the calling process (or of the worker), summing a forest's trees in a varying order: the
    outputs and base values changed in their last digits from run to run, and differed from one
    process, ``n_jobs=1`` included. The explainer's own work (its ``n_jobs``) still goes to the
    cluster. Only ``skxai explain --scheduler`` and the workers had this; calls in the caller
    of ``parallel_config(backend="dask")`` did not."""
    if dask_client() is None:
        return contextlib.nullcontext()
    from joblib import parallel_config

    return parallel_config(backend="loky", n_jobs=1)
