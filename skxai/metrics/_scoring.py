"""The ``score`` behind every explainer: a named metric, averaged over samples (higher is better)."""

from __future__ import annotations


def score_explainer(explainer, X, y=None, *, scoring=None):
    """Mean per-sample quality of ``explainer``'s explanations of ``X`` (higher is better).

    ``BaseExplainer.score`` calls this with the explainer's ``scoring`` parameter (or its
    family's default: ``"faithfulness_correlation"`` for tabular explainers).

    Parameters
    ----------
    explainer : fitted explainer
    X : array-like
    y : ignored
    scoring : str or callable
        Name of a metric (see :func:`skxai.metrics.get_metric_names`; lower-is-better
        metrics are negated) or ``callable(explainer, X, y) -> float`` such as a scorer from
        :func:`skxai.metrics.make_explanation_scorer`.

    Returns
    -------
    float

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LinearRegression
    >>> from skxai import ExactShapleyExplainer
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(40, 3)); model = LinearRegression().fit(X, X @ [1.0, -2.0, 0.5])
    >>> ex = ExactShapleyExplainer(model, scoring="infidelity").fit(X)
    >>> abs(ex.score(X[:5])) < 1e-12
    True
    """
    if scoring is None:
        raise ValueError(f"{type(explainer).__name__} has no default scoring; set scoring=...")
    if isinstance(scoring, str):
        from skxai.metrics._scorers import make_explanation_scorer

        scoring = make_explanation_scorer(scoring)
    if not callable(scoring):
        raise TypeError(f"scoring must be a metric name or a callable, got {scoring!r}.")
    return float(scoring(explainer, X, y))
