"""A model returning NaN at fit: the message named the rows as "perturbed samples during
explain" while no explain was called (audit34j); it now says what the rows are at each step."""

import numpy as np
import pytest

from skxai import ExactShapleyExplainer


def test_nan_at_fit_names_the_background_rows():
    X = np.random.RandomState(0).normal(size=(20, 3))

    def model(Z):
        out = Z[:, 0].copy()
        out[np.isclose(Z[:, 1], X[2, 1])] = np.nan
        return out

    with pytest.raises(ValueError, match=r"row indices \[2\] within that call.*at fit, rows of the background") as info:
        ExactShapleyExplainer(model).fit(X)
    assert "perturbed samples during explain" not in str(info.value)
