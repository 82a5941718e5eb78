"""Max- and average-sensitivity (Yeh et al. 2019): how much explanations move under input noise."""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.utils.validation import check_is_fitted

from skxai.metrics._utils import (
    DEFAULT_BATCH_SIZE,
    REAL_VALUED_MESSAGE,
    check_perturbation_memory,
    check_positive_int,
    check_random_state_param,
    explainer_transform,
    given_attributions,
    is_tabular,
    map_chunks,
    refuse_text,
    sample_seeds,
    to_numpy,
)

_WARNING = """
    .. warning::
       Never tune an explainer on sensitivity alone: a constant map (see
       :class:`skxai.ConstantExplainer`) is perfectly insensitive (sensitivity 0) and says
       nothing about the model. Pair it with a faithfulness figure (deletion AUC,
       infidelity, faithfulness correlation) or use it as a constraint.
"""


def _flat_norm(D, norm):
    D = D.reshape(D.shape[0], -1)
    if norm in ("fro", 2):
        return np.sqrt((D * D).sum(axis=1))
    return np.linalg.norm(D, ord=norm, axis=1)


def _as_input(explainer, X):
    if is_tabular(explainer):
        view = explainer.perturbation_view(X)
        if not view.numeric:
            raise ValueError("Sensitivity adds noise to the inputs: it needs numeric features.")
        if not getattr(view, "real_valued", True):
            raise ValueError(REAL_VALUED_MESSAGE.format(what="Sensitivity adds noise to the inputs"))
        return np.asarray(view.X, dtype=np.float64)
    refuse_text(explainer, X, "Sensitivity (input noise)")
    Xa = to_numpy(X)
    if not np.isfinite(Xa).all():
        raise ValueError("X contains NaN or infinity; metrics need finite inputs.")
    return Xa


def _explains_for_targets(explainer):
    """The explainer's private ``_transform_for_targets`` hook, or None.

    Sensitivity compares explanations of one output: the explanation of ``x + e`` must be of
    the output explained for ``x`` (Quantus' MaxSensitivity explains the perturbed inputs for
    the original label), not of the class ``x + e`` happens to be predicted as
    (``target="predicted"``), and per-sample targets must follow the sample to its copies.
    Every family with a ``target`` (tabular, torch gradients and CAMs, image Shapley)
    implements ``_transform_for_targets(X, target_indices)``: ``transform`` with the output of
    each row given, the explainer itself left untouched (no attribute is set, not even for the
    duration of a call, so another thread may use it meanwhile). Explainers without it
    (anchors, which explain the predicted class by construction, or third-party duck types)
    have their ``transform`` called as it is.
    """
    hook = getattr(explainer, "_transform_for_targets", None)
    return hook if callable(hook) else None


def sensitivities(
    explainer,
    X,
    *,
    attributions=None,
    radius=0.02,
    n_perturbations=10,
    norm="fro",
    normalize=True,
    perturbations=None,
    random_state=0,
    batch_size=None,
    n_jobs=None,
):
    """Sensitivity of every perturbation, ``(n_samples, n_perturbations)``.

    ``||phi(x + e) - phi(x)|| / ||phi(x)||`` (the denominator only with ``normalize``; a zero
    explanation is divided by 1, as in captum), ``e`` uniform on ``[-radius, radius]`` per
    input element, or the given ``perturbations`` (added to ``x``). Explainers with a target
    explain ``x + e`` for the output explained for ``x`` (``explainer.target_indices(X)``),
    never for the class ``x + e`` is predicted as.
    """
    check_is_fitted(explainer)
    Xa = _as_input(explainer, X)
    n, shape = Xa.shape[0], Xa.shape[1:]
    if perturbations is None:
        # a sample's draws, perturbed inputs, their explanations and differences (float64),
        # built together: refused before any explanation when they cannot fit
        m = check_positive_int(n_perturbations, "n_perturbations")
        check_perturbation_memory(m, 4 * 8 * int(np.prod(shape)), "n_perturbations", "sensitivity")
    for_targets = _explains_for_targets(explainer)
    targets = None if for_targets is None else np.asarray(explainer.target_indices(X), dtype=int)
    phi0 = given_attributions(explainer, X, attributions, n, targets)
    # "fro" or a vector ord: the difference is flattened, so a matrix norm ("nuc") cannot apply.
    # NaN gave a NaN sensitivity for every sample (a NaN score), and True read as ord 1.
    if not (isinstance(norm, str) and norm == "fro") and (
        not isinstance(norm, numbers.Real) or isinstance(norm, bool | np.bool_) or np.isnan(norm)
    ):
        raise ValueError(f"norm={norm!r}; use 'fro' or a number (np.linalg.norm's ord).")
    if not isinstance(normalize, bool | np.bool_):
        # a string or None was read by its truth value: normalize="no" divided all the same
        raise ValueError(f"normalize must be True or False, got {normalize!r}.")
    if perturbations is not None:
        P = to_numpy(perturbations)
        if P.ndim != Xa.ndim + 1 or P.shape[0] != n or P.shape[2:] != shape:
            raise ValueError(f"perturbations have shape {P.shape}; expected (n_samples, n_perturbations, *{shape}).")
        if not np.isfinite(P).all():
            # the model's or explainer's own error named X, which is finite
            raise ValueError("perturbations contain NaN or infinity.")
        m = P.shape[1]
    else:
        m = check_positive_int(n_perturbations, "n_perturbations")
        # NaN and infinity passed `radius <= 0` and died in numpy's uniform (OverflowError)
        if (
            not isinstance(radius, numbers.Real)
            or isinstance(radius, bool | np.bool_)
            or not np.isfinite(radius)
            or radius <= 0
        ):
            raise ValueError(f"radius must be a positive number, got {radius!r}.")
        seeds = sample_seeds(random_state, Xa)
    bs = batch_size if batch_size is not None else getattr(explainer, "batch_size", None)
    bs = check_positive_int(bs or DEFAULT_BATCH_SIZE, "batch_size")
    base_norm = _flat_norm(phi0, norm) if normalize else np.ones(n)
    base_norm = np.where(base_norm == 0, 1.0, base_norm)
    if targets is not None and targets.shape != (n,):
        raise ValueError(f"{type(explainer).__name__}.target_indices returned shape {targets.shape} for {n} samples.")

    def run(idx):
        if perturbations is not None:
            E = P[idx]
        else:
            E = np.stack([np.random.RandomState(s).uniform(-radius, radius, (m,) + shape) for s in seeds[idx]])
        Xp = (Xa[idx][:, None] + E).reshape((-1,) + shape)
        if targets is None:
            phi = to_numpy(explainer_transform(explainer, Xp))
        else:
            # every copy of a sample is explained for that sample's output
            phi = to_numpy(for_targets(Xp, np.repeat(targets[idx], m)))
        if not np.isfinite(phi).all():
            raise ValueError("the explanations of the perturbed inputs contain NaN or infinity.")
        if phi.shape[1:] != phi0.shape[1:]:
            raise ValueError(
                f"attributions have shape {phi0.shape} but the explainer's transform gives "
                f"{(n,) + phi.shape[1:]}: pass explainer.transform(X) as attributions."
            )
        diff = phi.reshape((len(idx), m) + phi.shape[1:]) - phi0[idx][:, None]
        return (
            _flat_norm(diff.reshape((len(idx) * m,) + phi.shape[1:]), norm).reshape(len(idx), m) / base_norm[idx, None]
        )

    return np.concatenate(map_chunks(run, n, max(1, bs // m), n_jobs), axis=0)


_PARAMS = """explainer : fitted explainer
        The explainer whose stability is measured (its ``transform`` is called on noisy inputs).
    X : array-like
        Samples explained.
    attributions : array-like, optional
        ``explainer.transform(X)`` when already computed.
    radius : float, default=0.02
        Half-width of the uniform noise, in input units.
    n_perturbations : int, default=10
        Noise draws per sample.
    norm : "fro" or number, default="fro"
        Norm of the flattened difference (``np.linalg.norm``'s ``ord``).
    normalize : bool, default=True
        Divide by the norm of the explanation of ``x`` (a zero explanation by 1).
    perturbations : ndarray of shape ``(n_samples, n_perturbations, *X.shape[1:])``, optional
        Explicit noise added to ``x``.
    random_state : int, RandomState or None, default=0
        Seed of the noise draws. Each sample's draws come from the seed (``random_state``'s
        first draw) and the sample's own values: its score does not depend on the other
        samples of ``X``, their order, ``batch_size`` or ``n_jobs``, and equal samples get
        independent draws (each copy its own). The mean over ``X`` (what
        :func:`score_explainer` averages) is the mean of these per-sample scores.
    batch_size : int, optional
        Most perturbed samples re-explained per ``transform`` call.
    n_jobs : int, optional
        joblib workers over chunks of samples."""


def max_sensitivity(
    explainer,
    X,
    *,
    attributions=None,
    radius=0.02,
    n_perturbations=10,
    norm="fro",
    normalize=True,
    perturbations=None,
    random_state=0,
    batch_size=None,
    n_jobs=None,
):
    """Largest relative change of the explanation under uniform input noise (lower is better).

    ``max_e ||phi(x + e) - phi(x)|| / ||phi(x)||`` over ``n_perturbations`` draws of ``e``
    uniform on ``[-radius, radius]`` per input element: captum's ``sensitivity_max`` with its
    default perturbation. All perturbed inputs of a chunk of samples are explained in one
    ``explainer.transform`` call.

    Parameters
    ----------
    %(params)s

    Returns
    -------
    ndarray of shape (n_samples,)

    Notes
    -----
    %(warning)s

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LinearRegression
    >>> from skxai import ConstantExplainer, ExactShapleyExplainer
    >>> from skxai.metrics import max_sensitivity
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(30, 3)); model = LinearRegression().fit(X, X @ [1.0, 2.0, 3.0])
    >>> max_sensitivity(ConstantExplainer(model).fit(X), X[:2])
    array([0., 0.])
    >>> bool(max_sensitivity(ExactShapleyExplainer(model).fit(X), X[:2]).min() > 0)
    True
    """
    check_random_state_param(random_state, "max_sensitivity")
    s = sensitivities(
        explainer,
        X,
        attributions=attributions,
        radius=radius,
        n_perturbations=n_perturbations,
        norm=norm,
        normalize=normalize,
        perturbations=perturbations,
        random_state=random_state,
        batch_size=batch_size,
        n_jobs=n_jobs,
    )
    return s.max(axis=1)


def avg_sensitivity(
    explainer,
    X,
    *,
    attributions=None,
    radius=0.02,
    n_perturbations=10,
    norm="fro",
    normalize=True,
    perturbations=None,
    random_state=0,
    batch_size=None,
    n_jobs=None,
):
    """Mean relative change of the explanation under uniform input noise (lower is better).

    Same perturbations and parameters as :func:`max_sensitivity`, averaged instead of maximised.

    Parameters
    ----------
    %(params)s

    Returns
    -------
    ndarray of shape (n_samples,)

    Notes
    -----
    %(warning)s
    """
    check_random_state_param(random_state, "avg_sensitivity")
    s = sensitivities(
        explainer,
        X,
        attributions=attributions,
        radius=radius,
        n_perturbations=n_perturbations,
        norm=norm,
        normalize=normalize,
        perturbations=perturbations,
        random_state=random_state,
        batch_size=batch_size,
        n_jobs=n_jobs,
    )
    return s.mean(axis=1)


for _f in (max_sensitivity, avg_sensitivity):
    _f.__doc__ = _f.__doc__.replace("%(warning)s", _WARNING.strip()).replace("%(params)s", _PARAMS)
