"""Sparseness of an explanation: the Gini index of its absolute values (Chalasani et al. 2020)."""

from __future__ import annotations

import numpy as np
from scipy.sparse import issparse
from sklearn.utils.validation import check_is_fitted

from skxai._explanation import Explanation
from skxai.metrics._utils import explainer_transform, given_attributions, n_samples_of, to_numpy


def gini(values):
    """Gini index of ``|values|`` per row of a 2-D array (0: uniform, near 1: one non-zero).

    ``G = sum_k (2k - d - 1) a_(k) / (d sum_k a_(k))`` with ``a_(1) <= ... <= a_(d)`` the sorted
    absolute values; an all-zero row has no mass and gets 0.
    """
    a = np.sort(np.abs(values), axis=1)
    d = a.shape[1]
    weights = 2 * np.arange(1, d + 1) - d - 1
    total = a.sum(axis=1)
    safe = np.where(total > 0, total, 1.0)
    return np.where(total > 0, (a @ weights) / (d * safe), 0.0)


def sparseness(explainer, X, *, attributions=None):
    """Gini index of each explanation's absolute values (higher is sparser).

    Computed on the attributions as the explainer returns them (a CAM's ``(n, h, w)`` map,
    a gradient's ``(n, C, H, W)`` array, a tabular ``(n, n_players)`` matrix), flattened per
    sample. Sparse maps are easier to read but not necessarily more faithful: a map with one
    arbitrary non-zero pixel is maximally sparse. Report it beside a faithfulness figure.

    Parameters
    ----------
    explainer : fitted explainer
    X : array-like
    attributions : array-like, DataFrame or Explanation, optional
        ``explainer.transform(X)`` when already computed (then ``explainer`` and ``X`` may be
        None; given, the attributions are checked against them: one row per sample of ``X``,
        one column per player of a tabular explainer).

    Returns
    -------
    ndarray of shape (n_samples,)

    Examples
    --------
    >>> import numpy as np
    >>> from skxai.metrics import sparseness
    >>> sparseness(None, None, attributions=np.array([[1.0, 1, 1, 1], [0, 0, 0, 5]]))
    array([0.  , 0.75])
    """
    computed = attributions is None
    if computed:
        check_is_fitted(explainer)
        attributions = explainer_transform(explainer, X)
    if issparse(attributions):
        # a text explanation over its coverage vocabulary: every word a document lacks would
        # count as a zero attribution, so its Gini index measures the vocabulary, not the map
        raise ValueError(
            "sparseness does not apply to sparse attributions (a text explanation over its "
            "vocabulary): the words a document lacks would count as zeros. Pass "
            "attributions=A.toarray() restricted to the document's own tokens if that is meant."
        )
    if not computed and explainer is not None and X is not None:
        check_is_fitted(explainer)
        A = given_attributions(explainer, X, attributions, n_samples_of(X))
    else:
        A = to_numpy(attributions.target_values if isinstance(attributions, Explanation) else attributions)
    if A.ndim < 2:
        raise ValueError(f"attributions must have a first axis of samples; got shape {A.shape}.")
    if not np.isfinite(A).all():
        raise ValueError("attributions contain NaN or infinity.")
    return gini(A.reshape(A.shape[0], -1))
