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
