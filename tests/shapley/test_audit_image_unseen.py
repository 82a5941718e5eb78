"""ImageShapleyExplainer on inputs its first tests did not try."""

import itertools
import math
import warnings

import numpy as np
import pytest

from skxai._games._image import grid_segments, replacement_images
from skxai.shapley import ImageShapleyExplainer

_W = np.random.RandomState(0).normal(size=(2, 2 * 5 * 7))


def _model(A):
    z = np.asarray(A).reshape(len(A), -1) @ _W.T
    return np.tanh(z) + 0.1 * z**2


def _total(A):
    return np.asarray(A).reshape(len(A), -1).sum(axis=1, keepdims=True)


@pytest.mark.parametrize("baseline", [0.0, "channel_mean", "blur"])
def test_exact_values_are_brute_force_shapley_on_odd_non_square_images(baseline):
    X = np.random.RandomState(1).uniform(size=(2, 2, 5, 7))
    exp = (
        ImageShapleyExplainer(_model, method="exact", n_segments=(2, 3), baseline=baseline, target=0).fit(X).explain(X)
    )
    repl = replacement_images(X, baseline)
    for i in range(2):
        seg = exp.segments[i]

        def v(S, i=i, seg=seg):
            return _model(np.where(np.isin(seg, list(S))[None], X[i], repl[i])[None])[0]

        phi = np.zeros((6, 2))
        for j in range(6):
            others = [o for o in range(6) if o != j]
            for r in range(6):
                w = math.factorial(r) * math.factorial(5 - r) / math.factorial(6)
                for S in itertools.combinations(others, r):
                    phi[j] += w * (v(S + (j,)) - v(S))
        np.testing.assert_allclose(exp.player_values[i], phi, atol=1e-12)
    np.testing.assert_allclose(exp.player_values.sum(1) + exp.base_values, _model(X), atol=1e-12)


def test_exact_with_region_counts_that_differ_has_no_std():
    # a custom segmentation gives the images 2 and 4 regions: player_values is a list, and
    # std (not estimated by "exact") is None as with equal counts, not a list of None
    def seg(img):
        lab = np.zeros(img.shape[1:], dtype=int)
        lab[:, 3:] = 1
        if img[0, 0, 0] > 0.5:
            lab[2:] += 2
        return lab

    X = np.random.RandomState(2).uniform(size=(2, 1, 5, 6))
    X[0, 0, 0, 0], X[1, 0, 0, 0] = 0.9, 0.1
    for method in ("exact", "lime"):
        exp = (
            ImageShapleyExplainer(_total, method=method, segmentation=seg, n_samples=20, random_state=0)
            .fit(X)
            .explain(X)
        )
        assert [len(p) for p in exp.player_values] == [4, 2]
        assert exp.std is None, method
        assert "std" not in exp.fields()
    sampled = (
        ImageShapleyExplainer(_total, method="sampling", segmentation=seg, n_samples=20, random_state=0)
        .fit(X)
        .explain(X)
    )
    assert [np.shape(s) for s in sampled.std] == [(4, 1), (2, 1)]


def test_grid_of_an_int_on_volumes_is_a_clear_error_or_a_grid():
    X = np.random.RandomState(3).uniform(size=(2, 1, 3, 4, 5))
    ok = ImageShapleyExplainer(_total, method="exact", n_segments=(1, 2, 2)).fit(X).explain(X)
    assert ok.player_values.shape == (2, 4, 1)
    with pytest.raises(ValueError, match=r"n_segments=4.*3 spatial axes.*cells per axis"):
        ImageShapleyExplainer(_total, method="exact", n_segments=4).fit(X).explain(X)
    with pytest.raises(ValueError, match=r"cells per axis"):
        grid_segments((3, 4, 5), 4)


def test_channels_last_images_given_as_x_warn_as_with_image_shape():
    rng = np.random.RandomState(4)
    with pytest.warns(UserWarning, match=r"shape \(8, 6, 3\), read as \(C, H, W\)"):
        ImageShapleyExplainer(_total, n_segments=4).fit(rng.uniform(size=(2, 8, 6, 3)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ImageShapleyExplainer(_total, n_segments=4).fit(rng.uniform(size=(2, 3, 8, 6)))
        ImageShapleyExplainer(_total, n_segments=4).fit(rng.uniform(size=(2, 1, 8, 6)))
        ImageShapleyExplainer(_total, n_segments=4).fit(rng.uniform(size=(2, 2, 4, 4)))


def test_background_mean_baseline_is_the_mean_of_the_fit_images():
    # the shared vocabulary's "background_mean" failed at explain ("needs background data"),
    # then was refused at fit; it is the mean image of fit's data, as for the other families
    X = np.random.RandomState(5).uniform(size=(3, 64))
    mean = X.mean(axis=0).reshape(8, 8)
    named = ImageShapleyExplainer(
        _total, image_shape=(8, 8), n_segments=4, method="exact", baseline="background_mean"
    ).fit(X)
    np.testing.assert_array_equal(named.baseline_image_, mean.reshape(1, 8, 8))
    exp = named.explain(X)
    np.testing.assert_allclose(exp.base_values[:, 0], mean.sum())
    given = (
        ImageShapleyExplainer(_total, image_shape=(8, 8), n_segments=4, method="exact", baseline=mean).fit(X).explain(X)
    )
    np.testing.assert_array_equal(exp.values, given.values)
    # set after fit, another baseline takes effect (the mean image stayed in use), and the
    # mean image asks for a fit
    assert named.set_params(baseline=0.0).explain(X[:1]).base_values[0, 0] == 0.0
    fitted_zero = ImageShapleyExplainer(_total, image_shape=(8, 8), n_segments=4, method="exact", baseline=0.0).fit(X)
    with pytest.raises(ValueError, match="set after fit: fit again"):
        fitted_zero.set_params(baseline="background_mean").explain(X[:1])
    # a refit with another baseline drops the mean image
    assert not hasattr(named.set_params(baseline="zeros").fit(X), "baseline_image_")
