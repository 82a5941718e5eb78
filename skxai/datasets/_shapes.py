"""Shapes on a noisy canvas, each with its ground-truth box: an image task whose heat maps can be checked."""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.utils import Bunch

from skxai.utils._random import check_random_state

SHAPE_NAMES = ("square", "cross", "ring", "triangle")


def _shape(kind, size):
    """Boolean ``(size, size)`` stencil of one shape, filling its box edge to edge."""
    yy, xx = np.mgrid[0:size, 0:size]
    c = (size - 1) / 2.0
    if kind == "square":
        return np.ones((size, size), dtype=bool)
    if kind == "cross":
        w = max(1, size // 4)
        lo, hi = int(round(c - w / 2)), int(round(c - w / 2)) + w
        out = np.zeros((size, size), dtype=bool)
        out[:, lo : hi + (size % 2 == 0)] = True
        out[lo : hi + (size % 2 == 0), :] = True
        return out
    if kind == "ring":
        r = np.hypot(yy - c, xx - c)
        return (r <= size / 2.0) & (r >= size / 2.0 - max(1.5, size / 5.0))
    if kind == "triangle":
        # apex at the top centre, base along the bottom row
        half = (yy + 1) / size * (size / 2.0)
        return np.abs(xx - c) <= half
    raise ValueError(f"unknown shape {kind!r}")


def make_shapes_localisation(
    n_samples=1000, *, canvas=32, size=(8, 12), noise=0.2, n_classes=4, distractors=True, random_state=None
):
    """Shapes placed at random on a noisy canvas, with the box of each shape.

    Each image is a grey ``canvas x canvas`` picture of Gaussian noise holding one shape
    (square, cross, ring or triangle; the class) of random size and position, drawn at a random
    brightness. With ``distractors``, a few short random line segments are added away from the
    shape, so a map that merely follows edges points at the wrong place. The ground truth is the
    shape's bounding box (as in the pointing-game papers) and its pixel mask. Everything is
    generated offline from ``random_state``.

    Parameters
    ----------
    n_samples : int, default=1000
    canvas : int, default=32
        Side of the square images, in pixels.
    size : (int, int), default=(8, 12)
        Smallest and largest side of a shape's box, in pixels.
    noise : float, default=0.2
        Standard deviation of the Gaussian background noise (the shape is about 1 brighter).
    n_classes : int, default=4
        Number of shapes used, from ("square", "cross", "ring", "triangle").
    distractors : bool, default=True
        Add two short line segments per image outside the shape's box.
    random_state : int, RandomState or None

    Returns
    -------
    Bunch
        ``data`` float32 ``(n_samples, 1, canvas, canvas)``; ``target`` int ``(n_samples,)``;
        ``target_names``; ``boxes`` int ``(n_samples, 4)`` as (row0, col0, row1, col1), end
        exclusive; ``masks`` bool ``(n_samples, canvas, canvas)``, True inside the box;
        ``shape_masks`` bool, True on the shape's own pixels; ``DESCR``.

    Examples
    --------
    >>> from skxai.datasets import make_shapes_localisation
    >>> b = make_shapes_localisation(20, random_state=0)
    >>> b.data.shape, b.masks.shape, list(b.target_names)
    ((20, 1, 32, 32), (20, 32, 32), ['square', 'cross', 'ring', 'triangle'])
    >>> bool((b.shape_masks <= b.masks).all())
    True
    """
    if not isinstance(n_samples, numbers.Integral) or isinstance(n_samples, bool) or n_samples < 1:
        raise ValueError(f"n_samples must be a positive integer; got {n_samples!r}.")
    if (
        np.ndim(size) != 1
        or len(size) != 2
        or not all(isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in size)
    ):
        # int(8.7) used to make 8 of it silently
        raise ValueError(f"size must be a pair of integers (min, max); got {size!r}.")
    lo, hi = (int(size[0]), int(size[1]))
    if not 3 <= lo <= hi or not isinstance(canvas, numbers.Integral) or hi > canvas - 2:
        raise ValueError(f"size={size!r} must satisfy 3 <= min <= max <= canvas - 2 (canvas={canvas!r}).")
    if not isinstance(n_classes, numbers.Integral) or not 2 <= n_classes <= len(SHAPE_NAMES):
        raise ValueError(f"n_classes must be between 2 and {len(SHAPE_NAMES)}; got {n_classes!r}.")
    if not isinstance(noise, numbers.Real) or not np.isfinite(noise) or noise < 0:
        raise ValueError(f"noise must be a non-negative number; got {noise!r}.")
    rng = check_random_state(random_state)
    names = SHAPE_NAMES[:n_classes]
    X = rng.normal(0.0, noise, size=(n_samples, 1, canvas, canvas)).astype(np.float32)
    y = rng.randint(n_classes, size=n_samples)
    boxes = np.zeros((n_samples, 4), dtype=int)
    masks = np.zeros((n_samples, canvas, canvas), dtype=bool)
    shape_masks = np.zeros_like(masks)
    for i in range(n_samples):
        s = rng.randint(lo, hi + 1)
        r0, c0 = rng.randint(0, canvas - s + 1, size=2)
        stencil = _shape(names[y[i]], s)
        brightness = rng.uniform(0.8, 1.2)
        X[i, 0, r0 : r0 + s, c0 : c0 + s] += brightness * stencil
        boxes[i] = (r0, c0, r0 + s, c0 + s)
        masks[i, r0 : r0 + s, c0 : c0 + s] = True
        shape_masks[i, r0 : r0 + s, c0 : c0 + s] = stencil
        if distractors:
            _add_distractors(X[i, 0], masks[i], rng)
    descr = (
        f"Synthetic localisation task: {n_samples} grey {canvas}x{canvas} images, Gaussian noise "
        f"(sd {noise}), one shape per image among {', '.join(names)} (the class), side {lo}-{hi} px, "
        "at a random position; ground truth = the shape's bounding box (masks) and its pixels "
        "(shape_masks)" + ("; two short line segments outside the box as distractors." if distractors else ".")
    )
    return Bunch(
        data=X,
        target=y,
        target_names=np.asarray(names, dtype=object),
        boxes=boxes,
        masks=masks,
        shape_masks=shape_masks,
        DESCR=descr,
    )


def _add_distractors(img, box, rng, n=2, length=5):
    """Short horizontal or vertical bright segments that do not touch the box."""
    canvas = img.shape[0]
    for _ in range(n):
        for _attempt in range(20):
            horizontal = rng.rand() < 0.5
            # at least one position: canvas=5 (documented for size=(3, 3)) asked randint(0, 0)
            r, c = rng.randint(0, max(canvas - length, 1), size=2)
            rows = slice(r, r + 1) if horizontal else slice(r, r + length)
            cols = slice(c, c + length) if horizontal else slice(c, c + 1)
            grown = np.zeros_like(box)
            grown[max(r - 1, 0) : r + length + 1, max(c - 1, 0) : c + length + 1] = True
            if not (grown & box).any():
                img[rows, cols] += rng.uniform(0.6, 1.0)
                break
