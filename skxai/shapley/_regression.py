"""Shapley regression values: retrain the model on every feature subset."""

from __future__ import annotations

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import clone

from skxai._adapters import ModelOutput, is_frozen, unwrap_frozen
from skxai._games._background import all_coalitions
from skxai.base import BaseTabularExplainer
from skxai.shapley._values import exact_shapley_from_values


def _fit_subset(estimator, X, y, cols, fit_params):
    # The empty coalition trains on one constant column: the model's own intercept-only fit
    # (the training mean for least squares, the class prior for logistic regression).
    Xs = X[:, cols] if len(cols) else np.zeros((X.shape[0], 1))
    return clone(estimator).fit(Xs, y, **fit_params)


class ShapleyRegressionExplainer(BaseTabularExplainer):
    """Shapley regression values (Lipovetsky & Conklin, 2001).

    The value of a coalition S is the prediction of a model *retrained* on the features of S
    only: ``v(S) = f_S(x_S)``, with ``f_empty`` fitted on a constant column (the training mean
    for least squares). ``fit(X, y)`` trains ``clone(estimator)`` on all ``2**p`` subsets
    (joblib across subsets); Shapley values then follow by exact enumeration.

    Parameters
    ----------
    estimator : estimator
        Unfitted (or fitted: it is cloned) estimator that can be trained on any column subset.
    max_features : int, default=10
        Refuse more players than this (2**p models are trained).
    target, response_method, feature_groups, batch_size, n_jobs, scoring, verbose
        As in :class:`~skxai.ExactShapleyExplainer`.
    max_background, background, random_state
        Only used for ``model_output`` and the metrics' background replacement.

    Attributes
    ----------
    subset_estimators_ : list of estimators
        Model of coalition ``i`` (binary code of the players it holds).
    expected_value_ : ndarray of shape (n_outputs,)
        ``v(empty)``, the output of the intercept-only model.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LinearRegression
    >>> from skxai import ShapleyRegressionExplainer
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(60, 3)); y = X @ [1.0, 2.0, 0.0] + 0.1 * rng.normal(size=60)
    >>> explainer = ShapleyRegressionExplainer(LinearRegression()).fit(X, y)
    >>> phi = explainer.transform(X[:2])
    >>> bool(np.allclose(phi.sum(1), explainer.predict(X[:2]) - explainer.expected_value_[0]))
    True
    """

    _needs_y = True

    def __init__(
        self,
        estimator,
        *,
        max_features=10,
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
    ):
        self.estimator = estimator
        self.max_features = max_features
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

    def _fit_estimator(self, X, y=None, **fit_params):
        if y is None:
            raise ValueError("ShapleyRegressionExplainer.fit needs y: it retrains the model.")
        est = self.estimator
        est = unwrap_frozen(est)
        return clone(est).fit(X, y, **fit_params)

    def _fit_extra(self, X, y):
        p = self.n_players_
        if p > self.max_features:
            raise ValueError(
                f"ShapleyRegressionExplainer trains 2**{p} models; {p} players exceed "
                f"max_features={self.max_features}."
            )
        if not self._schema.numeric:
            raise ValueError("ShapleyRegressionExplainer needs numeric features (it slices columns).")
        self._masks = all_coalitions(p)
        cols = [np.sort(np.concatenate([self.groups_[j] for j in np.flatnonzero(m)] or [[]])).astype(int)
                for m in self._masks]
        est = self.estimator_
        if is_frozen(self.estimator):
            est = unwrap_frozen(self.estimator)
        self.subset_estimators_ = Parallel(n_jobs=self.n_jobs, verbose=self.verbose)(
            delayed(_fit_subset)(est, X, y, c, {}) for c in cols
        )
        self._subset_cols = cols
        const = np.zeros((1, 1))
        self.expected_value_ = ModelOutput(self.subset_estimators_[0], self.response_method)(const)[0]

    def _explain_rows(self, X):
        def predict(i):
            cols = self._subset_cols[i]
            Xs = X[:, cols] if len(cols) else np.zeros((X.shape[0], 1))
            return ModelOutput(self.subset_estimators_[i], self.response_method)(Xs)

        outs = Parallel(n_jobs=self.n_jobs, prefer="threads")(
            delayed(predict)(i) for i in range(len(self._masks))
        )
        values = np.stack(outs, axis=1)
        phi = exact_shapley_from_values(self._masks, values)
        return phi, values[:, 0, :], None, {}
