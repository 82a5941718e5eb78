"""Tests written against mutants of the coalition games and Shapley regression (issue 17, second wave).

Every reference is a closed form, a brute-force enumeration written here, or a hand-worked
number; none comes from the code under test.
"""

import os
import re

import numpy as np
import pytest

from skxai._games._background import BackgroundGame, all_coalitions


def _sum_model(A):
    A = np.asarray(A, dtype=float)
    return np.stack([A[:, 0] * A[:, 1] + A[:, 2], np.sin(A[:, 1]) - A[:, 2] ** 2], axis=1)


def _brute_background(f, X, B, w, groups, masks):
    """v_x(S) = sum_b w_b f(x_S, b_rest), one model row at a time."""
    out = np.zeros((len(X), len(masks), 2))
    for i, x in enumerate(X):
        for c, s in enumerate(masks):
            for b, wb in zip(B, w, strict=True):
                z = b.copy()
                for p, on in enumerate(s):
                    if on:
                        z[groups[p]] = x[groups[p]]
                out[i, c] += wb * f(z[None, :])[0]
    return out


def _small_game(f=_sum_model, batch_size=2):
    rng = np.random.RandomState(7)
    B = rng.normal(size=(2, 3))
    w = np.array([0.25, 0.75])
    groups = [np.array([0]), np.array([1, 2])]
    return BackgroundGame(f, B, w, groups, batch_size=batch_size), B, w, groups, rng.normal(size=(5, 3))


# -- skxai/_games/_background.py ---------------------------------------------------------------

def test_game_exposes_its_players():
    # the game interface (shared with the image and conditional games): its players and their count
    game, _, _, groups, _ = _small_game()
    assert game.n_players == 2
    assert game.groups is groups


@pytest.mark.parametrize("n_masks", [1, 3])
def test_parallel_game_ships_every_row_a_worker_needs(n_masks):
    # batch_size=2 over 2 background rows: one (row, coalition) pair per call, so the split among
    # workers can end a task right after a row's first coalition; that row must be shipped too.
    game, B, w, groups, X = _small_game(batch_size=2)
    masks = np.array([[True, False], [False, True], [True, True]])[:n_masks]
    v = game.values_parallel(X, masks, n_jobs=2)
    np.testing.assert_allclose(v, _brute_background(_sum_model, X, B, w, groups, masks), atol=1e-12)


def test_parallel_game_runs_the_model_in_worker_processes():
    main = os.getpid()

    def elsewhere(A):
        assert os.getpid() != main, "n_jobs=2 ran the model in the calling process"
        return _sum_model(A)

    game, B, w, groups, X = _small_game(elsewhere)
    masks = all_coalitions(2)
    v = game.values_parallel(X, masks, n_jobs=2)
    np.testing.assert_allclose(v, _brute_background(_sum_model, X, B, w, groups, masks), atol=1e-12)
    # two calls (one row, 4 coalitions, 2 of them a call with 2 background rows): still the workers'
    game, B, w, groups, X = _small_game(elsewhere, batch_size=4)
    v = game.values_parallel(X[:1], masks, n_jobs=2)
    np.testing.assert_allclose(v, _brute_background(_sum_model, X[:1], B, w, groups, masks), atol=1e-12)


def test_game_is_quiet_unless_verbose(capfd):
    game, _, _, _, X = _small_game()
    game.values(X, all_coalitions(2))
    game.values_parallel(X, all_coalitions(2), n_jobs=2)
    assert capfd.readouterr().err == ""
    game.values_parallel(X, all_coalitions(2), n_jobs=2, verbose=1)  # joblib reports the workers' progress
    assert "Parallel(n_jobs=2)" in capfd.readouterr().err
    game.values_parallel(X, all_coalitions(2), verbose=1)  # the serial path shows a bar of model calls
    err = capfd.readouterr().err
    # 5 rows x 4 coalitions, one (row, coalition) pair per call with 2 background rows: 20 calls
    assert re.search(r"explaining: .*\| \d+/20 \[.*call/s", err), err


# -- skxai/_games/_conditional.py --------------------------------------------------------------

from itertools import combinations  # noqa: E402

from skxai import ExactShapleyExplainer  # noqa: E402
from skxai._games._conditional import ConditionalGame, _sqrt_psd  # noqa: E402
from skxai.utils._param_validation import InvalidParameterError  # noqa: E402


def _discrete(n=40, seed=0):
    rng = np.random.RandomState(seed)
    x0 = rng.randint(0, 3, size=n)
    x1 = np.where(rng.rand(n) < 0.7, x0, rng.randint(0, 3, size=n))
    x2 = (x0 + x1 + rng.randint(0, 2, size=n)) % 3
    return np.column_stack([x0, x1, x2]).astype(float)


def _f3(A):
    A = np.asarray(A, dtype=float)
    return np.stack([A[:, 0] * A[:, 1] + np.sin(A[:, 2]), A[:, 0] ** 2 - A[:, 1] * A[:, 2]], axis=1)


def _singletons(p):
    return [np.array([j]) for j in range(p)]


def test_gaussian_moments_are_numpys_weighted_mean_and_covariance():
    rng = np.random.RandomState(0)
    B = rng.normal(size=(6, 3))
    w = rng.dirichlet(np.ones(6))
    game = ConditionalGame(_f3, B, w, _singletons(3))
    np.testing.assert_allclose(game.mean_, np.average(B, axis=0, weights=w), atol=1e-14)
    # the background's own covariance (bias=True, no n - 1): the unbiased one made the empirical
    # sampler's distances depend on the row count (session 37)
    np.testing.assert_allclose(game.covariance_, np.cov(B.T, aweights=w, bias=True), atol=1e-13)


def test_gaussian_game_on_one_background_row_is_that_row():
    # One row of weight 1: zero covariance (no 0/0), the conditional law is the row itself.
    b = np.array([0.5, -1.0, 2.0])
    game = ConditionalGame(_f3, b[None], np.ones(1), _singletons(3), n_samples=4, random_state=0)
    np.testing.assert_array_equal(game.covariance_, np.zeros((3, 3)))
    x = np.array([[1.0, 2.0, 3.0]])
    masks = all_coalitions(3)
    expected = np.stack([_f3(np.where(s, x[0], b)[None])[0] for s in masks])
    np.testing.assert_allclose(game.values(x, masks)[0], expected, atol=1e-12)


def test_square_root_of_a_covariance():
    rng = np.random.RandomState(1)
    V = np.linalg.qr(rng.normal(size=(4, 4)))[0]
    for e in ([3.0, 1.0, 0.5, 0.0], [2.0, 1.0, 0.0, -1e-15]):  # rank-deficient, rounding below zero
        C = (V * e) @ V.T
        L = _sqrt_psd(C)
        assert np.isfinite(L).all()
        np.testing.assert_allclose(L @ L.T, (V * np.clip(e, 0, None)) @ V.T, atol=1e-12)


def test_non_numeric_background_is_refused_and_booleans_and_integers_are_not():
    msg = ("game='conditional' needs numeric features: it models their joint distribution (the background has "
           "dtype <U1; encode categorical columns first, or use game='interventional').")
    with pytest.raises(ValueError, match=f"^{__import__('re').escape(msg)}$"):
        ConditionalGame(_f3, np.array([["a", "b", "c"]]), np.ones(1), _singletons(3))
    x = np.array([[1.0, 0.0, 1.0]])
    for B in (np.array([[True, False, True], [False, True, True]]), np.array([[1, 0, 1], [0, 1, 1]], dtype=np.int64),
              np.array([[1, 0, 1], [0, 1, 1]], dtype=np.uint8)):
        game = ConditionalGame(_f3, B, np.full(2, 0.5), _singletons(3), sampler="empirical", bandwidth=1e-3)
        masks = np.array([[True, False, False]])  # x0 = 1 matches background row 0 only
        np.testing.assert_allclose(game.values(x, masks)[0, 0], _f3(np.array([[1.0, 0.0, 1.0]]))[0], atol=1e-12)


def _exact_conditional(f, B, x, s):
    """E[f(X) | X_S = x_S] under the empirical (uniform) law of the rows of B."""
    match = np.all(B[:, s] == x[s], axis=1)
    rows = B[match].copy()
    rows[:, s] = x[s]
    return f(rows).mean(axis=0)


@pytest.mark.parametrize("batch_size", [1, 45, 100, 10**5])
@pytest.mark.parametrize("n_jobs", [None, 2])
def test_empirical_game_is_the_exact_conditional_expectation_for_any_batch(batch_size, n_jobs):
    B = _discrete()
    X = B[[0, 3, 8, 21, 33]]
    sizes = []

    def f(A):
        sizes.append(len(A))
        return _f3(A)

    game = ConditionalGame(f, B, np.full(len(B), 1 / len(B)), _singletons(3), sampler="empirical",
                           n_samples=len(B), bandwidth=1e-3, batch_size=batch_size)
    masks = all_coalitions(3)
    v = game.values_parallel(X, masks, n_jobs=n_jobs)
    expected = np.array([[_exact_conditional(_f3, B, x, s) for s in masks] for x in X])
    np.testing.assert_allclose(v, expected, atol=1e-12)
    if n_jobs is None:
        # at least one coalition value (at most 40 kept rows) per call, else at most batch_size rows
        assert max(sizes) <= max(batch_size, 40)


def _empirical_reference(f, B, w, x, S, h, n_samples):
    """shapr's empirical value: kernel on the pseudo-inverse Mahalanobis distance over |S|,
    |S| counting the directions with variance (a copied column adds no distance, nor |S|)."""
    # the background's own covariance (bias=True): the unbiased one made the kernel's width
    # depend on the row count, not on the distribution alone (session 37)
    cov = np.cov(B.T, aweights=w, bias=True)[np.ix_(S, S)]
    diff = B[:, S] - x[S]
    rank = max(np.linalg.matrix_rank(cov, rtol=1e-10, hermitian=True), 1)
    d2 = np.einsum("bi,ij,bj->b", diff, np.linalg.pinv(cov, rcond=1e-10, hermitian=True), diff) / rank
    k = w * np.exp(-(d2 - d2.min()) / (2 * h**2))
    k /= k.sum()
    order = np.argsort(-k, kind="stable")
    prefix = np.searchsorted(np.cumsum(k[order]), 0.95 * (1 - 1e-12)) + 1
    cut = k[order][prefix - 1]
    keep = [b for b in order if k[b] >= cut * (1 - 1e-9)][:n_samples]
    rows = B[keep].copy()
    rows[:, S] = x[S]
    return f(rows).T @ k[keep] / k[keep].sum()


@pytest.mark.parametrize("n_samples, scale", [(3, 1.0), (30, 1.0), (30, 1e3), (30, 1e-7)])
def test_empirical_sampler_keeps_the_heaviest_rows_with_a_singular_covariance(n_samples, scale):
    # the distance is scale-free: the direction without variance is dropped relative to the
    # largest variance, for data in thousands as for data in ten-millionths
    rng = np.random.RandomState(2)
    B = scale * rng.normal(size=(30, 3))
    B = np.column_stack([B, B[:, 0]])  # column 3 duplicates column 0: singular covariance
    w = rng.dirichlet(np.ones(30))
    x = B[4] + 0.3 * scale

    def f(A):
        return _f3((A[:, [0, 1, 2]] + A[:, [3, 3, 3]]) / scale)

    h = 0.5
    game = ConditionalGame(f, B, w, _singletons(4), sampler="empirical", n_samples=n_samples, bandwidth=h)
    masks = np.array([s for s in all_coalitions(4) if 0 < s.sum() < 4])
    v = game.values(x[None], masks)[0]
    for c, s in enumerate(masks):
        np.testing.assert_allclose(v[c], _empirical_reference(f, B, w, x, np.flatnonzero(s), h, n_samples),
                                   atol=1e-10)


def test_empirical_sampler_with_a_tiny_bandwidth_takes_the_nearest_row():
    # No background row matches x: all kernels underflow unless taken relative to the nearest row.
    rng = np.random.RandomState(3)
    B = rng.normal(size=(25, 3))
    # Two rows at different distances from their nearest rows: each row's kernel is relative to its own.
    X = np.stack([B[7] + np.array([0.01, 0.0, -0.02]), B[3] + np.array([0.4, -0.3, 0.2])])
    game = ConditionalGame(_f3, B, np.full(25, 1 / 25), _singletons(3), sampler="empirical", bandwidth=1e-4)
    masks = np.array([[True, False, False], [True, True, False]])
    v = game.values(X, masks)
    assert np.isfinite(v).all()
    for i, x in enumerate(X):
        for c, s in enumerate(masks):
            S = np.flatnonzero(s)
            inv = np.linalg.inv(np.cov(B.T)[np.ix_(S, S)])
            diff = B[:, S] - x[S]
            nearest = np.argmin(np.einsum("bi,ij,bj->b", diff, inv, diff))
            np.testing.assert_allclose(v[i, c], _f3(np.where(s, x, B[nearest])[None])[0], atol=1e-12)


def test_empty_and_full_coalitions_need_no_sampler():
    rng = np.random.RandomState(4)
    B = rng.normal(size=(7, 3))
    w = rng.dirichlet(np.ones(7))
    X = rng.normal(size=(5, 3))
    sizes = []

    def f(A):
        sizes.append(len(A))
        return _f3(A)

    def never(*args):
        raise AssertionError("the sampler was called for the empty or the full coalition")

    game = ConditionalGame(f, B, w, _singletons(3), sampler=never, batch_size=2)
    v = game.values(X, np.array([[False] * 3, [True] * 3]))
    np.testing.assert_allclose(v[:, 0], np.tile(w @ _f3(B), (5, 1)), atol=1e-12)  # v(empty) = sum_b w_b f(b)
    np.testing.assert_allclose(v[:, 1], _f3(X), atol=1e-12)  # v(all) = f(x)
    assert max(sizes) == 2 and sum(sizes) == 7 + 5


@pytest.mark.parametrize("whole_rows", [False, True])
@pytest.mark.parametrize("batch_size", [1, 10**5])
def test_callable_sampler_values_are_the_mean_over_its_draws(whole_rows, batch_size):
    rng = np.random.RandomState(5)
    B = rng.normal(size=(6, 3))
    X = rng.normal(size=(3, 3))

    def draws(x_S, S):
        # 1 + |S| draws of the absent columns, depending on x_S (a 1-draw sampler included)
        R = [j for j in range(3) if j not in S]
        return np.array([[x_S.sum() * (k + 1) + j for j in R] for k in range(len(S))])

    def sampler(x_S, S, n, random_state):
        d = draws(x_S, S)
        if not whole_rows:
            return d
        full = np.full((len(d), 3), 99.0)  # the S columns are overwritten by x_S
        full[:, [j for j in range(3) if j not in S]] = d
        return full

    game = ConditionalGame(_f3, B, np.full(6, 1 / 6), _singletons(3), sampler=sampler, n_samples=5,
                           batch_size=batch_size)
    masks = np.array([s for s in all_coalitions(3) if 0 < s.sum() < 3])
    v = game.values(X, masks)
    for i, x in enumerate(X):
        for c, s in enumerate(masks):
            S = np.flatnonzero(s)
            rows = np.tile(x, (len(S), 1))
            rows[:, ~s] = draws(x[S], S)
            np.testing.assert_allclose(v[i, c], _f3(rows).mean(axis=0), atol=1e-12)


def test_callable_sampler_gets_its_own_stream_per_row_and_coalition():
    B = _discrete(20)
    X = np.unique(B, axis=0)[:3]  # three different rows (a row's stream follows its values)
    assert len(X) == 3
    firsts = []

    def sampler(x_S, S, n, random_state):
        firsts.append(random_state.randint(2**31))
        return random_state.normal(size=(n, 3 - len(S)))

    masks = np.array([s for s in all_coalitions(3) if 0 < s.sum() < 3])
    one = ConditionalGame(_f3, B, np.full(20, 1 / 20), _singletons(3), sampler=sampler, n_samples=4,
                          batch_size=1, random_state=0).values(X, masks)
    # the task's first call is made twice with the same seed (the check for a sampler's own
    # unseeded generator): the same first draw, then one stream per (row, coalition)
    assert firsts[0] == firsts[1]
    del firsts[1]
    assert len(firsts) == len(set(firsts)) == 3 * 6
    big = ConditionalGame(_f3, B, np.full(20, 1 / 20), _singletons(3), sampler=sampler, n_samples=4,
                          batch_size=10**5, random_state=0).values(X, masks)
    np.testing.assert_array_equal(one, big)  # the streams do not depend on how the calls are cut
    firsts.clear()
    twice = np.repeat(X[:1], 2, axis=0)  # the same row twice: the same stream, wherever it sits
    ConditionalGame(_f3, B, np.full(20, 1 / 20), _singletons(3), sampler=sampler, n_samples=4,
                    random_state=0).values(twice, masks)
    assert len(firsts) == 12 + 1 and len(set(firsts)) == 6


@pytest.mark.parametrize("bad", ["1d", "empty", "wide"])
def test_callable_sampler_of_the_wrong_shape_is_refused(bad):
    def sampler(x_S, S, n, random_state):
        return {"1d": np.zeros(n), "empty": np.zeros((0, 3 - len(S))), "wide": np.zeros((n, 4))}[bad]

    game = ConditionalGame(_f3, _discrete(10), np.full(10, 0.1), _singletons(3), sampler=sampler, n_samples=2)
    shape = {"1d": "(2,)", "empty": r"\(0, 2\)", "wide": r"\(2, 4\)"}[bad]
    shape = shape if bad != "1d" else r"\(2,\)"
    message = (rf"^conditional_sampler returned shape {shape}; expected \(n, 2\) samples "
               r"of the absent columns or \(n, 3\) whole rows\.$")
    if bad == "empty":  # "shape (0, 2); expected (n, 2)" read as if the shape were right (session 37)
        message = (r"^conditional_sampler returned no samples \(shape \(0, 2\)\) given the columns \[0\] "
                   r"\(row 0\); it must return at least 1 and at most n=2\.$")
    with pytest.raises(ValueError, match=message):
        game.values(np.zeros((1, 3)), np.array([[True, False, False]]))


@pytest.mark.parametrize("batch_size, per_call_rows", [(25, [20]), (9, [9, 1]), (10, [10])])
def test_gaussian_calls_hold_whole_coalition_values_within_the_batch(batch_size, per_call_rows):
    B = _discrete(30) + np.random.RandomState(6).normal(scale=0.2, size=(30, 3))
    sizes = []

    def f(A):
        sizes.append(len(A))
        return _f3(A)

    game = ConditionalGame(f, B, np.full(30, 1 / 30), _singletons(3), n_samples=10, batch_size=batch_size,
                           random_state=0)
    game.values(B[:3], np.array([s for s in all_coalitions(3) if 0 < s.sum() < 3]))
    # v(empty): the 30 background rows in calls of batch_size; then 3 rows x 6 coalitions of 10
    # samples each: batch // 10 values per call, or one value's samples in calls of batch_size
    background = [min(batch_size, 30 - s) for s in range(0, 30, batch_size)]
    assert sizes == background + per_call_rows * (180 // sum(per_call_rows))


def test_conditional_game_runs_in_workers_and_is_quiet_unless_verbose(capfd):
    main, armed = os.getpid(), [False]

    def elsewhere(A):
        if armed[0] and os.getpid() == main:
            raise AssertionError("n_jobs=2 ran the model in the calling process")
        return _f3(A)

    B = _discrete(20)
    masks = np.array([s for s in all_coalitions(3) if 0 < s.sum() < 3])
    game = ConditionalGame(elsewhere, B, np.full(20, 1 / 20), _singletons(3), n_samples=10, batch_size=10,
                           random_state=0)
    game._empty_value()  # v(empty) is computed once, in the calling process
    armed[0] = True
    par = game.values_parallel(B[:4], masks, n_jobs=2)
    assert capfd.readouterr().err == ""
    # two calls (two rows, one coalition value each) still go to the workers
    two = game.values_parallel(B[:2], masks[:1], n_jobs=2)
    np.testing.assert_array_equal(two, par[:2, :1])
    ConditionalGame(_f3, B, np.full(20, 1 / 20), _singletons(3), n_samples=10, batch_size=10,
                    random_state=0).values(B[:4], masks)
    assert capfd.readouterr().err == ""
    game.values_parallel(B[:4], masks, n_jobs=2, verbose=1)
    assert "Parallel(n_jobs=2)" in capfd.readouterr().err
    serial = ConditionalGame(_f3, B, np.full(20, 1 / 20), _singletons(3), n_samples=10, batch_size=10,
                             random_state=0).values_parallel(B[:4], masks, verbose=1)
    err = capfd.readouterr().err
    # one step per model call: 4 rows x 6 coalitions, one value (10 rows) per call
    assert err.startswith("\rexplaining:") and "/24 [" in err and re.search(r"[?\d]call/s", err)
    np.testing.assert_array_equal(par, serial)


def test_game_parameters_set_after_fit_are_checked_when_explaining():
    B = _discrete(20)
    est = ExactShapleyExplainer(lambda A: _f3(A)[:, 0], game="conditional", max_background=None).fit(B)
    est.set_params(bandwidth=-1.0)
    with pytest.raises(InvalidParameterError, match="bandwidth"):
        est.transform(B[:1])


def test_explainer_passes_its_conditional_settings_to_the_game():
    B = _discrete(40)
    x = B[[0, 5]]
    kw = {"game": "conditional", "conditional_sampler": "empirical", "max_background": None}
    # bandwidth 1e-3 and every row: the exact conditional game; n_conditional_samples=1: the single heaviest row
    exact = ExactShapleyExplainer(lambda A: _f3(A)[:, 0], bandwidth=1e-3, n_conditional_samples=40, **kw).fit(B)
    game_values = {S: np.array([_exact_conditional(_f3, B, r, list(S))[0] for r in x])
                   for k in range(4) for S in combinations(range(3), k)}
    phi = np.zeros((2, 3))
    from math import factorial
    for j in range(3):
        others = [i for i in range(3) if i != j]
        for k in range(3):
            for S in combinations(others, k):
                wS = factorial(k) * factorial(3 - k - 1) / factorial(3)
                phi[:, j] += wS * (game_values[tuple(sorted(S + (j,)))] - game_values[S])
    np.testing.assert_allclose(exact.transform(x), phi, atol=1e-10)
    one = ExactShapleyExplainer(lambda A: _f3(A)[:, 0], bandwidth=1e-3, n_conditional_samples=1, **kw).fit(B)
    assert np.abs(one.transform(x) - phi).max() > 1e-3


# -- skxai/shapley/_regression.py --------------------------------------------------------------


from sklearn.base import BaseEstimator, RegressorMixin  # noqa: E402
from sklearn.decomposition import PCA  # noqa: E402
from sklearn.frozen import FrozenEstimator  # noqa: E402
from sklearn.linear_model import LinearRegression  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402

from skxai import ShapleyRegressionExplainer, shapley_values  # noqa: E402


def _ls_prediction(Xtr, y, Xte, w=None):
    """Least squares with an intercept from the normal equations (weighted when w is given)."""
    A = np.column_stack([np.ones(len(Xtr)), Xtr])
    w = np.ones(len(Xtr)) if w is None else w
    beta = np.linalg.solve(A.T @ (w[:, None] * A), A.T @ (w * y))
    return np.column_stack([np.ones(len(Xte)), Xte]) @ beta


def _regression_data(n=40, p=4, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, p))
    y = X @ rng.normal(size=p) + 0.5 * X[:, 0] * X[:, 1] + 0.1 * rng.normal(size=n)
    return X, y


def test_regression_players_are_feature_groups():
    X, y = _regression_data()
    groups = [[0, 2], [1], [3]]
    est = ShapleyRegressionExplainer(LinearRegression(), feature_groups=groups).fit(X, y)
    x = X[:3]

    def v(S):  # retrain on the union of the groups' columns; the empty coalition is the mean of y
        out = []
        for s in S:
            cols = sorted(c for p, on in enumerate(s) if on for c in groups[p])
            out.append(_ls_prediction(X[:, cols], y, x[:, cols]) if cols else np.full(len(x), y.mean()))
        return np.stack(out)

    expected = np.stack([shapley_values(lambda S, i=i: v(S)[:, i], 3) for i in range(3)])
    np.testing.assert_allclose(est.transform(x), expected, atol=1e-9)


def test_regression_limit_on_players_and_its_message():
    X, y = _regression_data(p=11)
    ShapleyRegressionExplainer(LinearRegression(), max_features=3).fit(X[:, :3], y)  # p == max_features: allowed
    ShapleyRegressionExplainer(LinearRegression()).fit(X[:, :10], y)  # default 10
    with pytest.raises(ValueError, match=r"^ShapleyRegressionExplainer trains 2\*\*11 models; 11 players exceed "
                       r"max_features=10\.$"):
        ShapleyRegressionExplainer(LinearRegression()).fit(X, y)


def test_regression_failed_subset_fit_names_the_subset():
    X, y = _regression_data(p=3)
    est = ShapleyRegressionExplainer(make_pipeline(PCA(2), LinearRegression()))
    with pytest.raises(ValueError) as info:
        est.fit(X, y)
    msg = str(info.value)
    assert re.fullmatch(
        r"ShapleyRegressionExplainer retrains the model on every subset of the features, and fitting Pipeline on "
        r"the subset \['x0'\] \(1 of 3 columns\) failed: .+ Use a model that can be trained on any number of "
        r"columns \(no step that needs a fixed width, such as PCA\(n_components=k\)\), or another explainer\.",
        msg, flags=re.S), msg
    assert isinstance(info.value.__cause__, ValueError) and str(info.value.__cause__) in msg


def test_regression_slices_string_columns_and_needs_y():
    # a string column was refused ("needs numeric features"); the frame is sliced by name, and
    # the pipeline trains on every sub-frame (tests/shapley/test_regression_non_numeric_frames.py)
    pd = pytest.importorskip("pandas")
    from sklearn.compose import make_column_selector, make_column_transformer
    from sklearn.preprocessing import OneHotEncoder

    X, y = _regression_data(p=2)
    df = pd.DataFrame({"a": X[:, 0], "b": np.where(X[:, 1] > 0, "u", "v")})
    strings = make_column_selector(dtype_include=object)
    model = make_pipeline(make_column_transformer((OneHotEncoder(), strings), remainder="passthrough"),
                          LinearRegression())
    ex = ShapleyRegressionExplainer(model).fit(df, y)
    np.testing.assert_allclose(ex.transform(df[:4]).sum(axis=1), ex.estimator_.predict(df[:4]) - ex.expected_value_[0],
                               atol=1e-10)
    with pytest.raises(ValueError, match=r"^ShapleyRegressionExplainer\.fit needs y \(it retrains the model\)\.$"):
        ShapleyRegressionExplainer(LinearRegression()).fit(X)


def test_regression_fit_params_reach_every_subset_model():
    X, y = _regression_data(p=3)
    w = np.random.RandomState(1).uniform(0.1, 3.0, size=len(X))
    est = ShapleyRegressionExplainer(LinearRegression()).fit(X, y, sample_weight=w)
    np.testing.assert_allclose(est.predict(X[:4]), _ls_prediction(X, y, X[:4], w), atol=1e-9)
    # the subset models are trained with them too, and the empty coalition is the weighted mean:
    # the values add up to the weighted model's predictions
    np.testing.assert_allclose(est.explain(X[:4]).values.sum(axis=1)[:, 0] + np.average(y, weights=w),
                               _ls_prediction(X, y, X[:4], w), atol=1e-9)


def test_regression_retrains_a_frozen_model():
    X, y = _regression_data(p=3)
    other = LinearRegression().fit(X, -y)  # frozen on other targets: the explainer retrains it on y
    # said, not silent (audit34a): the frozen model is not the one explained
    with pytest.warns(UserWarning, match="FrozenEstimator is not the model explained"):
        est = ShapleyRegressionExplainer(FrozenEstimator(other)).fit(X, y)
    np.testing.assert_allclose(est.predict(X[:4]), _ls_prediction(X, y, X[:4]), atol=1e-9)
    np.testing.assert_allclose(est.transform(X[:4]).sum(axis=1) + y.mean(), _ls_prediction(X, y, X[:4]), atol=1e-9)


def test_regression_trains_the_subsets_in_workers_and_is_quiet_unless_verbose(capfd):
    main = os.getpid()

    class Checked(BaseEstimator, RegressorMixin):
        def __init__(self, full_width=3):
            self.full_width = full_width

        def fit(self, X, y):
            if X.shape[1] < self.full_width:
                assert os.getpid() != main, "n_jobs=2 trained the subset models in the calling process"
            self.model_ = LinearRegression().fit(X, y)
            return self

        def predict(self, X):
            return self.model_.predict(X)

    X, y = _regression_data(p=3)
    ShapleyRegressionExplainer(Checked(), n_jobs=2).fit(X, y)
    ShapleyRegressionExplainer(LinearRegression()).fit(X, y)
    assert capfd.readouterr().err == ""
    ShapleyRegressionExplainer(LinearRegression(), verbose=1).fit(X, y)
    assert "Parallel" in capfd.readouterr().err


def test_regression_decision_function_explains_from_the_constant_fit():
    from sklearn.linear_model import LogisticRegression

    X, y = _regression_data(n=80, p=3)
    y = (y > np.median(y) + 0.3).astype(int)
    est = ShapleyRegressionExplainer(LogisticRegression(), response_method="decision_function").fit(X, y)
    exp = est.explain(X[:3])
    p = y.mean()  # logistic regression on a constant column: the log-odds of the prior
    np.testing.assert_allclose(exp.base_values[:, 0], np.log(p / (1 - p)), atol=1e-4)
    full = LogisticRegression().fit(X, y).decision_function(X[:3])
    np.testing.assert_allclose(exp.values[:, :, 0].sum(axis=1) + exp.base_values[:, 0], full, atol=1e-6)



def test_regression_outlier_detector_explains_from_its_own_constant_fit():
    # Neither a classifier nor a regressor: its decision function keeps the model's own fit on the
    # constant column (documented), not the training mean of y. An isolation tree cannot split a
    # constant column, so each tree is one leaf of psi samples: path length c(psi), anomaly score
    # 2**-(c(psi) / c(psi)) = 0.5, and decision_function = -score - offset_ = -0.5 + 0.5 = 0.
    from sklearn.ensemble import IsolationForest

    X, y = _regression_data(n=60, p=2)
    y = y + 5.0  # far from 0
    est = ShapleyRegressionExplainer(IsolationForest(n_estimators=20, random_state=0)).fit(X, y)
    np.testing.assert_allclose(est.expected_value_, [0.0], atol=1e-12)
    exp = est.explain(X[:3])
    np.testing.assert_allclose(exp.base_values[:, 0], 0.0, atol=1e-12)
    full = IsolationForest(n_estimators=20, random_state=0).fit(X).decision_function(X[:3])
    np.testing.assert_allclose(exp.values[:, :, 0].sum(axis=1), full, atol=1e-12)

# -- the conditional game's call sizes and the empirical sampler's ties (mutH) ----------------------
def _sized_game(sampler, n_samples, batch_size, n_background=10):
    rng = np.random.RandomState(8)
    B = rng.normal(size=(n_background, 3))
    sizes = []

    def f(A):
        sizes.append(len(A))
        return _f3(A)

    game = ConditionalGame(f, B, np.full(n_background, 1 / n_background), _singletons(3), sampler=sampler,
                           n_samples=n_samples, batch_size=batch_size, random_state=0)
    masks = np.array([s for s in all_coalitions(3) if 0 < s.sum() < 3])  # 6 coalitions
    game.values(rng.normal(size=(4, 3)), masks)
    return sizes


def test_conditional_calls_are_sized_by_the_rows_each_value_needs():
    # Gaussian, 50 samples per value, 10 background rows, batch 100: 2 values (100 rows) per call,
    # whatever the background size; 4 rows x 6 coalitions in 4 x 3 calls
    assert _sized_game("gaussian", 50, 100) == [10] + [100] * 12
    # one sample per value, batch 6: the 6 coalitions of a row in one call of 6 rows
    assert _sized_game("gaussian", 1, 6) == [6, 4] + [6] * 4
    # empirical, at most 100 rows kept of 10: a value needs at most 10 rows, so 5 values per call of
    # 50 (then the row's 6th coalition): 8 calls, each of at most 50 rows
    sizes = _sized_game("empirical", 100, 50)
    assert sizes[0] == 10 and len(sizes) == 1 + 8 and max(sizes) <= 50
    # batch_size 1: even v(empty) goes one background row at a time
    sizes = _sized_game("gaussian", 1, 1)
    assert sizes == [1] * (10 + 24)
    # and f(x) for the full coalition one explained row at a time
    sizes = []

    def f(A):
        sizes.append(len(A))
        return _f3(A)

    game = ConditionalGame(f, np.eye(3), np.full(3, 1 / 3), _singletons(3), batch_size=1)
    v = game.values(np.arange(12.0).reshape(4, 3), np.array([[True] * 3]))
    np.testing.assert_allclose(v[:, 0], _f3(np.arange(12.0).reshape(4, 3)), atol=1e-12)
    assert sizes == [1] * (3 + 4)


def test_empirical_sampler_breaks_ties_by_a_seeded_permutation():
    # 20 rows: row 10 matches x on column 0, the 19 others tie at the same distance; at most 5 rows are
    # kept: row 10 and the four tied rows first in the game's seeded permutation of the background
    # (audit of issue 14: the first four in the background's order biased sorted data)
    B = np.column_stack([np.ones(20), np.arange(20.0)])
    B[10, 0] = 0.0
    w = np.full(20, 1 / 20)
    h = 10.0
    game = ConditionalGame(lambda A: A[:, 1:2], B, w, _singletons(2), sampler="empirical", n_samples=5,
                           bandwidth=h, random_state=0)
    with pytest.warns(UserWarning, match="random subset"):
        v = game.values(np.array([[0.0, 0.0]]), np.array([[True, False]]))[0, 0, 0]
    var = np.cov(B[:, 0], aweights=w, bias=True)  # the background's own variance of column 0 (session 37)
    k = np.exp(-(1.0 / var) / (2 * h**2))  # kernel of the tied rows; 1 for row 10
    assert 1 / (1 + 19 * k) < 0.95  # row 10 alone is not 95% of the weight: the tied rows are reached
    tied = [i for i in np.argsort(np.random.RandomState(game._seed).permutation(20)) if i != 10][:4]
    np.testing.assert_allclose(v, (10.0 + k * B[tied, 1].sum()) / (1 + 4 * k), rtol=1e-12)


def test_empirical_sampler_keeps_exactly_the_kept_share():
    # two background rows equal on column 0 (no variance: every distance is 0), weights t and 1 - t;
    # the first row alone is kept when it carries 95% of the weight (up to 1e-12 relative), else both.
    # (The explained row is off the constant: on it, the coalition tells nothing and takes v(empty).)
    B = np.array([[0.0, 0.0], [0.0, 10.0]])
    for t, expected in [(0.95, 0.0), (0.95 * (1 - 1e-12), 0.0), (0.95 * (1 - 1e-11), None)]:
        assert t + (1 - t) == 1.0  # the normalised weights are t and 1 - t exactly
        game = ConditionalGame(lambda A: A[:, 1:2], B, np.array([t, 1 - t]), _singletons(2),
                               sampler="empirical", bandwidth=0.1)
        v = game.values(np.array([[1.0, 5.0]]), np.array([[True, False]]))[0, 0, 0]
        np.testing.assert_allclose(v, 10 * (1 - t) if expected is None else expected, rtol=1e-12, atol=0)


def test_empirical_sampler_counts_a_row_exactly_at_the_tie_tolerance_as_tied():
    # three rows equal on column 0 (every distance 0): weights 0.94, b and b (1 - 1e-9) normalised. The
    # first two carry 95%; the third is within 1e-9 (relative, its edge included) of the second: a tie, kept
    B = np.array([[0.0, 0.0], [0.0, 10.0], [0.0, 20.0]])
    for i in range(100):  # the first b whose normalised weights hit the edge exactly in floating point
        b = 0.03 + i * 1e-7
        w = np.array([0.94, b, b * (1 - 1e-9)])
        w = w / w.sum()
        wn = w / w.sum()  # the game normalises its kernel weights once more
        if np.cumsum(wn)[0] < 0.95 * (1 - 1e-12) <= np.cumsum(wn)[1] and wn[2] == wn[1] * (1 - 1e-9):
            break
    else:
        pytest.fail("no weights at the edge of the tie tolerance")
    game = ConditionalGame(lambda A: A[:, 1:2], B, w, _singletons(2), sampler="empirical", bandwidth=0.1)
    v = game.values(np.array([[0.0, 5.0]]), np.array([[True, False]]))[0, 0, 0]
    np.testing.assert_allclose(v, (10 * wn[1] + 20 * wn[2]) / wn.sum(), rtol=1e-12)


@pytest.mark.parametrize("sampler", ["gaussian", "empirical"])
def test_conditional_masks_of_zeros_and_ones_are_read_as_booleans(sampler):
    # player masks given as 0/1 integers or floats (as a design matrix would be) mean the same coalitions
    B = _discrete(30) + np.random.RandomState(9).normal(scale=0.2, size=(30, 3))
    game = ConditionalGame(_f3, B, np.full(30, 1 / 30), [np.array([0]), np.array([1, 2])], sampler=sampler,
                           n_samples=20, random_state=0)
    masks = np.array([[0, 0], [1, 0], [0, 1], [1, 1]])
    X = B[:3] + 0.1
    expected = game.values(X, masks.astype(bool))
    np.testing.assert_array_equal(game.values(X, masks), expected)
    np.testing.assert_array_equal(game.values(X, masks.astype(float)), expected)
    # and the boolean values are those of the coalitions: v(empty) the background mean, v(all) f(x)
    np.testing.assert_allclose(expected[:, 0], np.tile(_f3(B).mean(axis=0), (3, 1)), atol=1e-12)
    np.testing.assert_allclose(expected[:, 3], _f3(X), atol=1e-12)


def test_conditional_rows_of_integers_are_read_as_floats():
    # integer rows give the values of the same rows as floats (the Gaussian samples are written into
    # the rows, which must not truncate them)
    B = _discrete(30) + np.random.RandomState(10).normal(scale=0.2, size=(30, 3))
    game = ConditionalGame(_f3, B, np.full(30, 1 / 30), _singletons(3), n_samples=20, random_state=0)
    masks = np.array([s for s in all_coalitions(3) if 0 < s.sum() < 3])
    X = np.array([[1, 0, 2], [0, 1, 1]])
    np.testing.assert_array_equal(game.values(X, masks), game.values(X.astype(float), masks))
