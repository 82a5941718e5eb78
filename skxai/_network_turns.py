"""Turns of a torch network: the locks threads take before changing its modes and flags.

Kept apart from :mod:`skxai._torch._model` (no torch import here) so that
:mod:`skxai._estimators` can take a network's turn without importing the torch adapter, which
imports it.
"""

from __future__ import annotations

import contextlib
import threading
import weakref

# Re-entrant locks that threads take before ``prepared`` records the modes and flags, changes
# them and puts them back; two threads doing that on one network at once (joblib's threading
# backend over a metric's chunks) interleave, so one records the other's evaluation mode as
# "before" and the user's network is left in eval mode with frozen parameters, and one computes
# while the other has already restored training mode (dropout on, batch statistics updated).
# The locks are per leaf module, all of a network's taken in one global order: explainers of a
# network and of one of its submodules (a feature extractor) interleaved just the same on two
# locks of their own, and two networks share a module exactly when they share a leaf.
_LOCKS = weakref.WeakKeyDictionary()
_LOCKS_GUARD = threading.Lock()


def _module_tree(module):
    """``(modules, leaves)`` of ``module``: every module once, in ``module.modules()``'s order,
    and those without submodules.

    One walk through the modules' own dicts serves both the turn (:func:`_module_lock`) and
    :meth:`TorchModel.prepared`'s record of the modes (``modules()`` is a recursive generator:
    1.5 ms for 400 modules, as long as the rest of ``prepared`` on a network in eval mode, and
    two walks per call cost a Grad-CAM of one image about 20 us more than one lock per network).
    """
    modules, leaves, stack, seen = [], [], [module], set()
    while stack:  # depth first, children in order: the pre-order of modules()
        m = stack.pop()
        if id(m) in seen:
            continue
        seen.add(id(m))
        modules.append(m)
        children = [c for c in m._modules.values() if c is not None]
        if children:
            stack.extend(reversed(children))
        else:
            leaves.append(m)
    return modules, leaves


# The last lock list of each network: ``(weak references to its leaves in walk order, locks)``,
# reused while the walk finds the very same leaves (a weak reference that still gives the
# module is that module, alive, and its lock in _LOCKS is the one listed); looking each leaf up
# in _LOCKS and sorting on every call was half of the turn's cost.
_TURNS = weakref.WeakKeyDictionary()


def _turn_locks(module, leaves):
    """The locks of ``module``'s ``leaves``, in one order for every thread (no two wait on each other)."""
    with _LOCKS_GUARD:
        cached = _TURNS.get(module)
        if (
            cached is not None
            and len(cached[0]) == len(leaves)
            and all(ref() is leaf for ref, leaf in zip(cached[0], leaves, strict=True))
        ):
            return cached[1]
        locks = []
        for leaf in sorted(leaves, key=id):
            lock = _LOCKS.get(leaf)
            if lock is None:
                lock = _LOCKS[leaf] = threading.RLock()
            locks.append(lock)
        _TURNS[module] = ([weakref.ref(leaf) for leaf in leaves], locks)
    return locks


@contextlib.contextmanager
def _module_lock(module, leaves=None):
    """Hold the turn of ``module`` (every one of its leaf modules' locks) inside the block;
    ``leaves``: its leaf modules when the caller has walked the tree already."""
    locks = _turn_locks(module, _module_tree(module)[1] if leaves is None else leaves)
    held = 0
    try:
        for lock in locks:
            lock.acquire()
            held += 1
        yield
    finally:
        for lock in reversed(locks[:held]):
            lock.release()
