"""Shared numpydoc pieces for the parameters that mean the same thing in every family.

A docstring names a piece on a line of its own as ``%(name)s``; :func:`fill_doc` replaces
that line with the piece, indented like the placeholder. One wording per parameter, so the
vocabulary page, the base classes and every family say the same thing.

Examples
--------
>>> from skxai.utils._docstrings import fill_doc
>>> @fill_doc
... def f(n_jobs=None):
...     '''Do it.
...
...     Parameters
...     ----------
...     %(n_jobs)s
...     '''
>>> "joblib" in f.__doc__
True
"""

from __future__ import annotations

import re
import textwrap

__all__ = ["DOC_PIECES", "fill_doc"]

DOC_PIECES = {
    "estimator": """
estimator : estimator, Pipeline, torch module or callable
    The model explained. A ``FrozenEstimator`` (or a fitted estimator when ``fit`` gets no
    ``y``) is used as is; an unfitted estimator is cloned and fitted on ``(X, y)`` into
    ``estimator_``.""",
    "target": """
target : label, int, "predicted", array-like of shape (n_samples,) or None, default=None
    The output explained: a class label (classifiers), an output index (models with
    unlabeled outputs), ``"predicted"`` (the model's own prediction, per sample), one of
    those per explained sample, or None: the single output when there is one, the positive
    class of a binary classifier, the predicted class of a multi-class one. For several
    unlabeled outputs (a multi-output regressor), None makes the Shapley, LIME and control
    explainers' ``explain`` give every output while ``transform`` asks for ``target``; the
    gradient and CAM families and LIME for text, which explain one output per pass, ask for
    it at ``fit``.""",
    "response_method": """
response_method : {"auto", "predict_proba", "decision_function", "predict"}, default="auto"
    The response explained. ``"auto"``: probabilities for classifiers, the prediction for
    regressors, a plain callable's own output. ``"decision_function"``: the raw score before
    the link (log-odds of a logistic model, a network's logits). The first release's names
    ``"logits"``, ``"proba"`` and ``"raw"`` are deprecated aliases (FutureWarning). The
    explained quantity is recorded in ``Explanation.quantity``.""",
    "max_background": """
max_background : int or None, default=100
    Largest number of background rows kept from ``fit``'s ``X`` (a summary is made when
    there are more); None keeps them all.""",
    "background": """
background : {"sample", "kmeans"}, default="sample"
    How a large background is summarised: ``"sample"`` draws ``max_background`` rows
    (``random_state``); ``"kmeans"`` keeps ``max_background`` weighted k-means centroids
    for float data, and for tables with integer or boolean columns (or a model that reads
    some columns as categories, HistGradientBoosting's ``categorical_features``) the real row
    nearest each centroid (weighted by its cluster's size), so ``background_`` is exactly what
    the model sees.""",
    "feature_groups": """
feature_groups : list of lists or dict, default=None
    Players of the game: None (one per column), a list of lists of column indices or names,
    or ``{group_name: [columns]}``. Every column belongs to exactly one group.""",
    "batch_size": """
batch_size : int or None, default=50_000
    Most model rows per call (memory bound); None lets the explainer choose.""",
    "n_jobs": """
n_jobs : int, default=None
    Parallel jobs (joblib; ``joblib.parallel_config`` picks the backend). The numbers are
    identical for any ``n_jobs``.""",
    "random_state": """
random_state : int, RandomState instance or None, default=None
    Seed of every random draw; an int gives the same numbers on every call and for any
    ``n_jobs``. An instance is drawn from by every call that draws (successive calls differ,
    as in scikit-learn); None draws fresh seeds on every such call. Global random generators
    are never touched.""",
    "scoring": """
scoring : str, callable or None, default=None
    What ``score`` returns (higher is better): a name of
    :func:`skxai.metrics.get_metric_names` or a callable
    ``scoring(explainer, X, y) -> float``; None uses the explainer's default. Checked at
    ``fit``.""",
    "verbose": """
verbose : int or bool, default=0
    Show a progress bar (tqdm) when positive.""",
}


def _piece(name, indent):
    text = textwrap.dedent(DOC_PIECES[name]).strip("\n")
    return textwrap.indent(text, indent)


_PLACEHOLDER = re.compile(r"^(?P<indent>[ \t]*)%\((?P<name>\w+)\)s[ \t]*$", re.MULTILINE)


def fill_doc(obj):
    """Replace the ``%(name)s`` lines of ``obj.__doc__`` with the shared pieces; return ``obj``.

    Parameters
    ----------
    obj : function or class
        Its docstring is edited in place.

    Returns
    -------
    function or class
        ``obj`` itself.
    """
    doc = obj.__doc__
    if doc:

        def replace(match):
            name = match.group("name")
            if name not in DOC_PIECES:
                raise KeyError(f"Unknown docstring piece {name!r}; known: {sorted(DOC_PIECES)}.")
            return _piece(name, match.group("indent"))

        obj.__doc__ = _PLACEHOLDER.sub(replace, doc)
    return obj
