"""The Gaussian sampler warns at fit when the background's features are nearly collinear (session 23).

An outside audit: with x1 = x0 + noise of 1e-5 (1e-7) of their spread, a row with x1 one unit
off x0 got values of -1,390 (-155,000) from a linear model with coefficients of at most 2, std
0.02, and no warning; they are right for the fitted Gaussian, whose conditional of x1 given x0
has almost no variance, but nothing told the user. Only a background with no more rows than
features warned.
"""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LinearRegression, LogisticRegression

from skxai import ExactShapleyExplainer, KernelShapExplainer


def _data(eps, seed=0):
    rng = np.random.RandomState(seed)
    Z = rng.normal(size=(300, 4))
    Z[:, 2] += 0.5 * Z[:, 0]
    Z[:, 1] = Z[:, 0] + eps * rng.normal(size=300)
    return Z


def _linear():
    Z = _data(0.1)
    return LinearRegression().fit(Z, Z @ [1.0, 2.0, -1.0, 0.5])


@pytest.mark.parametrize("eps", [1e-5, 1e-9, 0.0])
def test_nearly_collinear_features_warn_and_are_named(eps):
    explainer = ExactShapleyExplainer(_linear(), game="conditional", max_background=None, random_state=0)
    with pytest.warns(UserWarning, match=r"nearly singular \(condition number .*; nearly collinear: x0, x1\)"):
        explainer.fit(_data(eps))


def test_a_frame_names_its_columns():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(_data(1e-6), columns=["height", "height_again", "weight", "age"])
    model = LinearRegression().fit(frame, frame.to_numpy() @ [1.0, 2.0, -1.0, 0.5])
    explainer = KernelShapExplainer(model, game="conditional", n_samples=16, random_state=0)
    with pytest.warns(UserWarning, match="nearly collinear: (height, height_again|height_again, height)"):
        explainer.fit(frame)


@pytest.mark.parametrize("sampler, eps", [("gaussian", 0.1), ("empirical", 1e-7)])
def test_no_warning_for_correlated_features_or_another_sampler(sampler, eps):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ExactShapleyExplainer(_linear(), game="conditional", conditional_sampler=sampler, max_background=None,
                              random_state=0).fit(_data(eps))


def test_no_warning_on_a_real_table_with_strongly_related_columns():
    # breast_cancer's radius, perimeter and area: a condition number of 1e5
    X, y = load_breast_cancer(return_X_y=True)
    model = LogisticRegression(max_iter=5000).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        KernelShapExplainer(model, game="conditional", n_samples=100, max_background=None, random_state=0).fit(X)


@pytest.mark.parametrize("cls", [ExactShapleyExplainer, KernelShapExplainer])
def test_too_few_conditional_samples_for_an_error_warn_at_fit(cls):
    # documented (std inf below 8 samples), and now said at fit (an outside audit found the
    # infs unannounced)
    X = _data(0.5)
    explainer = cls(_linear(), game="conditional", n_conditional_samples=4, max_background=None, random_state=0)
    with pytest.warns(UserWarning, match="n_conditional_samples=4 is fewer than the 8 groups"):
        explainer.fit(X)
    assert np.all(np.isinf(explainer.explain(X[:1]).std))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cls(_linear(), game="conditional", conditional_sampler="empirical", n_conditional_samples=4,
            max_background=None, random_state=0).fit(X)
