"""Shapley sampling values: marginal contributions averaged over random permutations."""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.utils import check_random_state

from skxai._games._conditional import GAME_PARAMETER_CONSTRAINTS, explainer_game
from skxai.base import BaseTabularExplainer


def antithetic_permutations(n_players, n_permutations, rng):
    """``n_permutations`` permutations (rows), each followed by its reverse."""
    half = (n_permutations + 1) // 2
    first = np.argsort(rng.random_sample((half, n_players)), axis=1)
    perms = np.empty((2 * half, n_players), dtype=int)
    perms[0::2] = first
    perms[1::2] = first[:, ::-1]
    return perms[:n_permutations]


def permutation_masks(perms):
    """Coalitions walked by each permutation: ``(n_perm, p + 1, p)``, prefix k holds the first k."""
    n_perm, p = perms.shape
    rank = np.empty_like(perms)
    np.put_along_axis(rank, perms, np.arange(p)[None, :], axis=1)
    return rank[:, None, :] < np.arange(p + 1)[None, :, None]


def unique_coalitions(masks):
    """Distinct rows of a boolean matrix and the index of each row among them."""
    packed = np.packbits(masks, axis=1)
    _, first, inverse = np.unique(packed, axis=0, return_index=True, return_inverse=True)
    return masks[first], inverse.ravel()


def shapley_from_permutations(perms, prefix_values):
    """Average marginal contributions along permutations.

    Parameters
    ----------
    perms : ndarray of shape (n_perm, p)
    prefix_values : ndarray of shape (n, n_perm, p + 1, k)
        Value of each prefix coalition of each permutation.

    Returns
    -------
    phi : ndarray (n, p, k)
        Mean contribution; efficiency holds exactly for every permutation.
    std : ndarray (n, p, k)
        Standard error, treating each antithetic pair as one draw.
    """
    n, n_perm, _, k = prefix_values.shape
    p = perms.shape[1]
    steps = np.diff(prefix_values, axis=2)  # contribution of perms[:, i] at step i
    contrib = np.empty_like(steps)
    idx = np.broadcast_to(perms[None, :, :, None], steps.shape)
    np.put_along_axis(contrib, idx, steps, axis=2)
    phi = contrib.mean(axis=1)
    n_pairs = n_perm // 2
    if n_pairs >= 2:
        pairs = contrib[:, : 2 * n_pairs].reshape(n, n_pairs, 2, p, k).mean(axis=2)
        std = pairs.std(axis=1, ddof=1) / np.sqrt(n_pairs)
    elif n_perm >= 2:
        std = contrib.std(axis=1, ddof=1) / np.sqrt(n_perm)
    else:
        std = np.full_like(phi, np.nan)
    return phi, std


class ShapleySamplingExplainer(BaseTabularExplainer):
    """Shapley sampling values (Strumbelj & Kononenko, 2014) with antithetic permutations.

    Each permutation is walked forwards: its ``p + 1`` prefix coalitions give all ``p``
    marginal contributions, so every permutation's contributions add up exactly to
    ``v(all) - v(empty)`` (efficiency). Each permutation is paired with its reverse
    (antithetic sampling), and coalitions shared by several permutations are evaluated once.
    The same permutations serve every explained row, drawn from ``random_state``.

    Parameters
    ----------
    estimator : estimator, Pipeline or callable
    n_permutations : int or "auto", default="auto"
        Permutations walked (rounded to antithetic pairs); "auto" gives about 2048
        coalition evaluations: ``max(2, 2 * ceil(1024 / p))``.
    target, response_method, max_background, background, feature_groups, batch_size,
    n_jobs, random_state, scoring, verbose, game, conditional_sampler, n_conditional_samples,
    bandwidth
        As in :class:`~skxai.ExactShapleyExplainer`.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LinearRegression
    >>> from skxai import ShapleySamplingExplainer
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(40, 4)); y = X @ [1.0, -2.0, 0.5, 3.0]
    >>> explainer = ShapleySamplingExplainer(LinearRegression(), n_permutations=4,
    ...                                      random_state=0).fit(X, y)
    >>> phi = explainer.transform(X[:2])   # exact for an additive model
    >>> bool(np.allclose(phi, explainer.estimator_.coef_ * (X[:2] - X.mean(axis=0))))
    True
    """

    _parameter_constraints = {**GAME_PARAMETER_CONSTRAINTS}

    def __init__(
        self,
        estimator,
        *,
        n_permutations="auto",
        target=None,
        response_method="auto",
        max_background=100,
        background="sample",
        feature_groups=None,
        batch_size=50_000,
        n_jobs=None,
        random_state=None,
        scoring=None,
        verbose=0,
        game="interventional",
        conditional_sampler="gaussian",
        n_conditional_samples=100,
        bandwidth=0.1,
    ):
        self.estimator = estimator
        self.n_permutations = n_permutations
        self.target = target
        self.response_method = response_method
        self.max_background = max_background
        self.background = background
        self.feature_groups = feature_groups
        self.batch_size = batch_size
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.scoring = scoring
        self.verbose = verbose
        self.game = game
        self.conditional_sampler = conditional_sampler
        self.n_conditional_samples = n_conditional_samples
        self.bandwidth = bandwidth

    def _n_perm(self):
        p = self.n_players_
        if self.n_permutations == "auto":
            return max(2, 2 * int(np.ceil(1024 / p)))
        if not isinstance(self.n_permutations, numbers.Integral) or self.n_permutations < 1:
            raise ValueError(
                f"n_permutations must be a positive int or 'auto', got {self.n_permutations!r}."
            )
        return int(self.n_permutations)

    def _explain_rows(self, X):
        p = self.n_players_
        rng = check_random_state(self.random_state)
        perms = antithetic_permutations(p, self._n_perm(), rng)
        masks = permutation_masks(perms)
        uniq, inverse = unique_coalitions(masks.reshape(-1, p))
        values = explainer_game(self).values_parallel(X, uniq, n_jobs=self.n_jobs, verbose=self.verbose)
        prefix = values[:, inverse].reshape(X.shape[0], len(perms), p + 1, -1)
        phi, std = shapley_from_permutations(perms, prefix)
        return phi, prefix[:, 0, 0], std, {"n_evaluations": len(uniq)}
