"""One public call from a fitted explainer, or a Pipeline ending in one, to an ``Explanation``."""

from __future__ import annotations


def final_explainer(estimator, X):
    """The explainer at the end of ``estimator`` and ``X`` passed through the steps before it.

    ``estimator`` is an explainer (returned as is) or a fitted ``Pipeline`` (nested pipelines
    too) whose last step is an explainer; the steps before it ``transform`` ``X``.
    """
    steps = getattr(estimator, "steps", None)
    if steps is None or hasattr(estimator, "target_indices"):
        if not hasattr(estimator, "explain"):
            raise TypeError(f"Expected a skxai explainer or a Pipeline ending in one; got {type(estimator).__name__}.")
        return estimator, X
    for _, step in steps[:-1]:
        if step is not None and step != "passthrough":
            X = step.transform(X)
    return final_explainer(steps[-1][1], X)


def explain(estimator, X):
    """Explain ``X`` with a fitted explainer or a fitted Pipeline that ends in an explainer.

    Parameters
    ----------
    estimator : fitted explainer or Pipeline
        A skxai explainer, or a Pipeline whose last step is one; the steps before it are
        applied to ``X`` first (``pipe[:-1].transform(X)``).
    X : array-like
        Samples, as the pipeline (or explainer) takes them.

    Returns
    -------
    Explanation
        The explanation of the transformed samples.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.linear_model import Ridge
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> import skxai
    >>> X, y = load_diabetes(return_X_y=True)
    >>> pipe = make_pipeline(StandardScaler(), skxai.ExactShapleyExplainer(Ridge())).fit(X[:100, :4], y[:100])
    >>> skxai.explain(pipe, X[:3, :4]).values.shape
    (3, 4, 1)
    """
    explainer, Xt = final_explainer(estimator, X)
    return named_by_the_steps(explainer.explain(Xt), estimator, explainer)


def named_by_the_steps(exp, estimator, explainer):
    """``exp`` (of ``explainer``, the last step of ``estimator``) with its features named by the
    steps before the explainer, where the explainer has no names of its own: what
    :func:`explain`, the Displays and the report show for one pipeline."""
    names = _names_from_the_steps(estimator, explainer)
    if names is not None and exp.feature_names is not None and len(names) == len(exp.feature_names):
        exp.feature_names = names
        exp._named_by_steps = True  # the report's metrics map them back to the explainer's players
    return exp


def _names_from_the_steps(estimator, explainer, input_names=None):
    """The steps' output feature names, for an explainer fitted on arrays without names.

    A ``ColumnTransformer`` or ``StandardScaler`` hands the explainer plain arrays unless the
    user asks for pandas output, so its features would be ``x0, x1, ...`` while the steps know
    their names (``get_feature_names_out``); features the explainer names itself (a DataFrame
    at fit, feature groups) keep their names. The names pass through every step before the
    explainer, those of nested pipelines too. None when the steps cannot name their outputs.
    ``input_names``: the names of the pipeline's input columns, for steps fitted without names
    (the command line's CSV header for a pipeline fitted on arrays).
    """
    import numpy as np

    if hasattr(explainer, "feature_names_in_") or getattr(explainer, "feature_groups", None) is not None:
        return None
    names = None if input_names is None else list(input_names)
    level = estimator
    while getattr(level, "steps", None) is not None and not hasattr(level, "target_indices"):
        if len(level.steps) > 1:
            try:
                names = level[:-1].get_feature_names_out(names)
            except Exception:  # a step without get_feature_names_out
                return None
        level = level.steps[-1][1]
    # None where every step is "passthrough" (the explainer's own names stay)
    return None if names is None else np.asarray(names, dtype=object)
