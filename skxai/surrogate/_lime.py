"""LIME for tabular data: a local ridge surrogate on coalitions of features."""

from __future__ import annotations

import numbers

import numpy as np
from joblib import effective_n_jobs

from skxai._lime_engine import euclidean_distance, fit_surrogate, removal_masks
from skxai._progress import closing_progress
from skxai.base import BaseTabularExplainer
from skxai.utils._parallel import map_shared
from skxai.utils._param_validation import (
    Interval,
    StrOptions,
    fit_context,
)
from skxai.utils._random import check_random_state
from skxai.utils._warnings import warn_at_caller

#: Bytes a perturbed row takes in a model call, per feature: its row and background row
#: gathered, the where's result (float64) and its mask row (bool).
CALL_ROW_BYTES = 32
#: Most bytes of one model call's perturbed rows (the model's own temporaries come on top).
CALL_BYTES = 1 << 30


def _sampled_values(shared, X, cmasks, bidx, calls):
    """Model outputs of the perturbations in ``calls`` (ranges of the flat (row, sample) index):
    sample i keeps the columns ``cmasks[i]`` of its row and takes the others from ``bg[bidx[i]]``;
    ``shared`` is ``(output, bg)`` (sent once to each worker of a Dask cluster)."""
    output, bg = shared
    m = cmasks.shape[0]
    out = []
    for start, stop in calls:
        rows, cols = np.divmod(np.arange(start, stop), m)
        out.append(output(np.where(cmasks[cols], X[rows], bg[bidx[cols]])))
    return np.concatenate(out, axis=0)


class LimeExplainer(BaseTabularExplainer):
    """LIME (Ribeiro et al., 2016) for tabular models, on coalitions of features.

    The interpretable representation is the binary coalition ``z`` (1 = the feature keeps the
    explained row's value). Each perturbation switches off a uniformly drawn number of features
    (the design of lime's text explainer; lime's tabular one draws every feature on its own)
    and, with the default ``perturbation="sample"``, takes their values from one background
    row drawn at random (background weights as probabilities): one model row per
    perturbation, lime's cost. The surrogate is a ridge regression of the model output on ``z``
    weighted by lime's kernel ``sqrt(exp(-d(z)^2 / width^2))`` with ``d(z) = ||1 - z||_2`` and
    ``width = 0.75 sqrt(p)`` as in lime. This is KernelSHAP's regression with another kernel, a
    regulariser and no constraints (:mod:`skxai._wls`).

    **Cost**: ``n_samples`` model rows per explained row (5,000 by default) with
    ``perturbation="sample"``; ``n_samples`` times the number of background rows (500,000 by
    default) with ``perturbation="average"``. The rows go to the model in calls of at most
    ``batch_size`` rows, and of at most 1 GiB of perturbed rows (32 bytes a feature and row:
    about 33,000 rows of 1,000 features).

    Parameters
    ----------
    estimator : estimator, Pipeline or callable
    n_samples : int, default=5000
        Perturbations per explained row (the original point included); at least
        ``n_players + 2``.
    kernel_width : float, default=None
        ``0.75 * sqrt(n_players)`` when None; positive and finite.
    alpha : float, default=1.0
        Ridge penalty (lime's default), ``>= 0``.
    perturbation : {"sample", "average"}, default="sample"
        What a switched-off feature becomes. "sample": the value of one background row drawn
        at random per perturbation (the same row for every switched-off feature of that
        perturbation, so the model sees real combinations of values): one model row per
        perturbation. "average": every background row, the model outputs averaged (the
        interventional game of the Shapley explainers; exact for additive models with
        ``alpha=0``, which the default ridge shrinks slightly, but ``n_background`` model rows
        per perturbation).
    target : label, int, "predicted" or None, default=None
        Explained output; "predicted" (the default for multi-class classifiers) is the
        *model's* predicted class per row, never the surrogate's.
    response_method, max_background, background, feature_groups, batch_size, n_jobs, random_state, scoring
        As in :class:`~skxai.ExactShapleyExplainer`.
    verbose : int, default=0
        A progress bar over the model calls.

    Attributes
    ----------
    estimator_, background_, background_weights_, expected_value_, n_features_in_,
    output_names_, target_index_
        As in :class:`~skxai.ExactShapleyExplainer`. ``explain`` also reports ``score``
        (weighted R^2 of each surrogate), ``intercept``, ``model_outputs`` (the model at the
        explained rows, which ``outputs`` holds too), ``surrogate_outputs`` (the surrogates
        there) and ``n_model_rows`` (model rows per explained row).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LinearRegression
    >>> from skxai import LimeExplainer
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(50, 3)); y = X @ [3.0, -1.0, 0.0]
    >>> lime = LimeExplainer(LinearRegression(), n_samples=500, alpha=0.0, perturbation="average",
    ...                      random_state=0)
    >>> weights = lime.fit(X, y).transform(X[:1])   # exact for a linear model without ridge
    >>> bool(np.allclose(weights, lime.estimator_.coef_ * (X[:1] - X.mean(axis=0))))
    True
    """

    _default_scoring = "faithfulness_correlation"
    _sample_extras = ("score", "intercept", "model_outputs")

    # consumed by fit (its background, response, groups, ...): a change by set_params after fit is
    # refused at transform / explain (skxai.utils._fit_target)
    _fit_time_params = ("response_method", "max_background", "background", "feature_groups")

    _parameter_constraints = {
        **BaseTabularExplainer._parameter_constraints,
        "n_samples": [Interval(numbers.Integral, 2, None, closed="left")],
        "kernel_width": [Interval(numbers.Real, 0, None, closed="neither"), None],
        "alpha": [Interval(numbers.Real, 0, None, closed="left")],
        "perturbation": [StrOptions({"sample", "average"})],
    }

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
        perturbation="sample",
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
        self.perturbation = perturbation

    @fit_context
    def fit(self, X, y=None, **fit_params):
        """Fit (or take) the estimator, and learn the background and the outputs.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Background data (and training data when the estimator is fitted here).
        y : array-like, optional
            Targets to fit an unfitted estimator.
        **fit_params : dict
            Passed to the estimator's ``fit``.

        Returns
        -------
        self
        """
        return super().fit(X, y, **fit_params)

    def _fit_extra(self, X, y):
        p = self.n_players_
        if self.n_samples < p + 2:
            raise ValueError(
                f"n_samples={self.n_samples!r} is too small: LIME needs at least n_players + 2 = {p + 2} perturbations."
            )
        if p == 1 and float(self.alpha) > 0:
            # each perturbation switches off 1 to p players: with one, only the explained row
            # keeps it, and the ridge penalty outweighs that one sample
            warn_at_caller(
                f"LimeExplainer with a single player: every perturbation switches it off, so only the "
                f"explained row itself keeps it, and the ridge penalty alpha={float(self.alpha):g} shrinks "
                "its weight toward 0 (to about half at alpha=1). Use alpha=0, or ExactShapleyExplainer, "
                "whose one value is exact.",
                UserWarning,
            )

    def _working_bytes(self):
        n, p, k = int(self.n_samples), self.n_players_, self.n_outputs_
        # the perturbation masks (bool, their float copy and the weighted ridge's centred and
        # weighted copies, the background rows drawn, the distances); per row, the perturbed
        # outputs, their joined and transposed copies and the ridge's weighted targets and
        # residuals (float64). Measured peaks of one row: 41 bytes a player and perturbation,
        # 4.4 to 5.4 copies of the outputs; the earlier 17 and 3 let a call the bound admitted
        # take twice as much (4.9 GB resident for 2.3 GiB stated)
        # and the column masks (bool) with one model call's perturbed rows (their two gathers,
        # the where's result and the mask rows: 32 bytes a feature), which a wide table made
        # the largest part: 8,000 features at the default batch_size held 10 GB in one call
        d = self.n_features_in_
        return n * (48 * p + 64 + d) + self._call_rows() * CALL_ROW_BYTES * d, 6 * 8 * n * k

    def _worker_bytes(self):
        # each worker's model call: its perturbed rows, and the column masks shipped to it
        return self._call_rows() * CALL_ROW_BYTES * self.n_features_in_ + int(self.n_samples) * self.n_features_in_

    def _call_rows(self):
        """Most perturbed rows per model call: ``batch_size``, and at most :data:`CALL_BYTES`."""
        per_row = CALL_ROW_BYTES * max(self.n_features_in_, 1)
        return max(1, min(int(self.batch_size or 50_000), CALL_BYTES // per_row))

    def _width(self):
        return float(self.kernel_width) if self.kernel_width is not None else 0.75 * np.sqrt(self.n_players_)

    def _sampled(self, X, masks, rng):
        bg, w = self.background_, self.background_weights_
        bidx = rng.choice(len(bg), size=len(masks), p=w)
        col_player = np.empty(self.n_features_in_, dtype=int)
        for j, cols in enumerate(self.groups_):
            col_player[cols] = j
        cmasks = masks[:, col_player]
        n, m = X.shape[0], len(masks)
        size = self._call_rows()
        # Calls depend only on the problem (never on n_jobs): identical numbers for any n_jobs.
        calls = [(s, min(n * m, s + size)) for s in range(0, n * m, size)]
        workers = effective_n_jobs(self.n_jobs)  # None: 1, or a parallel_config's
        if workers == 1 or len(calls) == 1:
            with closing_progress(calls, verbose=self.verbose, desc="LIME", unit="call") as bar:
                parts = [_sampled_values((self.output_, bg), X, cmasks, bidx, [c]) for c in bar]
        else:
            groups = [g.tolist() for g in np.array_split(np.asarray(calls), min(len(calls), 4 * workers))]
            # the model and background once per worker of a Dask cluster, not with every task
            parts = map_shared(
                _sampled_values,
                (self.output_, bg),
                [(X, cmasks, bidx, g) for g in groups],
                n_jobs=self.n_jobs,
                verbose=self.verbose,
            )
        return np.concatenate(parts, axis=0).reshape(n, m, -1)

    def _explain_rows(self, X):
        p = self.n_players_
        rng = check_random_state(self.random_state)
        masks = removal_masks(p, int(self.n_samples), rng)
        if self.perturbation == "average":
            values = self._game().values_parallel(X, masks, n_jobs=self.n_jobs, verbose=self.verbose)
            n_rows = len(masks) * len(self.background_)
        else:
            values = self._sampled(X, masks, rng)
            n_rows = len(masks)
        n, m, k = values.shape
        Y = values.transpose(1, 0, 2).reshape(m, n * k)
        coef, intercept, r2 = fit_surrogate(masks, euclidean_distance(masks), self._width(), Y, self.alpha)
        phi = coef.reshape(p, n, k).transpose(1, 0, 2)
        intercept = intercept.reshape(n, k)
        return (
            phi,
            intercept,
            None,
            {
                "score": r2.reshape(n, k),
                "intercept": intercept,
                "model_outputs": values[:, 0, :],
                "n_model_rows": n_rows,
            },
        )

    def explain(self, X):
        """Surrogate weights of every output with their context.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        Explanation
            ``values`` (n_samples, n_players, n_outputs): the surrogates' weights;
            ``base_values``: their intercepts; ``outputs``: the *model's* outputs at ``X``
            (so that "predicted" picks the model's class); ``surrogate_outputs``,
            ``score``, ``n_model_rows``.
        """
        exp = super().explain(X)
        # The surrogate at x (intercept + sum of weights) is not the model's output there: the
        # predicted class must be the model's (issue 13, item 7).
        exp.extras["surrogate_outputs"] = np.asarray(exp.base_values) + np.asarray(exp.values).sum(axis=1)
        exp._sample_fields = (*exp._sample_fields, "surrogate_outputs")
        exp.outputs = exp.extras["model_outputs"]
        # per-output fields: exp[..., c] cuts them with the values
        exp._output_fields = ("score", "intercept", "model_outputs", "surrogate_outputs")
        return exp
