"""Random generators from ``random_state``, never numpy's global one."""

from __future__ import annotations

import numpy as np
from sklearn.utils import check_random_state as _sklearn_check_random_state


def check_random_state(seed):
    """scikit-learn's ``check_random_state``, except that ``None`` gives a fresh generator
    seeded by the operating system, so numpy's global generator is never drawn from (a user's
    ``np.random.seed`` sequence is left as it was).

    Parameters
    ----------
    seed : None, int or RandomState

    Returns
    -------
    RandomState

    Examples
    --------
    >>> import numpy as np
    >>> from skxai.utils._random import check_random_state
    >>> np.random.seed(0)
    >>> _ = check_random_state(None).randint(10)
    >>> bool(np.random.rand() == np.random.RandomState(0).rand())
    True
    """
    if seed is None:
        return np.random.RandomState()
    return _sklearn_check_random_state(seed)


def seed_from(random_state):
    """An integer seed: the first draw of ``random_state`` (a fresh one for ``None``). Work split
    over workers or chunks draws it once and shares it, so every part sees the same draws."""
    return int(check_random_state(random_state).randint(np.iinfo(np.int32).max))


def model_seed(random_state):
    """The seed of a model an explainer trains in ``fit`` (:func:`seed_unseeded`):
    :func:`seed_from` of ``random_state``, of a copy where it is a ``RandomState`` instance, so
    the explainer's own later draws are those it made before."""
    import copy

    if isinstance(random_state, np.random.RandomState):
        random_state = copy.deepcopy(random_state)
    return seed_from(random_state)


def with_own_generator(explainer, generator=None):
    """A shallow copy of ``explainer`` holding its own copy of ``generator`` (by default its
    ``random_state`` instance), or ``explainer`` itself when there is no instance to copy.

    Parts of one call (Dask blocks, chunks of rows) each start from a copy of the generator's
    state before the call, so each draws what the whole call would, whatever the order the
    parts run in and without ever changing the user's explainer.
    """
    import copy

    generator = getattr(explainer, "random_state", None) if generator is None else generator
    if not isinstance(generator, np.random.RandomState):
        return explainer
    own = copy.copy(explainer)
    own.random_state = copy.deepcopy(generator)
    return own


def seed_unseeded(estimator, seed):
    """``estimator`` (a clone the caller owns) with every ``random_state`` left at None, nested
    ones included, set to ``seed``; a seed the model was given is kept.

    A model left at ``random_state=None`` (a forest's default) draws from numpy's global
    generator when it is trained: what skxai retrains (ShapleyRegressionExplainer's subset
    models, the data randomisation test's model) would follow the user's ``np.random`` sequence,
    advance it, and differ between worker processes. Seeded from the caller's ``random_state``,
    as scikit-learn's ensembles seed their members.

    Examples
    --------
    >>> from sklearn.ensemble import RandomForestRegressor
    >>> from skxai.utils._random import seed_unseeded
    >>> seed_unseeded(RandomForestRegressor(), 3).random_state
    3
    >>> seed_unseeded(RandomForestRegressor(random_state=1), 3).random_state
    1
    """
    get_params = getattr(estimator, "get_params", None)
    if get_params is None:
        return estimator
    params = get_params(deep=True)
    unseeded = {
        key: seed
        for key, value in params.items()
        if value is None and (key == "random_state" or key.endswith("__random_state"))
    }
    for value in params.values():
        # a shuffling CV splitter held by a parameter (LassoCV(cv=KFold(5, shuffle=True))): not a
        # parameter itself, it drew from the global generator at every refit (the values differed
        # between fits and n_jobs); the clone holds its own copy of it
        if (
            hasattr(value, "split")
            and not hasattr(value, "get_params")
            and getattr(value, "random_state", 0) is None
            and getattr(value, "shuffle", True)
        ):
            value.random_state = seed
    return estimator.set_params(**unseeded) if unseeded else estimator


def global_generator_marks():
    """A comparable snapshot of the process-wide generators a user's function may draw from:
    numpy's legacy global generator, Python's ``random`` and, when torch is imported, torch's
    CPU generator. Two snapshots differ when a draw was made in between."""
    import random
    import sys

    _, key, pos, has_gauss, gauss = np.random.get_state()  # noqa: NPY002 - read, never set
    marks = [key.tobytes(), pos, has_gauss, gauss, random.getstate()]
    torch = sys.modules.get("torch")
    if torch is not None:
        marks.append(bytes(torch.random.get_rng_state().numpy()))
    return marks
