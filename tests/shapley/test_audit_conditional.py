"""Audit of the conditional game on inputs its first tests did not try (issue 14)."""

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression

from skxai import ExactShapleyExplainer
from skxai._games._conditional import explainer_game


def _linear_data(n=50):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(n, 3))
    return X, LinearRegression().fit(X, X @ [1.0, 2.0, 3.0])


@pytest.mark.parametrize("tiny, huge", [(1e-200, 1e200), (1e-300, 1e300)])
def test_empirical_sampler_takes_extreme_bandwidths(tiny, huge):
    # h**2 underflowed to 0 (0/0: no row kept, a model error about 0 samples) or overflowed
    # (OverflowError); the limits are the nearest rows and equal weights.
    X, model = _linear_data()

    def phi(h):
        return ExactShapleyExplainer(model, game="conditional", conditional_sampler="empirical",
                                     bandwidth=h, random_state=0).fit(X).transform(X[:3])

    assert np.allclose(phi(tiny), phi(1e-12))
    assert np.allclose(phi(huge), phi(1e12))
    assert np.isfinite(phi(tiny)).all() and np.isfinite(phi(huge)).all()


def test_empirical_sampler_keeps_a_random_subset_of_tied_rows_not_the_first_ones():
    # Discrete x0 (exact matches weigh the same); more matches than n_conditional_samples. The
    # rows kept were the first matches in the background's order: on data sorted by x1 the
    # value of {x0} was the mean of the smallest x1 (-1.14 where the truth is 0.13).
    rng = np.random.RandomState(1)
    n = 400
    X = np.c_[rng.randint(0, 2, size=n), rng.normal(size=n)].astype(float)
    X = X[np.argsort(X[:, 1])]
    f = lambda A: A[:, 1:2]  # noqa: E731
    est = ExactShapleyExplainer(f, game="conditional", conditional_sampler="empirical", bandwidth=1e-6,
                                max_background=None, n_conditional_samples=50, random_state=0).fit(X)
    x = np.array([[0.0, 3.0]])
    with pytest.warns(UserWarning, match="random subset"):
        v = explainer_game(est).values(x, np.array([[True, False]]))[0, 0, 0]
    matches = X[X[:, 0] == 0, 1]
    se = matches.std() / np.sqrt(50)
    assert abs(v - matches.mean()) < 4 * se, (v, matches.mean(), se)


def test_empirical_sampler_does_not_warn_when_every_tied_row_fits():
    rng = np.random.RandomState(1)
    X = np.c_[rng.randint(0, 2, size=60), rng.normal(size=60)].astype(float)
    est = ExactShapleyExplainer(lambda A: A[:, 1:2], game="conditional", conditional_sampler="empirical",
                                bandwidth=1e-6, n_conditional_samples=100, random_state=0).fit(X)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        est.transform(X[:3])


def _frame_with_int_and_bool():
    pd = pytest.importorskip("pandas")
    rng = np.random.RandomState(0)
    z = rng.normal(size=120)
    df = pd.DataFrame({"a": z, "k": np.round(2 * z + rng.normal(size=120)).astype(int),
                       "flag": z + rng.normal(size=120) > 0})
    model = LinearRegression().fit(df, df.a + 0.5 * df.k + 2 * df.flag)
    return df, model


def test_gaussian_sampler_refuses_integer_and_boolean_frame_columns():
    # Its real-valued draws were cast back to int (truncated) and bool (0.2 -> True) before the
    # model saw them: values off by about 0.3 from the same data as floats, with std 0.01.
    df, model = _frame_with_int_and_bool()
    # refused at fit (it was at every transform), and at transform after set_params
    with pytest.raises(ValueError, match=r"\['k', 'flag'\].*integer or boolean"):
        ExactShapleyExplainer(model, game="conditional", random_state=0).fit(df)
    # the empirical sampler keeps real rows, and float columns are fine
    est = ExactShapleyExplainer(model, game="conditional", conditional_sampler="empirical").fit(df)
    est.transform(df.iloc[:2])
    with pytest.raises(ValueError, match=r"\['k', 'flag'\].*integer or boolean"):
        est.set_params(conditional_sampler="gaussian").transform(df.iloc[:2])
    dff = df.astype(float)
    ExactShapleyExplainer(LinearRegression().fit(dff, df.a), game="conditional").fit(dff).transform(dff.iloc[:2])


def test_callable_sampler_values_changed_by_the_dtype_cast_are_refused():
    df, model = _frame_with_int_and_bool()
    data = df.to_numpy(dtype=float)

    def real_valued(x_S, S, n, random_state):
        return random_state.normal(size=(n, 3))

    def resampled_rows(x_S, S, n, random_state):
        return data[random_state.randint(len(data), size=n)]

    est = ExactShapleyExplainer(model, game="conditional", conditional_sampler=real_valued,
                                random_state=0).fit(df)
    with pytest.raises(ValueError, match="dtype int64 cannot hold"):
        est.transform(df.iloc[:2])
    est.set_params(conditional_sampler=resampled_rows)
    assert np.isfinite(est.transform(df.iloc[:2])).all()


@pytest.mark.parametrize("sampler", ["gaussian", "empirical"])
def test_conditional_values_do_not_depend_on_the_features_units(sampler):
    # Covariances were inverted as they came: with features in units 1e5 and 1e-3 apart, the
    # small one's variance fell under the pseudo-inverse's cutoff and dropped out of every
    # conditional; x0, independent of everything, got 0.32 instead of about 0.
    rng = np.random.RandomState(0)
    Z = rng.multivariate_normal(np.zeros(3), [[1, 0, 0], [0, 1, 0.9], [0, 0.9, 1]], size=300)

    def phi(scale):
        est = ExactShapleyExplainer(lambda A: A[:, 2:3], game="conditional", conditional_sampler=sampler,
                                    bandwidth=0.3, n_conditional_samples=200, max_background=300,
                                    random_state=0).fit(Z * scale)
        return est.transform(Z[:4] * scale)

    ref = phi(np.ones(3))
    for scale in ([1e5, 1e-3, 1.0], [1e8, 1e-8, 1.0]):
        np.testing.assert_allclose(phi(np.asarray(scale)), ref, rtol=1e-6, atol=1e-8)
    assert np.abs(ref[:, 0]).max() < 0.1


@pytest.mark.parametrize("returned, message", [
    (lambda n, k: np.full((n, k), "a"), "not a numeric array"),
    (lambda n, k: [[0.0], [0.0, 1.0]], "not a numeric array"),
    (lambda n, k: np.zeros((n, k), dtype=complex), "complex values"),
])
def test_a_callable_sampler_returning_non_numbers_is_named(returned, message):
    # strings and ragged lists raised numpy's own message (no word of the sampler); complex
    # samples lost their imaginary part with a ComplexWarning only
    X, model = _linear_data()
    est = ExactShapleyExplainer(model, game="conditional", random_state=0,
                                conditional_sampler=lambda x_S, S, n, rs: returned(n, 3 - len(S))).fit(X)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match=f"conditional_sampler returned.*{message}"):
            est.transform(X[:2])
