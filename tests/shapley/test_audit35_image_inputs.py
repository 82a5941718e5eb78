"""ImageShapleyExplainer on a model fitted on a frame, and baselines that cannot fit the images
(session 35, an outside audit; both fail on the code before).

- a pipeline whose ColumnTransformer picks columns by name failed ("Specifying the columns using
  strings is only supported for dataframes"), and other frame-fitted models warned at every call;
- a colour baseline (3, 8, 8) for grey (1, 8, 8) images passed fit, then failed at every explain.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skxai import ImageShapleyExplainer

X, y = load_digits(return_X_y=True)
COLUMNS = [f"px{i}" for i in range(64)]
FRAME = pd.DataFrame(X, columns=COLUMNS)


def test_a_model_fitted_on_a_frame_gets_its_columns_by_name():
    named = ColumnTransformer([("s", StandardScaler(), COLUMNS)])
    by_name = make_pipeline(named, LogisticRegression(max_iter=300)).fit(FRAME.iloc[:400], y[:400])
    by_position = make_pipeline(StandardScaler(), LogisticRegression(max_iter=300)).fit(X[:400], y[:400])
    kw = {"method": "exact", "image_shape": (8, 8), "n_segments": (2, 2)}
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "X does not have valid feature names" either
        framed = ImageShapleyExplainer(by_name, **kw).fit(FRAME.iloc[:50]).explain(FRAME.iloc[1000:1002])
    plain = ImageShapleyExplainer(by_position, **kw).fit(X[:50]).explain(X[1000:1002])
    np.testing.assert_allclose(framed.player_values, plain.player_values, atol=1e-12)


def test_a_baseline_that_would_grow_the_images_is_refused_at_fit():
    grey = X[:20].reshape(-1, 1, 8, 8)
    model = LogisticRegression(max_iter=300).fit(X[:400], y[:400])
    with pytest.raises(ValueError, match=r"baseline of shape \(3, 8, 8\) does not broadcast"):
        ImageShapleyExplainer(model, baseline=np.zeros((3, 8, 8)), image_shape=(1, 8, 8)).fit(grey.reshape(20, -1))
