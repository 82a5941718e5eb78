"""KernelSHAP: Shapley values as a constrained weighted regression over sampled coalitions.

Notes on the k-additive fit (``max_order > 1``). With features ``Phi`` (products ``z_T``,
``|T| <= k``), weights ``W``, ridge ``P`` (depending on ``|T|`` only) and the efficiency
constraint ``1' beta = delta``, the solution is ``beta = A^-1 (b - mu 1)`` with
``A = Phi' W Phi + P``. Woodbury gives ``A^-1 Phi' W y = P^-1 Phi' G^-1 y`` with the m x m
matrix ``G = W^-1 + Phi P^-1 Phi'``, whose entries have the closed form
``sum_s C(|z & z'|, s) / pen_s``; the Shapley map ``L`` (``1/|T|`` to each member of T) and
the constraint terms ``L P^-1 Phi'``, ``1' P^-1 Phi'``, ``1' P^-1 1`` are binomial sums of
coalition sizes too. So the fit costs one m x m Cholesky factorisation, however many
interaction terms the order brings, and is shared by every explained row and output. When the
terms number at most half the coalitions the primal t x t system is cheaper and better
conditioned (the dual's G carries the main effects' large inverse penalty): it is solved
instead, and the jackknife's replicates read it from superset sums of their weights
(:mod:`skxai._kadd`).

The k-additive fit sees the game's antisymmetric part only, ``(v(S) - v(N \\ S)) / 2`` (plus a
constant): a game and its dual have the same Shapley values, so nothing else informs them.
Under paired sampling the linear fit already sees only that part; fitting ``v`` itself would
spend the even-order terms on the symmetric rest, and their ridge pulled on the values (games
of order 2 lost their exactness). Same accuracy otherwise (benchmarks/probe_antisymmetric_kadd.py).
"""

from __future__ import annotations

import numbers

import numpy as np
from joblib import effective_n_jobs

from skxai._estimate import (  # noqa: F401  (re-exported for old imports)
    CachedGame,
    kadd_bytes,
    kadd_many_terms_message,
    kadd_sandwich_message,
    kadd_unknown_errors_message,
    kernel_estimate,
    kernel_order,
    kernel_shap_from_values,
    linear_few_pairs_message,
    linear_unknown_errors_message,
    linear_unproven_zero_errors_message,
    n_interaction_terms,
    variance_working_bytes,
)
from skxai._games._background import BackgroundGame
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
from skxai.utils._parallel import map_shared
from skxai.utils._param_validation import Interval, Options, StrOptions, fit_context
from skxai.utils._random import seed_from
from skxai.utils._warnings import warn_at_caller


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
        ``"auto"`` is ``min(2**p, 2 p + 2048)``. At least ``2 p + 2`` for p players. A budget
        that samples a single coalition pair (the rest whole sizes) gives no error estimate:
        ``std`` is inf, with a warning at ``fit`` naming a nearby budget that gives errors.
        Below the budget that enumerates the one-feature coalitions (about ``3 p``), a value
        whose jackknife replicates all agree has std inf too (a few sampled pairs cannot tell
        an exact fit from one that interpolates them), with a warning at ``fit``.
    sampling : {"leverage", "kernel"}, default="leverage"
        How the sampled budget is shared among subset sizes.
    max_order : {"auto", 1, 3, 5, 7}, default="auto"
        1 is classic KernelSHAP (a linear fit of the coalition values). An odd order k > 1 fits
        a k-additive game instead (every interaction up to size k, ridge-penalised) with the
        same weights and exact efficiency, and returns its Shapley values: the k-additive
        estimator (kADD-SHAP, Pelegrina et al. 2023) on skxai's design, fitted to the game's
        antisymmetric part ``(v(S) - v(N \\ S)) / 2``, the only part the values depend on (so
        games of order 2 stay exact), several times more accurate on non-additive models at
        the same budget. "auto" takes the highest of 5 and 3
        whose number of interaction terms is at most 0.6 times ``n_samples`` (enough coalitions
        per term for an unbiased fit and honest errors), or order 3 up to 1.8 times on up to 15
        features when more than 32 coalition pairs are sampled (its errors are then estimated,
        conservatively), and whose
        ``m x m`` kernel system (``9 m**2`` bytes for m coalitions) fits in 512 MiB, and whose
        errors the jackknife refits (past 2,560 coalitions: at most 2,560 terms, or half as many
        terms as coalitions), else 1; an explicit order whose errors would come from the
        leave-one-out sandwich there warns at ``fit``, and one whose system does not fit is
        refused at ``fit`` (so memory stays bounded
        whatever the budget: at 16,384 coalitions "auto" uses the linear fit). The fit
        is solved in its kernel form, so its cost grows with the number of coalitions, not
        with the number of interaction terms (in primal form when the terms number at most
        half the coalitions, where that is cheaper). It runs on the residual of the linear fit, so
        additive models are explained exactly whatever the order. With interactions, whole
        sizes are enumerated only up to 40% of the budget when the budget is under a quarter
        of all coalitions (spread coalitions serve interaction fits better). When the design
        samples 32 coalition pairs or fewer (a budget near ``2**p``: most coalitions are whole
        sizes), the few pairs cannot show an interaction fit's error: its ``std`` is inf, with a
        warning at ``fit``.
    tol : float, default=None
        Early stop: start from a quarter of the budget and double it (each step draws the
        coalitions and fits the order that budget gets without ``tol``) until the 95% half-width
        ``1.96 * std`` of every value is at most ``tol`` times the row's largest absolute
        value of the same output (each error is then below that with 95% confidence). A step
        before the last stops only on errors it estimates reliably: every coalition evaluated,
        or the one-player coalitions enumerated and at least 8 coalition pairs sampled (at
        ``3 p`` coalitions single errors ran 15-170 times their std). When the budget runs out
        first, the last step's values are returned with a ``ConvergenceWarning``. A budget
        that covers all ``2**p`` coalitions steps from a quarter of ``2**p`` the same way and
        enumerates every coalition (exact values) only where no step meets ``tol``.
    target, response_method, max_background, background, feature_groups, batch_size, n_jobs
        As in :class:`~skxai.ExactShapleyExplainer`.
    random_state, scoring, verbose, game, conditional_sampler, n_conditional_samples, bandwidth
        As in :class:`~skxai.ExactShapleyExplainer`.

    Attributes
    ----------
    estimator_, background_, background_weights_, expected_value_, n_features_in_,
    output_names_, target_index_
        As in :class:`~skxai.ExactShapleyExplainer`. ``explain`` also reports
        ``n_evaluations`` (coalitions evaluated per row), ``exact``, ``order`` (of the fit; absent
        when exact) and ``std``: standard errors scaled so that ``values +/- 1.96 * std`` are 95%
        confidence intervals (jackknife over the sampled coalition pairs with its bias estimate
        added in quadrature, or the leave-one-out sandwich for a linear fit past 128 sampled
        coalition pairs and an interaction fit past 2,560 coalitions and 2,560 terms, with
        Student-t degrees of freedom; never below the values' rounding, which is all it is when
        exact, where ``exact`` means every coalition was
        evaluated: a conditional game's values then still carry its sampler's Monte Carlo error,
        in ``std``). The linear fit's jackknife interval is widened, at most twice, where its
        pseudo-values are skewed towards the values' signs (multiplicative models at small
        budgets). Near every coalition, where an interaction fit's design samples fewer than 1.2
        coalitions per top-order term (0.6 when it samples the middle size only), its ridge's
        bias is bounded through the linear fit of the same coalitions (a conservative ``std``;
        see the user guide). Their coverage is measured in
        ``benchmarks/results/calibration.md``.

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

    # consumed by fit (its background, response, groups, ...): a change by set_params after fit is
    # refused at transform / explain (skxai.utils._fit_target); game: the conditional game's checks
    # and a k-means background's data moments are made at fit
    _fit_time_params = ("response_method", "max_background", "background", "feature_groups", "game")

    #: ``tol`` is one stopping rule over the rows of a call (skxai._dask warns per block)
    _tol_spans_the_rows = True
    _parameter_constraints = {
        **TABULAR_CONSTRAINTS,
        **GAME_PARAMETER_CONSTRAINTS,
        "n_samples": [Interval(numbers.Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "sampling": [StrOptions({"leverage", "kernel"})],
        "max_order": [StrOptions({"auto"}), Options(numbers.Integral, {1, 3, 5, 7})],
        "tol": [Interval(numbers.Real, 0, None, closed="neither"), None],
    }

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

    @fit_context
    @_fit_doc
    def fit(self, X, y=None, **fit_params):
        return super().fit(X, y, **fit_params)

    def _fit_extra(self, X, y):
        check_game_at_fit(self, X)
        # Checks that need the number of players: the budget and the memory of the fit.
        p, budget = self.n_players_, self._budget()
        kernel_order(self.max_order, p, budget)
        # the players are the groups when feature_groups is set ("9 features" meant 9 groups)
        players = "features" if self.feature_groups is None else "feature groups"
        message = kadd_unknown_errors_message(self.max_order, p, budget, players)
        if message is None:
            message = linear_unknown_errors_message(self.max_order, p, budget, players)
        if message is None:
            message = linear_unproven_zero_errors_message(self.max_order, p, budget, players)
        if message is None:
            message = linear_few_pairs_message(self.max_order, p, budget, players)
        if message is None:
            message = kadd_many_terms_message(self.max_order, p, budget, players)
        if message is None:
            message = kadd_sandwich_message(self.max_order, p, budget, players)
        if message is not None:
            warn_at_caller(message)

    def _working_bytes(self):
        p, k = self.n_players_, self.n_outputs_
        budget = self._budget()
        m = budget if p >= 62 or budget < 2**p else 2**p
        game, copies = game_working_bytes(self)
        # the design's masks (bool), their float copies in the regression and its influence
        # matrices (5 floats a mask entry), the errors' per-unit products (pairs of
        # coalitions) and the k-additive system of an order above 1; per row, the coalition
        # values and the regression's targets, antisymmetric values and residuals (float64).
        # With the masks and one float copy only, peaks were 1.5 to 200 times the stated
        # bytes (measured: 6.7 floats a mask entry on 800-1500 players, errors included).
        order = kernel_order(self.max_order, p, budget) if m < 2**p or p >= 62 else 1
        solve = kadd_bytes(m, p) if order > 1 else 0
        fixed = game + 41 * m * p + variance_working_bytes(m // 2 + 1, p) + solve
        return fixed, 4 * 8 * m * k * copies

    def _worker_bytes(self):
        game = game_working_bytes(self)[0]  # each worker's calls draw their own samples
        if self.game == "conditional" or self.tol is not None:
            return game
        # the interventional game without tol: each worker fits its rows on its own copy of the
        # design (_explain_rows)
        return self._working_bytes()[0]

    def _memory_knobs(self):
        # on many features even the smallest budget (2 p + 2 coalitions) may not fit
        return (
            "n_samples"
            + (" or n_conditional_samples" if self.game == "conditional" else "")
            + (", or the number of players (merge features with feature_groups)")
        )

    def _budget(self):
        p = self.n_players_
        if self.n_samples == "auto":
            return min(2**p, 2 * p + 2048) if p < 62 else 2 * p + 2048
        budget = int(self.n_samples)
        if budget < 2 * p + 2 and (p >= 62 or budget < 2**p):
            raise ValueError(
                f"n_samples={budget} is too small for {p} features: KernelSHAP needs at least "
                f"2 * n_features + 2 = {2 * p + 2} coalitions (or all 2**{p})."
            )
        return budget

    _std_optional = True  # the jackknife's replicate fits: most of a few rows' solve

    def _explain_rows(self, X, with_std=True):
        game = explainer_game(self)
        settings = dict(
            sampling=self.sampling,
            max_order=self.max_order,
            tol=self.tol,
            with_std=with_std,
            output_eps=getattr(self.output_, "output_eps", None),
        )
        workers = effective_n_jobs(self.n_jobs)
        # Many rows on several workers: each worker explains whole rows (model calls, fit and
        # errors), all on the design drawn here. A row's values do not depend on the rows
        # explained with it, so the numbers are those of one process. Not with ``tol`` (one
        # stopping rule for all rows) or a conditional game (its own parallel calls).
        if workers > 1 and self.tol is None and isinstance(game, BackgroundGame) and len(X) >= 2 * workers:
            seed = seed_from(self.random_state)
            bounds = np.linspace(0, len(X), min(len(X), 4 * workers) + 1).round().astype(int)
            tasks = [
                (X[a:b], self.n_players_, self._budget(), seed, settings)
                for a, b in zip(bounds[:-1], bounds[1:], strict=True)
            ]
            parts = map_shared(_estimate_rows, game, tasks, n_jobs=self.n_jobs, verbose=self.verbose)
            phi, base = (np.concatenate([part[i] for part in parts]) for i in range(2))
            std = None if parts[0][2] is None else np.concatenate([part[2] for part in parts])
            return phi, base, std, parts[0][3]
        est = kernel_estimate(
            lambda masks: game.values_parallel(X, masks, n_jobs=self.n_jobs, verbose=self.verbose),
            self.n_players_,
            self._budget(),
            random_state=self.random_state,
            error=monte_carlo_view(game),
            **settings,
        )
        phi, base, std = monte_carlo_error(game, est.phi, est.base, est.std)
        return phi, base, std, game_extras(game, est.extras)


def _estimate_rows(game, X, p, budget, seed, settings):
    """KernelSHAP of rows ``X`` on one worker (module level: pickled by reference)."""
    est = kernel_estimate(lambda masks: game.values_parallel(X, masks, n_jobs=1), p, budget, seed=seed, **settings)
    return est.phi, est.base, est.std, est.extras
