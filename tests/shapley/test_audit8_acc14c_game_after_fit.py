"""The conditional game's settings that ``fit`` consumes, changed by ``set_params`` afterwards.

``fit`` learns, for the Gaussian sampler on a k-means background, the mean and covariance of the
rows it is given (the centres keep only the between-cluster covariance), and warns there when
the background has too few rows for the covariance. An explainer fitted with
``game="interventional"`` and switched by ``set_params(game="conditional")`` skipped all of it:
``transform`` silently used the centres' covariance (a feature independent of the others, at
its mean, got -1.15 where the truth is about 0), and a background of 3 rows on 3 features gave
undetermined values without the warning.
"""

import warnings

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression

from skxai import ExactShapleyExplainer, KernelShapExplainer, ShapleySamplingExplainer


@pytest.fixture(scope="module")
def correlated():
    rng = np.random.RandomState(0)
    Z = rng.normal(size=(2000, 3))
    X = np.column_stack([Z[:, 0], 0.9 * Z[:, 0] + np.sqrt(1 - 0.81) * Z[:, 1], Z[:, 2]])
    return X, LinearRegression().fit(X, X @ [1.0, 1.0, 0.5])


@pytest.mark.parametrize("cls", [ExactShapleyExplainer, KernelShapExplainer, ShapleySamplingExplainer])
def test_game_switched_to_conditional_after_fit_is_refused(correlated, cls):
    X, model = correlated
    est = cls(model, background="kmeans", max_background=10, random_state=0).fit(X)
    est.set_params(game="conditional")
    with pytest.raises(ValueError, match=r"game='conditional' \(fit used game='interventional'\)"):
        est.transform(X[:2])
    # refitted, it is the conditional game fitted as such
    ref = cls(model, game="conditional", background="kmeans", max_background=10, random_state=0).fit(X)
    np.testing.assert_array_equal(est.fit(X).transform(X[:2]), ref.transform(X[:2]))


def test_game_switched_after_fit_on_a_tiny_background_is_refused(correlated):
    X, model = correlated
    est = ExactShapleyExplainer(model, max_background=3, random_state=0).fit(X)
    est.set_params(game="conditional")
    with pytest.raises(ValueError, match="game="):
        est.explain(X[:1])
    with pytest.warns(UserWarning, match="learns the covariance of 3 features from 3"):
        est.fit(X)


def test_gaussian_sampler_chosen_after_fit_on_kmeans_uses_the_data_moments(correlated):
    # fitted with the empirical sampler, then switched to the Gaussian one (a change allowed
    # after fit): the Gaussian conditionals must come from the data's covariance, as when it
    # is given at fit, not from the k-means centres'
    X, model = correlated
    x = np.array([[2.0, 1.0, 0.0]])
    kw = dict(game="conditional", background="kmeans", max_background=10, random_state=0,
              n_conditional_samples=4000)
    ref = ExactShapleyExplainer(model, **kw).fit(X).transform(x)
    est = ExactShapleyExplainer(model, conditional_sampler="empirical", **kw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        est.fit(X)
    got = est.set_params(conditional_sampler="gaussian").transform(x)
    np.testing.assert_array_equal(got, ref)
    # x2 is independent of the others and at its mean: about 0 (it got -1.15 from the centres)
    assert abs(ref[0, 2]) < 0.05
