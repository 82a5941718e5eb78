"""Attributions given to the metrics as an Explanation, a background mean kept by an image
explainer, and empty batches of maps (an outside audit of the image metrics, session 29)."""

import warnings

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression, LogisticRegression

from skxai import ExactShapleyExplainer, ImageShapleyExplainer, KernelShapExplainer
from skxai.metrics import completeness_gap, deletion_auc, energy_pointing_game, pointing_game


def _tabular():
    X = np.random.RandomState(0).normal(size=(30, 3))
    return ExactShapleyExplainer(LinearRegression().fit(X, X @ [1.0, 2.0, 3.0])).fit(X), X[:3]


def test_completeness_gap_takes_an_explanation():
    # it reached numpy whole: "'str' object has no attribute 'ndim'"
    ex, X = _tabular()
    exp = ex.explain(X)
    np.testing.assert_array_equal(completeness_gap(ex, X, attributions=exp), completeness_gap(ex, X))
    np.testing.assert_array_equal(
        completeness_gap(ex, X, attributions=exp[:, ["x2", "x0", "x1"]]), completeness_gap(ex, X)
    )


def test_an_explanation_of_another_output_is_refused():
    X = np.random.RandomState(0).normal(size=(40, 3))
    y = np.digitize(X[:, 0], [-0.5, 0.5])
    clf = LogisticRegression().fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scored = KernelShapExplainer(clf, target="predicted", n_samples=14).fit(X[:20])
        other = KernelShapExplainer(clf, target=0, n_samples=14).fit(X[:20]).explain(X[:4])
    assert (scored.target_indices(X[:4]) != 0).any()
    with pytest.raises(ValueError, match="attributions explain output 0 of sample"):
        deletion_auc(scored, X[:4], attributions=other)
    same = scored.explain(X[:4])
    np.testing.assert_array_equal(
        deletion_auc(scored, X[:4], attributions=same), deletion_auc(scored, X[:4], attributions=same.target_values)
    )


def test_background_mean_of_an_image_explainer_that_keeps_it():
    f = lambda z: (np.asarray(z) * np.arange(16.0).reshape(1, 4, 4)).reshape(len(z), -1).sum(1, keepdims=True)  # noqa: E731
    X = np.random.RandomState(0).uniform(size=(3, 1, 4, 4))
    kept = ImageShapleyExplainer(f, method="exact", n_segments=(2, 2), baseline="background_mean").fit(X)
    mean = np.broadcast_to(X.mean(axis=0), X.shape)
    np.testing.assert_allclose(
        deletion_auc(kept, X, baseline="background_mean"), deletion_auc(kept, X, baseline=mean), rtol=1e-12
    )
    plain = ImageShapleyExplainer(f, method="exact", n_segments=(2, 2)).fit(X)
    with pytest.raises(ValueError, match="keeps none"):
        deletion_auc(plain, X, baseline="background_mean")


@pytest.mark.parametrize("game", [pointing_game, energy_pointing_game])
def test_an_empty_batch_of_maps_is_refused_by_name(game):
    with pytest.raises(ValueError, match="maps hold no samples"):
        game(np.zeros((0, 5, 5)), np.zeros((0, 5, 5), bool))


def test_grey_images_without_a_channel_axis_warn():
    from sklearn.datasets import load_digits

    imgs = load_digits().images[:2] / 16
    g = lambda z: np.asarray(z).reshape(len(z), -1).sum(1, keepdims=True)  # noqa: E731
    with pytest.warns(UserWarning, match=r"read as signals of 8 channels and length 8.*image_shape=\(8, 8\)"):
        ImageShapleyExplainer(g, method="kernel", n_segments=16, random_state=0).fit(imgs)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ex = ImageShapleyExplainer(g, n_segments=16, image_shape=(8, 8), random_state=0).fit(imgs)
    assert ex.image_shape_ == (1, 8, 8)


def test_long_multichannel_signals_do_not_warn():
    # a 12-lead ECG of 500 samples is a signal, not a grey image
    g = lambda z: np.asarray(z).reshape(len(z), -1).sum(1, keepdims=True)  # noqa: E731
    signals = np.random.RandomState(0).normal(size=(2, 12, 500))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ImageShapleyExplainer(g, method="kernel", n_segments=10, random_state=0).fit(signals)


def test_an_explanation_of_predicted_outputs_is_checked_against_the_scored_ones():
    X = np.random.RandomState(0).normal(size=(40, 3))
    clf = LogisticRegression().fit(X, np.digitize(X[:, 0], [-0.5, 0.5]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        zero = KernelShapExplainer(clf, target=0, n_samples=14).fit(X[:20])
        exp = KernelShapExplainer(clf, target="predicted", n_samples=14).fit(X[:20]).explain(X[:6])
    exp.target_index = "predicted"  # as an Explanation made by hand says it
    assert (exp._target_positions() != 0).any()
    with pytest.raises(ValueError, match="attributions explain output"):
        deletion_auc(zero, X[:6], attributions=exp)
