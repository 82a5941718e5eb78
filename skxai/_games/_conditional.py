"""The conditional coalition game: v(S) = E[f(X) | X_S = x_S] (Aas, Jullum & Loland 2021).

The interventional game (:class:`~skxai._games.BackgroundGame`) fills the absent features from
background rows whatever the present ones are; with correlated features it asks the model about
points the data never holds. The conditional game fills them from their distribution *given*
the present features, as the course defines a coalition's value. The distribution is learned
from the fitted background by one of three samplers:

- ``"gaussian"``: ``X_Sbar | x_S ~ N(mu_Sbar + Sig_Sbar,S Sig_S,S^-1 (x_S - mu_S),
  Sig_Sbar,Sbar - Sig_Sbar,S Sig_S,S^-1 Sig_S,Sbar)`` with the background's own (moment-matched) mean and
  covariance (those of the fitted rows for a k-means background, whose centres lack the
  within-cluster spread; shapr's "gaussian" approach);
- ``"empirical"``: background rows weighted by ``exp(-D_S(x, b)^2 / (2 h^2))``, ``D_S`` the
  Mahalanobis distance (on the background's own covariance) on the columns of S divided by the
  square root of their number of independent directions (``|S|`` unless columns are constant or
  copies), keeping the rows that carry 95% of the weight (shapr's "empirical" approach, fixed
  bandwidth ``h``);
- a callable ``sampler(x_S, S, n, random_state) -> samples`` for any generative model.
"""

from __future__ import annotations

import hashlib
import numbers
from typing import NamedTuple

import numpy as np
from joblib import effective_n_jobs
from scipy.linalg import eigh, pinvh
from sklearn.utils._param_validation import validate_parameter_constraints

from skxai._games._background import output_in_calls, row_aligned_calls
from skxai.utils._memory import most_within_working_memory
from skxai.utils._parallel import map_shared
from skxai.utils._param_validation import Interval, StrOptions
from skxai.utils._random import global_generator_marks, seed_from
from skxai.utils._warnings import warn_at_caller

__all__ = [
    "GAME_PARAMETER_CONSTRAINTS",
    "ConditionalGame",
    "check_game_at_fit",
    "explainer_game",
    "game_working_bytes",
    "monte_carlo_error",
    "monte_carlo_view",
    "game_extras",
]

#: Constraints of the game parameters of the model-agnostic Shapley explainers.
GAME_PARAMETER_CONSTRAINTS = {
    "game": [StrOptions({"interventional", "conditional"})],
    "conditional_sampler": [StrOptions({"gaussian", "empirical"}), callable],
    "n_conditional_samples": [Interval(numbers.Integral, 1, None, closed="left")],
    # numbers.Real: numpy's float32 (as scikit-learn's KernelDensity takes it); bools refused
    "bandwidth": [Interval(numbers.Real, 0, None, closed="neither")],
}

#: Groups of conditional samples whose spread gives the values' Monte Carlo error (the Gaussian
#: and callable samplers): 7 degrees of freedom.
MONTE_CARLO_GROUPS = 8

#: Share of the kernel weight the empirical sampler keeps (shapr's ``eta``).
EMPIRICAL_KEPT_WEIGHT = 0.95


def _weighted_moments(background, weights):
    """The background's weighted mean and own covariance (weights summing to one, no ``n - 1``):
    ``covariance_``, which the Gaussian sampler draws from, the empirical sampler's distances
    are measured on, and the collinearity checks read.

    Its own, not the unbiased one: the empirical distribution the samplers stand for is the
    background itself. With ``1 - sum w^2`` the empirical sampler's kernel width in data units
    depended on the row count (every row duplicated: the same distribution, and a value moved
    from -0.073 to -0.093) and on k-means weights, not on the distribution alone.
    """
    mu = weights @ background
    centred = background - mu
    cov = (centred * weights[:, None]).T @ centred
    return mu, cov


def _sqrt_psd(C):
    """The symmetric square root L (L L^T = C) of a symmetric positive semi-definite C
    (rounding clipped).

    The symmetric root, not V sqrt(E): the signs of an eigendecomposition's vectors (and the
    basis of a repeated eigenvalue) are arbitrary, and the last bits of C decided them, so a
    feature rescaled by 1.001 drew other samples (values moved by Monte-Carlo noise, 0.16 of
    the largest). V sqrt(E) V^T is unique and continuous in C.
    """
    e, V = eigh(C)
    return (V * np.sqrt(np.clip(e, 0.0, None))) @ V.T


def _refuse_missing(A, what):
    """Refuse NaN (missing values an imputing pipeline would take): the samplers condition on
    the values themselves (distances, covariances), and scipy only said "array must not
    contain infs or NaNs"."""
    cols = np.flatnonzero(np.isnan(A).any(axis=0)) if A.ndim == 2 else []
    if len(cols):
        raise ValueError(
            f"game='conditional' needs values without missing values, but {what} holds NaN in "
            f"columns {cols[:10].tolist()}: impute them before explaining, or use game='interventional'."
        )


class _CallFlags(NamedTuple):
    """What a task of sampler calls met, said by :meth:`ConditionalGame.values_parallel` in the
    calling process (a joblib worker's warning only reached its stderr)."""

    tied_rows_cut: bool
    unseen: dict | None
    global_draws: bool
    few_samples: bool
    own_draws: bool = False


class ConditionalGame:
    """Conditional value function ``v_x(S) = E[f(X) | X_S = x_S]``, estimated by sampling.

    Same interface as :class:`~skxai._games.BackgroundGame`: ``values(X, masks)`` returns
    ``(n, m, n_outputs)``, evaluated in model calls of at most ``batch_size`` rows (one call
    per chunk of (coalition, row) pairs, never one per pair), the chunks fixed by the problem
    so that any ``n_jobs`` gives identical numbers.

    ``v(empty)`` is the weighted background mean of the model output, or ``empty_value`` (the
    same as the explainers' ``expected_value_``) and ``v(all) = f(x)``, both without sampling; so is the
    value of a coalition of columns constant on the background that the row shares (it tells
    nothing, and such a column is a null player).

    Parameters
    ----------
    output : callable
        ``f(A) -> (n_rows, n_outputs)``.
    background : ndarray of shape (n_background, n_features)
        Rows that the conditional distribution is learned from (numeric).
    weights : ndarray of shape (n_background,)
        Sum to one.
    groups : list of int arrays
        Columns of each player.
    sampler : {"gaussian", "empirical"} or callable, default="gaussian"
        A callable is called once per (row, coalition) as ``sampler(x_S, S, n, random_state)``
        with ``x_S`` the row's values on the sorted column indices ``S``, and returns ``n``
        (or fewer: more are refused, the working memory being sized by ``n``) samples: either
        the absent columns only, shape ``(n, n_features - len(S))`` in increasing column order,
        or whole rows ``(n, n_features)`` whose ``S`` columns are then overwritten by ``x_S``.
        ``random_state`` is a ``RandomState`` seeded from the game's seed, the row's values and
        the coalition (so a row draws the same samples whichever rows are explained with it).
    n_samples : int, default=100
        Conditional samples per (row, coalition): model rows per coalition value. For
        "empirical", the most background rows kept.
    bandwidth : float, default=0.1
        ``h`` of the empirical sampler's kernel (on the Mahalanobis scale).
    batch_size : int, default=50000
        Most rows per model call (a value with more samples is evaluated in several calls).
    random_state : int, RandomState or None
        Seeds the Gaussian draws (one standard-normal matrix shared by every row and coalition:
        common random numbers, which make differences of values less noisy) and the callable's.
    monte_carlo_groups : int, default=0
        With ``G > 1``, every value also comes as the means of ``G`` groups of its samples
        (sample ``i`` of a value in group ``i % G``, the same groups for every row and
        coalition, so common random numbers stay common): ``values`` then returns
        ``(n, m, (G + 1) n_outputs)``, the value first, then each group's, and an estimator
        linear in the values (all of them are) gives ``G`` replicate estimates whose spread is
        the Monte Carlo error of the conditional expectations (:func:`monte_carlo_error`).
    cast_columns : dict, default=None
        ``{column index: dtype}`` of the columns cast back to an integer or boolean dtype before
        the model sees a row (a DataFrame's): a callable's samples must keep their values
        through that cast, or the model would not get them.
    moments : tuple of ndarray, default=None
        ``(mean, covariance)`` of the data the background summarises (its own covariance, no
        ``n - 1``: the Gaussian draws from it as given), used instead of the
        background's weighted moments (a k-means background: its centres keep the data's mean
        but lose the within-cluster part of its covariance).
    empty_value : ndarray of shape (n_outputs,), default=None
        ``v(empty)``, the mean model output over the data the background summarises, used
        instead of the background's weighted mean (a k-means background under the Gaussian
        sampler, whose other coalitions use the data's moments: a non-linear model's mean over
        the centres is not its mean over the data).
    n_outputs : int, default=1
        The model's outputs per row: their predictions count in a call's memory.
    """

    def __init__(
        self,
        output,
        background,
        weights,
        groups,
        *,
        sampler="gaussian",
        n_samples=100,
        bandwidth=0.1,
        batch_size=50_000,
        random_state=None,
        monte_carlo_groups=0,
        cast_columns=None,
        moments=None,
        empty_value=None,
        n_outputs=1,
        column_names=None,
        background_sampled=True,
    ):
        background = np.asarray(background)
        if background.dtype.kind not in "biuf":
            raise ValueError(
                "game='conditional' needs numeric features: it models their joint distribution "
                f"(the background has dtype {background.dtype}; encode categorical columns first, or use "
                "game='interventional')."
            )
        background = background.astype(np.float64)
        _refuse_missing(background, "the background")
        self.output = output
        self.background = background
        self.weights = np.asarray(weights, dtype=np.float64)
        self.groups = groups
        self.sampler = sampler
        self.n_samples = int(n_samples)
        self.bandwidth = float(bandwidth)
        self.batch_size = int(batch_size)
        self.n_players = len(groups)
        self.n_features = background.shape[1]
        self.monte_carlo_groups = int(monte_carlo_groups)
        self.n_outputs = int(n_outputs)
        self.cast_columns = dict(cast_columns or {})
        # for the messages: the columns' names, and whether the background is a part of the
        # rows given to fit (more of them is then the advice)
        self.column_names = None if column_names is None else [str(c) for c in column_names]
        self.background_sampled = bool(background_sampled)
        self._col_player = np.empty(self.n_features, dtype=int)
        for p, cols in enumerate(groups):
            self._col_player[cols] = p
        if moments is None:
            self.mean_, self.covariance_ = _weighted_moments(self.background, self.weights)
        else:
            self.mean_, self.covariance_ = (np.array(m, dtype=np.float64) for m in moments)
        # A column constant on the background has a variance of rounding size (3e-30 for 200
        # rows of 5.0), not 0: on the correlation scale below it became a variable of unit
        # variance whose rounding-noise correlations moved the others' draws by 0.3 sd, and its
        # Mahalanobis term (1e30 off its value) drowned every other column's. Exactly 0 here,
        # also for a spread of a few ulps (0.3 and 0.1 + 0.2: x = 1.0 got values of 1e14).
        kept = background[self.weights > 0]
        constant = _constant_columns(kept)
        self._constant = constant
        # columns whose values mostly repeat (at least half the kept rows share theirs with
        # another row): a row's value there that no background row has is a combination the
        # background never saw, not a continuous value between others
        self._discrete = np.array([_mostly_repeated(kept[:, j]) for j in range(kept.shape[1])], dtype=bool)
        if np.any(constant):
            self.mean_[constant] = background[np.argmax(self.weights > 0), constant]
            self.covariance_[constant, :] = 0.0
            self.covariance_[:, constant] = 0.0
        # Covariances are inverted on the correlation scale: features in other units (1e5 and
        # 1e-3) put the small one's variance under the pseudo-inverse's cutoff, which dropped it
        # from every conditional (a feature independent of all got 0.32 where the truth is 0).
        sd = np.sqrt(np.clip(np.diag(self.covariance_), 0.0, None))
        self._scale = np.where(sd > 0, sd, 1.0)
        self._correlation = self.covariance_ / np.outer(self._scale, self._scale)
        self._seed = seed_from(random_state)
        if isinstance(sampler, str) and sampler == "gaussian":
            # Draws from the background's own covariance (covariance_: no n - 1; moment
            # matching), so that the Gaussian's mean output equals v(empty), the background's
            # mean output, for every model of degree at most two. The unbiased covariance put
            # sum_j var_j / n between them for f = sum_j x_j^2, which the values took (values
            # +- 1.96 std covered 0.45 on 20 background rows).
            self._normal = np.random.RandomState(self._seed).standard_normal((self.n_samples, self.n_features))
        if isinstance(sampler, str) and sampler == "empirical":
            # breaks ties between equally weighted rows (exact matches on discrete data) when
            # n_samples keeps only some of them: a seeded random subset, not the first rows
            # in the background's order (sorted data gave biased, order-dependent values)
            self._tie_rank = np.random.RandomState(self._seed).permutation(background.shape[0])
        self._v_empty = None if empty_value is None else np.array(empty_value, dtype=np.float64)
        self._said_few_samples = False  # warned once per game: one explain or transform

    def column_masks(self, masks):
        """Expand player masks ``(m, n_players)`` to column masks ``(m, n_features)``."""
        return np.asarray(masks, dtype=bool)[:, self._col_player]

    def _rows_per_value(self):
        if isinstance(self.sampler, str) and self.sampler == "empirical":
            return min(self.n_samples, self.background.shape[0])
        return self.n_samples

    # -- samplers: rows (t, n_features), the pair each row belongs to, and its weight --------
    def _gaussian(self, Xr, cmask, cache):
        S, R = np.flatnonzero(cmask), np.flatnonzero(~cmask)
        key = cmask.tobytes()
        if key not in cache:
            cache.clear()  # coalition-major calls: only the current coalition is needed again
            Cor, d = self._correlation, self._scale
            # a relative cutoff, as the empirical sampler's: a one-hot block's rounding-size
            # eigenvalue (1e-15) passed pinvh's default one at times, and its inverse (1e15) turned
            # rounding into a bias of up to 20 standard errors that no sample count reduced
            An = Cor[np.ix_(R, S)] @ pinvh(Cor[np.ix_(S, S)], rtol=1e-12)
            A = d[R, None] * An / d[None, S]
            C = Cor[np.ix_(R, R)] - An @ Cor[np.ix_(S, R)]  # conditional correlation scale
            # noise with covariance D_R C D_R, its square root taken on the correlation scale
            # (so rescaling a feature rescales its draws, and nothing else changes)
            cache[key] = (A, (self._normal[:, R] @ _sqrt_psd((C + C.T) / 2).T) * d[None, R])
        A, noise = cache[key]
        # row by row (einsum's own loop over a contiguous axis, not BLAS, whose result for a row
        # depends on the rows beside it): a row's values are the same alone and in a batch
        centred = np.ascontiguousarray(Xr[:, S] - self.mean_[S])
        mean = self.mean_[R] + np.einsum("qs,rs->qr", centred, np.ascontiguousarray(A), optimize=False)
        q, K = Xr.shape[0], self.n_samples
        block = np.repeat(Xr[:, None, :], K, axis=1)
        block[:, :, R] = mean[:, None, :] + noise[None, :, :]
        return block.reshape(q * K, -1), np.repeat(np.arange(q), K), np.full(q * K, 1.0 / K)

    def _empirical(self, Xr, cmask, cache):
        S = np.flatnonzero(cmask)
        key = cmask.tobytes()
        if key not in cache:
            flags = {k: cache[k] for k in ("tied rows cut", "unseen") if k in cache}
            cache.clear()
            cache.update(flags)
            e, V = eigh(self._correlation[np.ix_(S, S)])
            # Pseudo-inverse square root: directions without variance (duplicated or constant
            # columns) do not count in the distance.
            ok = e > 1e-12 * max(e.max(), 1e-300)
            inv_sqrt = V * np.where(ok, 1.0 / np.sqrt(np.where(ok, e, 1.0)), 0.0) / self._scale[S, None]
            # Divided by the directions that count (the rank), not |S|: a constant column in S
            # added nothing to the distance but widened the kernel by sqrt(|S| / (|S| - 1)), so
            # v(S + {c}) != v(S) and a column that is constant on the background (no information,
            # not read by the model) got -0.04 to 0.1 where the truth is 0; a copied column
            # likewise narrowed v({0, copy}) away from v({0}).
            cache[key] = (inv_sqrt, self.background[:, S] @ inv_sqrt, max(int(ok.sum()), 1))
        W, Bw, rank = cache[key]
        # column after column, the same sums for a row whatever the rows of the call (a matrix
        # product's, and einsum's for one row, depend on them: values moved by 1e-14 with
        # batch_size or when a row was explained alone)
        Xw = np.zeros((Xr.shape[0], W.shape[1]))
        for k, j in enumerate(S):
            Xw += Xr[:, j, None] * W[k]
        d2 = np.zeros((Xr.shape[0], Bw.shape[0]))
        with np.errstate(over="ignore"):
            for j in range(Bw.shape[1]):  # loop over |S| columns keeps memory at rows x background
                d2 += (Xw[:, j, None] - Bw[None, :, j]) ** 2
        far = ~np.isfinite(d2.min(axis=1))
        if far.any():
            # a row about 1e154 standard deviations from every background row: its distances
            # overflow (inf - inf below made NaN weights, and the reshape of the values failed).
            # Only its nearest rows count then, at any bandwidth: found on a rescaled difference.
            diff = Xw[far][:, None, :] - Bw[None, :, :]
            diff /= np.abs(diff).max(axis=(1, 2), keepdims=True)
            d2s = (diff**2).sum(axis=2)
            d2[far] = np.where(d2s <= d2s.min(axis=1, keepdims=True) * (1 + 1e-12), 0.0, np.inf)
        d2 /= rank
        # A column constant on the background adds nothing to the distance (no variance), so a
        # value it never holds (4 where every row has 5) showed no mismatch below: all rows were
        # used for a conditional the background leaves undefined, with nothing said.
        fixed = S[self._constant[S] & self._discrete[S]]  # not a 1-row background (fit warns)
        if len(fixed):
            value = self.mean_[fixed]
            tol = 16 * np.finfo(np.float64).eps * np.maximum(np.abs(value), np.abs(Xr[:, fixed]))
            off = (np.abs(Xr[:, fixed] - value) > tol).any(axis=0)  # ulps apart: one value
            if off.any():
                found = cache.setdefault("unseen", {"alone": set(), "together": None})
                found["alone"].update(int(j) for j in fixed[off])
        if len(S) and self._discrete[S].all():
            # no background row with the row's values on S (discrete columns): the nearest rows
            # stand in for a combination the background never saw (warned by values_parallel)
            # (an exact match is 0 up to the rounding of the two products above)
            unmatched = d2.min(axis=1) > 1e-9
            if unmatched.any():
                alone = [j for j in S if not np.isin(Xr[unmatched, j], self.background[:, j]).all()]
                found = cache.setdefault("unseen", {"alone": set(), "together": None})
                found["alone"].update(int(j) for j in alone)
                if not alone and found["together"] is None:
                    found["together"] = [int(j) for j in S]
        d2 -= d2.min(axis=1, keepdims=True)
        # d2 / h / h, not d2 / h**2: h**2 underflows to 0 below h ~ 1e-162 (0/0: NaN weights)
        # and overflows above h ~ 1e154; this way a tiny h keeps the nearest rows, a huge
        # one weighs all rows alike (the 95% prefix below still leaves the farthest out until
        # the weights are equal to rounding: documented in the user guide)
        with np.errstate(over="ignore"):
            w = self.weights[None, :] * np.exp(-(d2 / self.bandwidth) / self.bandwidth / 2.0)
        w /= w.sum(axis=1, keepdims=True)
        order = np.lexsort((np.broadcast_to(self._tie_rank, w.shape), -w), axis=-1)
        ws = np.take_along_axis(w, order, axis=1)
        # Smallest prefix holding EMPIRICAL_KEPT_WEIGHT of the weight, extended to rows tied
        # with its last one (exact matches weigh the same), at most n_samples rows.
        count = np.argmax(np.cumsum(ws, axis=1) >= EMPIRICAL_KEPT_WEIGHT * (1 - 1e-12), axis=1) + 1
        cut = ws[np.arange(len(ws)), count - 1]
        count = (ws >= cut[:, None] * (1 - 1e-9)).sum(axis=1)
        cap = self._rows_per_value()
        if (count > cap).any() and cap < ws.shape[1]:
            # rows tied by their values on S, or weighing the same to rounding; not rows within
            # 1e-9 of the last kept one's weight (two of 300,000 continuous rows, 7.6e-10 apart,
            # warned of exact matches that were not there: the heavier one is kept, no draw)
            B = self.background[:, S]
            same = (B[order[:, cap]] == B[order[:, cap - 1]]).all(axis=1)
            tied = (ws[:, cap] >= ws[:, cap - 1] * (1 - 1e-9)) & (same | (ws[:, cap] >= ws[:, cap - 1] * (1 - 1e-12)))
            # warned by values_parallel in the calling process: a joblib worker's warning only
            # reached its stderr (n_jobs=2: no warning a filter or pytest.warns could see)
            cache["tied rows cut"] = cache.get("tied rows cut", False) or bool((tied & (count > cap)).any())
        count = np.minimum(count, cap)
        keep = np.arange(ws.shape[1])[None, :] < count[:, None]
        pair, rank = np.nonzero(keep)
        bg_idx = order[pair, rank]
        wk = ws[pair, rank]
        wk = wk / np.bincount(pair, weights=wk, minlength=len(Xr))[pair]
        rows = np.where(cmask, Xr[pair], self.background[bg_idx])
        return rows, pair, wk

    def _callable(self, Xr, cmask, row_ids, cache):
        S = np.flatnonzero(cmask)
        R = np.flatnonzero(~cmask)
        key = int.from_bytes(np.packbits(cmask).tobytes(), "little")
        rows, pairs = [], []
        for i, (x, r) in enumerate(zip(Xr, row_ids, strict=True)):
            # seeded by the row's values, not its position: explaining X[2:3] or X gives row 2
            # the same draws (Anchors seed the same way)
            row_key = int.from_bytes(
                hashlib.blake2b(np.ascontiguousarray(x).tobytes(), digest_size=8).digest(), "little"
            )
            seq = np.random.SeedSequence([self._seed, row_key, key])
            seed = seq.generate_state(1)[0]
            rng = np.random.RandomState(seed)
            # the first call of each coalition in a task is watched (a snapshot costs about 40
            # us, which every call of a cheap sampler paid; a sampler may draw from a
            # process-wide generator for some coalitions only)
            watched = cache.setdefault("watched coalitions", set())
            watch = not cache.get("global draws", False) and key not in watched
            before = global_generator_marks() if watch else None
            out = self.sampler(x[S].copy(), S.copy(), self.n_samples, rng)
            if watch:
                watched.add(key)
                if global_generator_marks() != before:
                    cache["global draws"] = True  # said once by values_parallel, also from workers
            out = _host(out)
            if not cache.get("repeat checked", False):
                # once per task, called again with the same seed: a sampler drawing from a
                # generator of its own (np.random.default_rng() unseeded) passed the process-wide
                # check, and its values changed at every run with nothing said
                cache["repeat checked"] = True
                try:
                    again = _host(self.sampler(x[S].copy(), S.copy(), self.n_samples, np.random.RandomState(seed)))
                except Exception:  # a call the user never asked for must not fail theirs
                    again = out
                if not cache.get("global draws", False) and not _same_samples(out, again):
                    cache["own draws"] = True
            try:
                draw = np.asarray(out)
                complex_values = draw.dtype.kind == "c"  # a cast would drop the imaginary part
                draw = draw.astype(np.float64, copy=False) if not complex_values else draw
            except (TypeError, ValueError) as exc:  # strings, ragged lists, None rows
                raise ValueError(
                    f"conditional_sampler returned {type(out).__name__} that is not a numeric array "
                    f"({exc}); expected (n, {len(R)}) samples of the absent columns or "
                    f"(n, {self.n_features}) whole rows."
                ) from exc
            if complex_values:
                raise ValueError("conditional_sampler returned complex values; it must return real samples.")
            if draw.ndim == 2 and draw.shape[0] == 0:
                # "returned shape (0, 2); expected (n, 2)" read as if the shape were right
                raise ValueError(
                    f"conditional_sampler returned no samples (shape {draw.shape}) given the columns "
                    f"{S.tolist()} (row {int(r)}); it must return at least 1 and at most n={self.n_samples}."
                )
            if draw.ndim != 2 or draw.shape[1] not in (len(R), self.n_features):
                raise ValueError(
                    f"conditional_sampler returned shape {draw.shape}; expected (n, {len(R)}) samples of the "
                    f"absent columns or (n, {self.n_features}) whole rows."
                )
            if draw.shape[0] > self.n_samples:
                # the calls are sized by n: 400 n rows per value ran past 2.7 GB, unrefused
                raise ValueError(
                    f"conditional_sampler returned {draw.shape[0]} samples where n={self.n_samples} were asked "
                    "(n_conditional_samples): the working memory is sized by n. Return at most n samples, or "
                    "raise n_conditional_samples."
                )
            filled = draw if draw.shape[1] == len(R) else draw[:, R]
            if not np.isfinite(filled).all():
                # a model that accepts NaN (histogram boosting) would average them silently
                raise ValueError(
                    f"conditional_sampler returned NaN or inf for the absent columns {R.tolist()} "
                    f"given the columns {S.tolist()} (row {int(r)}); it must return finite samples."
                )
            for pos, j in enumerate(R):
                dtype = self.cast_columns.get(int(j))
                if dtype is not None and not np.array_equal(
                    filled[:, pos].astype(dtype).astype(np.float64), filled[:, pos]
                ):
                    raise ValueError(
                        f"conditional_sampler returned values for column {int(j)} that its dtype {dtype} "
                        f"cannot hold (e.g. {float(filled[0, pos])}): every row is cast back to the "
                        "fitted DataFrame's dtypes before the model sees it, so it would not get "
                        "these samples. Return values of the column's dtype (whole numbers, 0/1)."
                    )
            block = np.repeat(x[None, :], draw.shape[0], axis=0)
            block[:, R] = filled
            rows.append(block)
            pairs.append(np.full(draw.shape[0], i))
        pair = np.concatenate(pairs)
        counts = np.bincount(pair, minlength=len(Xr))
        return np.concatenate(rows), pair, 1.0 / counts[pair]

    # -- evaluation -------------------------------------------------------------------------
    def _calls(self, n, m):
        """Ranges of the flat (coalition, row) index, coalition-major, each <= batch_size rows,
        and at most the values whose samples (drawn, joined, with their pair indices and
        weights) and predictions (weighted, float64) fit in the working memory, whatever
        batch_size: at batch_size=10**12 one block grew past 3.5 GB at a 512 MiB bound."""
        per_value = max(1, self._rows_per_value())
        outputs = getattr(self, "n_outputs", 1)  # (games pickled before it: one)
        most = most_within_working_memory(8 * per_value * (3 * max(self.n_features, 1) + 3 * outputs + 2))
        return row_aligned_calls(n, m, max(1, min(self.batch_size // per_value, most)))

    def _run_calls(self, X, cmasks, calls, checked=None):
        """Coalition values of ``calls``. ``checked``: a dict shared by the tasks run one after
        another in the calling process, so that a callable sampler is called again (the check
        for a generator of its own) once per call, not once per task (with ``verbose`` every
        model call is a task)."""
        n = X.shape[0]
        cache, out = {"repeat checked": bool(checked and checked.get("repeat checked"))}, []
        few = False  # a value with fewer samples than Monte Carlo groups: its error is unknown
        for start, stop in calls:
            rows, pairs, weights, n_pairs = [], [], [], 0
            for c in range(start // n, (stop - 1) // n + 1):
                r0, r1 = max(start, c * n) - c * n, min(stop, (c + 1) * n) - c * n
                Xr = X[r0:r1]
                if callable(self.sampler):
                    blk, pair, w = self._callable(Xr, cmasks[c], np.arange(r0, r1), cache)
                elif self.sampler == "empirical":
                    blk, pair, w = self._empirical(Xr, cmasks[c], cache)
                else:
                    blk, pair, w = self._gaussian(Xr, cmasks[c], cache)
                rows.append(blk)
                pairs.append(pair + n_pairs)
                weights.append(w)
                n_pairs += r1 - r0
            rows = np.concatenate(rows)
            # a value's samples past batch_size (n_conditional_samples > batch_size) go to the
            # model in several calls: batch_size is the most rows per call, as documented (one
            # call took all 1,000,000 samples of a value at batch_size=1000)
            pred = output_in_calls(self.output, rows, self.batch_size)
            pair, w = np.concatenate(pairs), np.concatenate(weights)
            starts = np.flatnonzero(np.r_[True, pair[1:] != pair[:-1]])
            mean = np.add.reduceat(pred * w[:, None], starts, axis=0)
            if self.monte_carlo_groups > 1:
                few = few or bool(np.diff(np.r_[starts, len(pair)]).min() < self.monte_carlo_groups)
                mean = np.hstack([mean, self._group_means(pred, pair, w, starts, n_pairs)])
            out.append(mean)
        if checked is not None:  # (the Gaussian and empirical samplers clear the cache as they go)
            checked["repeat checked"] = cache.get("repeat checked", False)
        # said by values_parallel in the calling process: a joblib worker's warning only reached
        # its stderr
        flags = _CallFlags(
            cache.get("tied rows cut", False),
            cache.get("unseen"),
            cache.get("global draws", False),
            few,
            cache.get("own draws", False),
        )
        return np.concatenate(out, axis=0), flags

    def _unseen_message(self, found):
        """The warning of explained rows whose values on discrete columns the background lacks:
        every column holding a value no background row has, by name, else the first columns
        whose values no row has together (the first coalition met had been named, by position)."""
        alone = sorted(set().union(*(u["alone"] for u in found)))
        together = next((u["together"] for u in found if u["together"] is not None), None)
        names = self.column_names

        def named(cols):
            return [names[j] if names is not None else j for j in cols]

        if alone:
            what = f"values on discrete column(s) {named(alone)} that no background row has"
        else:
            what = f"values on discrete columns {named(together)} that no background row has together"
        advice = (
            "Keep more background rows (max_background=None), or use conditional_sampler='gaussian'."
            if self.background_sampled
            else "The background holds every row given to fit: fit on more data, or use conditional_sampler='gaussian'."
        )
        return (
            f"conditional_sampler='empirical': an explained row takes {what}: its conditional "
            "expectations there come from the nearest background rows, a stand-in that std does not "
            f"show. {advice}"
        )

    def _few_samples_message(self):
        """The warning of values with fewer samples than Monte Carlo groups (std inf): too low an
        ``n_conditional_samples``, or a callable that returned fewer samples than asked."""
        G = self.monte_carlo_groups
        if self.n_samples < G:
            cause = f"n_conditional_samples={self.n_samples} is fewer than"
            advice = f"Use n_conditional_samples >= {G}"
        else:
            cause = "conditional_sampler returned, for some values, fewer samples than"
            advice = f"Return at least {G} samples (n={self.n_samples} are asked)"
        return (
            f"{cause} the {G} groups the conditional game's Monte Carlo error is estimated from: "
            f"the std of those values is reported as inf (unknown). {advice} for error bars."
        )

    def _group_means(self, pred, pair, w, starts, n_pairs):
        """Each value's mean over each group of its samples ``(n_pairs, G * n_outputs)``;
        NaN where a group holds no sample (fewer samples than groups)."""
        G, k = self.monte_carlo_groups, pred.shape[1]
        rank = np.arange(len(pair)) - np.repeat(starts, np.diff(np.r_[starts, len(pair)]))
        cell = pair * G + rank % G
        sums = np.zeros((n_pairs * G, k))
        np.add.at(sums, cell, pred * w[:, None])
        mass = np.bincount(cell, weights=w, minlength=n_pairs * G)
        with np.errstate(invalid="ignore", divide="ignore"):
            means = sums / mass[:, None]
        means[mass == 0] = np.nan
        return means.reshape(n_pairs, G * k)

    def _empty_value(self):
        if self._v_empty is None:
            self._v_empty = self.weights @ output_in_calls(self.output, self.background, self.batch_size)
        return self._v_empty

    def _constant_coalitions_are_empty(self, X, mid, middle, values, v0):
        """A coalition of columns constant on the background, which the row shares, tells
        nothing: its value is ``v(empty)`` exactly. Sampled, it took a random subset of the tied
        rows (empirical: -0.10 for a column the model never reads, with 300 rows kept at 100) or
        the Gaussian's draws instead of the background."""
        if not self._constant.any():
            return
        pure = ~(mid & ~self._constant).any(axis=1)
        for c in np.flatnonzero(pure):
            S = np.flatnonzero(mid[c])
            shared = (X[:, S] == self.mean_[S]).all(axis=1)
            values[shared, middle[c]] = v0

    def values(self, X, masks):
        """Values ``(n, m, n_outputs)`` of coalitions ``masks`` (m, n_players) for each row of X."""
        return self.values_parallel(X, masks)

    def values_parallel(self, X, masks, n_jobs=None, verbose=0):
        """Values ``(n, m, n_outputs)``, the model calls spread over joblib workers."""
        X = np.asarray(X, dtype=np.float64)
        _refuse_missing(X, "X")
        cmasks = self.column_masks(masks)
        n, m = X.shape[0], cmasks.shape[0]
        n_cols = cmasks.sum(axis=1)
        empty, full = n_cols == 0, n_cols == self.n_features
        middle = np.flatnonzero(~empty & ~full)
        copies = self.monte_carlo_groups + 1 if self.monte_carlo_groups > 1 else 1
        v0 = np.tile(self._empty_value(), copies)  # v(empty) and f(x) have no sampling error
        values = np.empty((n, m, v0.shape[0]))
        values[:, empty] = v0
        if full.any():
            fx = output_in_calls(self.output, X, self.batch_size)
            values[:, full] = np.tile(fx, copies)[:, None, :]
        if len(middle) and n:
            mid = cmasks[middle]
            calls = self._calls(n, len(middle))
            workers = effective_n_jobs(n_jobs)  # None: 1, or a parallel_config's
            if workers == 1 or len(calls) == 1:
                from skxai._progress import closing_progress

                groups = [[c] for c in calls] if verbose else [calls]
                with closing_progress(groups, verbose=verbose, desc="explaining", unit="call") as bar:
                    checked = {}
                    parts = [self._run_calls(X, mid, g, checked) for g in bar]
            else:
                groups = [g.tolist() for g in np.array_split(np.asarray(calls), min(len(calls), 4 * workers))]
                # the game (model, background) shipped once per worker under joblib's Dask backend
                # and kept across calls, not pickled with every task as a bound method's self
                tasks = [(X, mid, g) for g in groups]
                parts = map_shared(ConditionalGame._run_calls, self, tasks, n_jobs=n_jobs, verbose=verbose)
            values[:, middle] = (
                np.concatenate([v for v, _ in parts], axis=0).reshape(len(middle), n, -1).transpose(1, 0, 2)
            )
            self._constant_coalitions_are_empty(X, mid, middle, values, v0)
            found = [f.unseen for _, f in parts if f.unseen is not None]
            if found:
                warn_at_caller(self._unseen_message(found), UserWarning)
            if any(f.few_samples for _, f in parts) and not self._said_few_samples:
                # once per game (one explain or transform, whose coalitions may come in several
                # calls): fit warns only of n_conditional_samples as fitted, and a callable's
                # short returns or a lower setting after fit gave inf std with nothing said
                self._said_few_samples = True
                warn_at_caller(self._few_samples_message(), UserWarning)
            if any(f.global_draws for _, f in parts):
                # its draws, and so the values, change at every run whatever random_state is
                warn_at_caller(
                    "conditional_sampler drew from a process-wide generator (np.random.*, Python's "
                    "random, torch's global generator): the values change at every run whatever "
                    "random_state is, and differ between n_jobs settings. Draw from the "
                    "random_state (a seeded RandomState) it is given.",
                    UserWarning,
                )
            elif any(f.own_draws for _, f in parts):
                warn_at_caller(
                    "conditional_sampler returned other samples when called again with the same "
                    "random_state: it draws from a generator of its own (np.random.default_rng() "
                    "without a seed, a model's own sampler), so the values change at every run "
                    "whatever random_state is, and differ between n_jobs settings. Draw from the "
                    "random_state (a seeded RandomState) it is given.",
                    UserWarning,
                )
            if any(f.tied_rows_cut for _, f in parts):
                warn_at_caller(
                    # one message per setting (no counts), so that it is shown once, not per call
                    f"conditional_sampler='empirical' kept n_conditional_samples={self._rows_per_value()} of "
                    "more background rows that weigh the same (exact matches on S, common with discrete "
                    "features): the values average a random subset of "
                    "them, with a sampling error that std does not report. Raise "
                    "n_conditional_samples to keep them all.",
                    UserWarning,
                )
        return values


def _host(out):
    """A sampler's return as numpy can read it: a torch tensor from a generative model is
    detached and moved to the CPU (np.asarray refuses one that requires grad or lives on a GPU:
    "Can't call numpy() on Tensor that requires grad")."""
    if hasattr(out, "detach") and hasattr(out, "cpu"):
        return out.detach().cpu()
    return out


def _same_samples(a, b):
    """Whether two returns of a sampler called with the same seed hold the same samples, as the
    game reads them (float64; NaN where NaN: whole rows hold NaN in the given columns, and a bad
    return is refused later, with its own message)."""
    try:
        a, b = np.asarray(a), np.asarray(b)
        if a.shape != b.shape:
            return False
        if a.dtype.kind != "c" and b.dtype.kind != "c":  # (complex returns are refused later)
            a, b = a.astype(np.float64), b.astype(np.float64)
            return bool(np.array_equal(a, b, equal_nan=True))
        return bool(np.array_equal(a, b))
    except (TypeError, ValueError):  # ragged or non-numeric returns: refused later
        return True


def _is_gaussian(sampler):
    return isinstance(sampler, str) and sampler == "gaussian"


def _check_same_v_empty(explainer, sampler):
    """Warn when a sampler set after ``fit`` has another v(empty) than ``expected_value_``.

    On a k-means background the Gaussian sampler's v(empty) is the model's mean over the rows
    given to ``fit``, the others' the centres' mean. A switch between them after ``fit`` is
    taken (the game uses its own v(empty), which ``base_values`` report), but
    ``expected_value_`` is still the fitted sampler's (a review, session 25)."""
    if not hasattr(explainer, "_conditional_empty_sampler"):
        return
    fitted = explainer._conditional_empty_sampler
    if _is_gaussian(fitted) != _is_gaussian(sampler):
        name = lambda s: repr(s) if isinstance(s, str) else "a callable"  # noqa: E731
        warn_at_caller(
            f"conditional_sampler was {name(fitted)} at fit and is {name(sampler)} now, on "
            "background='kmeans': the Gaussian sampler's v(empty) is the model's mean over the rows "
            "given to fit, the other samplers' the k-means centres' mean. The values and base_values "
            "use this sampler's; expected_value_ is still the fitted one's. Fit again for it to match.",
            UserWarning,
        )


def _mostly_repeated(column):
    """Whether at least half the values of ``column`` occur more than once in it."""
    if not len(column):
        return False
    _, counts = np.unique(column, return_counts=True)
    return bool(counts[counts > 1].sum() >= 0.5 * len(column))


def explainer_game(explainer):
    """The coalition game a model-agnostic Shapley explainer asked for with its ``game`` parameter.

    ``"interventional"`` (default): the explainer's own background game. ``"conditional"``: a
    :class:`ConditionalGame` on the fitted background, configured by ``conditional_sampler``,
    ``n_conditional_samples`` and ``bandwidth``, seeded from ``random_state``.
    """
    params = {name: getattr(explainer, name) for name in GAME_PARAMETER_CONSTRAINTS if hasattr(explainer, name)}
    validate_parameter_constraints(
        {k: v for k, v in GAME_PARAMETER_CONSTRAINTS.items() if k in params},
        params,
        caller_name=type(explainer).__name__,
    )
    if params.get("game", "interventional") == "interventional":
        return explainer._game()
    sampler = params.get("conditional_sampler", "gaussian")
    cast = _checked_cast_columns(explainer, sampler)
    _check_same_v_empty(explainer, sampler)
    return ConditionalGame(
        explainer.output_,
        explainer.background_,
        explainer.background_weights_,
        explainer.groups_,
        sampler=sampler,
        n_samples=params.get("n_conditional_samples", 100),
        bandwidth=params.get("bandwidth", 0.1),
        batch_size=explainer.batch_size or 50_000,
        random_state=explainer._seed(),
        cast_columns=cast,
        moments=getattr(explainer, "_conditional_moments", None)
        if isinstance(sampler, str) and sampler == "gaussian"
        else None,
        empty_value=getattr(explainer, "_conditional_empty", None)
        if isinstance(sampler, str) and sampler == "gaussian"
        else None,
        # the empirical sampler's values are weighted means over the background, not draws
        monte_carlo_groups=0 if isinstance(sampler, str) and sampler == "empirical" else MONTE_CARLO_GROUPS,
        n_outputs=getattr(explainer, "n_outputs_", 1),
        column_names=getattr(explainer, "feature_names_in_", None),
        # rows dropped at fit (a sample, or k-means centres, of more rows): more of them helps
        background_sampled=getattr(explainer, "_drew_background", True),
    )


#: The conditional game's parameters and their defaults: set away from them where they have no
#: effect, they are warned about at fit.
_CONDITIONAL_DEFAULTS = {"conditional_sampler": "gaussian", "n_conditional_samples": 100, "bandwidth": 0.1}


def _is_default(value, default):
    if isinstance(value, str) or isinstance(default, str):
        return isinstance(value, str) and isinstance(default, str) and value == default
    # a callable sampler never is; bools are refused by the constraints
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and value == default


def check_game_at_fit(explainer, X=None):
    """The game parameters' checks that need the fitted schema, made at ``fit``.

    With ``X`` (the fitted rows as an array), the conditional game on a k-means background
    learns the mean and covariance of ``X`` (``explainer._conditional_moments``, for the Gaussian
    sampler, also when it is chosen after fit): the centres' weighted covariance is the
    between-cluster part only (on correlated data a correlation of 0.91 became 0.99, and a
    linear model's values were 1.5 off the closed form, largest 3.2). ``game`` itself is a
    fit-time parameter of the explainers (``_fit_time_params``): set to "conditional" after a
    fit with "interventional", none of this had been done, and transform used the centres.

    Refuses the Gaussian sampler on a DataFrame's integer or boolean columns (it was accepted
    at ``fit`` and refused at every ``transform``), and warns about conditional parameters set
    where they have no effect (with ``game="interventional"``, or ``bandwidth`` with another
    sampler than "empirical"): a callable sampler given without ``game="conditional"`` was
    silently never called.
    """
    for learned in ("_conditional_moments", "_conditional_empty", "_conditional_empty_sampler"):
        if hasattr(explainer, learned):
            delattr(explainer, learned)  # a refit learns them anew
    if getattr(explainer, "game", "interventional") != "conditional":
        unused = [
            name
            for name, default in _CONDITIONAL_DEFAULTS.items()
            if hasattr(explainer, name) and not _is_default(getattr(explainer, name), default)
        ]
        if unused:
            warn_at_caller(
                f"{', '.join(f'{name}={getattr(explainer, name)!r}' for name in unused)} "
                f"{'has' if len(unused) == 1 else 'have'} no effect with game='interventional': "
                f"{'it sets' if len(unused) == 1 else 'they set'} the conditional game. Pass "
                f"game='conditional' to use {'it' if len(unused) == 1 else 'them'}.",
                UserWarning,
            )
        return
    sampler = getattr(explainer, "conditional_sampler", "gaussian")
    empirical = isinstance(sampler, str) and sampler == "empirical"
    bandwidth = getattr(explainer, "bandwidth", 0.1)
    if not empirical and not _is_default(bandwidth, 0.1):
        name = f"conditional_sampler={sampler!r}" if isinstance(sampler, str) else "a callable conditional_sampler"
        warn_at_caller(
            f"bandwidth={bandwidth!r} has no effect with {name}: it is the "
            "kernel width of conditional_sampler='empirical'.",
            UserWarning,
        )
    n_samples = getattr(explainer, "n_conditional_samples", MONTE_CARLO_GROUPS)
    if not empirical and isinstance(n_samples, numbers.Integral) and n_samples < MONTE_CARLO_GROUPS:
        # documented, and said where it happens (an outside audit found the infs unannounced)
        warn_at_caller(
            f"n_conditional_samples={n_samples} is fewer than the {MONTE_CARLO_GROUPS} groups the "
            "conditional game's Monte Carlo error is estimated from: std is reported as inf "
            f"(unknown). Use n_conditional_samples >= {MONTE_CARLO_GROUPS} for error bars.",
            UserWarning,
        )
    background = getattr(explainer, "background_", None)
    if background is not None and background.dtype.kind not in "biuf":
        # at fit: a table with a string or categorical column was accepted here and refused
        # by every transform and explain
        schema = getattr(explainer, "_schema", None)
        _refuse_non_numeric(
            background,
            getattr(explainer, "feature_names_in_", None),
            schema.dtypes if schema is not None and schema.is_frame else None,
        )
    if background is not None and background.dtype.kind in "f":
        _refuse_missing(background, "the background")  # at fit, not at the first transform
    if background is not None:
        n, p = background.shape
        # learned whatever the sampler: conditional_sampler may be set to "gaussian" after fit
        # (game may not: it is a fit-time parameter), and it then used the centres' covariance
        if (
            X is not None
            and getattr(explainer, "background", "sample") == "kmeans"
            and len(X) > n
            and background.dtype.kind in "biuf"
        ):
            Xf = np.asarray(X, dtype=np.float64)
            _refuse_missing(Xf, "the data")
            # the rows' own moments, as _weighted_moments (v(empty) is their mean output)
            explainer._conditional_moments = (Xf.mean(axis=0), np.cov(Xf, rowvar=False, bias=True).reshape(p, p))
            # v(empty) = E[f(X)] over the data too, not over the centres: they lack the
            # within-cluster spread, and a non-linear model's mean over them is another number
            # (f = sum x_j^2 on 3 standard normals: 2.05 against 2.91), whose gap went into every
            # value (0.29 each, 20 std) while the other coalitions used the data's moments
            # (the Gaussian sampler's only: the empirical sampler's other coalitions average the
            # centres, and v(empty) over the data put their gap into a feature the model never
            # reads, -0.25 where the truth is 0; learned whatever the sampler, which may be set
            # to "gaussian" after fit)
            explainer._conditional_empty = _mean_output(explainer, X)
            explainer._conditional_empty_sampler = sampler
            if isinstance(sampler, str) and sampler == "gaussian":
                explainer.expected_value_ = explainer._conditional_empty
            n = len(Xf)
        if n < 2:
            # one row holds no dependence between features: every sampler's draws are that row,
            # and the game is the interventional one against it (the empirical sampler said
            # nothing, the Gaussian spoke of a covariance's rank)
            warn_at_caller(
                "game='conditional' on a background of 1 row: a single row holds no dependence "
                "between the features to condition on, so every coalition is completed by that row "
                "and the values are the interventional game's. Give a background of many rows "
                "(max_background, or fit on more data).",
                UserWarning,
            )
        elif isinstance(sampler, str) and sampler == "gaussian" and n <= p:
            # every x off the background's affine hull then conditions on a direction without
            # variance: its draws have no spread (std 0) and its values depend on how the
            # singular covariance is inverted, not on the data
            warn_at_caller(
                f"conditional_sampler='gaussian' learns the covariance of {p} features from {n} "
                f"background rows: its rank is at most {n - 1} < {p}, so the conditional draws of "
                "most coalitions have no spread and their values are not determined by the data "
                "(std does not show it). Raise max_background above n_features, merge features "
                "with feature_groups, or use conditional_sampler='empirical'.",
                UserWarning,
            )
        elif isinstance(sampler, str) and sampler == "gaussian" and background.dtype.kind in "biuf":
            _warn_nearly_collinear(explainer, background)
    _checked_cast_columns(explainer, sampler)
    if (
        background is not None
        and isinstance(sampler, str)
        and sampler == "gaussian"
        and background.dtype.kind in "biuf"
    ):
        _warn_discrete_gaussian(explainer, background if X is None else X)


#: Condition number of the background's correlation matrix above which the Gaussian sampler
#: warns: breast_cancer's 30 features (radius, perimeter and area among them) have 1e5; two
#: columns equal up to noise of 1e-4 of their spread have about 1e8, and a row 1 off their
#: relation got values of 16 (noise 1e-3), 1,400 (1e-5) and 2e5 (1e-7) from a linear model with
#: coefficients of at most 2.
COLLINEAR_CONDITION = 1e8


#: Distinct values up to which a column whose values mostly repeat is taken for codes (a
#: category, a count, a flag) that the Gaussian sampler's real-valued draws fall between.
DISCRETE_MAX_VALUES = 20


def _warn_discrete_gaussian(explainer, data):
    """Warn when the Gaussian sampler draws real values for columns of a few repeated values.

    A DataFrame's integer columns are refused (:func:`_checked_cast_columns`); integer arrays
    and float-coded categories were not, and their draws (-2.29 for a category of 0..3) went to
    the model: a one-hot encoder refused them with a message about unknown categories, or
    ignored them and the values were off with nothing said."""
    data = np.asarray(data)
    names = getattr(explainer, "feature_names_in_", None)
    coded = []
    constant = _constant_columns(data.astype(np.float64))  # the game takes them for constant
    for j in np.flatnonzero(~constant):
        column = np.asarray(data[:, j], dtype=np.float64)
        if len(np.unique(column)) <= DISCRETE_MAX_VALUES and _mostly_repeated(column):
            coded.append(str(names[j]) if names is not None else f"x{j}")
    if coded:
        warn_at_caller(
            f"conditional_sampler='gaussian' draws real values, but the columns {coded[:10]} take "
            f"at most {DISCRETE_MAX_VALUES} distinct values in the fitted data (codes, counts or "
            "flags): the model gets values between them that it never saw, and their conditional "
            "distributions are not normal, so the values and std describe another game. Use "
            "conditional_sampler='empirical' (it keeps real background rows), or a callable "
            "that draws valid values.",
            UserWarning,
        )


def _mean_output(explainer, X):
    """The model's mean output over the rows ``X``, in calls of the explainer's batch size."""
    return output_in_calls(explainer.output_, X, explainer._game_batch_size()).mean(axis=0)


def _constant_columns(A):
    """Columns of ``A`` constant up to a few ulps of their largest magnitude (0.3 and 0.1 + 0.2
    are one value)."""
    return np.ptp(A, axis=0) <= 16 * np.finfo(np.float64).eps * np.abs(A).max(axis=0)


def _warn_nearly_collinear(explainer, background):
    """Warn when the Gaussian sampler's correlation matrix is nearly singular, naming the
    features of its flattest direction: a row off their relation conditions on a direction of
    almost no variance, and its draws (so its values) become extreme while std stays small."""
    moments = getattr(explainer, "_conditional_moments", None)
    if moments is not None:
        cov = np.asarray(moments[1], dtype=np.float64)
    else:
        weights = getattr(explainer, "background_weights_", None)
        if weights is None:
            weights = np.full(len(background), 1.0 / len(background))
        cov = _weighted_moments(np.asarray(background, dtype=np.float64), np.asarray(weights, dtype=np.float64))[1]
    sd = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    keep = np.flatnonzero(sd > 1e-12 * max(float(sd.max(initial=0.0)), np.finfo(np.float64).tiny))
    if len(keep) < 2:
        return
    corr = cov[np.ix_(keep, keep)] / np.outer(sd[keep], sd[keep])
    e, V = np.linalg.eigh(corr)
    flat = e < e[-1] / COLLINEAR_CONDITION
    if not flat.any():
        return
    direction = _flat_across_players(corr, V[:, flat], e[-1] / COLLINEAR_CONDITION, keep, explainer)
    if direction is None:
        return
    condition = e[-1] / max(float(direction @ corr @ direction), np.finfo(np.float64).tiny)
    loading = np.abs(direction)
    names = getattr(explainer, "feature_names_in_", None)
    # the five largest loadings, listed in column order: equal loadings (exactly collinear
    # columns) came in an order set by the eigen-solver's rounding ("x1, x0" on some machines)
    top = [keep[i] for i in np.argsort(-np.round(loading, 12), kind="stable") if loading[i] >= 0.2][:5]
    involved = sorted(top)
    listed = ", ".join(str(names[j]) if names is not None else f"x{j}" for j in involved)
    warn_at_caller(
        f"conditional_sampler='gaussian': the background's correlation matrix is nearly singular "
        f"(condition number {condition:.1e}; nearly collinear: {listed}). A row off their relation "
        "conditions on a direction of almost no variance, so its conditional draws, and its "
        "values, become extreme while std stays small. Merge those features with feature_groups, "
        "drop one of them, or use conditional_sampler='empirical'.",
        UserWarning,
    )


def _flat_across_players(corr, flat, threshold, keep, explainer):
    """The flattest direction of the correlation matrix ``corr`` (of the columns ``keep``) that
    no player holds alone, or None.

    A direction within one player's columns (a one-hot block merged by ``feature_groups``, whose
    columns sum to one) is never split by a coalition: the Gaussian sampler conditions on all of
    it or none, and a row is never off it. ``flat`` holds the directions of variance under
    ``threshold``; those of each player's own correlation block are taken out of them, and the
    flattest of what is left is returned (unit norm)."""
    inside = []
    position = {c: i for i, c in enumerate(keep)}
    for cols in getattr(explainer, "groups_", None) or []:
        idx = [position[c] for c in np.atleast_1d(cols) if c in position]
        if len(idx) < 2:
            continue
        eg, Vg = np.linalg.eigh(corr[np.ix_(idx, idx)])
        for v in Vg[:, eg < threshold].T:
            full = np.zeros(len(keep))
            full[idx] = v
            inside.append(full)
    rest = flat
    if inside:
        Q = np.linalg.qr(np.column_stack(inside))[0]
        rest = flat - Q @ (Q.T @ flat)
    U, sv, _ = np.linalg.svd(rest, full_matrices=False)
    if not len(sv) or sv[0] < 1e-6:
        return None  # every flat direction lies within one player
    left = U[:, sv >= 1e-6]
    # the flattest direction of what is left
    ev, W = np.linalg.eigh(left.T @ corr @ left)
    return left @ W[:, 0]


def _refuse_non_numeric(background, names=None, dtypes=None):
    """The game's refusal of a background that is not numeric, naming the columns that are not
    (with a DataFrame's ``dtypes``, also a categorical column of numeric categories, which casts
    to float but holds codes of categories)."""
    from skxai._data import _numpy_dtype  # pandas' nullable Int64 / boolean: their numpy dtype

    bad = []
    for j in range(background.shape[1]):
        try:
            np.asarray(background[:, j], dtype=np.float64)
            numeric = dtypes is None or _numpy_dtype(dtypes.iloc[j]).kind in "biuf"
        except (TypeError, ValueError):
            numeric = False
        if not numeric:
            bad.append(str(names[j]) if names is not None else j)
    columns = f"the columns {bad[:10]} are not numeric" if bad else f"the background has dtype {background.dtype}"
    raise ValueError(
        f"game='conditional' needs numeric features: it models their joint distribution ({columns}; "
        "encode categorical columns first, or use game='interventional')."
    )


def _checked_cast_columns(explainer, sampler):
    """:func:`_cast_columns`, refused for the Gaussian sampler (its draws would be truncated)."""
    cast = _cast_columns(explainer)
    if cast and isinstance(sampler, str) and sampler == "gaussian":
        raise ValueError(
            "conditional_sampler='gaussian' draws real values, but the columns "
            f"{[str(explainer._schema.columns[j]) for j in cast][:10]} of the fitted DataFrame have "
            "integer or boolean dtypes, "
            "and every row is cast back to them before the model sees it (0.7 becomes 0 or True): "
            "the model would not get the conditional samples. Use conditional_sampler='empirical' "
            "(it keeps real background rows), a callable that draws valid values, or cast those "
            "columns to float if the model accepts real values."
        )
    return cast


def _cast_columns(explainer):
    """``{column index: dtype}`` of the columns of a fitted DataFrame that are cast back to an
    integer or boolean dtype before every model call (perturbed rows are float arrays until then)."""
    schema = getattr(explainer, "_schema", None)
    if schema is None or not schema.is_frame or not schema.numeric or schema.all_float:
        return {}  # non-numeric tables are refused by the game itself
    from skxai._data import _numpy_dtype  # pandas' nullable Int64 / boolean: their numpy dtype

    return {j: _numpy_dtype(d) for j, d in enumerate(schema.dtypes) if _numpy_dtype(d).kind != "f"}


def monte_carlo_error(game, phi, base, std):
    """An estimate made on ``game``, with the Monte Carlo error of its conditional values.

    With :attr:`ConditionalGame.monte_carlo_groups` ``G > 1`` the game's outputs come ``G + 1``
    times (the values, then each group of samples' values), and so do the estimate's: ``phi``
    ``(n, p, (G + 1) k)``. The estimators are linear in the values, so the ``G`` replicate
    estimates average to the estimate, and their spread over ``sqrt(G)`` is its Monte Carlo
    error (``G - 1`` degrees of freedom, the same samples grouped alike for every row and
    coalition, so the common random numbers' correlations are kept). It is added in quadrature
    to the coalition-sampling error ``std`` (None or zeros for exact enumeration): without it a
    constant feature's value (0.16 where the truth is 0, 100 samples) was reported with an error
    of zero. A value some group had no sample for (fewer samples than groups) has an unknown
    error (inf), which :meth:`ConditionalGame.values_parallel` warns of.

    Returns ``phi``, ``base`` and ``std`` of the ``k`` outputs; anything else is returned as is.
    """
    G = getattr(game, "monte_carlo_groups", 0)
    if G <= 1:
        return phi, base, std
    from skxai._estimate import output_scale, t_inflation

    k = phi.shape[-1] // (G + 1)
    replicates = phi[..., k:].reshape(phi.shape[:-1] + (G, k))
    # squared below: a row's output of 1e160 is brought near 1 by a power of two first (exact;
    # 1 for ordinary magnitudes), or its error was inf (and 1e-160's lost digits to underflow)
    scale = output_scale(replicates, axis=tuple(range(1, replicates.ndim - 1)))
    scale = scale.reshape(scale.shape[:1] + (1,) * (phi.ndim - 2) + scale.shape[1:])
    with np.errstate(invalid="ignore"):
        mc = np.sqrt((replicates / scale[..., None, :]).var(axis=-2, ddof=1) / G) * t_inflation(G - 1)
    mc = np.where(np.isfinite(mc), mc, np.inf)
    total = mc if std is None else np.sqrt((np.asarray(std)[..., :k] / scale) ** 2 + mc**2)
    return phi[..., :k], base[..., :k], total * scale


def game_extras(game, extras):
    """``extras`` with ``game="conditional"`` and ``conditional_sampler`` (its name, or
    ``"callable"``) for the conditional game, and ``std_rows_correlated=True`` where the values' Monte Carlo errors come
    from draws that every row shares (the Gaussian sampler's one standard-normal matrix), so
    that a summary over rows cannot take them as independent (BarDisplay's error bars were
    sqrt(n) too small for a linear model, whose rows then share one error)."""
    sampler = getattr(game, "sampler", None)
    extras = dict(extras or {})
    if isinstance(game, ConditionalGame):
        # which game the values answer, kept with them (figures and saved explanations of the
        # two games read alike: the same fields, the same titles)
        extras["game"] = "conditional"
        extras["conditional_sampler"] = sampler if isinstance(sampler, str) else "callable"
    if getattr(game, "monte_carlo_groups", 0) > 1 and isinstance(sampler, str) and sampler == "gaussian":
        extras["std_rows_correlated"] = True
    return extras


def monte_carlo_view(game):
    """``(phi, std) -> (phi, std)`` of the outputs with the Monte Carlo error added (what an
    early stop on ``tol`` must check: more coalitions never remove that error)."""

    def view(phi, std):
        phi, _, std = monte_carlo_error(game, phi, phi, std)
        return phi, std

    return view


def game_working_bytes(explainer):
    """``(fixed, copies)`` of an explainer's game: the bytes the conditional game holds (its
    standard-normal matrix, one value's samples in a model call, with their copies) and how many
    times each coalition value comes (``G + 1`` with Monte Carlo groups); ``(0, 1)`` for the
    interventional game."""
    if getattr(explainer, "game", "interventional") != "conditional":
        return 0, 1
    sampler = getattr(explainer, "conditional_sampler", "gaussian")
    empirical = isinstance(sampler, str) and sampler == "empirical"
    K = int(getattr(explainer, "n_conditional_samples", 100))
    if empirical:
        K = min(K, len(explainer.background_))
    # per sample: the standard-normal matrix, the noise, the rows and their copy (4 floats per
    # feature); its pair, weight, group and their work arrays (6 numbers) and the model's outputs with their
    # weighted copy (3 per output). Without the last two the estimate was half the measured
    # peak on 2 features (64 of 136 bytes a sample), and 4 GiB settings could take 8.
    fixed = K * (4 * explainer.n_features_in_ + 6 + 3 * explainer.n_outputs_) * 8
    return fixed, 1 if empirical else MONTE_CARLO_GROUPS + 1
