"""The Gaussian conditional game given a one-hot block (merged by feature_groups): its singular
correlation's rounding-size eigenvalue is cut (pinvh's default cutoff kept it at times, and its
inverse turned rounding into a bias of up to 20 standard errors)."""

import warnings

import numpy as np
from sklearn.linear_model import LinearRegression

from skxai import ExactShapleyExplainer


def test_a_one_hot_group_conditions_to_its_category_mean():
    rng = np.random.default_rng(0)
    n = 500
    z = rng.normal(size=n)
    a = z + 0.5 * rng.normal(size=n)
    cat = np.digitize(z + 0.5 * rng.normal(size=n), [-0.5, 0.5])
    X = np.column_stack([a, np.eye(3)[cat]])
    model = LinearRegression().fit(X, a)  # f(x) = a
    # two players: phi_cat = (E[a | cat] - E[a]) / 2, the Gaussian conditional mean given the
    # dummies being linear in them, i.e. each category's mean of a
    means = np.array([a[cat == c].mean() for c in range(3)])
    rows = [0, 1, 2, 3, 4, 5]
    truth = (means[cat[rows]] - a.mean()) / 2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # few distinct values in the dummies: said at fit
        ex = ExactShapleyExplainer(
            model,
            feature_groups={"a": [0], "cat": [1, 2, 3]},
            game="conditional",
            conditional_sampler="gaussian",
            n_conditional_samples=20_000,
            max_background=n,
            random_state=0,
        ).fit(X)
        exp = ex.explain(X[rows])
    phi, std = np.squeeze(exp.values, -1)[:, 1], np.squeeze(exp.std, -1)[:, 1]
    assert np.all(np.abs(phi - truth) <= 4 * std), (phi - truth, std)
    np.testing.assert_allclose(phi, truth, atol=5e-3)
