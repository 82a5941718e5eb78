"""A linear callable model that records its calls, and a constant explainer of it (shared by the
metrics' kill tests)."""

import numpy as np

from skxai import ConstantExplainer


class Linear:
    """f(x) = x . w over the flattened sample, recording the rows of each call."""

    def __init__(self, w):
        self.w = np.asarray(w, dtype=float).ravel()
        self.rows = []

    def __call__(self, A):
        A = np.asarray(A, dtype=float)
        self.rows.append(len(A))
        return A.reshape(len(A), -1) @ self.w


def linear_explainer(w, shape):
    """An explainer of f = x . w fitted on one zero sample of ``shape`` (spatial axes: an image
    explainer whose removed units become the zero baseline; ``(d,)``: tabular)."""
    return ConstantExplainer(Linear(w)).fit(np.zeros((1,) + tuple(shape)))
