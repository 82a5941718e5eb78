"""Dask collections among the inputs: recognised without importing dask, computed where a
method works in memory. (A utility of its own: ``skxai.utils`` and the base classes use it, and
the lazy path in :mod:`skxai._dask` builds on it.)"""

from __future__ import annotations

__all__ = ["in_memory", "is_dask_collection"]


def is_dask_collection(X):
    """True for dask arrays, dataframes and other dask collections (without importing dask)."""
    return hasattr(X, "__dask_graph__") and hasattr(X, "__dask_keys__")


def in_memory(X):
    """``X`` computed when it is a dask collection (a dask dataframe becomes a pandas one), else ``X``.

    Only ``transform`` explains dask collections lazily; the other methods that take samples
    (``fit``, ``score``, ``target_indices``, ``model_output``, ``interaction_values``, the
    metrics) work on data in memory, as scikit-learn's estimators do. A dask array reached them
    computed by numpy's conversion, but a dask dataframe failed deep inside ("'DataFrame' object
    has no attribute 'to_numpy'"): both are computed here, once.
    """
    return X.compute() if is_dask_collection(X) else X
