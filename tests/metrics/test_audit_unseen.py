"""Audit on inputs the metrics' authors did not try: every bug found has a test here."""

import numpy as np
import pytest
from sklearn.base import BaseEstimator
from sklearn.linear_model import LinearRegression

from skxai import ExactShapleyExplainer
from skxai.metrics import (
    avg_sensitivity,
    completeness_gap,
    faithfulness_correlation,
    max_sensitivity,
    spearman_similarity,
    ssim_similarity,
)
from skxai.metrics._faithfulness import row_pearson


@pytest.fixture(scope="module")
def shapley():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 4))
    model = LinearRegression().fit(X, X @ [1.0, 2.0, 3.0, -1.0])
    return ExactShapleyExplainer(model).fit(X[:10]), X[:3]


def test_completeness_gap_rejects_attributions_of_the_wrong_number_of_players(shapley):
    # 7 values for 4 players used to be summed into a gap without a word
    ex, X = shapley
    with pytest.raises(ValueError, match=r"expected \(n_samples, n_players\)"):
        completeness_gap(ex, X, attributions=np.ones((3, 7)))


def test_completeness_gap_rejects_nan_attributions(shapley):
    ex, X = shapley
    with pytest.raises(ValueError, match="NaN"):
        completeness_gap(ex, X, attributions=np.full((3, 4), np.nan))


@pytest.mark.parametrize("metric", [max_sensitivity, avg_sensitivity])
def test_sensitivity_rejects_nan_attributions(shapley, metric):
    # a NaN explanation of x used to give a NaN sensitivity, unlike every other metric
    ex, X = shapley
    A = ex.transform(X)
    A[1, 2] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        metric(ex, X, attributions=A)


def test_sensitivity_rejects_nan_explanations_of_perturbed_inputs(shapley):
    ex, X = shapley

    class NanAway(BaseEstimator):  # NaN for any input but the original samples
        batch_size = None

        def fit(self, X):
            self.fitted_ = True
            return self

        def transform(self, Z):
            return np.full((len(Z), 4), np.nan)

    with pytest.raises(ValueError, match="perturbed inputs contain NaN"):
        max_sensitivity(NanAway().fit(X), X, attributions=ex.transform(X))


@pytest.mark.parametrize("absolute", [False, True])
def test_spearman_similarity_rejects_nan_maps(absolute):
    # one NaN in a randomised map used to give similarity 0: "the map changed", a fake pass
    A = np.random.RandomState(0).rand(2, 3, 8, 8)
    B = A.copy()
    B[0, 0, 0, 0] = np.nan
    with pytest.raises(ValueError, match=r"samples \[0\] contain NaN"):
        spearman_similarity(A, B, absolute=absolute)


def test_ssim_similarity_rejects_nan_maps():
    pytest.importorskip("skimage")
    A = np.random.RandomState(0).rand(2, 3, 8, 8)
    B = A.copy()
    B[1, 2, 3, 4] = np.inf
    with pytest.raises(ValueError, match=r"samples \[1\] contain NaN"):
        ssim_similarity(A, B)


def test_faithfulness_correlation_of_identical_subsets_is_refused_not_rounding_noise(shapley):
    # subset_size = every unit: all subsets are the same, both terms are constant; the
    # rounding of their means used to be correlated into +-1 for some samples, then 0 for
    # every explainer: the correlation is undefined, and said so
    ex, X = shapley
    with pytest.raises(ValueError, match="undefined with 4 unit.*subset_size=4"):
        faithfulness_correlation(ex, X, subset_size=4)


def test_row_pearson_of_constant_rows_is_zero():
    # two constant rows whose means do not round back to their values: the centred rows were
    # equal non-zero noise, correlated into +-1
    a, b = np.full((1, 7), 0.1), np.full((1, 7), 0.7)
    assert (a - a.mean()).any() and (b - b.mean()).any()
    assert row_pearson(a, b)[0] == 0.0




def _three_classes():
    from sklearn.linear_model import LogisticRegression

    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 3))
    model = LogisticRegression().fit(X, np.digitize(X[:, 0], [-0.5, 0.5]))
    # a sample on the boundary between classes 1 and 2: noise flips its predicted class
    grid = np.c_[np.linspace(0, 1.5, 3001), np.zeros((3001, 2))]
    i = np.flatnonzero(np.diff(model.predict(grid)))[0]
    return model, X, grid[i:i + 1]


@pytest.mark.parametrize("metric", [max_sensitivity, avg_sensitivity])
def test_sensitivity_compares_explanations_of_the_output_explained_for_x(metric):
    # target="predicted" (multi-class default): a perturbation that flips the predicted class
    # used to be explained for the other class, 0.76 instead of 0.25 (explanations of two
    # different outputs compared as if the explanation had moved)
    model, X, x = _three_classes()
    predicted = ExactShapleyExplainer(model).fit(X[:30])
    assert predicted.target_index_ == "predicted"
    fixed = ExactShapleyExplainer(model, target=int(model.predict(x)[0])).fit(X[:30])
    np.testing.assert_allclose(metric(predicted, x), metric(fixed, x), rtol=1e-12)


def test_sensitivity_with_per_sample_targets():
    # one target per sample used to fail: "target holds 2 entries ... but 20 samples are explained"
    model, X, _ = _three_classes()
    per_sample = ExactShapleyExplainer(model, target=np.array([0, 2])).fit(X[:30])
    got = max_sensitivity(per_sample, X[:2])
    for i, t in enumerate([0, 2]):
        alone = ExactShapleyExplainer(model, target=t).fit(X[:30])
        np.testing.assert_allclose(got[i], max_sensitivity(alone, X[:2])[i], rtol=1e-12)
    assert isinstance(per_sample.target_index_, np.ndarray) and per_sample.target_index_.tolist() == [0, 2]
