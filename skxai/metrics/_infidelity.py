"""Infidelity (Yeh et al. 2019), with captum's optimal scale normalisation."""

from __future__ import annotations

import numbers

import numpy as np

from skxai._wls import power_of_two_scale
from skxai.metrics._faithfulness import resolve_subset_size, subset_removal
from skxai.metrics._utils import (
    REAL_VALUED_MESSAGE,
    check_perturbation_memory,
    check_positive_int,
    check_random_state_param,
    map_chunks,
    sample_seeds,
    to_numpy,
)
from skxai.metrics._view import ExplainerView


def infidelity_from_terms(a, b, normalize=True):
    """Mean of ``(beta * a - b)**2`` over perturbations (axis 1), ``beta`` optimal if normalised.

    ``a`` is ``I . phi`` and ``b`` the output drop ``f(x) - f(x - I)``. With ``normalize``,
    ``beta = sum(a b) / sum(a a)`` (taken as ``sum(a b)`` when ``sum(a a) = 0``,
    as captum's ``safe_div`` does) minimises the squared error, so the figure does not
    depend on the scale of the attributions.
    """
    m = a.shape[1]
    # Squares of terms beyond 2**+-64 overflowed (outputs of about 1e154 gave inf, or NaN
    # through beta = inf / inf) or underflowed: rows are divided by powers of two first, as the
    # other metrics do (exact), and the figure is multiplied back by the square of the drop's
    # power (ldexp: exact, inf or 0 only where the figure itself is out of float64's range).
    # Ordinary rows are divided by 1: their numbers stay the same to the bit.
    if not normalize:
        sb = power_of_two_scale(np.maximum(np.abs(a).max(axis=1, initial=0.0), np.abs(b).max(axis=1, initial=0.0)))
        a, b = a / sb[:, None], b / sb[:, None]
        return _times_square(((a - b) ** 2).sum(axis=1) / m, sb)
    sb = power_of_two_scale(np.abs(b).max(axis=1, initial=0.0))
    a = a / power_of_two_scale(np.abs(a).max(axis=1, initial=0.0))[:, None]  # beta absorbs it
    b = b / sb[:, None]
    aa = (a * a).sum(axis=1)
    ab = (a * b).sum(axis=1)
    beta = ab / np.where(aa == 0, 1.0, aa)
    # the direct mean (not captum's expanded polynomial) cannot cancel below zero
    return _times_square(((beta[:, None] * a - b) ** 2).sum(axis=1) / m, sb)


def _times_square(v, scale):
    """``v * scale**2`` for powers of two ``scale``, exactly (``scale**2`` itself may overflow)."""
    return np.ldexp(v, 2 * (np.frexp(scale)[1] - 1))


def _refuse_one_mass(why):
    """Refuse a normalised infidelity that is the same for every explanation.

    With one attributed mass ``a`` per sample (one perturbation, or every perturbation the
    same), the optimal scale ``beta = (a . b) / (a . a)`` fits the drop exactly, so a random
    map scored 0.0 (perfect) like exact Shapley values and a search picked at random. With
    one attribution per sample, ``a = phi * I`` and ``beta`` absorbs ``phi``: the figure is
    the model's alone.
    """
    raise ValueError(
        f"infidelity is undefined with normalize=True and {why}: the optimal scale absorbs "
        "the explanation, so every explanation (a random one too) would get the same score (0 "
        "with a single attributed mass). Use n_perturbations >= 2, a subset_size below the "
        "number of units and more than one attribution per sample, or normalize=False (the "
        "squared gap itself)."
    )


def infidelity(
    explainer,
    X,
    *,
    attributions=None,
    perturbation="auto",
    n_perturbations=50,
    noise_scale=0.1,
    subset_size=None,
    perturbations=None,
    normalize=True,
    patch_size=1,
    baseline="zeros",
    blur_sigma=5.0,
    channel_reduction="sum",
    random_state=0,
    batch_size=None,
    n_jobs=None,
):
    """Expected squared error between ``sum(I * phi)`` and the output drop ``f(x) - f(x - I)``.

    ``INFD = E_I[(beta * I . phi - (f(x) - f(x - I)))^2]`` per sample, lower is better. With
    ``normalize=True`` (default) ``beta`` is the optimal scale (captum's ``normalize=True``),
    so explanations are not rewarded or punished for their units. The optimal scale may be
    negative: an explanation and its negation then score the same, so pair infidelity with a
    figure that reads the sign (faithfulness correlation, deletion AUC) when that matters, or
    pass ``normalize=False``. With ``normalize=True`` a single perturbation, or subsets that
    all remove every unit (``subset_size`` equal to their number, a one-feature table), leave
    one attributed mass that the scale fits exactly, and under Gaussian perturbations a single
    attribution per sample (a one-feature input) is absorbed by the scale: every explanation
    would get the same score, so a ``ValueError`` says so.

    Perturbations ``I``:

    - ``"gaussian"`` (array inputs): ``I ~ N(0, noise_scale^2)`` on every input element and
      ``I . phi`` the elementwise product summed (a ``(n, h, w)`` heatmap is upsampled and
      repeated over channels). Suits gradient-like attributions.
    - ``"subset"``: ``I`` is the 0/1 indicator of ``subset_size`` random units that are
      removed (tabular: background values, averaged over the background; arrays:
      ``baseline``), so ``I . phi`` is the attribution mass of the removed units. Suits
      contribution-like attributions (Shapley values, gradient x input, IG).
    - ``"auto"``: ``"subset"`` for tabular explainers, ``"gaussian"`` for arrays.

    Parameters
    ----------
    explainer : fitted explainer
    X : array-like
    attributions : array-like, optional
    perturbation : {"auto", "gaussian", "subset"}, default="auto"
    n_perturbations : int, default=50
    noise_scale : float, default=0.1
        Standard deviation of the Gaussian perturbations (input units).
    subset_size : int or float, optional
        Units removed per perturbation (``"subset"``); default half of them.
    perturbations : ndarray of shape ``(n_samples, n_perturbations, *X.shape[1:])``, optional
        Explicit Gaussian-type perturbations ``I`` (the input seen is ``x - I``); overrides
        ``n_perturbations`` and ``noise_scale`` (refused with ``perturbation="subset"``).
    normalize : bool, default=True
    patch_size, baseline, blur_sigma, channel_reduction :
        Units and removal of array inputs (``"subset"``), as in :func:`deletion_auc`.
    random_state : int, RandomState or None, default=0
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
    >>> from skxai import ExactShapleyExplainer
    >>> from skxai.metrics import infidelity
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(40, 4)); model = LinearRegression().fit(X, X @ [1, 2, -1, 0.5])
    >>> ex = ExactShapleyExplainer(model).fit(X)
    >>> bool(infidelity(ex, X[:5]).max() < 1e-20)   # additive model: exact
    True
    """
    check_random_state_param(random_state, "infidelity")
    if not isinstance(normalize, (bool, np.bool_)):
        raise ValueError(f"normalize must be True or False, got {normalize!r}.")
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
    if perturbation not in ("auto", "gaussian", "subset"):
        raise ValueError(f"perturbation={perturbation!r}; use 'auto', 'gaussian' or 'subset'.")
    if perturbations is not None:
        if perturbation == "subset":
            # the explicit perturbations are added noise, not removed subsets: the subset figure
            # asked for was silently replaced by the Gaussian-type one
            raise ValueError(
                "perturbations= are Gaussian-type perturbations (the input seen is x - I); they "
                "cannot be used with perturbation='subset'. Pass perturbation='auto' or "
                "'gaussian' with them, or drop perturbations= for random subsets."
            )
        perturbation = "gaussian"
    elif perturbation == "auto":
        perturbation = "subset" if view.tabular else "gaussian"
    if perturbation == "subset":
        m = check_positive_int(n_perturbations, "n_perturbations")
        size = resolve_subset_size(subset_size, view.n_units)
        if normalize and m < 2:
            _refuse_one_mass("n_perturbations=1: there is one perturbation per sample")
        if normalize and size == view.n_units:
            _refuse_one_mass(
                f"subset_size={size} with {view.n_units} unit(s) (features, feature groups or "
                "patches): every subset removes all of them, so every perturbation is the same"
            )
        a, b = subset_removal(
            view,
            view.unit_relevance(view.pixel_masses()),
            m,
            size,
            random_state,
            n_jobs,
            knob="n_perturbations",
            owner="infidelity",
        )
        return infidelity_from_terms(a, b, normalize)
    if not view.numeric:
        raise ValueError("Gaussian perturbations need numeric features; use perturbation='subset'.")
    if not view.real_valued:
        raise ValueError(
            REAL_VALUED_MESSAGE.format(what="Gaussian perturbations add noise to the inputs")
            + " Or use perturbation='subset'."
        )
    phi = view.elementwise(view.pixel_masses(per_element=True))  # each element's share of a region's value
    shape = view.X.shape[1:]
    if view.tabular and view.n_units != view.X.shape[1]:
        raise ValueError(
            "Gaussian perturbations need one attribution per column; with feature_groups use perturbation='subset'."
        )
    if normalize and view.attributions[0].size == 1:
        # one attribution per sample (a one-feature input, a 1-pixel heatmap): I . phi is
        # phi times a fixed draw, the scale absorbs phi, and every non-zero map scores the same
        _refuse_one_mass(
            "one attribution per sample under Gaussian perturbations: the attributed mass is "
            "that value times the draw, so the figure does not depend on the explanation"
        )
    if perturbations is not None:
        P = to_numpy(perturbations)
        if P.ndim != view.X.ndim + 1 or P.shape[0] != view.n or P.shape[2:] != shape:
            raise ValueError(
                f"perturbations have shape {P.shape}; expected (n_samples, n_perturbations, "
                f"*{shape}) with n_samples={view.n}."
            )
        if not np.isfinite(P).all():
            # the model's own error on the perturbed copies named X, which is finite
            raise ValueError("perturbations contain NaN or infinity.")
        m = P.shape[1]
    else:
        m = check_positive_int(n_perturbations, "n_perturbations")
        # NaN and infinity passed `noise_scale <= 0`: the copies were NaN and the model's
        # error ("Input X contains NaN") blamed the user's X
        if (
            not isinstance(noise_scale, numbers.Real)
            or isinstance(noise_scale, bool | np.bool_)
            or not np.isfinite(noise_scale)
            or noise_scale <= 0
        ):
            raise ValueError(f"noise_scale must be a positive number, got {noise_scale!r}.")
        # a sample's draws (float64), their cast and the perturbed inputs, built together
        check_perturbation_memory(m, int(np.prod(shape)) * (8 + 2 * view.X.itemsize), "n_perturbations", "infidelity")
        seeds = sample_seeds(random_state, view.X)
    if normalize and m < 2:
        _refuse_one_mass(f"n_perturbations={m}: there is one perturbation per sample")

    def run(idx):
        if perturbations is not None:
            I = P[idx]
        else:
            I = np.stack([np.random.RandomState(s).normal(0.0, noise_scale, (m,) + shape) for s in seeds[idx]]).astype(
                view.X.dtype, copy=False
            )
        Xp = (view.X[idx][:, None] - I).reshape((-1,) + shape)
        rows = np.repeat(idx, m)
        out = view.outputs(Xp, rows)
        drop = view.f_x[idx, None] - out.reshape(len(idx), m)
        r = len(idx)
        attributed = np.einsum("rmd,rd->rm", I.reshape(r, m, -1), phi[idx].reshape(r, -1))
        return attributed, drop

    parts = map_chunks(run, view.n, max(1, view.rows_per_call // m), n_jobs)
    a = np.concatenate([p[0] for p in parts])
    b = np.concatenate([p[1] for p in parts])
    return infidelity_from_terms(a, b, normalize)
