"""A model that counts how often it is unpickled in this process (for the Dask shipping tests)."""

from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.neighbors import KNeighborsRegressor

LOADS = [0]


def loads():
    return LOADS[0]


class CountingRidge(Ridge):
    """Ridge that counts its deserialisations (``__setstate__`` runs once per unpickle)."""

    def __setstate__(self, state):
        LOADS[0] += 1
        super().__setstate__(state)


class CountingLogistic(LogisticRegression):
    """LogisticRegression that counts its deserialisations, as :class:`CountingRidge`."""

    def __setstate__(self, state):
        LOADS[0] += 1
        super().__setstate__(state)


class CountingNeighbors(KNeighborsRegressor):
    """k-nearest neighbours (a KD tree) that count their deserialisations, as :class:`CountingRidge`."""

    def __setstate__(self, state):
        LOADS[0] += 1
        super().__setstate__(state)
