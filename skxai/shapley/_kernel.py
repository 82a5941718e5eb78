"""KernelSHAP: Shapley values as a constrained weighted regression over sampled coalitions.

Notes on the k-additive fit (``max_order > 1``). With features ``Phi`` (products ``z_T``,
``|T| <= k``), weights ``W``, ridge ``P`` (depending on ``|T|`` only) and the efficiency
constraint ``1' beta = delta``, the solution is ``beta = A^-1 (b - mu 1)`` with
``A = Phi' W Phi + P``. Woodbury gives ``A^-1 Phi' W y = P^-1 Phi' G^-1 y`` with the m x m
matrix ``G = W^-1 + Phi P^-1 Phi'``, whose entries have the closed form
``sum_s C(|z & z'|, s) / pen_s``; the Shapley map ``L`` (``1/|T|`` to each member of T) and
the constraint terms ``L P^-1 Phi'``, ``1' P^-1 Phi'``, ``1' P^-1 1`` are binomial sums of
coalition sizes too. So the fit costs one m x m Cholesky factorisation, however many
interaction terms the order brings, and is shared by every explained row and output.
"""

from __future__ import annotations

import numbers

import numpy as np
import scipy.linalg
from scipy.special import comb
from sklearn.utils import check_random_state

from skxai._games._background import all_coalitions
from skxai._games._conditional import GAME_PARAMETER_CONSTRAINTS, explainer_game
from skxai._wls import efficiency_constrained_wls
from skxai.base import BaseTabularExplainer
from skxai.shapley._designs import kernel_design
from skxai.shapley._values import exact_shapley_from_values


class _CachedGame:
    """Evaluates coalitions once, whatever the number of designs that ask for them."""

    def __init__(self, game, X, n_jobs, verbose):
        self.game, self.X, self.n_jobs, self.verbose = game, X, n_jobs, verbose
        self.cache = {}
        self.n_evaluated = 0

    def n_new(self, masks):
        """Number of distinct coalitions of ``masks`` not evaluated yet."""
        keys = {m.tobytes() for m in np.packbits(masks, axis=1)}
        return len(keys - self.cache.keys())

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


def n_interaction_terms(p, order):
    """Number of subsets of size 1..order of p players."""
    return int(sum(comb(p, s, exact=True) for s in range(1, order + 1)))


def _stratified_variance(design, Q, wr):
    """Sandwich variance of phi from the sampled strata.

    ``Q (m_sampled, p)`` maps each coalition's weighted residual ``wr (m_sampled, r)`` to its
    effect on phi; paired coalitions form one sampling unit.
    """
    p = Q.shape[1]
    r = wr.shape[1]
    var = np.zeros((p, r))
    unit = design.unit[design.unit >= 0]
    n_units = unit.max() + 1
    step = max(1, 4_000_000 // max(1, len(unit) * p))
    strata = list(enumerate(zip(design.stratum_fpc, design.stratum_size, strict=True)))
    for c0 in range(0, r, step):
        c1 = min(r, c0 + step)
        H = np.zeros((n_units, c1 - c0, p))
        np.add.at(H, unit, wr[:, c0:c1, None] * Q[:, None, :])
        for s, (f, n_s) in strata:
            if n_s < 2:
                continue
            Hs = H[design.stratum == s]
            dev = Hs - Hs.mean(axis=0)
            var[:, c0:c1] += (f * n_s / (n_s - 1) * (dev**2).sum(axis=0)).T
    return var


def _kadd_penalties(p, order, m, mean_weight):
    """Ridge penalty of an interaction of each size 1..order (index 0 unused)."""
    # Far beyond the interpolation threshold (q >> m) a light ridge acts like the minimum-norm
    # fit; near it (q ~ m) higher orders need damping (double descent). Main effects get a
    # vanishing penalty so additive games stay exact.
    growth = 1.0 if n_interaction_terms(p, order) >= 2 * m else 10.0
    pen = np.empty(order + 1)
    pen[0] = np.inf
    base = 1e-3 * mean_weight
    pen[1] = 1e-4 * base
    for size in range(2, order + 1):
        pen[size] = base * growth ** (size - 2.0)
    return pen


def _kadd_solve(design, Y, delta, order):
    """k-additive fit in its dual (kernel) form: cost O(m^3) whatever the number of terms.

    The interaction features ``z_T`` (|T| <= order) with a ridge penalty depending on |T|
    only have the closed-form kernel ``K(z, z') = sum_s C(|z & z'|, s) / pen_s``; the
    efficiency constraint and the map to Shapley values (``1/|T|`` to each member of T) have
    closed forms too. See the Woodbury derivation in the module notes.
    """
    Z = design.masks.astype(np.float64)
    w = design.weights
    m, p = Z.shape
    pen = _kadd_penalties(p, order, m, w.mean())
    inv = 1.0 / pen[1:]
    # Every kernel entry depends on a count 0..p only: tabulate, then gather.
    counts = np.arange(p + 1)
    binom = np.stack([comb(counts, s) for s in range(1, order + 1)], axis=1)  # C(c, s)
    binom_minus = np.stack([comb(counts - 1, s - 1) / s for s in range(1, order + 1)], axis=1)
    table = binom @ inv
    overlap = (Z @ Z.T).astype(int)
    K = table[overlap]
    z_size = Z.sum(axis=1).astype(int)
    e = table[z_size]
    r_coef = (binom_minus @ inv)[z_size]
    R = (Z * r_coef[:, None]).T  # (p, m): L P^-1 Phi^T
    c0 = float(table[p])
    c1 = float((binom_minus @ inv)[p])
    G = K + np.diag(1.0 / w)
    sol = scipy.linalg.cho_solve(scipy.linalg.cho_factor(G), np.hstack([Y, e[:, None]]))
    Gy, Ge = sol[:, :-1], sol[:, -1]
    d = c0 - e @ Ge
    mu = (e @ Gy - delta) / d
    a = c1 - R @ Ge  # L A^-1 1
    phi = R @ Gy - np.outer(a, mu)
    # The constraint holds in exact arithmetic; remove what rounding left of sum(phi) - delta.
    return phi - (phi.sum(axis=0) - delta) / p


def kernel_shap_from_values(design, v0, v1, values, *, order=1, with_std=True):
    """Solve the KernelSHAP regression for a design and coalition values.

    With ``order=1`` this is KernelSHAP's constrained weighted least squares. With an odd
    ``order > 1`` the regression fits a k-additive game (all interactions up to that size,
    ridge-penalised, the penalty growing with the interaction size) under the same weights
    and efficiency constraint, and returns that game's exact Shapley values (the k-additive
    estimator of Pelegrina et al. 2023, solved in its kernel form; even orders add nothing
    under paired sampling).

    Parameters
    ----------
    design : CoalitionDesign
    v0, v1 : ndarray of shape (n, k)
        Values of the empty and full coalitions.
    values : ndarray of shape (n, m, k)
        Values of ``design.masks``.
    order : int, default=1

    Returns
    -------
    phi, std : ndarrays of shape (n, p, k)
    """
    n, m, k = values.shape
    p = design.masks.shape[1]
    Y = (values - v0[:, None, :]).transpose(1, 0, 2).reshape(m, n * k)
    delta = (v1 - v0).reshape(n * k)
    Z = design.masks.astype(np.float64)
    phi, M = efficiency_constrained_wls(Z, design.weights, Y, delta)
    var = None
    if with_std:
        # Sandwich variance of the linear fit. A k-additive fit may nearly interpolate the
        # sampled values, leaving no residual to estimate its own variance from, so the
        # linear fit's standard errors are reported for it too (conservative in practice).
        sampled = design.unit >= 0
        var = np.zeros_like(phi)
        if sampled.any():
            wr = (Y[sampled] - Z[sampled] @ phi) * design.weights[sampled][:, None]
            var = _stratified_variance(design, Z[sampled] @ M.T, wr)
    if order > 1:
        # The k-additive fit runs on what the linear fit leaves, so additive games (zero
        # residual) stay exact to rounding while interactions are still captured.
        phi = phi + _kadd_solve(design, Y - Z @ phi, np.zeros_like(delta), order)
    std = None if var is None else np.sqrt(var).reshape(p, n, k).transpose(1, 0, 2)
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
    max_order : {"auto", 1, 3, 5}, default="auto"
        1 is classic KernelSHAP (a linear fit of the coalition values). An odd order k > 1 fits
        a k-additive game instead (every interaction up to size k, ridge-penalised) with the
        same weights and exact efficiency, and returns its Shapley values: the k-additive
        estimator (kADD-SHAP, Pelegrina et al. 2023) on skxai's design, several times more
        accurate on non-additive models at the same budget. "auto" takes the highest of 5 and 3
        whose number of interaction terms is at most 1.5 times ``n_samples``, else 1. The fit
        is solved in its kernel form, so its cost grows with the number of coalitions, not
        with the number of interaction terms. It runs on the residual of the linear fit, so
        additive models are explained exactly whatever the order. With interactions, whole
        sizes are enumerated only up to 40% of the budget when the budget is under a quarter
        of all coalitions (spread coalitions serve interaction fits better).
    tol : float, default=None
        Early stop: start from a quarter of the budget and double it until the largest
        standard error is below ``tol`` times the spread of the attributions.
    target, response_method, max_background, background, feature_groups, batch_size,
    n_jobs, random_state, scoring, verbose, game, conditional_sampler, n_conditional_samples,
    bandwidth
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

    _parameter_constraints = {**GAME_PARAMETER_CONSTRAINTS}

    def __init__(
        self,
        estimator,
        *,
        n_samples="auto",
        sampling="leverage",
        max_order="auto",
        tol=None,
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
        self.n_samples = n_samples
        self.sampling = sampling
        self.max_order = max_order
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
        self.game = game
        self.conditional_sampler = conditional_sampler
        self.n_conditional_samples = n_conditional_samples
        self.bandwidth = bandwidth

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

    def _order(self):
        p = self.n_players_
        if self.max_order == "auto":
            # The highest odd order whose interaction terms stay within 1.5x the coalitions
            # evaluated: beyond, the fit is too far past its interpolation threshold (measured
            # in benchmarks/bench_shapley.py).
            budget = self._budget()
            for order in (5, 3):
                if order < p and n_interaction_terms(p, order) <= 1.5 * (budget - 2):
                    return order
            return 1
        if self.max_order not in (1, 3, 5, 7):
            raise ValueError(f"max_order must be 'auto' or an odd order 1, 3, 5 or 7; got {self.max_order!r}.")
        return min(int(self.max_order), p)

    def _explain_rows(self, X):
        p = self.n_players_
        budget = self._budget()
        order = self._order()
        game = explainer_game(self)
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
        # Interaction fits learn more from coalitions spread over every size than from whole
        # sizes enumerated, as long as the budget is a small part of all coalitions.
        share = 0.4 if order > 1 and budget < 2 ** min(p, 62) / 4 else 1.0
        for b in steps:
            # Designs of successive steps overlap but are not nested: shrink the design until
            # the coalitions it adds keep the total within the budget.
            while True:
                design = kernel_design(p, b, np.random.RandomState(seed), sampling=self.sampling,
                                   max_enumerated_share=share)
                excess = evaluate.n_evaluated + evaluate.n_new(design.masks) - budget
                if excess <= 0 or b - excess < 2 * p + 2:
                    break
                b -= excess
            if excess > 0:
                break
            values = evaluate(design.masks)
            phi, std = kernel_shap_from_values(design, v0, v1, values, order=order)
            if self.tol is not None:
                spread = np.abs(phi).max() or 1.0
                if std.max() <= self.tol * spread:
                    break
        return phi, v0, std, {"exact": False, "n_evaluations": evaluate.n_evaluated, "order": order}
