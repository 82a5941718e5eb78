"""KernelSHAP: Shapley values as a constrained weighted regression over sampled coalitions."""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.utils import check_random_state

from skxai._games import all_coalitions
from skxai._wls import efficiency_constrained_wls
from skxai.base import BaseTabularExplainer
from skxai.shapley._designs import kernel_design
from skxai.shapley._game import exact_shapley_from_values


class _CachedGame:
    """Evaluates coalitions once, whatever the number of designs that ask for them."""

    def __init__(self, game, X, n_jobs, verbose):
        self.game, self.X, self.n_jobs, self.verbose = game, X, n_jobs, verbose
        self.cache = {}
        self.n_evaluated = 0

    def __call__(self, masks):
        keys = [m.tobytes() for m in np.packbits(masks, axis=1)]
        missing = list(dict.fromkeys(k for k in keys if k not in self.cache))
        if missing:
            first = {}
            for i, key in enumerate(keys):
                first.setdefault(key, i)
            rows = masks[[first[k] for k in missing]]
            vals = self.game.values_parallel(self.X, rows, n_jobs=self.n_jobs, verbose=self.verbose)
            self.n_evaluated += len(missing)
            for j, key in enumerate(missing):
                self.cache[key] = vals[:, j, :]
        return np.stack([self.cache[k] for k in keys], axis=1)


def kernel_shap_from_values(design, v0, v1, values, *, with_std=True):
    """Solve the KernelSHAP regression for a design and coalition values.

    Parameters
    ----------
    design : CoalitionDesign
    v0, v1 : ndarray of shape (n, k)
        Values of the empty and full coalitions.
    values : ndarray of shape (n, m, k)
        Values of ``design.masks``.

    Returns
    -------
    phi, std : ndarrays of shape (n, p, k)
    """
    n, m, k = values.shape
    Z = design.masks.astype(np.float64)
    p = Z.shape[1]
    Y = (values - v0[:, None, :]).transpose(1, 0, 2).reshape(m, n * k)
    delta = (v1 - v0).reshape(n * k)
    phi, M = efficiency_constrained_wls(Z, design.weights, Y, delta)
    std = None
    if with_std:
        var = np.zeros((p, n * k))
        sampled = design.unit >= 0
        if sampled.any():
            Q = Z[sampled] @ M.T
            wr = (Y[sampled] - Z[sampled] @ phi) * design.weights[sampled][:, None]
            unit = design.unit[sampled]
            n_units = unit.max() + 1
            step = max(1, 4_000_000 // max(1, len(unit) * p))
            for c0 in range(0, n * k, step):
                c1 = min(n * k, c0 + step)
                contrib = wr[:, c0:c1, None] * Q[:, None, :]
                H = np.zeros((n_units, c1 - c0, p))
                np.add.at(H, unit, contrib)
                for s, (f, n_s) in enumerate(zip(design.stratum_fpc, design.stratum_size, strict=True)):
                    if n_s < 2:
                        continue
                    Hs = H[design.stratum == s]
                    dev = Hs - Hs.mean(axis=0)
                    var[:, c0:c1] += (f * n_s / (n_s - 1) * (dev**2).sum(axis=0)).T
        std = np.sqrt(var).reshape(p, n, k).transpose(1, 0, 2)
    return phi.reshape(p, n, k).transpose(1, 0, 2), std


class KernelShapExplainer(BaseTabularExplainer):
    """KernelSHAP (Lundberg & Lee, 2017) with paired, stratified, leverage-score sampling.

    Shapley values solve ``min_phi sum_z k(z) (v(z) - v(empty) - z . phi)^2`` subject to
    ``sum(phi) = v(all) - v(empty)`` with the Shapley kernel ``k``. skxai estimates that
    objective from ``n_samples`` coalitions: subset sizes are enumerated whole while the budget
    allows, the other sizes are sampled without replacement with each coalition's complement
    (paired sampling), equally per size by default (leverage scores, Musco & Witter 2025), and
    weighted by their inverse inclusion probability. Efficiency holds exactly. When
    ``n_samples >= 2**n_features`` every coalition is evaluated and the values are exact.
    The same coalitions serve every explained row, so all rows share one factorisation.

    Parameters
    ----------
    estimator : estimator, Pipeline or callable
    n_samples : int or "auto", default="auto"
        Coalitions evaluated per sample, the empty and full coalitions included:
        ``"auto"`` is ``min(2**p, 2 p + 2048)``. At least ``2 p + 2`` for p players.
    sampling : {"leverage", "kernel"}, default="leverage"
        How the sampled budget is shared among subset sizes.
    tol : float, default=None
        Early stop: start from a quarter of the budget and double it until the largest
        standard error is below ``tol`` times the spread of the attributions.
    target, response_method, max_background, background, feature_groups, batch_size,
    n_jobs, random_state, scoring, verbose
        As in :class:`~skxai.ExactShapleyExplainer`.

    Attributes
    ----------
    estimator_, background_, background_weights_, expected_value_, n_features_in_,
    output_names_, target_index_
        As in :class:`~skxai.ExactShapleyExplainer`. ``explain`` also reports
        ``n_evaluations`` (coalitions evaluated per row) and ``exact``.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.ensemble import RandomForestRegressor
    >>> from skxai import KernelShapExplainer
    >>> X, y = load_diabetes(return_X_y=True)
    >>> explainer = KernelShapExplainer(RandomForestRegressor(n_estimators=10, random_state=0),
    ...                                 n_samples=256, max_background=20, random_state=0)
    >>> phi = explainer.fit(X, y).transform(X[:3])
    >>> phi.shape
    (3, 10)
    >>> import numpy as np
    >>> bool(np.allclose(phi.sum(1) + explainer.expected_value_[0], explainer.predict(X[:3])))
    True
    """

    def __init__(
        self,
        estimator,
        *,
        n_samples="auto",
        sampling="leverage",
        tol=None,
        target=None,
        response_method="auto",
        max_background=100,
        background="sample",
        feature_groups=None,
        batch_size=10_000,
        n_jobs=None,
        random_state=None,
        scoring=None,
        verbose=0,
    ):
        self.estimator = estimator
        self.n_samples = n_samples
        self.sampling = sampling
        self.tol = tol
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

    def _budget(self):
        p = self.n_players_
        if self.n_samples == "auto":
            return min(2**p, 2 * p + 2048) if p < 62 else 2 * p + 2048
        if not isinstance(self.n_samples, numbers.Integral) or isinstance(self.n_samples, bool):
            raise ValueError(f"n_samples must be an int or 'auto', got {self.n_samples!r}.")
        budget = int(self.n_samples)
        if budget < 2 * p + 2 and (p >= 62 or budget < 2**p):
            raise ValueError(
                f"n_samples={budget} is too small for {p} features: KernelSHAP needs at least "
                f"2 * n_features + 2 = {2 * p + 2} coalitions (or all 2**{p})."
            )
        return budget

    def _explain_rows(self, X):
        p = self.n_players_
        budget = self._budget()
        game = self._game()
        if self.sampling not in ("leverage", "kernel"):
            raise ValueError(f"sampling={self.sampling!r} is not supported; use 'leverage' or 'kernel'.")
        if p < 62 and budget >= 2**p:
            masks = all_coalitions(p)
            values = game.values_parallel(X, masks, n_jobs=self.n_jobs, verbose=self.verbose)
            phi = exact_shapley_from_values(masks, values)
            return phi, values[:, 0, :], np.zeros_like(phi), {"exact": True, "n_evaluations": 2**p}
        rng = check_random_state(self.random_state)
        evaluate = _CachedGame(game, X, self.n_jobs, self.verbose)
        ends = np.zeros((2, p), dtype=bool)
        ends[1] = True
        v_ends = evaluate(ends)
        v0, v1 = v_ends[:, 0], v_ends[:, 1]
        steps = [budget]
        if self.tol is not None:
            start = max(2 * p + 2, budget // 4)
            steps = [start]
            while steps[-1] < budget:
                steps.append(min(budget, 2 * steps[-1]))
        seed = rng.randint(np.iinfo(np.int32).max)
        for b in steps:
            design = kernel_design(p, b, np.random.RandomState(seed), sampling=self.sampling)
            values = evaluate(design.masks)
            phi, std = kernel_shap_from_values(design, v0, v1, values)
            if self.tol is not None:
                spread = np.abs(phi).max() or 1.0
                if std.max() <= self.tol * spread:
                    break
        return phi, v0, std, {"exact": False, "n_evaluations": evaluate.n_evaluated}
