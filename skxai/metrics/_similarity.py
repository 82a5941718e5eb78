"""Similarity of two batches of explanations, per sample: Spearman rank correlation and SSIM."""

from __future__ import annotations

import numbers

import numpy as np
from scipy.stats import rankdata

from skxai.metrics._faithfulness import row_pearson
from skxai.metrics._utils import to_numpy


def _pair(A, B):
    A, B = to_numpy(A), to_numpy(B)
    if A.shape != B.shape:
        raise ValueError(f"explanations have different shapes: {A.shape} and {B.shape}.")
    if A.ndim < 2:
        raise ValueError(f"explanations need a first axis of samples; got shape {A.shape}.")
    bad = ~(np.isfinite(A).reshape(A.shape[0], -1).all(axis=1) & np.isfinite(B).reshape(B.shape[0], -1).all(axis=1))
    if bad.any():
        # a NaN would rank or scale as "nothing alike": a broken map would pass a sanity check
        raise ValueError(f"explanations of samples {np.flatnonzero(bad).tolist()} contain NaN or infinity.")
    return A, B


def spearman_similarity(A, B, *, absolute=False):
    """Spearman rank correlation between matching explanations of ``A`` and ``B``.

    Each sample's attributions are flattened and ranked (ties share their average rank);
    with ``absolute`` the ranks are of ``|A|`` and ``|B|`` (Adebayo et al. report both).
    Two explanations that rank the elements identically have similarity 1, constant ones
    included: two different constant maps (all elements tied in both) have 1, not 0, where
    the correlation itself is undefined (scipy gives NaN). A rank similarity measures the
    ranking only, and the ranking did not change: scored 0 ("changed"), a method whose maps
    degenerate to constants (a dead network's zero gradients against a constant map) would
    pass the randomisation sanity checks without depending on the model. A constant
    explanation against a varying one has 0 (no ranking shared).

    Parameters
    ----------
    A, B : array-like of the same shape (n_samples, ...)
    absolute : bool, default=False

    Returns
    -------
    ndarray of shape (n_samples,)

    Examples
    --------
    >>> import numpy as np
    >>> from skxai.metrics import spearman_similarity
    >>> spearman_similarity(np.array([[1.0, 2, 3]]), np.array([[10.0, 20, 35]]))
    array([1.])
    >>> spearman_similarity(np.array([[-3.0, 1, 2]]), np.array([[3.0, 1, 2]]), absolute=True)
    array([1.])
    >>> spearman_similarity(np.zeros((1, 3)), np.full((1, 3), 5.0))  # same (tied) ranking
    array([1.])
    """
    A, B = _pair(A, B)
    n = A.shape[0]
    A, B = A.reshape(n, -1), B.reshape(n, -1)
    if absolute:
        A, B = np.abs(A), np.abs(B)
    RA, RB = rankdata(A, axis=1), rankdata(B, axis=1)
    # identical rankings are 1 even where the correlation is 0/0 (two constant maps)
    same = np.all(RA == RB, axis=1)
    return np.where(same, 1.0, row_pearson(RA, RB))


def _maps(A):
    """``(n, H, W)`` absolute-value maps scaled to [0, 1] per sample."""
    if A.ndim == 4:
        A = np.abs(A).sum(axis=1)
    elif A.ndim == 3:
        A = np.abs(A)
    else:
        raise ValueError(f"SSIM compares 2-D maps: explanations must be (n, H, W) or (n, C, H, W); got {A.shape}.")
    flat = A.reshape(A.shape[0], -1)
    lo = flat.min(axis=1)[:, None, None]
    span = flat.max(axis=1)[:, None, None] - lo
    return np.where(span > 0, (A - lo) / np.where(span > 0, span, 1.0), 0.0)


def ssim_available():
    try:
        import skimage.metrics  # noqa: F401
    except ImportError:
        return False
    return True


def ssim_similarity(A, B, *, win_size=7):
    """Structural similarity (SSIM, from scikit-image) of matching maps.

    Maps are the absolute attributions (summed over channels for ``(n, C, H, W)``) scaled to
    [0, 1] per sample, compared with ``data_range=1``; the window shrinks to the largest odd
    size that fits small maps (at least 3 pixels a side are needed). Needs scikit-image.

    Parameters
    ----------
    A, B : array-like of the same shape, (n, H, W) or (n, C, H, W)
    win_size : int, default=7

    Returns
    -------
    ndarray of shape (n_samples,)

    Examples
    --------
    >>> import numpy as np
    >>> from skxai.metrics import ssim_similarity
    >>> maps = np.random.RandomState(0).uniform(size=(2, 8, 8))
    >>> ssim_similarity(maps, maps)
    array([1., 1.])
    """
    if not isinstance(win_size, numbers.Integral) or isinstance(win_size, bool) or win_size < 3 or win_size % 2 == 0:
        # 0, 1, 2.5 or True were reported as maps too small for SSIM
        raise ValueError(f"win_size must be an odd integer of at least 3, got {win_size!r}.")
    A, B = _pair(A, B)
    try:
        from skimage.metrics import structural_similarity
    except ImportError as exc:
        raise ImportError("ssim_similarity needs scikit-image (pip install scikit-image).") from exc
    MA, MB = _maps(A), _maps(B)
    side = min(MA.shape[1:])
    win = min(int(win_size), side if side % 2 else side - 1)
    if win < 3:
        raise ValueError(f"Maps of shape {MA.shape[1:]} are too small for SSIM (3x3 at least).")
    # one call per map: skimage has no batch axis (channel_axis would average the samples)
    return np.array([structural_similarity(a, b, data_range=1.0, win_size=win) for a, b in zip(MA, MB, strict=True)])
