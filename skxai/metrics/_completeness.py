"""Completeness gap: how far attributions are from adding up to the output change."""

from __future__ import annotations

import numpy as np

from skxai.metrics._faithfulness import FLAT_RTOL
from skxai.metrics._utils import explainer_transform, is_tabular, to_numpy
from skxai.metrics._view import ExplainerView


def _explainer_baseline(explainer, X):
    """The path start the explainer itself uses (IG's ``baselines(x)``, else ``baseline_``)."""
    starts = getattr(explainer, "baselines", None)
    if callable(starts):
        import torch

        x = torch.as_tensor(to_numpy(X))
        return starts(x).detach().cpu().numpy()
    baseline = getattr(explainer, "baseline_", None)
    return "zeros" if baseline is None else baseline


def completeness_gap(explainer, X, *, attributions=None, baseline=None, relative=False, batch_size=None):
    """``|sum(phi) - (f(x) - f(baseline))|`` per sample (lower is better).

    Integrated Gradients, DeepLIFT/DeepSHAP and Shapley values promise a gap of 0
    (completeness / efficiency); the gap of IG measures its quadrature error, so it picks the
    number of steps.

    - Tabular explainers: ``f(baseline)`` is the background expectation of the explained
      output (the value of the empty coalition), ``sum(phi)`` runs over the players.
    - Arrays: ``baseline`` is ``None`` (the path start the explainer uses: Integrated
      Gradients' ``baselines(x)``, blurred images included, or a fitted ``baseline_``; else
      zeros), ``"zeros"``, ``"background_mean"``, ``"channel_mean"``, ``"blur"``, a number or an
      array (:mod:`skxai._baselines`); ``sum(phi)`` runs over every element of the
      attributions as returned, which must be shaped like the input, like the images of a model
      that takes them flattened (``image_shape_``), or like a map summed over the channels.
    - :class:`~skxai.ImageShapleyExplainer` (without ``attributions`` and ``baseline``):
      ``sum(phi)`` runs over its regions' values (its heatmaps give every pixel its region's
      whole value) and ``f(baseline)`` is the output on its own ``baseline`` image.

    Parameters
    ----------
    explainer : fitted explainer
    X : array-like
    attributions : array-like, optional
    baseline : optional
        Ignored by tabular explainers.
    relative : bool, default=False
        Divide by ``|f(x) - f(baseline)|`` (a zero gap stays 0 when the change vanishes;
        a non-zero gap over no change is infinite). A change or a gap within rounding of the
        outputs (``1e-12`` of them) counts as none: a constant model's exact values get 0.
    batch_size : int, optional

    Returns
    -------
    ndarray of shape (n_samples,)

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LinearRegression
    >>> from skxai import ExactShapleyExplainer
    >>> from skxai.metrics import completeness_gap
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(30, 3)); model = LinearRegression().fit(X, X @ [1.0, 2.0, 3.0])
    >>> bool(completeness_gap(ExactShapleyExplainer(model).fit(X), X[:4]).max() < 1e-10)
    True
    """
    if not isinstance(relative, bool | np.bool_):
        # read by its truth value, relative="no" divided the gap by the change all the same
        raise ValueError(f"relative must be True or False, got {relative!r}.")
    own = getattr(explainer, "_completeness_terms", None)
    if own is not None and attributions is None and baseline is None:
        # attributions that do not add up as returned (image Shapley heatmaps give every pixel
        # its region's whole value: a gap of 10 for exact values): the explainer's own total
        # and its own baseline
        view = ExplainerView(explainer, X, baseline="zeros", batch_size=batch_size, need_attributions=False)
        total, start = own(X, view.targets)
    else:
        if baseline is None and not is_tabular(explainer):
            baseline = _explainer_baseline(explainer, X)
        view = ExplainerView(
            explainer,
            X,
            baseline="zeros" if baseline is None else baseline,
            batch_size=batch_size,
            need_attributions=False,
        )
        # named attributions (a frame, an Explanation) in the explainer's order of players, of
        # the explained outputs: an Explanation reached numpy whole and failed deep inside
        A = explainer_transform(explainer, X) if attributions is None else view.players_in_order(attributions)
        A = to_numpy(A)
        if A.shape[0] != view.n:
            raise ValueError(f"attributions hold {A.shape[0]} samples but X holds {view.n}.")
        if not np.isfinite(A).all():
            raise ValueError("attributions contain NaN or infinity.")
        if view.tabular and A.shape != (view.n, view.n_units):
            raise ValueError(
                f"attributions have shape {A.shape}; expected (n_samples, n_players) = {(view.n, view.n_units)}."
            )
        if not view.tabular:
            # every attribution of the input, summed as given: the input's shape, the images'
            # (C, H, W) of a model that takes them flattened, or a map summed over the channels
            # (the same total; spreading it over the channels first counted it C times). Any
            # other shape was summed as it came (ones of shape (3, 5, 5) for 1x8x8 images).
            image = getattr(explainer, "image_shape_", None)
            shapes = [tuple(view.X.shape[1:])]
            if image is not None:
                shapes += [tuple(image), tuple(image)[1:]]
            if view.spatial:
                shapes.append(tuple(view.spatial))
            if tuple(A.shape[1:]) not in shapes:
                raise ValueError(
                    f"attributions have shape {A.shape}; completeness sums the attributions of every input "
                    f"value: expected (n, *s) for s in {sorted(set(shapes), key=len, reverse=True)} (the input, "
                    "or a map summed over channels)."
                )
        total = A.reshape(view.n, -1).sum(axis=1)
        start = view.baseline_outputs()
    delta = view.f_x - start
    gap = np.abs(total - delta)
    if relative:
        # A change within rounding of the outputs (FLAT_RTOL of them) is none: a constant
        # model's f(x) - E[f(b)] is a residue of the background mean (1.3e-15 for 3.0), and
        # the exact values' gap another, whose ratio (1.0, or inf) read as a complete miss.
        rounding = FLAT_RTOL * np.maximum(np.abs(view.f_x), np.abs(start))
        scale = np.abs(delta)
        moved = scale > rounding
        return np.where(moved, gap / np.where(moved, scale, 1.0), np.where(gap > rounding, np.inf, 0.0))
    return gap
