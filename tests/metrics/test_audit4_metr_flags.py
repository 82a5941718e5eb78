"""Audit 4 (metrics as scores): a flag read by its truth value, and a refit rule's NaN width."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.linear_model import LinearRegression

from skxai import ExactShapleyExplainer
from skxai.metrics import completeness_gap, make_explanation_scorer, one_standard_error_rule


@pytest.fixture(scope="module")
def linear_case():
    X = np.array([[0.0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]])
    model = LinearRegression().fit(X, X @ [1.0, 2.0, 3.0])
    return ExactShapleyExplainer(model).fit(np.zeros((1, 3)))


def test_completeness_gap_relative_hand_worked(linear_case):
    # f = x . (1, 2, 3), zero background: at x = 1 the change is 6; attributions summing to 3
    # leave a gap of 3, relative 3 / 6
    x, A = np.ones((1, 3)), np.ones((1, 3))
    assert_allclose(completeness_gap(linear_case, x, attributions=A), [3.0])
    assert_allclose(completeness_gap(linear_case, x, attributions=A, relative=True), [0.5])
    assert_allclose(completeness_gap(linear_case, x, attributions=A, relative=np.bool_(False)), [3.0])


@pytest.mark.parametrize("relative", ["no", "False", None, 0])
def test_completeness_gap_refuses_a_relative_that_is_not_a_bool(linear_case, relative):
    # relative="no" was truthy: the gap came back divided by the change (0.5, not 3)
    with pytest.raises(ValueError, match="relative must be True or False"):
        completeness_gap(linear_case, np.ones((1, 3)), attributions=np.ones((1, 3)), relative=relative)


def _results(std_best):
    return {
        "param_n_samples": np.array([10, 20]),
        "mean_test_score": np.array([0.5, 1.0]),
        "std_test_score": np.array([0.1, std_best]),
        "split0_test_score": np.zeros(2),
        "split1_test_score": np.zeros(2),
    }


@pytest.mark.parametrize("n_se", [np.nan, np.inf, True])
def test_one_standard_error_rule_refuses_a_non_finite_width(n_se):
    # n_se=nan passed `n_se < 0`: the line was NaN, no candidate was kept and the rule died with
    # numpy's IndexError; n_se=inf over a zero std did the same (0 * inf)
    with pytest.raises(ValueError, match="n_se must be a non-negative"):
        one_standard_error_rule(n_se=n_se)(_results(0.0))


def test_one_standard_error_rule_widths_hand_worked():
    # best 1.0 with std0 0.1 over 2 splits: standard error 0.1 / sqrt(1) = 0.1; the line 1 - 5 * 0.1
    # = 0.5 keeps the cheaper candidate (0.5), 4 standard errors (line 0.6) do not
    assert one_standard_error_rule(n_se=5)(_results(0.1)) == 0
    assert one_standard_error_rule(n_se=4)(_results(0.1)) == 1
    assert one_standard_error_rule(n_se=0)(_results(0.0)) == 1


def _foreign(explainer, X):
    return np.arange(1.0, len(X) + 1.0)  # 1, 2, 3: mean 2


@pytest.mark.parametrize("flag", ["no", "False", 0, 1, None])
def test_scorer_greater_is_better_must_be_a_bool(flag):
    # greater_is_better="no" was truthy: a lower-is-better foreign metric kept its sign and a
    # search picked its worst candidate; on a named metric "False" was refused with the
    # message "greater_is_better=False contradicts" a lower-is-better metric
    if flag is None:  # a foreign metric must say its direction
        with pytest.raises(ValueError, match="greater_is_better=True or False"):
            make_explanation_scorer(_foreign, greater_is_better=flag)
        return
    with pytest.raises(ValueError, match="greater_is_better must be True or False"):
        make_explanation_scorer(_foreign, greater_is_better=flag)
    with pytest.raises(ValueError, match="greater_is_better must be True or False"):
        make_explanation_scorer("deletion_auc", greater_is_better=flag)


def test_scorer_signs_hand_worked():
    X = np.zeros((3, 2))
    assert make_explanation_scorer(_foreign, greater_is_better=True)(None, X) == 2.0
    assert make_explanation_scorer(_foreign, greater_is_better=np.bool_(False))(None, X) == -2.0
