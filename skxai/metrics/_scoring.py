"""The ``score`` behind every explainer: a named metric, averaged over samples (higher is better)."""

from __future__ import annotations

import numpy as np
from sklearn.utils import check_random_state


def _tabular_faithfulness_correlation(explainer, X, *, n_subsets=32, random_state=0):
    """Pearson correlation, per sample, between the attributions of random coalitions of
    players and the output drop when those players are replaced by background values."""
    exp = explainer.explain(X)
    phi = exp.target_values()
    n, p = phi.shape
    rng = check_random_state(random_state)
    size = max(1, p // 2)
    removed = np.zeros((n_subsets, p), dtype=bool)
    for i in range(n_subsets):
        removed[i, rng.choice(p, size=size, replace=False)] = True
    game = explainer._game()
    Xa = explainer._schema.to_array(X, n_features=explainer.n_features_in_)
    kept_values = game.values(Xa, ~removed)
    from skxai._adapters import select_target

    full = exp.target_base_values() + phi.sum(axis=1)
    kept = select_target(np.moveaxis(kept_values, 1, -2), explainer.target_index_, exp.outputs)
    drop = full[:, None] - kept
    attributed = removed.astype(float) @ phi.T
    attributed = attributed.T
    a = attributed - attributed.mean(axis=1, keepdims=True)
    b = drop - drop.mean(axis=1, keepdims=True)
    denom = np.sqrt((a**2).sum(axis=1) * (b**2).sum(axis=1))
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = np.where(denom > 0, (a * b).sum(axis=1) / denom, 0.0)
    return corr


_SCORERS = {"faithfulness_correlation": _tabular_faithfulness_correlation}


def score_explainer(explainer, X, y=None, *, scoring=None):
    """Mean per-sample quality of ``explainer``'s explanations of ``X`` (higher is better).

    Parameters
    ----------
    explainer : fitted explainer
    X : array-like
    y : ignored
    scoring : str or callable
        Name of a metric, or ``callable(explainer, X, y) -> float``.
    """
    if scoring is None:
        raise ValueError(f"{type(explainer).__name__} has no default scoring; set scoring=...")
    if callable(scoring):
        return float(scoring(explainer, X, y))
    if scoring not in _SCORERS:
        raise ValueError(f"scoring={scoring!r} is unknown; choose one of {sorted(_SCORERS)}.")
    return float(np.mean(_SCORERS[scoring](explainer, X)))
