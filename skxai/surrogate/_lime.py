"""LIME for tabular data: a local ridge surrogate on coalitions of features."""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.utils import check_random_state

from skxai._wls import ridge_wls
from skxai.base import BaseTabularExplainer


def lime_coalitions(n_players, n_samples, rng):
    """The original point, then coalitions with a uniformly drawn number of players removed."""
    n_off = rng.randint(1, n_players + 1, size=n_samples - 1)
    order = np.argsort(rng.random_sample((n_samples - 1, n_players)), axis=1)
    ranks = np.argsort(order, axis=1)
    masks = ranks >= n_off[:, None]
    return np.vstack([np.ones((1, n_players), dtype=bool), masks])


class LimeExplainer(BaseTabularExplainer):
    """LIME (Ribeiro et al., 2016) for tabular models, on the coalition game.

    Perturbations switch features off by replacing them with background values (averaged over
    the background, the same interventional game as the Shapley explainers); the interpretable
    representation is the binary coalition ``z``. The surrogate is a ridge regression of the
    model output on ``z`` weighted by LIME's exponential kernel
    ``sqrt(exp(-d(z)^2 / width^2))`` with ``d(z) = ||1 - z||_2`` (features switched off) and
    ``width = 0.75 sqrt(p)`` as in lime. This is KernelSHAP's engine with another kernel, a
    regulariser and no constraints (:mod:`skxai._wls`).

    Parameters
    ----------
    estimator : estimator, Pipeline or callable
    n_samples : int, default=5000
        Perturbations per explained row (the original point included).
    kernel_width : float, default=None
        ``0.75 * sqrt(n_players)`` when None.
    alpha : float, default=1.0
        Ridge penalty (lime's default).
    target, response_method, max_background, background, feature_groups, batch_size,
    n_jobs, random_state, scoring, verbose
        As in :class:`~skxai.ExactShapleyExplainer`.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LinearRegression
    >>> from skxai import LimeExplainer
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(50, 3)); y = X @ [3.0, -1.0, 0.0]
    >>> lime = LimeExplainer(LinearRegression(), n_samples=500, alpha=0.0, random_state=0)
    >>> weights = lime.fit(X, y).transform(X[:1])   # exact for a linear model without ridge
    >>> bool(np.allclose(weights, lime.estimator_.coef_ * (X[:1] - X.mean(axis=0))))
    True
    """

    _default_scoring = "faithfulness_correlation"

    def __init__(
        self,
        estimator,
        *,
        n_samples=5000,
        kernel_width=None,
        alpha=1.0,
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
        self.n_samples = n_samples
        self.kernel_width = kernel_width
        self.alpha = alpha
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

    def _explain_rows(self, X):
        p = self.n_players_
        if not isinstance(self.n_samples, numbers.Integral) or self.n_samples < p + 2:
            raise ValueError(
                f"n_samples={self.n_samples!r} is too small: LIME needs at least "
                f"n_features + 2 = {p + 2} perturbations."
            )
        width = self.kernel_width if self.kernel_width is not None else 0.75 * np.sqrt(p)
        if width <= 0:
            raise ValueError(f"kernel_width must be positive, got {width}.")
        rng = check_random_state(self.random_state)
        masks = lime_coalitions(p, int(self.n_samples), rng)
        values = self._game().values_parallel(X, masks, n_jobs=self.n_jobs, verbose=self.verbose)
        n, m, k = values.shape
        d2 = (~masks).sum(axis=1).astype(np.float64)
        weights = np.sqrt(np.exp(-d2 / width**2))
        Y = values.transpose(1, 0, 2).reshape(m, n * k)
        coef, intercept, r2 = ridge_wls(masks.astype(np.float64), weights, Y, alpha=self.alpha)
        phi = coef.reshape(p, n, k).transpose(1, 0, 2)
        intercept = intercept.reshape(n, k)
        return phi, intercept, None, {
            "score": r2.reshape(n, k),
            "intercept": intercept,
            "model_outputs": values[:, 0, :],
        }
