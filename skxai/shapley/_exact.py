"""Exact Shapley values of a model's interventional game, by enumerating every coalition."""

from __future__ import annotations

import numbers

from skxai._estimate import exact_estimate
from skxai._games._conditional import (
    GAME_PARAMETER_CONSTRAINTS,
    check_game_at_fit,
    explainer_game,
    game_extras,
    game_working_bytes,
    monte_carlo_error,
)
from skxai.base import BaseTabularExplainer
from skxai.utils._param_validation import (
    Interval,
    fit_context,
)

#: Constraints shared by the tabular Shapley explainers (the base's vocabulary).
TABULAR_CONSTRAINTS = BaseTabularExplainer._parameter_constraints


def _fit_doc(fit):
    fit.__doc__ = BaseTabularExplainer.fit.__doc__
    return fit


class ExactShapleyExplainer(BaseTabularExplainer):
    """Exact Shapley values over all ``2**n_features`` coalitions.

    The value of a coalition S for a sample x is the interventional expectation
    ``v(S) = mean_b f(x_S, b_rest)`` over the fitted background. All coalitions of a sample
    go to the model as one batch (chunked by ``batch_size`` rows).

    Parameters
    ----------
    estimator : estimator, Pipeline or callable
        Model explained; fitted here when unfitted and ``y`` is given to ``fit``.
    target : label or int, default=None
        Output explained by ``transform`` (positive class for binary classifiers).
    response_method : {"auto", "predict_proba", "decision_function", "predict"}, default="auto"
    max_features : int, default=20
        Refuse to enumerate more players than this (2**20 coalitions per sample).
    max_background : int, default=100
    background : {"sample", "kmeans"}, default="sample"
    feature_groups : list or dict, default=None
        Columns that act as one player (one-hot blocks).
    batch_size : int, default=50000
        Most rows per model call.
    n_jobs : int, default=None
        Workers across samples (joblib).
    random_state : int, RandomState or None, default=None
        Subsamples the background; seeds the conditional game's samples.
    scoring : str, default=None
    verbose : int, default=0
    game : {"interventional", "conditional"}, default="interventional"
        Value of a coalition S. "interventional": ``mean_b f(x_S, b_rest)``, the absent
        features taken from background rows whatever ``x_S`` is. "conditional":
        ``E[f(X) | X_S = x_S]`` (Aas, Jullum & Loland 2021), the absent features drawn from
        their distribution given ``x_S``, learned from the background (raise
        ``max_background`` to learn it from more rows). The two agree for independent
        features; with correlated ones the conditional game credits a feature with what it
        tells about the others. See the user guide, "Interventional or conditional". ``fit``
        prepares the game it is given (a change by ``set_params`` afterwards is refused at
        ``transform``: fit again). The three
        parameters below set the conditional game: ``fit`` warns when they are set with
        ``game="interventional"`` (they have no effect there), or ``bandwidth`` with another
        sampler than "empirical".
    conditional_sampler : {"gaussian", "empirical"} or callable, default="gaussian"
        How the conditional game draws the absent features. "gaussian": the multivariate
        normal conditional of the background's mean and covariance (with
        ``background="kmeans"``, those of the rows given to ``fit``: the centres lose the
        within-cluster spread, and ``expected_value_`` is the model's mean over those rows;
        refused for a DataFrame's integer or boolean columns, which would truncate its draws;
        warned for columns of a few repeated values, codes that its real draws fall between).
        "empirical": background
        rows weighted by ``exp(-D_S^2 / (2 bandwidth^2))``, ``D_S`` their Mahalanobis distance
        to ``x`` on S divided by ``sqrt(|S|)`` (``|S|`` counting independent directions only:
        constant or copied columns add none), keeping the rows with 95% of the weight. A
        callable ``sampler(x_S, S, n, random_state)`` returns ``n`` samples of the absent
        columns ``(n, n_features - len(S))`` (or whole rows) given the values ``x_S`` of the
        sorted columns ``S``; fewer samples are accepted (the value averages those returned,
        and its Monte Carlo error counts them), more are refused (memory is sized by ``n``). It draws from the seeded
        ``random_state`` it is given (a draw from numpy's, Python's or torch's process-wide
        generator is warned about: the values would change at every run; so is a sampler that
        returns other samples when one of its calls is made again with the same seed, as one
        drawing from an unseeded generator of its own does).
    n_conditional_samples : int, default=100
        Samples per coalition value in the conditional game (model rows per coalition and
        explained row; for "empirical", the most background rows kept: rows of equal weight
        beyond it are a seeded random subset, with a warning). The Monte-Carlo error
        of each value falls as ``1 / sqrt(n_conditional_samples)``; ``explain`` reports it in
        ``std`` (the spread of 8 groups of the samples; inf below 8 samples; nothing for
        "empirical", whose values are weighted means over the background, not draws).
    bandwidth : float, default=0.1
        Kernel width of the "empirical" sampler (shapr's default); small values keep only
        rows that match ``x`` on S, or, where no background row does (a value the background
        never holds), the nearest ones: a nearest-neighbour guess, not a conditional
        expectation of the data, and ``std`` does not show it (on discrete columns, where at
        least half of each column's background values repeat, it warns).

    Attributes
    ----------
    estimator_, background_, background_weights_, expected_value_, n_features_in_,
    feature_names_in_, output_names_, target_index_

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LinearRegression
    >>> from skxai import ExactShapleyExplainer
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(50, 3)); y = X @ [1.0, 2.0, -1.0]
    >>> model = LinearRegression().fit(X, y)
    >>> phi = ExactShapleyExplainer(model).fit(X).transform(X[:2])
    >>> np.allclose(phi, model.coef_ * (X[:2] - X.mean(axis=0)))
    True
    """

    # consumed by fit (its background, response, groups, ...): a change by set_params after fit is
    # refused at transform / explain (skxai.utils._fit_target); game: the conditional game's checks
    # and a k-means background's data moments are made at fit
    _fit_time_params = ("response_method", "max_background", "background", "feature_groups", "game")

    @property
    def _std_of_rows(self):
        """Whether a row's values come with standard errors (the conditional game's samples):
        the memory of a call's results counts them only then."""
        return getattr(self, "game", "interventional") == "conditional"

    _parameter_constraints = {
        **TABULAR_CONSTRAINTS,
        **GAME_PARAMETER_CONSTRAINTS,
        "max_features": [Interval(numbers.Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        estimator,
        *,
        target=None,
        response_method="auto",
        max_features=20,
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
        self.target = target
        self.response_method = response_method
        self.max_features = max_features
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

    @fit_context
    @_fit_doc
    def fit(self, X, y=None, **fit_params):
        return super().fit(X, y, **fit_params)

    def _fit_extra(self, X, y):
        check_game_at_fit(self, X)
        if self.n_players_ > self.max_features:
            raise ValueError(
                f"ExactShapleyExplainer enumerates 2**n_players coalitions; {self.n_players_} "
                f"players exceed max_features={self.max_features}. Use KernelShapExplainer, "
                "ShapleySamplingExplainer, feature_groups, or raise max_features."
            )

    def _working_bytes(self):
        m, p, k = 2**self.n_players_, self.n_players_, self.n_outputs_
        game, copies = game_working_bytes(self)
        # every coalition (bool and float); per row, their values and the weighted sums (float64)
        return game + 9 * m * p, 3 * 8 * m * k * copies

    def _worker_bytes(self):
        return game_working_bytes(self)[0]  # each worker's calls draw their own samples

    def _memory_knobs(self):
        return "the number of players (feature_groups)" + (
            " or n_conditional_samples" if self.game == "conditional" else ""
        )

    def _explain_rows(self, X):
        game = explainer_game(self)
        est = exact_estimate(self._evaluator(X, game), self.n_players_)
        # exact for the interventional game; a conditional game's values carry the Monte Carlo
        # error of its samples (its std, or None when there is none)
        phi, base, std = monte_carlo_error(game, est.phi, est.base, None)
        return phi, base, std, game_extras(game, {})

    def _evaluator(self, X, game=None):
        """The coalition game of the rows ``X``: masks -> values ``(n, m, n_outputs)``."""
        game = explainer_game(self) if game is None else game
        return lambda masks: game.values_parallel(X, masks, n_jobs=self.n_jobs, verbose=self.verbose)
