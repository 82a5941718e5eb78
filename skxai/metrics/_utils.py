"""Small array helpers shared by the metrics: conversion, seeds, chunking, random subsets."""

from __future__ import annotations

import hashlib
import numbers

import numpy as np
from joblib import effective_n_jobs
from sklearn.utils.parallel import Parallel, delayed

from skxai.utils._dask_inputs import in_memory
from skxai.utils._feature_names import internal_call, internal_calls
from skxai.utils._memory import refuse_beyond_working_memory
from skxai.utils._random import seed_from
from skxai.utils._tensors import tensor_to_numpy

DEFAULT_BATCH_SIZE = 4096
# Most input values held in one perturbed block (32 Mi values: 128 MiB in float32), so
# large images get fewer rows per model call than small ones.
MAX_BLOCK_VALUES = 2**25

#: The refusal of a continuous perturbation on a table whose integer or boolean columns would
#: round it away before the model sees it (``{what}``: the metric's perturbation).
REAL_VALUED_MESSAGE = (
    "{what}, but X has integer or boolean columns, which go back to the model in their own "
    "dtype: the perturbation would be rounded away. Cast those columns to float (in X and in "
    "the data the model was fitted on) to use this metric."
)


def is_tabular(explainer):
    """True for an explainer that perturbs tables through a background game.

    Such explainers expose the public ``perturbation_view(X)`` (see
    :class:`skxai.base.PerturbationView`); the metrics never look at their private state.
    """
    return callable(getattr(explainer, "perturbation_view", None))


def _holds_text(X):
    if isinstance(X, str | bytes):
        return True
    if hasattr(X, "dtype") and not hasattr(X, "columns"):  # a frame: tabular data
        if hasattr(X, "detach"):  # a tensor: numbers
            return False
        try:
            kind = np.dtype(X.dtype).kind
        except TypeError:  # an extension dtype (pandas' strings): look at an element
            kind = "O"
        if kind in "US":
            return True
        if kind != "O":
            return False
        first = np.asarray(X).ravel()[:1]  # an object array or Series: its first element
        return first.size == 1 and isinstance(first[0], str | bytes)
    if isinstance(X, list | tuple) and len(X):
        return isinstance(X[0], str | bytes)
    return False


def refuse_text(explainer, X, owner):
    """Refuse, naming the metric, samples that are documents: the metrics perturb numbers
    (tables through a background, arrays through a baseline), which a string is not."""
    if _holds_text(X):
        raise ValueError(
            f"{owner} does not apply to text: X holds documents (strings) and the metric "
            "perturbs numeric inputs (tables through the explainer's background, arrays "
            f"through a baseline). Score {type(explainer).__name__} with its own score "
            "(scoring=None) or a callable scoring that perturbs documents."
        )


def unfreeze(est):
    """The estimator inside (nested) ``FrozenEstimator`` wrappers, at most 10 deep."""
    from skxai._adapters import unwrap_frozen

    return unwrap_frozen(est)


def to_numpy(X, *, keep_float=False):
    """Arrays, tensors and frames as a float64 numpy array (tabular data is handled apart).

    With ``keep_float``, float32 (or other floating) input keeps its dtype, which halves the
    memory of perturbed image batches; models see the dtype they were given.
    """
    if hasattr(X, "detach") and hasattr(X, "cpu"):
        X = tensor_to_numpy(X)
    elif hasattr(X, "to_numpy"):
        X = X.to_numpy()
    X = np.asarray(X)
    if keep_float and np.issubdtype(X.dtype, np.floating):
        return X
    return X.astype(np.float64)


def check_positive_int(value, name, *, allow_none=False):
    if value is None and allow_none:
        return value
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}.")
    return int(value)


def check_perturbation_memory(m, nbytes_each, knob, owner):
    """Refuse ``m`` perturbed copies of one sample of about ``nbytes_each`` bytes each when they
    exceed the working memory bound: a sample's copies are built together, whatever ``m``."""
    refuse_beyond_working_memory(m * nbytes_each, owner, f"{knob}={m} perturbed copies of one sample", f"lower {knob}")


def sample_seeds(random_state, X):
    """One integer seed per sample of ``X``, from ``random_state``'s first draw and the sample's
    own values.

    A sample's draws, hence its score, do not depend on which other samples share the call,
    their order, the chunking or ``n_jobs``. Equal samples still get independent draws: the
    k-th copy of a sample in ``X`` gets the k-th stream of its values (so a mean over copies
    averages independent draws, and a sample alone gets what its first copy gets). One seed
    per position (``randint(size=n)``) gave a row other perturbations, and another score,
    when X was shuffled or the row scored alone.

    The seed is a BLAKE2b hash of the sample's bytes and its copy number, keyed by the base
    seed: one hash per sample (a ``SeedSequence`` per sample was most of a cheap metric's time).
    """
    base = seed_from(random_state).to_bytes(8, "little")
    rows = np.asarray(X)
    if rows.dtype != object:
        rows = np.ascontiguousarray(rows)
    seeds = np.empty(rows.shape[0], dtype=np.int64)
    copies = {}
    for i, row in enumerate(rows):
        if row.dtype == object:  # strings and categories of a frame: their text, not pointers
            data = repr(row.tolist()).encode("utf-8", "surrogatepass")
        else:
            data = row.tobytes()
        own = hashlib.blake2b(data, digest_size=16, key=base)
        k = copies[own.digest()] = copies.get(own.digest(), -1) + 1
        if k:  # a later copy: its own stream
            own.update(k.to_bytes(8, "little"))
        seeds[i] = int.from_bytes(own.digest()[:4], "little") & 0x7FFFFFFF
    return seeds


def explainer_transform(explainer, X):
    """``explainer.transform(X)`` as the package's own call: the metrics pass perturbed arrays
    and the user's data, so scikit-learn's feature-name warning is not theirs to give."""
    with internal_call():
        return explainer.transform(in_memory(X))


def map_chunks(func, n, per_chunk, n_jobs=None):
    """``func(idx)`` over consecutive chunks of ``range(n)``; joblib when ``n_jobs`` asks for it.

    ``func`` runs as the package's own call (in a worker too): the explainer's ``transform``
    on perturbed arrays does not give scikit-learn's feature-name warning.
    """
    func = internal_calls(func)
    if n_jobs is not None and (not isinstance(n_jobs, numbers.Integral) or isinstance(n_jobs, bool) or n_jobs == 0):
        raise ValueError(f"n_jobs must be None or a non-zero integer (joblib's), got {n_jobs!r}.")
    per_chunk = max(1, int(per_chunk))
    chunks = [np.arange(s, min(n, s + per_chunk)) for s in range(0, n, per_chunk)]
    if effective_n_jobs(n_jobs) == 1 or len(chunks) == 1:  # None: 1, or a parallel_config's
        return [func(c) for c in chunks]
    return Parallel(n_jobs=n_jobs)(delayed(func)(c) for c in chunks)


def random_subsets(seeds, m, n_units, size):
    """``m`` random unit subsets of ``size`` per sample: boolean ``(len(seeds), m, n_units)``."""
    out = np.zeros((len(seeds), m, n_units), dtype=bool)
    for i, s in enumerate(seeds):
        keys = np.random.RandomState(s).random_sample((m, n_units))
        idx = np.argpartition(keys, size - 1, axis=1)[:, :size]
        np.put_along_axis(out[i], idx, True, axis=1)
    return out
