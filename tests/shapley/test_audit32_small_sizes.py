"""Warnings and messages at the edges of the problem sizes."""

import warnings

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression
from sklearn.tree import DecisionTreeRegressor

from skxai import ShapleySamplingExplainer, TreeShapExplainer


@pytest.mark.parametrize("p", [2, 5])
def test_one_permutation_warns_that_its_errors_are_unknown(p):
    # 2 and 3 permutations warned; 1 reported std inf everywhere without a word
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, p))
    model = LinearRegression().fit(X, X[:, 0] * X[:, 1])
    with pytest.warns(
        UserWarning, match=f"n_permutations=1 walks one permutation of {p} features.*std is reported as inf"
    ):
        explainer = ShapleySamplingExplainer(model.predict, n_permutations=1, random_state=0).fit(X)
    assert np.isinf(explainer.explain(X[:2]).std).any()


def test_one_permutation_of_one_feature_is_exact_and_quiet():
    X = np.random.default_rng(0).normal(size=(30, 1))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        exp = (
            ShapleySamplingExplainer(LinearRegression().fit(X, X[:, 0]).predict, n_permutations=1).fit(X).explain(X[:2])
        )
    assert np.all(exp.std < 1e-12)  # exact: the rounding of its values alone


def test_tree_shap_lists_a_few_outputs_and_says_there_are_more():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    Y = X @ rng.normal(size=(3, 20))
    explainer = TreeShapExplainer(DecisionTreeRegressor(max_depth=3, random_state=0).fit(X, Y)).fit(X)
    with pytest.raises(ValueError, match=r"explains all 20 outputs \(0, 1, 2, 3, 4, 5, 6, 7, \.\.\.\)"):
        explainer.transform(X[:2])
