"""The conditional game at the edges an outside audit found (session 25): a k-means background's
v(empty) under the Gaussian sampler, the Gaussian sampler on coded columns, the collinearity
warning of a one-hot block merged into one player, a categorical column's refusal, and the
empirical sampler's warning of tied rows on continuous data."""

import itertools
import math
import warnings

import numpy as np
import pandas as pd
import pytest

from skxai import ExactShapleyExplainer, KernelShapExplainer, ShapleySamplingExplainer
from skxai._games._conditional import ConditionalGame


def _squares(A):
    return (np.asarray(A, dtype=np.float64) ** 2).sum(axis=1)


def _gaussian_squares_shapley(x, mean, cov, v_empty):
    """Exact Shapley values of ``sum x_j^2`` under the Gaussian conditionals of ``(mean, cov)``,
    with ``v(empty)`` given: ``E[x_k^2 | x_S] = m_k^2 + C_kk``."""
    p = len(x)

    def v(S):
        if not S:
            return v_empty
        S, R = list(S), [j for j in range(p) if j not in S]
        A = cov[np.ix_(R, S)] @ np.linalg.inv(cov[np.ix_(S, S)])
        m = mean[R] + A @ (x[S] - mean[S])
        C = cov[np.ix_(R, R)] - A @ cov[np.ix_(S, R)]
        return float((x[S] ** 2).sum() + (m**2).sum() + np.trace(C))

    phi = np.zeros(p)
    for i in range(p):
        others = [j for j in range(p) if j != i]
        for k in range(p):
            for S in itertools.combinations(others, k):
                w = math.factorial(k) * math.factorial(p - k - 1) / math.factorial(p)
                phi[i] += w * (v(tuple(sorted(S + (i,)))) - v(S))
    return phi


@pytest.mark.parametrize("cls", [ExactShapleyExplainer, KernelShapExplainer, ShapleySamplingExplainer])
def test_kmeans_background_takes_v_empty_from_the_data(cls):
    """The k-means centres lack the within-cluster spread: a non-linear model's mean over them
    (2.05 here) is not its mean over the data (2.91). Every non-empty coalition already used the
    data's moments, so the gap went into the values: 0.29 each, 20 std, no warning."""
    X = np.random.RandomState(0).randn(2000, 3)
    ex = cls(
        _squares,
        game="conditional",
        background="kmeans",
        max_background=10,
        n_conditional_samples=20000,
        random_state=0,
    ).fit(X)
    np.testing.assert_allclose(ex.expected_value_, [_squares(X).mean()], rtol=1e-12)
    x = np.zeros(3)
    exp = ex.explain(x[None])
    np.testing.assert_allclose(exp.base_values[0], ex.expected_value_, rtol=1e-12)
    truth = _gaussian_squares_shapley(x, X.mean(axis=0), np.cov(X, rowvar=False), _squares(X).mean())
    err = np.abs(exp.values[0, :, 0] - truth)
    assert np.all(err <= 4 * exp.std[0, :, 0] + 1e-3), (exp.values[0, :, 0], truth, exp.std[0, :, 0])
    # efficiency against the data's mean output
    np.testing.assert_allclose(exp.values[0, :, 0].sum(), _squares(x[None])[0] - _squares(X).mean(), atol=1e-9)


def test_kmeans_v_empty_is_relearned_by_a_refit():
    X = np.random.RandomState(1).randn(500, 3)
    ex = ExactShapleyExplainer(
        _squares, game="conditional", background="kmeans", max_background=8, n_conditional_samples=200, random_state=0
    )
    ex.fit(X)
    first = ex.expected_value_.copy()
    ex.fit(2 * X)
    np.testing.assert_allclose(ex.expected_value_, [_squares(2 * X).mean()], rtol=1e-12)
    assert not np.allclose(first, ex.expected_value_)
    # back to a background of sampled rows: the background's own mean, as before
    ex.set_params(background="sample", max_background=None).fit(X)
    np.testing.assert_allclose(ex.expected_value_, [_squares(X).mean()], rtol=1e-12)
    assert not hasattr(ex, "_conditional_empty")


def _coded():
    rng = np.random.RandomState(0)
    return np.c_[rng.randint(0, 4, 300), rng.randint(0, 3, 300), rng.randn(300)]


def _linear(A):
    return np.asarray(A, dtype=np.float64) @ np.array([1.0, -2.0, 0.5])


@pytest.mark.parametrize("dtype", [np.int64, np.float64])
def test_gaussian_sampler_on_coded_columns_warns(dtype):
    """Integer codes (an int array, or codes stored as floats) got real draws (-2.29 for a
    category of 0..3) with nothing said; a DataFrame's integer columns were already refused."""
    X = _coded()
    if dtype is np.int64:  # a wide integer column (not codes) beside two coded ones
        X = np.c_[X[:, :2], np.round(1000 * X[:, 2])].astype(np.int64)
    with pytest.warns(UserWarning, match=r"draws real values, but the columns \['x0', 'x1'\] take at most 20"):
        ExactShapleyExplainer(_linear, game="conditional", random_state=0).fit(X)


def test_no_coded_column_warning_on_continuous_data_or_the_empirical_sampler():
    rng = np.random.RandomState(0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ExactShapleyExplainer(_linear, game="conditional", random_state=0).fit(rng.randn(300, 3))
        ExactShapleyExplainer(_linear, game="conditional", conditional_sampler="empirical", random_state=0).fit(
            _coded()
        )


def _one_hot_data(extra_collinear=False):
    rng = np.random.RandomState(0)
    n = 400
    cat = rng.randint(0, 3, n)
    onehot = np.eye(3)[cat] + 1e-3 * rng.randn(n, 3)  # not exactly coded: no coded-column warning
    onehot -= onehot.mean(axis=1, keepdims=True) - 1.0 / 3  # each row sums to one exactly
    a = rng.randn(n)
    b = a + 1e-6 * rng.randn(n) if extra_collinear else rng.randn(n)
    return np.c_[onehot, a, b]


def _sum5(A):
    return np.asarray(A, dtype=np.float64) @ np.array([1.0, 2.0, 3.0, 1.0, -1.0])


def test_collinearity_inside_one_player_does_not_warn():
    """A one-hot block merged by feature_groups is never split by a coalition: its columns
    summing to one is harmless, and the warning told the user to merge what was merged."""
    X = _one_hot_data()
    with pytest.warns(UserWarning, match="nearly singular"):
        ExactShapleyExplainer(_sum5, game="conditional", random_state=0).fit(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ExactShapleyExplainer(_sum5, game="conditional", feature_groups=[[0, 1, 2], [3], [4]], random_state=0).fit(X)


def test_collinearity_across_players_still_warns_beside_a_merged_block():
    X = _one_hot_data(extra_collinear=True)
    with pytest.warns(UserWarning, match=r"nearly collinear: x[34], x[34]\)"):
        ExactShapleyExplainer(_sum5, game="conditional", feature_groups=[[0, 1, 2], [3], [4]], random_state=0).fit(X)


def test_a_categorical_column_is_named_in_the_refusal():
    rng = np.random.RandomState(0)
    df = pd.DataFrame({"f": rng.randn(50), "i": pd.Categorical(rng.randint(0, 5, 50)), "g": rng.randn(50)})
    with pytest.raises(ValueError, match=r"the columns \['i'\] are not numeric"):
        ExactShapleyExplainer(lambda A: np.zeros(len(A)), game="conditional", conditional_sampler="empirical").fit(df)


def _empirical_game(background, n_samples, bandwidth=10.0):
    n = len(background)
    groups = [np.array([j]) for j in range(background.shape[1])]
    return ConditionalGame(
        lambda A: A.sum(axis=1, keepdims=True),
        background,
        np.full(n, 1.0 / n),
        groups,
        sampler="empirical",
        n_samples=n_samples,
        bandwidth=bandwidth,
        random_state=0,
    )


def test_rows_that_only_nearly_weigh_the_same_are_not_called_tied():
    """The cut between two continuous rows whose weights differ by about 1e-10 keeps the heavier
    one: no random subset, no warning (a 300,000-row background warned of exact matches)."""
    rng = np.random.RandomState(0)
    col = np.r_[np.arange(1, 51) * 0.01, -np.arange(1, 51) * 0.01 * (1 + 1e-10)]
    B = np.c_[col, rng.randn(100)]
    cache = {}
    _empirical_game(B, 5, bandwidth=0.1)._empirical(np.zeros((1, 2)), np.array([True, False]), cache)
    assert not cache.get("tied rows cut", False)


def test_rows_that_weigh_the_same_are_still_called_tied():
    rng = np.random.RandomState(0)
    col = np.r_[np.arange(1, 51) * 0.01, -np.arange(1, 51) * 0.01]  # +a and -a: the same distance
    B = np.c_[col, rng.randn(100)]
    cache = {}
    _empirical_game(B, 5, bandwidth=0.1)._empirical(np.zeros((1, 2)), np.array([True, False]), cache)
    assert cache["tied rows cut"]
    # exact matches on S (discrete data)
    D = np.c_[np.repeat([0.0, 1.0], 50), rng.randn(100)]
    cache = {}
    _empirical_game(D, 5)._empirical(np.zeros((1, 2)), np.array([True, False]), cache)
    assert cache["tied rows cut"]


def test_kmeans_v_empty_stays_the_centres_mean_for_the_empirical_sampler():
    """The empirical sampler's other coalitions average the centres: v(empty) over the data put
    the gap into a feature the model never reads (a review of this session's change)."""
    X = np.random.RandomState(0).randn(600, 3)
    f = lambda A: (np.asarray(A, dtype=np.float64)[:, :2] ** 2).sum(axis=1)  # noqa: E731
    ex = ExactShapleyExplainer(
        f, game="conditional", conditional_sampler="empirical", background="kmeans", max_background=10, random_state=0
    ).fit(X)
    np.testing.assert_allclose(ex.expected_value_, [ex.background_weights_ @ f(ex.background_)], rtol=1e-12)
    exp = ex.explain(X[:3])
    np.testing.assert_allclose(exp.base_values[:, 0], ex.expected_value_[0], rtol=1e-12)
    # set to "gaussian" after fit: taken (the data's mean in base_values), and said, since the
    # fitted expected_value_ is another number
    ex.set_params(conditional_sampler="gaussian", n_conditional_samples=2000)
    with pytest.warns(UserWarning, match="was 'empirical' at fit and is 'gaussian' now"):
        exp = ex.explain(X[:3])
    np.testing.assert_allclose(exp.base_values[:, 0], f(X).mean(), rtol=1e-12)
    ex.fit(X)  # refitted with it: the data's mean, in both, and nothing said
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        exp = ex.explain(X[:3])
    np.testing.assert_allclose(ex.expected_value_, [f(X).mean()], rtol=1e-12)
    ex.set_params(conditional_sampler=lambda xs, S, n, rs: np.zeros((n, 3 - len(S))))
    with pytest.warns(UserWarning, match="was 'gaussian' at fit and is a callable now"):
        ex.explain(X[:3])


@pytest.mark.parametrize("cls", [ExactShapleyExplainer, KernelShapExplainer, ShapleySamplingExplainer])
@pytest.mark.parametrize("background", ["sample", "kmeans"])
def test_gaussian_sampler_gives_a_row_the_same_bits_alone_and_in_a_batch(cls, background):
    """The conditional means were a BLAS product of the batch's rows: a row's values moved by
    5e-15 and its std by 4e-14 with the rows beside it (diabetes, a ridge; a review)."""
    from sklearn.datasets import load_diabetes
    from sklearn.linear_model import Ridge

    X, y = load_diabetes(return_X_y=True)
    model = Ridge().fit(X, y)
    extra = {"n_samples": 200} if cls is KernelShapExplainer else {}
    if cls is ExactShapleyExplainer:
        extra = {"feature_groups": [[0, 1], [2, 3], [4, 5], [6, 7], [8, 9]]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ex = cls(
            model,
            game="conditional",
            background=background,
            max_background=20,
            random_state=0,
            n_conditional_samples=50,
            **extra,
        ).fit(X)
        batch = ex.explain(X[:7])
        for i in (0, 2, 6):
            alone = ex.explain(X[i : i + 1])
            np.testing.assert_array_equal(alone.values[0], batch.values[i])
            np.testing.assert_array_equal(alone.std[0], batch.std[i])


@pytest.mark.parametrize("cls", [ExactShapleyExplainer, KernelShapExplainer])
def test_the_gaussian_sampler_draws_from_the_backgrounds_own_moments(cls):
    """v(empty) is the background's mean output; the other coalitions drew from a Gaussian with
    the unbiased covariance, whose mean output for ``f = sum x_j^2`` is ``sum_j var_j / n``
    higher: the gap went into the values (``values +- 1.96 std`` covered 0.45 on 20 background
    rows). With the background's own moments the two agree for every quadratic model."""
    rng = np.random.RandomState(0)
    L = rng.normal(size=(4, 4))
    X = rng.multivariate_normal(np.zeros(4), L @ L.T / 4 + 0.5 * np.eye(4), 400)
    ex = cls(_squares, game="conditional", max_background=8, n_conditional_samples=50000, random_state=0).fit(X)
    bg, w = ex.background_, ex.background_weights_
    mean = w @ bg
    cov = np.cov(bg.T, aweights=w, bias=True)
    np.testing.assert_allclose(ex.expected_value_, [(mean**2).sum() + np.trace(cov)], rtol=1e-12)
    rows = X[-3:]
    exp = ex.explain(rows)
    for r, x in enumerate(rows):
        truth = _gaussian_squares_shapley(x, mean, cov, ex.expected_value_[0])
        err = np.abs(exp.values[r, :, 0] - truth)
        assert np.all(err <= 4 * exp.std[r, :, 0] + 1e-9), (err, exp.std[r, :, 0])


@pytest.mark.parametrize("bandwidth", [np.float32(0.2), np.float64(0.2), 0.2, 1, np.int64(2)])
def test_the_bandwidth_takes_numpy_numbers(bandwidth):
    # np.float32(0.2) was refused as not "a float in the range (0.0, inf)"
    X = np.random.RandomState(0).randn(60, 3)
    ex = ExactShapleyExplainer(
        _squares,
        game="conditional",
        conditional_sampler="empirical",
        bandwidth=bandwidth,
        max_background=30,
        random_state=0,
    ).fit(X)
    reference = ExactShapleyExplainer(
        _squares,
        game="conditional",
        conditional_sampler="empirical",
        bandwidth=float(bandwidth),
        max_background=30,
        random_state=0,
    ).fit(X)
    np.testing.assert_array_equal(ex.transform(X[:2]), reference.transform(X[:2]))


@pytest.mark.parametrize("bandwidth", [0.0, -1.0, True, np.bool_(True), "0.1"])
def test_the_bandwidth_refuses_what_is_not_a_positive_number(bandwidth):
    from skxai.utils._param_validation import InvalidParameterError

    with pytest.raises(InvalidParameterError, match="bandwidth"):
        ExactShapleyExplainer(_squares, game="conditional", conditional_sampler="empirical", bandwidth=bandwidth).fit(
            np.random.RandomState(0).randn(20, 3)
        )
