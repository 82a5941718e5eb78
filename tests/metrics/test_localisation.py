"""Pointing game and energy pointing game against hand-made maps, brute force and the
random-map control's closed forms."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from skxai.controls import random_maps
from skxai.metrics import energy_pointing_game, get_metric_names, pointing_game


def _box(n, H, W, r0, r1, c0, c1):
    m = np.zeros((n, H, W), dtype=bool)
    m[:, r0:r1, c0:c1] = True
    return m


def test_pointing_game_hits_and_misses_by_hand():
    masks = _box(3, 6, 6, 1, 3, 1, 3)  # rows 1-2, cols 1-2
    maps = np.zeros((3, 6, 6))
    maps[0, 2, 2] = 5.0  # inside
    maps[1, 0, 0] = 5.0  # diagonal neighbour of (1, 1): distance sqrt(2)
    maps[2, 5, 5] = 5.0  # far corner: distance to (2, 2) is sqrt(18)
    assert_array_equal(pointing_game(maps, masks), [1.0, 0.0, 0.0])
    assert_array_equal(pointing_game(maps, masks, tolerance=1), [1.0, 0.0, 0.0])
    assert_array_equal(pointing_game(maps, masks, tolerance=1.5), [1.0, 1.0, 0.0])
    assert_array_equal(pointing_game(maps, masks, tolerance=np.sqrt(18)), [1.0, 1.0, 1.0])


def test_pointing_game_tolerance_matches_brute_force_distance():
    rng = np.random.RandomState(0)
    n, H, W = 40, 9, 11
    masks = np.zeros((n, H, W), dtype=bool)
    for i in range(n):
        r, c = rng.randint(0, H - 2), rng.randint(0, W - 3)
        masks[i, r:r + 2, c:c + 3] = True
    maps = rng.normal(size=(n, H, W))
    for tol in (0, 1, 2.5, 4):
        expected = []
        for i in range(n):
            pr, pc = np.unravel_index(np.argmax(maps[i]), (H, W))
            rr, cc = np.nonzero(masks[i])
            d = np.sqrt((rr - pr) ** 2 + (cc - pc) ** 2).min()
            expected.append(float(d <= tol))
        assert_array_equal(pointing_game(maps, masks, tolerance=tol), expected)


def test_pointing_game_ties_count_only_when_every_maximum_is_inside():
    masks = _box(3, 4, 4, 0, 2, 0, 2)
    maps = np.zeros((3, 4, 4))
    maps[0, 0, 0] = maps[0, 1, 1] = 1.0  # two maxima, both inside
    maps[1, 0, 0] = maps[1, 3, 3] = 1.0  # one inside, one outside (argmax would say hit)
    # maps[2] is flat: every pixel is a maximum, most outside
    assert_array_equal(pointing_game(maps, masks), [1.0, 0.0, 0.0])
    # a region that covers the whole image makes even a flat map a hit
    assert_array_equal(pointing_game(maps[2:], np.ones((1, 4, 4), dtype=bool)), [1.0])


def test_energy_pointing_game_by_hand():
    maps = np.array([
        [[3.0, 1.0], [0.0, -2.0]],
        [[-1.0, -1.0], [-1.0, -1.0]],
        [[0.0, 2.0], [2.0, 0.0]],
    ])
    masks = np.array([
        [[True, False], [False, True]],
        [[True, False], [False, False]],
        [[True, True], [False, False]],
    ])
    # sample 0: positive energy 3 + 1 = 4, inside 3 (the -2 inside counts nothing)
    assert_allclose(energy_pointing_game(maps, masks), [0.75, 0.0, 0.5])


def test_random_map_control_scores_the_region_share():
    """Closed forms of the control: a uniform random map's maximum is uniform over the
    pixels (hit rate = region share) and its expected energy share is the region share."""
    n, H, W = 4000, 8, 8
    masks = _box(n, H, W, 2, 6, 0, 4)  # 16 of 64 pixels
    share = 16 / 64
    maps = random_maps((n, H, W), random_state=0)
    hits = pointing_game(maps, masks)
    se = np.sqrt(share * (1 - share) / n)
    assert abs(hits.mean() - share) < 4 * se
    energy = energy_pointing_game(maps, masks)
    assert abs(energy.mean() - share) < 4 * energy.std() / np.sqrt(n)
    # a map that peaks on the object beats the control on both
    good = maps * 0.1 + masks
    assert pointing_game(good, masks).mean() == 1.0
    assert energy_pointing_game(good, masks).mean() > 0.7


@pytest.mark.parametrize(
    "maps, masks, match",
    [
        (np.zeros((2, 3, 3)), np.ones((2, 3, 4), dtype=bool), "must match"),
        (np.zeros((2, 1, 3, 3)), np.ones((2, 1, 3, 3), dtype=bool), r"\(n_samples, H, W\)"),
        (np.where(np.eye(3, dtype=bool), np.nan, 0.0)[None], np.ones((1, 3, 3), dtype=bool),
         r"NaN or infinity \(samples \[0\]\)"),
        (np.zeros((2, 3, 3)), np.stack([np.ones((3, 3)), np.zeros((3, 3))]).astype(bool),
         r"samples \[1\] are empty"),
        (np.zeros((1, 3, 3)), np.full((1, 3, 3), 0.5), "boolean"),
    ],
)
def test_localisation_errors_name_the_problem(maps, masks, match):
    for metric in (pointing_game, energy_pointing_game):
        with pytest.raises(ValueError, match=match):
            metric(maps, masks)


@pytest.mark.parametrize("tol", [-1, np.nan, "2", True])
def test_pointing_game_rejects_bad_tolerance(tol):
    with pytest.raises(ValueError, match="tolerance"):
        pointing_game(np.zeros((1, 2, 2)), np.ones((1, 2, 2), dtype=bool), tolerance=tol)


def test_localisation_metrics_are_not_scorers():
    # they take (maps, masks), not (explainer, X): scoring= cannot name them
    names = get_metric_names()
    assert "pointing_game" not in names and "energy_pointing_game" not in names


# --- the checks' whole messages, the masks' accepted forms, and maps with no positive energy


def test_localisation_error_messages_are_whole():
    import re

    cases = [
        (np.zeros((2, 1, 3, 3)), np.ones((2, 1, 3, 3), dtype=bool),
         "maps must have shape (n_samples, H, W); got shape (2, 1, 3, 3). Reduce the channels of (n, C, H, W) "
         "attributions first (e.g. their sum or absolute sum over C)."),
        (np.where(np.eye(3, dtype=bool), np.nan, 0.0)[None].repeat(12, axis=0), np.ones((12, 3, 3), dtype=bool),
         "maps contain NaN or infinity (samples [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])."),
        (np.zeros((12, 3, 3)), np.zeros((12, 3, 3), dtype=bool),
         "masks of samples [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] are empty: a pointing game needs a ground-truth region "
         "in every sample."),
        (np.zeros((1, 3, 3)), np.full((1, 3, 3), 2), "masks must be boolean (or 0/1) arrays marking the "
         "ground-truth regions."),
        (np.zeros((1, 3, 3)), np.full((1, 3, 3), "a"), "masks must be boolean (or 0/1) arrays marking the "
         "ground-truth regions."),
    ]
    for maps, masks, message in cases:
        for metric in (pointing_game, energy_pointing_game):
            with pytest.raises(ValueError, match="^" + re.escape(message) + "$"):
                metric(maps, masks)


@pytest.mark.parametrize("form", ["bool", "int", "float", "torch"])
def test_masks_of_0_and_1_in_any_numeric_form_or_torch_are_the_same_region(form):
    maps = np.array([[[3.0, 1.0], [0.0, -2.0]], [[0.0, 1.0], [4.0, 2.0]]])
    region = np.array([[[True, False], [False, False]], [[False, True], [False, False]]])
    masks = {"bool": region, "int": region.astype(int), "float": region.astype(float)}.get(form)
    if form == "torch":
        torch = pytest.importorskip("torch")
        masks = torch.as_tensor(region)
    assert_array_equal(pointing_game(maps, masks), [1.0, 0.0])
    assert_allclose(energy_pointing_game(maps, masks), [0.75, 1.0 / 7.0])


def test_energy_pointing_game_of_a_map_with_no_positive_value_is_0():
    maps = np.array([[[-1.0, -2.0], [0.0, -3.0]], [[0.0, 0.0], [0.0, 0.0]], [[1.0, 0.0], [0.0, 0.0]]])
    masks = np.ones((3, 2, 2), dtype=bool)
    out = energy_pointing_game(maps, masks)
    assert out.dtype == np.float64
    assert_array_equal(out, [0.0, 0.0, 1.0])


@pytest.mark.parametrize("game", [pointing_game, energy_pointing_game])
def test_layer_resolution_maps_against_image_masks_name_the_resolution(game):
    # a CAM fitted with upsample=False gives (n, 4, 4) maps for 8x8 images: the error only said
    # the shapes "must match", not that the resolutions differ or how to bring them together
    maps = random_maps((2, 4, 4), random_state=0)
    masks = np.zeros((2, 8, 8), dtype=bool)
    masks[:, 2:5, 2:5] = True
    with pytest.raises(ValueError, match="same resolution: use a CAM's default upsample=True"):
        game(maps, masks)
