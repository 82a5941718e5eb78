"""score and GridSearchCV over explainers in combinations (audit D)."""

import numpy as np
import pytest

from skxai.metrics import one_standard_error_rule


def _cv_results(values):
    k = len(values)
    return {"param_n_samples": np.ma.masked_array(np.asarray(values, dtype=object)),
            "params": [{"n_samples": v} for v in values],
            "mean_test_score": np.array([0.80, 0.79, 0.5][:k]), "std_test_score": np.full(k, 0.02),
            "split0_test_score": np.zeros(k), "split1_test_score": np.zeros(k)}


def test_one_standard_error_rule_names_a_budget_without_a_numeric_cost():
    # KernelShapExplainer's n_samples="auto" in the grid: "could not convert string to float: 'auto'"
    with pytest.raises(ValueError, match=r"n_samples='auto' has no numeric cost; pass cost="):
        one_standard_error_rule("n_samples")(_cv_results(["auto", 100, 10]))


def test_one_standard_error_rule_takes_a_cost_for_auto():
    rule = one_standard_error_rule("n_samples", cost=lambda v: 2048 if v == "auto" else v)
    assert rule(_cv_results(["auto", 100, 10])) == 1


def test_one_standard_error_rule_grid_search_over_conditional_game_is_deterministic():
    from sklearn.datasets import load_iris
    from sklearn.frozen import FrozenEstimator
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV

    from skxai import ShapleySamplingExplainer

    X, y = load_iris(return_X_y=True)
    model = FrozenEstimator(LogisticRegression(max_iter=500).fit(X, y))
    grid = {"n_conditional_samples": [4, 16]}

    def search():
        explainer = ShapleySamplingExplainer(model, game="conditional", n_permutations=4, random_state=0)
        return GridSearchCV(explainer, grid, cv=2, refit=one_standard_error_rule("n_conditional_samples")).fit(X[::5])

    first, second = search(), search()
    np.testing.assert_array_equal(first.cv_results_["mean_test_score"], second.cv_results_["mean_test_score"])
    assert np.isfinite(first.cv_results_["mean_test_score"]).all()
    assert first.best_params_ == second.best_params_
