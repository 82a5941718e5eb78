"""Superpixel games on images: players are image regions, absent regions take a replacement."""

from __future__ import annotations

import numbers

import numpy as np


def grid_segments(shape, n_segments):
    """Regular grid labels of shape ``(H, W)`` (or ``(L,)``) with about ``n_segments`` cells.

    ``n_segments`` is an int (cells spread over the axes in proportion to their lengths) or a
    tuple giving the number of cells along each spatial axis.
    """
    shape = tuple(int(s) for s in shape)
    if isinstance(n_segments, numbers.Integral):
        if n_segments < 1:
            raise ValueError(f"n_segments must be at least 1, got {n_segments}.")
        if len(shape) > 2:
            raise ValueError(
                f"n_segments={n_segments} spreads cells over 1-D or 2-D images only; images with "
                f"{len(shape)} spatial axes {shape} take the number of cells per axis, e.g. "
                f"n_segments={(1,) * (len(shape) - 2) + (2, 2)}."
            )
        if len(shape) == 1:
            cells = (min(int(n_segments), shape[0]),)
        else:
            h, w = shape[-2:]
            # at most n_segments rows: an image taller than n_segments times its width got
            # sqrt(n h / w) of them (11 regions for n_segments=1 on a 120x1 image)
            rows = max(1, min(h, int(n_segments), int(round(np.sqrt(n_segments * h / w)))))
            cols = max(1, min(w, int(round(n_segments / rows))))
            cells = (rows, cols)
    else:
        if any(not isinstance(c, numbers.Real) or not np.isfinite(c) or int(c) != c for c in n_segments):
            # int() read (1.5, 2) as (1, 2) cells, silently
            raise ValueError(f"n_segments={tuple(n_segments)!r} must give whole numbers of cells per axis.")
        cells = tuple(int(c) for c in n_segments)
        if len(cells) != len(shape) or any(c < 1 or c > s for c, s in zip(cells, shape, strict=True)):
            raise ValueError(f"n_segments={n_segments!r} must give 1..size cells for each axis of {shape}.")
    # Cell index of every coordinate along each axis: near-equal cells, as np.array_split.
    axes = [
        np.repeat(np.arange(c), [len(a) for a in np.array_split(np.arange(s), c)])
        for c, s in zip(cells, shape, strict=True)
    ]
    labels = np.zeros(shape, dtype=np.int64)
    stride = 1
    for axis in range(len(shape) - 1, -1, -1):
        idx = [None] * len(shape)
        idx[axis] = slice(None)
        labels = labels + axes[axis][tuple(idx)] * stride
        stride *= cells[axis]
    return labels


def slic_segments(images, n_segments, compactness=10.0, sigma=0.0):
    """SLIC superpixels (scikit-image) per image: ``(n, H, W)`` labels 0..p_i - 1.

    ``images`` are ``(n, C, H, W)``; each image is min-max scaled before SLIC so the
    ``compactness`` means the same for any pixel range.
    """
    try:
        from skimage.segmentation import slic
    except ImportError as exc:  # pragma: no cover - optional dependency
        raise ImportError(
            "segmentation='slic' needs scikit-image (pip install scikit-image); use segmentation='grid' otherwise."
        ) from exc
    out = np.empty((images.shape[0],) + images.shape[2:], dtype=np.int64)
    for i, img in enumerate(images):
        img = np.moveaxis(img, 0, -1).astype(np.float64)
        span = img.max() - img.min()
        img = (img - img.min()) / (span if span > 0 else 1.0)
        lab = slic(
            img,
            n_segments=n_segments,
            compactness=compactness,
            sigma=sigma,
            start_label=0,
            channel_axis=-1,
            enforce_connectivity=True,
        )
        # Relabel to 0..p-1 in case some label is unused.
        out[i] = np.unique(lab, return_inverse=True)[1].reshape(lab.shape)
    return out


def replacement_images(images, baseline, blur_sigma=None):
    """What an absent region shows: ``(n, C, *S)`` images.

    ``baseline`` is any value of the shared vocabulary (:mod:`skxai._baselines`): a number
    (constant image), ``"zeros"``, ``"channel_mean"`` (each image's per-channel mean), ``"blur"``
    (the shared Gaussian blur, ``blur_sigma`` pixels, None for the shared default), an array
    broadcastable to one image ``(C, *S)`` or a callable; ``"mean"`` is the deprecated name of
    ``"channel_mean"``.
    """
    from skxai._baselines import make_baseline, resolve_baseline_name

    baseline = resolve_baseline_name(baseline, mean_means="channel_mean", owner="ImageShapleyExplainer")
    return make_baseline(baseline, np.asarray(images, dtype=np.float64), sigma=blur_sigma)


class ImageGame:
    """Value of superpixel coalitions for many images, in batched model calls.

    ``v_x(S)`` is the model's output on ``x`` with the pixels of the regions outside ``S``
    replaced by the replacement image (a baseline value or a blurred copy of ``x``).

    Parameters
    ----------
    output : callable
        ``f(images) -> (r, n_outputs)`` on images of shape ``(r, C, *S)``.
    segments : int ndarray of shape (n, *S) or (*S,)
        Player of every pixel (labels 0..p-1), per image or shared.
    replacement : ndarray of shape (n, C, *S)
    batch_size : int
        Most images per model call.
    """

    def __init__(self, output, segments, replacement, batch_size=1024):
        self.output = output
        self.segments = np.asarray(segments)
        self.replacement = np.asarray(replacement)
        self.batch_size = int(batch_size)
        self.n_players = int(self.segments.max()) + 1

    def _pixel_masks(self, rows, cols, masks):
        seg = self.segments
        if seg.ndim == self.replacement.ndim - 2:  # shared segmentation
            return masks[cols][:, seg]
        # Per-image segmentation: gather each pair's coalition at each pixel's label.
        flat = seg[rows].reshape(len(rows), -1)
        keep = np.take_along_axis(masks[cols], flat, axis=1)
        return keep.reshape((len(rows),) + seg.shape[1:])

    def _run_calls(self, X, masks, calls):
        """Values ``(rows, n_outputs)`` of the flat (image, coalition) ranges in ``calls``."""
        m = masks.shape[0]
        out = []
        for start, stop in calls:
            rows, cols = np.divmod(np.arange(start, stop), m)
            keep = self._pixel_masks(rows, cols, masks)[:, None]
            block = np.where(keep, X[rows], self.replacement[rows])
            pred = np.asarray(self.output(block), dtype=np.float64)
            out.append(pred.reshape(stop - start, -1))
        return np.concatenate(out, axis=0)

    def values(self, X, masks, n_jobs=None, verbose=0):
        """Values ``(n, m, n_outputs)`` of coalitions ``masks`` (m, p) for each image of X.

        Model calls hold at most ``batch_size`` images and depend only on the problem, never
        on ``n_jobs`` (identical numbers for any number of workers).
        """
        X = np.asarray(X)
        masks = np.asarray(masks, dtype=bool)
        if masks.ndim != 2 or masks.shape[1] != self.n_players:
            raise ValueError(f"masks must have shape (m, {self.n_players}), got {masks.shape}.")
        n, m = X.shape[0], masks.shape[0]
        total = n * m
        calls = [(s, min(total, s + self.batch_size)) for s in range(0, total, self.batch_size)]
        from joblib import effective_n_jobs

        from skxai.utils._parallel import map_shared

        workers = effective_n_jobs(n_jobs)  # None: 1, or a parallel_config's
        if workers == 1 or len(calls) == 1:
            from skxai._progress import closing_progress

            groups = [[c] for c in calls] if verbose else [calls]
            with closing_progress(groups, verbose=verbose, desc="explaining images", unit="call") as bar:
                out = np.concatenate([self._run_calls(X, masks, g) for g in bar], axis=0)
        else:
            groups = [g.tolist() for g in np.array_split(np.asarray(calls), min(len(calls), 4 * workers))]
            # the game (model, the call's images) shipped once per worker under joblib's Dask
            # backend, not pickled with every task as a bound method's self
            parts = map_shared(
                ImageGame._run_calls, self, [(X, masks, g) for g in groups], n_jobs=n_jobs, verbose=verbose
            )
            out = np.concatenate(parts, axis=0)
        return out.reshape(n, m, -1)
