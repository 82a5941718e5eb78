"""Localisation metrics: does a heat map point at the object? (pointing games)

Both take heat maps and ground-truth masks, not an explainer, so they are not scorers (they
are not in :func:`skxai.metrics.get_metric_names`): compute the maps with any explainer's
``transform`` (CAMs give ``(n, H, W)``; reduce the channels of gradient maps first), and
compare against the random-map control :func:`skxai.controls.random_maps`.
"""

from __future__ import annotations

import numbers

import numpy as np

from skxai.metrics._utils import to_numpy


def _check_maps_masks(maps, masks):
    maps = to_numpy(maps)
    masks_arr = np.asarray(masks.detach().cpu().numpy() if hasattr(masks, "detach") else masks)
    if maps.ndim >= 1 and maps.shape[0] == 0:
        raise ValueError("maps hold no samples: pass at least one map and its mask.")
    if maps.ndim != 3:
        raise ValueError(
            f"maps must have shape (n_samples, H, W); got shape {maps.shape}. Reduce the channels "
            "of (n, C, H, W) attributions first (e.g. their sum or absolute sum over C)."
        )
    if masks_arr.shape != maps.shape:
        hint = ""
        if masks_arr.ndim == 3 and masks_arr.shape[0] == maps.shape[0]:
            # the usual cause: a CAM at its layer's resolution against image-sized masks
            hint = (
                " Maps and masks need the same resolution: use a CAM's default upsample=True "
                "(maps at the input's size) or bring the masks to the maps' size."
            )
        raise ValueError(f"masks have shape {masks_arr.shape} but maps have shape {maps.shape}; they must match.{hint}")
    if masks_arr.dtype != bool:
        if not np.issubdtype(masks_arr.dtype, np.number) or not np.isin(masks_arr, (0, 1)).all():
            raise ValueError("masks must be boolean (or 0/1) arrays marking the ground-truth regions.")
        masks_arr = masks_arr.astype(bool)
    bad = np.flatnonzero(~np.isfinite(maps).reshape(len(maps), -1).all(axis=1))
    if bad.size:
        raise ValueError(f"maps contain NaN or infinity (samples {bad[:10].tolist()}).")
    empty = np.flatnonzero(~masks_arr.reshape(len(masks_arr), -1).any(axis=1))
    if empty.size:
        raise ValueError(
            f"masks of samples {empty[:10].tolist()} are empty: a pointing game needs a "
            "ground-truth region in every sample."
        )
    return maps, masks_arr


def pointing_game(maps, masks, *, tolerance=0):
    """The pointing game (Zhang et al. 2018): whether each map's maximum falls on the object.

    A sample scores a hit (1.0) when the maximum of its map lies in the ground-truth region
    grown by ``tolerance`` pixels (every pixel at Euclidean distance at most ``tolerance``
    from the region), a miss (0.0) otherwise. The mean over samples is the paper's accuracy
    ``hits / (hits + misses)``.

    Ties: when the maximum is reached at several pixels, the sample is a hit only if *every*
    maximal pixel is in the region. A flat map (a constant control, a CAM that is zero
    everywhere) therefore never wins by luck of the tie-break, unlike an ``argmax`` that takes
    the first maximal pixel.

    Parameters
    ----------
    maps : array-like of shape (n_samples, H, W)
        Heat maps (finite values; larger means more relevant).
    masks : array-like of bool, shape (n_samples, H, W)
        Ground-truth regions; none may be empty.
    tolerance : int, default=0
        Pixels of slack around the region (15 in the paper, at ImageNet resolution).

    Returns
    -------
    ndarray of shape (n_samples,)
        1.0 for a hit, 0.0 for a miss.

    Notes
    -----
    Not a scorer (it takes maps and masks, not an explainer and samples), so it is not in
    :func:`get_metric_names`. Report it next to :func:`skxai.controls.random_maps`: a random
    map hits with probability equal to the grown region's share of the image.

    References
    ----------
    Zhang, Bargal, Lin, Brandt, Shen & Sclaroff, "Top-down neural attention by excitation
    backprop", IJCV 2018.

    Examples
    --------
    >>> import numpy as np
    >>> from skxai.metrics import pointing_game
    >>> maps = np.zeros((2, 5, 5)); maps[0, 1, 1] = 1.0; maps[1, 4, 4] = 1.0
    >>> masks = np.zeros((2, 5, 5), dtype=bool); masks[:, 0:2, 0:2] = True
    >>> pointing_game(maps, masks)
    array([1., 0.])
    >>> pointing_game(maps, masks, tolerance=5)  # (4, 4) is 4.24 pixels from (1, 1)
    array([1., 1.])
    """
    if (
        not isinstance(tolerance, numbers.Real)
        or isinstance(tolerance, bool)
        or not np.isfinite(tolerance)
        or tolerance < 0
    ):
        raise ValueError(f"tolerance must be a non-negative number of pixels, got {tolerance!r}.")
    maps, masks = _check_maps_masks(maps, masks)
    region = masks
    if tolerance > 0:
        from scipy.ndimage import distance_transform_edt

        # distance of every pixel to the nearest region pixel, per sample (sampling 0 along n
        # would mix samples: transform each 2-D mask)
        dist = np.stack([distance_transform_edt(~m) for m in masks])
        region = dist <= tolerance
    peak = maps == maps.max(axis=(1, 2), keepdims=True)
    hit = ~(peak & ~region).any(axis=(1, 2))
    return hit.astype(np.float64)


def energy_pointing_game(maps, masks):
    """Energy-based pointing game (Wang et al. 2020, Score-CAM): the map's energy on the object.

    The share of the map's positive energy that falls inside the ground-truth region,
    ``sum(relu(L) * mask) / sum(relu(L))``. Negative values carry no energy (saliency maps are
    non-negative after their ReLU; signed attributions count only their positive evidence).
    A map with no positive value puts no energy on the object: it scores 0.0.

    Parameters
    ----------
    maps : array-like of shape (n_samples, H, W)
    masks : array-like of bool, shape (n_samples, H, W)
        Ground-truth regions (the paper uses bounding boxes); none may be empty.

    Returns
    -------
    ndarray of shape (n_samples,)
        Values in [0, 1]; a uniform random map scores the region's share of the image.

    Notes
    -----
    Not a scorer (it takes maps and masks), so it is not in :func:`get_metric_names`.

    References
    ----------
    Wang, Wang, Du, Yang, Zhang, Ding, Mardziel & Hu, "Score-CAM: Score-weighted visual
    explanations for convolutional neural networks", CVPR Workshops 2020.

    Examples
    --------
    >>> import numpy as np
    >>> from skxai.metrics import energy_pointing_game
    >>> maps = np.array([[[3.0, 1.0], [0.0, -2.0]]])
    >>> masks = np.array([[[True, False], [False, False]]])
    >>> energy_pointing_game(maps, masks)
    array([0.75])
    """
    maps, masks = _check_maps_masks(maps, masks)
    energy = np.maximum(maps, 0.0)
    total = energy.sum(axis=(1, 2))
    inside = (energy * masks).sum(axis=(1, 2))
    return np.divide(inside, total, out=np.zeros_like(total), where=total > 0)
