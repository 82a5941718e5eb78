"""A scorer is one number per sample, and completeness sums the attributions of the input.

An outside audit found a scorer built from ``average_drop_increase_gain`` averaging its three
figures (drop: lower is better; increase and gain: higher) into one, and ``completeness_gap``
summing attributions of any shape for arrays (ones of shape (3, 5, 5) for 1x8x8 images)."""

import numpy as np
import pytest
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression

import skxai.metrics as M
from skxai import KernelShapExplainer

torch = pytest.importorskip("torch")


@pytest.fixture(scope="module")
def tabular():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 4))
    model = LogisticRegression().fit(X, (X[:, 0] + X[:, 1] > 0).astype(int))
    return KernelShapExplainer(FrozenEstimator(model), n_samples=32, max_background=10, random_state=0).fit(X), X


def test_the_three_figures_are_not_a_score(tabular):
    ex, X = tabular
    with pytest.raises(ValueError, match="three figures per sample.*'average_drop'"):
        M.make_explanation_scorer(M.average_drop_increase_gain, greater_is_better=False)
    with pytest.raises(ValueError, match="three figures per sample"):
        M.score_explainer(ex, X[:5], scoring=M.average_drop_increase_gain)
    # each figure on its own is a score
    drop = M.make_explanation_scorer("average_drop")(ex, X[:5])
    assert drop == pytest.approx(-M.average_drop_increase_gain(ex, X[:5]).drop.mean())


def test_a_foreign_metric_of_several_figures_per_sample_is_refused(tabular):
    ex, X = tabular

    def two_figures(explainer, X):
        return np.ones((2, len(X)))

    scorer = M.make_explanation_scorer(two_figures, greater_is_better=True)
    with pytest.raises(ValueError, match=r"shape \(2, 5\).*one value per sample"):
        scorer(ex, X[:5])


def test_completeness_of_images_refuses_attributions_of_another_shape():
    from skxai import IntegratedGradientsExplainer

    torch.manual_seed(0)
    net = torch.nn.Sequential(
        torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.ReLU(), torch.nn.Flatten(), torch.nn.Linear(256, 3)
    ).eval()
    X = np.random.RandomState(0).rand(4, 1, 8, 8).astype(np.float32)
    ex = IntegratedGradientsExplainer(net).fit(X)
    A = ex.transform(X)
    gap = M.completeness_gap(ex, X, attributions=A)
    np.testing.assert_array_equal(M.completeness_gap(ex, X, attributions=A.sum(axis=1)), gap)  # channels summed
    for bad in (np.ones((4, 3, 5, 5)), np.concatenate([A, A], axis=1), np.ones((4, 7))):
        with pytest.raises(ValueError, match="completeness sums the attributions of every input value"):
            M.completeness_gap(ex, X, attributions=bad)


def test_completeness_of_flattened_colour_images_counts_a_summed_map_once():
    # the map summed over channels was spread back over the 3 channels of a model that takes
    # flattened images, and its gap read 2 (f(x) - f(0)) (the review of this session)
    from sklearn.linear_model import LinearRegression

    from skxai import ImageShapleyExplainer

    rng = np.random.RandomState(0)
    C, H, W = 3, 4, 4
    X = rng.rand(30, C * H * W)
    model = LinearRegression().fit(X, X @ rng.normal(size=C * H * W))
    ex = ImageShapleyExplainer(model, image_shape=(C, H, W), n_segments=4, method="exact").fit(X)
    x = X[:2]
    exact = x * model.coef_  # to the baseline 0
    for A in (exact, exact.reshape(2, C, H, W), exact.reshape(2, C, H, W).sum(axis=1)):
        np.testing.assert_allclose(M.completeness_gap(ex, x, attributions=A, baseline=0.0), 0.0, atol=1e-12)
    with pytest.raises(ValueError, match="completeness sums the attributions of every input value"):
        M.completeness_gap(ex, x, attributions=np.ones((2, 5, 5)), baseline=0.0)

