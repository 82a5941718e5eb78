"""The one LIME engine: removal designs, kernels, the weighted ridge (the surrogate family's
LIME and image Shapley's method="lime" share it, so it sits above both families).

Tabular and text LIME differ only in what a removed player becomes (a background value, a
dropped word) and in the distance their kernel reads (Euclidean on the binary vector, cosine
times 100); the design, the kernel's form and the surrogate fit are these functions.
"""

from __future__ import annotations

import numpy as np

from skxai._wls import _cholesky_if_regular, ridge_wls

__all__ = ["cosine_distance", "euclidean_distance", "fit_surrogate", "lime_kernel", "removal_masks"]


def removal_masks(n_units, n_samples, rng):
    """LIME's design: row 0 keeps everything; each other row removes k units, k uniform in
    1..n_units, the units uniform without replacement (random keys ranked per row).

    Returns
    -------
    keep : bool ndarray of shape (n_samples, n_units)
    """
    keep = np.ones((n_samples, n_units), dtype=bool)
    if n_samples > 1:
        k = rng.randint(1, n_units + 1, size=n_samples - 1)
        ranks = np.argsort(np.argsort(rng.random_sample((n_samples - 1, n_units)), axis=1), axis=1)
        keep[1:] = ranks >= k[:, None]
    return keep


def euclidean_distance(keep):
    """Distance of each binary vector to the all-ones point: ``sqrt(number removed)`` (tabular)."""
    return np.sqrt((~np.asarray(keep, dtype=bool)).sum(axis=1).astype(np.float64))


def cosine_distance(keep):
    """lime's text distance: ``100 * (1 - cos(z, 1))`` with ``cos = sqrt(kept / n_units)``."""
    keep = np.asarray(keep, dtype=bool)
    return (1.0 - np.sqrt(keep.sum(axis=1) / keep.shape[1])) * 100.0


def lime_kernel(distances, width):
    """lime's exponential kernel ``sqrt(exp(-d^2 / width^2))``: the regression weight of a sample.

    lime weights its ridge by this square root (``kernel_fn`` in ``lime_tabular`` and
    ``lime_text``); skxai keeps it so that the weights are lime's.
    """
    d = np.asarray(distances, dtype=np.float64)
    width = float(width)
    # width * width, not width ** 2: a float's ** raised OverflowError for widths above 1e154,
    # where the product is inf (every weight 1); below 1e-154 it is 0 (only the point itself
    # keeps a weight), and 0 / 0 at the point itself is a distance of 0
    square = width * width
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        ratio = np.where(d == 0, 0.0, d**2 / square)
    return np.sqrt(np.exp(-ratio))


def fit_surrogate(keep, distances, width, Y, alpha):
    """Weighted ridge of ``Y`` (m, r) on the binary design ``keep`` (m, p) with LIME's kernel.

    Returns
    -------
    coef : ndarray of shape (p, r)
    intercept : ndarray of shape (r,)
    r2 : ndarray of shape (r,)
        Weighted R^2 of the surrogate on the perturbations (lime's ``score``).
    """
    w = lime_kernel(distances, width)
    weighted = np.asarray(keep, dtype=bool)[w > 0]
    if len(weighted) < 2 or (weighted == weighted[:1]).all():
        # one weighted point: the ridge returns zero weights with a perfect score, silently
        # (a random design may hold the explained point several times: still one point)
        raise ValueError(
            f"kernel_width={width!r} is too small: every perturbation but the explained point gets "
            "a kernel weight of 0, so the surrogate would be fitted on one point; raise kernel_width."
        )
    Z = np.asarray(keep, dtype=np.float64)
    if float(alpha) == 0.0:
        # without the ridge a design that does not determine every weight (too few or repeated
        # perturbations) gave arbitrary weights with only a LinAlgWarning
        Zc = Z - (w / w.sum()) @ Z
        # as many weights as perturbations or more: singular whatever they are (centring takes
        # a rank), refused without building the p x p system (2.9 GiB for 14,000 words)
        if Z.shape[1] >= int((w > 0).sum()) or _cholesky_if_regular(Zc.T @ (Zc * w[:, None])) is None:
            raise ValueError(
                f"The {Z.shape[0]} perturbations do not determine the {Z.shape[1]} weights of the "
                "surrogate with alpha=0 (singular design): raise n_samples or use alpha > 0."
            )
    return ridge_wls(Z, w, Y, alpha=float(alpha))
