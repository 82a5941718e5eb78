"""Checks at fit in the base: constraints inherited along the MRO, pruned to __init__, scoring names."""

import numbers

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression
from sklearn.utils._param_validation import Interval, InvalidParameterError

from skxai.base import BaseTabularExplainer
from skxai.utils._param_validation import TARGET


class _Means(BaseTabularExplainer):
    """Attributions x - mean(background) (a toy game, enough to exercise the base)."""

    # Declares only its own parameter: the shared ones come from the base anyway.
    _parameter_constraints = {"scale": [Interval(numbers.Real, 0, None, closed="neither")], "target": TARGET}

    def __init__(self, estimator, *, scale=1.0, target=None, response_method="auto", max_background=100,
                 background="sample", random_state=None, scoring=None):
        self.estimator = estimator
        self.scale = scale
        self.target = target
        self.response_method = response_method
        self.max_background = max_background
        self.background = background
        self.random_state = random_state
        self.scoring = scoring

    def _explain_rows(self, X):
        values = self.scale * (X - self.background_weights_ @ self.background_)[:, :, None]
        base = np.repeat(self.expected_value_[None], len(X), axis=0)
        return values, base, None, {}


def test_constraints_are_inherited_and_pruned_to_init():
    c = _Means._parameter_constraints
    assert set(c) == set(_Means._get_param_names())
    assert c["target"] == "no_validation"  # the list spelling becomes sklearn's string
    assert c["max_background"] == BaseTabularExplainer._parameter_constraints["max_background"]
    assert "n_jobs" not in c and "feature_groups" not in c  # parameters _Means does not take
    assert "n_jobs" in BaseTabularExplainer._parameter_constraints


@pytest.mark.parametrize("param, bad", [("scale", 0.0), ("max_background", 0), ("background", "median"),
                                        ("response_method", "probability"), ("random_state", "seed"),
                                        ("scoring", "foo"), ("scoring", 3)])
def test_bad_values_fail_at_fit_naming_the_parameter(param, bad):
    X = np.random.RandomState(0).normal(size=(20, 3))
    est = _Means(LinearRegression().fit(X, X[:, 0]), **{param: bad})
    with pytest.raises(InvalidParameterError, match=f"The '{param}' parameter of _Means must be .* Got .* instead"):
        est.fit(X)


def test_valid_values_pass():
    X = np.random.RandomState(0).normal(size=(20, 3))
    model = LinearRegression().fit(X, X @ [1.0, 2.0, 3.0])
    est = _Means(model, scale=2.0, scoring="infidelity", max_background=None).fit(X)
    np.testing.assert_allclose(est.transform(X[:2]), 2.0 * (X[:2] - X.mean(axis=0)))
