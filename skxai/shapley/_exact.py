"""Exact Shapley values of a model's interventional game, by enumerating every coalition."""

from __future__ import annotations

import numbers

from skxai._estimate import exact_estimate
from skxai.base import BaseTabularExplainer
from skxai.utils._param_validation import (
    BATCH_SIZE,
    N_JOBS,
    RANDOM_STATE,
    RESPONSE_METHOD,
    TARGET,
    VERBOSE,
    Interval,
    StrOptions,
    fit_context,
)


def _no_validation(constraint):
    # scikit-learn skips a parameter only for the bare string "no_validation", not a list of it.
    return "no_validation" if constraint == ["no_validation"] else constraint


#: Constraints shared by the tabular Shapley explainers: the base's (once it declares them)
#: or the same vocabulary spelled out here.
TABULAR_CONSTRAINTS = getattr(BaseTabularExplainer, "_parameter_constraints", None) or {
    "estimator": "no_validation",
    "target": _no_validation(TARGET),
    "response_method": RESPONSE_METHOD,
    "max_background": [Interval(numbers.Integral, 1, None, closed="left"), None],
    "background": [StrOptions({"sample", "kmeans"})],
    "feature_groups": [list, tuple, dict, None],
    "batch_size": BATCH_SIZE,
    "n_jobs": N_JOBS,
    "random_state": RANDOM_STATE,
    "scoring": [str, callable, None],
    "verbose": VERBOSE,
}


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
        Only used to subsample the background.
    scoring : str, default=None
    verbose : int, default=0

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

    _parameter_constraints = {
        **TABULAR_CONSTRAINTS,
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

    @fit_context
    @_fit_doc
    def fit(self, X, y=None, **fit_params):
        return super().fit(X, y, **fit_params)

    def _fit_extra(self, X, y):
        if self.n_players_ > self.max_features:
            raise ValueError(
                f"ExactShapleyExplainer enumerates 2**n_players coalitions; {self.n_players_} "
                f"players exceed max_features={self.max_features}. Use KernelShapExplainer, "
                "ShapleySamplingExplainer, feature_groups, or raise max_features."
            )

    def _explain_rows(self, X):
        est = exact_estimate(self._evaluator(X), self.n_players_)
        return est.phi, est.base, None, {}

    def _evaluator(self, X):
        """The coalition game of the rows ``X``: masks -> values ``(n, m, n_outputs)``."""
        game = self._game()
        return lambda masks: game.values_parallel(X, masks, n_jobs=self.n_jobs, verbose=self.verbose)
