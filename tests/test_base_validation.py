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


@pytest.mark.parametrize("family", ["kernel", "tree", "anchors"])
def test_a_frame_with_columns_not_seen_in_fit_is_refused_naming_them(family):
    pd = pytest.importorskip("pandas")
    from sklearn.ensemble import RandomForestClassifier

    from skxai.anchors import AnchorTabularExplainer
    from skxai.shapley import KernelShapExplainer, TreeShapExplainer

    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.normal(size=(40, 3)), columns=["a", "b", "c"])
    y = (X["a"] > 0).astype(int)
    model = RandomForestClassifier(n_estimators=3, random_state=0).fit(X, y)
    make = {"kernel": KernelShapExplainer, "tree": TreeShapExplainer, "anchors": AnchorTabularExplainer}[family]
    explainer = make(model, random_state=0).fit(X) if family != "tree" else make(model).fit(X)
    with pytest.raises(ValueError, match=r"columns not seen in fit: \['id'\]"):
        explainer.transform(X.head(2).assign(id=[7, 8]))
    with pytest.raises(ValueError, match=r"missing columns seen in fit: \['c'\]"):
        explainer.transform(X.head(2).drop(columns="c"))
    # the same columns in another order are matched by name, as scikit-learn does
    reordered = explainer.transform(X.head(2)[["c", "a", "b"]])
    np.testing.assert_array_equal(reordered, explainer.transform(X.head(2)))
