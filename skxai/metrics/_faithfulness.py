"""Faithfulness correlation (Bhatt, Weller & Moura 2020)."""

from __future__ import annotations

import numbers

import numpy as np

from skxai._wls import power_of_two_scale
from skxai.metrics._utils import (
    check_perturbation_memory,
    check_positive_int,
    check_random_state_param,
    map_chunks,
    random_subsets,
    sample_seeds,
)
from skxai.metrics._view import ExplainerView


def row_pearson(a, b):
    """Pearson correlation of matching rows of ``a`` and ``b``; 0 where either is constant."""
    # exactly constant rows first: their centred values are rounding noise, not variance
    const = np.all(a == a[:, :1], axis=1) | np.all(b == b[:, :1], axis=1)
    a = a - a.mean(axis=1, keepdims=True)
    b = b - b.mean(axis=1, keepdims=True)
    # the product of the two sums of squares overflowed from outputs of about 1e77 on (r = 0,
    # NaN at 1e160) and underflowed below 1e-77 (r = 0): rows beyond 2**+-64 are divided by a
    # power of two first (exact; r is unchanged by it, ordinary rows are not touched)
    a = a / power_of_two_scale(np.abs(a).max(axis=1, initial=0.0))[:, None]
    b = b / power_of_two_scale(np.abs(b).max(axis=1, initial=0.0))[:, None]
    denom = np.where(const, 0.0, np.sqrt((a * a).sum(axis=1) * (b * b).sum(axis=1)))
    safe = np.where(denom > 0, denom, 1.0)
    return np.where(denom > 0, (a * b).sum(axis=1) / safe, 0.0)


#: Relative spread below which a row of output drops (or of attributed masses) is rounding
#: noise, not variation: a weighted mean over the background of a constant model's outputs
#: differs from its output by a few ulps, and Pearson's r of such noise is any number in [-1, 1].
FLAT_RTOL = 1e-12  # about 4500 float64 ulps: far above averaging noise, far below real effects


def flatten_rounding_noise(v, scale):
    """Rows of ``v`` whose spread is at most ``FLAT_RTOL * scale`` (per row) made exactly
    constant (their mean), so :func:`row_pearson` reports them as constant."""
    flat = np.ptp(v, axis=1) <= FLAT_RTOL * scale
    return np.where(flat[:, None], v.mean(axis=1, keepdims=True), v)


def resolve_subset_size(subset_size, n_units):
    if subset_size is None:
        return max(1, n_units // 2)
    if isinstance(subset_size, numbers.Real) and not isinstance(subset_size, numbers.Integral):
        if not 0 < subset_size < 1:
            raise ValueError(f"subset_size={subset_size!r}: a fraction must lie in (0, 1).")
        return max(1, int(round(subset_size * n_units)))
    size = check_positive_int(subset_size, "subset_size")
    if size > n_units:
        raise ValueError(f"subset_size={size} exceeds the number of units ({n_units}).")
    return size


def subset_removal(
    view, relevance, n_subsets, size, random_state, n_jobs, knob="n_subsets", owner="faithfulness_correlation"
):
    """Attribution mass of random removed subsets and the output drop they cause.

    Returns ``(attributed, drop)``, both ``(n, n_subsets)``. A sample's ``n_subsets`` subsets
    are drawn together (their keys, ranks and masks, the perturbed inputs): more than the
    working memory bound holds is refused, naming ``knob`` (the caller's parameter).
    """
    seeds = sample_seeds(random_state, view.X)
    U = view.n_units
    # random keys and argpartition's ranks (8 bytes each), the removed units and their complement
    check_perturbation_memory(n_subsets, 18 * U + view.copy_bytes(), knob, owner)

    def run(idx):
        removed = random_subsets(seeds[idx], n_subsets, U, size)
        rows = np.repeat(idx, n_subsets)
        kept = view.masked_outputs(rows, ~removed.reshape(-1, U)).reshape(len(idx), n_subsets)
        attributed = np.einsum("rmu,ru->rm", removed, relevance[idx])
        return attributed, view.f_x[idx, None] - kept

    parts = map_chunks(run, view.n, view.samples_per_chunk(n_subsets), n_jobs)
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def faithfulness_correlation(
    explainer,
    X,
    *,
    attributions=None,
    n_subsets=50,
    subset_size=None,
    patch_size=1,
    baseline="zeros",
    blur_sigma=5.0,
    channel_reduction="sum",
    random_state=0,
    batch_size=None,
    n_jobs=None,
):
    """Correlation between the attribution of random subsets and the output drop they cause.

    For each sample, ``n_subsets`` random subsets ``S`` of ``subset_size`` units are removed
    (tabular: replaced by background values, averaged over the background; arrays: replaced by
    ``baseline``) and the Pearson correlation is taken between ``sum_{u in S} phi_u`` and
    ``f(x) - f(x without S)`` (higher is better, at most 1). A constant explanation has no
    variance: its correlation is reported as 0; so is every explanation of a sample whose
    output does not change (a constant model), drops within rounding (a relative
    ``1e-12`` of the outputs) counting as no change. With a single unit (a one-feature
    table), or ``subset_size`` equal to the number of units, every subset is the same and the
    correlation is undefined for every explainer: a ``ValueError`` says so.

    Parameters
    ----------
    explainer : fitted explainer
    X : array-like
    attributions : array-like, optional
        Precomputed ``explainer.transform(X)``.
    n_subsets : int, default=50
    subset_size : int or float, optional
        Units per subset, or a fraction of them; default half of the units.
    patch_size, baseline, blur_sigma, channel_reduction :
        Units and removal of array inputs, as in :func:`deletion_auc`.
    random_state : int, RandomState or None, default=0
        Fixed by default, so candidates compared in a search see the same subsets.
        Each sample's draws come from the seed (``random_state``'s first draw) and the
        sample's own values: its score does not depend on the other samples of ``X``, their
        order, ``batch_size`` or ``n_jobs``, and equal samples get independent draws (each
        copy its own). The mean over ``X`` (what :func:`score_explainer` averages) is the
        mean of these per-sample scores.
    batch_size : int, optional
    n_jobs : int, optional

    Returns
    -------
    ndarray of shape (n_samples,)

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LinearRegression
    >>> from skxai import ExactShapleyExplainer, RandomExplainer
    >>> from skxai.metrics import faithfulness_correlation
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(40, 5)); model = LinearRegression().fit(X, X @ [3, -2, 1, 0.5, 0])
    >>> shap = ExactShapleyExplainer(model).fit(X)
    >>> faithfulness_correlation(shap, X[:3]).round(6)
    array([1., 1., 1.])
    >>> rand = RandomExplainer(model, random_state=0).fit(X)
    >>> bool(faithfulness_correlation(rand, X[:3]).mean() < 0.9)
    True
    """
    check_random_state_param(random_state, "faithfulness_correlation")
    view = ExplainerView(
        explainer,
        X,
        attributions=attributions,
        patch_size=patch_size,
        baseline=baseline,
        blur_sigma=blur_sigma,
        channel_reduction=channel_reduction,
        batch_size=batch_size,
    )
    n_subsets = check_positive_int(n_subsets, "n_subsets")
    if n_subsets < 2:
        # one subset has no variance to correlate: every explanation would score 0
        raise ValueError(f"n_subsets={n_subsets}: a correlation needs at least 2 subsets.")
    size = resolve_subset_size(subset_size, view.n_units)
    if size == view.n_units:
        # every subset is the same (all units): the attributed mass never varies, so the
        # correlation is 0/0, which was reported as 0 for every explainer (the 1-feature table)
        raise ValueError(
            f"faithfulness_correlation is undefined with {view.n_units} unit(s) (features, feature "
            f"groups or patches) and subset_size={size}: every random subset removes all of them, "
            "so the attributed mass does not vary and there is nothing to correlate. It needs at "
            "least 2 units and a subset_size below their number; on a single-feature table use "
            "another metric (scoring='completeness_gap' for instance)."
        )
    attributed, drop = subset_removal(
        view, view.unit_relevance(view.pixel_masses()), n_subsets, size, random_state, n_jobs
    )
    # the drops are differences of outputs: their rounding is relative to the outputs' size
    outputs = np.maximum(np.abs(view.f_x), np.abs(view.f_x[:, None] - drop).max(axis=1))
    drop = flatten_rounding_noise(drop, outputs)
    attributed = flatten_rounding_noise(attributed, np.abs(attributed).max(axis=1))
    return row_pearson(attributed, drop)
