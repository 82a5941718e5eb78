"""The conditional game on a background of one row says that it is the interventional game."""

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression

from skxai import ExactShapleyExplainer


@pytest.mark.parametrize(
    ("settings", "rows"),
    [({"conditional_sampler": "empirical"}, 1), ({"conditional_sampler": "empirical", "max_background": 1}, 200),
     ({}, 1)],
)  # fmt: skip
def test_one_background_row_warns_that_nothing_is_conditioned_on(settings, rows):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    X[:, 1] += 2 * X[:, 0]
    model = LinearRegression().fit(X, X @ [1.0, 1.0, 1.0])
    with pytest.warns(UserWarning, match="background of 1 row: a single row holds no dependence"):
        est = ExactShapleyExplainer(model, game="conditional", random_state=0, **settings).fit(X[:rows])
    x = np.array([[1.0, -2.0, 0.5]])
    interventional = ExactShapleyExplainer(model, max_background=1).fit(est.background_).transform(x)
    np.testing.assert_allclose(est.transform(x), interventional, atol=1e-12)
