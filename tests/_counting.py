"""A model that counts how often it is unpickled in this process (for the Dask shipping tests)."""

from sklearn.linear_model import Ridge

LOADS = [0]


def loads():
    return LOADS[0]


class CountingRidge(Ridge):
    """Ridge that counts its deserialisations (``__setstate__`` runs once per unpickle)."""

    def __setstate__(self, state):
        LOADS[0] += 1
        super().__setstate__(state)
