"""The one baseline vocabulary (skxai/_baselines.py) and its users agreeing on it."""

import warnings

import numpy as np
import pytest
from scipy.ndimage import gaussian_filter

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from skxai import IntegratedGradientsExplainer  # noqa: E402
from skxai._baselines import BLUR_SIGMA, make_baseline  # noqa: E402
from tests._nets import one_torch_thread, seeded_float64, small_cnn  # noqa: E402, F401


def _images(n=4, seed=0):
    return np.random.RandomState(seed).normal(size=(n, 2, 8, 8))


def test_named_baselines_by_hand():
    X = _images()
    bg = _images(10, seed=1)
    np.testing.assert_array_equal(make_baseline("zeros", X), 0.0)
    np.testing.assert_allclose(make_baseline("background_mean", X, background=bg)[2], bg.mean(axis=0))
    cm = make_baseline("channel_mean", X)
    for i in range(4):
        for c in range(2):
            np.testing.assert_allclose(cm[i, c], X[i, c].mean())
    flat = X.reshape(4, -1)
    np.testing.assert_allclose(make_baseline("channel_mean", flat), np.repeat(flat.mean(axis=1, keepdims=True), 128, 1))
    # one blur rule: Gaussian over the spatial axes only, edges extended, default width BLUR_SIGMA
    ref = np.stack([gaussian_filter(x, sigma=(0, BLUR_SIGMA, BLUR_SIGMA), mode="nearest") for x in X])
    np.testing.assert_allclose(make_baseline("blur", X), ref)
    np.testing.assert_allclose(make_baseline("blur", X, sigma=1.0)[1, 0], gaussian_filter(X[1, 0], 1.0, mode="nearest"))
    np.testing.assert_allclose(make_baseline(0.5, X), 0.5)
    np.testing.assert_allclose(make_baseline(lambda A: A * 2, X), 2 * X)
    with pytest.raises(ValueError, match="broadcast"):
        make_baseline(np.zeros(3), X)
    with pytest.raises(ValueError, match="spatial"):
        make_baseline("blur", flat)
    with pytest.raises(ValueError, match="background"):
        make_baseline("background_mean", X)


def test_ig_and_deletion_share_the_blur_baseline():
    # deletion_auc(..., baseline="blur") must delete towards the very images IG integrates from
    from skxai.metrics import deletion_curve

    net = small_cnn(0)
    X = _images(3)
    ig = IntegratedGradientsExplainer(net, baseline="blur", n_steps=4, target=0).fit(X)
    exp = ig.explain(X)
    ref = np.stack([gaussian_filter(x, sigma=(0, BLUR_SIGMA, BLUR_SIGMA), mode="nearest") for x in X])
    np.testing.assert_allclose(exp.baselines, ref)
    curves, _ = deletion_curve(ig, X, baseline="blur")
    # everything deleted = the baseline image: its output is IG's f(x0)
    np.testing.assert_allclose(curves[:, -1], exp.base_values, rtol=1e-10, atol=1e-12)


def test_ig_baseline_vocabulary_and_deprecated_mean():
    net = seeded_float64(nn.Sequential(nn.Flatten(), nn.Linear(128, 3)), 0)
    X = _images(6)
    fit = np.random.RandomState(3).normal(size=(20, 2, 8, 8))
    coef = net[1].weight.detach().numpy()[0].reshape(2, 8, 8)
    for name, x0 in [
        ("background_mean", np.broadcast_to(fit.mean(axis=0), X.shape)),
        ("channel_mean", make_baseline("channel_mean", X)),
        (lambda A: A[:, ::-1] * 0.5, X[:, ::-1] * 0.5),
    ]:
        ig = IntegratedGradientsExplainer(net, baseline=name, n_steps=2, target=0, max_background=5).fit(fit)
        np.testing.assert_allclose(ig.transform(X), (X - x0) * coef, atol=1e-12)
    with pytest.warns(FutureWarning, match="background_mean"):
        old = IntegratedGradientsExplainer(net, baseline="mean", n_steps=2, target=0).fit(fit)
    np.testing.assert_allclose(old.baseline_, fit.mean(axis=0))


def test_metrics_mean_is_the_deprecated_channel_mean():
    from skxai.metrics import deletion_curve

    net = small_cnn(1)
    X = _images(2)
    ig = IntegratedGradientsExplainer(net, n_steps=2, target=0).fit(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        new, _ = deletion_curve(ig, X, baseline="channel_mean")
    with pytest.warns(FutureWarning, match="channel_mean"):
        old, _ = deletion_curve(ig, X, baseline="mean")
    np.testing.assert_allclose(old, new)
