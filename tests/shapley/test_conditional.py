"""The conditional game v(S) = E[f(X) | X_S = x_S]: closed forms, brute force, reproducibility."""

import itertools
import math

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression

from skxai import ExactShapleyExplainer, KernelShapExplainer, ShapleySamplingExplainer


def permutation_shapley(v, p):
    """Shapley values by averaging marginal contributions over all p! orders; v maps a frozenset."""
    phi = np.zeros(p)
    for order in itertools.permutations(range(p)):
        S = frozenset()
        for j in order:
            phi[j] += v(S | {j}) - v(S)
            S = S | {j}
    return phi / math.factorial(p)


def gaussian_conditional_linear_value(coef, intercept, mu, cov, x, S):
    """E[coef . X + intercept | X_S = x_S] for X ~ N(mu, cov): the regression of X_Sbar on X_S."""
    S = sorted(S)
    R = [j for j in range(len(mu)) if j not in S]
    filled = np.array(x, dtype=float)
    if not S:
        filled = mu.copy()
    elif R:
        filled[R] = mu[R] + cov[np.ix_(R, S)] @ np.linalg.solve(cov[np.ix_(S, S)], x[S] - mu[S])
    return float(coef @ filled + intercept)


@pytest.fixture(scope="module")
def correlated_gaussian():
    rng = np.random.RandomState(0)
    A = rng.normal(size=(4, 4))
    cov = A @ A.T + 0.3 * np.eye(4)
    X = rng.multivariate_normal(np.array([1.0, -2.0, 0.5, 0.0]), cov, size=400)
    coef = np.array([1.5, -2.0, 0.7, 3.0])
    model = LinearRegression().fit(X, X @ coef + 0.25)
    return X, model


def closed_form_phi(model, X, x):
    mu, cov = X.mean(axis=0), np.cov(X.T)
    return permutation_shapley(
        lambda S: gaussian_conditional_linear_value(model.coef_, model.intercept_, mu, cov, x, S), X.shape[1]
    )


def test_gaussian_sampler_matches_closed_form_and_error_shrinks(correlated_gaussian):
    X, model = correlated_gaussian
    rows = X[:3]
    expected = np.stack([closed_form_phi(model, X, x) for x in rows])
    # The Monte-Carlo error of v(S) is coef_R . L_S zbar with zbar ~ N(0, I / K): its std is
    # ||L_S^T coef_R|| / sqrt(K), L_S L_S^T the conditional covariance. phi_j = sum_S w_S
    # (v(S + j) - v(S)) with weights summing to one, so |error of phi_j| <= 2 max_S |error v(S)|.
    cov = np.cov(X.T)
    std1 = 0.0
    for r in range(1, 4):
        for S in itertools.combinations(range(4), r):
            R = [j for j in range(4) if j not in S]
            C = cov[np.ix_(R, R)] - cov[np.ix_(R, S)] @ np.linalg.solve(cov[np.ix_(S, S)], cov[np.ix_(S, R)])
            std1 = max(std1, float(np.sqrt(model.coef_[R] @ C @ model.coef_[R])))
    rms = {}
    for K in (100, 10_000):
        errors = []
        for seed in range(4):
            est = ExactShapleyExplainer(model, game="conditional", n_conditional_samples=K, max_background=None,
                                        random_state=seed).fit(X)
            err = est.transform(rows) - expected
            assert np.abs(err).max() < 2 * 4.5 * std1 / np.sqrt(K)
            errors.append(err)
        rms[K] = np.sqrt(np.mean(np.square(errors)))
    # 100 times the samples: the error should fall about tenfold.
    assert rms[10_000] < rms[100] / 4
    # The conditional values differ from the interventional ones here (correlated features).
    inter = model.coef_ * (rows - X.mean(axis=0))
    assert np.abs(inter - expected).max() > 1.0


def test_issue_example_rho_09():
    rng = np.random.RandomState(1)
    X = rng.multivariate_normal([0.0, 0.0], [[1.0, 0.9], [0.9, 1.0]], size=20_000)
    model = LinearRegression().fit(X, X.sum(axis=1))
    x = np.array([1.481, -0.515])
    # Population closed form: v({0}) = x0 + E[x1 | x0] = 1.9 x0, v({1}) = 1.9 x1, v(all) = x0 + x1,
    # v(empty) = 0, so phi_0 = (1.9 x0 + (x0 + x1 - 1.9 x1)) / 2 = 1.45 x0 - 0.45 x1.
    population = np.array([1.45 * x[0] - 0.45 * x[1], 1.45 * x[1] - 0.45 * x[0]])
    np.testing.assert_allclose(population, [2.379, -1.413], atol=1e-3)
    est = ExactShapleyExplainer(model, game="conditional", n_conditional_samples=5000, max_background=None,
                                random_state=0).fit(X)
    phi = est.transform(x[None])[0]
    np.testing.assert_allclose(phi, closed_form_phi(model, X, x), atol=0.02)
    np.testing.assert_allclose(phi, population, atol=0.05)
    inter = ExactShapleyExplainer(model, max_background=None).fit(X).transform(x[None])[0]
    np.testing.assert_allclose(inter, x - X.mean(axis=0), atol=1e-9)


def discrete_correlated_data(n=240, seed=0):
    rng = np.random.RandomState(seed)
    x0 = rng.randint(0, 3, size=n)
    x1 = np.where(rng.rand(n) < 0.7, x0, rng.randint(0, 3, size=n))  # mostly equal to x0
    x2 = (x0 + x1 + rng.randint(0, 2, size=n)) % 3
    return np.column_stack([x0, x1, x2]).astype(float)


def nonlinear(A):
    A = np.asarray(A, dtype=float)
    return A[:, 0] * A[:, 1] + np.sin(A[:, 2]) + 0.5 * A[:, 0] ** 2 - A[:, 1] * A[:, 2]


def brute_force_conditional_phi(X, x):
    """Exact conditional Shapley values under the empirical distribution of the rows of X."""

    def v(S):
        S = sorted(S)
        match = np.all(X[:, S] == x[S], axis=1)
        filled = X[match].copy()
        filled[:, S] = x[S]
        return nonlinear(filled).mean()

    return permutation_shapley(v, X.shape[1])


@pytest.mark.parametrize("factory", [
    lambda **kw: ExactShapleyExplainer(nonlinear, **kw),
    lambda **kw: KernelShapExplainer(nonlinear, n_samples=8, **kw),  # 2**3 coalitions: the exact path
])
def test_empirical_tiny_bandwidth_is_the_exact_conditional_game(factory):
    X = discrete_correlated_data()
    rows = X[[0, 5, 17, 42]]
    est = factory(game="conditional", conditional_sampler="empirical", bandwidth=1e-3,
                  n_conditional_samples=len(X), max_background=None).fit(X)
    phi = est.transform(rows)
    expected = np.stack([brute_force_conditional_phi(X, x) for x in rows])
    np.testing.assert_allclose(phi, expected, atol=1e-10)
    # The interventional game is another game on these correlated features.
    inter = ExactShapleyExplainer(nonlinear, max_background=None).fit(X).transform(rows)
    assert np.abs(inter - expected).max() > 0.1


def test_games_agree_for_independent_features():
    # A full factorial grid: its empirical distribution has exactly independent features and
    # exactly zero covariances, so both conditional samplers reduce to the interventional game.
    levels = [(-1.0, 0.0, 2.0), (0.0, 1.0, 3.0), (-2.0, 0.5, 1.0)]
    X = np.array(list(itertools.product(*levels)))
    rows = X[[0, 7, 13, 26]]
    inter = ExactShapleyExplainer(nonlinear, max_background=None).fit(X).transform(rows)
    emp = ExactShapleyExplainer(nonlinear, game="conditional", conditional_sampler="empirical", bandwidth=1e-3,
                                n_conditional_samples=len(X), max_background=None).fit(X).transform(rows)
    np.testing.assert_allclose(emp, inter, atol=1e-10)

    def linear(A):
        return np.asarray(A, dtype=float) @ [1.0, -2.0, 0.5]

    inter_lin = ExactShapleyExplainer(linear, max_background=None).fit(X).transform(rows)
    gauss_lin = ExactShapleyExplainer(linear, game="conditional", n_conditional_samples=20_000, max_background=None,
                                      random_state=0).fit(X).transform(rows)
    # The Gaussian noise adds coef_R . L zbar: std <= sqrt(sum coef^2 var) / sqrt(K) ~ 0.012.
    np.testing.assert_allclose(gauss_lin, inter_lin, atol=0.06)


@pytest.mark.parametrize("whole_rows", [False, True])
def test_callable_sampler_returning_nan_is_a_clear_error(whole_rows):
    # A model that accepts NaN (histogram boosting) averaged them silently; NaN in a whole
    # row's S columns is harmless (they are overwritten by x_S), so only absent ones count.
    from sklearn.ensemble import HistGradientBoostingRegressor

    X = discrete_correlated_data(60)
    model = HistGradientBoostingRegressor(max_iter=5).fit(X, X @ [1.0, -1.0, 0.5])

    def sampler(x_S, S, n, random_state):
        out = random_state.normal(size=(n, 3 if whole_rows else 3 - len(S)))
        absent = np.setdiff1d(np.arange(3), S)[0]  # first absent column
        out[0, absent if whole_rows else 0] = np.nan
        return out

    est = ExactShapleyExplainer(model, game="conditional", conditional_sampler=sampler, n_conditional_samples=4,
                                random_state=0).fit(X)
    with pytest.raises(ValueError, match="conditional_sampler returned NaN"):
        est.transform(X[:2])


def test_callable_sampler_receives_x_S_and_fills_the_absent_columns():
    X = discrete_correlated_data(60)
    b = np.array([1.0, 2.0, 0.0])
    calls = []

    def sampler(x_S, S, n, random_state):
        calls.append((x_S.copy(), S.copy(), n))
        return np.tile(b, (n, 1))  # whole rows: the S columns are overwritten by x_S

    rows = X[:2]
    est = ExactShapleyExplainer(nonlinear, game="conditional", conditional_sampler=sampler,
                                n_conditional_samples=3, max_background=None, random_state=0).fit(X)
    phi = est.transform(rows)
    # Every value but v(empty) is then f(x_S, b_Sbar): the interventional game on background {b}
    # shifted in v(empty) only, which moves every phi_j by the same amount (symmetric players).
    base = est.explain(rows).base_values
    inter_game = ExactShapleyExplainer(nonlinear).fit(b[None])
    inter = inter_game.transform(rows)
    shift = (nonlinear(b[None])[0] - base[:, 0]) / 3
    np.testing.assert_allclose(phi, inter + shift[:, None], atol=1e-12)
    for x_S, S, n in calls:
        assert n == 3 and 0 < len(S) < 3
        assert any(np.array_equal(x_S, r[S]) for r in rows)


@pytest.mark.parametrize("sampler", ["gaussian", "empirical", "callable"])
@pytest.mark.parametrize("cls", [KernelShapExplainer, ShapleySamplingExplainer])
def test_same_numbers_for_any_n_jobs_and_bounded_calls(sampler, cls):
    X = discrete_correlated_data(80) + np.random.RandomState(3).normal(scale=0.3, size=(80, 3))
    X = np.hstack([X, X[:, :2] ** 2])
    sizes = []

    def model(A):
        sizes.append(len(A))
        return np.tanh(A @ [0.5, -1.0, 0.3, 0.2, -0.1]) + A[:, 0] * A[:, 2]

    def my_sampler(x_S, S, n, random_state):
        return random_state.normal(size=(n, 5 - len(S)))

    kw = {"game": "conditional", "conditional_sampler": my_sampler if sampler == "callable" else sampler,
          "n_conditional_samples": 30, "batch_size": 200, "random_state": 7}
    if cls is KernelShapExplainer:
        kw["n_samples"] = 20
    else:
        kw["n_permutations"] = 4
    one = cls(model, **kw).fit(X).transform(X[:4])
    assert max(sizes) <= 200
    two = cls(model, n_jobs=2, **kw).fit(X).transform(X[:4])
    np.testing.assert_array_equal(one, two)


def test_bad_game_parameters_are_named():
    X = discrete_correlated_data(30)
    for bad in ({"game": "observational"}, {"conditional_sampler": "copula"}, {"n_conditional_samples": 0},
                {"bandwidth": -1.0}, {"bandwidth": float("nan")}):
        params = {"game": "conditional", **bad}
        with pytest.raises(ValueError, match=next(iter(bad))):
            ExactShapleyExplainer(nonlinear, **params).fit(X).transform(X[:1])


def test_non_numeric_columns_are_refused_with_a_clear_error():
    pd = pytest.importorskip("pandas")
    from sklearn.compose import make_column_transformer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder

    X = discrete_correlated_data(60)
    df = pd.DataFrame({"a": X[:, 0], "b": X[:, 1].astype(int).astype(str)})
    model = make_pipeline(make_column_transformer((OneHotEncoder(), ["b"]), remainder="passthrough"),
                          LinearRegression()).fit(df, X[:, 2])
    # refused at fit (it was accepted there and refused by every transform)
    with pytest.raises(ValueError, match="needs numeric features"):
        KernelShapExplainer(model, game="conditional").fit(df)


def test_gaussian_conditional_covariance_on_a_quadratic_model(correlated_gaussian):
    # For f = x0^2 + x1 x2 the conditional value needs the conditional covariance C as well as
    # the mean m: E[x0^2 | x_S] = m0^2 + C00 and E[x1 x2 | x_S] = m1 m2 + C12 (0 where observed).
    X, _ = correlated_gaussian

    def f(A):
        A = np.asarray(A, dtype=float)
        return A[:, 0] ** 2 + A[:, 1] * A[:, 2]

    mu, cov = X.mean(axis=0), np.cov(X.T)
    x = X[7]

    def v(S, with_cov=True):
        S = sorted(S)
        if not S:
            return float(f(X).mean())  # v(empty) is the background mean of the model output
        R = [j for j in range(4) if j not in S]
        m = np.array(x, dtype=float)
        C = np.zeros((4, 4))
        if R:
            A = cov[np.ix_(R, S)] @ np.linalg.inv(cov[np.ix_(S, S)])
            m[R] = mu[R] + A @ (x[S] - mu[S])
            C[np.ix_(R, R)] = cov[np.ix_(R, R)] - A @ cov[np.ix_(S, R)]
        return m[0] ** 2 + m[1] * m[2] + (C[0, 0] + C[1, 2] if with_cov else 0.0)

    expected = permutation_shapley(v, 4)
    est = ExactShapleyExplainer(f, game="conditional", n_conditional_samples=40_000, max_background=None,
                                random_state=0).fit(X)
    phi = est.transform(x[None])[0]
    # Monte-Carlo error of a value: std(f | x_S) / sqrt(K) <= about 10 / 200 here; phi within 2x that.
    np.testing.assert_allclose(phi, expected, atol=0.1)
    # Dropping the conditional covariance (C = 0) moves the values by far more than the band.
    assert np.abs(permutation_shapley(lambda S: v(S, with_cov=False), 4) - expected).max() > 0.5


def test_empirical_sampler_follows_the_kernel_formula():
    rng = np.random.RandomState(5)
    L = np.array([[1.0, 0, 0], [0.8, 0.6, 0], [-0.5, 0.3, 0.8]])
    X = rng.normal(size=(60, 3)) @ L.T
    cov_inv = {}
    h = 0.4

    def v(S, x):
        S = sorted(S)
        if not S:
            return float(nonlinear(X).mean())
        if len(S) == 3:
            return float(nonlinear(x[None])[0])
        key = tuple(S)
        if key not in cov_inv:
            # the background's own covariance (no n - 1): with the unbiased one the kernel's width
            # depended on the row count, not on the distribution alone (session 37)
            cov_inv[key] = np.linalg.inv(np.cov(X.T, bias=True)[np.ix_(S, S)])
        diff = X[:, S] - x[S]
        d2 = np.einsum("bi,ij,bj->b", diff, cov_inv[key], diff) / len(S)  # Mahalanobis^2 scaled by |S|
        w = np.exp(-d2 / (2 * h**2))
        w /= w.sum()
        order = np.argsort(-w)
        keep = order[: np.searchsorted(np.cumsum(w[order]), 0.95) + 1]  # rows with 95% of the weight
        filled = X[keep].copy()
        filled[:, S] = x[S]
        return float(nonlinear(filled) @ w[keep] / w[keep].sum())

    rows = X[[3, 11]] + 0.05
    est = ExactShapleyExplainer(nonlinear, game="conditional", conditional_sampler="empirical", bandwidth=h,
                                n_conditional_samples=60, max_background=None).fit(X)
    expected = np.stack([permutation_shapley(lambda S, x=x: v(S, x), 3) for x in rows])
    np.testing.assert_allclose(est.transform(rows), expected, atol=1e-10)


def test_conditional_values_report_their_monte_carlo_error(correlated_gaussian):
    """Exact enumeration of a conditional game is exact only up to the sampler's draws: its std is
    their Monte Carlo error, and +-1.96 std covers the closed form about 95% of the time
    (benchmarks/probe_conditional_error.py: 0.94-0.96)."""
    X, model = correlated_gaussian
    rows = X[:10]
    expected = np.stack([closed_form_phi(model, X, x) for x in rows])
    hits = total = 0
    for seed in range(30):
        exp = ExactShapleyExplainer(model, game="conditional", n_conditional_samples=100, max_background=None,
                                    random_state=seed).fit(X).explain(rows)
        assert exp.std is not None and np.isfinite(exp.std).all() and (exp.std > 0).all()
        hits += (np.abs(exp.values[..., 0] - expected) <= 1.96 * exp.std[..., 0]).sum()
        total += expected.size
    assert 0.9 <= hits / total <= 0.99


def test_a_constant_feature_s_conditional_value_comes_with_its_error():
    """A constant column is a null player, but the sampler's noise gave it a value: its error
    must say so (it was reported as exactly 0 while the value was 0.16). Since its coalitions
    take v(empty) where the row shares the constant, the value is 0 up to rounding."""
    rng = np.random.RandomState(0)
    X = rng.multivariate_normal([0, 0], [[1, 0.9], [0.9, 1]], size=300)
    X = np.column_stack([X, np.ones(len(X))])
    model = LinearRegression().fit(X, X[:, 0] + X[:, 1])
    for cls, kw in [(ExactShapleyExplainer, {}), (KernelShapExplainer, dict(n_samples=8)),
                    (ShapleySamplingExplainer, dict(n_permutations=6))]:
        exp = cls(model, game="conditional", random_state=0, max_background=None, **kw).fit(X).explain(X[:5])
        assert (np.abs(exp.values[:, 2, 0]) <= 1.96 * exp.std[:, 2, 0] + 1e-12).all()
        np.testing.assert_allclose(exp.values[:, 2, 0], 0.0, atol=1e-12)


def test_too_few_conditional_samples_for_an_error_report_it_unknown(correlated_gaussian):
    X, model = correlated_gaussian
    exp = ExactShapleyExplainer(model, game="conditional", n_conditional_samples=3,
                                random_state=0).fit(X).explain(X[:2])
    assert np.isinf(exp.std).all()  # three draws cannot fill eight groups
    empirical = ExactShapleyExplainer(model, game="conditional", conditional_sampler="empirical",
                                      random_state=0).fit(X).explain(X[:2])
    assert empirical.std is None  # weighted means over the background: no draws


def test_tol_does_not_stop_before_the_monte_carlo_error_allows():
    """More coalitions never remove the sampler's error: a tol below it spends the whole budget.

    A game whose value and whose eight group replicates are additive (each fitted exactly, no
    coalition-sampling error), the replicates' coefficients spread around the value's: the
    coalitions alone would stop the run at its first step, the Monte Carlo error must not."""
    from types import SimpleNamespace

    from skxai._estimate import kernel_estimate
    from skxai._games._conditional import monte_carlo_view

    p, G = 10, 8
    rng = np.random.RandomState(0)
    beta = rng.normal(size=p)
    spread = rng.normal(size=(G, p)) * 0.1
    coefs = np.vstack([beta, beta + spread - spread.mean(axis=0)])  # the value, then each group

    def evaluate(masks):
        return (masks.astype(float) @ coefs.T)[None]  # (1 row, m, G + 1 outputs)

    game = SimpleNamespace(monte_carlo_groups=G)
    kw = dict(max_order=1, tol=0.01, random_state=0)
    alone = kernel_estimate(evaluate, p, 400, **kw)
    assert alone.extras["n_evaluations"] <= 100
    honest = kernel_estimate(evaluate, p, 400, error=monte_carlo_view(game), **kw)
    assert honest.extras["n_evaluations"] > 300


def test_a_callable_sampler_gives_a_row_the_same_draws_whichever_rows_come_with_it(correlated_gaussian):
    X, model = correlated_gaussian

    def sampler(x_S, S, n, random_state):
        return random_state.normal(size=(n, X.shape[1] - len(S)))

    est = KernelShapExplainer(model, game="conditional", conditional_sampler=sampler, n_conditional_samples=20,
                              n_samples=12, random_state=0, max_background=None).fit(X)
    together = est.explain(X[:4])
    alone = est.explain(X[2:3])
    # the same draws (to the rounding of model calls that hold other rows)
    np.testing.assert_allclose(alone.values[0], together.values[2], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(alone.std[0], together.std[2], rtol=1e-9, atol=1e-12)
