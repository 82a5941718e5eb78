"""Shapley sampling values: marginal contributions averaged over random permutations."""

from __future__ import annotations

import numbers

import numpy as np

from skxai._estimate import (  # noqa: F401  (re-exported for old imports)
    antithetic_permutations,
    permutation_estimate,
    permutation_masks,
    permutations_to_walk,
    shapley_from_permutations,
    single_pair_permutations_message,
    unique_coalitions,
)
from skxai._games._conditional import (
    GAME_PARAMETER_CONSTRAINTS,
    check_game_at_fit,
    explainer_game,
    game_extras,
    game_working_bytes,
    monte_carlo_error,
    monte_carlo_view,
)
from skxai.base import BaseTabularExplainer
from skxai.shapley._exact import TABULAR_CONSTRAINTS, _fit_doc
from skxai.utils._param_validation import Interval, StrOptions, fit_context
from skxai.utils._warnings import warn_at_caller

#: float64 arrays of (walked coalitions x outputs) that a row's estimate holds at its peak
PERMUTATION_ROW_ARRAYS = 9


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
        Permutations walked, each followed by its reverse (an odd count walks the last one
        alone: it counts in the values, and its own variance in the error); the pairs are
        distinct while there are that many (``p! / 2``), and more than the ``p!`` permutations
        there are walks each of them once (the exact values: 10**8 on 3 players walks 6); "auto" walks
        ``max(4, 2 * ceil(1024 / p))`` permutations of ``p + 1`` prefix coalitions each (about
        2048 coalitions walked; from 513 players on 4, two pairs, the fewest that estimate an
        error: one pair's is unknown); a coalition shared by several permutations is evaluated once,
        so fewer are evaluated on few players (about 700 on 10, 1,600 on 16, 2,000 on 40). Once the
        permutations have visited all ``2**p`` coalitions (few players), the values are the
        exact ones, with ``std`` their rounding alone, at no model call more (``exact`` True; a conditional game's
        ``std`` then is its sampler's Monte Carlo error).
    target, response_method, max_background, background, feature_groups, batch_size, n_jobs
        As in :class:`~skxai.ExactShapleyExplainer`.
    random_state, scoring, verbose, game, conditional_sampler, n_conditional_samples, bandwidth
        As in :class:`~skxai.ExactShapleyExplainer`.
    tol : float, default=None
        Early stop: walk a quarter of the permutations (in antithetic pairs), then double them
        until ``1.96 * std`` of every value is at most ``tol`` times its row's largest
        absolute value of the same output. When the permutations run out first, the values are returned with a
        ``ConvergenceWarning``.

    Notes
    -----
    ``explain`` reports ``std``: the standard error over antithetic pairs (the sampling
    units), scaled by ``t_{0.975, pairs - 1} / 1.96`` so that ``values +/- 1.96 * std`` are
    95% intervals, and floored because a pair's mean takes few distinct values (a few pairs
    can agree exactly while the estimate is off; see :mod:`skxai._estimate`). From 6
    permutations (3 pairs) on, a row whose pairs' means are skewed away from zero
    (multiplicative models) has its ``std`` widened, at most twice, for that skewness. With 4
    permutations (one degree of freedom) the intervals are wide by necessity; with 2 or 3
    (a single pair, on 3 players or more) no error can be estimated: ``std`` is inf wherever a
    contribution varies, and ``fit`` warns.

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

    # consumed by fit (its background, response, groups, ...): a change by set_params after fit is
    # refused at transform / explain (skxai.utils._fit_target); game: the conditional game's checks
    # and a k-means background's data moments are made at fit
    _fit_time_params = ("response_method", "max_background", "background", "feature_groups", "game")

    #: ``tol`` is one stopping rule over the rows of a call (skxai._dask warns per block)
    _tol_spans_the_rows = True
    _parameter_constraints = {
        **TABULAR_CONSTRAINTS,
        **GAME_PARAMETER_CONSTRAINTS,
        "n_permutations": [Interval(numbers.Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "tol": [Interval(numbers.Real, 0, None, closed="neither"), None],
    }

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
        tol=None,
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
        self.tol = tol
        self.game = game
        self.conditional_sampler = conditional_sampler
        self.n_conditional_samples = n_conditional_samples
        self.bandwidth = bandwidth

    @fit_context
    @_fit_doc
    def fit(self, X, y=None, **fit_params):
        return super().fit(X, y, **fit_params)

    def _fit_extra(self, X, y):
        check_game_at_fit(self, X)
        players = "features" if self.feature_groups is None else "feature groups"
        message = single_pair_permutations_message(self._n_perm(), self.n_players_, players)
        if message is not None:
            warn_at_caller(message)

    def _working_bytes(self):
        p, k = self.n_players_, self.n_outputs_
        m = self._n_perm() * (p + 1)  # coalitions walked
        game, copies = game_working_bytes(self)
        # the walked coalitions (bool) and the permutations' ranks; per row, the values of the
        # walked coalitions, their prefix copy and its scaled copy, steps, contributions and
        # the temporaries of their spread (float64): 7.4-8.4 arrays of m x k measured by
        # tracemalloc on 1-100 outputs, 10-30 features (4 counted before: chunks peaked at 2x)
        return game + 9 * m * p, PERMUTATION_ROW_ARRAYS * 8 * m * k * copies

    def _worker_bytes(self):
        return game_working_bytes(self)[0]  # each worker's calls draw their own samples

    def _memory_knobs(self):
        # on many features even 2 permutations may not fit
        return (
            "n_permutations"
            + (" or n_conditional_samples" if self.game == "conditional" else "")
            + (", or the number of players (merge features with feature_groups)")
        )

    def _n_perm(self):
        if self.n_permutations == "auto":
            # two pairs at least: a single pair has no error (std inf, with a warning)
            return permutations_to_walk(max(4, 2 * int(np.ceil(1024 / self.n_players_))), self.n_players_)
        return permutations_to_walk(self.n_permutations, self.n_players_)

    def _explain_rows(self, X):
        game = explainer_game(self)
        est = permutation_estimate(
            lambda masks: game.values_parallel(X, masks, n_jobs=self.n_jobs, verbose=self.verbose),
            self.n_players_,
            self._n_perm(),
            tol=self.tol,
            random_state=self.random_state,
            error=monte_carlo_view(game),
            output_eps=getattr(self.output_, "output_eps", None),
        )
        phi, base, std = monte_carlo_error(game, est.phi, est.base, est.std)
        return phi, base, std, game_extras(game, est.extras)
