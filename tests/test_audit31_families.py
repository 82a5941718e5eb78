"""Findings of audits of the less-used families: batch_size below the background size, equal rows
of the random control, and the one-standard-error rule beside an array parameter."""

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression

from skxai import ExactShapleyExplainer, KernelShapExplainer, LimeExplainer, RandomExplainer


@pytest.mark.parametrize(
    "make",
    [
        lambda f, b: ExactShapleyExplainer(f, batch_size=b, max_background=200, random_state=0),
        lambda f, b: KernelShapExplainer(f, batch_size=b, max_background=200, random_state=0),
        lambda f, b: LimeExplainer(f, batch_size=b, max_background=200, perturbation="average", n_samples=20,
                                   random_state=0),
    ],
)  # fmt: skip
def test_model_calls_hold_at_most_batch_size_rows_below_the_background_size(make):
    # every call held one whole background block (200 rows at batch_size=16)
    sizes = []

    def model(Z):
        sizes.append(len(Z))
        return Z @ np.array([1.0, -2.0, 0.5, 3.0])

    X = np.random.RandomState(0).normal(size=(500, 4))
    small = make(model, 16).fit(X).transform(X[:2])
    assert max(sizes) <= 16
    np.testing.assert_allclose(small, make(model, 100_000).fit(X).transform(X[:2]), rtol=0, atol=1e-12)


def test_the_random_control_gives_equal_rows_equal_values():
    X = np.random.RandomState(0).normal(size=(30, 3))
    ex = RandomExplainer(LinearRegression().fit(X, X[:, 0]), random_state=0).fit(X)
    values = ex.transform(np.array([[0.0, 1.0, 2.0], [-0.0, 1.0, 2.0]]))
    np.testing.assert_array_equal(values[0], values[1])  # -0.0 == 0.0 hashed apart


def test_the_one_standard_error_rule_compares_array_parameters_by_their_elements():
    from skxai.metrics import one_standard_error_rule

    base = np.full((1, 8, 8), 0.25)
    cv_results = {
        "params": [
            {"n_steps": 4, "baseline": "zeros"},
            {"n_steps": 16, "baseline": "zeros"},
            {"n_steps": 4, "baseline": base},
            {"n_steps": 16, "baseline": base.copy()},
        ],
        "param_n_steps": np.ma.masked_array([4, 16, 4, 16], dtype=object),
        "mean_test_score": np.array([0.5, 0.6, 0.7, 0.9]),
        "std_test_score": np.array([0.1, 0.1, 0.1, 0.1]),
        "split0_test_score": np.zeros(4),
        "split1_test_score": np.zeros(4),
        "split2_test_score": np.zeros(4),
        "rank_test_score": np.array([4, 3, 2, 1]),
    }
    # the line is 0.9 - 0.1 / sqrt(3 - 1) = 0.83: among the candidates with the best one's array
    # baseline, 4 steps (0.7) falls below it, so the best itself stays (the comparison of the
    # array baselines raised numpy's "truth value of an array is ambiguous")
    assert one_standard_error_rule("n_steps")(cv_results) == 3
    cv_results["mean_test_score"] = np.array([0.5, 0.6, 0.85, 0.9])
    assert one_standard_error_rule("n_steps")(cv_results) == 2  # 4 steps on the array is within


def test_the_one_standard_error_rule_takes_tensors_and_nan_beside_the_tuned_parameter():
    torch = pytest.importorskip("torch")
    from skxai.metrics import one_standard_error_rule

    for other in (torch.full((1, 8, 8), 0.25), float("nan")):
        cv_results = {
            "params": [{"n_steps": 4, "baseline": other}, {"n_steps": 16, "baseline": other}],
            "param_n_steps": np.ma.masked_array([4, 16], dtype=object),
            "mean_test_score": np.array([0.88, 0.9]),
            "std_test_score": np.array([0.1, 0.1]),
            "split0_test_score": np.zeros(2),
            "split1_test_score": np.zeros(2),
            "split2_test_score": np.zeros(2),
            "rank_test_score": np.array([2, 1]),
        }
        assert one_standard_error_rule("n_steps")(cv_results) == 0  # 4 steps within the line


def test_missing_cells_of_object_arrays_include_numpys_nat_and_nan():
    import pandas as pd

    from skxai.utils._missing import _missing_objects, missing_cells

    cells = np.array([1, None, np.nan, pd.NA, "x", pd.NaT, np.datetime64("NaT"), np.float32("nan")], dtype=object)
    want = [False, True, True, True, False, True, True, True]
    np.testing.assert_array_equal(missing_cells(cells), want)
    np.testing.assert_array_equal(_missing_objects(cells).astype(bool), want)  # without pandas
