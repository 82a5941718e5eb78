"""ImageShapleyExplainer on image sizes, grids and settings its earlier audits did not try."""

import itertools
import math

import numpy as np
import pytest

from skxai._games._image import grid_segments, replacement_images
from skxai.shapley import ImageShapleyExplainer


def _model(A):
    A = np.asarray(A).reshape(len(A), -1)
    z = A @ np.random.RandomState(A.shape[1]).normal(size=A.shape[1])
    return np.c_[np.tanh(z), 0.1 * z**2]


def _brute_force(v, p):
    phi = 0.0
    out = []
    for j in range(p):
        phi = 0.0
        others = [o for o in range(p) if o != j]
        for r in range(p):
            w = math.factorial(r) * math.factorial(p - 1 - r) / math.factorial(p)
            for S in itertools.combinations(others, r):
                phi = phi + w * (v(S + (j,)) - v(S))
        out.append(phi)
    return np.array(out)


@pytest.mark.parametrize(
    ("shape", "n_segments", "baseline"),
    [
        ((1, 37, 120), (2, 3), "blur"),
        ((3, 3, 5), (2, 2), "channel_mean"),
        ((4, 1, 1), 3, 0.25),
        ((1, 3, 5), (3, 1), "zeros"),
    ],
)
def test_exact_is_brute_force_on_odd_sizes_and_channels(shape, n_segments, baseline):
    X = np.random.RandomState(0).uniform(size=(2,) + shape)
    exp = (
        ImageShapleyExplainer(_model, method="exact", n_segments=n_segments, baseline=baseline, target=0)
        .fit(X)
        .explain(X)
    )
    repl = replacement_images(X, baseline)
    seg = grid_segments(shape[1:], n_segments)
    p = int(seg.max()) + 1
    assert exp.player_values.shape == (2, p, 2)
    for i in range(2):

        def v(S, i=i):
            return _model(np.where(np.isin(seg, list(S))[None], X[i], repl[i])[None])[0]

        np.testing.assert_allclose(exp.player_values[i], _brute_force(v, p), atol=1e-12)
        # every pixel carries its region's values
        np.testing.assert_array_equal(exp.values[i], exp.player_values[i][exp.segments[i]])
    np.testing.assert_allclose(exp.player_values.sum(1) + exp.base_values, _model(X), atol=1e-12)


@pytest.mark.parametrize("n_segments", [(1.5, 2), (2, 2.5)])
def test_fractional_cells_per_axis_are_refused(n_segments):
    # (1.5, 2) was silently read as (1, 2): 2 regions where 3 were asked
    X = np.random.RandomState(0).uniform(size=(2, 1, 6, 7))
    with pytest.raises(ValueError, match=r"n_segments=.*whole numbers of cells"):
        ImageShapleyExplainer(_model, method="exact", n_segments=n_segments, target=0).fit(X).explain(X)
    with pytest.raises(ValueError, match=r"n_segments=.*whole numbers of cells"):
        grid_segments((6, 7), n_segments)


def test_whole_cells_per_axis_of_any_integer_type_are_taken():
    labels = grid_segments((6, 7), (np.int64(2), 3.0))
    assert labels.max() + 1 == 6


def test_exact_beyond_max_players_says_so_before_any_memory_arithmetic():
    # 102 grid regions: the memory check answered first, with "about 8.5e24 GiB ... lower
    # n_segments (or max_players)", though max_players is what refuses them
    X = np.random.RandomState(0).uniform(size=(1, 1, 37, 120))
    explainer = ImageShapleyExplainer(_model, method="exact", n_segments=100, target=0)
    with pytest.raises(ValueError, match=r"102 regions exceed max_players=16"):
        explainer.fit(X).explain(X)
    slic_like = ImageShapleyExplainer(
        _model, method="exact", target=0, segmentation=lambda im: np.arange(im[0].size).reshape(im.shape[1:])
    )
    with pytest.raises(ValueError, match=r"4440 regions exceed max_players=16"):
        slic_like.fit(X).explain(X)


def _flat_model(A):
    # a model on flattened pixels (as a scikit-learn model on digits)
    A = np.asarray(A).reshape(len(A), -1)
    return _model(A)


@pytest.mark.parametrize("image_shape", [(8, 6), (3, 4, 4)])
def test_score_of_a_model_on_flattened_pixels(image_shape):
    # score(X) (deletion AUC) and every perturbation metric refused the explainer's own heatmaps:
    # "attributions have shape (3, 8, 6); expected the input's shape (3, 48)"
    from skxai.metrics import deletion_auc, faithfulness_correlation

    X = np.random.RandomState(0).uniform(size=(3, int(np.prod(image_shape))))
    explainer = ImageShapleyExplainer(_flat_model, method="exact", image_shape=image_shape, n_segments=(2, 2), target=0)
    explainer.fit(X)
    heat = explainer.transform(X)
    assert heat.shape == (3,) + image_shape[-2:]
    # each column of X carries the heatmap of its pixel (every channel of it)
    full = np.broadcast_to(heat[:, None], (3,) + explainer.image_shape_).reshape(3, -1)
    expected = -deletion_auc(explainer, X, attributions=full).mean()
    assert np.isfinite(expected)
    assert explainer.score(X) == pytest.approx(expected, abs=1e-12)
    # the heatmaps given as attributions mean the same columns
    np.testing.assert_array_equal(
        deletion_auc(explainer, X, attributions=heat), deletion_auc(explainer, X, attributions=full)
    )
    assert np.isfinite(faithfulness_correlation(explainer, X, random_state=0)).all()


@pytest.mark.parametrize("baseline", [0.0, "blur", 0.5])
@pytest.mark.parametrize("image_shape", [None, (2, 5, 6)])
def test_completeness_gap_of_exact_values_is_zero(baseline, image_shape):
    # the gap summed the heatmaps (every pixel carries its region's whole value) and took zeros
    # as the baseline whatever the explainer's: 9.96, 3.04, 9.53 for exact values with baseline=0
    from skxai.metrics import completeness_gap

    X = np.random.RandomState(0).uniform(size=(3, 2, 5, 6))
    if image_shape is not None:
        X = X.reshape(3, -1)
    explainer = ImageShapleyExplainer(
        _flat_model, method="exact", image_shape=image_shape, n_segments=(2, 2), baseline=baseline, target=0
    ).fit(X)
    np.testing.assert_allclose(completeness_gap(explainer, X), 0.0, atol=1e-12)
    # LIME's weights do not add up: a gap, measured against the same baseline image
    lime = ImageShapleyExplainer(
        _flat_model,
        method="lime",
        image_shape=image_shape,
        n_segments=(2, 2),
        baseline=baseline,
        target=0,
        n_samples=50,
        random_state=0,
    ).fit(X)
    exp = lime.explain(X)
    images = X.reshape(3, 2, 5, 6)
    start = _model(replacement_images(images, baseline))[:, 0]
    expected = np.abs(exp.player_values[..., 0].sum(1) - (_model(images)[:, 0] - start))
    np.testing.assert_allclose(completeness_gap(lime, X), expected, atol=1e-12)


@pytest.mark.parametrize(
    ("shape", "n_segments", "cells"),
    [
        ((120, 1), 1, 1),
        ((120, 1), 16, 16),
        ((1000, 2), 16, 16),
        ((1000, 2), 100, 100),
        ((120, 37), 1, 1),
        ((120, 37), 2, 2),
        ((64, 4), 1, 1),
    ],
)
def test_a_tall_image_gets_about_n_segments_cells(shape, n_segments, cells):
    # the rows were not capped by n_segments on images taller than n_segments times their width:
    # a 120x1 image got 11 regions for n_segments=1, 44 for 16; a 1000x2 image 89 for 16
    assert int(grid_segments(shape, n_segments).max()) + 1 == cells
    # the wide image of the same size got them already
    assert int(grid_segments(shape[::-1], n_segments).max()) + 1 == cells


def test_grids_of_ordinary_images_are_unchanged():
    counts = [int(grid_segments(s, n).max()) + 1 for s in [(37, 120), (120, 37), (8, 8), (5, 3)] for n in (4, 16)]
    assert counts == [4, 16, 4, 14, 4, 16, 3, 15]


def _many_outputs(A):
    A = np.asarray(A).reshape(len(A), -1)
    return np.tanh(A @ np.random.RandomState(1).normal(size=(A.shape[1], 1000)) / 8)


def test_transform_holds_only_the_explained_outputs_heatmaps():
    # transform built explain's heatmaps of every output, 1000 here (8 MB for these four 16x16
    # images, 400 MB per 224x224 image), to return the explained one's
    import tracemalloc

    X = np.random.RandomState(0).uniform(size=(4, 1, 16, 16))
    explainer = ImageShapleyExplainer(_many_outputs, method="exact", n_segments=(2, 2), target=3).fit(X)
    _many_outputs(X[:1])
    tracemalloc.start()
    try:
        heat = explainer.transform(X)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    exp = explainer.explain(X)
    np.testing.assert_array_equal(heat, exp.target_values)
    assert peak < 5e6, peak


def _two_or_four_regions(img):
    # images get different region counts (a list of player values), as SLIC may give them
    lab = np.zeros(img.shape[1:], dtype=int)
    lab[:, 4:] = 1
    if img[0, 0, 0] > 0.5:
        lab[4:] += 2
    return lab


@pytest.mark.parametrize("target", [None, 1, "predicted", [1, 2, 2]])
@pytest.mark.parametrize("segmentation", ["grid", _two_or_four_regions])
def test_transform_is_the_target_values_of_explain(target, segmentation):
    from sklearn.linear_model import LogisticRegression

    rng = np.random.RandomState(0)
    X = rng.uniform(size=(30, 3 * 8 * 8))
    y = (X[:, :96].sum(1) > X[:, 96:].sum(1) / 2).astype(int) + (X[:, 0] > 0.7)
    model = LogisticRegression(max_iter=500).fit(X, y)
    explainer = ImageShapleyExplainer(
        model,
        method="kernel",
        image_shape=(3, 8, 8),
        segmentation=segmentation,
        n_segments=4,
        target=target,
        n_samples=40,
        random_state=0,
    ).fit(X)
    X[:3, 0] = [0.9, 0.1, 0.8]
    heat = explainer.transform(X[:3])
    if segmentation != "grid":
        assert [len(p) for p in explainer.explain(X[:3]).player_values] == [4, 2, 4]
    np.testing.assert_array_equal(heat, np.asarray(explainer.explain(X[:3]).target_values))
    t = explainer.target_indices(X[:3])
    np.testing.assert_array_equal(explainer._transform_for_targets(X[:3], t), heat)
