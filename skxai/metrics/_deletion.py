"""Deletion and insertion curves (Petsiuk et al. 2018) and the areas under them."""

from __future__ import annotations

import numpy as np

from skxai.metrics._utils import check_positive_int, is_tabular, map_chunks, refuse_text, to_numpy
from skxai.metrics._view import TEXT_OWNER, ExplainerView

_CURVE_DOC = """Units (tabular players; pixels or ``patch_size`` patches of images, all channels
    together; columns of other 2-D arrays) are ranked by relevance, largest first (ties by
    index). Relevance is the attribution of a player, or the attributions of a unit's
    channels reduced by ``channel_reduction`` and summed over its patch; a heatmap
    ``(n, h, w)`` (or ``(n, l)`` / ``(n, d, h, w)`` for 1-D / 3-D inputs: a CAM at its layer's
    resolution) is upsampled linearly to the input size. The ranked units are cut into
    ``n_steps`` consecutive blocks of (nearly) equal size: step ``t`` has the first
    ``k_t = round(t * n_units / n_steps)`` units removed (deletion) or inserted (insertion),
    ``t = 0 .. n_steps``. ``n_steps=None`` means one unit per step, at most 100 steps.

    *Removing* a unit replaces it by the fitted background (tabular explainers: the output
    is the background-weighted mean, the explainer's own interventional game ``v(S)``), or
    by ``baseline`` for arrays: ``"zeros"``, ``"background_mean"`` (the mean of the
    explainer's background, when it keeps one), ``"channel_mean"`` (per-image channel means),
    ``"blur"`` (Gaussian blur of the image, ``blur_sigma`` pixels), a number or an array
    (:mod:`skxai._baselines`, the vocabulary Integrated Gradients and image Shapley share).
    The first release's ``"mean"`` is read as ``"channel_mean"`` with a ``FutureWarning``.

    The curve is the explained output (``explainer.model_output`` at the column
    ``explainer.target_indices(X)`` of the *original* sample) at each step, and the AUC is
    the trapezoidal area over the fraction of units removed, ``x_t = k_t / U`` (``k_t``, the
    units removed at step ``t``, is ``t U / T`` rounded; ``x`` runs from 0 to 1):
    ``AUC = sum_{t<T} (y_t + y_{t+1}) (x_{t+1} - x_t) / 2``, in the units of the model's output
    (not divided by ``f(x)``). With ``T`` dividing ``U`` the steps are even: ``sum (y_t +
    y_{t+1}) / (2 T)``.
"""


_PARAMS_DOC = """explainer : fitted explainer
        The explainer whose attributions are scored (its model is called on perturbed samples).
    X : array-like
        Samples explained (tabular ``(n, n_features)``; arrays ``(n, d)`` or ``(n, C, *S)``).
    attributions : array-like, optional
        Precomputed ``explainer.transform(X)``.
    n_steps : int, optional
        Number of steps of the curve; None takes one unit per step, at most 100 steps.
    patch_size : int or tuple, default=1
        Side of the square patches removed together (images).
    baseline : {"zeros", "background_mean", "channel_mean", "blur"}, float, array or None
        What removed units become (see Notes); ignored by tabular explainers (they use their
        background). Deletion defaults to ``"zeros"``; insertion to None (``"blur"`` for
        images, zeros for ``(n, d)`` arrays).
    blur_sigma : float, default=5.0
        Gaussian width (pixels) of the ``"blur"`` baseline.
    channel_reduction : {"sum", "abs_sum", "max_abs"}, default="sum"
        How the per-channel attributions of a unit are combined into its relevance.
    batch_size : int, optional
        Most rows per model call.
    n_jobs : int, optional
        joblib workers over chunks of samples (identical numbers for any value)."""


def _with_notes(func):
    func.__doc__ = func.__doc__.replace("%(curve)s", _CURVE_DOC.rstrip()).replace("%(params)s", _PARAMS_DOC)
    return func


def _ranks(relevance):
    order = np.argsort(-relevance, axis=1, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(relevance.shape[1])[None], axis=1)
    return ranks


def _curves(view, relevance, n_steps, mode, n_jobs):
    U = view.n_units
    if n_steps is None:
        n_steps = min(U, 100)
    n_steps = check_positive_int(n_steps, "n_steps")
    if n_steps > U:
        raise ValueError(f"n_steps={n_steps} exceeds the number of units ({U}).")
    cuts = np.rint(np.arange(n_steps + 1) * U / n_steps).astype(int)
    ranks = _ranks(relevance)
    m = n_steps + 1

    # Steps of one sample in blocks of at most the perturbed inputs one chunk may hold: with
    # one unit per step a sample alone has n_units + 1 copies (30 GiB for a 224 x 224 image).
    steps = view.samples_per_chunk(1)

    def run(idx):
        out = np.empty((len(idx), m))
        for s in range(0, m, steps):
            c = cuts[s : s + steps]
            removed = ranks[idx][:, None, :] < c[None, :, None]  # (r, steps, U)
            keep = ~removed if mode == "deletion" else removed
            rows = np.repeat(idx, len(c))
            out[:, s : s + len(c)] = view.masked_outputs(rows, keep.reshape(-1, U)).reshape(len(idx), len(c))
        return out

    parts = map_chunks(run, view.n, view.samples_per_chunk(m), n_jobs)
    return np.concatenate(parts, axis=0), cuts


def _auc(curves, fractions):
    """Trapezoidal area over the fraction of units removed (Petsiuk et al.'s x axis): evenly
    spaced steps where ``n_steps`` divides the units, otherwise steps of one unit more or less,
    each weighed by its width (even weights gave 6.125 where the curve's area is 5.6)."""
    widths = np.diff(np.asarray(fractions, dtype=np.float64))
    return ((curves[:, :-1] + curves[:, 1:]) * widths).sum(axis=1) / 2


def _view(explainer, X, attributions, patch_size, baseline, blur_sigma, channel_reduction, batch_size):
    if baseline is None:  # insertion's default: blurred images, zeros for flat arrays
        if not is_tabular(explainer):
            refuse_text(explainer, X, TEXT_OWNER)
        spatial = not is_tabular(explainer) and to_numpy(X, keep_float=True).ndim >= 3
        baseline = "blur" if spatial else "zeros"
    return ExplainerView(
        explainer,
        X,
        attributions=attributions,
        patch_size=patch_size,
        baseline=baseline,
        blur_sigma=blur_sigma,
        channel_reduction=channel_reduction,
        batch_size=batch_size,
    )


@_with_notes
def deletion_curve(
    explainer,
    X,
    *,
    attributions=None,
    n_steps=None,
    patch_size=1,
    baseline="zeros",
    blur_sigma=5.0,
    channel_reduction="sum",
    batch_size=None,
    n_jobs=None,
):
    """Output of the model as the most relevant units are removed first.

    Parameters
    ----------
    %(params)s

    Returns
    -------
    curves : ndarray of shape (n_samples, n_steps + 1)
        ``curves[:, 0]`` is ``f(x)``, ``curves[:, -1]`` the output with every unit removed.
    fractions : ndarray of shape (n_steps + 1,)
        Share of units removed at each step.

    Notes
    -----
    %(curve)s
    """
    view = _view(explainer, X, attributions, patch_size, baseline, blur_sigma, channel_reduction, batch_size)
    curves, cuts = _curves(view, view.unit_relevance(), n_steps, "deletion", n_jobs)
    return curves, cuts / view.n_units


@_with_notes
def insertion_curve(
    explainer,
    X,
    *,
    attributions=None,
    n_steps=None,
    patch_size=1,
    baseline=None,
    blur_sigma=5.0,
    channel_reduction="sum",
    batch_size=None,
    n_jobs=None,
):
    """Output of the model as the most relevant units are inserted first into the baseline.

    Parameters
    ----------
    %(params)s

    Returns
    -------
    curves : ndarray of shape (n_samples, n_steps + 1)
        ``curves[:, 0]`` is the output with every unit removed, ``curves[:, -1]`` is ``f(x)``.
    fractions : ndarray of shape (n_steps + 1,)

    Notes
    -----
    %(curve)s
    """
    view = _view(explainer, X, attributions, patch_size, baseline, blur_sigma, channel_reduction, batch_size)
    curves, cuts = _curves(view, view.unit_relevance(), n_steps, "insertion", n_jobs)
    return curves, cuts / view.n_units


@_with_notes
def deletion_auc(
    explainer,
    X,
    *,
    attributions=None,
    n_steps=None,
    patch_size=1,
    baseline="zeros",
    blur_sigma=5.0,
    channel_reduction="sum",
    batch_size=None,
    n_jobs=None,
):
    """Area under the deletion curve, per sample (lower is better).

    A faithful explanation ranks first the units whose removal makes the explained output
    fall fastest, so the area is small.

    Parameters
    ----------
    %(params)s

    Returns
    -------
    ndarray of shape (n_samples,)

    Notes
    -----
    %(curve)s

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LinearRegression
    >>> from skxai import ExactShapleyExplainer
    >>> from skxai.metrics import deletion_auc
    >>> X = np.array([[0.0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]])
    >>> model = LinearRegression().fit(X, X @ [1.0, 2.0, 3.0])
    >>> ex = ExactShapleyExplainer(model).fit(np.zeros((1, 3)))
    >>> deletion_auc(ex, np.ones((1, 3))).round(6)   # curve 6, 3, 1, 0
    array([2.333333])
    """
    curves, fractions = deletion_curve(
        explainer,
        X,
        attributions=attributions,
        n_steps=n_steps,
        patch_size=patch_size,
        baseline=baseline,
        blur_sigma=blur_sigma,
        channel_reduction=channel_reduction,
        batch_size=batch_size,
        n_jobs=n_jobs,
    )
    return _auc(curves, fractions)


@_with_notes
def insertion_auc(
    explainer,
    X,
    *,
    attributions=None,
    n_steps=None,
    patch_size=1,
    baseline=None,
    blur_sigma=5.0,
    channel_reduction="sum",
    batch_size=None,
    n_jobs=None,
):
    """Area under the insertion curve, per sample (higher is better).

    The default ``baseline=None`` starts images from a blurred copy (``"blur"``, as Petsiuk
    et al.) and ``(n, d)`` arrays from zeros. Tabular explainers start from the background.

    Parameters
    ----------
    %(params)s

    Returns
    -------
    ndarray of shape (n_samples,)

    Notes
    -----
    %(curve)s

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LinearRegression
    >>> from skxai import ExactShapleyExplainer
    >>> from skxai.metrics import insertion_auc
    >>> X = np.array([[0.0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]])
    >>> model = LinearRegression().fit(X, X @ [1.0, 2.0, 3.0])
    >>> ex = ExactShapleyExplainer(model).fit(np.zeros((1, 3)))
    >>> insertion_auc(ex, np.ones((1, 3))).round(6)   # curve 0, 3, 5, 6
    array([3.666667])
    """
    curves, fractions = insertion_curve(
        explainer,
        X,
        attributions=attributions,
        n_steps=n_steps,
        patch_size=patch_size,
        baseline=baseline,
        blur_sigma=blur_sigma,
        channel_reduction=channel_reduction,
        batch_size=batch_size,
        n_jobs=n_jobs,
    )
    return _auc(curves, fractions)
