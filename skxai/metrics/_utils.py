"""Small array helpers shared by the metrics: conversion, seeds, chunking, random subsets."""

from __future__ import annotations

import hashlib
import numbers

import numpy as np
from joblib import effective_n_jobs
from sklearn.utils.parallel import Parallel, delayed

from skxai._data import _is_frame
from skxai.utils._dask_inputs import in_memory
from skxai.utils._feature_names import internal_call, internal_calls
from skxai.utils._memory import refuse_beyond_working_memory
from skxai.utils._random import seed_from
from skxai.utils._rows import same_rows
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


def refuse_text(explainer, X, owner, why=None):
    """Refuse, naming the metric, samples that are documents: the metrics perturb numbers
    (tables through a background, arrays through a baseline), which a string is not. ``why``
    replaces that reason (and the advice after it). A tabular explainer's rows are no documents,
    whatever their text columns."""
    if is_tabular(explainer) or not _holds_text(X):
        return
    raise ValueError(
        f"{owner} does not apply to text: X holds documents"
        + (
            f", {why}"
            if why
            else " (strings) and the metric perturbs numeric inputs (tables through the explainer's "
            f"background, arrays through a baseline). Score {type(explainer).__name__} with its own "
            "score (scoring=None) or a callable scoring that perturbs documents."
        )
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


def check_random_state_param(random_state, owner):
    """Refuse a ``random_state`` the metric cannot seed from (a ``numpy.random.Generator``),
    naming it as the explainers' parameter checks do (numpy's error named neither)."""
    from sklearn.utils._param_validation import validate_parameter_constraints

    validate_parameter_constraints({"random_state": ["random_state"]}, {"random_state": random_state}, owner)


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


def _default_index(frame):
    """Whether a frame's index is the default ``0 .. n - 1`` (rows unlabelled: read by position)."""
    import pandas as pd

    return isinstance(frame.index, pd.RangeIndex) and frame.index.start == 0 and frame.index.step == 1


def attributions_for_rows(A, X):
    """Attributions given to a metric, checked to be those of the rows ``X``: a frame's rows
    aligned with a frame ``X``'s by their index (a permutation of it reordered, other labels
    refused), an Explanation whose ``data`` are not ``X`` refused. Rows were read by position:
    the attributions of other rows, or of the same rows in another order, were scored against
    ``X`` without a word (faithfulness fell from 1.0 to 0.08 on reversed rows). A frame with the
    default index on either side is read by position, as scikit-learn reads it.
    """
    from skxai._explanation import Explanation

    if X is None:
        return A
    if isinstance(A, Explanation):
        if A.data is not None and not same_rows(A.data, X):
            raise ValueError(
                "attributions: the Explanation was computed for other rows than X (its data differ from "
                "X); pass the explanation of these rows (explainer.explain(X)), in their order."
            )
        return A
    if not (_is_frame(A) and _is_frame(X)) or len(A) != len(X):
        return A
    if A.index.equals(X.index) or _default_index(A) or _default_index(X):
        return A
    if A.index.is_unique and X.index.is_unique and set(A.index) == set(X.index):
        return A.loc[X.index]
    raise ValueError(
        f"attributions hold the rows labelled {list(A.index[:5])}{' ...' if len(A) > 5 else ''}, but X "
        f"holds the rows labelled {list(X.index[:5])}{' ...' if len(X) > 5 else ''}: pass the attributions "
        "of X's rows (transform(X) with set_output(transform='pandas') keeps their labels)."
    )


def attributions_in_order(explainer, A, *, targets=None, rows=None):
    """Named attributions (a DataFrame of ``set_output(transform="pandas")``, an
    ``Explanation``) with their columns in the explainer's order of players, matched by name:
    read by position, columns in another order scored each player's value as another's. An
    Explanation gives its explained outputs' values, which must be ``targets`` (the outputs
    scored) where they are known. With ``rows`` (the samples scored), the attributions must be
    theirs (:func:`attributions_for_rows`). Anything else is returned as it is.
    """
    from skxai._explanation import Explanation

    A = attributions_for_rows(A, rows)
    if isinstance(A, Explanation):
        if targets is not None:
            check_explained_outputs(A, targets, explainer)
        names, A = A.feature_names, A.target_values
    elif hasattr(A, "columns") and hasattr(A, "iloc"):
        names = A.columns
    else:
        return A
    players = getattr(explainer, "feature_names_out_", None)
    if players is None and is_tabular(explainer) and hasattr(explainer, "get_feature_names_out"):
        # the tabular anchors name their features only there (read by position, a reordered
        # explanation scored each feature's indicator as another's)
        try:
            players = explainer.get_feature_names_out()
        except (AttributeError, ValueError):
            players = None
    if not is_tabular(explainer) or names is None or players is None:
        return A
    names, players = [str(c) for c in names], [str(c) for c in players]
    if names == players:
        return A
    if sorted(names) != sorted(players) or len(set(names)) != len(names):
        raise ValueError(
            f"attributions have the columns {names[:10]}, but {type(explainer).__name__}'s "
            f"players are {players[:10]}; pass the attributions of these players."
        )
    order = [names.index(c) for c in players]
    return A.iloc[:, order] if hasattr(A, "iloc") else np.asarray(A)[:, order]


def check_explained_outputs(exp, targets, explainer):
    """Refuse an Explanation of other outputs than ``targets``, the ones scored: the
    attributions of class 0 were scored against the predicted class's outputs without a word."""
    t = exp._explained_outputs()  # "predicted" read as the Explanation reads it
    if t is None:
        return
    given = np.asarray(t).reshape(-1)
    targets = np.asarray(targets).reshape(-1)
    if given.dtype.kind not in "iu":
        return
    if given.size == 1:
        given = np.full(targets.shape[0], int(given[0]))
    if given.shape == targets.shape and not np.array_equal(given, targets):
        bad = int(np.flatnonzero(given != targets)[0])
        raise ValueError(
            f"attributions explain output {int(given[bad])} of sample {bad}, but "
            f"{type(explainer).__name__} scores output {int(targets[bad])} there (its "
            "target): pass the explanation of the same target."
        )


def n_samples_of(X):
    """The number of samples of ``X`` (an array, a frame, a tensor, a list of documents)."""
    shape = getattr(X, "shape", None)
    return int(shape[0]) if shape is not None else len(X)


def given_attributions(explainer, X, attributions, n, targets=None, rows=None):
    """``explainer.transform(X)``, or the ``attributions`` given for the ``n`` samples of
    ``X``, as a finite float64 array with the explainer's players in its order.

    The metrics that compare attributions with the explainer's own (sensitivity, the
    randomisation checks) read a DataFrame by position, so reordered columns gave another
    score, and an ``Explanation`` failed deep inside numpy. An Explanation is checked against
    ``targets``, the outputs scored (``explainer.target_indices(X)`` when not given: asked of
    the model for an Explanation only). Given attributions must be those of the rows ``rows``
    (default ``X``: :func:`attributions_for_rows`).
    """
    from skxai._explanation import Explanation

    if attributions is None:
        A = explainer_transform(explainer, X)
    else:
        if targets is None and isinstance(attributions, Explanation) and hasattr(explainer, "target_indices"):
            targets = np.asarray(explainer.target_indices(X))
        A = attributions_in_order(explainer, attributions, targets=targets, rows=X if rows is None else rows)
    A = to_numpy(A)
    if A.ndim < 1 or A.shape[0] != n:
        raise ValueError(f"attributions hold {A.shape[0] if A.ndim else 0} samples but X holds {n}.")
    players = getattr(explainer, "feature_names_out_", None)
    if is_tabular(explainer) and players is not None and A.shape[1:] != (len(players),):
        raise ValueError(f"attributions have shape {A.shape}; expected (n_samples, n_players) = {(n, len(players))}.")
    if not np.isfinite(A).all():
        raise ValueError("attributions contain NaN or infinity.")
    return A
